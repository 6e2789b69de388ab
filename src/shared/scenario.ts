// Pure helpers for scenarios and loss previews (no 'vscode' import: unit-tested in node).
import type { LossInfo, OptimizerInfo } from './engineApi';
import type { OptionValue, RunConfig, Scenario } from './protocol';

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

export function formatPoint(point: number[]): string {
  return `(${point.map(formatNumber).join(', ')})`;
}

/** A start point as the panels show it: whole up to 8 numbers; a network's hundreds as the first few and their count. */
export function formatStart(point: number[]): string {
  if (point.length <= 8) return formatPoint(point);
  return `(${point.slice(0, 4).map(formatNumber).join(', ')}, … ${point.length} parameters)`;
}

/** The quick-pick preview of a loss: its formula and its known minima. */
export function describeMinima(loss: LossInfo, shown = 2): string {
  if (loss.minima.length === 0) return 'no known minimum';
  const listed = loss.minima.slice(0, shown).map((m) => `f${formatPoint(m.point)} = ${formatNumber(m.value)}`);
  const more = loss.minima.length - shown;
  return `min ${listed.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`;
}

/** The quick-pick description: the loss's name, and how a loss that is not 2-D is shown. */
export function lossDescription(loss: LossInfo): string {
  if (loss.dim === 2) return loss.name;
  if (loss.dim === 1) return `${loss.name} · 1-D, drawn as its graph`;
  return `${loss.name} · ${loss.dim}-D, the slice of ${loss.params[0]} and ${loss.params[1]}`;
}

export function lossPreview(loss: LossInfo): string {
  return `${loss.formula}  ·  ${describeMinima(loss)}`;
}

/** Whether a run's optimizer is a written one (an optimizer-language text, whose first statement is `optimizer NAME`). */
export function isOptimizerSource(text: unknown): boolean {
  return typeof text === 'string' && /^(?:\s|#[^\n\r]*)*optimizer\s/.test(text);
}

/** A run's optimizer as messages name it: a built-in's name, or the name on a written optimizer's `optimizer` line. */
export function optimizerName(optimizer: string): string {
  if (!isOptimizerSource(optimizer)) return optimizer;
  return /^(?:\s|#[^\n\r]*)*optimizer\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(optimizer)?.[1] ?? 'written';
}

/** Finds an optimizer by name, ignoring case (settings may say "adam" for "Adam"), or a written one by its text. */
export function findOptimizer(optimizers: OptimizerInfo[], name: string): OptimizerInfo | undefined {
  if (isOptimizerSource(name)) return optimizers.find((o) => o.source === name);
  const wanted = name.toLowerCase();
  return optimizers.find((o) => o.source === undefined && o.name.toLowerCase() === wanted);
}

/** A run with the optimizer's defaults filled in under the given options; undefined for an unknown optimizer. */
export function completeRun(optimizers: OptimizerInfo[], run: RunConfig): RunConfig | undefined {
  const info = findOptimizer(optimizers, run.optimizer);
  if (!info) return undefined;
  const options: Record<string, OptionValue> = { ...info.defaults };
  // Options the run gives are kept where the optimizer has them, also those without a default (max_eval).
  for (const [key, value] of Object.entries(run.options)) if (key in info.defaults || (info.optional && key in info.optional)) options[key] = value;
  // Every other field of the run goes along (spread, not listed: a field added to the model is kept); an empty
  // label or a field set to undefined is left out.
  const { label, ...rest } = run;
  const complete = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as RunConfig;
  return { ...complete, ...(label ? { label } : {}), optimizer: info.source ?? info.name, options };
}

/** An entry of the optimizer picker: an optimizer, or a named variant of one (GD, momentum, Nesterov, AMSGrad). */
export interface OptimizerChoice {
  value: string;
  label: string;
  description: string;
  optimizer: string;
  /** Options the choice sets over the run's own (the plain entries of sgd and adam switch their variants off). */
  options: Record<string, OptionValue>;
}

const VARIANTS: Record<string, Omit<OptimizerChoice, 'optimizer' | 'description'>[]> = {
  sgd: [
    { value: 'sgd', label: 'GD / SGD', options: { momentum: 0, nesterov: false } },
    { value: 'sgd:momentum', label: 'SGD + momentum', options: { momentum: 0.9, nesterov: false } },
    { value: 'sgd:nesterov', label: 'Nesterov', options: { momentum: 0.9, dampening: 0, nesterov: true } },
  ],
  adam: [
    { value: 'adam', label: 'Adam', options: { amsgrad: false } },
    { value: 'adam:amsgrad', label: 'AMSGrad', options: { amsgrad: true } },
  ],
};

/** The picker's value of a written optimizer: its file (two files may declare the same name). */
function writtenChoice(info: OptimizerInfo): string {
  return `written:${info.file ?? info.name}`;
}

/** The optimizer picker's entries, in the engine's order, each optimizer followed by its named variants; then the written ones. */
export function optimizerChoices(optimizers: OptimizerInfo[]): OptimizerChoice[] {
  return optimizers.flatMap((info) => info.source !== undefined
    ? [{ value: writtenChoice(info), label: `${info.name} (${info.file ?? 'written'})`, description: info.title, optimizer: info.source, options: {} }]
    : (VARIANTS[info.name] ?? [{ value: info.name, label: info.name, options: {} }]).map((variant) => ({
      ...variant,
      optimizer: info.name,
      description: variant.value === info.name ? info.title : `${info.name} with ${Object.entries(variant.options).filter(([, v]) => v !== false && v !== 0).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    })),
  );
}

/** The picker entry that shows a run: the variant its options make it, or its written optimizer's entry. */
export function choiceOf(run: RunConfig, optimizers: OptimizerInfo[]): string {
  const { optimizer, options } = run;
  if (isOptimizerSource(optimizer)) {
    const info = findOptimizer(optimizers, optimizer);
    return info ? writtenChoice(info) : '';
  }
  if (optimizer === 'sgd' && options.nesterov === true) return 'sgd:nesterov';
  if (optimizer === 'sgd' && typeof options.momentum === 'number' && options.momentum > 0) return 'sgd:momentum';
  if (optimizer === 'adam' && options.amsgrad === true) return 'adam:amsgrad';
  return optimizer;
}

/** The run after picking an entry: its options kept where the new optimizer has them, the variant's set over them. */
export function applyChoice(optimizers: OptimizerInfo[], run: RunConfig, value: string): RunConfig | undefined {
  const choice = optimizerChoices(optimizers).find((c) => c.value === value);
  if (!choice) return undefined;
  const options = { ...run.options, ...choice.options };
  // Momentum already chosen by the user survives a switch between momentum and Nesterov.
  if (choice.options.momentum && typeof run.options.momentum === 'number' && run.options.momentum > 0) options.momentum = run.options.momentum;
  // A label named the old choice; stochastic settings, schedule and projection belong to the run and stay.
  const { label: _label, ...kept } = run;
  return completeRun(optimizers, { ...kept, optimizer: choice.optimizer, options });
}

export interface ScenarioDefaults {
  runs: RunConfig[];
  steps: number;
}

/** A fresh scenario for a loss: the configured runs the engine knows, from the loss's default start. */
export function defaultScenario(loss: LossInfo, optimizers: OptimizerInfo[], defaults: ScenarioDefaults): Scenario {
  let runs = defaults.runs.map((run) => completeRun(optimizers, run)).filter((run): run is RunConfig => run !== undefined);
  if (runs.length === 0 && optimizers.length > 0) runs = [{ optimizer: optimizers[0].name, options: { ...optimizers[0].defaults } }];
  return { loss: loss.name, lossParams: loss.lossParams, start: null, runs, steps: defaults.steps, view: null };
}

/** The label a run shows in legends: its own, or the optimizer and any non-default options. */
export function runLabel(run: RunConfig, optimizers: OptimizerInfo[]): string {
  if (run.label) return run.label;
  const defaults = findOptimizer(optimizers, run.optimizer)?.defaults ?? {};
  const changed = Object.entries(run.options)
    .filter(([key, value]) => key !== 'lr' && JSON.stringify(value) !== JSON.stringify(defaults[key]))
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('/') : value}`);
  const lr = typeof run.options.lr === 'number' ? ` lr=${formatNumber(run.options.lr)}` : '';
  const batch = run.stochastic?.batchSize ? ` B=${run.stochastic.batchSize}` : '';
  const schedule = run.schedule && run.schedule.type !== 'constant' ? ` ${run.schedule.type}` : '';
  // Two runs from two initializations differ by this alone: it names them apart, as the .loss line writes it.
  const init = run.initSeed !== undefined ? ` init_seed=${run.initSeed}` : '';
  const name = isOptimizerSource(run.optimizer) ? (findOptimizer(optimizers, run.optimizer)?.name ?? optimizerName(run.optimizer)) : run.optimizer;
  return `${name}${lr}${changed.length ? ` ${changed.join(' ')}` : ''}${batch}${schedule}${init}`;
}

/** The same string for equal scenarios (or runs, or any JSON), whatever the order of their keys. */
export function scenarioKey(scenario: object): string {
  return JSON.stringify(scenario, (_, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value,
  );
}

/**
 * The gradient's first two components per row (the parameters a landscape shows) out of the engine's
 * recorded state, whose rows start with the whole gradient: rowCount x stateWidth -> rowCount x 2.
 */
export function plottedGradient(state: Float64Array, stateWidth: number, rowCount: number, dim: number): Float64Array {
  return stateColumnPairs(state, stateWidth, rowCount, 0, dim > 1 ? 1 : -1);
}

/**
 * ASGD's averaged iterate at the plotted parameters per row (its state's first two `ax_` columns), rowCount x 2;
 * undefined without them. Callers ask for ASGD's runs of 2-D or larger losses only (a written optimizer may name a state ax).
 */
export function plottedAverage(state: Float64Array, stateNames: string[], rowCount: number): Float64Array | undefined {
  const columns = stateNames.flatMap((name, i) => (name.startsWith('ax_') ? [i] : []));
  return columns.length >= 2 ? stateColumnPairs(state, stateNames.length, rowCount, columns[0], columns[1]) : undefined;
}

/** ASGD's averaged iterate as a view draws it (plottedAverage) for a run of this optimizer: undefined for others and for 1-D losses. */
export function drawnAverage(optimizer: string, dim: number, state: Float64Array | undefined, stateNames: string[] | undefined, rowCount: number): Float64Array | undefined {
  return optimizer === 'asgd' && state && stateNames && dim > 1 ? plottedAverage(state, stateNames, rowCount) : undefined;
}

/** Two columns of state rows (rowCount x stateWidth) as rowCount x 2; a column of -1 reads as 0. */
function stateColumnPairs(state: Float64Array, stateWidth: number, rowCount: number, first: number, second: number): Float64Array {
  const out = new Float64Array(rowCount * 2);
  for (let row = 0; row < rowCount; row++) {
    out[row * 2] = state[row * stateWidth + first];
    out[row * 2 + 1] = second >= 0 ? state[row * stateWidth + second] : 0;
  }
  return out;
}
