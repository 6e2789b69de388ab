// What Export writes for CSV, JSON and .loss (no 'vscode' import: unit-tested in node). Only formatting: the
// numbers are the engine's traces as the panel got them.
import type { LossInfo } from './engineApi';
import type { OptionValue, RunConfig, Scenario, TraceData } from './protocol';
import { isOptimizerSource, optimizerName } from './scenario';

export type ExportFormat = 'png' | 'svg' | 'csv' | 'json' | 'loss' | 'py';

export const EXPORT_FORMATS: { format: ExportFormat; label: string; detail: string; extension: string; filter: string }[] = [
  { format: 'png', label: 'PNG image', detail: "The panel's plot as an image", extension: 'png', filter: 'PNG image' },
  { format: 'svg', label: 'SVG', detail: 'The landscape with the trajectories, as vector graphics', extension: 'svg', filter: 'SVG image' },
  { format: 'csv', label: 'CSV of trajectories', detail: 'run, label, optimizer, step, parameters, loss, grad_norm', extension: 'csv', filter: 'CSV' },
  { format: 'json', label: 'JSON of trajectories', detail: "The runs' scenario and rows", extension: 'json', filter: 'JSON' },
  { format: 'loss', label: 'Scenario as a .loss file', detail: 'Loss, start, domain, optimizers and steps, to share or open again', extension: 'loss', filter: 'Loss file' },
  { format: 'py', label: 'PyTorch script', detail: 'A standalone .py that reruns the scenario with torch.optim in float64', extension: 'py', filter: 'Python script' },
];

export function isExportFormat(value: unknown): value is ExportFormat {
  return EXPORT_FORMATS.some((f) => f.format === value);
}

/** A run's trace with the run's own label (the scenario's, else the engine's). */
export interface ExportRun {
  label: string;
  options: Record<string, OptionValue>;
  trace: TraceData;
}

function rowsOf(trace: TraceData): { step: number; params: number[]; loss: number; gradNorm: number }[] {
  const width = trace.dim + 2;
  const rows = [];
  for (let r = 0; r < trace.rowCount; r++) {
    const row = Array.from(trace.rows.subarray(r * width, (r + 1) * width));
    rows.push({ step: r, params: row.slice(0, trace.dim), loss: row[trace.dim], gradNorm: row[trace.dim + 1] });
  }
  return rows;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per row of every run: run (1-based), label, optimizer, step, the parameters by name, loss, grad_norm. */
export function trajectoriesCsv(runs: ExportRun[], params: string[]): string {
  const dim = Math.max(0, ...runs.map((run) => run.trace.dim));
  const names = Array.from({ length: dim }, (_, i) => params[i] ?? `p${i + 1}`);
  const lines = [['run', 'label', 'optimizer', 'step', ...names, 'loss', 'grad_norm'].map(csvField).join(',')];
  runs.forEach((run, index) => {
    for (const row of rowsOf(run.trace)) {
      const cells = [String(index + 1), csvField(run.label), csvField(optimizerName(run.trace.optimizer)), String(row.step), ...row.params.map(String), String(row.loss), String(row.gradNorm)];
      lines.push(cells.join(','));
    }
  });
  return `${lines.join('\n')}\n`;
}

/** The scenario and every run's rows; a non-finite number (a diverged run) is null. */
export function trajectoriesJson(scenario: Scenario, loss: LossInfo, runs: ExportRun[]): string {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const document = {
    scenario,
    loss: { name: loss.name, title: loss.title, formula: loss.formula, params: loss.params },
    runs: runs.map((run) => ({
      label: run.label,
      optimizer: run.trace.optimizer,
      options: run.options,
      status: run.trace.status,
      stoppedAt: run.trace.stoppedAt,
      rows: rowsOf(run.trace).map((row) => ({ step: row.step, params: row.params.map(finite), loss: finite(row.loss), grad_norm: finite(row.gradNorm) })),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A number as the loss language reads it back to the same double. */
function lossNumber(value: number): string {
  return String(value).replace('e+', 'e');
}

function lossValue(value: OptionValue): string {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return lossString(value);
  if (Array.isArray(value)) return `(${value.map(lossNumber).join(', ')})`;
  return lossNumber(value);
}

/** Text in double quotes as the loss language reads it back (one line, \\ and \" escaped). */
function lossString(text: string): string {
  return `"${text.replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A run as .loss lines: `optimizer NAME options... batch= replacement= noise= seed= project= freeze= init_seed= label=`, then its `schedule` line. */
export function runLines(run: RunConfig): string[] {
  const options = Object.entries(run.options).map(([key, value]) => `${key}=${lossValue(value)}`);
  const st = run.stochastic;
  // A 0 or false written here overrides the file's stochastic line for this run (B=0: the full batch).
  if (st?.batchSize !== undefined) options.push(`batch=${st.batchSize}`);
  if (st?.replacement !== undefined) options.push(`replacement=${st.replacement}`);
  if (st?.noise !== undefined) options.push(`noise=${lossNumber(st.noise)}`);
  if (st && st.seed !== undefined) options.push(`seed=${st.seed}`);
  if (run.project?.length === 1) options.push(`project=${lossValue(run.project[0])}`);
  if (typeof run.freeze === 'string') options.push(`freeze=${run.freeze}`);
  else if (run.freeze) options.push(`freeze=(${run.freeze.join(', ')})`);
  if (run.initSeed !== undefined) options.push(`init_seed=${run.initSeed}`);
  if (run.label) options.push(`label=${lossString(run.label)}`);
  // A written optimizer is named by its file (a .loss line cannot hold its rule): the file beside the .loss file.
  const written = isOptimizerSource(run.optimizer);
  const name = written ? lossString(`${optimizerName(run.optimizer)}.optim`) : run.optimizer;
  const lines = [...(written ? [`# ${name} is a written optimizer: save its rule there, beside this file`] : []), `optimizer ${[name, ...options].join(' ')}`];
  if (run.schedule && run.schedule.type !== 'constant') {
    const { type, ...fields } = run.schedule as { type: string } & Record<string, number>;
    lines.push(`schedule ${[type, ...Object.entries(fields).map(([key, value]) => `${key}=${lossNumber(value)}`)].join(' ')}`);
  }
  return lines;
}

/** Scenario statements a loss text may carry: the export writes its own. */
const SCENARIO_LINE = /^\s*(?:domain|start|optimizer|schedule|steps|record)\b/;

/**
 * The scenario as a .loss file: the loss (its text without scenario lines, or a built-in's formula with its
 * parameters as constants), the domain (the visible extent), the start (a network: only a start the scenario sets),
 * one `optimizer` line per run, steps (and the panel's `record every=k` when the scenario sets it).
 */
export function scenarioLossFile(scenario: Scenario, loss: LossInfo, builtin: boolean): string {
  const lines: string[] = [];
  if (builtin && (loss.data || loss.online)) {
    // Data-backed and online losses have no formula in the language: the file names the built-in.
    lines.push(`# ${loss.title}`);
    const params = Object.entries(scenario.lossParams ?? loss.lossParams ?? {}).map(([name, value]) => `${name}=${lossNumber(value)}`);
    lines.push(`builtin ${[loss.name, ...params].join(' ')}`);
    if (loss.params.join(',') !== 'x,y') lines.push(`params ${loss.params.join(', ')}`);
  } else if (builtin && loss.expression) {
    lines.push(`# ${loss.title} (Optiscope's built-in "${loss.name}")`);
    lines.push(...(loss.expression.includes('\n') ? loss.expression.split('\n') : [`f = ${loss.expression}`]));
  } else if (builtin) {
    lines.push(`# ${loss.title} (Optiscope's built-in "${loss.name}")`);
    // A built-in's formula may end with its constants ("..., a = 1, b = 100"): they become constant lines.
    const trailing = /(?:,\s*[A-Za-z_]\w*\s*=\s*[-+0-9.eE]+)+\s*$/.exec(loss.formula);
    const constants = new Map<string, string>();
    for (const [, name, value] of (trailing?.[0] ?? '').matchAll(/([A-Za-z_]\w*)\s*=\s*([-+0-9.eE]+)/g)) constants.set(name, value);
    // `dim` sizes the n-D built-ins; it is no constant of the formula.
    for (const [name, value] of Object.entries(scenario.lossParams ?? loss.lossParams ?? {})) if (name !== 'dim') constants.set(name, lossNumber(value));
    for (const [name, value] of constants) lines.push(`${name} = ${value}`);
    if (loss.params.join(',') !== 'x,y') lines.push(`params ${loss.params.join(', ')}`);
    lines.push(`f = ${trailing ? loss.formula.slice(0, trailing.index) : loss.formula}`);
  } else {
    lines.push(...scenario.loss.split(/\r\n|\r|\n/).filter((line) => !SCENARIO_LINE.test(line)));
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  }
  lines.push('');
  const extent = scenario.view ?? loss.domain;
  const [px, py] = loss.params;
  if (loss.network) {
    // A network's parameters (W1[1,1], ...) name no domain, and its network line already draws its start: a start
    // line only when the scenario moved it.
    if (scenario.start) lines.push(`start = (${scenario.start.map(lossNumber).join(', ')})`);
  } else {
    lines.push(loss.dim === 1 ? `domain ${px} in [${extent.x.map(lossNumber).join(', ')}]` : `domain ${px} in [${extent.x.map(lossNumber).join(', ')}], ${py} in [${extent.y.map(lossNumber).join(', ')}]`);
    lines.push(`start = (${(scenario.start ?? loss.start).map(lossNumber).join(', ')})`);
  }
  for (const run of scenario.runs) lines.push(...runLines(run));
  lines.push(`steps = ${scenario.steps}`);
  if (scenario.recordEvery !== undefined) lines.push(`record every=${scenario.recordEvery}`);
  return `${lines.join('\n')}\n`;
}
