// Export's CSV, JSON and .loss text; the .loss file parses back to the same scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { trajectoriesCsv, trajectoriesJson, scenarioLossFile } = await loadTs('src/shared/export.ts');
const { parseLoss, evaluateLoss } = await loadTs('src/loss/index.ts');

const beale = {
  name: 'beale',
  title: "Beale's function",
  formula: '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
  dim: 2,
  params: ['x', 'y'],
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
  start: [1, 1.5],
  minima: [{ point: [3, 0.5], value: 0 }],
};

const scenario = {
  loss: 'beale',
  start: [-1.25, 3.5e-7],
  runs: [
    { optimizer: 'SGD', options: { lr: 0.001, momentum: 0.9, nesterov: true } },
    { optimizer: 'Adam', options: { lr: 0.1, betas: [0.9, 0.999], amsgrad: false }, label: 'Adam, "fast"' },
    { optimizer: 'Adagrad', options: { lr: 1e-21 } },
  ],
  steps: 300,
  view: { x: [-2, 4.25], y: [-1.5, 2] },
};

const trace = (optimizer, rows, status = 'completed') => ({
  label: optimizer,
  optimizer,
  dim: 2,
  rows: Float64Array.from(rows.flat()),
  rowCount: rows.length,
  status,
  stoppedAt: rows.length - 1,
});
const runs = [
  { label: 'SGD', options: scenario.runs[0].options, trace: trace('SGD', [[1, 2, 3, 4], [0.5, 1, 2, 3.5]]) },
  { label: 'Adam, "fast"', options: scenario.runs[1].options, trace: trace('Adam', [[1, 2, 3, 4], [NaN, Infinity, NaN, NaN]], 'diverged') },
];

test('CSV: a header with the parameter names, one line per row of every run, quoted labels', () => {
  const lines = trajectoriesCsv(runs, ['x', 'y']).trimEnd().split('\n');
  assert.equal(lines[0], 'run,label,optimizer,step,x,y,loss,grad_norm');
  assert.deepEqual(lines.slice(1), ['1,SGD,SGD,0,1,2,3,4', '1,SGD,SGD,1,0.5,1,2,3.5', '2,"Adam, ""fast""",Adam,0,1,2,3,4', '2,"Adam, ""fast""",Adam,1,NaN,Infinity,NaN,NaN']);
});

test('JSON: the scenario and the rows, non-finite numbers as null', () => {
  const document = JSON.parse(trajectoriesJson(scenario, beale, runs));
  assert.deepEqual(document.scenario, scenario);
  assert.equal(document.runs.length, 2);
  assert.deepEqual(document.runs[0].rows[1], { step: 1, params: [0.5, 1], loss: 2, grad_norm: 3.5 });
  assert.deepEqual(document.runs[1].rows[1], { step: 1, params: [null, null], loss: null, grad_norm: null });
  assert.equal(document.runs[1].status, 'diverged');
  assert.deepEqual(document.runs[1].options, { lr: 0.1, betas: [0.9, 0.999], amsgrad: false });
});

function assertRoundTrip(text, expected, loss) {
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics, null, 1) + '\n' + text);
  const back = parsed.loss.scenario;
  assert.deepEqual(back.start, [expected.start ?? loss.start]);
  const extent = expected.view ?? loss.domain;
  assert.deepEqual(back.domain, loss.dim === 1 ? { x: extent.x } : extent);
  // The loss language reads optimizer names in lower case; the engine finds them ignoring case.
  // Labels come back too.
  assert.deepEqual(back.optimizers, expected.runs.map((run) => ({ name: run.optimizer.toLowerCase(), options: run.options, ...(run.label ? { label: run.label } : {}) })));
  assert.equal(back.steps, expected.steps);
  return parsed.loss;
}

test(".loss of a built-in: the formula, domain (the view), start, optimizers, steps parse back to the same scenario", () => {
  const text = scenarioLossFile(scenario, beale, true);
  assert.match(text, /^# Beale's function/);
  assert.match(text, /^optimizer SGD lr=0.001 momentum=0.9 nesterov=true$/m);
  assert.match(text, /^optimizer Adam lr=0.1 betas=\(0.9, 0.999\) amsgrad=false label="Adam, \\"fast\\""$/m);
  const loss = assertRoundTrip(text, scenario, beale);
  assert.equal(loss.formula, beale.formula);
  // The default start and the whole domain when the scenario has none.
  assertRoundTrip(scenarioLossFile({ ...scenario, start: null, view: null }, beale, true), { ...scenario, start: null, view: null }, beale);
});

test('.loss of a loss text: its own scenario lines are replaced by the panel\'s, the rest kept', () => {
  const source = '# bowl\na = 3\nf = a*x^2 + y^2\ndomain [-1, 1]\nstart = (0.5, 0.5)\noptimizer sgd lr=0.1\nsteps = 10\nminimum = (0, 0)\n';
  const custom = { ...beale, name: source, title: 'a*x^2 + y^2', formula: 'a*x^2 + y^2', domain: { x: [-1, 1], y: [-1, 1] }, start: [0.5, 0.5] };
  const s = { ...scenario, loss: source };
  const text = scenarioLossFile(s, custom, false);
  assert.equal(text.match(/^optimizer /gm).length, 3);
  assert.match(text, /^minimum = \(0, 0\)$/m);
  const loss = assertRoundTrip(text, s, custom);
  assert.equal(loss.formula, 'a*x^2 + y^2');
  assert.deepEqual(loss.scenario.minima.map((m) => m.point), [[0, 0]]);
});

test('.loss of a 1-D loss: one domain range and one start value', () => {
  const reddi = { ...beale, name: 'cube', title: 'cube', formula: 'x^2', dim: 1, params: ['x'], domain: { x: [-1, 1], y: [0, 1] }, start: [0.75] };
  const s = { loss: 'cube', start: null, runs: [{ optimizer: 'Adam', options: { lr: 0.5 } }], steps: 20, view: null };
  const text = scenarioLossFile(s, reddi, true);
  assert.match(text, /^domain x in \[-1, 1\]$/m);
  assertRoundTrip(text, s, reddi);
});

test(".loss of a built-in whose formula ends with its constants (Rosenbrock): constant lines, the scenario's values", () => {
  const rosenbrock = {
    ...beale,
    name: 'rosenbrock',
    title: 'Rosenbrock',
    formula: '(a - x)^2 + b*(y - x^2)^2, a = 1, b = 100',
    lossParams: { dim: 2, a: 1, b: 100 },
    domain: { x: [-2, 2], y: [-1, 3] },
    start: [-1.5, 2],
  };
  const s = { loss: 'rosenbrock', lossParams: { dim: 2, a: 2, b: 50 }, start: null, runs: [{ optimizer: 'SGD', options: { lr: 0.001 } }], steps: 50, view: null };
  const text = scenarioLossFile(s, rosenbrock, true);
  assert.match(text, /^a = 2\nb = 50\nf = \(a - x\)\^2 \+ b\*\(y - x\^2\)\^2$/m);
  assert.doesNotMatch(text, /^dim =/m);
  const loss = assertRoundTrip(text, s, rosenbrock);
  // The file computes the scenario's Rosenbrock: (2 - x)^2 + 50 (y - x^2)^2 at (0.5, 1) = 2.25 + 50 * 0.5625.
  assert.equal(evaluateLoss(loss, [0.5, 1]).value, 2.25 + 50 * 0.5625);
});

test("every built-in with a loss-language expression exports a .loss file that computes the built-in's values", async () => {
  const { createRequire } = await import('node:module');
  const { createEngine } = createRequire(import.meta.url)('../../dist/engine.js');
  const engine = await createEngine();
  const infos = [...engine.losses(), await engine.lossInfo('rosenbrock', { dim: 4 })].filter((info) => info.expression);
  assert.ok(infos.length >= 21);
  for (const info of infos) {
    const text = scenarioLossFile({ loss: info.name, lossParams: info.lossParams, start: null, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: 10, view: null }, info, true);
    const parsed = parseLoss(text);
    assert.ok(parsed.ok, `${info.name}: ${parsed.ok ? '' : parsed.diagnostics[0].message}\n${text}`);
    const point = info.start.map((v) => v + 0.125);
    const want = (await engine.evaluate(info.name, point, info.lossParams)).value;
    const got = evaluateLoss(parsed.loss, point).value;
    assert.ok(Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)), `${info.name}: ${got} vs ${want}`);
  }
});

test('.loss labels survive the round trip: quotes, backslashes, brackets and non-ASCII; a line break becomes a space', () => {
  const labels = ['Adam (fast)', 'SGD "heavy" \\ ball', 'Σ η=0.1 #1', 'two\nlines'];
  const s = { ...scenario, runs: labels.map((label, i) => ({ optimizer: 'SGD', options: { lr: 0.01 * (i + 1) }, label })) };
  const text = scenarioLossFile(s, beale, true);
  assert.match(text, /^optimizer SGD lr=0.01 label="Adam \(fast\)"$/m);
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  assert.deepEqual(parsed.loss.scenario.optimizers.map((o) => o.label), ['Adam (fast)', 'SGD "heavy" \\ ball', 'Σ η=0.1 #1', 'two lines']);
  // A run without a label writes none.
  assert.doesNotMatch(scenarioLossFile(scenario, beale, true).split('\n').find((l) => l.startsWith('optimizer SGD')), /label/);
});

test('a written optimizer is exported by its file: the .loss names "<name>.optim" and reads back to its text; the CSV names it', async () => {
  const { readFileSync } = await import('node:fs');
  const lion = readFileSync(new URL('../../examples/lion.optim', import.meta.url), 'utf8');
  const s = { ...scenario, runs: [{ optimizer: lion, options: { lr: 0.01 } }, scenario.runs[1]] };
  const text = scenarioLossFile(s, beale, true);
  assert.match(text, /^optimizer "lion\.optim" lr=0\.01$/m);
  assert.doesNotMatch(text, /sign\(c\)/, 'the rule is not written into the .loss file');
  const parsed = parseLoss(text, { 'lion.optim': lion });
  assert.equal(parsed.ok, true, JSON.stringify(parsed.diagnostics));
  assert.deepEqual(parsed.loss.scenario.optimizers[0], { name: lion, options: { lr: 0.01 } });
  const trace = { label: 'lion', optimizer: lion, dim: 2, rows: new Float64Array([1, 2, 3, 4]), rowCount: 1, status: 'done', stoppedAt: 0 };
  const csv = trajectoriesCsv([{ label: 'lion', options: {}, trace }], ['x', 'y']);
  assert.equal(csv.split('\n')[1], '1,lion,lion,0,1,2,3,4');
});

test("a run's 0 and false override the file's stochastic line: written on its optimizer line, read back, and what the engine takes", async () => {
  const { runLines } = await loadTs('src/shared/export.ts');
  const { runFromFile } = await loadTs('src/loss/launch.ts');
  const { effectiveStochastic, samplesPerStep } = await loadTs('src/shared/stochastic.ts');
  const file = 'data a, b = [1, 2; 2, 3; 3, 5; 4, 4]\nf = (x*a + y - b)^2\nstochastic batch=2 replacement=true noise=0.1 seed=1\n';
  const run = { optimizer: 'sgd', options: { lr: 0.1 }, stochastic: { batchSize: 0, replacement: false, noise: 0 } };
  const [line] = runLines(run);
  assert.equal(line, 'optimizer sgd lr=0.1 batch=0 replacement=false noise=0');
  const parsed = parseLoss(file + line);
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  const back = runFromFile(parsed.loss.scenario.optimizers[0]);
  assert.deepEqual(back, run);
  const loss = { data: { count: 4, columns: ['a', 'b'] }, stochastic: parsed.loss.scenario.stochastic };
  assert.deepEqual(effectiveStochastic(back, loss), { batchSize: 0, replacement: false, noise: 0, seed: 1 });
  assert.equal(samplesPerStep(back, loss), 4, 'batch 0: the full batch');
  assert.equal(samplesPerStep({ optimizer: 'sgd', options: {} }, loss), 2, "no override: the stochastic line's batch");
});
