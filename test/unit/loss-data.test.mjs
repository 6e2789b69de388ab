// Per-sample losses: the data statement (inline rows and CSV files), its diagnostics with ranges, the stochastic
// line, CSV parsing and inlining files into the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoss, rangesAreValid } from './loss-helpers.mjs';

const { parseLoss, compileLoss, evaluateLoss, parseCsv, dataFiles, inlineDataFiles, MAX_DATA_VALUES } = await loadLoss();

/** The diagnostics of text (with files), as [message, startLine, startChar, endLine, endChar]. */
function errors(text, files) {
  const result = parseLoss(text, files);
  assert.equal(result.ok, false, `${text} should not parse`);
  assert.ok(rangesAreValid(text, result.diagnostics), JSON.stringify(result.diagnostics));
  return result.diagnostics.map((d) => [d.message, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]);
}

/** The range of the first occurrence of part in text (single line), as [line, startChar, line, endChar]. */
function at(text, part, from = 0) {
  const offset = text.indexOf(part, from);
  assert.ok(offset >= 0, part);
  const before = text.slice(0, offset).split('\n');
  const line = before.length - 1;
  return [line, before[line].length, line, before[line].length + part.length];
}

const POINTS = [[1, 2.1], [2, 3.9], [3, 6.2], [-1, -2.5]];
const LINEAR = `params w, b\ndata xi, yi = [${POINTS.map((r) => r.join(', ')).join('; ')}]\nf = (w*xi + b - yi)^2\n`;

/** The mean of (w x + b - y)^2 and its exact derivatives, computed here from the rows. */
function linearMean(rows, w, b) {
  let f = 0, gw = 0, gb = 0, hww = 0, hwb = 0;
  for (const [x, y] of rows) {
    const r = w * x + b - y;
    f += r * r;
    gw += 2 * r * x;
    gb += 2 * r;
    hww += 2 * x * x;
    hwb += 2 * x;
  }
  const n = rows.length;
  return { value: f / n, gradient: [gw / n, gb / n], hessian: [hww / n, hwb / n, hwb / n, 2] };
}

function close(actual, expected, what) {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= 1e-12 * scale, `${what}: ${actual} vs ${expected}`);
}

test('inline data: the loss is the mean of the per-sample loss, with exact derivatives', () => {
  const result = parseLoss(LINEAR);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  const { loss } = result;
  assert.deepEqual(loss.params, ['w', 'b']);
  assert.deepEqual(loss.data.columns, ['xi', 'yi']);
  assert.equal(loss.data.count, 4);
  assert.deepEqual(Array.from(loss.data.values), POINTS.flat());
  assert.deepEqual(loss.symbols.filter((s) => s.kind === 'data').map((s) => s.name), ['xi', 'yi']);
  for (const [w, b] of [[0, 0], [1.5, -0.25], [-2, 3]]) {
    const got = evaluateLoss(loss, [w, b], true);
    const want = linearMean(POINTS, w, b);
    close(got.value, want.value, 'value');
    want.gradient.forEach((g, i) => close(got.gradient[i], g, `gradient ${i}`));
    want.hessian.forEach((h, i) => close(got.hessian[i], h, `hessian ${i}`));
  }
  // Rows may span lines, a trailing ';' is fine, signs are allowed.
  const multiline = parseLoss('params w\ndata u = [\n  1;\n  -2.5e0;\n  +3;\n]\nf = (w - u)^2');
  assert.ok(multiline.ok);
  assert.deepEqual(Array.from(multiline.loss.data.values), [1, -2.5, 3]);
});

test('a 2-D per-sample loss compiles without the row kernel (the landscape is the mean)', () => {
  const compiled = compileLoss(LINEAR);
  assert.ok(compiled.ok);
  assert.equal(compiled.hasRow, false);
  assert.equal(compiled.data.count, 4);
  assert.equal(compileLoss('f = x^2 + y^2').hasRow, true);
});

test('minima of a per-sample loss have the mean as their value', () => {
  const result = parseLoss(`${LINEAR}minimum = (2, -0.1)`);
  assert.ok(result.ok);
  close(result.loss.scenario.minima[0].value, linearMean(POINTS, 2, -0.1).value, 'minimum value');
});

test('CSV files: header names, names given in the .loss, separators, comments', () => {
  const csv = 'xi,yi\n1,2.1\n2, 3.9\n\n# a comment\n3,6.2\n-1,-2.5\n';
  const byHeader = parseLoss('params w, b\ndata "points.csv"\nf = (w*xi + b - yi)^2', { 'points.csv': csv });
  assert.ok(byHeader.ok, JSON.stringify(byHeader.diagnostics));
  assert.deepEqual(byHeader.loss.data.columns, ['xi', 'yi']);
  assert.deepEqual(Array.from(byHeader.loss.data.values), POINTS.flat());
  const named = parseLoss('params w, b\ndata u, v = "p.csv"\nf = (w*u + b - v)^2', { 'p.csv': '1\t2.1\n2\t3.9\n3\t6.2\n-1\t-2.5' });
  assert.ok(named.ok, JSON.stringify(named.diagnostics));
  assert.deepEqual(Array.from(named.loss.data.values), POINTS.flat());
  assert.deepEqual(parseCsv('a b\n1 2\n3   4').rows, [[1, 2], [3, 4]]);
  assert.deepEqual(parseCsv('a b\n1 2\n3   4').header, ['a', 'b']);
});

test('dataFiles lists the files; inlineDataFiles puts their rows on the same line', () => {
  const text = 'params w, b\ndata "points.csv"\nf = (w*xi + b - yi)^2\nsteps = 7';
  assert.deepEqual(dataFiles(text), ['points.csv']);
  assert.deepEqual(dataFiles(LINEAR), []);
  const inlined = inlineDataFiles(text, { 'points.csv': 'xi,yi\n1,2.1\n2,3.9\n3,6.2\n-1,-2.5' });
  assert.equal(inlined.split('\n').length, text.split('\n').length);
  assert.equal(inlined.split('\n')[1], 'data xi, yi = [1, 2.1; 2, 3.9; 3, 6.2; -1, -2.5]');
  const parsed = parseLoss(inlined);
  assert.ok(parsed.ok);
  assert.deepEqual(Array.from(parsed.loss.data.values), POINTS.flat());
  assert.equal(parsed.loss.scenario.steps, 7);
  // A file that is missing stays as it was (its diagnostic comes from parseLoss with the files).
  assert.equal(inlineDataFiles(text, {}), text);
  // Numbers keep every bit.
  const tiny = inlineDataFiles('params w\ndata "a.csv"\nf = (w - a)^2', { 'a.csv': 'a\n0.1\n1e-300\n3.141592653589793' });
  assert.deepEqual(Array.from(parseLoss(tiny).loss.data.values), [0.1, 1e-300, 3.141592653589793]);
});

test('each data error has its own message and range', () => {
  const missing = 'params w\ndata "nowhere.csv"\nf = w^2';
  assert.deepEqual(errors(missing, {}), [['Cannot read the data file "nowhere.csv" (paths are relative to this file)', ...at(missing, '"nowhere.csv"')]]);
  const [engineMessage] = errors(missing)[0];
  assert.match(engineMessage, /was not supplied/);

  const ragged = 'params w\ndata u, v = [1, 2; 3; 4, 5]\nf = (w*u - v)^2';
  assert.deepEqual(errors(ragged), [['Expected 2 values (u, v), got 1', ...at(ragged, '3;')].map((v, i) => (i === 4 ? v - 1 : v))]);

  const notNumber = 'params w\ndata u = [1; abc; 3]\nf = (w - u)^2';
  assert.deepEqual(errors(notNumber), [["Data values must be numbers, found 'abc'", ...at(notNumber, 'abc')]]);

  const unknown = 'params w, b\ndata xi, yi = [1, 2]\nf = (w*xi + b - zi)^2';
  assert.deepEqual(errors(unknown), [["Unknown name 'zi'. The parameters are w and b; the data columns are xi and yi", ...at(unknown, 'zi')]]);

  const empty = 'params w\ndata u = []\nf = (w - u)^2';
  assert.deepEqual(errors(empty), [['The data has no rows: a per-sample loss needs at least one sample', ...at(empty, 'data u = []')]]);

  const unclosed = 'params w\ndata u = [1; 2\nf = (w - u)^2';
  assert.equal(errors(unclosed)[0][0], "Missing ']' to close these data rows");
  assert.deepEqual(errors(unclosed)[0].slice(1), at(unclosed, '['));

  const csvRagged = 'params w\ndata "p.csv"\nf = (w*u - v)^2';
  assert.deepEqual(errors(csvRagged, { 'p.csv': 'u,v\n1,2\n3\n4,5' }), [['p.csv line 3: expected 2 values as in the header, found 1', ...at(csvRagged, '"p.csv"')]]);
  assert.deepEqual(errors(csvRagged, { 'p.csv': 'u,v\n1,2\n3,1.2.3' }), [["p.csv line 3: '1.2.3' in column 2 is not a number", ...at(csvRagged, '"p.csv"')]]);
  // A value that does not look like a number is not quoted: the file may not be a CSV at all.
  assert.deepEqual(errors(csvRagged, { 'p.csv': 'u,v\n1,2\n3,x7' }).map((e) => e[0]), ['p.csv line 3: column 2 is not a number']);
  assert.deepEqual(errors(csvRagged, { 'p.csv': '1,2\n3,4' }).map((e) => e[0]), ['p.csv has no header row naming its columns: add one, or name them here as in: data x, y = "p.csv"']);
  assert.deepEqual(errors(csvRagged, { 'p.csv': 'u,v\n' }).map((e) => e[0]), ['The data has no rows: a per-sample loss needs at least one sample']);
  assert.deepEqual(errors(csvRagged, { 'p.csv': 'u value,v\n1,2' }).map((e) => e[0]), ['p.csv line 1: the name of column 1 is not a name the loss can use (letters, digits and _)']);
  const countMismatch = 'params w\ndata u = "p.csv"\nf = (w - u)^2';
  assert.deepEqual(errors(countMismatch, { 'p.csv': '1,2\n3,4' }), [['p.csv has 2 columns, but 1 name is given', ...at(countMismatch, 'data u = "p.csv"')]]);

  const clash = 'params w, b\ndata w, y = [1, 2]\nf = (w - y)^2';
  assert.equal(errors(clash)[0][0], "'w' is a parameter (line 1)");
  assert.deepEqual(errors(clash)[0].slice(1), at(clash, 'w', clash.indexOf('data')));

  const twice = 'params w\ndata u = [1]\ndata v = [2]\nf = (w - u)^2';
  assert.deepEqual(errors(twice), [['A file holds one data set; it is already given on line 2', ...at(twice, 'data v = [2]')]]);

  const unterminated = 'params w\ndata "p.csv\nf = w^2';
  assert.equal(errors(unterminated, {})[0][0], 'Unterminated string: close it with " on the same line');
});

test('too much data for memory is a diagnostic, not a crash', () => {
  const rows = Math.floor(MAX_DATA_VALUES / 2) + 1;
  const csv = `u,v\n${'1,2\n'.repeat(rows)}`;
  const text = 'params w\ndata "big.csv"\nf = (w*u - v)^2';
  const [[message, ...range]] = errors(text, { 'big.csv': csv });
  assert.match(message, /^big\.csv line \d+: too much data: at most 4194304 numbers/);
  assert.deepEqual(range, at(text, '"big.csv"'));
});

test('the stochastic line: options, defaults and their errors', () => {
  const result = parseLoss(`${LINEAR}stochastic batch=2 replacement=true seed=7 noise=0.5`);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  assert.deepEqual(result.loss.scenario.stochastic, { batchSize: 2, replacement: true, seed: 7, noise: 0.5 });
  const big = `${LINEAR}stochastic batch=5`;
  assert.deepEqual(errors(big), [['batch is a whole number from 1 to 4 (the number of samples), got 5', ...at(big, '5', big.indexOf('batch'))]]);
  const noData = 'f = x^2\nstochastic batch=2';
  assert.deepEqual(errors(noData).map((e) => e[0]), ["batch needs data to sample from: add a 'data' line (use noise for gradient noise without data)"]);
  assert.ok(parseLoss('f = x^2\nstochastic noise=0.1 seed=3').ok);
  const typo = `${LINEAR}stochastic bacth=2`;
  assert.deepEqual(errors(typo), [["Unknown option 'bacth'. Did you mean 'batch'? The options are batch, replacement, seed and noise", ...at(typo, 'bacth')]]);
  const badSeed = `${LINEAR}stochastic seed=-1`;
  assert.equal(errors(badSeed)[0][0], 'seed is a whole number >= 0, got -1');
  const badReplacement = `${LINEAR}stochastic replacement=1`;
  assert.equal(errors(badReplacement)[0][0], 'replacement is true or false');
});
