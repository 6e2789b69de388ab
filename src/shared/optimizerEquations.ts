// The update equations of each optimizer as data: a short list of assignments over an expression tree, following
// torch.optim's documented algorithms (in our symbols). The same tree is typeset (LaTeX, symbolic and with the values
// of one step substituted) and evaluated over all coordinates, so that the inspector's numbers are the equations'
// own; a test checks that the evaluation reproduces the engine's next parameters.

/** An expression over a step's values: per-coordinate vectors and scalars, broadcast as numpy does. */
export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: string }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'fn'; fn: FunctionName; args: Expr[] }
  /** A reduction over the coordinates. */
  | { kind: 'reduce'; op: 'norm' | 'sum' | 'max' | 'min'; arg: Expr }
  /** then where test > 0, else otherwise (the test is evaluated per coordinate). */
  | { kind: 'if'; test: Expr; then: Expr; otherwise: Expr }
  | { kind: 'cmp'; op: Comparison; left: Expr; right: Expr };

export type FunctionName = 'sqrt' | 'abs' | 'sign' | 'max' | 'min' | 'clamp' | 'exp' | 'log';
export type Comparison = '>' | '<' | '>=' | '<=' | '==' | '!=';

export interface Assignment {
  /** The value's name: a state's PyTorch name (exp_avg), x, or an intermediate. */
  target: string;
  expr: Expr;
  /** What the line computes, in words (shown beside it). */
  note?: string;
}

/** How a name is typeset: its symbol, and whether it is a per-step quantity (subscript t, or t-1 before assignment). */
export interface SymbolInfo {
  tex: string;
  timed?: boolean;
}

export interface EquationSet {
  /** The optimizer's name as shown. */
  title: string;
  assignments: Assignment[];
  symbols: Record<string, SymbolInfo>;
  /** Lines typeset as they are (no substitution): what the model leaves to the core, e.g. L-BFGS's two-loop recursion. */
  notes?: string[];
}

/** A value: one number per coordinate, or one for all. */
export type Value = number | number[];

/** A step's values: x, g, the state before the step by PyTorch's names, t, lr, the options and scalars. */
export type Environment = Record<string, Value>;

// ---- building expressions ----

const num = (value: number): Expr => ({ kind: 'num', value });
const ref = (name: string): Expr => ({ kind: 'var', name });
const bin = (op: '+' | '-' | '*' | '/' | '^') => (left: Expr | string | number, right: Expr | string | number): Expr =>
  ({ kind: 'bin', op, left: lift(left), right: lift(right) });
const add = bin('+');
const sub = bin('-');
const mul = bin('*');
const div = bin('/');
const pow = bin('^');
const neg = (arg: Expr | string): Expr => ({ kind: 'neg', arg: lift(arg) });
const fn = (name: FunctionName, ...args: (Expr | string | number)[]): Expr => ({ kind: 'fn', fn: name, args: args.map(lift) });
const cmp = (op: Comparison, left: Expr | string | number, right: Expr | string | number): Expr => ({ kind: 'cmp', op, left: lift(left), right: lift(right) });
const when = (test: Expr, then: Expr | string | number, otherwise: Expr | string | number): Expr => ({ kind: 'if', test, then: lift(then), otherwise: lift(otherwise) });
function lift(e: Expr | string | number): Expr {
  return typeof e === 'number' ? num(e) : typeof e === 'string' ? ref(e) : e;
}
const set = (target: string, expr: Expr | string, note?: string): Assignment => ({ target, expr: lift(expr), ...(note ? { note } : {}) });
const norm = (arg: Expr | string): Expr => ({ kind: 'reduce', op: 'norm', arg: lift(arg) });
/** beta * avg + (1 - beta) * term: an exponential moving average. */
const ema = (avg: string, beta: string, term: Expr | string) => add(mul(beta, avg), mul(sub(1, beta), term));

// ---- the built-ins ----

const COMMON_SYMBOLS: Record<string, SymbolInfo> = {
  x: { tex: 'x', timed: true },
  g: { tex: 'g', timed: true },
  t: { tex: 't' },
  lr: { tex: '\\gamma' },
  weight_decay: { tex: '\\lambda' },
  eps: { tex: '\\epsilon' },
  beta1: { tex: '\\beta_1' },
  beta2: { tex: '\\beta_2' },
  momentum: { tex: '\\mu' },
  dampening: { tex: '\\tau' },
  alpha: { tex: '\\alpha' },
  rho: { tex: '\\rho' },
  lr_decay: { tex: '\\eta' },
  momentum_decay: { tex: '\\psi' },
  lambd: { tex: '\\lambda' },
  t0: { tex: 't_0' },
  etaminus: { tex: '\\eta_{-}' },
  etaplus: { tex: '\\eta_{+}' },
  step_size_min: { tex: '\\Gamma_{\\min}' },
  step_size_max: { tex: '\\Gamma_{\\max}' },
  beta2_decay: { tex: 'c' },
  eps1: { tex: '\\epsilon_1' },
  eps2: { tex: '\\epsilon_2' },
  d: { tex: 'd' },
  damping: { tex: '\\delta' },
  n: { tex: 'n' },
  grad: { tex: '\\tilde g' },
  momentum_buffer: { tex: 'b', timed: true },
  sum: { tex: 'G', timed: true },
  square_avg: { tex: 'v', timed: true },
  grad_avg: { tex: '\\bar g', timed: true },
  exp_avg: { tex: 'm', timed: true },
  exp_avg_sq: { tex: 'v', timed: true },
  max_exp_avg_sq: { tex: 'v^{\\max}', timed: true },
  acc_delta: { tex: 'u', timed: true },
  exp_inf: { tex: 'u', timed: true },
  mu_product: { tex: '\\Pi', timed: true },
  prev: { tex: 'g^{\\mathrm{prev}}', timed: true },
  step_size: { tex: '\\eta', timed: true },
  ax: { tex: '\\bar x', timed: true },
  eta: { tex: '\\eta', timed: true },
  mu: { tex: '\\mu', timed: true },
  variance: { tex: 'v', timed: true },
  bias_correction1: { tex: '\\hat\\beta_1' },
  bias_correction2: { tex: '\\hat\\beta_2' },
  m_hat: { tex: '\\hat m_t' },
  v_hat: { tex: '\\hat v_t' },
  denom: { tex: '\\sigma' },
  step: { tex: '\\Delta' },
  lr_t: { tex: '\\tilde\\gamma' },
  std: { tex: '\\sigma' },
  delta: { tex: '\\Delta' },
  agree: { tex: 's' },
  factor: { tex: 'f' },
  mu_t: { tex: '\\mu_t' },
  mu_next: { tex: '\\mu_{t+1}' },
  rho_inf: { tex: '\\rho_\\infty' },
  rho_t: { tex: '\\rho_t' },
  rect: { tex: 'r_t' },
  one_minus_beta2: { tex: '\\left(1-\\hat\\beta_{2,t}\\right)' },
  rel: { tex: '\\alpha_t' },
  update: { tex: 'U' },
  scale: { tex: 'k' },
  direction: { tex: 'p' },
  t_state: { tex: '\\alpha' },
  p_last: { tex: 'p' },
  alpha_last: { tex: '\\alpha' },
  step_total: { tex: '\\Delta' },
};

/** L-BFGS's equations show the direction and step length recorded after the step (its last inner iteration's). */
export const READS_STATE_AFTER_STEP: ReadonlySet<string> = new Set(['lbfgs', 'lbfgs_strong_wolfe']);

/** The gradient torch's optimizers use: negated for maximize, plus coupled weight decay. */
function effectiveGradient(o: Record<string, unknown>, coupledDecay: boolean): Assignment[] {
  let grad: Expr = o.maximize ? neg('g') : ref('g');
  if (coupledDecay && Number(o.weight_decay ?? 0) !== 0) grad = add(grad, mul('weight_decay', 'x'));
  return grad.kind === 'var' ? [] : [set('grad', grad, o.maximize ? 'maximize: the negated gradient' : 'weight decay added to the gradient')];
}
const gradName = (rules: Assignment[]) => (rules.some((r) => r.target === 'grad') ? 'grad' : 'g');

/** Adam's family applies decoupled weight decay to x before the step. */
function decoupledDecay(o: Record<string, unknown>): Assignment[] {
  return o.decoupled_weight_decay && Number(o.weight_decay) !== 0 ? [set('x', mul('x', sub(1, mul('lr', 'weight_decay'))), 'decoupled weight decay')] : [];
}

const moments = (grad: string): Assignment[] => [
  set('exp_avg', ema('exp_avg', 'beta1', grad), 'first moment'),
  set('exp_avg_sq', ema('exp_avg_sq', 'beta2', mul(grad, grad)), 'second moment'),
];

type Builder = (o: Record<string, unknown>) => Omit<EquationSet, 'symbols'> & { symbols?: Record<string, SymbolInfo> };

const BUILDERS: Record<string, Builder> = {
  sgd(o) {
    const rules = effectiveGradient(o, true);
    let step = gradName(rules);
    if (Number(o.momentum ?? 0) !== 0) {
      rules.push(set('momentum_buffer', when(cmp('>', 't', 1), add(mul('momentum', 'momentum_buffer'), mul(sub(1, 'dampening'), step)), step), 'momentum (b_1 = the gradient)'));
      if (o.nesterov) {
        rules.push(set('direction', add(step, mul('momentum', 'momentum_buffer')), 'Nesterov: look ahead along the momentum'));
        step = 'direction';
      } else {
        step = 'momentum_buffer';
      }
    }
    rules.push(set('x', sub('x', mul('lr', step))));
    return { title: 'SGD', assignments: rules };
  },
  adagrad(o) {
    const rules = effectiveGradient(o, true);
    const grad = gradName(rules);
    rules.push(
      set('lr_t', div('lr', add(1, mul(sub('t', 1), 'lr_decay'))), 'decayed learning rate'),
      set('sum', add('sum', mul(grad, grad)), 'sum of squared gradients'),
      set('x', sub('x', mul('lr_t', div(grad, add(fn('sqrt', 'sum'), 'eps'))))),
    );
    return { title: 'Adagrad', assignments: rules };
  },
  rmsprop(o) {
    const rules = effectiveGradient(o, true);
    const grad = gradName(rules);
    rules.push(set('square_avg', ema('square_avg', 'alpha', mul(grad, grad)), 'running mean of squared gradients'));
    if (o.centered) {
      rules.push(
        set('grad_avg', ema('grad_avg', 'alpha', grad), 'running mean of gradients'),
        set('denom', add(fn('sqrt', sub('square_avg', mul('grad_avg', 'grad_avg'))), 'eps'), 'centered: variance instead of second moment'),
      );
    } else {
      rules.push(set('denom', add(fn('sqrt', 'square_avg'), 'eps')));
    }
    if (Number(o.momentum) > 0) {
      rules.push(
        set('momentum_buffer', add(mul('momentum', 'momentum_buffer'), div(grad, 'denom'))),
        set('x', sub('x', mul('lr', 'momentum_buffer'))),
      );
    } else {
      rules.push(set('x', sub('x', mul('lr', div(grad, 'denom')))));
    }
    return { title: 'RMSprop', assignments: rules };
  },
  adam(o) {
    const rules = [...decoupledDecay(o), ...effectiveGradient(o, !o.decoupled_weight_decay)];
    const grad = gradName(rules);
    rules.push(...moments(grad));
    let second = 'exp_avg_sq';
    if (o.amsgrad) {
      rules.push(set('max_exp_avg_sq', fn('max', 'max_exp_avg_sq', 'exp_avg_sq'), 'AMSGrad: the largest second moment so far'));
      second = 'max_exp_avg_sq';
    }
    rules.push(
      set('bias_correction1', sub(1, pow('beta1', 't')), 'bias corrections'),
      set('bias_correction2', sub(1, pow('beta2', 't'))),
      set('m_hat', div('exp_avg', 'bias_correction1')),
      set('v_hat', div(second, 'bias_correction2')),
      set('step', div(mul('lr', 'm_hat'), add(fn('sqrt', 'v_hat'), 'eps')), 'the effective step'),
      set('x', sub('x', 'step')),
    );
    return { title: o.decoupled_weight_decay ? 'AdamW' : o.amsgrad ? 'Adam (AMSGrad)' : 'Adam', assignments: rules };
  },
  adadelta(o) {
    const rules = effectiveGradient(o, true);
    const grad = gradName(rules);
    rules.push(
      set('square_avg', ema('square_avg', 'rho', mul(grad, grad))),
      set('delta', mul(div(fn('sqrt', add('acc_delta', 'eps')), fn('sqrt', add('square_avg', 'eps'))), grad), 'the unscaled step'),
      set('acc_delta', ema('acc_delta', 'rho', mul('delta', 'delta'))),
      set('x', sub('x', mul('lr', 'delta'))),
    );
    return { title: 'Adadelta', assignments: rules };
  },
  adamax(o) {
    const rules = effectiveGradient(o, true);
    const grad = gradName(rules);
    rules.push(
      set('exp_avg', ema('exp_avg', 'beta1', grad), 'first moment'),
      set('exp_inf', fn('max', mul('beta2', 'exp_inf'), add(fn('abs', grad), 'eps')), 'infinity norm'),
      set('bias_correction1', sub(1, pow('beta1', 't'))),
      set('step', div(mul('lr', 'exp_avg'), mul('bias_correction1', 'exp_inf')), 'the effective step'),
      set('x', sub('x', 'step')),
    );
    return { title: 'Adamax', assignments: rules };
  },
  nadam(o) {
    const rules = [...decoupledDecay(o), ...effectiveGradient(o, !o.decoupled_weight_decay)];
    const grad = gradName(rules);
    const muAt = (step: Expr | string) => mul('beta1', sub(1, mul(0.5, pow(0.96, mul(step, 'momentum_decay')))));
    rules.push(
      set('mu_t', muAt('t'), 'momentum schedule'),
      set('mu_next', muAt(add('t', 1))),
      set('mu_product', mul('mu_product', 'mu_t')),
      ...moments(grad),
      set('bias_correction2', sub(1, pow('beta2', 't'))),
      set('denom', add(fn('sqrt', div('exp_avg_sq', 'bias_correction2')), 'eps')),
      set('step', add(
        div(mul(mul('lr', sub(1, 'mu_t')), grad), mul(sub(1, 'mu_product'), 'denom')),
        div(mul(mul('lr', 'mu_next'), 'exp_avg'), mul(sub(1, mul('mu_product', 'mu_next')), 'denom')),
      ), 'the effective step (Nesterov look-ahead)'),
      set('x', sub('x', 'step')),
    );
    return { title: 'NAdam', assignments: rules };
  },
  radam(o) {
    const rules = [...decoupledDecay(o), ...effectiveGradient(o, !o.decoupled_weight_decay)];
    const grad = gradName(rules);
    rules.push(
      ...moments(grad),
      set('bias_correction1', sub(1, pow('beta1', 't'))),
      set('bias_correction2', sub(1, pow('beta2', 't'))),
      set('m_hat', div('exp_avg', 'bias_correction1')),
      set('rho_inf', sub(div(2, sub(1, 'beta2')), 1)),
      set('rho_t', sub('rho_inf', div(mul(mul(2, 't'), pow('beta2', 't')), 'bias_correction2')), 'rectification applies when it exceeds 5'),
      set('rect', when(cmp('>', 'rho_t', 5), fn('sqrt', div(mul(mul(sub('rho_t', 4), sub('rho_t', 2)), 'rho_inf'), mul(mul(sub('rho_inf', 4), sub('rho_inf', 2)), 'rho_t'))), 0)),
      set('step', when(cmp('>', 'rho_t', 5),
        div(mul(mul(mul('lr', 'm_hat'), 'rect'), fn('sqrt', 'bias_correction2')), add(fn('sqrt', 'exp_avg_sq'), 'eps')),
        mul('lr', 'm_hat')), 'the effective step (plain momentum while ρ_t ≤ 5)'),
      set('x', sub('x', 'step')),
    );
    return { title: 'RAdam', assignments: rules };
  },
  rprop(o) {
    const rules = effectiveGradient(o, false);
    const grad = gradName(rules);
    rules.push(
      set('agree', mul(grad, 'prev'), 'sign agreement with the last gradient'),
      set('factor', when(cmp('>', 'agree', 0), 'etaplus', when(cmp('<', 'agree', 0), 'etaminus', 1))),
      set('step_size', fn('clamp', mul('step_size', 'factor'), 'step_size_min', 'step_size_max'), 'per-coordinate step size'),
      set('prev', when(cmp('<', 'agree', 0), 0, grad), 'a sign flip skips this coordinate'),
      set('x', sub('x', mul(fn('sign', 'prev'), 'step_size'))),
    );
    return { title: 'Rprop', assignments: rules };
  },
  asgd(o) {
    const rules = effectiveGradient(o, true);
    const grad = gradName(rules);
    rules.push(
      set('x', sub(mul('x', sub(1, mul('lambd', 'eta'))), mul('eta', grad))),
      set('ax', add('ax', mul('mu', sub('x', 'ax'))), 'the averaged iterate'),
      set('eta', div('lr', pow(add(1, mul(mul('lambd', 'lr'), 't')), 'alpha')), 'for the next step'),
      set('mu', div(1, fn('max', 1, sub('t', 't0')))),
    );
    return { title: 'ASGD', assignments: rules };
  },
  adafactor(o) {
    const decay = Number(o.weight_decay) !== 0 ? [set('x', mul('x', sub(1, mul('lr', 'weight_decay'))), 'weight decay')] : [];
    const rules: Assignment[] = [
      set('rel', mul(fn('max', 'eps2', div(norm('x'), fn('sqrt', 'n'))), fn('min', 'lr', div(1, fn('sqrt', 't')))), 'relative step size (from x before decay)'),
      ...decay,
      ...effectiveGradient(o, false),
    ];
    const grad = gradName(rules);
    rules.push(
      set('one_minus_beta2', pow('t', 'beta2_decay')),
      set('variance', add('variance', mul('one_minus_beta2', sub(mul(grad, grad), 'variance'))), 'second moment (unfactored: x is a vector)'),
      set('update', div(grad, fn('sqrt', fn('max', 'variance', mul('eps1', 'eps1'))))),
      set('scale', fn('max', 1, div(norm('update'), mul(fn('sqrt', 'n'), 'd'))), 'clip the update to RMS d'),
      set('x', sub('x', div(mul('rel', 'update'), 'scale'))),
    );
    return { title: 'Adafactor', assignments: rules };
  },
  muon(o) {
    // torch's _single_tensor_muon: buf.lerp_(grad, 1 - momentum); update = grad.lerp(buf, momentum) or buf
    const rules: Assignment[] = [set('momentum_buffer', ema('momentum_buffer', 'momentum', 'g'), 'momentum (torch: B.lerp_(G, 1 − μ))')];
    if (o.nesterov !== false) rules.push(set('update', add(mul(sub(1, 'momentum'), 'g'), mul('momentum', 'momentum_buffer')), 'Nesterov: G.lerp(B, μ)'));
    const original = o.adjust_lr_fn !== 'match_rms_adamw';
    rules.push(
      set('ortho', 'orthogonalized', 'Newton–Schulz orthogonalization of the whole matrix in bfloat16 (the core\'s, read back from the step)'),
      set('adjusted_ratio', original ? fn('sqrt', fn('max', 1, div('rows', 'cols'))) : mul(0.2, fn('sqrt', fn('max', 'rows', 'cols'))),
        original ? 'learning-rate adjustment for the matrix shape ("original")' : 'learning-rate adjustment ("match_rms_adamw")'),
    );
    if (Number(o.weight_decay ?? 0) !== 0) rules.push(set('x', mul('x', sub(1, mul('lr', 'weight_decay'))), 'decoupled weight decay'));
    rules.push(set('x', sub('x', mul(mul('lr', 'adjusted_ratio'), 'ortho'))));
    const steps = Number(o.ns_steps ?? 5);
    return {
      title: 'Muon',
      assignments: rules,
      symbols: {
        momentum_buffer: { tex: 'B', timed: true },
        ortho: { tex: 'O', timed: true },
        orthogonalized: { tex: `\\mathrm{NS}_{${steps}}\\left(${o.nesterov !== false ? 'U' : 'B_t'}\\right)` },
        rows: { tex: 'n_{\\mathrm{out}}' },
        cols: { tex: 'n_{\\mathrm{in}}' },
        adjusted_ratio: { tex: 's' },
      },
    };
  },
};
BUILDERS.gd = BUILDERS.sgd;
BUILDERS.momentum = BUILDERS.sgd;
BUILDERS.nesterov = (o) => BUILDERS.sgd({ ...o, nesterov: true });
BUILDERS.amsgrad = (o) => BUILDERS.adam({ ...o, amsgrad: true });
BUILDERS.adamw = (o) => BUILDERS.adam({ ...o, decoupled_weight_decay: true });

/**
 * Newton's and L-BFGS's steps solve or recur over whole vectors: the model shows their rule with what the core recorded
 * (Newton's direction read back from the step; L-BFGS's last d and t).
 */
const DIRECTION_SETS: Record<string, EquationSet> = {
  newton: {
    title: "Newton's method",
    assignments: [set('x', sub('x', mul('lr', 'direction')))],
    symbols: COMMON_SYMBOLS,
    notes: ['(H_t + \\delta I)\\,p = g_t \\quad\\text{(solved by the core; } p \\text{ from the recorded step)}'],
  },
  lbfgs: {
    title: 'L-BFGS',
    assignments: [
      set('p_last', 'd', "the last iteration's direction (torch's state d)"),
      set('alpha_last', 't_state', "its step length (torch's state t)"),
      set('x', add('x', 'step_total'), 'the whole step: every inner iteration of this step(closure)'),
    ],
    symbols: { ...COMMON_SYMBOLS, d: { tex: 'p' } },
    notes: [
      'p = -H_k\\,g \\quad\\text{(two-loop recursion over the last } m \\text{ pairs } s_i = x_{i+1}-x_i,\\ y_i = g_{i+1}-g_i)',
      'x \\leftarrow x + \\alpha\\,p \\quad\\text{(up to max\\_iter times per step; } \\alpha = \\gamma \\text{ or the strong-Wolfe search)}',
    ],
  },
};
DIRECTION_SETS.lbfgs_strong_wolfe = DIRECTION_SETS.lbfgs;

/** A built-in's equations for its resolved options (PyTorch names; pairs such as betas as arrays). */
export function builtinEquations(optimizer: string, options: Record<string, unknown>): EquationSet | undefined {
  if (Object.hasOwn(DIRECTION_SETS, optimizer)) return DIRECTION_SETS[optimizer];
  const build = Object.hasOwn(BUILDERS, optimizer) ? BUILDERS[optimizer] : undefined;
  if (!build) return undefined;
  const built = build(options);
  return { ...built, symbols: { ...COMMON_SYMBOLS, ...built.symbols } };
}

/** Muon's options (torch's names) and its rest optimizer's base learning rate, for muonEnvironment. */
export interface MuonValues {
  lr: number;
  weight_decay: number;
  adjust_lr_fn: string;
  /** The rest optimizer's lr before the schedule: the schedule scales Muon's lr by the same factor. */
  restLr: number;
}

/**
 * A Muon step's environment (from stepEnvironment with the rest optimizer's scheduled lr, and step_total): Muon's
 * scheduled lr, each matrix coordinate's shape (NaN elsewhere), and O, the orthogonalized update, read back from the
 * step as Newton's direction is: x_{t+1} = x_t (1 - lr wd) - lr s O. O is 0 where lr s is 0 (nothing to read).
 */
export function muonEnvironment(env: Environment, shapes: readonly ([number, number] | undefined)[], muon: MuonValues): Environment {
  const lr = muon.lr * (muon.restLr !== 0 ? Number(env.lr) / muon.restLr : 1); // core/assembly/run.ts's order
  const x = env.x as number[];
  const moved = env.step_total as number[] | undefined;
  const rows = shapes.map((s) => s?.[0] ?? NaN);
  const cols = shapes.map((s) => s?.[1] ?? NaN);
  const orthogonalized = x.map((xi, k) => {
    const shape = shapes[k];
    if (!shape || !moved) return NaN;
    const ratio = muon.adjust_lr_fn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(shape[0], shape[1])) : Math.sqrt(Math.max(1, shape[0] / shape[1]));
    const adjusted = lr * ratio;
    return adjusted !== 0 ? (xi * (1 - lr * muon.weight_decay) - (xi + moved[k])) / adjusted : 0;
  });
  return { ...env, lr, rows, cols, orthogonalized };
}

/** The scalar options by the names the equations use (betas -> beta1, beta2; Adadelta's rho; Adafactor's eps pair). */
export function optionValues(options: Record<string, unknown>): Environment {
  const values: Environment = {};
  const pairs: Record<string, [string, string]> = { betas: ['beta1', 'beta2'], etas: ['etaminus', 'etaplus'], step_sizes: ['step_size_min', 'step_size_max'], eps: ['eps1', 'eps2'] };
  for (const [key, value] of Object.entries(options)) {
    if (Array.isArray(value) && pairs[key]) {
      values[pairs[key][0]] = Number(value[0] ?? Number.EPSILON);
      values[pairs[key][1]] = Number(value[1] ?? Number.EPSILON);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      values[key] = Number(value);
    }
  }
  return values;
}

// ---- evaluation ----

/** f over the coordinates of vectors and scalars (a scalar stands for every coordinate). */
function mapValues(values: Value[], f: (...xs: number[]) => number): Value {
  const vector = values.find((v): v is number[] => typeof v !== 'number');
  if (!vector) return f(...(values as number[]));
  return vector.map((_, i) => f(...values.map((v) => (typeof v === 'number' ? v : v[i]))));
}
const map2 = (a: Value, b: Value, f: (x: number, y: number) => number): Value => mapValues([a, b], f);
const map1 = (a: Value, f: (x: number) => number): Value => mapValues([a], f);

/** The functions, element-wise (sign as torch.sign: 0 and NaN stay). */
const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  sqrt: ([a]) => map1(a, Math.sqrt),
  abs: ([a]) => map1(a, Math.abs),
  sign: ([a]) => map1(a, (v) => (v > 0 ? 1 : v < 0 ? -1 : v)),
  max: ([a, b]) => map2(a, b, Math.max),
  min: ([a, b]) => map2(a, b, Math.min),
  clamp: ([a, lo, hi]) => map2(map2(a, lo, Math.max), hi, Math.min),
  exp: ([a]) => map1(a, Math.exp),
  log: ([a]) => map1(a, Math.log),
};
const OPERATORS: Record<'+' | '-' | '*' | '/' | '^', (a: number, b: number) => number> = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '^': Math.pow,
};
const COMPARISONS: Record<Comparison, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b, '<': (a, b) => a < b, '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};
const REDUCTIONS: Record<'norm' | 'sum' | 'max' | 'min', (values: number[]) => number> = {
  sum: (values) => values.reduce((s, x) => s + x, 0),
  norm: (values) => Math.sqrt(values.reduce((s, x) => s + x * x, 0)),
  max: (values) => (values.some(Number.isNaN) ? NaN : Math.max(...values)),
  min: (values) => (values.some(Number.isNaN) ? NaN : Math.min(...values)),
};

export function evaluate(expr: Expr, env: Environment): Value {
  switch (expr.kind) {
    case 'num': return expr.value;
    case 'var': {
      if (!Object.hasOwn(env, expr.name)) throw new Error(`The equations read '${expr.name}', which the step does not have`);
      return env[expr.name];
    }
    case 'neg': return map1(evaluate(expr.arg, env), (v) => -v);
    case 'bin': {
      return map2(evaluate(expr.left, env), evaluate(expr.right, env), OPERATORS[expr.op]);
    }
    case 'fn': return FUNCTIONS[expr.fn](expr.args.map((a) => evaluate(a, env)));
    case 'reduce': {
      const v = evaluate(expr.arg, env);
      return REDUCTIONS[expr.op](typeof v === 'number' ? [v] : v);
    }
    case 'cmp': return map2(evaluate(expr.left, env), evaluate(expr.right, env), (a, b) => Number(COMPARISONS[expr.op](a, b)));
    case 'if': return mapValues([evaluate(expr.test, env), evaluate(expr.then, env), evaluate(expr.otherwise, env)], (c, a, b) => (c ? a : b));
  }
}

/** Every assignment in order; returns the environment after the step and each line's value. */
export function runAssignments(set: EquationSet, env: Environment): { after: Environment; values: Value[] } {
  const after = { ...env };
  const values = set.assignments.map((a) => {
    const value = evaluate(a.expr, after);
    after[a.target] = value;
    return value;
  });
  return { after, values };
}
