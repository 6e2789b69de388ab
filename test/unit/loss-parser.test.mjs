// The loss language's parser: meaning, error messages and their ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoss, rangesAreValid } from './loss-helpers.mjs';

const { parseLoss } = await loadLoss();

function value(text, point) {
  const result = parseLoss(text);
  assert.ok(result.ok, `${text}: ${JSON.stringify(result.diagnostics)}`);
  return result.loss.graph.evaluate([result.loss.root], point)[0];
}

/** The single error for text, as [message, startLine, startChar, endLine, endChar]. */
function firstError(text) {
  const result = parseLoss(text);
  assert.equal(result.ok, false, `${text} should not parse`);
  assert.ok(rangesAreValid(text, result.diagnostics), JSON.stringify(result.diagnostics));
  const d = result.diagnostics[0];
  return [d.message, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

test('operators follow Python: ^ is **, right-associative; unary minus binds looser than a power', () => {
  assert.equal(value('-x^2', [3, 0]), -9);
  assert.equal(value('-x**2', [3, 0]), -9);
  assert.equal(value('2^3^2', [0, 0]), 512);
  assert.equal(value('2^-1', [0, 0]), 0.5);
  assert.equal(value('x - y - 1', [5, 2]), 2);
  assert.equal(value('x / y / 2', [8, 2]), 2);
  assert.equal(value('-(x)^2 + --y', [2, 5]), 1);
  assert.equal(value('1e-3 * x + .5 + 2.', [1000, 0]), 3.5);
});

test('names: constants, definitions, pi, e, prefixes, aliases and the assignment form', () => {
  assert.equal(value('a = 2\nb = a*3\nf = b*x', [1, 0]), 6);
  assert.equal(value('loss = pi + e', [0, 0]), Math.PI + Math.E);
  assert.equal(value('np.sin(x) + math.cos(y) + Math.PI + torch.exp(x) + np.arctan2(y, x) + np.maximum(x, y)', [1, 2]),
    Math.sin(1) + Math.cos(2) + Math.PI + Math.exp(1) + Math.atan2(2, 1) + 2);
  assert.equal(value('x^2 # a comment\n# another', [3, 0]), 9);
  assert.equal(value('(x +\n  y)', [1, 2]), 3);
  assert.equal(value('max(x, y, 7) + min(x, y)', [1, 2]), 8);
  assert.equal(value('softplus(x) + relu(-y) + sigmoid(0*x) + sign(y) + abs(-x)', [100, 2]), 100 + 0 + 0.5 + 1 + 100);
});

test('declared parameters and indexed sums', () => {
  const text = 'n = 4\nparams w[n], b\nf = sum(i = 1..n-1, 100*(w[i+1] - w[i]^2)^2 + (1 - w[i])^2) + b^2';
  const result = parseLoss(text);
  assert.ok(result.ok);
  assert.deepEqual(result.loss.params, ['w[1]', 'w[2]', 'w[3]', 'w[4]', 'b']);
  assert.equal(result.loss.graph.evaluate([result.loss.root], [1, 1, 1, 1, 3])[0], 9);
  assert.equal(value('params x[3]\nsum(i, 1, 3, i*x[i])', [1, 10, 100]), 321);
  assert.equal(value('params x[3]\nprod(i = 1..3, x[i]) + sum(i = 3..1, x[i])', [2, 3, 4]), 24);
  assert.equal(value('params a, b\nsum(i = 1..2, sum(j = 1..i, a*j)) + b', [1, 5]), 9);
});

test('scenario lines', () => {
  const result = parseLoss([
    'f = (1 - x)^2 + 100*(y - x^2)^2',
    'domain x in [-2, 2], y in [-1, 3]',
    'start = (-1.5, 2), (1, -pi/4)',
    'minimum = (1, 1)',
    'optimizer adam lr=0.05 betas=(0.9, 0.999)',
    'optimizer sgd lr=1e-3, momentum=0.9, nesterov=true',
    'steps = 200',
  ].join('\n'));
  assert.ok(result.ok);
  assert.deepEqual(result.loss.scenario, {
    domain: { x: [-2, 2], y: [-1, 3] },
    start: [[-1.5, 2], [1, -Math.PI / 4]],
    minima: [{ point: [1, 1], value: 0 }],
    optimizers: [
      { name: 'adam', options: { lr: 0.05, betas: [0.9, 0.999] } },
      { name: 'sgd', options: { lr: 1e-3, momentum: 0.9, nesterov: true } },
    ],
    steps: 200,
  });
  assert.equal(result.loss.formula, '(1 - x)^2 + 100*(y - x^2)^2');
  const both = parseLoss('x^2 + y^2\ndomain [-3, 3]\nstart = 1\noptimizer adma');
  assert.ok(both.ok);
  assert.deepEqual(both.loss.scenario.domain, { x: [-3, 3], y: [-3, 3] });
  assert.deepEqual(both.loss.scenario.start, [[1, 1]]);
  assert.equal(both.loss.warnings[0].message, "Unknown optimizer 'adma'. Did you mean 'adam'?");
});

test('optimizer labels: text in double quotes, with escaped quotes and backslashes; clear errors otherwise', () => {
  const result = parseLoss('f = x^2 + y^2\noptimizer adam lr=0.05 label="Adam (fast)"\noptimizer sgd label="a \\"b\\" \\\\ c", lr=0.1');
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  assert.deepEqual(result.loss.scenario.optimizers, [
    { name: 'adam', options: { lr: 0.05 }, label: 'Adam (fast)' },
    { name: 'sgd', options: { lr: 0.1 }, label: 'a "b" \\ c' },
  ]);
  assert.deepEqual(firstError('f = x^2\noptimizer adam label="open'), ['Unterminated string: close it with " on the same line', 1, 21, 1, 26]);
  assert.deepEqual(firstError('f = x^2\noptimizer adam label=3'), ['A label is text in double quotes, as in label="Adam (fast)"', 1, 21, 1, 22]);
  assert.deepEqual(firstError('f = x^2\noptimizer adam lr="fast"'), ["Only label and lbfgs's line_search_fn take text; option values are numbers, tuples or true/false", 1, 18, 1, 24]);
  assert.deepEqual(firstError('f = x^2\noptimizer adam label="a" label="b"'), ["Option 'label' is given twice", 1, 25, 1, 30]);
  assert.deepEqual(firstError('f = x^2\nstart = "here"'), ['Expected a point such as (1, 2)', 1, 8, 1, 14]);
  assert.deepEqual(firstError('f = "x"'), ['Text in double quotes is only for run labels (optimizer ... label="...") and data files (data "points.csv")', 0, 4, 0, 7]);
  // Code pasted with a string: the rest is still checked, so the unknown function is named first.
  assert.deepEqual(firstError('print("hello")')[0], "Unknown name 'print'.");
});

test('error messages and ranges', () => {
  assert.deepEqual(firstError('sni(x)'), ["Unknown name 'sni'. Did you mean 'sin'?", 0, 0, 0, 3]);
  assert.deepEqual(firstError('x^2 + atan2(x)'), ["'atan2' takes 2 arguments, got 1", 0, 6, 0, 14]);
  assert.deepEqual(firstError('sin(x, y)'), ["'sin' takes 1 argument, got 2", 0, 0, 0, 9]);
  assert.deepEqual(firstError('max(x)'), ["'max' takes at least 2 arguments, got 1", 0, 0, 0, 6]);
  assert.deepEqual(firstError('a = 1\nf = x +'), ["Expected an expression after '+'", 1, 6, 1, 7]);
  assert.deepEqual(firstError('(x + y'), ["Missing ')' for this '('", 0, 0, 0, 1]);
  assert.deepEqual(firstError('2x'), ["Missing operator before 'x' (write 2*x for a product)", 0, 1, 0, 2]);
  assert.deepEqual(firstError('x + y)'), ["Unmatched ')'", 0, 5, 0, 6]);
  assert.deepEqual(firstError('x @ y'), ["Unexpected character '@'", 0, 2, 0, 3]);
  assert.deepEqual(firstError('f = a*x\na = 3'), ["'a' is defined on line 2, after this use: move it up", 0, 4, 0, 5]);
  assert.deepEqual(firstError('z^2'), ["Unknown name 'z'. The parameters are x and y; declare others with 'params', e.g. params w, b", 0, 0, 0, 1]);
  assert.deepEqual(firstError('params x[3]\nsum(i = 1..4, x[i]^2)'), ["Index 4 is out of range: 'x' has indices 1..3", 1, 16, 1, 17]);
  assert.deepEqual(firstError('params x[3]\nx^2'), ["'x' is a vector of 3 parameters: write x[i] with i in 1..3", 1, 0, 1, 1]);
  assert.deepEqual(firstError('x^2\ny^2'), ['A file holds one loss; it is already given on line 1', 1, 0, 1, 3]);
  assert.deepEqual(firstError('sin + x'), ["'sin' is a function: call it as sin(...)", 0, 0, 0, 3]);
  assert.deepEqual(firstError('x(y + 1)'), ["'x' is not a function (write x*(...) for a product)", 0, 0, 0, 1]);
  assert.deepEqual(firstError('pi = 3\nx'), ["'pi' is a built-in constant", 0, 0, 0, 2]);
  assert.deepEqual(firstError('x^2\nstart = (1, 2, 3)'), ['Expected 2 coordinates (x, y), got 3', 1, 8, 1, 17]);
  assert.deepEqual(firstError('x^2\nstart = (x, 2)'), ['A coordinate must be a constant, not depend on the parameters', 1, 9, 1, 10]);
  assert.deepEqual(firstError('x^2\ndomain z in [0, 1]'), ["Unknown name 'z'. The parameters are x and y; declare others with 'params', e.g. params w, b", 1, 7, 1, 8]);
  assert.deepEqual(firstError('x^2\ndomain x in [1, 0]'), ['The lower bound must be below the upper bound', 1, 13, 1, 17]);
  assert.deepEqual(firstError('x^2\nsteps = 2.5'), ['The number of steps must be a whole number, got 2.5', 1, 8, 1, 11]);
  assert.deepEqual(firstError('sum(x, y)'), ['Write sum(i = 1..n, term), or sum(i, 1, n, term)', 0, 0, 0, 9]);
  assert.deepEqual(firstError(''), ["No loss expression: write one, e.g. 'f = (1 - x)^2 + 100*(y - x^2)^2'", 0, 0, 0, 0]);
  assert.deepEqual(firstError('a = 1\r\nsqr(y)'), ["Unknown name 'sqr'. Did you mean 'sqrt'?", 1, 0, 1, 3]);
});

test('several statements each report their error', () => {
  const result = parseLoss('a = sni(1)\nb = 2 +\nf = x + cso(y)');
  assert.equal(result.ok, false);
  assert.deepEqual(result.diagnostics.map((d) => d.range.start.line), [0, 1, 2]);
});

test('deep nesting and long inputs end with a diagnostic or a loss, quickly', () => {
  const started = performance.now();
  const deep = '('.repeat(100_000) + 'x' + ')'.repeat(100_000);
  assert.match(firstError(deep)[0], /nested too deeply/);
  assert.match(firstError('-'.repeat(100_000) + 'x')[0], /nested too deeply/);
  assert.match(firstError('x^'.repeat(100_000) + 'x')[0], /nested too deeply/);
  assert.ok(parseLoss(Array.from({ length: 20_000 }, (_, i) => `${i}*x`).join(' + ')).ok);
  assert.ok(parseLoss('x' + ' + x*y'.repeat(100_000)).ok);
  assert.ok(performance.now() - started < 20_000);
});
