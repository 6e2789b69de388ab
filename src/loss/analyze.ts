// parseLoss: text -> a checked loss (expression DAG + scenario) or diagnostics. Never throws.
// analyzeCondition: a breakpoint condition -> a Condition over nodes of a shared graph.
import {
  CONSTANTS, FUNCTION_ALIASES, FUNCTIONS, KNOWN_OPTIMIZERS, PREDICATES, PREFIXED_CONSTANTS, SCENARIO_KEYWORDS,
} from './builtins';
import { closestName, Diagnostic, DiagnosticSink, LineMap, Range } from './diagnostics';
import { Graph, GraphTooLarge } from './graph';
import { applyFunction } from './functions';
import { ComparisonOperator, Expr, LOSS_NAMES, Name, OptionValue, parseCondition, parseStatements, RESERVED_WORDS, Statement } from './parser';
import { MAX_DATA_COLUMNS, MAX_DATA_VALUES, parseCsv } from './data';
import { analyzeDataOptions, generatorColumns, splitSize, type DataGenerator, type FormulaData } from './datasets';
import type { DataFile } from './dataFileRules';
import { analyzeNetwork } from './network';
import type { LossData } from './data';
import { networkParamNames, type NetworkSpec } from '../shared/network';
import { LIMITS } from '../shared/limits';
import { isOptimizerSource } from '../shared/scenario';
import { STRING_OPTIONS } from '../shared/scenarioModel';
import { FREEZE_GROUPS } from '../shared/freeze';

export const MAX_DIM = 128;
/** Data column c is graph parameter DATA_OFFSET + c: compiled code reads it at that f64 slot of its input. */
export const DATA_OFFSET = MAX_DIM;
/** Expression nodes visited while expanding sums; beyond it the loss is rejected. */
export const MAX_EXPANSION = 2_000_000;

/** An option's value; text only for the options whose torch type is a string (STRING_OPTIONS). */
export type OptionSetting = number | boolean | number[] | string;

export interface Scenario {
  /** The plotted ranges of the first two parameters (x and y axes), where given. */
  domain: { x?: [number, number]; y?: [number, number] };
  start: number[][];
  minima: { point: number[]; value: number }[];
  /** label: the run's name in legends (`label="Adam (fast)"`), where given; `schedule` lines attach to the optimizer line above them. */
  optimizers: { name: string; options: Record<string, OptionSetting>; label?: string; schedule?: { type: string; options: Record<string, OptionSetting> } }[];
  steps?: number;
  /** From a `stochastic` line: how runs sample minibatches (and gradient noise) unless they say otherwise. */
  stochastic?: { batchSize?: number; replacement?: boolean; noise?: number; seed?: number };
  /** A `builtin NAME k=v` line: the loss is the engine's built-in NAME with these parameters (no formula). */
  builtin?: { name: string; params: Record<string, number> };
  /** A `record every=k` line: the panels keep every k-th step's parameters (every step's loss); absent: from their budget. */
  recordEvery?: number;
}

/** The samples of a per-sample loss: the loss is the mean over them. */
/** The data files a loss names (`data "points.csv"`), keyed as written: contents, or why they were not read. */
export type DataFiles = Readonly<Record<string, DataFile | undefined>>;

export interface LossSymbol {
  name: string;
  kind: 'parameter' | 'vector' | 'constant' | 'definition' | 'data';
  /** The value of a constant. */
  value?: number;
  range: Range;
}

export interface CompiledLossSource {
  dim: number;
  params: string[];
  /** The loss expression as written. */
  formula: string;
  /** Where the loss expression is in the text. */
  range: Range;
  graph: Graph;
  /** The loss's node in graph. */
  root: number;
  scenario: Scenario;
  symbols: LossSymbol[];
  warnings: Diagnostic[];
  /** A per-sample loss's data; the loss is the mean over the samples. */
  data?: LossData;
  /** A `network` line: the loss is this network's training loss over data (computed by the engine, not a formula). */
  network?: NetworkSpec;
}

export type ParseResult = { ok: true; loss: CompiledLossSource } | { ok: false; diagnostics: Diagnostic[] };

class ExpansionTooLarge extends Error {}

/** A vector's element i (1-based) is parameter slots[i - 1]. */
type ParamEntry = { kind: 'scalar'; index: number } | { kind: 'vector'; slots: number[] }
  /** A matrix's element [i, j] (1-based) is parameter slots[(i - 1) * cols + j - 1]: a network's W1[i,j] in a condition. */
  | { kind: 'matrix'; rows: number; cols: number; slots: number[] };

/** A breakpoint condition: true or false, built from comparisons and tests of graph nodes. */
export type Condition =
  | { kind: 'const'; value: boolean }
  | { kind: 'compare'; op: ComparisonOperator; left: number; right: number }
  | { kind: 'isnan' | 'isfinite' | 'isinf'; operand: number }
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition };

/** The names a condition reads (names[k] is graph parameter k) and the graph shared by a module's conditions. */
export interface ConditionScope {
  names: readonly string[];
  graph: Graph;
  /** What the names are, for the message about an unknown name (default: the run's state). */
  namesAre?: string;
}

/** Lowers one condition into scope.graph; undefined when it has errors (reported to sink). Throws GraphTooLarge. */
export function analyzeCondition(text: string, sink: DiagnosticSink, lines: LineMap, scope: ConditionScope): Condition | undefined {
  return new Analysis(text, sink, lines, scope).runCondition();
}

/** A watch expression over the same names: a condition (true/false) or a value (a graph node). */
export function analyzeWatch(text: string, sink: DiagnosticSink, lines: LineMap, scope: ConditionScope): { condition: Condition } | { value: number } | undefined {
  return new Analysis(text, sink, lines, scope).runWatch();
}

/** files: the contents of the data files the text names (see dataFiles); without it, data must be inline. */
export function parseLoss(text: string, files?: DataFiles): ParseResult {
  const sink = new DiagnosticSink();
  let lines: LineMap | undefined;
  try {
    lines = new LineMap(text);
    const analysis = new Analysis(text, sink, lines, undefined, files);
    const loss = analysis.run();
    if (loss && !sink.hasErrors) {
      return { ok: true, loss: { ...loss, warnings: toDiagnostics(sink, lines) } };
    }
  } catch (error) {
    const message = error instanceof GraphTooLarge
      ? `This loss is too large to compile (${error.message} after expanding sums)`
      : `Internal error in the loss compiler: ${error instanceof Error ? error.message : String(error)}`;
    sink.error(message, 0, 0);
  }
  return { ok: false, diagnostics: toDiagnostics(sink, lines ?? new LineMap('')) };
}

export function toDiagnostics(sink: DiagnosticSink, lines: LineMap): Diagnostic[] {
  return [...sink.items].sort((a, b) => a.start - b.start).map((d) => ({ message: d.message, severity: d.severity, range: lines.range(d.start, d.end) }));
}

/** The mean of each output over the samples, at a point (the parameters). */
export function meanOverData(graph: Graph, outputs: number[], point: ArrayLike<number>, data: LossData): number[] {
  const width = data.columns.length;
  const input = new Array<number>(DATA_OFFSET + width).fill(NaN);
  for (let i = 0; i < point.length; i++) input[i] = point[i];
  const sums = new Array<number>(outputs.length).fill(0);
  for (let r = 0; r < data.count; r++) {
    for (let c = 0; c < width; c++) input[DATA_OFFSET + c] = data.values[r * width + c];
    const values = graph.evaluate(outputs, input);
    for (let k = 0; k < outputs.length; k++) sums[k] += values[k];
  }
  return sums.map((sum) => sum / data.count);
}

function onlyInConditions(word: string): string {
  return `'${word}' is only allowed in breakpoint conditions, not in a loss`;
}

/** `a, b and c`, at most 12 names. */
function listNames(names: string[]): string {
  if (names.length === 0) return 'no values';
  const shown = names.slice(0, 12);
  if (names.length > shown.length) return `${shown.join(', ')}, ...`;
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

class Analysis {
  private readonly graph: Graph;
  private readonly params = new Map<string, ParamEntry>();
  private readonly paramNames: string[] = [];
  private readonly definitions = new Map<string, { id: number; start: number }>();
  private readonly indexVariables: { name: string; value: number }[] = [];
  private readonly symbols: LossSymbol[] = [];
  /** Names defined or declared anywhere in the file, for "defined later" messages. */
  private readonly declaredAt = new Map<string, number>();
  private expansion = 0;
  private hasParamsStatement = false;
  private readonly dataColumns = new Map<string, number>();
  private data?: LossData;
  private dataLine?: number;
  /** A data file whose column names could not be read: unknown names in the loss may be its columns. */
  private columnsUnknown = false;

  constructor(
    private readonly text: string,
    private readonly sink: DiagnosticSink,
    private readonly lines: LineMap,
    private readonly scope?: ConditionScope,
    private readonly files?: DataFiles,
  ) {
    this.graph = scope?.graph ?? new Graph();
    if (scope) this.declareState(scope.names);
  }

  runCondition(): Condition | undefined {
    const expr = parseCondition(this.text, this.sink);
    if (!expr) {
      if (!this.sink.hasErrors) this.sink.error('Empty condition: write one, e.g. loss < 1e-6', 0, this.text.length);
      return undefined;
    }
    try {
      const condition = this.condition(expr);
      return this.sink.hasErrors ? undefined : condition;
    } catch (error) {
      if (!(error instanceof ExpansionTooLarge)) throw error;
      this.sink.error(`This expands to too many terms (more than ${MAX_EXPANSION} expression nodes)`, expr.start, expr.end);
      return undefined;
    }
  }

  runWatch(): { condition: Condition } | { value: number } | undefined {
    const expr = parseCondition(this.text, this.sink);
    if (!expr) {
      if (!this.sink.hasErrors) this.sink.error('Empty expression: write one, e.g. exp_avg_x or loss < 1e-6', 0, this.text.length);
      return undefined;
    }
    try {
      const isCondition = expr.kind === 'bool' || expr.kind === 'not' || expr.kind === 'logic' || expr.kind === 'compare'
        || (expr.kind === 'call' && PREDICATES.has(expr.name));
      const result = isCondition ? { condition: this.condition(expr) } : { value: this.lower(expr) };
      return this.sink.hasErrors ? undefined : result;
    } catch (error) {
      if (!(error instanceof ExpansionTooLarge)) throw error;
      this.sink.error(`This expands to too many terms (more than ${MAX_EXPANSION} expression nodes)`, expr.start, expr.end);
      return undefined;
    }
  }

  run(): Omit<CompiledLossSource, 'warnings'> | undefined {
    const statements = parseStatements(this.text, this.sink);
    for (const s of statements) {
      if (s.kind === 'params') {
        this.hasParamsStatement = true;
        for (const entry of s.entries) if (!this.declaredAt.has(entry.name.name)) this.declaredAt.set(entry.name.name, entry.name.start);
      } else if (s.kind === 'define' && !this.declaredAt.has(s.target.name)) {
        this.declaredAt.set(s.target.name, s.target.start);
      } else if (s.kind === 'data') {
        for (const name of s.names) if (!this.declaredAt.has(name.name)) this.declaredAt.set(name.name, name.start);
      }
    }
    const networks = statements.filter((s): s is Statement & { kind: 'network' } => s.kind === 'network');
    for (const extra of networks.slice(1)) this.sink.error('A file holds one network', extra.start, extra.end);
    if (networks.length > 0 && this.hasParamsStatement) {
      const params = statements.find((s) => s.kind === 'params')!;
      this.sink.error("A network's parameters are its weights and biases (W1[i,j], b1[i], ...): remove the params line", params.start, params.end);
    }
    if (networks.length > 0) this.hasParamsStatement = true; // no default x, y
    if (!this.hasParamsStatement) {
      for (const name of ['x', 'y']) this.addScalarParam(name);
    }
    let loss: { root: number; statement: Statement & { kind: 'loss' } } | undefined;
    for (const s of statements) {
      if (this.sink.full) break;
      this.expansion = 0;
      try {
        if (s.kind === 'params') this.declareParams(s);
        else if (s.kind === 'define') this.define(s);
        else if (s.kind === 'data') this.declareData(s);
        else if (s.kind === 'loss') {
          if (loss) {
            this.sink.error(`A file holds one loss; it is already given on line ${this.lines.lineNumber(loss.statement.start)}`, s.start, s.end);
          } else {
            loss = { root: this.lower(s.expr), statement: s };
          }
        }
      } catch (error) {
        if (!(error instanceof ExpansionTooLarge)) throw error;
        this.sink.error(`This expands to too many terms (more than ${MAX_EXPANSION} expression nodes)`, s.start, s.end);
      }
    }
    let network: NetworkSpec | undefined;
    const networkLine = networks[0];
    if (networkLine?.broken) return undefined;
    if (networkLine) {
      const other = loss?.statement ?? statements.find((s) => s.kind === 'builtin');
      if (other) {
        this.sink.error('A file either defines a network or writes a loss (formula or builtin), not both', other.start, other.end);
        return undefined;
      }
      network = analyzeNetwork(networkLine, this.data, this.sink, (value, what) => {
        if (value.kind === 'expr') return this.constant(value.expr, what);
        this.sink.error(`${what} is a number`, value.start, value.end);
        return undefined;
      });
      if (!network) return undefined;
      const range = this.lines.range(networkLine.start, networkLine.end);
      for (const name of networkParamNames(network.widths, network.batchnorm)) this.addScalarParam(name, range);
      // The core computes the network; the graph holds a stand-in so the scenario lines check as usual.
      const stand = { kind: 'number' as const, value: 0, start: networkLine.start, end: networkLine.end };
      loss = { root: this.lower(stand), statement: { kind: 'loss', expr: stand, assigned: true, start: networkLine.start, end: networkLine.end } };
    }
    const builtin = statements.find((s): s is Statement & { kind: 'builtin' } => s.kind === 'builtin');
    if (builtin && loss && !network) {
      this.sink.error('A file either names a built-in loss or writes its formula, not both', builtin.start, builtin.end);
      return undefined;
    }
    if (builtin) {
      // The engine computes a built-in; the graph holds a stand-in so the scenario lines check as usual.
      loss = { root: this.lower({ kind: 'number', value: 0, start: builtin.start, end: builtin.end }), statement: { kind: 'loss', expr: { kind: 'number', value: 0, start: builtin.name.start, end: builtin.name.end }, assigned: true, start: builtin.start, end: builtin.end } };
    }
    if (!loss) {
      if (!this.sink.hasErrors) this.sink.error("No loss expression: write one, e.g. 'f = (1 - x)^2 + 100*(y - x^2)^2'", 0, 0);
      return undefined;
    }
    const scenario: Scenario = { domain: {}, start: [], minima: [], optimizers: [] };
    for (const s of statements) this.addToScenario(s, scenario, loss.root, network !== undefined);
    const { statement, root } = loss;
    return {
      dim: this.paramNames.length,
      params: this.paramNames,
      formula: this.text.slice(statement.expr.start, statement.expr.end),
      range: this.lines.range(statement.expr.start, statement.expr.end),
      graph: this.graph,
      root,
      scenario,
      symbols: this.symbols,
      data: this.data,
      network,
    };
  }

  // --- declarations ---

  private checkNewName(name: string, start: number, end: number): boolean {
    const taken = this.params.has(name) ? 'a parameter'
      : this.dataColumns.has(name) ? 'a data column'
      : this.definitions.has(name) ? 'already defined'
      : FUNCTIONS.has(name) || FUNCTION_ALIASES.has(name) ? 'a function'
      : CONSTANTS.has(name) ? 'a built-in constant'
      : (SCENARIO_KEYWORDS as readonly string[]).includes(name) || RESERVED_WORDS.has(name) ? 'a keyword'
      : LOSS_NAMES.has(name) ? 'the name of the loss'
      : undefined;
    if (taken === undefined) return true;
    const where = this.definitions.get(name) ?? (this.params.has(name) ? { start: this.declaredAt.get(name) } : undefined);
    const line = where?.start !== undefined && this.hasParamsStatement ? ` (line ${this.lines.lineNumber(where.start)})` : '';
    this.sink.error(`'${name}' is ${taken}${taken === 'already defined' || taken === 'a parameter' ? line : ''}`, start, end);
    return false;
  }

  private addScalarParam(name: string, range: Range = this.lines.range(0, 0)): void {
    this.params.set(name, { kind: 'scalar', index: this.paramNames.length });
    this.paramNames.push(name);
    this.symbols.push({ name, kind: 'parameter', range });
  }

  private declareParams(s: Statement & { kind: 'params' }): void {
    for (const { name, size } of s.entries) {
      if (!this.checkNewName(name.name, name.start, name.end)) continue;
      const range = this.lines.range(name.start, name.end);
      if (size === undefined) {
        if (this.paramNames.length >= MAX_DIM) {
          this.sink.error(`At most ${MAX_DIM} parameters are supported`, name.start, name.end);
          continue;
        }
        this.addScalarParam(name.name, range);
        continue;
      }
      const count = this.integer(size, 'A vector size');
      if (count === undefined) continue;
      if (count < 1 || this.paramNames.length + count > MAX_DIM) {
        this.sink.error(count < 1 ? 'A vector needs at least 1 element' : `At most ${MAX_DIM} parameters are supported`, size.start, size.end);
        continue;
      }
      const first = this.paramNames.length;
      this.params.set(name.name, { kind: 'vector', slots: Array.from({ length: count }, (_, i) => first + i) });
      for (let i = 1; i <= count; i++) this.paramNames.push(`${name.name}[${i}]`);
      this.symbols.push({ name: name.name, kind: 'vector', range });
    }
  }

  private define(s: Statement & { kind: 'define' }): void {
    const { name, start, end } = s.target;
    const id = this.lower(s.expr);
    if (!this.checkNewName(name, start, end)) return;
    this.definitions.set(name, { id, start });
    const value = this.graph.constantValue(id);
    this.symbols.push({ name, kind: value === undefined ? 'definition' : 'constant', value, range: this.lines.range(start, end) });
  }

  /** `data x, y = [rows]` or `data "file.csv"`: columns usable in the loss, which is the mean over the rows. */
  private declareData(s: Statement & { kind: 'data' }): void {
    if (this.dataLine !== undefined) {
      this.sink.error(`A file holds one data set; it is already given on line ${this.dataLine}`, s.start, s.end);
      return;
    }
    this.dataLine = this.lines.lineNumber(s.start);
    // Columns are declared even when the rows have errors, so that uses in the loss do not add more.
    const columns: string[] = [];
    const declare = (names: Name[]): boolean => {
      for (const name of names) {
        if (!this.checkNewName(name.name, name.start, name.end)) return false;
        this.dataColumns.set(name.name, columns.length);
        columns.push(name.name);
        this.symbols.push({ name: name.name, kind: 'data', range: this.lines.range(name.start, name.end) });
      }
      return true;
    };
    const constant = (value: OptionValue, what: string): number | undefined => (value.kind === 'expr' ? this.constant(value.expr, what) : undefined);
    const checked = analyzeDataOptions(s.generator, s.options, this.sink, constant, s.formula !== undefined);
    if (s.formula) return this.declareFormulaData(s, declare, checked);
    if (s.generator) {
      if (!checked?.generator) {
        this.columnsUnknown = true;
        return;
      }
      const { generator } = checked;
      const names = generatorColumns(generator);
      if (!declare(names.map((name) => ({ name, start: s.generator!.start, end: s.generator!.end })))) return;
      this.setData(s, columns, new Float64Array(0), generator.samples, checked.test, generator);
      return;
    }
    const declared = declare(s.names);
    if (s.broken || !checked) return;
    let rows: number[][] = [];
    if (s.file) {
      const file = s.file;
      const contents = this.files?.[file.path];
      const fail = (message: string, start = file.start, end = file.end): void => {
        this.sink.error(message, start, end);
        if (columns.length === 0) this.columnsUnknown = true;
      };
      if (contents === undefined) {
        return fail(this.files ? `Cannot read the data file "${file.path}" (paths are relative to this file)`
          : `The data file "${file.path}" was not supplied: the editor and the CLI read it; the engine takes the data inline`);
      }
      if (typeof contents !== 'string') return fail(contents.problem);
      const table = parseCsv(contents);
      if (s.names.length === 0) {
        if (!table.header) return fail(`${file.path} has no header row naming its columns: add one, or name them here as in: data x, y = "${file.path}"`);
        // The header is not quoted: a file that is not a CSV at all would be echoed.
        const bad = table.header.findIndex((h) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(h));
        if (bad >= 0) return fail(`${file.path} line ${table.headerLine}: the name of column ${bad + 1} is not a name the loss can use (letters, digits and _)`);
        if (!declare(table.header.map((name) => ({ name, start: file.start, end: file.end })))) return;
      }
      for (const e of table.errors) fail(`${file.path} line ${e.line}: ${e.message}`);
      if (table.errors.length > 0) return;
      rows = table.rows;
      const width = rows[0]?.length ?? table.header?.length ?? columns.length;
      if (width !== columns.length) {
        return fail(`${file.path} has ${plural(width, 'column')}, but ${plural(columns.length, 'name')} ${columns.length === 1 ? 'is' : 'are'} given`, s.start, file.end);
      }
    } else {
      for (const row of s.rows ?? []) {
        if (row.values.length !== s.names.length) {
          this.sink.error(`Expected ${plural(s.names.length, 'value')} (${s.names.map((n) => n.name).join(', ')}), got ${row.values.length}`, row.start, row.end);
        } else {
          rows.push(row.values);
        }
      }
      if (rows.length !== (s.rows ?? []).length) return;
    }
    if (!declared) return;
    if (rows.length === 0) {
      this.sink.error('The data has no rows: a per-sample loss needs at least one sample', s.start, s.end);
      return;
    }
    if (columns.length > MAX_DATA_COLUMNS || rows.length * columns.length > MAX_DATA_VALUES) {
      const why = columns.length > MAX_DATA_COLUMNS ? `at most ${MAX_DATA_COLUMNS} columns` : `at most ${MAX_DATA_VALUES} numbers (samples x columns) fit in memory`;
      this.sink.error(`Too much data: ${why}`, s.start, s.end);
      return;
    }
    const values = new Float64Array(rows.length * columns.length);
    rows.forEach((row, r) => values.set(row, r * columns.length));
    this.setData(s, columns, values, rows.length, checked.test);
  }

  /** `data x1 in [-1, 1], y = <expression>`: the inputs' ranges and the label's expression, checked over the inputs. */
  private declareFormulaData(
    s: Statement & { kind: 'data' }, declare: (names: Name[]) => boolean, options: ReturnType<typeof analyzeDataOptions>,
  ): void {
    const formula = s.formula!;
    const inputs: FormulaData['inputs'] = [];
    for (const { name, low, high } of formula.ranges) {
      const lo = this.constant(low, `the lower bound of ${name.name}`);
      const hi = this.constant(high, `the upper bound of ${name.name}`);
      if (lo === undefined || hi === undefined) return;
      if (!(lo < hi) || !Number.isFinite(hi - lo)) {
        this.sink.error(`The range of ${name.name} needs its lower end first and a finite width, got [${lo}, ${hi}]`, low.start, high.end);
        return;
      }
      inputs.push({ name: name.name, low: lo, high: hi });
    }
    if (!declare(s.names) || !options) return;
    // The label is checked as a breakpoint condition or a watch is, over the inputs; its problems point into this line.
    const { expr } = formula;
    const label = this.text.slice(expr.start, expr.end);
    const sink = new DiagnosticSink();
    const checked = analyzeWatch(label, sink, new LineMap(label), { names: inputs.map((i) => i.name), graph: new Graph(), namesAre: 'The inputs are' });
    for (const d of sink.items) this.sink.error(d.message, expr.start + d.start, expr.start + d.end);
    if (!checked || sink.hasErrors) return;
    const columns = s.names.map((n) => n.name);
    const data: FormulaData = { inputs, label, condition: 'condition' in checked, samples: options.samples, seed: options.seed };
    this.setData(s, columns, new Float64Array(0), options.samples, options.test, undefined, data);
  }

  /** The data: samples rows, the last round(test x samples) of them the test split. */
  private setData(
    s: Statement & { kind: 'data' }, columns: string[], values: Float64Array, samples: number, test: number, generator?: DataGenerator, formula?: FormulaData,
  ): void {
    if (columns.length * samples > MAX_DATA_VALUES) {
      this.sink.error(`Too much data: at most ${MAX_DATA_VALUES} numbers (samples x columns) fit in memory`, s.start, s.end);
      return;
    }
    const split = splitSize(test, samples);
    if ('problem' in split) {
      const option = s.options.find((o) => o.name.name === 'test')!;
      this.sink.error(split.problem, option.value.start, option.value.end);
      return;
    }
    this.data = { columns, values, count: samples - split.test, testCount: split.test, generator, formula, range: this.lines.range(s.start, s.end) };
  }

  /**
   * A run's state: names[k] is parameter k; `v[1]`, `v[2]`, ... form the vector `v`, `W[1,1]`, `W[1,2]`, ... the matrix
   * `W` (names may hold dots: bn1.weight[1]). The first of equal names wins.
   */
  private declareState(names: readonly string[]): void {
    const vectors = new Map<string, number[]>();
    const matrices = new Map<string, [number, number, number][]>();
    names.forEach((name, k) => {
      const element = /^([A-Za-z_][\w.]*)\[([1-9]\d{0,5})\]$/.exec(name);
      const cell = element ? undefined : /^([A-Za-z_][\w.]*)\[([1-9]\d{0,5}),([1-9]\d{0,5})\]$/.exec(name);
      if (element) {
        const slots = vectors.get(element[1]) ?? [];
        slots[Number(element[2]) - 1] ??= k;
        vectors.set(element[1], slots);
      } else if (cell) {
        const cells = matrices.get(cell[1]) ?? [];
        cells.push([Number(cell[2]), Number(cell[3]), k]);
        matrices.set(cell[1], cells);
      } else if (!this.params.has(name)) {
        this.params.set(name, { kind: 'scalar', index: k });
      }
    });
    for (const [name, slots] of vectors) if (!this.params.has(name)) this.params.set(name, { kind: 'vector', slots });
    for (const [name, cells] of matrices) {
      if (this.params.has(name)) continue;
      const rows = cells.reduce((most, c) => Math.max(most, c[0]), 0);
      const cols = cells.reduce((most, c) => Math.max(most, c[1]), 0);
      const slots: number[] = [];
      for (const [i, j, k] of cells) slots[(i - 1) * cols + j - 1] ??= k;
      this.params.set(name, { kind: 'matrix', rows, cols, slots });
    }
  }

  // --- scenario ---

  private addToScenario(s: Statement, scenario: Scenario, root: number, hasNetwork: boolean): void {
    const dim = this.paramNames.length;
    if (s.kind === 'steps') {
      const steps = this.integer(s.expr, 'The number of steps');
      if (steps !== undefined && steps < 0) this.sink.error('The number of steps cannot be negative', s.expr.start, s.expr.end);
      else if (steps !== undefined) scenario.steps = steps;
    } else if (s.kind === 'points') {
      for (const value of s.points) {
        const point = this.point(value, dim);
        if (!point) continue;
        if (s.which === 'start') scenario.start.push(point);
        else scenario.minima.push({ point, value: this.valueAt(root, point) });
      }
    } else if (s.kind === 'domain') {
      for (const entry of s.entries) {
        const low = this.constant(entry.low, 'A domain bound');
        const high = this.constant(entry.high, 'A domain bound');
        if (low === undefined || high === undefined) continue;
        if (!(low < high)) {
          this.sink.error('The lower bound must be below the upper bound', entry.low.start, entry.high.end);
          continue;
        }
        let axes: ('x' | 'y')[] = ['x', 'y'];
        if (entry.target) {
          const index = this.paramIndex(entry.target.name, entry.target.index, entry.target.start, entry.target.end);
          if (index === undefined) continue;
          if (index > 1) {
            const plotted = this.paramNames.slice(0, 2).map((p) => `'${p}'`).join(' and ');
            this.sink.error(`The domain is for the plotted parameters (${plotted}), not '${this.paramNames[index]}'`, entry.target.start, entry.target.end);
            continue;
          }
          axes = [index === 0 ? 'x' : 'y'];
        }
        for (const axis of axes) scenario.domain[axis] = [low, high];
      }
    } else if (s.kind === 'optimizer') {
      const name = s.file ? this.optimizerFile(s.file) : s.name.name.toLowerCase();
      if (!s.file && !KNOWN_OPTIMIZERS.includes(name)) {
        const suggestion = closestName(name, KNOWN_OPTIMIZERS);
        this.sink.warning(`Unknown optimizer '${s.name.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, s.name.start, s.name.end);
      }
      const options: Record<string, OptionSetting> = {};
      let label: string | undefined;
      for (const option of s.options) {
        if (Object.prototype.hasOwnProperty.call(options, option.name.name) || (option.name.name === 'label' && label !== undefined)) {
          this.sink.error(`Option '${option.name.name}' is given twice`, option.name.start, option.name.end);
          continue;
        }
        if (option.name.name === 'label') {
          if (option.value.kind === 'string') label = option.value.value;
          else this.sink.error('A label is text in double quotes, as in label="Adam (fast)"', option.value.start, option.value.end);
          continue;
        }
        if (option.name.name === 'freeze') {
          const freeze = this.freezeSetting(option.value);
          if (freeze !== undefined) options.freeze = freeze;
          continue;
        }
        if (option.name.name === 'init_seed') {
          const initSeed = this.initSeed(option, hasNetwork);
          if (initSeed !== undefined) options.init_seed = initSeed;
          continue;
        }
        const setting = this.optionSetting(option.value, STRING_OPTIONS[name]?.includes(option.name.name));
        if (setting !== undefined) options[option.name.name] = setting;
      }
      scenario.optimizers.push(label === undefined ? { name, options } : { name, options, label });
    } else if (s.kind === 'stochastic') {
      if (scenario.stochastic) {
        this.sink.error('A file holds one stochastic line', s.keyword.start, s.keyword.end);
        return;
      }
      scenario.stochastic = this.stochastic(s);
    } else if (s.kind === 'record') {
      if (scenario.recordEvery !== undefined) this.sink.error('A file holds one record line', s.keyword.start, s.keyword.end);
      else this.recordEvery(s, scenario);
    } else if (s.kind === 'schedule' || s.kind === 'builtin') {
      const options: Record<string, OptionSetting> = {};
      for (const option of s.options) {
        const setting = this.optionSetting(option.value);
        if (typeof setting !== 'number') {
          if (setting !== undefined) this.sink.error(`'${option.name.name}' takes a number`, option.value.start, option.value.end);
        } else if (Object.prototype.hasOwnProperty.call(options, option.name.name)) {
          this.sink.error(`Option '${option.name.name}' is given twice`, option.name.start, option.name.end);
        } else options[option.name.name] = setting;
      }
      if (s.kind === 'builtin') {
        if (scenario.builtin) this.sink.error('A file names one built-in loss', s.start, s.end);
        else scenario.builtin = { name: s.name.name, params: options as Record<string, number> };
        return;
      }
      const last = scenario.optimizers[scenario.optimizers.length - 1];
      if (!last) this.sink.error('A schedule line applies to the optimizer line above it: write an optimizer line first', s.start, s.end);
      else if (last.schedule) this.sink.error('This optimizer already has a schedule', s.start, s.end);
      else last.schedule = { type: s.name.name, options };
    }
  }

  /** `record every=10`: the one option, a whole number of steps. */
  private recordEvery(s: Statement & { kind: 'record' }, scenario: Scenario): void {
    if (s.options.length === 0) this.sink.error('Say how often the parameters are kept: record every=10 (every 10th step)', s.keyword.start, s.keyword.end);
    for (const { name, value } of s.options) {
      if (name.name !== 'every') {
        this.sink.error(`Unknown option '${name.name}': the record line takes every=k (keep every k-th step's parameters)`, name.start, name.end);
        continue;
      }
      if (scenario.recordEvery !== undefined) {
        this.sink.error("Option 'every' is given twice", name.start, name.end);
        continue;
      }
      const every = value.kind === 'expr' ? this.constant(value.expr, 'every') : undefined;
      if (value.kind !== 'expr') this.sink.error('every is a number of steps', value.start, value.end);
      if (every === undefined) continue;
      if (Number.isInteger(every) && every >= 1 && every <= LIMITS.panelMaxSteps) scenario.recordEvery = every;
      else this.sink.error(`every is a whole number of steps from 1 to ${LIMITS.panelMaxSteps}, got ${every}`, value.start, value.end);
    }
  }

  /** `stochastic batch=8 replacement=true seed=1 noise=0.1`. */
  private stochastic(s: Statement & { kind: 'stochastic' }): NonNullable<Scenario['stochastic']> {
    const spec: NonNullable<Scenario['stochastic']> = {};
    const names = ['batch', 'replacement', 'seed', 'noise'];
    const seen = new Set<string>();
    for (const { name, value } of s.options) {
      if (!names.includes(name.name)) {
        const suggestion = closestName(name.name, names);
        this.sink.error(`Unknown option '${name.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} The options are ${listNames(names)}`, name.start, name.end);
        continue;
      }
      if (seen.has(name.name)) {
        this.sink.error(`Option '${name.name}' is given twice`, name.start, name.end);
        continue;
      }
      seen.add(name.name);
      if (name.name === 'replacement') {
        if (value.kind === 'bool') spec.replacement = value.value;
        else this.sink.error('replacement is true or false', value.start, value.end);
        continue;
      }
      const number = value.kind === 'expr' ? this.constant(value.expr, `${name.name}`) : undefined;
      if (value.kind !== 'expr') this.sink.error(`${name.name} is a number`, value.start, value.end);
      if (number === undefined) continue;
      if (name.name === 'noise') {
        if (number >= 0 && Number.isFinite(number)) spec.noise = number;
        else this.sink.error(`noise is a standard deviation >= 0, got ${number}`, value.start, value.end);
      } else if (name.name === 'seed') {
        if (Number.isSafeInteger(number) && number >= 0) spec.seed = number;
        else this.sink.error(`seed is a whole number >= 0, got ${number}`, value.start, value.end);
      } else if (!this.data) {
        this.sink.error("batch needs data to sample from: add a 'data' line (use noise for gradient noise without data)", name.start, value.end);
      } else if (Number.isInteger(number) && number >= 1 && number <= this.data.count) {
        spec.batchSize = number;
      } else {
        this.sink.error(`batch is a whole number from 1 to ${this.data.count} (the number of samples), got ${number}`, value.start, value.end);
      }
    }
    return spec;
  }

  /** The loss at a point: for a per-sample loss, the mean over the samples. */
  private valueAt(root: number, point: number[]): number {
    if (!this.data) return this.graph.evaluate([root], point)[0];
    return meanOverData(this.graph, [root], point, this.data)[0];
  }

  /**
   * A written optimizer's file (`optimizer "lion.optim"`): its text, which the run carries, or its path when it was not
   * read (the engine, which takes the loss's text alone, needs no optimizer; the editor and Visualize read it).
   */
  private optimizerFile(file: { path: string; start: number; end: number }): string {
    if (!this.files) return file.path;
    const contents = this.files[file.path];
    const fail = (message: string): string => {
      this.sink.error(message, file.start, file.end);
      return file.path;
    };
    if (contents === undefined) return fail(`Cannot read the optimizer file "${file.path}" (paths are relative to this file)`);
    // (the reading rules are the data files'; the message names what this file is)
    if (typeof contents !== 'string') return fail(contents.problem.replace(/\b(the|The) data file "/, '$1 optimizer file "'));
    if (contents.length > LIMITS.optimizerLength) return fail(`${file.path} is longer than an optimizer may be (${LIMITS.optimizerLength} characters)`);
    if (!isOptimizerSource(contents)) return fail(`${file.path} is not an optimizer: its first line is 'optimizer NAME', as in examples/lion.optim`);
    return contents;
  }

  /**
   * `init_seed=2`: the run starts from the network line's initialization drawn with this seed (the line's own `seed=`
   * is the other runs'). A network's option only: a formula has no initialization to draw.
   */
  private initSeed(option: { name: Name; value: OptionValue }, hasNetwork: boolean): number | undefined {
    const { name, value } = option;
    if (!hasNetwork) {
      this.sink.error("init_seed draws a network's initialization: the file needs a network line (for a formula, give the run a start)", name.start, value.end);
      return undefined;
    }
    const number = value.kind === 'expr' ? this.constant(value.expr, 'init_seed') : undefined;
    if (value.kind !== 'expr') this.sink.error('init_seed is a number, as in init_seed=2', value.start, value.end);
    if (number === undefined) return undefined;
    if (Number.isInteger(number) && number >= 0 && number <= LIMITS.maxSeed) return number;
    this.sink.error(`init_seed is a whole number from 0 to ${LIMITS.maxSeed}, got ${number}`, value.start, value.end);
    return undefined;
  }

  /** `freeze=linear` (a group of a network's tensors: src/shared/freeze.ts) or `freeze=(0, 5, 7)` (parameter indices). */
  private freezeSetting(value: OptionValue): OptionSetting | undefined {
    const group = value.kind === 'string' ? value.value : value.kind === 'expr' && value.expr.kind === 'name' ? value.expr.name : undefined;
    if (group !== undefined) {
      if ((FREEZE_GROUPS as readonly string[]).includes(group)) return group;
      this.sink.error(`freeze takes ${FREEZE_GROUPS.join(', ')} or parameter indices such as (0, 3)`, value.start, value.end);
      return undefined;
    }
    const indices = this.optionSetting(value);
    const list = typeof indices === 'number' ? [indices] : indices;
    if (Array.isArray(list) && list.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 0)) return list;
    if (list !== undefined) this.sink.error('freeze indices are whole numbers >= 0 (0-based, in the order of the parameters)', value.start, value.end);
    return undefined;
  }

  private optionSetting(value: OptionValue, text = false): OptionSetting | undefined {
    if (value.kind === 'bool') return value.value;
    if (value.kind === 'string') {
      if (text) return value.value;
      const takesText = Object.entries(STRING_OPTIONS).flatMap(([optimizer, names]) => names.map((n) => `${optimizer}'s ${n}`));
      this.sink.error(`Only label and ${takesText.join(', ')} take text; option values are numbers, tuples or true/false`, value.start, value.end);
      return undefined;
    }
    if (value.kind === 'expr') return this.constant(value.expr, 'An option value');
    const items = value.items.map((item) => this.constant(item, 'An option value'));
    return items.every((v): v is number => v !== undefined) ? items : undefined;
  }

  /** A point: a tuple of dim values, or one value for every parameter. */
  private point(value: OptionValue, dim: number): number[] | undefined {
    if (value.kind === 'bool' || value.kind === 'string') {
      this.sink.error('Expected a point such as (1, 2)', value.start, value.end);
      return undefined;
    }
    const items = value.kind === 'tuple' ? value.items : [value.expr];
    const numbers = items.map((item) => this.constant(item, 'A coordinate'));
    if (!numbers.every((v): v is number => v !== undefined)) return undefined;
    if (value.kind === 'expr') return new Array<number>(dim).fill(numbers[0]);
    if (numbers.length !== dim) {
      this.sink.error(`Expected ${plural(dim, 'coordinate')} (${this.paramNames.join(', ')}), got ${numbers.length}`, value.start, value.end);
      return undefined;
    }
    return numbers;
  }

  /** The value of an expression that must not depend on the parameters. */
  private constant(expr: Expr, what: string): number | undefined {
    if (!this.scope) this.expansion = 0;
    const id = this.lower(expr);
    if (this.graph.node(id).dep) {
      this.sink.error(`${what} must be a constant, not depend on the ${this.scope ? "run's state" : 'parameters'}`, expr.start, expr.end);
      return undefined;
    }
    return this.graph.constantValue(id) ?? this.graph.evaluate([id], [])[0];
  }

  private integer(expr: Expr, what: string): number | undefined {
    const value = this.constant(expr, what);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value)) {
      this.sink.error(`${what} must be a whole number, got ${value}`, expr.start, expr.end);
      return undefined;
    }
    return value;
  }

  private paramIndex(name: string, index: Expr | undefined, start: number, end: number, column?: Expr): number | undefined {
    const entry = this.params.get(name);
    if (!entry) {
      this.unknownName(name, start, end);
      return undefined;
    }
    if (entry.kind === 'scalar') {
      if (index === undefined) return entry.index;
      this.sink.error(`'${name}' is a single ${this.scope ? 'value' : 'parameter'}, not a vector`, start, end);
      return undefined;
    }
    if (entry.kind === 'matrix') return this.matrixIndex(name, entry, index, column, start, end);
    if (column !== undefined) {
      this.sink.error(`'${name}' is a vector: write ${name}[i] with one index`, column.start, column.end);
      return undefined;
    }
    const size = entry.slots.length;
    if (index === undefined) {
      this.sink.error(`'${name}' is a vector of ${size} ${this.scope ? 'values' : 'parameters'}: write ${name}[i] with i in 1..${size}`, start, end);
      return undefined;
    }
    const i = this.integer(index, 'An index');
    if (i === undefined) return undefined;
    const slot = i >= 1 ? entry.slots[i - 1] : undefined;
    if (slot === undefined) {
      this.sink.error(`Index ${i} is out of range: '${name}' has indices 1..${size}`, index.start, index.end);
      return undefined;
    }
    return slot;
  }

  /** The slot of a matrix element name[i, j]. */
  private matrixIndex(
    name: string, entry: ParamEntry & { kind: 'matrix' }, index: Expr | undefined, column: Expr | undefined, start: number, end: number,
  ): number | undefined {
    const { rows, cols } = entry;
    if (index === undefined || column === undefined) {
      this.sink.error(`'${name}' is a ${rows} x ${cols} matrix: write ${name}[i,j] with i in 1..${rows} and j in 1..${cols}`, start, end);
      return undefined;
    }
    const i = this.integer(index, 'A row index');
    const j = this.integer(column, 'A column index');
    if (i === undefined || j === undefined) return undefined;
    const slot = i >= 1 && i <= rows && j >= 1 && j <= cols ? entry.slots[(i - 1) * cols + j - 1] : undefined;
    if (slot === undefined) {
      this.sink.error(`Index [${i},${j}] is out of range: '${name}' has rows 1..${rows} and columns 1..${cols}`, index.start, column.end);
      return undefined;
    }
    return slot;
  }

  // --- expressions ---

  private invalid(): number {
    return this.graph.constant(NaN);
  }

  private lower(e: Expr): number {
    if (++this.expansion > MAX_EXPANSION) throw new ExpansionTooLarge();
    const g = this.graph;
    switch (e.kind) {
      case 'number':
        return g.constant(e.value);
      case 'name':
        return this.lowerName(e.name, e.prefix, e.start, e.end);
      case 'index': {
        const saved = this.expansion;
        const index = this.paramIndex(e.name, e.index, e.start, e.nameEnd, e.column);
        this.expansion = Math.max(saved, this.expansion);
        return index === undefined ? this.invalid() : g.param(index);
      }
      case 'negate':
        return g.neg(this.lower(e.operand));
      case 'power':
        return g.pow(this.lower(e.base), this.lower(e.exponent));
      case 'chain': {
        let acc = this.lower(e.first);
        for (const { op, opStart, operand } of e.rest) {
          const right = this.lower(operand);
          if (op === '%' && !this.scope) this.sink.error(onlyInConditions('%'), opStart, opStart + 1);
          acc = op === '+' ? g.add(acc, right) : op === '-' ? g.sub(acc, right) : op === '*' ? g.mul(acc, right)
            : op === '/' ? g.div(acc, right) : g.mod(acc, right);
        }
        return acc;
      }
      case 'reduce':
        return this.lowerReduce(e.op, e.variable, e.variableStart, e.variableEnd, e.from, e.to, e.body);
      case 'call':
        return this.lowerCall(e);
      case 'bool':
      case 'compare':
      case 'logic':
      case 'not':
        return this.notANumber(e);
    }
  }

  /** A true/false expression where a number is expected: in a loss, or inside arithmetic in a condition. */
  private notANumber(e: Expr & { kind: 'bool' | 'compare' | 'logic' | 'not' | 'call' }): number {
    const [start, end] = e.kind === 'compare' ? [e.rest[0].opStart, e.rest[0].opEnd]
      : e.kind === 'logic' ? [e.opStart, e.opEnd]
      : e.kind === 'not' ? [e.start, e.opEnd]
      : e.kind === 'call' ? [e.start, e.nameEnd]
      : [e.start, e.end];
    const word = this.text.slice(start, end);
    if (!this.scope) {
      this.sink.error(`${onlyInConditions(word)}${word === '==' ? "; write '=' to define a name" : ''}`, start, end);
    } else {
      const what = e.kind === 'compare' ? 'A comparison' : e.kind === 'call' ? `'${word}(...)'` : `'${word}'`;
      this.sink.error(`${what} gives true or false, not a number`, e.start, e.end);
    }
    return this.invalid();
  }

  // --- conditions ---

  private condition(e: Expr): Condition {
    if (++this.expansion > MAX_EXPANSION) throw new ExpansionTooLarge();
    switch (e.kind) {
      case 'bool':
        return { kind: 'const', value: e.value };
      case 'not':
        return { kind: 'not', operand: this.condition(e.operand) };
      case 'logic':
        return { kind: e.op, operands: e.operands.map((operand) => this.condition(operand)) };
      case 'compare': {
        // a < b <= c means a < b and b <= c (b is one node)
        const values = [this.lower(e.first), ...e.rest.map((r) => this.lower(r.operand))];
        const tests: Condition[] = e.rest.map((r, k) => ({ kind: 'compare', op: r.op, left: values[k], right: values[k + 1] }));
        return tests.length === 1 ? tests[0] : { kind: 'and', operands: tests };
      }
      case 'call':
        if (PREDICATES.has(e.name)) {
          if (e.args.length === 1) return { kind: e.name as 'isnan' | 'isfinite' | 'isinf', operand: this.lower(e.args[0]) };
          this.sink.error(`'${e.name}' takes 1 argument, got ${e.args.length}`, e.start, e.end);
          return { kind: 'const', value: false };
        }
    }
    const errors = this.sink.items.length;
    this.lower(e);
    if (this.sink.items.length === errors) this.sink.error('A condition must compare something, e.g. loss < 1e-6', e.start, e.end);
    return { kind: 'const', value: false };
  }

  private lowerName(name: string, prefix: string, start: number, end: number): number {
    const g = this.graph;
    if (prefix) {
      const value = CONSTANTS.get(name) ?? PREFIXED_CONSTANTS.get(name);
      if (value !== undefined) return g.constant(value);
    } else {
      for (let i = this.indexVariables.length - 1; i >= 0; i--) {
        if (this.indexVariables[i].name === name) return g.constant(this.indexVariables[i].value);
      }
      const definition = this.definitions.get(name);
      if (definition) return definition.id;
      if (this.params.has(name)) {
        const index = this.paramIndex(name, undefined, start, end);
        return index === undefined ? this.invalid() : g.param(index);
      }
      const column = this.dataColumns.get(name);
      if (column !== undefined) return g.param(DATA_OFFSET + column);
      const value = CONSTANTS.get(name);
      if (value !== undefined) return g.constant(value);
    }
    if (FUNCTIONS.has(name) || FUNCTION_ALIASES.has(name)) {
      this.sink.error(`'${name}' is a function: call it as ${name}(...)`, start, end);
      return this.invalid();
    }
    this.unknownName(prefix ? `${prefix}.${name}` : name, start, end);
    return this.invalid();
  }

  private unknownName(name: string, start: number, end: number): void {
    if (this.columnsUnknown) return;
    const declared = this.declaredAt.get(name);
    if (declared !== undefined && declared > start) {
      this.sink.error(`'${name}' is defined on line ${this.lines.lineNumber(declared)}, after this use: move it up`, start, end);
      return;
    }
    const candidates = [
      ...this.indexVariables.map((v) => v.name), ...this.definitions.keys(), ...this.params.keys(), ...this.dataColumns.keys(), ...CONSTANTS.keys(), ...FUNCTIONS.keys(),
      ...(this.scope ? PREDICATES.keys() : []),
    ];
    const suggestion = closestName(name, candidates);
    let message = `Unknown name '${name}'.`;
    if (suggestion) message += ` Did you mean '${suggestion}'?`;
    else if (this.scope) message += ` ${this.scope.namesAre ?? "The run's state has"} ${listNames([...this.params.keys()])}`;
    else if (this.dataColumns.size > 0) message += ` The parameters are ${listNames([...this.params.keys()])}; the data columns are ${listNames([...this.dataColumns.keys()])}`;
    else if (!this.hasParamsStatement && /^[a-zA-Z]\w*$/.test(name)) message += " The parameters are x and y; declare others with 'params', e.g. params w, b";
    this.sink.error(message, start, end);
  }

  private lowerCall(e: Expr & { kind: 'call' }): number {
    if (PREDICATES.has(e.name)) return this.notANumber(e);
    const name = FUNCTION_ALIASES.get(e.name) ?? e.name;
    const info = FUNCTIONS.get(name);
    if (!info) {
      if (!e.prefix && (this.params.has(e.name) || this.definitions.has(e.name) || CONSTANTS.has(e.name))) {
        this.sink.error(`'${e.name}' is not a function (write ${e.name}*(...) for a product)`, e.start, e.nameEnd);
      } else {
        const suggestion = closestName(e.name, [...FUNCTIONS.keys(), ...FUNCTION_ALIASES.keys(), ...(this.scope ? PREDICATES.keys() : [])]);
        const shown = e.prefix ? `${e.prefix}.${e.name}` : e.name;
        this.sink.error(`Unknown name '${shown}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, e.start, e.nameEnd);
      }
      for (const arg of e.args) this.lower(arg);
      return this.invalid();
    }
    if (name === 'sum' || name === 'prod') {
      const [variable, from, to, body] = e.args;
      if (e.args.length !== 4 || variable.kind !== 'name' || variable.prefix) {
        this.sink.error(`Write ${name}(i = 1..n, term), or ${name}(i, 1, n, term)`, e.start, e.end);
        return this.invalid();
      }
      return this.lowerReduce(name, variable.name, variable.start, variable.end, from, to, body);
    }
    const count = e.args.length;
    if (count < info.minArgs || count > info.maxArgs) {
      const takes = info.maxArgs === Infinity ? `at least ${plural(info.minArgs, 'argument')}` : plural(info.minArgs, 'argument');
      this.sink.error(`'${e.name}' takes ${takes}, got ${count}`, e.start, e.end);
      for (const arg of e.args) this.lower(arg);
      return this.invalid();
    }
    return applyFunction(this.graph, name, e.args.map((arg) => this.lower(arg)));
  }

  private lowerReduce(op: 'sum' | 'prod', variable: string, variableStart: number, variableEnd: number, from: Expr, to: Expr, body: Expr): number {
    const g = this.graph;
    const low = this.integer(from, 'A sum bound');
    const high = this.integer(to, 'A sum bound');
    if (low === undefined || high === undefined) return this.invalid();
    if (this.params.has(variable) || this.definitions.has(variable) || FUNCTIONS.has(variable) || CONSTANTS.has(variable)) {
      this.sink.error(`The index '${variable}' hides another name: choose a different letter`, variableStart, variableEnd);
      return this.invalid();
    }
    let acc = g.constant(op === 'sum' ? 0 : 1);
    for (let i = low; i <= high; i++) {
      this.indexVariables.push({ name: variable, value: i });
      try {
        const term = this.lower(body);
        acc = i === low ? term : op === 'sum' ? g.add(acc, term) : g.mul(acc, term);
      } finally {
        this.indexVariables.pop();
      }
      if (this.sink.full) break;
    }
    return acc;
  }
}
