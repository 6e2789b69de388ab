// The scenario model: a loss, its runs, steps, stop rule and breakpoints, as the panels, the training session
// (panel and debugger), the CLI, the engine's requests, the .loss print/parse and the exports all hold it.
// The schema is written once (valibot); the types are inferred from it, and `validate` checks whatever arrives from
// outside (webview messages, saved panel state, settings, a debug launch). Each check names what it expected, so a
// message reads "message.scenario.steps: expected an integer in [1, 100000]".
import * as v from 'valibot';
import { LIMITS } from './limits';
import { FREEZE_GROUPS } from './freeze';

// ---- the pieces ----

const FINITE = 'a finite number';
const finite = v.pipe(v.number(FINITE), v.finite(FINITE));

// The helpers are pure (@__NO_SIDE_EFFECTS__): a bundle drops the schemas it does not use.
/* @__NO_SIDE_EFFECTS__ */
function integer(min: number, max: number) {
  const expected = `an integer in [${min}, ${max}]`;
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

/* @__NO_SIDE_EFFECTS__ */
function text(maxLength: number) {
  const expected = `a string of at most ${maxLength} characters`;
  return v.pipe(v.string(expected), v.maxLength(maxLength, expected));
}

/* @__NO_SIDE_EFFECTS__ */
function numbers(maxLength: number) {
  const expected = `an array of at most ${maxLength} numbers`;
  return v.pipe(v.array(finite, expected), v.maxLength(maxLength, expected));
}

const flag = v.boolean('true or false');

const RANGE = 'a range [lo, hi] with lo < hi';
const range = v.pipe(v.strictTuple([finite, finite], RANGE), v.check(([lo, hi]) => lo < hi, RANGE));

/** A record of finite numbers with at most maxOptions entries (loss parameters). */
const numberRecord = v.pipe(v.record(v.string(), finite, 'an object'), v.maxEntries(LIMITS.maxOptions, `at most ${LIMITS.maxOptions} entries`));

export const SCHEDULE_TYPES = ['constant', 'step', 'exponential', 'cosine', 'linear', 'inverse_sqrt'] as const;

/** A learning-rate schedule (torch.optim.lr_scheduler's formulas). */
export const ScheduleSchema = v.variant('type', [
  v.object({ type: v.literal('constant') }),
  v.object({ type: v.literal('step'), step_size: finite, gamma: v.optional(finite) }),
  v.object({ type: v.literal('exponential'), gamma: finite }),
  v.object({ type: v.literal('cosine'), T_max: finite, eta_min: v.optional(finite) }),
  v.object({ type: v.literal('linear'), start_factor: v.optional(finite), end_factor: v.optional(finite), total_iters: v.optional(finite) }),
  /** lr / sqrt(epoch + 1): torch's LambdaLR(lambda e: 1 / sqrt(e + 1)). */
  v.object({ type: v.literal('inverse_sqrt') }),
], `one of ${SCHEDULE_TYPES.join(', ')}`);

/** Stochastic steps: minibatches of a data-backed loss and/or Gaussian gradient noise, reproducible from seed. */
export const StochasticSchema = v.object({
  /** Samples per step (data-backed losses); 0 or absent: the full batch. */
  batchSize: v.optional(integer(0, LIMITS.maxBatchSize)),
  /** Draw each batch with replacement (default: shuffled epochs without replacement). */
  replacement: v.optional(flag),
  /** Standard deviation of Gaussian noise added to every gradient coordinate. */
  noise: v.optional(v.pipe(finite, v.minValue(0, 'a number >= 0'))),
  /** Default 0. The same seed gives the same bits. */
  seed: v.optional(integer(0, LIMITS.maxSeed)),
}, 'an object');

const BOX = `an array of 1 to ${LIMITS.panelMaxParams} ranges`;

/** Options whose torch type is a string (the engine checks their values), by optimizer. */
export const STRING_OPTIONS: Readonly<Record<string, readonly string[]>> = { lbfgs: ['line_search_fn'] };
const STRING_OPTION_NAMES = new Set(Object.values(STRING_OPTIONS).flat());

const OPTION_VALUE = 'a finite number, true or false, or an array of numbers';
/** An optimizer option: a number, a flag, a list of numbers (betas), or text for the options in STRING_OPTIONS. */
const OptionValueSchema = v.union([finite, flag, numbers(LIMITS.maxArray), text(LIMITS.labelLength)], `${OPTION_VALUE} (text for ${[...STRING_OPTION_NAMES].join(', ')})`);

/** A run's options: text only under the names of STRING_OPTIONS (the message names the option, as for other values). */
const OptionsSchema = v.pipe(
  v.record(v.string(), OptionValueSchema, 'an object'),
  v.maxEntries(LIMITS.maxOptions, `at most ${LIMITS.maxOptions} entries`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [key, value] of Object.entries(dataset.value)) {
      if (typeof value === 'string' && !STRING_OPTION_NAMES.has(key)) {
        addIssue({ message: OPTION_VALUE, path: [{ type: 'object', origin: 'value', input: dataset.value, key, value }] });
      }
    }
  }),
);

/** One optimizer run: PyTorch option names, e.g. { lr: 0.01, momentum: 0.9 }. */
export const RunSchema = v.object({
  /** A built-in's name (adam), or a written optimizer's .optim text (its label defaults to the name on its first line). */
  optimizer: text(LIMITS.optimizerLength),
  options: OptionsSchema,
  /** A label for legends; defaults to the optimizer and its non-default options. */
  label: v.optional(text(LIMITS.labelLength)),
  /** This run's own start (one number per parameter); absent: the scenario's. */
  start: v.optional(numbers(LIMITS.panelMaxParams)),
  /**
   * A network loss only: start from the network line's initialization drawn with this seed instead of the line's
   * `seed=` (what the line with seed=initSeed gives, bit for bit). A run's own start wins over it; it wins over the scenario's.
   */
  initSeed: v.optional(integer(0, LIMITS.maxSeed)),
  /** Minibatches of a data-backed loss, gradient noise, seed. */
  stochastic: v.optional(StochasticSchema),
  schedule: v.optional(ScheduleSchema),
  /** A box x is projected onto after every step (one [lo, hi] for all parameters, or one per parameter). */
  project: v.optional(v.pipe(v.array(range, BOX), v.minLength(1, BOX), v.maxLength(LIMITS.panelMaxParams, BOX))),
  /** Parameters kept at their start values (src/shared/freeze.ts): a network group name, or parameter indices (a pruning mask). */
  freeze: v.optional(v.union([
    v.picklist(FREEZE_GROUPS),
    v.pipe(v.array(integer(0, LIMITS.network.params - 1)), v.maxLength(LIMITS.network.params)),
  ], `one of ${FREEZE_GROUPS.join(', ')}, or an array of parameter indices`)),
}, 'an object');

/** When a run stops before its steps. */
export const StopSchema = v.object({
  /** Stop (status 'converged') once the gradient norm is at or below this. Off by default. */
  gradTol: v.optional(finite),
  /** Stop (status 'out_of_bounds') once a parameter leaves [lo, hi] (one pair per parameter, or one pair for all). */
  bounds: v.optional(v.pipe(v.array(range, BOX), v.maxLength(LIMITS.panelMaxParams, BOX))),
}, 'an object');

/** A breakpoint: a loss-language condition over the run's state, checked after every step. */
export const BreakpointSchema = v.object({
  /**
   * E.g. 'loss < 1e-6', 'step % 100 == 0', 'gradnorm > 1e3', 'x > 2', 'isnan(loss)'. Names: step, loss,
   * gradnorm, lr, the parameters (x, y, ...), grad_<param>, the optimizer's state as <buffer>_<param>
   * (momentum_buffer_x, exp_avg_x, exp_avg_sq_x, max_exp_avg_sq_x, sum_x, square_avg_x, ...).
   */
  condition: text(LIMITS.conditionLength),
  /** VS Code's hit count: '5' or '== 5' (the 5th hit), '>= 5' (from the 5th on), '% 5' (every 5th). */
  hitCondition: v.optional(text(LIMITS.labelLength)),
  /** The runs it applies to (indices into runs); default: all. */
  runs: v.optional(v.array(integer(0, LIMITS.maxRuns - 1), 'an array of run indices')),
  enabled: v.optional(flag),
  /** Count only steps where the condition becomes true (it did not hold at the step before), so a run goes on past them. */
  onChange: v.optional(flag),
}, 'an object');

const RUNS = `an array of at most ${LIMITS.maxRuns} runs`;
const BREAKPOINTS = `an array of at most ${LIMITS.maxBreakpoints} breakpoints`;

/** The Playground's breakpoint list (saved with the panel; the panel gives them to its session as BreakpointSpecs). */
export const PanelBreakpointsSchema = v.object({
  list: v.pipe(v.array(v.object({
    condition: text(LIMITS.conditionLength),
    enabled: flag,
    /** The run it applies to; null: all runs. */
    run: v.nullable(integer(0, LIMITS.maxRuns - 1)),
  }, 'an object'), BREAKPOINTS), v.maxLength(LIMITS.maxBreakpoints, BREAKPOINTS)),
  /** Stop where a run's values become non-finite (on by default). */
  breakOnDivergence: flag,
}, 'an object');

/** Everything needed to run and redraw a scenario: saved in a panel's state and restored after a reload. */
export const ScenarioSchema = v.object({
  /**
   * A built-in loss name, or a loss in the loss language (a whole .loss text). A per-sample loss carries its data
   * inline (`data x, y = [1, 2; 3, 4]`); files (`data "p.csv"`) are read by the caller: see inlineDataFiles in src/loss.
   */
  loss: text(LIMITS.lossLength),
  /** Built-in loss parameters (e.g. { condition: 100 } for quadratic, { dim: 10 } for n-D losses). */
  lossParams: v.optional(numberRecord),
  /** Start point for runs that name none; null (or absent) means the loss's default start. */
  start: v.nullish(numbers(LIMITS.panelMaxParams), null),
  runs: v.pipe(v.array(RunSchema, RUNS), v.maxLength(LIMITS.maxRuns, RUNS)),
  steps: integer(1, LIMITS.panelMaxSteps),
  stop: v.optional(StopSchema),
  /** Conditions the runs pause at (the first step where one holds). */
  breakpoints: v.optional(v.pipe(v.array(BreakpointSchema, BREAKPOINTS), v.maxLength(LIMITS.maxBreakpoints, BREAKPOINTS))),
  /** The visible extent; null (or absent) means the loss's domain. */
  view: v.nullish(v.object({ x: range, y: range }, 'an object'), null),
  /** The loss chart's x axis: optimizer steps (default) or samples seen (step x batch size). */
  chartX: v.optional(v.picklist(['step', 'samples'], "'step' or 'samples'")),
  /** Keep the parameters of every k-th step (every step's loss is kept); absent: chosen from LIMITS.panelRecordBytes. */
  recordEvery: v.optional(integer(1, LIMITS.panelMaxSteps)),
  /** The lesson this scenario belongs to (its explanation is shown beside it). */
  lesson: v.optional(text(LIMITS.labelLength)),
}, 'an object');

export type Range = [number, number];
export type OptionValue = v.InferOutput<typeof OptionValueSchema>;
export type ScheduleSpec = v.InferOutput<typeof ScheduleSchema>;
export type StochasticSpec = v.InferOutput<typeof StochasticSchema>;
export type StopSpec = v.InferOutput<typeof StopSchema>;
export type BreakpointSpec = v.InferOutput<typeof BreakpointSchema>;
export type RunConfig = v.InferOutput<typeof RunSchema>;
export type Scenario = v.InferOutput<typeof ScenarioSchema>;
export type PanelBreakpoints = v.InferOutput<typeof PanelBreakpointsSchema>;
export type PanelBreakpoint = PanelBreakpoints['list'][number];

/**
 * A scenario before the defaults are filled in: what a .loss file says, or a command's argument. The panels complete
 * it (the configured runs and steps, the loss's start: completeScenario in src/panels); the debugger too.
 */
export type ScenarioDraft = Pick<Scenario, 'loss'> & Partial<Omit<Scenario, 'loss'>>;

/** Each schedule's numeric fields and the defaults the panel fills in. */
export const SCHEDULE_FIELDS: Record<ScheduleSpec['type'], Record<string, number>> = {
  constant: {},
  step: { step_size: 100, gamma: 0.5 },
  exponential: { gamma: 0.99 },
  cosine: { T_max: 300, eta_min: 0 },
  linear: { start_factor: 0.1, end_factor: 1, total_iters: 50 },
  inverse_sqrt: {},
};

// ---- validation ----

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `path.key[0].key` of an issue, from the value's own name (e.g. "message.scenario"; '': from its fields). */
function issuePath(root: string, issue: v.BaseIssue<unknown>): string {
  let path = root;
  for (const item of issue.path ?? []) path += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  return path.replace(/^\./, '');
}

/** The value without fields set to undefined (valibot keeps an optional key that is present): absent, as in JSON. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined).map(([key, item]) => [key, withoutUndefined(item)])) as T;
}

/** Checks a value from outside against a schema: its known fields only, or the first problem with its path. */
export function validate<S extends v.GenericSchema>(schema: S, value: unknown, path: string): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return { ok: true, value: withoutUndefined(result.output) };
  const issue = result.issues[0];
  // A required field that is absent: valibot's issue is the object's, with the key in its path.
  const missing = issue.type === 'object' && issue.input === undefined && (issue.path?.length ?? 0) > 0;
  return { ok: false, error: `${issuePath(path, issue)}: ${missing ? 'missing' : `expected ${issue.message}`}` };
}

export function parseScenario(raw: unknown, path = 'scenario'): Parsed<Scenario> {
  return validate(ScenarioSchema, raw, path);
}

/**
 * A command's argument as a draft: a built-in name, or an object whose loss is a string. Each other field is kept
 * when valid and left out (the default) when not, as a CodeLens's argument may come from an older file.
 */
export function parseScenarioDraft(raw: unknown): ScenarioDraft | undefined {
  if (typeof raw === 'string') return { loss: raw };
  const loss = validate(ScenarioSchema.entries.loss, (raw as { loss?: unknown } | null)?.loss, 'loss');
  if (!loss.ok) return undefined;
  const draft: ScenarioDraft = { loss: loss.value };
  const fields = raw as Record<string, unknown>;
  for (const key of ['lossParams', 'runs', 'steps', 'start', 'recordEvery'] as const) {
    if (fields[key] == null) continue;
    const field = validate(ScenarioSchema.entries[key], fields[key], key);
    if (field.ok) Object.assign(draft, { [key]: field.value });
  }
  return draft;
}

const RunsSchema = v.pipe(v.array(RunSchema, RUNS), v.maxLength(LIMITS.maxRuns, RUNS));

/** Validates runs from outside (a command's argument, the settings). */
export function parseRuns(raw: unknown, path = 'runs'): Parsed<RunConfig[]> {
  return validate(RunsSchema, raw, path);
}
