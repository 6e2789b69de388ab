// Optimizer options with PyTorch's names, defaults, validation and error texts, packed for the core.
import type { OptimizerInfo, ScheduleSpec } from '../shared/engineApi';
import { describeValue } from './describe';
import { OptimizerId, OptionSlot, OPTION_SLOTS, ScheduleId, SCHEDULE_SLOTS } from './layout';

/** An option's value as PyTorch takes it: None is null (a pair may hold one, as Adafactor's eps). */
type OptionValue = number | boolean | (number | null)[] | string | null;
type Check = (options: Record<string, OptionValue>) => string | undefined;

interface OptimizerSpec {
  id: number;
  title: string;
  defaults: Record<string, OptionValue>;
  checks: Check[];
  /** Options set by the optimizer itself, not by the user (AdamW's decoupled decay). */
  fixed?: Record<string, OptionValue>;
  /** What an option whose default is None takes instead. */
  nullable?: Record<string, 'number' | 'string'>;
}

/** Python's str() of a float or int, as PyTorch's messages print it. */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const abs = Math.abs(value);
  if (abs < 1e-4 || abs >= 1e16) {
    return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(value);
}

const num = (o: Record<string, OptionValue>, name: string): number => o[name] as number;
const atLeastZero = (name: string, label: string): Check => (o) =>
  num(o, name) >= 0 ? undefined : `Invalid ${label}: ${pythonNumber(num(o, name))}`;
const lr = atLeastZero('lr', 'learning rate');
const eps = atLeastZero('eps', 'epsilon value');
const weightDecay = atLeastZero('weight_decay', 'weight_decay value');
const betas: Check = (o) => {
  const [b1, b2] = o.betas as number[];
  if (!(b1 >= 0 && b1 < 1)) return `Invalid beta parameter at index 0: ${pythonNumber(b1)}`;
  if (!(b2 >= 0 && b2 < 1)) return `Invalid beta parameter at index 1: ${pythonNumber(b2)}`;
  return undefined;
};

const positiveInteger = (name: string, most: number): Check => (o) => {
  const value = num(o, name);
  return Number.isInteger(value) && value >= 1 && value <= most ? undefined : `${name} must be an integer from 1 to ${most}, got ${pythonNumber(value)}`;
};
/** Adafactor's checks read "<what> should be >= 0 but is: <value>". */
const adafactorCheck = (name: string, holds: (v: number) => boolean, rule: string): Check => (o) =>
  holds(num(o, name)) ? undefined : `${rule} but is: ${pythonNumber(num(o, name))}`;
const pairAt = (o: Record<string, OptionValue>, name: string, index: number) => (o[name] as (number | null)[])[index];

/** Bounds of our own on L-BFGS (torch has none): a step's work and the history's memory stay bounded. */
const LBFGS_MOST_ITERATIONS = 10_000;
const LBFGS_MOST_HISTORY = 1_000;

const lbfgsDefaults = { lr: 1, max_iter: 20, max_eval: null, tolerance_grad: 1e-7, tolerance_change: 1e-9, history_size: 100 };
const lbfgsChecks: Check[] = [
  lr,
  positiveInteger('max_iter', LBFGS_MOST_ITERATIONS),
  (o) => (o.max_eval === null || num(o, 'max_eval') >= 1 ? undefined : `max_eval must be at least 1, got ${pythonNumber(num(o, 'max_eval'))}`),
  positiveInteger('history_size', LBFGS_MOST_HISTORY),
];

const adamDefaults = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false };

const SPECS: Record<string, OptimizerSpec> = {
  sgd: {
    id: OptimizerId.sgd,
    title: 'SGD (plain, momentum or Nesterov)',
    defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
    checks: [
      lr,
      atLeastZero('momentum', 'momentum value'),
      weightDecay,
      (o) => (o.nesterov && (num(o, 'momentum') <= 0 || num(o, 'dampening') !== 0)
        ? 'Nesterov momentum requires a momentum and zero dampening' : undefined),
    ],
  },
  gd: {
    id: OptimizerId.sgd,
    title: 'Gradient descent (sgd without momentum)',
    defaults: { lr: 1e-3, weight_decay: 0, maximize: false },
    checks: [lr, weightDecay],
  },
  momentum: {
    id: OptimizerId.sgd,
    title: 'Polyak momentum (sgd with momentum=0.9)',
    defaults: { lr: 1e-3, momentum: 0.9, dampening: 0, weight_decay: 0, maximize: false },
    checks: [lr, atLeastZero('momentum', 'momentum value'), weightDecay],
  },
  nesterov: {
    id: OptimizerId.sgd,
    title: 'Nesterov momentum (sgd with momentum=0.9, nesterov=true)',
    defaults: { lr: 1e-3, momentum: 0.9, weight_decay: 0, maximize: false },
    checks: [
      lr,
      weightDecay,
      (o) => (num(o, 'momentum') > 0 ? undefined : 'Nesterov momentum requires a momentum and zero dampening'),
    ],
    fixed: { nesterov: true },
  },
  adagrad: {
    id: OptimizerId.adagrad,
    title: 'Adagrad',
    defaults: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
    checks: [
      lr,
      atLeastZero('lr_decay', 'lr_decay value'),
      weightDecay,
      atLeastZero('initial_accumulator_value', 'initial_accumulator_value value'),
      eps,
    ],
  },
  rmsprop: {
    id: OptimizerId.rmsprop,
    title: 'RMSprop',
    defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
    checks: [lr, eps, atLeastZero('momentum', 'momentum value'), weightDecay, atLeastZero('alpha', 'alpha value')],
  },
  adam: {
    id: OptimizerId.adam,
    title: 'Adam (AMSGrad with amsgrad=true)',
    defaults: { ...adamDefaults, decoupled_weight_decay: false },
    checks: [lr, eps, betas, weightDecay],
  },
  amsgrad: {
    id: OptimizerId.adam,
    title: 'AMSGrad (adam with amsgrad=true)',
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, maximize: false },
    checks: [lr, eps, betas, weightDecay],
    fixed: { amsgrad: true },
  },
  adamw: {
    id: OptimizerId.adam,
    title: 'AdamW (decoupled weight decay)',
    defaults: { ...adamDefaults, weight_decay: 1e-2 },
    checks: [lr, eps, betas, weightDecay],
    fixed: { decoupled_weight_decay: true },
  },
  adadelta: {
    id: OptimizerId.adadelta,
    title: 'Adadelta',
    defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false },
    checks: [
      lr,
      (o) => (num(o, 'rho') >= 0 && num(o, 'rho') <= 1 ? undefined : `Invalid rho value: ${pythonNumber(num(o, 'rho'))}`),
      eps,
      weightDecay,
    ],
  },
  adamax: {
    id: OptimizerId.adamax,
    title: 'Adamax',
    defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, maximize: false },
    checks: [lr, eps, betas, weightDecay],
  },
  nadam: {
    id: OptimizerId.nadam,
    title: 'NAdam',
    defaults: {
      lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3,
      decoupled_weight_decay: false, maximize: false,
    },
    checks: [lr, eps, betas, weightDecay, atLeastZero('momentum_decay', 'momentum_decay value')],
  },
  radam: {
    id: OptimizerId.radam,
    title: 'RAdam',
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, maximize: false },
    checks: [lr, eps, betas, weightDecay],
  },
  newton: {
    id: OptimizerId.newton,
    title: "Newton's method (exact Hessian)",
    defaults: { lr: 1.0, damping: 0 },
    checks: [lr, atLeastZero('damping', 'damping value')],
  },
  rprop: {
    id: OptimizerId.rprop,
    title: 'Rprop (resilient backpropagation: per-coordinate step sizes from gradient signs)',
    defaults: { lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50], maximize: false },
    checks: [
      lr,
      (o) => {
        const [minus, plus] = o.etas as number[];
        return minus > 0 && minus < 1 && plus > 1 ? undefined : `Invalid eta values: ${pythonNumber(minus)}, ${pythonNumber(plus)}`;
      },
    ],
  },
  asgd: {
    id: OptimizerId.asgd,
    title: 'ASGD (averaged SGD; ax is the averaged iterate)',
    defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, maximize: false },
    checks: [lr, weightDecay],
  },
  adafactor: {
    id: OptimizerId.adafactor,
    title: 'Adafactor (relative step sizes, unfactored second moment for a vector)',
    defaults: { lr: 1e-2, beta2_decay: -0.8, eps: [null, 1e-3], d: 1.0, weight_decay: 0, maximize: false },
    checks: [
      adafactorCheck('lr', (v) => v >= 0, 'Learning rate should be >= 0'),
      adafactorCheck('beta2_decay', (v) => v <= 0, 'beta2_decay should be <= 0'),
      (o) => {
        const eps1 = pairAt(o, 'eps', 0);
        return eps1 === null || eps1 >= 0 ? undefined : `epsilon1 should be >= 0 but is: ${pythonNumber(eps1)}`;
      },
      (o) => {
        const eps2 = pairAt(o, 'eps', 1) as number;
        return eps2 >= 0 ? undefined : `epsilon2 should be >= 0 but is: ${pythonNumber(eps2)}`;
      },
      adafactorCheck('d', (v) => v >= 1, 'Clipping threshold d should be >= 1'),
      adafactorCheck('weight_decay', (v) => v >= 0, 'weight_decay should be >= 0'),
    ],
  },
  lbfgs: {
    id: OptimizerId.lbfgs,
    title: 'L-BFGS (one step: up to max_iter iterations, each evaluating the loss)',
    defaults: { ...lbfgsDefaults, line_search_fn: null },
    nullable: { max_eval: 'number', line_search_fn: 'string' },
    checks: [
      ...lbfgsChecks,
      (o) => (o.line_search_fn === null || o.line_search_fn === 'strong_wolfe' ? undefined : "only 'strong_wolfe' is supported"),
    ],
  },
  lbfgs_strong_wolfe: {
    id: OptimizerId.lbfgs,
    title: 'L-BFGS with the strong-Wolfe line search (lbfgs with line_search_fn="strong_wolfe")',
    defaults: lbfgsDefaults,
    nullable: { max_eval: 'number' },
    checks: lbfgsChecks,
    fixed: { line_search_fn: 'strong_wolfe' },
  },
};

/** Options given as a pair in PyTorch, and the slots of their two values. */
const PAIRS: Record<string, [keyof typeof OptionSlot, keyof typeof OptionSlot]> = {
  betas: ['beta1', 'beta2'],
  etas: ['etaminus', 'etaplus'],
  step_sizes: ['step_size_min', 'step_size_max'],
  eps: ['eps1', 'eps2'],
};

/** Options PyTorch accepts that change only how it computes, not what: accepted and ignored. */
const IMPLEMENTATION_FLAGS = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

export function optimizerNames(): string[] {
  return Object.keys(SPECS);
}

/**
 * The optimizers with the defaults a picker edits: numbers, flags and pairs. A None inside a pair shows as
 * the value it stands for (Adafactor's eps1: float64's machine epsilon); an option that is None by default
 * (L-BFGS's max_eval, line_search_fn) is left to its default (the strong-Wolfe search has its own entry).
 */
export function optimizerInfos(): OptimizerInfo[] {
  return Object.entries(SPECS).map(([name, spec]) => {
    const defaults: OptimizerInfo['defaults'] = {};
    for (const [key, value] of Object.entries(spec.defaults)) {
      if (value === null || typeof value === 'string') continue;
      defaults[key] = Array.isArray(value) ? value.map((v) => v ?? Number.EPSILON) : value;
    }
    return { name, title: spec.title, defaults, ...(spec.nullable && { optional: { ...spec.nullable } }) };
  });
}

export interface PackedOptimizer {
  id: number;
  options: Float64Array;
  /** The options after defaults, with PyTorch names. */
  resolved: Record<string, OptionValue>;
}

/** Fills defaults, checks types and values as PyTorch does, and packs the options into core slots. */
export function packOptimizer(name: unknown, options: unknown): PackedOptimizer {
  if (typeof name !== 'string' || !Object.hasOwn(SPECS, name)) {
    throw new Error(`Unknown optimizer ${describeValue(name)}. Valid optimizers: ${optimizerNames().join(', ')}`);
  }
  const spec = SPECS[name];
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error(`Options for ${name} must be an object such as {"lr": 0.01}`);
  }
  const resolved: Record<string, OptionValue> = { ...spec.defaults };
  for (const [key, value] of Object.entries((options ?? {}) as Record<string, unknown>)) {
    if (IMPLEMENTATION_FLAGS.has(key)) continue;
    if (!Object.hasOwn(spec.defaults, key)) {
      throw new Error(`Unknown option '${key}' for ${name}. Valid options: ${Object.keys(spec.defaults).join(', ')}`);
    }
    resolved[key] = checkType(name, key, value, spec.defaults[key], spec.nullable?.[key]);
  }
  for (const check of spec.checks) {
    const problem = check(resolved);
    if (problem) throw new Error(problem);
  }
  const all = { ...resolved, ...spec.fixed };
  const packed = new Float64Array(OPTION_SLOTS);
  for (const [key, value] of Object.entries(all)) {
    if (Array.isArray(value)) {
      const [first, second] = PAIRS[key];
      // torch resolves Adafactor's eps1=None to the parameters' machine epsilon (float64 here)
      packed[OptionSlot[first]] = value[0] ?? Number.EPSILON;
      packed[OptionSlot[second]] = value[1] ?? Number.EPSILON;
    } else if (key === 'rho') {
      packed[OptionSlot.alpha] = value as number;
    } else if (key === 'line_search_fn') {
      packed[OptionSlot.line_search_fn] = value === 'strong_wolfe' ? 1 : 0;
    } else if (key === 'max_eval' && value === null) {
      packed[OptionSlot.max_eval] = Math.floor((num(all, 'max_iter') * 5) / 4); // torch: max_iter * 5 // 4
    } else {
      packed[OptionSlot[key as keyof typeof OptionSlot]] = typeof value === 'boolean' ? Number(value) : (value as number);
    }
  }
  packed[OptionSlot.beta1_unity_step] = unityStep(packed[OptionSlot.beta1]);
  packed[OptionSlot.beta2_unity_step] = unityStep(packed[OptionSlot.beta2]);
  return { id: spec.id, options: packed, resolved };
}

/**
 * A step t from which 1 - beta^t is exactly 1.0 in float64, so the core need not compute beta^t (a pow per step,
 * most of a 2-D Adam step): beta^t is then below 2^-60, far under half an ulp of 1 (2^-54) whatever the rounding
 * of pow or of this logarithm. 0 (not known) for a beta outside (0, 1); beta = 0 gives 0^t = 0 from t = 1.
 */
function unityStep(beta: number): number {
  if (beta === 0) return 1;
  if (!(beta > 0 && beta < 1)) return 0;
  return Math.ceil((60 * Math.LN2) / -Math.log(beta));
}

function checkType(optimizer: string, key: string, value: unknown, example: OptionValue, nullable?: 'number' | 'string'): OptionValue {
  if (example === null) {
    if (value === null) return null;
    if (nullable === 'string') {
      if (typeof value !== 'string') throw new Error(`Option '${key}' of ${optimizer} must be a string or null, got ${describeValue(value)}`);
      return value;
    }
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`Option '${key}' of ${optimizer} must be a number or null, got ${describeValue(value)}`);
    return value;
  }
  if (typeof example === 'boolean') {
    if (typeof value !== 'boolean') throw new Error(`Option '${key}' of ${optimizer} must be true or false, got ${describeValue(value)}`);
    return value;
  }
  if (Array.isArray(example)) {
    const fits = (v: unknown, i: number) => typeof v === 'number' || (v === null && example[i] === null);
    if (!Array.isArray(value) || value.length !== example.length || !value.every(fits)) {
      const sample = JSON.stringify(example).replace(',', ', ');
      throw new Error(`Option '${key}' of ${optimizer} must be a pair of numbers such as ${sample}, got ${describeValue(value)}`);
    }
    return value as (number | null)[];
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`Option '${key}' of ${optimizer} must be a number, got ${describeValue(value)}`);
  }
  return value;
}

/** Packs a learning-rate schedule (torch.optim.lr_scheduler meaning) into core slots. */
export function packSchedule(schedule: ScheduleSpec | undefined): Float64Array {
  const packed = new Float64Array(SCHEDULE_SLOTS);
  if (schedule === undefined) return packed;
  if (schedule === null || typeof schedule !== 'object' || typeof schedule.type !== 'string' || !Object.hasOwn(ScheduleId, schedule.type)) {
    throw new Error(`Unknown schedule ${describeValue(schedule)}. Valid types: ${Object.keys(ScheduleId).join(', ')}`);
  }
  const param = (name: string, fallback: number | undefined, test: (v: number) => boolean, rule: string): number => {
    const value = (schedule as unknown as Record<string, unknown>)[name] ?? fallback;
    if (typeof value !== 'number' || !test(value)) {
      throw new Error(`Schedule '${schedule.type}' needs ${name} ${rule}, got ${describeValue(value)}`);
    }
    return value;
  };
  const positiveInteger = (v: number) => Number.isInteger(v) && v > 0;
  const finite = (v: number) => Number.isFinite(v);
  packed[0] = ScheduleId[schedule.type];
  switch (schedule.type) {
    case 'step':
      packed[1] = param('step_size', undefined, positiveInteger, 'as a positive integer');
      packed[2] = param('gamma', 0.1, finite, 'as a number');
      break;
    case 'exponential':
      packed[1] = param('gamma', undefined, finite, 'as a number');
      break;
    case 'cosine':
      packed[1] = param('T_max', undefined, positiveInteger, 'as a positive integer');
      packed[2] = param('eta_min', 0, finite, 'as a number');
      break;
    case 'linear':
      packed[1] = param('start_factor', 1 / 3, (v) => v > 0 && v <= 1, 'greater than 0 and at most 1');
      packed[2] = param('end_factor', 1, (v) => v >= 0 && v <= 1, 'between 0 and 1');
      packed[3] = param('total_iters', 5, (v) => Number.isInteger(v) && v >= 0, 'as a non-negative integer');
      break;
    case 'inverse_sqrt':
      break;
  }
  return packed;
}

/** Names of the recorded state vectors for each optimizer (slots s0, s1, s2; '' when unused). */
export function stateVectorNames(optimizer: string, resolved: Record<string, OptionValue>): [string, string, string] {
  switch (optimizer) {
    case 'sgd':
    case 'momentum':
    case 'nesterov': return [Number(resolved.momentum ?? 0) !== 0 ? 'momentum_buffer' : '', '', ''];
    case 'adagrad': return ['sum', '', ''];
    case 'rmsprop': return ['square_avg', resolved.centered ? 'grad_avg' : '', Number(resolved.momentum) > 0 ? 'momentum_buffer' : ''];
    case 'amsgrad': return ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
    case 'adam':
    case 'adamw': return ['exp_avg', 'exp_avg_sq', resolved.amsgrad ? 'max_exp_avg_sq' : ''];
    case 'adadelta': return ['square_avg', 'acc_delta', ''];
    case 'adamax': return ['exp_avg', 'exp_inf', ''];
    case 'nadam':
    case 'radam': return ['exp_avg', 'exp_avg_sq', ''];
    case 'rprop': return ['prev', 'step_size', ''];
    case 'asgd': return ['ax', '', ''];
    case 'adafactor': return ['variance', '', ''];
    case 'lbfgs':
    case 'lbfgs_strong_wolfe': return ['d', 'prev_flat_grad', ''];
    default: return ['', '', ''];
  }
}

/** Names of the optimizer's two recorded scalars ('' when unused). */
export function stateScalarNames(optimizer: string): [string, string] {
  switch (optimizer) {
    case 'nadam': return ['mu_product', ''];
    case 'asgd': return ['eta', 'mu'];
    case 'lbfgs':
    case 'lbfgs_strong_wolfe': return ['t', 'func_evals'];
    default: return ['', ''];
  }
}
