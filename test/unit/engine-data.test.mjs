// Per-sample losses with data, run by the core: full-batch landscape, minibatches, seeds, the built-in
// regressions expressed in the loss language, the .loss stochastic line, and the CLI reading a CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

/** A small seeded generator (mulberry32), so the data differ from the core's own generator. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inline(columns, rows) {
  return `data ${columns.join(', ')} = [${rows.map((r) => r.join(', ')).join('; ')}]`;
}

function maxRelativeDifference(a, b) {
  assert.equal(a.length, b.length);
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(v)));
  }));
  return worst;
}

const next = random(42);
const ROWS = Array.from({ length: 40 }, () => {
  const x = 4 * next() - 2;
  return [x, 0.5 * x * x - x + 0.3 * (next() - 0.5)];
});
// A non-linear per-sample loss: a Huber-like fit of y ~ a*x^2 + b*x.
const FIT = `params a, b\n${inline(['x', 'y'], ROWS)}\nf = log(1 + (a*x^2 + b*x - y)^2)\ndomain a in [-1, 2], b in [-3, 1]`;

test('the landscape is the full-batch mean, computed here independently from the data', async () => {
  const [nx, ny] = [17, 13];
  const { values, min, max } = await engine.landscape({ loss: FIT, x: [-1, 2], y: [-3, 1], size: [nx, ny] });
  let worst = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = -1 + (i * 3) / (nx - 1);
      const b = -3 + (j * 4) / (ny - 1);
      const mean = ROWS.reduce((sum, [x, y]) => sum + Math.log(1 + (a * x * x + b * x - y) ** 2), 0) / ROWS.length;
      worst = Math.max(worst, Math.abs(values[j * nx + i] - mean) / mean);
    }
  }
  assert.ok(worst < 1e-13, `worst relative difference ${worst}`);
  assert.equal(min, Math.min(...values));
  assert.equal(max, Math.max(...values));
  const info = await engine.lossInfo(FIT);
  assert.deepEqual(info.data, { count: 40, columns: ['x', 'y'] });
  assert.equal(info.title, 'log(1 + (a*x^2 + b*x - y)^2)');
  assert.equal(info.formula, 'mean over 40 samples (x, y) of log(1 + (a*x^2 + b*x - y)^2)');
  assert.deepEqual(Array.from(await engine.samples(FIT)), ROWS.flat());
});

test('minibatch gradients are means over distinct samples and average to the full gradient over an epoch', async () => {
  // f_i = c_i*u + v: each sample's gradient is (c_i, 1), whatever the point, so SGD steps show the batch gradients.
  const c = Array.from({ length: 12 }, (_, i) => i + 1);
  const loss = `params u, v\n${inline(['c'], c.map((ci) => [ci]))}\nf = c*u + v`;
  const fullGradient = c.reduce((s, ci) => s + ci, 0) / c.length;
  const batchSize = 4;
  const epochs = 3;
  const steps = (epochs * c.length) / batchSize;
  const { trajectory } = await engine.trace({
    loss, optimizer: 'sgd', options: { lr: 1 }, start: [0, 0], steps, stochastic: { batchSize, seed: 5 },
  });
  const batchSums = [];
  for (let t = 1; t <= steps; t++) {
    const [du, dv] = [trajectory[t - 1][0] - trajectory[t][0], trajectory[t - 1][1] - trajectory[t][1]];
    assert.equal(dv, 1); // the mean of batchSize ones
    batchSums.push(Math.round(du * batchSize));
    assert.ok(Math.abs(du * batchSize - batchSums.at(-1)) < 1e-12);
  }
  for (let e = 0; e < epochs; e++) {
    const epochSteps = c.length / batchSize;
    const start = trajectory[e * epochSteps][0];
    const end = trajectory[(e + 1) * epochSteps][0];
    // Over an epoch every sample is used once: the steps add up to epochSteps full-batch steps.
    assert.ok(Math.abs((start - end) / epochSteps - fullGradient) < 1e-12, `epoch ${e}`);
  }
  // The batches differ from step to step (a shuffled epoch), and the first epoch is not in sample order.
  assert.notDeepEqual(batchSums.slice(0, 3), [1 + 2 + 3 + 4, 5 + 6 + 7 + 8, 9 + 10 + 11 + 12]);
});

test('the same seed gives the same bits; another seed another path; replacement differs from epochs', async () => {
  const run = (stochastic) => engine.trace({ loss: FIT, optimizer: 'adam', options: { lr: 0.05 }, start: [1.5, 0.5], steps: 60, stochastic });
  const a = await run({ batchSize: 5, seed: 1 });
  const b = await run({ batchSize: 5, seed: 1 });
  assert.deepEqual(a.trajectory, b.trajectory);
  const other = await run({ batchSize: 5, seed: 2 });
  assert.ok(maxRelativeDifference(a.trajectory, other.trajectory) > 1e-6);
  const replaced = await run({ batchSize: 5, seed: 1, replacement: true });
  assert.ok(maxRelativeDifference(a.trajectory, replaced.trajectory) > 1e-6);
  assert.deepEqual((await run({ batchSize: 5, seed: 1, replacement: true })).trajectory, replaced.trajectory);
  const full = await run(undefined);
  assert.ok(maxRelativeDifference(a.trajectory, full.trajectory) > 1e-6);
});

async function builtinAsLoss(name, columns, formula, params) {
  const info = await engine.lossInfo(name);
  assert.deepEqual(info.data.columns.length, columns.length);
  const samples = await engine.samples(name);
  const width = columns.length;
  const rows = Array.from({ length: info.data.count }, (_, i) => Array.from(samples.subarray(i * width, (i + 1) * width)));
  return `params ${params}\n${inline(columns, rows)}\nf = ${formula}`;
}

test('linear and logistic regression written as .loss text follow the built-ins to 1e-12 (cross-check of both)', async () => {
  const cases = [
    ['linear_regression', await builtinAsLoss('linear_regression', ['xi', 'yi'], '(w*xi + b - yi)^2', 'w, b'), [0, 0]],
    ['logistic_regression', await builtinAsLoss('logistic_regression', ['x1', 'x2', 'label'], 'softplus(-label*(w1*x1 + w2*x2))', 'w1, w2'), [0.5, -0.5]],
  ];
  const runs = [
    ['sgd', { lr: 0.05 }, undefined],
    ['sgd', { lr: 0.05, momentum: 0.9 }, { batchSize: 8, seed: 3 }],
    ['adam', { lr: 0.05 }, { batchSize: 16, replacement: true, seed: 9 }],
    ['newton', {}, undefined],
  ];
  for (const [name, text, start] of cases) {
    for (const [optimizer, options, stochastic] of runs) {
      const builtin = await engine.trace({ loss: name, optimizer, options, start, steps: 80, stochastic });
      const custom = await engine.trace({ loss: text, optimizer, options, start, steps: 80, stochastic });
      assert.equal(custom.status, builtin.status);
      const difference = maxRelativeDifference(builtin.trajectory, custom.trajectory);
      assert.ok(difference <= 1e-12, `${name} ${optimizer}: ${difference}`);
      assert.ok(builtin.trajectory.length > 1);
    }
  }
});

test("Newton's step on a least-squares loss lands on the normal equations' solution (the Hessian of the mean)", async () => {
  let [sx, sy, sxx, sxy] = [0, 0, 0, 0];
  for (const [x, y] of ROWS) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const n = ROWS.length;
  const w = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const b = (sy - w * sx) / n;
  const loss = `params w, b\n${inline(['x', 'y'], ROWS)}\nf = (w*x + b - y)^2`;
  const { trajectory } = await engine.trace({ loss, optimizer: 'newton', start: [3, -2], steps: 1 });
  assert.ok(Math.abs(trajectory[1][0] - w) < 1e-12 && Math.abs(trajectory[1][1] - b) < 1e-12, JSON.stringify(trajectory[1]));
});

test("a .loss stochastic line makes every run stochastic; a run's own spec overrides it field by field", async () => {
  const withLine = `${FIT}\nstochastic batch=4 seed=7`;
  const fromLine = await engine.trace({ loss: withLine, optimizer: 'sgd', options: { lr: 0.1 }, steps: 30 });
  const explicit = await engine.trace({ loss: FIT, optimizer: 'sgd', options: { lr: 0.1 }, steps: 30, stochastic: { batchSize: 4, seed: 7 } });
  assert.deepEqual(fromLine.trajectory, explicit.trajectory);
  const reseeded = await engine.trace({ loss: withLine, optimizer: 'sgd', options: { lr: 0.1 }, steps: 30, stochastic: { seed: 8 } });
  const explicit8 = await engine.trace({ loss: FIT, optimizer: 'sgd', options: { lr: 0.1 }, steps: 30, stochastic: { batchSize: 4, seed: 8 } });
  assert.deepEqual(reseeded.trajectory, explicit8.trajectory);
  assert.ok(maxRelativeDifference(reseeded.trajectory, fromLine.trajectory) > 1e-9);
  assert.deepEqual((await engine.lossInfo(withLine)).stochastic, { batchSize: 4, seed: 7 });
  await assert.rejects(engine.trace({ loss: FIT, optimizer: 'sgd', steps: 1, stochastic: { batchSize: 41 } }), /from 0 to 40 \(the number of samples\)/);
});

test('a data file is for the caller to read: the engine says so', async () => {
  await assert.rejects(engine.trace({ loss: 'params w\ndata "p.csv"\nf = (w - u)^2', optimizer: 'sgd', steps: 1 }),
    /^Error: Invalid loss at line 2, column 6: The data file "p.csv" was not supplied/);
});

test('the CLI reads the CSV next to a .loss file; a broken CSV is one line on stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'optiscope-data-'));
  try {
    writeFileSync(join(dir, 'points.csv'), `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    writeFileSync(join(dir, 'fit.loss'), 'params a, b\ndata "points.csv"\nf = log(1 + (a*x^2 + b*x - y)^2)\nstart = (1.5, 0.5)\noptimizer adam lr=0.05\nsteps = 25\nstochastic batch=5 seed=1\n');
    const trace = () => spawnSync(process.execPath, [cli, 'trace', '--loss', join(dir, 'fit.loss')], { encoding: 'utf8', cwd: tmpdir() });
    const result = trace();
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    const expected = await engine.trace({ loss: FIT, optimizer: 'adam', options: { lr: 0.05 }, start: [1.5, 0.5], steps: 25, stochastic: { batchSize: 5, seed: 1 } });
    assert.deepEqual(JSON.parse(result.stdout).trajectory, expected.trajectory);
    writeFileSync(join(dir, 'points.csv'), 'x,y\n1,2\n3\n');
    const broken = trace();
    assert.equal(broken.status, 2);
    assert.equal(broken.stderr, 'optiscope: Invalid loss at line 2, column 6: points.csv line 3: expected 2 values as in the header, found 1\n');
    rmSync(join(dir, 'points.csv'));
    const missing = trace();
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Cannot read the data file "points.csv"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
