// The Playground's network controls as edits of a .loss text: each control rewrites only its own line (`data`,
// `network`, `stochastic`, the `optimizer`/`schedule` lines, `steps`), keeping the user's other lines and each line's
// comment. Pure (no 'vscode'): the host applies the result to the document, or to the scenario's text without one.
import * as v from 'valibot';
import { DEFAULT_GENERATED_SAMPLES, GENERATOR_NAMES, GENERATORS, MAX_SAMPLES, wilsonInputs, type GeneratorName } from './datasets';
import { LIMITS } from './limits';
import { ACTIVATIONS, INIT_SCHEMES, NETWORK_LIMITS, NETWORK_LOSSES } from './network';

const count = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** One control's change (the message's `edit`, validated with this schema). */
export const NetworkEditSchema = v.variant('field', [
  v.object({ field: v.literal('dataset'), value: v.picklist(GENERATOR_NAMES) }),
  v.object({ field: v.literal('noise'), value: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(10)) }),
  v.object({ field: v.literal('samples'), value: count(2, MAX_SAMPLES) }),
  v.object({ field: v.literal('hidden'), value: v.pipe(v.array(count(1, NETWORK_LIMITS.width)), v.maxLength(NETWORK_LIMITS.layers - 1)) }),
  v.object({ field: v.literal('activation'), value: v.picklist(ACTIVATIONS) }),
  v.object({ field: v.literal('init'), value: v.picklist(INIT_SCHEMES) }),
  v.object({ field: v.literal('batchnorm'), value: v.boolean() }),
  v.object({ field: v.literal('loss'), value: v.picklist(NETWORK_LOSSES) }),
  v.object({ field: v.literal('seed'), value: count(0, LIMITS.maxSeed) }),
  /** Samples per step; 0: the full batch. */
  v.object({ field: v.literal('batch'), value: count(0, LIMITS.maxBatchSize) }),
], 'a network control\'s change');

export type NetworkEdit = v.InferOutput<typeof NetworkEditSchema>;

/** What the controls show, read from the text's lines (undefined: the line does not say it). */
export interface NetworkControlValues {
  /** The generated set (undefined: rows, a file or a formula, which the controls leave alone). */
  dataset?: GeneratorName;
  noise?: number;
  samples?: number;
  widths?: number[];
  activation?: string;
  init?: string;
  batchnorm?: boolean;
  loss?: string;
  seed?: number;
  batch?: number;
}

/** A line split into its statement and its comment (a `#` outside double quotes starts the comment, with the space before it). */
function splitComment(line: string): { code: string; comment: string } {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === '#' && !quoted) {
      const code = line.slice(0, i).replace(/\s+$/, '');
      return { code, comment: line.slice(code.length) };
    }
  }
  return { code: line.replace(/\s+$/, ''), comment: '' };
}

const keyPattern = (key: string) => new RegExp(`(^|\\s)${key}\\s*=\\s*([^\\s]+)`);

function readKey(code: string, key: string): string | undefined {
  return keyPattern(key).exec(code)?.[2];
}

/** The statement with key=value set (replaced where it is, else appended); value undefined: the key removed. */
function setKey(code: string, key: string, value: string | undefined): string {
  const pattern = keyPattern(key);
  if (pattern.test(code)) return value === undefined ? code.replace(pattern, '') : code.replace(pattern, `$1${key}=${value}`);
  return value === undefined ? code : `${code} ${key}=${value}`;
}

function readNumber(code: string, key: string): number | undefined {
  const text = readKey(code, key);
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const LINE = { data: /^\s*data\b/, network: /^\s*network\b/, stochastic: /^\s*stochastic\b/, run: /^\s*(?:optimizer|schedule)\b/, steps: /^\s*steps\b/ };

function findLine(lines: string[], kind: keyof typeof LINE): number {
  return lines.findIndex((line) => LINE[kind].test(line));
}

/** The generated set a data line names (`data spiral ...`), if any. */
function generatorOf(code: string): GeneratorName | undefined {
  const name = /^\s*data\s+([A-Za-z_]\w*)(?=\s|$)/.exec(code)?.[1];
  return GENERATOR_NAMES.find((g) => g === name);
}

const WIDTHS = /^(\s*network\s+)(\d+(?:\s*-\s*\d+)*)/;

function widthsOf(code: string): number[] | undefined {
  const text = WIDTHS.exec(code)?.[2];
  return text?.split('-').map((w) => Number(w.trim()));
}

/** The values the network controls show, from the text's data, network and stochastic lines. */
export function readNetworkControls(text: string): NetworkControlValues {
  const lines = text.split(/\r\n|\r|\n/);
  const values: NetworkControlValues = {};
  const data = findLine(lines, 'data');
  if (data >= 0) {
    const { code } = splitComment(lines[data]);
    values.dataset = generatorOf(code);
    if (values.dataset) {
      values.noise = readNumber(code, 'noise') ?? GENERATORS[values.dataset].noise;
      values.samples = readNumber(code, 'samples');
    }
  }
  const network = findLine(lines, 'network');
  if (network >= 0) {
    const { code } = splitComment(lines[network]);
    values.widths = widthsOf(code);
    values.activation = readKey(code, 'activation') ?? 'tanh';
    values.init = readKey(code, 'init') ?? 'default';
    values.loss = readKey(code, 'loss') ?? 'mse';
    values.batchnorm = readKey(code, 'batchnorm') === 'true';
    values.seed = readNumber(code, 'seed') ?? 0;
  }
  const stochastic = findLine(lines, 'stochastic');
  values.batch = stochastic >= 0 ? (readNumber(splitComment(lines[stochastic]).code, 'batch') ?? 0) : 0;
  return values;
}

/** The output width a loss needs for a set of `classes` classes (0: a regression target of one column). */
function outputsFor(loss: string, classes: number): number {
  return loss === 'cross_entropy' ? Math.max(2, classes) : 1;
}

/** The loss a set's labels take: the current one when it fits, else cross-entropy for classes and MSE for a target. */
function lossFor(current: string, classes: number): string {
  if (classes === 0) return 'mse';
  if (current === 'bce' && classes === 2) return 'bce';
  if (current === 'mse') return classes === 2 ? 'bce' : 'cross_entropy';
  return classes === 2 && current !== 'cross_entropy' ? 'bce' : 'cross_entropy';
}

/** The classes and inputs of the set a data line makes. */
function setShape(code: string, name: GeneratorName): { classes: number; inputs: number } {
  const own = GENERATORS[name] as { own?: { name: string; default: number } };
  const a = own.own ? (readNumber(code, own.own.name) ?? own.own.default) : 0;
  const inputs = name === 'curve' ? 1
    : name === 'teacher' || name === 'relu_teacher' ? (readNumber(code, 'inputs') ?? 2)
    : name === 'wilson' ? wilsonInputs(readNumber(code, 'samples') ?? DEFAULT_GENERATED_SAMPLES)
    : 2;
  return { classes: (GENERATORS[name] as { classes(a: number): number }).classes(a), inputs };
}

/**
 * The text after one control's change, or a message saying why the change cannot be made there (no network line,
 * data that is not a generated set). A change of the set or of the loss also fits the network's input and output
 * widths and its loss to the new labels, so that the file stays valid.
 */
export function editNetworkText(text: string, edit: NetworkEdit): { text: string } | { error: string } {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = text.split(/\r\n|\r|\n/);
  const networkAt = findLine(lines, 'network');
  if (networkAt < 0) return { error: 'The file has no network line' };
  const dataAt = findLine(lines, 'data');
  const edited = (at: number, change: (code: string) => string) => {
    const { code, comment } = splitComment(lines[at]);
    lines[at] = change(code) + comment;
  };
  const network = splitComment(lines[networkAt]).code;
  const widths = widthsOf(network);
  if (!widths || widths.length < 2) return { error: 'The network line has no widths, as in: network 2-8-1' };
  const setWidths = (next: number[]) => edited(networkAt, (code) => code.replace(WIDTHS, `$1${next.join('-')}`));
  const dataCode = dataAt >= 0 ? splitComment(lines[dataAt]).code : '';
  const dataset = dataAt >= 0 ? generatorOf(dataCode) : undefined;
  switch (edit.field) {
    case 'dataset':
    case 'noise':
    case 'samples': {
      if (!dataset) return { error: 'The data is not a generated set (data spiral, moons, ...): edit the data line itself' };
      if (edit.field !== 'dataset') {
        edited(dataAt, (code) => setKey(code, edit.field, String(edit.value)));
        break;
      }
      // The options of the set before that the new one does not take go (its own, and the teacher's inputs).
      const previousOwn = (GENERATORS[dataset] as { own?: { name: string } }).own?.name;
      edited(dataAt, (code) => {
        let next = code.replace(/^(\s*data\s+)[A-Za-z_]\w*/, `$1${edit.value}`);
        const nextOwn = (GENERATORS[edit.value] as { own?: { name: string } }).own?.name;
        if (previousOwn && previousOwn !== nextOwn) next = setKey(next, previousOwn, undefined);
        if (edit.value !== 'teacher') next = setKey(next, 'inputs', undefined);
        return next;
      });
      const shape = setShape(splitComment(lines[dataAt]).code, edit.value);
      const loss = lossFor(readKey(network, 'loss') ?? 'mse', shape.classes);
      edited(networkAt, (code) => setKey(code, 'loss', loss));
      setWidths([shape.inputs, ...widths.slice(1, -1), outputsFor(loss, shape.classes)]);
      break;
    }
    case 'hidden':
      setWidths([widths[0], ...edit.value, widths[widths.length - 1]]);
      break;
    case 'loss': {
      edited(networkAt, (code) => setKey(code, 'loss', edit.value));
      // A generated set says its classes; other data keeps the widths as written (the editor checks them).
      if (dataset) setWidths([...widths.slice(0, -1), outputsFor(edit.value, setShape(dataCode, dataset).classes)]);
      else if (edit.value === 'bce') setWidths([...widths.slice(0, -1), 1]);
      break;
    }
    case 'init':
      edited(networkAt, (code) => {
        let next = setKey(code, 'init', edit.value);
        if (edit.value !== 'normal' && edit.value !== 'uniform') next = setKey(next, 'std', undefined);
        if (edit.value !== 'constant') next = setKey(next, 'value', undefined);
        else if (readKey(next, 'value') === undefined) next = setKey(next, 'value', '0.1');
        return next;
      });
      break;
    case 'activation':
    case 'batchnorm':
    case 'seed':
      edited(networkAt, (code) => setKey(code, edit.field, String(edit.value)));
      break;
    case 'batch': {
      const at = findLine(lines, 'stochastic');
      if (at >= 0) edited(at, (code) => setKey(code, 'batch', edit.value > 0 ? String(edit.value) : undefined));
      else if (edit.value > 0) lines.splice(networkAt + 1, 0, `stochastic batch=${edit.value} seed=1`);
      break;
    }
  }
  return { text: lines.join(eol) };
}

/**
 * The text with these options of its network line set (each where it is, else appended; undefined: removed), the
 * line's comment and the other lines kept. A text without a network line comes back as it was.
 */
export function withNetworkOptions(text: string, set: Record<string, string | number | boolean | undefined>): string {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = text.split(/\r\n|\r|\n/);
  const at = findLine(lines, 'network');
  if (at < 0) return text;
  const { code, comment } = splitComment(lines[at]);
  lines[at] = Object.entries(set).reduce((line, [key, value]) => setKey(line, key, value === undefined ? undefined : String(value)), code) + comment;
  return lines.join(eol);
}

/**
 * The text with these optimizer and steps lines: the runs' lines (from runLines) take the place of the text's
 * `optimizer` and `schedule` lines (at the first of them, else before `steps`, else at the end), each keeping the
 * comment of the optimizer line it replaces; `steps` is set where it is, or added.
 */
export function replaceRunLines(text: string, runs: string[][], steps: number): string {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lines = text.split(/\r\n|\r|\n/);
  const comments: string[] = [];
  let at = -1;
  const kept: string[] = [];
  for (const line of lines) {
    if (LINE.run.test(line)) {
      if (at < 0) at = kept.length;
      if (/^\s*optimizer\b/.test(line)) comments.push(splitComment(line).comment);
      continue;
    }
    kept.push(line);
  }
  const stepsAt = findLine(kept, 'steps');
  if (stepsAt >= 0) {
    const { code, comment } = splitComment(kept[stepsAt]);
    kept[stepsAt] = code.replace(/^(\s*steps\b\s*=?\s*)\S*/, `$1${steps}`) + comment;
  }
  const added = runs.flatMap((run, i) => run.map((line) => (/^\s*optimizer\b/.test(line) ? line + (comments[i] ?? '') : line)));
  if (at < 0 && stepsAt >= 0) at = stepsAt;
  if (at >= 0) kept.splice(at, 0, ...added);
  if (at < 0 || stepsAt < 0) {
    while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
    kept.push(...(at < 0 ? added : []), ...(stepsAt < 0 ? [`steps = ${steps}`] : []), '');
  }
  return kept.join(eol);
}

/** The lines that differ between two texts, as one replacement: lines [start, end) of `before` become `lines`. */
export function changedLines(before: string, after: string): { start: number; end: number; lines: string[] } | undefined {
  const a = before.split(/\r\n|\r|\n/);
  const b = after.split(/\r\n|\r|\n/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  if (start === a.length && start === b.length) return undefined;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { start, end: endA, lines: b.slice(start, endB) };
}
