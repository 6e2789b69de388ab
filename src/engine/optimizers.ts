// Optimizer options with PyTorch's names, defaults, validation and error texts, packed for the core.
import type { OptimizerInfo, ScheduleSpec } from '../shared/engineApi';
import { describeValue } from './describe';
import { OptimizerId, OptionSlot, OPTION_SLOTS, ScheduleId, SCHEDULE_SLOTS } from './layout';

type OptionValue = number | boolean | number[];
type Check = (options: Record<string, OptionValue>) => string | undefined;

interface OptimizerSpec {
  id: number;
  title: string;
  defaults: Record<string, OptionValue>;
  checks: Check[];
  /** Options set by the optimizer itself, not by the user (AdamW's decoupled decay). */
  fixed?: Record<string, OptionValue>;
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
};

/** Options PyTorch accepts that change only how it computes, not what: accepted and ignored. */
const IMPLEMENTATION_FLAGS = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

export function optimizerNames(): string[] {
  return Object.keys(SPECS);
}

export function optimizerInfos(): OptimizerInfo[] {
  return Object.entries(SPECS).map(([name, spec]) => ({ name, title: spec.title, defaults: { ...spec.defaults } }));
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
    resolved[key] = checkType(name, key, value, spec.defaults[key]);
  }
  for (const check of spec.checks) {
    const problem = check(resolved);
    if (problem) throw new Error(problem);
  }
  const all = { ...resolved, ...spec.fixed };
  const packed = new Float64Array(OPTION_SLOTS);
  for (const [key, value] of Object.entries(all)) {
    if (key === 'betas') {
      packed[OptionSlot.beta1] = (value as number[])[0];
      packed[OptionSlot.beta2] = (value as number[])[1];
    } else if (key === 'rho') {
      packed[OptionSlot.alpha] = value as number;
    } else {
      packed[OptionSlot[key as keyof typeof OptionSlot]] = typeof value === 'boolean' ? Number(value) : (value as number);
    }
  }
  return { id: spec.id, options: packed, resolved };
}

function checkType(optimizer: string, key: string, value: unknown, example: OptionValue): OptionValue {
  if (typeof example === 'boolean') {
    if (typeof value !== 'boolean') throw new Error(`Option '${key}' of ${optimizer} must be true or false, got ${describeValue(value)}`);
    return value;
  }
  if (Array.isArray(example)) {
    if (!Array.isArray(value) || value.length !== example.length || !value.every((v) => typeof v === 'number')) {
      throw new Error(`Option '${key}' of ${optimizer} must be a pair of numbers such as [0.9, 0.999], got ${describeValue(value)}`);
    }
    return value as number[];
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
    default: return ['', '', ''];
  }
}
