// Export as a PyTorch script: a standalone .py that rebuilds a scenario (loss or network, data, starts, optimizers,
// schedules, minibatches, steps) in float64 and prints the loss at every step. Pure text generation: the numbers it
// writes (data rows, starts) are the engine's, handed in by the caller.
import { frozenMask } from '../shared/freeze';
import type { Engine, LossInfo } from '../shared/engineApi';
import type { NetworkSpec } from '../shared/network';
import type { OptionValue, RunConfig, Scenario, ScheduleSpec } from '../shared/scenarioModel';
import type { TraceData } from '../shared/protocol';
import { effectiveStochastic } from '../shared/stochastic';
import { DATA_OFFSET, parseLoss } from './analyze';
import type { Graph } from './graph';
import {
  analyzeOptimizer, PARAM_G, PARAM_HESS_DIAG, PARAM_HVP, PARAM_LAYER, PARAM_LR, PARAM_RANDOM, PARAM_REDUCTION, PARAM_SCALAR_STATE, PARAM_STATE, PARAM_T, PARAM_X,
} from './optim/language';

/** What the script needs of a scenario (a panel's, or a .loss file's runs in the CLI). */
export type ExportScenario = Pick<Scenario, 'loss' | 'runs' | 'steps'> & Partial<Pick<Scenario, 'start' | 'lossParams'>>;

export interface PytorchExportInput {
  scenario: ExportScenario;
  loss: LossInfo;
  /** The loss as .loss text with a formula (a built-in's expression); absent for a network. */
  lossText?: string;
  /** Engine.samples: rows of loss.data.columns, the training rows first (generated sets included, as generated). */
  samples?: Float64Array;
  /** Each run's first row: the parameters it starts from (a network's initialized vector). */
  starts: number[][];
  /** Each optimizer's defaults (Engine.optimizers), so that the script states every option the run used. */
  optimizerDefaults?: Record<string, Record<string, OptionValue | null | (number | null)[]>>;
  /** Optiscope's loss at every step of each run, to compare against. */
  expectedLosses?: number[][];
}

type PyValue = OptionValue | null | (number | null)[] | string | Record<string, unknown> | undefined;

/** A Python literal: floats written so that Python reads back the same double. */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return "float('nan')";
  if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
  const text = Object.is(value, -0) ? '-0.0' : String(value);
  return /[.eE]/.test(text) || /inf|nan/.test(text) ? text : `${text}.0`;
}

function pyValue(value: PyValue): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  // Options such as step_size, max_iter and ns_steps must be Python ints; torch takes an int wherever it takes a float.
  if (typeof value === 'number') return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pyNumber(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `(${value.map((v) => pyValue(v as PyValue)).join(', ')}${value.length === 1 ? ',' : ''})`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyValue(v as PyValue)}`).join(', ')}}`;
}

const UNARY_TORCH: Record<string, string> = {
  neg: '-', sqrt: 'torch.sqrt', abs: 'torch.abs', sign: 'torch.sign', sigmoid: 'torch.sigmoid',
  softplus: 'torch.nn.functional.softplus', relu: 'torch.relu',
  exp: 'torch.exp', expm1: 'torch.expm1', log: 'torch.log', log1p: 'torch.log1p', log2: 'torch.log2', log10: 'torch.log10',
  sin: 'torch.sin', cos: 'torch.cos', tan: 'torch.tan', asin: 'torch.asin', acos: 'torch.acos', atan: 'torch.atan',
  sinh: 'torch.sinh', cosh: 'torch.cosh', tanh: 'torch.tanh', cbrt: '_cbrt',
};
const BINARY_TORCH: Record<string, string> = { min: 'torch.minimum', max: 'torch.maximum', atan2: 'torch.atan2', pow: 'torch.pow', hypot: 'torch.hypot' };
const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };
const COMPARISON: Record<string, string> = { lt: '<', le: '<=', eq: '==' };

/**
 * Nodes of the loss language's expression graph as torch code: nodes used more than once become variables (`lines`, in
 * order), the rest are inlined; `results` are the roots' expressions. Walks node ids upwards (children before parents),
 * no recursion. `parameter(i)` names graph parameter i (a loss's data columns are DATA_OFFSET + c).
 */
export function torchExpressions(graph: Graph, roots: number[], parameter: (index: number) => string): { lines: string[]; results: string[] } {
  const top = Math.max(...roots);
  const reachable = new Set<number>(roots);
  const uses = new Map<number, number>();
  for (const root of roots) uses.set(root, (uses.get(root) ?? 0) + 1);
  for (let id = top; id >= 0; id--) {
    if (!reachable.has(id)) continue;
    for (const arg of graph.nodes[id].args as number[]) {
      reachable.add(arg);
      uses.set(arg, (uses.get(arg) ?? 0) + 1);
    }
  }
  const text = new Map<number, string>();
  const lines: string[] = [];
  // A constant argument of a torch function must be a tensor.
  const tensorArg = (id: number) => (graph.nodes[id].dep ? text.get(id)! : `_t(${text.get(id)!})`);
  for (let id = 0; id <= top; id++) {
    if (!reachable.has(id)) continue;
    const node = graph.nodes[id];
    const a = node.args as number[];
    let code: string;
    switch (node.op) {
      case 'const': code = node.value < 0 || Object.is(node.value, -0) ? `(${pyNumber(node.value)})` : pyNumber(node.value); break;
      case 'param': code = parameter(node.index); break;
      case 'add': case 'sub': case 'mul': case 'div': code = `(${text.get(a[0])} ${INFIX[node.op]} ${text.get(a[1])})`; break;
      case 'min': case 'max': code = `${BINARY_TORCH[node.op]}(${tensorArg(a[0])}, ${tensorArg(a[1])})`; break;
      case 'neg': code = `(-${text.get(a[0])})`; break;
      case 'powc': code = `(${node.dep ? text.get(a[0]) : tensorArg(a[0])} ** ${pyNumber(node.exponent)})`; break;
      case 'call1': code = `${UNARY_TORCH[node.fn]}(${tensorArg(a[0])})`; break;
      case 'call2': code = `${BINARY_TORCH[node.fn]}(${tensorArg(a[0])}, ${tensorArg(a[1])})`; break;
      case 'select':
        code = `torch.where(${tensorArg(a[0])} ${COMPARISON[node.cmp]} ${tensorArg(a[1])}, ${tensorArg(a[2])}, ${tensorArg(a[3])})`;
        break;
      case 'mod': code = `torch.remainder(${tensorArg(a[0])}, ${tensorArg(a[1])})`; break; // Python's %, as the language's (an .optim rule's)
      default: code = `${UNARY_TORCH[node.op]}(${tensorArg(a[0])})`;
    }
    const shared = (uses.get(id) ?? 0) > 1;
    if (shared && node.op !== 'const' && node.op !== 'param') {
      lines.push(`v${id} = ${code}`);
      code = `v${id}`;
    }
    text.set(id, code);
  }
  return { lines, results: roots.map((root) => (graph.nodes[root].dep ? text.get(root)! : `_t(${text.get(root)!})`)) };
}

/** One root: the loss's expression (see torchExpressions). */
export function torchExpression(graph: Graph, root: number, parameter: (index: number) => string): { lines: string[]; result: string } {
  const { lines, results } = torchExpressions(graph, [root], parameter);
  return { lines, result: results[0] };
}

/** Why a `.optim` rule is not exported (its class would raise NotImplementedError with this), or undefined. */
export function unexportedReason(text: string, options: Record<string, unknown>, network: boolean): string | undefined {
  const analyzed = analyzeOptimizer(text, options);
  if (!analyzed.ok) return 'the optimizer file has errors';
  if (network && analyzed.optimizer.rule.usesHessian) return 'hess_diag and hvp need the Hessian, which Optiscope computes for formula losses only';
  return undefined;
}

/**
 * A `.optim` optimizer as a torch.optim.Optimizer subclass, its rule translated from the lowered graph; undefined when
 * the file has errors. Each parameter tensor is one layer (Optiscope's layers: a network's tensors, a formula's whole
 * vector), so a per-layer reduction reduces over the tensor inside the per-parameter loop; a reduction over all
 * coordinates takes a pass over every parameter first; stages run in the rule's order, each reading the earlier ones.
 * rademacher() draws from a torch.Generator seeded with the rule's seed (torch's draws, not Optiscope's), hess_diag and
 * hvp(v) use torch.autograd.functional on loss_of at x (a formula loss: one parameter tensor, exact Hessian).
 */
export function torchOptimizerClass(text: string, options: Record<string, unknown>, className: string): string[] | undefined {
  const analyzed = analyzeOptimizer(text, options);
  if (!analyzed.ok) return undefined;
  const { rule, states, lr, seed } = analyzed.optimizer;
  const vectors = states.filter((s) => !s.scalar);
  const scalars = states.filter((s) => s.scalar);
  const readsHessDiag = rule.graph.reachable([rule.x, ...rule.states, ...rule.scalars, ...rule.stages.map((st) => st.term)])[rule.graph.param(PARAM_HESS_DIAG)] === 1;
  const name = (index: number): string => {
    if (index === PARAM_X) return 'x';
    if (index === PARAM_G) return 'g';
    if (index === PARAM_T) return 't';
    if (index === PARAM_LR) return 'lr';
    if (index === PARAM_HESS_DIAG) return 'hess_diag';
    if (index === PARAM_RANDOM) return 'random';
    if (index >= PARAM_SCALAR_STATE) return `scalar_${index - PARAM_SCALAR_STATE}`;
    if (index >= PARAM_REDUCTION) return `reduction_${index - PARAM_REDUCTION}`;
    if (index >= PARAM_LAYER) return `layer_${index - PARAM_LAYER}`;
    if (index >= PARAM_HVP) return `hvp_${index - PARAM_HVP}`;
    return `state_${index - PARAM_STATE}`;
  };
  const resultName = (id: number): string => {
    const node = rule.graph.nodes[id];
    return node.op === 'param' ? name(node.index) : `stage_${id}`;
  };
  // The per-parameter values a loop reads: its state, and what earlier stages and the step's draws left in work[i].
  const perParameter = (stagesBefore: number): string[] => [
    'g = x.grad',
    'st = self.state[x]',
    't = _t(float(st["step"]))',
    ...vectors.map((s, k) => `state_${k} = st[${JSON.stringify(s.name)}]`),
    ...scalars.map((s, k) => `scalar_${k} = st[${JSON.stringify(s.name)}]`),
    ...(rule.usesRandom ? ['random = work[i]["random"]'] : []),
    ...(readsHessDiag ? ['hess_diag = work[i]["hess_diag"]'] : []),
    ...rule.stages.slice(0, stagesBefore).filter((st) => st.kind !== 'reduce').map((st) => {
      const local = resultName(st.result);
      return `${local} = work[i][${JSON.stringify(local)}]`;
    }),
  ];
  const loop = (stagesBefore: number, body: string[]): string[] => [
    'for i, x in enumerate(params):',
    ...[...perParameter(stagesBefore), ...body].map((l) => `    ${l}`),
  ];
  const stageLines: string[] = [];
  rule.stages.forEach((stage, k) => {
    const { lines, results } = torchExpressions(rule.graph, [stage.term], name);
    const term = `torch.broadcast_to(${results[0]}, x.shape)`;
    const local = resultName(stage.result);
    if (stage.kind === 'hvp') {
      stageLines.push(...loop(k, [...lines, `work[i][${JSON.stringify(local)}] = torch.autograd.functional.hvp(lambda v: loss_of(TRAIN, v), x.detach().clone(), ${term}.clone())[1]`]));
      return;
    }
    const reduce = stage.combine === 'add' ? 'torch.sum' : stage.combine === 'max' ? 'torch.max' : 'torch.min';
    const combine = stage.combine === 'add' ? (a: string, b: string) => `${a} + ${b}` : (a: string, b: string) => `torch.${stage.combine === 'max' ? 'maximum' : 'minimum'}(${a}, ${b})`;
    const finish = (value: string, count: string) => (stage.finish === 'mean' ? `${value} / ${count}` : stage.finish === 'sqrt' ? `torch.sqrt(${value})` : value);
    if (stage.kind === 'layer') {
      stageLines.push(...loop(k, [...lines, `work[i][${JSON.stringify(local)}] = torch.broadcast_to(${finish(`${reduce}(${term})`, 'x.numel()')}, x.shape)`]));
      return;
    }
    // over every coordinate of every parameter
    const initial = stage.combine === 'add' ? '_t(0.0)' : `_t(float("${stage.combine === 'max' ? '-inf' : 'inf'}"))`;
    stageLines.push(`${local} = ${initial}`, ...loop(k, [...lines, `${local} = ${combine(local, `${reduce}(${term})`)}`]));
    if (stage.finish !== 'none') stageLines.push(`${local} = ${finish(local, 'sum(x.numel() for x in params)')}`);
  });
  const { lines, results } = torchExpressions(rule.graph, [rule.x, ...rule.states, ...rule.scalars], name);
  const update = loop(rule.stages.length, [
    ...lines,
    `new_x = ${results[0]}`,
    ...vectors.map((s, k) => `st[${JSON.stringify(s.name)}] = torch.broadcast_to(${results[1 + k]}, x.shape).clone()`),
    ...scalars.map((s, k) => `st[${JSON.stringify(s.name)}] = _t(${results[1 + vectors.length + k]})`),
    'updates.append((x, new_x))',
  ]);
  const draws = [
    ...(rule.usesRandom ? ['work[i]["random"] = torch.randint(0, 2, x.shape, generator=self.generator).to(torch.float64) * 2 - 1'] : []),
    ...(readsHessDiag ? ['work[i]["hess_diag"] = torch.diagonal(torch.autograd.functional.hessian(lambda v: loss_of(TRAIN, v), x.detach().clone()))'] : []),
  ];
  const notes = [
    ...(rule.usesRandom ? ['    # rademacher(): torch\'s random signs from the seed, not Optiscope\'s draws (same rule, other signs).'] : []),
    ...(rule.usesHessian ? ['    # hess_diag, hvp: the exact full-batch Hessian of loss_of at x (torch.autograd.functional).'] : []),
  ];
  return [
    `class ${className}(torch.optim.Optimizer):`,
    `    """The .optim optimizer "${analyzed.optimizer.name}", its rule translated from Optiscope's lowered graph."""`,
    ...notes,
    '',
    `    def __init__(self, params, lr=${pyNumber(lr)}):`,
    '        super().__init__(params, dict(lr=lr))',
    ...(rule.usesRandom ? [`        self.generator = torch.Generator().manual_seed(${Math.round(seed)})`] : []),
    '',
    '    @torch.no_grad()',
    '    def step(self, closure=None):',
    '        value = None',
    '        if closure is not None:',
    '            with torch.enable_grad():',
    '                value = closure()',
    '        for group in self.param_groups:',
    '            lr = _t(group["lr"])',
    '            params = [x for x in group["params"] if x.grad is not None]',
    '            work = [{} for _ in params]',
    '            for i, x in enumerate(params):',
    '                st = self.state[x]',
    '                if not st:',
    '                    st["step"] = 0',
    ...vectors.map((s) => `                    st[${JSON.stringify(s.name)}] = torch.full_like(x, ${pyNumber(s.initial)})`),
    ...scalars.map((s) => `                    st[${JSON.stringify(s.name)}] = _t(${pyNumber(s.initial)})`),
    '                st["step"] += 1',
    ...draws.map((l) => `                ${l}`),
    ...stageLines.map((l) => `            ${l}`),
    '            updates = []',
    ...update.map((l) => `            ${l}`),
    '            for x, new_x in updates:',
    '                x.copy_(new_x)',
    '        return value',
    '',
    '',
  ];
}

/** Optiscope's optimizer name → torch.optim's class and the options it fixes. Newton is written by hand. */
const TORCH_OPTIMIZERS: Record<string, { cls: string; fixed?: Record<string, PyValue> }> = {
  sgd: { cls: 'SGD' }, gd: { cls: 'SGD' }, momentum: { cls: 'SGD' }, nesterov: { cls: 'SGD', fixed: { nesterov: true } },
  adagrad: { cls: 'Adagrad' }, rmsprop: { cls: 'RMSprop' }, adam: { cls: 'Adam' }, amsgrad: { cls: 'Adam', fixed: { amsgrad: true } },
  adamw: { cls: 'AdamW' }, adadelta: { cls: 'Adadelta' }, adamax: { cls: 'Adamax' }, nadam: { cls: 'NAdam' }, radam: { cls: 'RAdam' },
  rprop: { cls: 'Rprop' }, asgd: { cls: 'ASGD' }, adafactor: { cls: 'Adafactor' }, lbfgs: { cls: 'LBFGS' },
  lbfgs_strong_wolfe: { cls: 'LBFGS', fixed: { line_search_fn: 'strong_wolfe' } }, muon: { cls: 'Muon' },
};


function optimizerOptions(run: RunConfig, defaults: PytorchExportInput['optimizerDefaults']): Record<string, PyValue> {
  const spec = TORCH_OPTIMIZERS[run.optimizer];
  const all: Record<string, PyValue> = { ...(defaults?.[run.optimizer] ?? {}), ...run.options, ...(spec?.fixed ?? {}) };
  delete all.rest; // Muon's optimizer for the other parameters: a second torch optimizer
  if (run.optimizer === 'adamw') delete all.decoupled_weight_decay; // AdamW has it fixed and takes no such argument
  return all;
}

function kwargs(options: Record<string, PyValue>): string {
  return Object.entries(options).map(([k, v]) => `${k}=${pyValue(v)}`).join(', ');
}

/** torch.optim.lr_scheduler's equivalent of a schedule, on the optimizer named `opt`. */
export function torchScheduler(schedule: ScheduleSpec | undefined, opt: string): string | undefined {
  if (!schedule || schedule.type === 'constant') return undefined;
  const s = 'torch.optim.lr_scheduler';
  switch (schedule.type) {
    case 'step': return `${s}.StepLR(${opt}, step_size=${Math.round(schedule.step_size)}, gamma=${pyNumber(schedule.gamma ?? 0.1)})`;
    case 'exponential': return `${s}.ExponentialLR(${opt}, gamma=${pyNumber(schedule.gamma)})`;
    case 'cosine': return `${s}.CosineAnnealingLR(${opt}, T_max=${pyNumber(schedule.T_max)}, eta_min=${pyNumber(schedule.eta_min ?? 0)})`;
    case 'linear':
      return `${s}.LinearLR(${opt}, start_factor=${pyNumber(schedule.start_factor ?? 1 / 3)}, end_factor=${pyNumber(schedule.end_factor ?? 1)}, total_iters=${Math.round(schedule.total_iters ?? 5)})`;
    case 'inverse_sqrt': return `${s}.LambdaLR(${opt}, lambda epoch: 1 / math.sqrt(epoch + 1))`;
  }
}

function rowsLiteral(values: Float64Array | number[], width: number, from: number, to: number): string {
  const rows: string[] = [];
  for (let r = from; r < to; r++) rows.push(`    [${Array.from(values.slice(r * width, (r + 1) * width), pyNumber).join(', ')}],`);
  return `torch.tensor([\n${rows.join('\n')}\n], dtype=torch.float64)`;
}

const ACTIVATION_MODULES: Record<NetworkSpec['activation'], string> = {
  tanh: 'nn.Tanh()', relu: 'nn.ReLU()', sigmoid: 'nn.Sigmoid()', linear: 'nn.Identity()', leaky_relu: 'nn.LeakyReLU(0.01)', gelu: 'nn.GELU()',
};
const LOSS_MODULES: Record<NetworkSpec['loss'], string> = { mse: 'nn.MSELoss()', bce: 'nn.BCEWithLogitsLoss()', cross_entropy: 'nn.CrossEntropyLoss()' };

/** The network as an nn.Module whose parameters() come in Optiscope's order (per layer: W, b, then batch norm's weight, bias). */
export function torchNetwork(spec: NetworkSpec): string[] {
  const widths = spec.widths;
  const noise = spec.batchnorm && (spec.bnNoise ?? 0) > 0;
  return [
    ...(noise ? [
      '# Noisy batch norm (Santurkar et al. 2018; bn_noise): after each batch norm, in every forward that updates its',
      '# running statistics, unit j\'s outputs become exp(s N) * out + s N, drawn afresh each time. The draws come from a',
      '# torch.Generator seeded with the network line\'s noise seed, not from Optiscope\'s generator, so the losses differ',
      '# from Optiscope\'s after the first noisy forward.',
      `BN_NOISE = ${pyNumber(spec.bnNoise ?? 0)}`,
      `NOISE_GENERATOR = torch.Generator().manual_seed(${spec.bnNoiseSeed ?? 0})`,
      '',
      '',
    ] : []),
    'class Layer(nn.Module):',
    '    def __init__(self, fan_in, fan_out, hidden):',
    '        super().__init__()',
    '        self.linear = nn.Linear(fan_in, fan_out, dtype=torch.float64)',
    `        self.norm = nn.BatchNorm1d(fan_out, eps=1e-5, momentum=0.1, dtype=torch.float64) if hidden and ${spec.batchnorm ? 'True' : 'False'} else None`,
    `        self.activation = ${ACTIVATION_MODULES[spec.activation]} if hidden else None`,
    `        self.residual = hidden and ${spec.residual ? 'True' : 'False'} and fan_in == fan_out`,
    '',
    '    def forward(self, inputs):',
    '        out = self.linear(inputs)',
    '        if self.norm is not None:',
    '            out = self.norm(out)',
    ...(noise ? [
      '            if self.training and self.norm.momentum:',
      '                draws = torch.randn(out.shape[1], 2, generator=NOISE_GENERATOR)',
      '                out = torch.exp(BN_NOISE * draws[:, 0]) * out + BN_NOISE * draws[:, 1]',
    ] : []),
    '        if self.activation is not None:',
    '            out = self.activation(out)',
    '        return inputs + out if self.residual else out',
    '',
    '',
    `WIDTHS = ${pyValue(widths)}`,
    'model = nn.Sequential(*[Layer(WIDTHS[i], WIDTHS[i + 1], hidden=i < len(WIDTHS) - 2) for i in range(len(WIDTHS) - 1)])',
    `criterion = ${LOSS_MODULES[spec.loss]}`,
    '',
    '',
    'def batch_loss(rows):',
    `    inputs, targets = rows[:, :${widths[0]}], rows[:, ${widths[0]}:]`,
    spec.loss === 'cross_entropy' ? '    return criterion(model(inputs), targets[:, 0].long())' : '    return criterion(model(inputs), targets)',
  ];
}

/** The run's frozen parameter indices (src/shared/freeze.ts), or undefined when none is frozen. */
function frozenIndices(run: RunConfig, loss: LossInfo): number[] | undefined {
  if (run.freeze === undefined) return undefined;
  const mask = frozenMask(run.freeze, loss.dim, loss.network);
  if (typeof mask === 'string') throw new Error(mask);
  const indices = [...mask.keys()].filter((i) => mask[i]);
  return indices.length > 0 ? indices : undefined;
}

/** A run as Python: its optimizer(s), scheduler(s), sampling and step loop, in a function run_<n>(). */
function runFunction(input: PytorchExportInput, run: RunConfig, index: number, network: boolean): string[] {
  const n = index + 1;
  const lines = [`def run_${n}():`, `    """${(run.label ?? run.optimizer).replace(/["\\]/g, '')}"""`];
  // A run with its own initialization seed has a start only the engine draws: the caller's row 0.
  if (run.initSeed !== undefined && input.starts[index] === undefined) throw new Error(`run ${n} (init_seed=${run.initSeed}) needs its start: the engine's first row`);
  const start = (input.starts[index] ?? input.scenario.start ?? input.loss.start).map(pyNumber);
  const spec = TORCH_OPTIMIZERS[run.optimizer];
  const custom = !spec && run.optimizer !== 'newton';
  const refused = custom ? unexportedReason(run.optimizer, run.options, network) : undefined;
  const written = custom && !refused ? torchOptimizerClass(run.optimizer, run.options, `Written${n}`) : undefined;
  if (custom && !written) {
    lines.push(`    raise NotImplementedError(${JSON.stringify(`run ${n}: this written optimizer is not exported: ${refused ?? 'the optimizer file has errors'}`)})`, '', '');
    return lines;
  }
  const stochastic = effectiveStochastic(run, input.loss);
  const batch = stochastic.batchSize ?? 0;
  const options = written ? {} : optimizerOptions(run, input.optimizerDefaults);
  if (run.initSeed !== undefined) lines.push(`    # init_seed=${run.initSeed}: the network line's initialization drawn with seed ${run.initSeed} (Optiscope's generator, not torch's)`);
  lines.push(`    start = torch.tensor((${start.join(', ')}${start.length === 1 ? ',' : ''}), dtype=torch.float64)`);
  let groups: string;
  if (network) {
    lines.push('    torch.nn.utils.vector_to_parameters(start, model.parameters())');
    lines.push('    reset_running_statistics()');
    groups = 'model.parameters()';
  } else {
    lines.push('    p = start.clone().requires_grad_(True)');
    groups = '[p]';
  }
  const frozen = frozenIndices(run, input.loss);
  if (frozen) {
    // Optiscope's freeze: no gradient for the frozen coordinates, and their values written back after every step.
    lines.push(`    frozen = torch.tensor(${pyValue(frozen)}, dtype=torch.long)`);
    lines.push(`    frozen_values = ${network ? 'torch.nn.utils.parameters_to_vector(model.parameters())' : 'p'}.detach().clone()`);
  }
  const optimizers: string[] = [];
  if (run.optimizer === 'muon') {
    const rest = (run.options.rest ?? { optimizer: 'adamw', options: {} }) as unknown as RunConfig;
    const restSpec = TORCH_OPTIMIZERS[rest.optimizer] ?? TORCH_OPTIMIZERS.adamw;
    lines.push('    # Muon steps the hidden layers\' weight matrices; every other parameter steps by `rest`.');
    lines.push('    hidden_weights = [layer.linear.weight for layer in list(model)[:-1]]');
    lines.push('    rest = [q for q in model.parameters() if all(q is not w for w in hidden_weights)]');
    // Optiscope's Muon defaults are torch's (adjust_lr_fn None is "original"): the options given are enough.
    lines.push(`    muon = torch.optim.Muon(hidden_weights, ${kwargs(options)})`);
    lines.push(`    rest_optimizer = torch.optim.${restSpec.cls}(rest, ${kwargs(optimizerOptions({ ...rest, options: rest.options ?? {} }, input.optimizerDefaults))})`);
    optimizers.push('muon', 'rest_optimizer');
  } else if (written) {
    lines.unshift(...written);
    lines.push(`    optimizer = Written${n}(${groups}${typeof run.options.lr === 'number' ? `, lr=${pyNumber(run.options.lr)}` : ''})`);
    optimizers.push('optimizer');
  } else if (run.optimizer === 'newton') {
    lines.push(`    optimizer = Newton(${groups}, ${kwargs(options)})`);
    optimizers.push('optimizer');
  } else {
    lines.push(`    optimizer = torch.optim.${spec.cls}(${groups}, ${kwargs(options)})`);
    optimizers.push('optimizer');
  }
  const schedulers = optimizers.map((opt) => torchScheduler(run.schedule, opt)).filter((s): s is string => !!s);
  schedulers.forEach((s, i) => lines.push(`    scheduler_${i + 1} = ${s}`));
  if (batch > 0) {
    lines.push(`    generator = torch.Generator().manual_seed(${stochastic.seed ?? 0})`);
    lines.push(
      stochastic.replacement
        ? `    batches = (torch.randint(0, TRAIN.shape[0], (${batch},), generator=generator) for _ in iter(int, 1))`
        : `    batches = epochs(${batch}, generator)`,
    );
  } else if (stochastic.noise) {
    lines.push(`    generator = torch.Generator().manual_seed(${stochastic.seed ?? 0})`);
  }
  const lossAt = network ? 'batch_loss' : 'loss_of';
  const parameters = network ? 'list(model.parameters())' : '[p]';
  lines.push('    losses = []');
  lines.push('    for step in range(STEPS + 1):');
  lines.push(batch > 0 ? `        loss = recorded_loss(lambda: ${lossAt}(TRAIN))` : `        loss = ${lossAt}(TRAIN)`);
  lines.push('        losses.append(loss.item())', `        print(f"run ${n} step {step} loss {loss.item():.17g}")`, '        if step == STEPS:', '            break');
  lines.push(batch > 0 ? '        rows = TRAIN[next(batches)]' : '        rows = TRAIN');
  lines.push('');
  lines.push('        def closure():');
  for (const opt of optimizers) lines.push(`            ${opt}.zero_grad()`);
  lines.push(batch > 0 ? `            value = ${lossAt}(rows)` : '            value = loss if closure.first else ' + `${lossAt}(rows)`);
  if (batch === 0) lines.push('            closure.first = False');
  lines.push('            value.backward()');
  if (stochastic.noise) {
    lines.push(`            for q in ${parameters}:`, `                q.grad += ${pyNumber(stochastic.noise)} * torch.randn(q.shape, dtype=torch.float64, generator=generator)`);
  }
  if (frozen) {
    lines.push(network
      ? '            grads = torch.nn.utils.parameters_to_vector([q.grad for q in model.parameters()])\n            grads[frozen] = 0\n            torch.nn.utils.vector_to_parameters(grads, [q.grad for q in model.parameters()])'
      : '            p.grad[frozen] = 0');
  }
  lines.push('            return value');
  if (batch === 0) lines.push('        closure.first = True');
  if (run.optimizer === 'muon') {
    lines.push('        closure()', '        rest_optimizer.step()', '        muon.step()');
  } else {
    lines.push(run.optimizer.startsWith('lbfgs') || run.optimizer === 'newton' ? '        optimizer.step(closure)' : '        closure()\n        optimizer.step()');
  }
  const project = run.project;
  if (project && !network) {
    const lo = project.map((r) => r[0]);
    const hi = project.map((r) => r[1]);
    lines.push('        with torch.no_grad():', `            p.copy_(torch.clamp(p, torch.tensor(${pyValue(lo)}, dtype=torch.float64), torch.tensor(${pyValue(hi)}, dtype=torch.float64)))`);
  }
  if (frozen) {
    lines.push(network
      ? '        with torch.no_grad():\n            flat = torch.nn.utils.parameters_to_vector(model.parameters())\n            flat[frozen] = frozen_values[frozen]\n            torch.nn.utils.vector_to_parameters(flat, model.parameters())'
      : '        with torch.no_grad():\n            p[frozen] = frozen_values[frozen]');
  }
  schedulers.forEach((_, i) => lines.push(`        scheduler_${i + 1}.step()`));
  lines.push('    return losses', '', '');
  return lines;
}

const NEWTON_CLASS = [
  'class Newton(torch.optim.Optimizer):',
  '    """Optiscope\'s Newton: x -= lr * (H + damping*I)^-1 g, with the Hessian of the full-batch loss (not in torch.optim)."""',
  '',
  '    def __init__(self, params, lr=1.0, damping=0.0):',
  '        super().__init__(params, dict(lr=lr, damping=damping))',
  '',
  '    @torch.no_grad()',
  '    def step(self, closure):',
  '        with torch.enable_grad():',
  '            value = closure()',
  '        for group in self.param_groups:',
  '            for q in group["params"]:',
  '                hessian = torch.autograd.functional.hessian(lambda v: loss_of(TRAIN, v), q.detach().clone())',
  '                eye = torch.eye(q.numel(), dtype=torch.float64)',
  '                q -= group["lr"] * torch.linalg.solve(hessian + group["damping"] * eye, q.grad)',
  '        return value',
  '',
  '',
];

/** The standalone script. Throws with a reason for what cannot be exported (a built-in without a formula). */
export function pytorchScript(input: PytorchExportInput): string {
  const { scenario, loss } = input;
  const network = loss.network;
  const out: string[] = [
    `# ${loss.title}: exported from Optiscope as a PyTorch script (float64).`,
    '# Runs every optimizer of the scenario from the start Optiscope used and prints the loss at every step',
    '# (step 0 is the start). A full-batch run reproduces Optiscope\'s numbers. Written for PyTorch 2.9 or newer',
    '# (torch.optim.Muon, Adafactor, decoupled_weight_decay).',
    'import math',
    '',
    'import torch',
    'from torch import nn',
    '',
    'torch.set_default_dtype(torch.float64)',
    `STEPS = ${scenario.steps}`,
    '',
    '',
    'def _t(value):',
    '    return torch.tensor(value, dtype=torch.float64)',
    '',
    '',
  ];
  const columns = loss.data?.columns ?? [];
  const trainCount = loss.data?.count ?? 0;
  if (loss.data && input.samples) {
    out.push(`# The data: columns ${columns.join(', ')}; the first ${trainCount} rows train${loss.data.testCount ? `, the last ${loss.data.testCount} are the test split` : ''}.`);
    out.push(`DATA = ${rowsLiteral(input.samples, columns.length, 0, input.samples.length / columns.length)}`);
    out.push(`TRAIN = DATA[:${trainCount}]`, '', '');
  } else {
    out.push('TRAIN = None  # no data: the loss is a formula in the parameters', '', '');
  }
  if (network) {
    out.push(...torchNetwork(network), '', '');
    out.push(
      'def reset_running_statistics():',
      '    for module in model.modules():',
      '        if isinstance(module, nn.BatchNorm1d):',
      '            module.reset_running_stats()',
      '',
      '',
    );
  } else {
    const text = input.lossText ?? scenario.loss;
    const parsed = parseLoss(text);
    if (!parsed.ok) throw new Error(`${loss.title} cannot be exported as a PyTorch script: ${parsed.diagnostics[0]?.message ?? 'it does not parse'}`);
    if (parsed.loss.scenario.builtin) throw new Error(`${loss.title} cannot be exported as a PyTorch script: the built-in "${parsed.loss.scenario.builtin.name}" has no formula`);
    const { lines, result } = torchExpression(parsed.loss.graph, parsed.loss.root, (i) => (i >= DATA_OFFSET ? `d[:, ${i - DATA_OFFSET}]` : `p[${i}]`));
    const dataNote = parsed.loss.data ? ' (one value per sample of d; the loss is their mean)' : '';
    out.push('def _cbrt(a):', '    return torch.sign(a) * torch.abs(a) ** (1.0 / 3.0)', '', '');
    out.push(`def loss_of(d, p=None):`, `    """f = ${loss.formula.replace(/["\\]/g, '')}${dataNote}; parameters ${loss.params.join(', ')}."""`);
    out.push(...lines.map((l) => `    ${l}`));
    out.push(`    return (${result}).mean()` + (parsed.loss.data ? '' : '  # a scalar: mean() is the identity'), '', '');
  }
  const anyMinibatch = scenario.runs.some((run) => (effectiveStochastic(run, loss).batchSize ?? 0) > 0);
  if (anyMinibatch) {
    out.push(
      "# Minibatches come from torch.Generator seeded with the run's seed: the sampling order differs from Optiscope's,",
      "# so stochastic runs do not match Optiscope's bit for bit.",
      'def epochs(batch, generator):',
      '    while True:',
      '        order = torch.randperm(TRAIN.shape[0], generator=generator)',
      '        for i in range(0, TRAIN.shape[0] - batch + 1, batch):',
      '            yield order[i:i + batch]',
      '',
      '',
      'def recorded_loss(loss_fn):',
      '    """The full-batch loss Optiscope records, without moving batch norm\'s running statistics."""',
      '    momenta = [(m, m.momentum) for m in MODULES if isinstance(m, nn.BatchNorm1d)]',
      '    for m, _ in momenta:',
      '        m.momentum = 0.0',
      '    try:',
      '        return loss_fn()',
      '    finally:',
      '        for m, momentum in momenta:',
      '            m.momentum = momentum',
      '',
      '',
      `MODULES = ${network ? 'list(model.modules())' : '[]'}`,
      '',
      '',
    );
  }
  if (scenario.runs.some((run) => run.optimizer === 'newton')) out.push(...NEWTON_CLASS);
  scenario.runs.forEach((run, i) => {
    const body = runFunction(input, run, i, !!network);
    // A formula's runs read their own p: loss_of(rows) means loss_of(rows, p).
    out.push(...(network ? body : body.map((l) => l.replace(/loss_of\((TRAIN|rows)\)/g, 'loss_of($1, p)'))));
  });
  if (input.expectedLosses) {
    out.push('# Optiscope\'s loss at every step of each run, to compare with.');
    out.push(`EXPECTED = [\n${input.expectedLosses.map((l) => `    [${l.map(pyNumber).join(', ')}],`).join('\n')}\n]`, '', '');
  }
  out.push('if __name__ == "__main__":');
  scenario.runs.forEach((run, i) => {
    out.push(`    losses_${i + 1} = run_${i + 1}()`);
    const stochastic = effectiveStochastic(run, loss);
    if (input.expectedLosses?.[i] && ((stochastic.batchSize ?? 0) > 0 || stochastic.noise)) {
      out.push(`    # run ${i + 1} is stochastic: its sampling differs from Optiscope's, so its losses do too.`);
    } else if (input.expectedLosses?.[i]) {
      out.push(
        `    worst = max((abs(a - b) / max(abs(b), 1e-300) for a, b in zip(losses_${i + 1}, EXPECTED[${i}]) if math.isfinite(b)), default=0.0)`,
        `    print(f"run ${i + 1}: largest relative difference from Optiscope {worst:.3g}")`,
      );
    }
  });
  return `${out.join('\n')}\n`;
}

/** The script for a scenario whose runs the engine has made (Export and the CLI): data, starts and losses are theirs. */
export async function pytorchScriptOf(engine: Pick<Engine, 'lossInfo' | 'samples' | 'losses' | 'optimizers'>, scenario: ExportScenario, traces: Pick<TraceData, 'dim' | 'rows' | 'rowCount'>[]): Promise<string> {
  const loss = await engine.lossInfo(scenario.loss, scenario.lossParams);
  const builtin = engine.losses().some((l) => l.name === scenario.loss);
  if (builtin && loss.expression === undefined) throw new Error(`${loss.title} cannot be exported as a PyTorch script yet: the built-in "${loss.name}" has no formula in the loss language`);
  const expression = loss.expression?.includes('\n') ? loss.expression : `f = ${loss.expression}`;
  return pytorchScript({
    scenario,
    loss,
    lossText: loss.network ? undefined : builtin ? expression : scenario.loss,
    samples: loss.data ? await engine.samples(scenario.loss, scenario.lossParams) : undefined,
    starts: traces.map((trace) => Array.from(trace.rows.subarray(0, trace.dim))),
    optimizerDefaults: Object.fromEntries(engine.optimizers().map((o) => [o.name, o.defaults])),
    expectedLosses: traces.map((trace) => Array.from({ length: trace.rowCount }, (_, r) => trace.rows[r * (trace.dim + 2) + trace.dim])),
  });
}
