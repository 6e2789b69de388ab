// Built-in losses: names, formulas, domains, default starts and known minima. The math is in the core.
import type { LossInfo } from '../shared/engineApi';
import { LossId } from './layout';
import { LIMITS } from '../shared/limits';
import { describeValue } from './describe';

interface BuiltinLoss {
  kind: number;
  title: string;
  formula: string;
  domain: { x: [number, number]; y: [number, number] };
  start: number[];
  /** Minima of the 2-D version; for n-D losses `minimaFor` gives them. */
  minima: { point: number[]; value: number }[];
  /** Adjustable parameters: dim for n-D losses, and constants. */
  params?: Record<string, number>;
  minimaFor?: (params: Record<string, number>) => { point: number[]; value: number }[];
  note?: string;
  /** Parameter names when not x, y (or x1..xn). */
  paramNames?: string[];
  /** Data-backed losses: the columns of a sample. Their minimum is found by the engine (Newton). */
  columns?: string[];
  /** Online losses: the box runs are projected onto. */
  projection?: [number, number][];
  /** The same loss in the loss language, for the given parameters (absent when the language cannot say it). */
  expression?: (params: Record<string, number>) => string;
}

/** n-D formulas as indexed sums over `params x[n]`; 2-D ones in x and y. */
const nd = (n: number, body: string) => `params x[${n}]\nf = ${body}`;

const STYBLINSKI_TANG_X = -2.903534027771177;
const STYBLINSKI_TANG_VALUE = -39.16616570377141;
const repeat = (value: number, n: number) => Array.from({ length: n }, () => value);

export const BUILTIN_LOSSES: Record<string, BuiltinLoss> = {
  sphere: {
    expression: (p) => (p.dim === 2 ? 'x^2 + y^2' : nd(p.dim, `sum(i = 1..${p.dim}, x[i]^2)`)),
    kind: LossId.sphere, title: 'Sphere', formula: 'sum x_i^2',
    domain: { x: [-5, 5], y: [-5, 5] }, start: [3.5, -2.5],
    minima: [{ point: [0, 0], value: 0 }], params: { dim: 2 },
    minimaFor: (p) => [{ point: repeat(0, p.dim), value: 0 }],
  },
  quadratic: {
    expression: (p) => (p.dim === 2 ? `0.5*(x^2 + ${p.condition}*y^2)` : nd(p.dim, `0.5*sum(i = 1..${p.dim}, ${p.condition}^((i - 1)/${p.dim - 1})*x[i]^2)`)),
    kind: LossId.quadratic, title: 'Ill-conditioned quadratic',
    formula: '0.5 * sum w_i x_i^2, w log-spaced from 1 to the condition number',
    domain: { x: [-4, 4], y: [-4, 4] }, start: [3, 1],
    minima: [{ point: [0, 0], value: 0 }], params: { dim: 2, condition: 10 },
    minimaFor: (p) => [{ point: repeat(0, p.dim), value: 0 }],
  },
  ill_quadratic: {
    expression: (p) => (p.dim === 2 ? `0.5*(x^2 + ${p.condition}*y^2)` : nd(p.dim, `0.5*sum(i = 1..${p.dim}, ${p.condition}^((i - 1)/${p.dim - 1})*x[i]^2)`)),
    kind: LossId.quadratic, title: 'Quadratic with condition number 20', formula: '0.5*(x^2 + 20*y^2)',
    domain: { x: [-4, 4], y: [-2, 2] }, start: [3, 1],
    minima: [{ point: [0, 0], value: 0 }], params: { dim: 2, condition: 20 },
    minimaFor: (p) => [{ point: repeat(0, p.dim), value: 0 }],
  },
  rosenbrock: {
    expression: (p) => (p.dim === 2 ? `(${p.a} - x)^2 + ${p.b}*(y - x^2)^2` : nd(p.dim, `sum(i = 1..${p.dim - 1}, (${p.a} - x[i])^2 + ${p.b}*(x[i+1] - x[i]^2)^2)`)),
    kind: LossId.rosenbrock, title: 'Rosenbrock', formula: '(a - x)^2 + b*(y - x^2)^2, a = 1, b = 100',
    domain: { x: [-2, 2], y: [-1, 3] }, start: [-1.5, 2],
    minima: [{ point: [1, 1], value: 0 }], params: { dim: 2, a: 1, b: 100 },
    minimaFor: (p) => {
      if (p.dim === 2) return [{ point: [p.a, p.a * p.a], value: 0 }];
      return p.a === 1 ? [{ point: repeat(1, p.dim), value: 0 }] : [];
    },
  },
  beale: {
    expression: () => '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
    kind: LossId.beale, title: "Beale's function",
    formula: '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
    domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] }, start: [1, 1.5],
    minima: [{ point: [3, 0.5], value: 0 }],
  },
  himmelblau: {
    expression: () => '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    kind: LossId.himmelblau, title: "Himmelblau's function", formula: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    domain: { x: [-5, 5], y: [-5, 5] }, start: [-1, 0.5],
    minima: [
      { point: [3, 2], value: 0 },
      { point: [-2.805118086952745, 3.131312518250573], value: 0 },
      { point: [-3.779310253377747, -3.283185991286169], value: 0 },
      { point: [3.5844283403304917, -1.8481265269644034], value: 0 },
    ],
  },
  booth: {
    expression: () => '(x + 2*y - 7)^2 + (2*x + y - 5)^2',
    kind: LossId.booth, title: 'Booth', formula: '(x + 2*y - 7)^2 + (2*x + y - 5)^2',
    domain: { x: [-10, 10], y: [-10, 10] }, start: [-4, 6],
    minima: [{ point: [1, 3], value: 0 }],
  },
  matyas: {
    expression: () => '0.26*(x^2 + y^2) - 0.48*x*y',
    kind: LossId.matyas, title: 'Matyas', formula: '0.26*(x^2 + y^2) - 0.48*x*y',
    domain: { x: [-10, 10], y: [-10, 10] }, start: [8, -6],
    minima: [{ point: [0, 0], value: 0 }],
  },
  rastrigin: {
    expression: (p) => (p.dim === 2 ? '20 + (x^2 - 10*cos(2*pi*x)) + (y^2 - 10*cos(2*pi*y))' : nd(p.dim, `${10 * p.dim} + sum(i = 1..${p.dim}, x[i]^2 - 10*cos(2*pi*x[i]))`)),
    kind: LossId.rastrigin, title: 'Rastrigin', formula: '10 n + sum (x_i^2 - 10 cos(2 pi x_i))',
    domain: { x: [-5.12, 5.12], y: [-5.12, 5.12] }, start: [3.2, -2.3],
    minima: [{ point: [0, 0], value: 0 }], params: { dim: 2 },
    minimaFor: (p) => [{ point: repeat(0, p.dim), value: 0 }],
  },
  ackley: {
    expression: (p) => (p.dim === 2 ? '-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20' : nd(p.dim, `-20*exp(-0.2*sqrt(sum(i = 1..${p.dim}, x[i]^2)/${p.dim})) - exp(sum(i = 1..${p.dim}, cos(2*pi*x[i]))/${p.dim}) + e + 20`)),
    kind: LossId.ackley, title: 'Ackley',
    formula: '-20 exp(-0.2 sqrt(mean x_i^2)) - exp(mean cos(2 pi x_i)) + e + 20',
    domain: { x: [-5, 5], y: [-5, 5] }, start: [3, -2.5],
    minima: [{ point: [0, 0], value: 0 }], params: { dim: 2 },
    minimaFor: (p) => [{ point: repeat(0, p.dim), value: 0 }],
    note: 'The gradient at the minimum is taken as 0 (the cone tip has no derivative).',
  },
  goldstein_price: {
    expression: () => '(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))',
    kind: LossId.goldstein_price, title: 'Goldstein-Price',
    formula: '(1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)) (30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2))',
    domain: { x: [-2, 2], y: [-2, 2] }, start: [1.2, 1.4],
    minima: [{ point: [0, -1], value: 3 }],
  },
  six_hump_camel: {
    expression: () => '(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2',
    kind: LossId.six_hump_camel, title: 'Six-hump camel', formula: '(4 - 2.1x^2 + x^4/3) x^2 + x y + (-4 + 4y^2) y^2',
    domain: { x: [-3, 3], y: [-2, 2] }, start: [-1.5, 1.2],
    minima: [
      { point: [0.08984201310031807, -0.7126564030207396], value: -1.0316284534898774 },
      { point: [-0.08984201310031807, 0.7126564030207396], value: -1.0316284534898774 },
    ],
  },
  three_hump_camel: {
    expression: () => '2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2',
    kind: LossId.three_hump_camel, title: 'Three-hump camel', formula: '2x^2 - 1.05x^4 + x^6/6 + x y + y^2',
    domain: { x: [-3, 3], y: [-3, 3] }, start: [2.5, -2],
    minima: [{ point: [0, 0], value: 0 }],
  },
  mccormick: {
    expression: () => 'sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1',
    kind: LossId.mccormick, title: 'McCormick', formula: 'sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1',
    domain: { x: [-1.5, 4], y: [-3, 4] }, start: [3, 3],
    minima: [{ point: [0.5 - Math.PI / 3, -0.5 - Math.PI / 3], value: -1.9132229549810362 }],
  },
  styblinski_tang: {
    expression: (p) => (p.dim === 2 ? '0.5*((x^4 - 16*x^2 + 5*x) + (y^4 - 16*y^2 + 5*y))' : nd(p.dim, `0.5*sum(i = 1..${p.dim}, x[i]^4 - 16*x[i]^2 + 5*x[i])`)),
    kind: LossId.styblinski_tang, title: 'Styblinski-Tang', formula: '0.5 * sum (x_i^4 - 16 x_i^2 + 5 x_i)',
    domain: { x: [-5, 5], y: [-5, 5] }, start: [0.5, 4],
    minima: [{ point: [STYBLINSKI_TANG_X, STYBLINSKI_TANG_X], value: 2 * STYBLINSKI_TANG_VALUE }], params: { dim: 2 },
    minimaFor: (p) => [{ point: repeat(STYBLINSKI_TANG_X, p.dim), value: p.dim * STYBLINSKI_TANG_VALUE }],
  },
  levi13: {
    expression: () => 'sin(3*pi*x)^2 + (x - 1)^2*(1 + sin(3*pi*y)^2) + (y - 1)^2*(1 + sin(2*pi*y)^2)',
    kind: LossId.levi13, title: 'Levi N.13',
    formula: 'sin^2(3 pi x) + (x-1)^2 (1 + sin^2(3 pi y)) + (y-1)^2 (1 + sin^2(2 pi y))',
    domain: { x: [-10, 10], y: [-10, 10] }, start: [-4, 6],
    minima: [{ point: [1, 1], value: 0 }],
  },
  easom: {
    expression: () => '-cos(x)*cos(y)*exp(-((x - pi)^2 + (y - pi)^2))',
    kind: LossId.easom, title: 'Easom', formula: '-cos(x) cos(y) exp(-((x - pi)^2 + (y - pi)^2))',
    domain: { x: [-1, 7], y: [-1, 7] }, start: [2, 2],
    minima: [{ point: [Math.PI, Math.PI], value: -1 }],
  },
  dupont_bowl: {
    expression: () => 'log(1 + ((x + y)/sqrt(2))^2 + 10*((x - y)/sqrt(2))^2)',
    kind: LossId.dupont_bowl, title: 'Dupont bowl',
    formula: 'log(1 + p^2 + 10 q^2), p = (x + y)/sqrt(2), q = (x - y)/sqrt(2)',
    domain: { x: [-6, 6], y: [-6, 6] }, start: [-4.5, 3],
    minima: [{ point: [0, 0], value: 0 }],
    note: 'A tilted, elongated bowl whose walls flatten far from the centre: gradients vanish out there.',
  },
  saddle: {
    expression: () => 'x^2 - y^2',
    kind: LossId.saddle, title: 'Saddle', formula: 'x^2 - y^2',
    domain: { x: [-2, 2], y: [-2, 2] }, start: [-1.5, 0.01],
    minima: [], note: 'Unbounded below; a saddle point at (0, 0).',
  },
  degenerate_saddle: {
    expression: () => 'y^4 - x^4',
    kind: LossId.degenerate_saddle, title: 'Degenerate saddle (lecture)', formula: 'y^4 - x^4',
    domain: { x: [-2, 2], y: [-2, 2] }, start: [0.001, 1.5],
    minima: [], note: 'Unbounded below; a flat saddle at (0, 0) where the Hessian is zero.',
  },
  linear_regression: {
    kind: LossId.linear_regression, title: 'Linear regression (squared loss, generated data)',
    formula: 'mean over samples of (w*x_i + b - y_i)^2, with x_i ~ N(0, 1), y_i = 2 x_i - 1 + noise N(0, 1)',
    domain: { x: [-1, 5], y: [-4, 2] }, start: [4.5, 1.5],
    minima: [], params: { samples: 256, seed: 1, noise: 0.5 }, paramNames: ['w', 'b'], columns: ['x', 'y'],
    note: 'The landscape is the full-batch loss; runs with stochastic.batchSize see minibatches.',
  },
  logistic_regression: {
    kind: LossId.logistic_regression, title: 'Logistic regression through the origin (generated data)',
    formula: 'mean over samples of log(1 + exp(-label_i * (w1*x1_i + w2*x2_i))), two Gaussian classes around +-(1, 0.5)',
    domain: { x: [-3, 5], y: [-4, 4] }, start: [-2, 3],
    minima: [], params: { samples: 256, seed: 1, noise: 1 }, paramNames: ['w1', 'w2'], columns: ['x1', 'x2', 'label'],
    note: 'The landscape is the full-batch loss; runs with stochastic.batchSize see minibatches.',
  },
  reddi: {
    kind: LossId.reddi, title: 'Online problem where Adam fails (Reddi et al. 2018)',
    formula: 'f_t(x) = C x when t mod 3 = 1, else -x, on [-1, 1]',
    domain: { x: [-1, 1], y: [-1, 1] }, start: [0],
    minima: [], params: { C: 3 }, paramNames: ['x'], projection: [[-1, 1]],
    minimaFor: (p) => [{ point: [-1], value: -(p.C - 2) / 3 }],
    note: 'The recorded loss is the average of f_t, ((C - 2)/3) x; its minimum on [-1, 1] is at x = -1.',
  },
  reddi_stochastic: {
    kind: LossId.reddi_stochastic, title: 'Stochastic online problem where Adam fails (Reddi et al. 2018)',
    formula: 'f_t(x) = C x with probability (1 + delta)/(C + 1), else -x, on [-1, 1]',
    domain: { x: [-1, 1], y: [-1, 1] }, start: [0],
    minima: [], params: { C: 1010, delta: 0.02 }, paramNames: ['x'], projection: [[-1, 1]],
    minimaFor: (p) => [{ point: [-1], value: -p.delta }],
    note: 'The recorded loss is the expected loss, delta * x; its minimum on [-1, 1] is at x = -1.',
  },
  monkey_saddle: {
    expression: () => 'x^3 - 3*x*y^2',
    kind: LossId.monkey_saddle, title: 'Monkey saddle', formula: 'x^3 - 3 x y^2',
    domain: { x: [-2, 2], y: [-2, 2] }, start: [1.5, 0.2],
    minima: [], note: 'Unbounded below; a monkey saddle at (0, 0).',
  },
};

export function isBuiltinLoss(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_LOSSES, name);
}

/** Parameters with defaults filled in and checked; dim is an integer >= 2. */
export function resolveLossParams(name: string, given: Record<string, number> | undefined): Record<string, number> {
  const spec = BUILTIN_LOSSES[name];
  const params = { ...(spec.params ?? {}) };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!Object.hasOwn(params, key)) {
      const valid = Object.keys(params);
      throw new Error(`Loss '${name}' has no parameter '${key}'${valid.length ? `. Valid parameters: ${valid.join(', ')}` : ''}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`Loss parameter '${key}' must be a finite number, got ${describeValue(value)}`);
    }
    params[key] = value;
  }
  if ('dim' in params && !(Number.isInteger(params.dim) && params.dim >= 2 && params.dim <= LIMITS.maxParams)) {
    throw new Error(`Loss parameter 'dim' must be an integer from 2 to ${LIMITS.maxParams}, got ${params.dim}`);
  }
  if ('condition' in params && !(params.condition >= 1)) {
    throw new Error(`Loss parameter 'condition' must be at least 1, got ${params.condition}`);
  }
  if ('samples' in params && !(Number.isInteger(params.samples) && params.samples >= 1 && params.samples <= 1_000_000)) {
    throw new Error(`Loss parameter 'samples' must be an integer from 1 to 1000000, got ${params.samples}`);
  }
  if ('seed' in params && !(Number.isSafeInteger(params.seed) && params.seed >= 0)) {
    throw new Error(`Loss parameter 'seed' must be a non-negative integer, got ${params.seed}`);
  }
  if ('noise' in params && !(params.noise >= 0)) throw new Error(`Loss parameter 'noise' must be at least 0, got ${params.noise}`);
  if ('C' in params && !(params.C > 2)) throw new Error(`Loss parameter 'C' must be greater than 2, got ${params.C}`);
  if ('delta' in params && !(params.delta > 0 && params.delta < 1)) {
    throw new Error(`Loss parameter 'delta' must be between 0 and 1, got ${params.delta}`);
  }
  return params;
}

export function builtinLossInfo(name: string, params: Record<string, number>): LossInfo {
  const spec = BUILTIN_LOSSES[name];
  const dim = spec.paramNames?.length ?? params.dim ?? 2;
  const names = spec.paramNames ?? (dim === 2 ? ['x', 'y'] : Array.from({ length: dim }, (_, i) => `x[${i + 1}]`)); // as the loss language names them
  return {
    name,
    title: spec.title,
    formula: spec.formula,
    dim,
    params: names,
    domain: spec.domain,
    start: Array.from({ length: dim }, (_, i) => spec.start[i % 2]),
    minima: spec.minimaFor ? spec.minimaFor(params) : spec.minima,
    lossParams: spec.params ? params : undefined,
    data: spec.columns ? { count: params.samples, columns: spec.columns, model: spec.columns.length === 3 ? 'boundary' : 'line' } : undefined,
    expression: spec.expression?.(params),
    online: spec.projection ? { projection: spec.projection } : undefined,
    note: spec.note,
  };
}
