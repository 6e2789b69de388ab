// Numeric identifiers and slot layouts shared with src/engine/layout.ts (keep both in step).

// Optimizers
export const OPT_SGD: i32 = 0;
export const OPT_ADAGRAD: i32 = 1;
export const OPT_RMSPROP: i32 = 2;
export const OPT_ADAM: i32 = 3;
export const OPT_ADADELTA: i32 = 4;
export const OPT_ADAMAX: i32 = 5;
export const OPT_NADAM: i32 = 6;
export const OPT_RADAM: i32 = 7;
export const OPT_NEWTON: i32 = 8;
export const OPT_RPROP: i32 = 9;
export const OPT_ASGD: i32 = 10;
export const OPT_ADAFACTOR: i32 = 11;
export const OPT_LBFGS: i32 = 12; // evaluates the loss itself (lbfgs.ts), several times per step
export const OPT_CUSTOM: i32 = 13; // written in the optimizer language: a compiled step (customOptimizer.ts)

// Option slots (f64 each)
export const O_LR: i32 = 0;
export const O_MOMENTUM: i32 = 1;
export const O_BETA1: i32 = 2;
export const O_BETA2: i32 = 3;
export const O_ALPHA: i32 = 4; // rmsprop alpha, adadelta rho
export const O_EPS: i32 = 5;
export const O_WEIGHT_DECAY: i32 = 6;
export const O_DAMPENING: i32 = 7;
export const O_LR_DECAY: i32 = 8;
export const O_INITIAL_ACCUMULATOR: i32 = 9;
export const O_MOMENTUM_DECAY: i32 = 10;
export const O_DAMPING: i32 = 11;
export const O_NESTEROV: i32 = 12;
export const O_AMSGRAD: i32 = 13;
export const O_CENTERED: i32 = 14;
export const O_MAXIMIZE: i32 = 15;
export const O_DECOUPLED: i32 = 16;
export const O_ETAMINUS: i32 = 17; // rprop etas
export const O_ETAPLUS: i32 = 18;
export const O_STEP_SIZE_MIN: i32 = 19; // rprop step_sizes
export const O_STEP_SIZE_MAX: i32 = 20;
export const O_LAMBD: i32 = 21; // asgd (its alpha is O_ALPHA)
export const O_T0: i32 = 22;
export const O_BETA2_DECAY: i32 = 23; // adafactor
export const O_EPS1: i32 = 24; // adafactor eps pair (torch's None resolved to float64 machine epsilon)
export const O_EPS2: i32 = 25;
export const O_D: i32 = 26; // adafactor d, the update clipping threshold
export const O_MAX_ITER: i32 = 27; // lbfgs
export const O_MAX_EVAL: i32 = 28;
export const O_TOLERANCE_GRAD: i32 = 29;
export const O_TOLERANCE_CHANGE: i32 = 30;
export const O_HISTORY_SIZE: i32 = 31;
export const O_LINE_SEARCH_FN: i32 = 32; // 0: none, 1: strong_wolfe
// The first step t at which 1 - beta^t is 1.0 in float64 (0: not known): see biasCorrection in optimizers.ts.
export const O_BETA1_UNITY_STEP: i32 = 33;
export const O_BETA2_UNITY_STEP: i32 = 34;
export const OPTION_SLOTS: i32 = 35;

// Learning-rate schedules: slot 0 is the kind, slots 1..3 its parameters
export const SCHED_CONSTANT: i32 = 0;
export const SCHED_STEP: i32 = 1; // step_size, gamma
export const SCHED_EXPONENTIAL: i32 = 2; // gamma
export const SCHED_COSINE: i32 = 3; // T_max, eta_min
export const SCHED_LINEAR: i32 = 4; // start_factor, end_factor, total_iters
export const SCHED_INVERSE_SQRT: i32 = 5; // lr / sqrt(epoch + 1), as LambdaLR(lambda e: 1 / sqrt(e + 1))
export const SCHEDULE_SLOTS: i32 = 4;

// Run status
export const STATUS_RUNNING: i32 = 0;
export const STATUS_COMPLETED: i32 = 1;
export const STATUS_CONVERGED: i32 = 2;
export const STATUS_OUT_OF_BOUNDS: i32 = 3;
export const STATUS_DIVERGED: i32 = 4;
export const STATUS_SINGULAR: i32 = 5;
export const STATUS_PAUSED: i32 = 6; // a breakpoint hit; the run can resume

// Optimizer state: three vectors of dim plus scalars
export const STATE_VECTORS: i32 = 3;
export const STATE_SCALARS: i32 = 2;

// Built-in losses
export const LOSS_SPHERE: i32 = 0;
export const LOSS_QUADRATIC: i32 = 1;
export const LOSS_ROSENBROCK: i32 = 2;
export const LOSS_BEALE: i32 = 3;
export const LOSS_HIMMELBLAU: i32 = 4;
export const LOSS_BOOTH: i32 = 5;
export const LOSS_MATYAS: i32 = 6;
export const LOSS_RASTRIGIN: i32 = 7;
export const LOSS_ACKLEY: i32 = 8;
export const LOSS_GOLDSTEIN_PRICE: i32 = 9;
export const LOSS_SIX_HUMP_CAMEL: i32 = 10;
export const LOSS_THREE_HUMP_CAMEL: i32 = 11;
export const LOSS_MCCORMICK: i32 = 12;
export const LOSS_STYBLINSKI_TANG: i32 = 13;
export const LOSS_LEVI13: i32 = 14;
export const LOSS_EASOM: i32 = 15;
export const LOSS_DUPONT_BOWL: i32 = 16;
export const LOSS_SADDLE: i32 = 17;
export const LOSS_DEGENERATE_SADDLE: i32 = 18;
export const LOSS_MONKEY_SADDLE: i32 = 19;
export const LOSS_CUSTOM: i32 = 20;
// Losses backed by a data set (a mean over samples) and online losses that change with the step
export const LOSS_LINEAR_REGRESSION: i32 = 21; // params (w, b); sample (x, y): (w x + b - y)^2
export const LOSS_LOGISTIC_REGRESSION: i32 = 22; // params (w1, w2); sample (x1, x2, label +-1)
export const LOSS_REDDI: i32 = 23; // f_t(x) = C x when t mod 3 == 1, else -x (Reddi et al. 2018)
export const LOSS_REDDI_STOCHASTIC: i32 = 24; // C x with probability (1 + delta)/(C + 1), else -x
export const LOSS_NETWORK: i32 = 25; // a fully connected network over a data set (network.ts)

// Networks: activations of the hidden layers, the training loss, initialization schemes (network.ts)
export const ACT_TANH: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_LINEAR: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4; // negative slope 0.01, torch's default
export const ACT_GELU: i32 = 5; // exact (erf), torch's approximate='none'
export const NETLOSS_MSE: i32 = 0;
export const NETLOSS_BCE: i32 = 1; // BCEWithLogitsLoss
export const NETLOSS_CROSS_ENTROPY: i32 = 2; // CrossEntropyLoss on class indices
export const INIT_DEFAULT: i32 = 0; // torch.nn.Linear's reset_parameters
export const INIT_ZEROS: i32 = 1;
export const INIT_CONSTANT: i32 = 2;
export const INIT_NORMAL: i32 = 3;
export const INIT_UNIFORM: i32 = 4;
export const INIT_LECUN_NORMAL: i32 = 5;
export const INIT_LECUN_UNIFORM: i32 = 6;
export const INIT_XAVIER_NORMAL: i32 = 7;
export const INIT_XAVIER_UNIFORM: i32 = 8;
export const INIT_KAIMING_NORMAL: i32 = 9;
export const INIT_KAIMING_UNIFORM: i32 = 10;

// Generated data sets (datasets.ts): inputs, then the label (a class index) or the target
export const DATASET_SPIRAL: i32 = 0; // a: arms (classes)
export const DATASET_MOONS: i32 = 1;
export const DATASET_CIRCLES: i32 = 2; // a: the inner circle's radius (outer: 1)
export const DATASET_XOR: i32 = 3;
export const DATASET_BLOBS: i32 = 4; // a: centers (classes)
export const DATASET_CURVE: i32 = 5; // 1-D regression: y = sin(3x)
export const DATASET_TEACHER: i32 = 6; // a: the teacher's width, b: inputs
export const DATASET_WILSON: i32 = 7; // a: the fraction of positive labels, b: inputs (3 + 5 x samples)
export const DATASET_RELU_TEACHER: i32 = 8; // a: the teacher's width, b: inputs
