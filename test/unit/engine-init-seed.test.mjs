// A run's own network initialization seed (init_seed= on an optimizer line, RunConfig.initSeed): the .loss syntax and
// its diagnostics, the print back, the engine's start (the network line's initialization with that seed, bit for bit),
// the label, the CLI and the PyTorch export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { parseLoss } = await loadTs('src/loss/index.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { runLines, scenarioLossFile } = await loadTs('src/shared/export.ts');
const { parseScenario } = await loadTs('src/shared/scenarioModel.ts');
const { runLabel } = await loadTs('src/shared/scenario.ts');
const { withNetworkOptions } = await loadTs('src/shared/networkEdits.ts');
const { exportFile } = await loadTs('src/panels/pageExport.ts');
const engine = await createEngine();

const NET = 'data moons samples=60 test=0.25 seed=2\nnetwork 2-6-2 activation=tanh loss=cross_entropy init=xavier_uniform seed=1';

/** The row of a run's trace at recorded row r: its parameters. */
function paramsAt(trace, r) {
  const width = trace.dim + 2;
  return Array.from(trace.rows.subarray(r * width, r * width + trace.dim));
}

/** The first error of a text, with the text its range covers (one line). */
function firstError(text) {
  const parsed = parseLoss(text);
  assert.equal(parsed.ok, false, `expected an error in:\n${text}`);
  const d = parsed.diagnostics.find((x) => x.severity === 'error');
  const line = text.split('\n')[d.range.start.line];
  assert.equal(d.range.start.line, d.range.end.line);
  return { message: d.message, line: d.range.start.line, covered: line.slice(d.range.start.character, d.range.end.character) };
}

test('.loss: init_seed= on an optimizer line reaches the run as initSeed (not a torch option) and prints back', () => {
  const text = `${NET}\noptimizer adam lr=0.01 init_seed=2\noptimizer sgd lr=0.1 seed=3 batch=8 init_seed=0 label="B"\noptimizer adam lr=0.01\nsteps = 10`;
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.diagnostics[0].message);
  const runs = scenarioFromFile(text, parsed.loss.scenario).runs;
  assert.deepEqual(runs.map((r) => r.initSeed), [2, 0, undefined]);
  assert.deepEqual(runs.map((r) => r.options), [{ lr: 0.01 }, { lr: 0.1 }, { lr: 0.01 }]);
  assert.deepEqual(runs[1].stochastic, { seed: 3, batchSize: 8 }, 'the minibatch seed stays the stochastic one');
  assert.deepEqual(runs.map((r) => runLines(r)[0]), [
    'optimizer adam lr=0.01 init_seed=2', 'optimizer sgd lr=0.1 batch=8 seed=3 init_seed=0 label="B"', 'optimizer adam lr=0.01',
  ]);
});

test('.loss: init_seed without a network line, or not a whole number >= 0, is an error on the option with a clear message', () => {
  const formula = firstError('f = x^2 + y^2\noptimizer adam lr=0.1 init_seed=2');
  assert.equal(formula.line, 1);
  assert.equal(formula.covered, 'init_seed=2');
  assert.match(formula.message, /init_seed draws a network's initialization: the file needs a network line/);
  const builtin = firstError('builtin rosenbrock\noptimizer adam lr=0.1 init_seed=2');
  assert.equal(builtin.covered, 'init_seed=2');
  for (const [value, expected] of [['-1', /init_seed is a whole number from 0 to 2147483647, got -1/], ['1.5', /got 1\.5/], ['3e10', /got 30000000000/]]) {
    const bad = firstError(`${NET}\noptimizer adam lr=0.1 init_seed=${value}`);
    assert.equal(bad.line, 2);
    assert.equal(bad.covered, value);
    assert.match(bad.message, expected);
  }
  const text = firstError(`${NET}\noptimizer adam lr=0.1 init_seed="2"`);
  assert.equal(text.covered, '"2"');
  assert.match(text.message, /init_seed is a number, as in init_seed=2/);
  const twice = firstError(`${NET}\noptimizer adam lr=0.1 init_seed=2 init_seed=3`);
  assert.equal(twice.covered, 'init_seed');
  assert.match(twice.message, /Option 'init_seed' is given twice/);
  // a constant expression is a seed as any option value is
  const parsed = parseLoss(`${NET}\noptimizer adam lr=0.1 init_seed=2*3`);
  assert.ok(parsed.ok);
  assert.equal(scenarioFromFile('', parsed.loss.scenario).runs[0].initSeed, 6);
});

test('the scenario model takes initSeed as a whole number in [0, maxSeed]', () => {
  const run = (initSeed) => parseScenario({ loss: 'x', runs: [{ optimizer: 'adam', options: {}, initSeed }], steps: 1 });
  assert.equal(run(7).value.runs[0].initSeed, 7);
  assert.match(run(-1).error, /scenario\.runs\[0\]\.initSeed: expected an integer in \[0, 2147483647\]/);
  assert.match(run(0.5).error, /initSeed: expected an integer/);
});

test("a run's initSeed starts it from the network line's initialization with that seed: row 0 equals the line with seed=s", async () => {
  for (const s of [0, 2, 12345]) {
    const expected = (await engine.lossInfo(withNetworkOptions(NET, { seed: s }))).start;
    const [trace] = await engine.runs({ loss: NET, steps: 3, runs: [{ optimizer: 'adam', options: { lr: 0.01 }, initSeed: s }] });
    const row0 = paramsAt(trace, 0);
    assert.equal(row0.length, 32);
    row0.forEach((v, i) => assert.ok(Object.is(v, expected[i]), `seed ${s}, parameter ${i}: ${v} vs ${expected[i]}`));
  }
  // the network line's own seed is 1: initSeed 2 starts elsewhere
  const own = (await engine.lossInfo(NET)).start;
  const other = (await engine.lossInfo(withNetworkOptions(NET, { seed: 2 }))).start;
  assert.ok(own.some((v, i) => v !== other[i]));
});

test('two init seeds end at different parameters; init_seed equal to the line\'s seed runs bit for bit as no init_seed', async () => {
  const run = { optimizer: 'adam', options: { lr: 0.05 }, stochastic: { batchSize: 8, seed: 4 } };
  const traces = await engine.runs({
    loss: NET, steps: 60, recordEvery: 60,
    runs: [{ ...run }, { ...run, initSeed: 1 }, { ...run, initSeed: 2 }, { ...run, initSeed: 3 }],
  });
  const ends = traces.map((t) => paramsAt(t, t.rowCount - 1));
  assert.deepEqual(traces[1].rows, traces[0].rows, 'init_seed=1 (the line\'s seed) is the run without it, every recorded number');
  const distance = (a, b) => Math.hypot(...a.map((v, i) => v - b[i]));
  assert.ok(distance(ends[2], ends[3]) > 0.5, `seeds 2 and 3 end apart: ${distance(ends[2], ends[3])}`);
  assert.ok(distance(ends[0], ends[2]) > 0.5, `seeds 1 and 2 end apart: ${distance(ends[0], ends[2])}`);
  // both trained: the loss fell from each one's start
  for (const t of traces) assert.ok(t.rows[(t.rowCount - 1) * (t.dim + 2) + t.dim] < t.rows[t.dim], `${t.label}: the loss falls`);
  // the same initSeed is the same run, in trace as in runs
  const traced = await engine.trace({ loss: NET, steps: 60, recordEvery: 60, ...run, initSeed: 2 });
  assert.deepEqual(traced.trajectory.at(-1).slice(0, -1), ends[2]);
});

test("a run's own start wins over its initSeed; initSeed wins over the scenario's start and the file's start line", async () => {
  const seeded = (await engine.lossInfo(withNetworkOptions(NET, { seed: 2 }))).start;
  const start = seeded.map(() => 0.1);
  const [own, scenario, line] = await Promise.all([
    engine.runs({ loss: NET, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: 2, start }] }),
    engine.runs({ loss: NET, steps: 1, start, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: 2 }] }),
    engine.runs({ loss: `${NET}\nstart = 0.1`, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: 2 }, { optimizer: 'sgd', options: { lr: 0.1 } }] }),
  ]);
  assert.deepEqual(paramsAt(own[0], 0), start);
  assert.deepEqual(paramsAt(scenario[0], 0), seeded);
  assert.deepEqual(paramsAt(line[0], 0), seeded);
  assert.deepEqual(paramsAt(line[1], 0), start, 'the file\'s start line still starts the other runs');
});

test('initSeed on a loss without a network line, or not a whole number, is refused with a clear Error', async () => {
  await assert.rejects(engine.runs({ loss: 'f = x^2 + y^2', steps: 5, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: 2 }] }),
    /initSeed draws a network's initialization: the loss needs a network line/);
  await assert.rejects(engine.trace({ loss: 'rosenbrock', optimizer: 'sgd', options: { lr: 0.1 }, steps: 5, initSeed: 0 }), /needs a network line/);
  await assert.rejects(engine.runs({ loss: NET, steps: 5, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: -3 }] }), /initSeed must be a whole number from 0 to 2147483647, got -3/);
  await assert.rejects(engine.runs({ loss: NET, steps: 5, runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, initSeed: '2' }] }), /initSeed must be a whole number/);
  assert.equal((await engine.trace({ loss: NET, optimizer: 'sgd', options: { lr: 0.1 }, steps: 5 })).status, 'completed');
});

test('the label names the init seed, as the .loss line writes it', () => {
  const optimizers = engine.optimizers();
  assert.equal(runLabel({ optimizer: 'adam', options: { lr: 0.01 }, initSeed: 2 }, optimizers), 'adam lr=0.01 init_seed=2');
  assert.equal(runLabel({ optimizer: 'adam', options: { lr: 0.01 }, stochastic: { batchSize: 8 }, initSeed: 0 }, optimizers), 'adam lr=0.01 B=8 init_seed=0');
  assert.equal(runLabel({ optimizer: 'adam', options: { lr: 0.01 }, initSeed: 2, label: 'mine' }, optimizers), 'mine');
});

test('Export as .loss of a network scenario keeps each run\'s init seed, and the file runs the same starts', async () => {
  const loss = await engine.lossInfo(NET);
  const scenario = { loss: NET, start: null, view: null, steps: 5, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }, { optimizer: 'adam', options: { lr: 0.01 }, initSeed: 7 }] };
  const file = scenarioLossFile(scenario, loss, false);
  assert.match(file, /^optimizer adam lr=0\.01 init_seed=7$/m);
  const parsed = parseLoss(file);
  assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics));
  const draft = scenarioFromFile(file, parsed.loss.scenario);
  assert.deepEqual(draft.runs, scenario.runs);
  const [a, b] = await engine.runs({ loss: file, steps: 1, runs: draft.runs });
  assert.deepEqual(paramsAt(a, 0), loss.start);
  assert.deepEqual(paramsAt(b, 0), (await engine.lossInfo(withNetworkOptions(NET, { seed: 7 }))).start);
});

test('the PyTorch export starts each run from its own initialization', async () => {
  const scenario = { loss: NET, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }, { optimizer: 'sgd', options: { lr: 0.1 }, initSeed: 2 }], steps: 2 };
  const runs = async (s) => ({ traces: await engine.runs(s) });
  const script = new TextDecoder().decode(await exportFile('py', { engine, scenario, render: async () => '', runs }));
  const starts = [...script.matchAll(/^ {4}start = torch\.tensor\(\(([^)]*)\), dtype=torch\.float64\)$/gm)].map((m) => m[1].split(', ').map(Number));
  assert.equal(starts.length, 2);
  assert.deepEqual(starts[0], (await engine.lossInfo(NET)).start);
  assert.deepEqual(starts[1], (await engine.lossInfo(withNetworkOptions(NET, { seed: 2 }))).start);
  assert.match(script, /# init_seed=2: the network line's initialization drawn with seed 2/);
});

test('F5 on a .loss (the debugger\'s scenario) keeps each run\'s init seed, and its session starts there', async () => {
  const { scenarioFromLoss } = await loadTs('src/debug/adapterScenario.ts');
  const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
  const scenario = scenarioFromLoss(`${NET}\noptimizer adam lr=0.01\noptimizer adam lr=0.01 init_seed=5\nsteps = 4`, { runs: [], steps: 10 });
  assert.deepEqual(scenario.runs.map((r) => [r.initSeed, r.label]), [[undefined, 'adam lr=0.01'], [5, 'adam lr=0.01 init_seed=5']]);
  const session = await TrainingSession.open(engine, scenario);
  try {
    assert.deepEqual(session.scenario.runs[1].initSeed, 5);
    const expected = (await engine.lossInfo(withNetworkOptions(NET, { seed: 5 }))).start;
    const [a, b] = [0, 1].map((i) => session.trace(i)).map((t) => Array.from(t.rows.subarray(0, expected.length)));
    assert.deepEqual(a, (await engine.lossInfo(NET)).start);
    assert.deepEqual(b, expected);
  } finally {
    await session.dispose();
  }
});
