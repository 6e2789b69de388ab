// Numeric identifiers shared with core/assembly/layout.ts (keep both in step).

export const OptimizerId = {
  sgd: 0,
  adagrad: 1,
  rmsprop: 2,
  adam: 3,
  adadelta: 4,
  adamax: 5,
  nadam: 6,
  radam: 7,
  newton: 8,
  rprop: 9,
  asgd: 10,
  adafactor: 11,
  lbfgs: 12,
  custom: 13,
} as const;

export const OptionSlot = {
  lr: 0,
  momentum: 1,
  beta1: 2,
  beta2: 3,
  alpha: 4,
  eps: 5,
  weight_decay: 6,
  dampening: 7,
  lr_decay: 8,
  initial_accumulator_value: 9,
  momentum_decay: 10,
  damping: 11,
  nesterov: 12,
  amsgrad: 13,
  centered: 14,
  maximize: 15,
  decoupled_weight_decay: 16,
  etaminus: 17,
  etaplus: 18,
  step_size_min: 19,
  step_size_max: 20,
  lambd: 21,
  t0: 22,
  beta2_decay: 23,
  eps1: 24,
  eps2: 25,
  d: 26,
  max_iter: 27,
  max_eval: 28,
  tolerance_grad: 29,
  tolerance_change: 30,
  history_size: 31,
  line_search_fn: 32,
  beta1_unity_step: 33,
  beta2_unity_step: 34,
} as const;
export const OPTION_SLOTS = 35;

export const ScheduleId = { constant: 0, step: 1, exponential: 2, cosine: 3, linear: 4, inverse_sqrt: 5 } as const;
export const SCHEDULE_SLOTS = 4;

export const STATUS_NAMES = ['running', 'completed', 'converged', 'out_of_bounds', 'diverged', 'singular', 'paused'] as const;
export const STATUS_RUNNING = 0;

export const STATE_VECTORS = 3;

/** How a breakpoint's hit count decides whether a hit pauses (core/assembly/breakpoints.ts). */
export const HitMode = { always: 0, equal: 1, atLeast: 2, multiple: 3, disabled: 4, onChange: 8 } as const;

export const LossId = {
  sphere: 0,
  quadratic: 1,
  rosenbrock: 2,
  beale: 3,
  himmelblau: 4,
  booth: 5,
  matyas: 6,
  rastrigin: 7,
  ackley: 8,
  goldstein_price: 9,
  six_hump_camel: 10,
  three_hump_camel: 11,
  mccormick: 12,
  styblinski_tang: 13,
  levi13: 14,
  easom: 15,
  dupont_bowl: 16,
  saddle: 17,
  degenerate_saddle: 18,
  monkey_saddle: 19,
  custom: 20,
  linear_regression: 21,
  logistic_regression: 22,
  reddi: 23,
  reddi_stochastic: 24,
  network: 25,
} as const;

/** Networks (core/assembly/network.ts): hidden-layer activations, training losses, initialization schemes. */
export const Activation = { tanh: 0, relu: 1, sigmoid: 2, linear: 3, leaky_relu: 4, gelu: 5 } as const;
export const NetworkLossId = { mse: 0, bce: 1, cross_entropy: 2 } as const;
/** Generated data sets (core/assembly/datasets.ts; src/loss/datasets.ts checks their lines). */
export const DatasetId = { spiral: 0, moons: 1, circles: 2, xor: 3, blobs: 4, curve: 5, teacher: 6, wilson: 7, relu_teacher: 8 } as const;
export const InitScheme = {
  default: 0, zeros: 1, constant: 2, normal: 3, uniform: 4, lecun_normal: 5, lecun_uniform: 6, xavier_normal: 7,
  xavier_uniform: 8, kaiming_normal: 9, kaiming_uniform: 10,
} as const;
