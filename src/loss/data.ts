// Data for per-sample losses: CSV parsing (I/O-free: callers read the files) and inlining files into loss text.
import type { DataFile } from './dataFileRules';
import type { DataGenerator, FormulaData } from './datasets';
import { DiagnosticSink, type Range } from './diagnostics';
import { parseStatements } from './parser';

/** At most this many numbers (samples x columns): 32 MiB of f64 in the core. */
export const MAX_DATA_VALUES = 4_194_304;
export const MAX_DATA_COLUMNS = 128;

/** A loss's samples: the `data` statement's columns and rows. */
export interface LossData {
  columns: string[];
  /**
   * count + testCount rows of columns.length numbers, row-major: the training samples, then the test split. Empty for a
   * generated set until the engine generates it (in the core).
   */
  values: Float64Array;
  /** The training samples (the loss is their mean). */
  count: number;
  /** The test split's samples, after the training ones (`test=` on the data line; 0: none). */
  testCount: number;
  /** A generated set (`data spiral ...`): the core makes its rows. */
  generator?: DataGenerator;
  /** A set defined by a formula (`data x1 in [-1, 1], y = x1 > 0`): the core makes its rows. */
  formula?: FormulaData;
  /** Where the data statement is. */
  range: Range;
}

export interface CsvTable {
  /** The header's names when the first line is not all numbers. */
  header?: string[];
  /** The header's 1-based line number. */
  headerLine?: number;
  rows: number[][];
  /** Problems with 1-based line numbers; at most a few are reported. */
  errors: { line: number; message: string }[];
}

const MAX_CSV_ERRORS = 5;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A value messages may quote: it looks like a mistyped number, so quoting it reveals nothing else of the file. */
const QUOTABLE = /^(?:[0-9eE.+-]{1,16}|[+-]?(?:nan|inf|infinity))$/i;

/** Why a field is not a number, quoting it only when it is a short, number-like value. */
function notANumber(field: string, column: number): string {
  if (field === '') return `column ${column} is empty`;
  return QUOTABLE.test(field) ? `'${field}' in column ${column} is not a number` : `column ${column} is not a number`;
}

function splitFields(line: string): string[] {
  return line.split(line.includes(',') ? ',' : line.includes('\t') ? '\t' : /\s+/).map((field) => field.trim());
}

/**
 * Comma-separated values (or tab- or space-separated when a line has no comma), numbers only; blank lines and
 * lines starting with '#' are skipped. A first line that is not all numbers is the header.
 */
export function parseCsv(text: string): CsvTable {
  const table: CsvTable = { rows: [], errors: [] };
  const fail = (line: number, message: string): void => {
    if (table.errors.length < MAX_CSV_ERRORS) table.errors.push({ line, message });
  };
  let width = -1;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (width < 0 && table.header === undefined && !fields.every((f) => NUMBER.test(f))) {
      table.header = fields;
      table.headerLine = i + 1;
      width = fields.length;
      continue;
    }
    if (width < 0) width = fields.length;
    if (fields.length !== width) {
      fail(i + 1, `expected ${width} value${width === 1 ? '' : 's'} as in the ${table.header ? 'header' : 'first row'}, found ${fields.length}`);
      continue;
    }
    const bad = fields.findIndex((f) => !NUMBER.test(f));
    if (bad >= 0) {
      fail(i + 1, notANumber(fields[bad], bad + 1));
      continue;
    }
    table.rows.push(fields.map(Number));
    if (table.rows.length * width > MAX_DATA_VALUES) {
      fail(i + 1, `too much data: at most ${MAX_DATA_VALUES} numbers (samples x columns)`);
      break;
    }
  }
  return table;
}

/** The files a loss text refers to (`data "points.csv"`, `optimizer "lion.optim"`), in order; callers read them and pass their contents. */
export function dataFiles(text: string): string[] {
  const files: string[] = [];
  for (const s of parseStatements(text, new DiagnosticSink())) {
    if ((s.kind === 'data' || s.kind === 'optimizer') && s.file && !files.includes(s.file.path)) files.push(s.file.path);
  }
  return files;
}

/**
 * The text with each data file replaced by its rows inline (`data "p.csv"` becomes `data x, y = [1, 2; ...]` on
 * the same line, so other lines keep their numbers). Files that are missing, refused or do not parse are left as they are.
 */
export function inlineDataFiles(text: string, files: Readonly<Record<string, DataFile | undefined>>): string {
  let result = '';
  let copied = 0;
  for (const s of parseStatements(text, new DiagnosticSink())) {
    if (s.kind !== 'data' || !s.file) continue;
    const contents = files[s.file.path];
    if (typeof contents !== 'string') continue;
    const table = parseCsv(contents);
    const names = s.names.length > 0 ? s.names.map((n) => n.name) : table.header;
    if (table.errors.length > 0 || !names) continue;
    const rows = table.rows.map((row) => row.map(String).join(', ')).join('; ');
    result += text.slice(copied, s.keyword.end) + ` ${names.join(', ')} = [${rows}]`;
    copied = s.file.end;
  }
  return result + text.slice(copied);
}
