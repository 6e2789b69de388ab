// Data for networks: generated sets (made in the core from a seed), sets defined by a formula, the test split of every
// data line, and the metrics measured on it (test loss and accuracy in eval mode, train accuracy) in traces, runs and
// breakpoint conditions; the data line's diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadLoss, rangesAreValid } from './loss-helpers.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { parseLoss } = await loadLoss();

/** The rows of a loss's samples as arrays. */
async function rowsOf(loss) {
  const info = await engine.lossInfo(loss);
  const width = info.data.columns.length;
  const values = await engine.samples(loss);
  return { info, rows: Array.from({ length: values.length / width }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width))) };
}

/** How many rows have each label (the last column). */
function classCounts(rows) {
  const counts = new Map();
  for (const row of rows) counts.set(row.at(-1), (counts.get(row.at(-1)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => a[0] - b[0]));
}

const net = (inputs, outputs, loss) => `network ${inputs}-8-${outputs} activation=tanh loss=${loss}`;

test('each generated set: its columns, row count, split, labels and balanced classes', async () => {
  const cases = [
    ['spiral arms=3 samples=300 test=0.2', ['x1', 'x2', 'y'], 3, net(2, 3, 'cross_entropy')],
    ['moons samples=100 test=0.3', ['x1', 'x2', 'y'], 2, net(2, 1, 'bce')],
    ['circles samples=100', ['x1', 'x2', 'y'], 2, net(2, 1, 'bce')],
    ['xor samples=100 test=0.1', ['x1', 'x2', 'y'], 2, net(2, 1, 'bce')],
    ['blobs centers=4 samples=100 test=0.2', ['x1', 'x2', 'y'], 4, net(2, 4, 'cross_entropy')],
  ];
  for (const [line, columns, classes, network] of cases) {
    const samples = Number(/samples=(\d+)/.exec(line)[1]);
    const fraction = Number(/test=([\d.]+)/.exec(line)?.[1] ?? 0);
    const { info, rows } = await rowsOf(`data ${line} seed=4\n${network}`);
    assert.deepEqual(info.data.columns, columns, line);
    assert.equal(rows.length, samples, line);
    assert.equal(info.data.testCount ?? 0, Math.round(fraction * samples), `${line}: test rows`);
    assert.equal(info.data.count, samples - Math.round(fraction * samples), `${line}: training rows`);
    const expected = Object.fromEntries(Array.from({ length: classes }, (_, k) => [k, samples / classes]));
    assert.deepEqual(classCounts(rows), expected, `${line}: classes`);
    if (info.data.testCount) {
      // the test split (the last rows) holds every class, within one sample of its share
      const split = classCounts(rows.slice(info.data.count));
      for (let k = 0; k < classes; k++) assert.ok(Math.abs(split[k] - info.data.testCount / classes) <= 1, `${line}: test class ${k}`);
    }
    assert.ok(rows.every((r) => r.every(Number.isFinite)), line);
  }
});

test('without noise each set lies on its shape', async () => {
  const { rows: spiral } = await rowsOf(`data spiral arms=3 samples=90 noise=0 seed=1\n${net(2, 3, 'cross_entropy')}`);
  for (const [x1, x2, k] of spiral) {
    const r = Math.hypot(x1, x2);
    assert.ok(r >= 0 && r < 1);
    // the angle is 2 pi k / arms + 1.75 turns x r
    const t = (2 * Math.PI * k) / 3 + 1.75 * 2 * Math.PI * r;
    assert.ok(Math.abs(x1 - r * Math.cos(t)) < 1e-12 && Math.abs(x2 - r * Math.sin(t)) < 1e-12);
  }
  const { rows: circles } = await rowsOf(`data circles factor=0.3 samples=40 noise=0\n${net(2, 1, 'bce')}`);
  for (const [x1, x2, y] of circles) assert.ok(Math.abs(Math.hypot(x1, x2) - (y === 0 ? 1 : 0.3)) < 1e-12);
  const { rows: xor } = await rowsOf(`data xor samples=40 noise=0\n${net(2, 1, 'bce')}`);
  for (const [x1, x2, y] of xor) assert.equal(y, x1 * x2 > 0 ? 1 : 0);
  const { rows: moons } = await rowsOf(`data moons samples=40 noise=0\n${net(2, 1, 'bce')}`);
  for (const [x1, x2, y] of moons) {
    const [cx, cy] = y === 0 ? [0, 0] : [1, 0.5];
    assert.ok(Math.abs(Math.hypot(x1 - cx, x2 - cy) - 1) < 1e-12);
    assert.ok(y === 0 ? x2 >= 0 : x2 <= 0.5);
  }
  const { rows: blobs } = await rowsOf(`data blobs centers=3 samples=30 noise=0\n${net(2, 3, 'cross_entropy')}`);
  for (const [x1, x2, k] of blobs) {
    const t = (2 * Math.PI * k) / 3;
    assert.ok(Math.abs(x1 - 3 * Math.cos(t)) < 1e-12 && Math.abs(x2 - 3 * Math.sin(t)) < 1e-12);
  }
  const { info, rows: curve } = await rowsOf('data curve samples=50 noise=0\nnetwork 1-8-1 loss=mse');
  assert.deepEqual(info.data.columns, ['x', 'y']);
  for (const [x, y] of curve) assert.ok(x >= -1 && x <= 1 && Math.abs(y - Math.sin(3 * x)) < 1e-12);
});

test('the teacher: Gaussian inputs, two classes from a random network; the same seed gives the same rows', async () => {
  const text = (seed) => `data teacher inputs=4 width=6 samples=400 seed=${seed}\nnetwork 4-8-1 loss=bce`;
  const { info, rows } = await rowsOf(text(7));
  assert.deepEqual(info.data.columns, ['x1', 'x2', 'x3', 'x4', 'y']);
  const counts = classCounts(rows);
  assert.deepEqual(Object.keys(counts), ['0', '1']);
  assert.ok(counts[0] > 40 && counts[1] > 40, JSON.stringify(counts));
  const mean = rows.reduce((s, r) => s + r[0], 0) / rows.length;
  const variance = rows.reduce((s, r) => s + (r[0] - mean) ** 2, 0) / rows.length;
  assert.ok(Math.abs(mean) < 0.2 && Math.abs(variance - 1) < 0.25, `${mean} ${variance}`);
  assert.deepEqual((await rowsOf(text(7))).rows, rows);
  assert.notDeepEqual((await rowsOf(text(8))).rows, rows);
  // one of the lines of a loss text more (a comment) is another cache key: still the same rows
  assert.deepEqual((await rowsOf(`# again\n${text(7)}`)).rows, rows);
});

test('a formula set: inputs in their ranges, the label the expression at them (a condition or a number)', async () => {
  const { info, rows } = await rowsOf('data x1 in [-1, 1], x2 in [-2, 0.5], y = x2 > sin(3*x1) samples=200 seed=2 test=0.25\nnetwork 2-8-1 loss=bce');
  assert.deepEqual(info.data.columns, ['x1', 'x2', 'y']);
  assert.equal(info.data.count, 150);
  assert.equal(info.data.testCount, 50);
  for (const [x1, x2, y] of rows) {
    assert.ok(x1 >= -1 && x1 < 1 && x2 >= -2 && x2 < 0.5);
    assert.equal(y, x2 > Math.sin(3 * x1) ? 1 : 0);
  }
  const counts = classCounts(rows);
  assert.ok(counts[0] > 0 && counts[1] > 0);
  const { rows: target } = await rowsOf('data x in [0, 2], t = x^2 + exp(-x) samples=50 seed=3\nnetwork 1-4-1 loss=mse');
  for (const [x, t] of target) assert.ok(Math.abs(t - (x ** 2 + Math.exp(-x))) <= 1e-12 * t);
});

test('test metrics by hand: a 2-2-2 net with batch norm, eval mode with the running statistics', async () => {
  // Two training rows, then two test rows (test=0.5).
  const train = [[0.5, -1, 0], [1.5, 2, 1]];
  const held = [[1, 0.5, 1], [-0.5, 1, 0]];
  const rows = [...train, ...held].map((r) => r.join(', ')).join('; ');
  const W1 = [[0.3, -0.2], [0.1, 0.4]];
  const b1 = [0.05, -0.1];
  const gamma = [1.2, 0.8];
  const beta = [0.1, -0.2];
  const W2 = [[0.7, -0.5], [-0.3, 0.9]];
  const b2 = [0.02, -0.03];
  const start = [...W1.flat(), ...b1, ...gamma, ...beta, ...W2.flat(), ...b2];
  const loss = `data x1, x2, y = [${rows}] test=0.5\nnetwork 2-2-2 activation=tanh loss=cross_entropy batchnorm=true`;
  // lr 0: the parameters stay; each row's training forward (full batch) folds the batch statistics into the running ones
  const result = await engine.trace({ loss, start, optimizer: 'sgd', options: { lr: 0 }, steps: 2, metricsEvery: 1 });
  const z = (x) => W1.map((w, j) => w[0] * x[0] + w[1] * x[1] + b1[j]);
  const zs = train.map(z);
  const mean = [0, 1].map((j) => (zs[0][j] + zs[1][j]) / 2);
  const unbiased = [0, 1].map((j) => (zs[0][j] - mean[j]) ** 2 + (zs[1][j] - mean[j]) ** 2); // n - 1 = 1
  const metricsAt = (updates, set) => {
    const keep = 0.9 ** updates;
    const runningMean = mean.map((m) => (1 - keep) * m);
    const runningVar = unbiased.map((v) => keep + (1 - keep) * v);
    let total = 0;
    let correct = 0;
    for (const x of set) {
      const h = z(x).map((v, j) => Math.tanh(gamma[j] * (v - runningMean[j]) / Math.sqrt(runningVar[j] + 1e-5) + beta[j]));
      const logits = W2.map((w, k) => w[0] * h[0] + w[1] * h[1] + b2[k]);
      const top = Math.max(...logits);
      const logSum = top + Math.log(logits.reduce((s, v) => s + Math.exp(v - top), 0));
      total += logSum - logits[x[2]];
      if (logits.indexOf(top) === x[2]) correct++;
    }
    return [total / set.length, correct / set.length];
  };
  for (let row = 0; row <= 2; row++) {
    const [testLoss, testAccuracy] = metricsAt(row + 1, held);
    const [, trainAccuracy] = metricsAt(row + 1, train);
    assert.ok(Math.abs(result.testLoss[row] - testLoss) <= 1e-12 * Math.abs(testLoss), `row ${row}: ${result.testLoss[row]} vs ${testLoss}`);
    assert.equal(result.testAccuracy[row], testAccuracy, `row ${row}`);
    assert.equal(result.trainAccuracy[row], trainAccuracy, `row ${row}`);
  }
  // the running statistics moved between rows, so the test loss did too
  assert.notEqual(result.testLoss[0], result.testLoss[2]);
});

test('a formula loss with a test split: the test loss is its mean over the held-out rows', async () => {
  const loss = 'params w, b\ndata x, y = [0, 1; 1, 3; 2, 5; 3, 8] test=0.25\nf = (w*x + b - y)^2';
  const info = await engine.lossInfo(loss);
  assert.equal(info.data.count, 3);
  assert.equal(info.data.testCount, 1);
  const result = await engine.trace({ loss, start: [1, 0.5], optimizer: 'sgd', options: { lr: 0.01 }, steps: 3, metricsEvery: 1 });
  result.trajectory.forEach(([w, b], r) => {
    assert.ok(Math.abs(result.testLoss[r] - (3 * w + b - 8) ** 2) < 1e-12, `row ${r}`);
    assert.ok(Number.isNaN(result.testAccuracy[r]) && Number.isNaN(result.trainAccuracy[r]));
  });
  // the training loss is the mean over the first three rows only
  const [w, b] = [1, 0.5];
  assert.ok(Math.abs(result.trajectory[0][2] - ((b - 1) ** 2 + (w + b - 3) ** 2 + (2 * w + b - 5) ** 2) / 3) < 1e-12);
});

test('metrics every k steps: measured rows and NaN between; runs and streamRuns carry them, samples mark the split', async () => {
  const loss = 'data spiral arms=3 samples=300 test=0.2 seed=1\nnetwork 2-16-3 activation=tanh loss=cross_entropy';
  const info = await engine.lossInfo(loss);
  const samples = await engine.samples(loss);
  assert.equal(samples.length, (info.data.count + info.data.testCount) * 3);
  // full batch: 60 test + 240 training rows evaluated against a 240-row forward: every 2nd step by default
  const [run] = await engine.runs({ loss, steps: 10, runs: [{ optimizer: 'adam', options: { lr: 0.02 } }] });
  assert.equal(run.metricsEvery, 2);
  assert.equal(run.metrics.length, run.rowCount * 3);
  for (let r = 0; r < run.rowCount; r++) assert.equal(Number.isNaN(run.metrics[r * 3]), r % 2 === 1, `row ${r}`);
  // minibatches of 30: 300 evaluated rows, every 10th step; with recordEvery 4, every 12th
  const [batched] = await engine.runs({ loss, steps: 24, recordEvery: 4, runs: [{ optimizer: 'adam', stochastic: { batchSize: 30, seed: 1 } }] });
  assert.equal(batched.metricsEvery, 12);
  const measured = Array.from({ length: batched.rowCount }, (_, r) => !Number.isNaN(batched.metrics[r * 3]));
  assert.deepEqual(measured, [true, false, false, true, false, false, true]);
  const chunks = [];
  await engine.streamRuns({ loss, steps: 300, metricsEvery: 1, runs: [{ optimizer: 'adam', options: { lr: 0.02 } }] }, (chunk) => chunks.push(chunk));
  const streamed = chunks.flatMap((c) => Array.from(c.traces[0].metrics));
  const whole = await engine.trace({ loss, optimizer: 'adam', options: { lr: 0.02 }, steps: 300, metricsEvery: 1 });
  assert.deepEqual(streamed, whole.testLoss.flatMap((v, r) => [v, whole.testAccuracy[r], whole.trainAccuracy[r]]));
  assert.ok(whole.testAccuracy.at(-1) > whole.testAccuracy[0]);
  // an mse network measures only with a test split (no accuracy)
  const curve = (line) => engine.runs({ loss: `data curve samples=50 ${line}\nnetwork 1-4-1 loss=mse`, steps: 3, runs: [{ optimizer: 'adam' }] });
  assert.equal((await curve(''))[0].metrics, undefined);
  const [split] = await curve('test=0.2');
  assert.ok(Number.isFinite(split.metrics[0]) && Number.isNaN(split.metrics[1]) && Number.isNaN(split.metrics[2]));
});

test('a breakpoint on test_accuracy pauses at the first step where it holds', async () => {
  const loss = 'data spiral arms=3 samples=300 noise=0.05 test=0.2 seed=1\nnetwork 2-16-16-3 activation=tanh loss=cross_entropy batchnorm=true seed=1';
  const request = { loss, optimizer: 'adam', options: { lr: 0.02 }, steps: 300 };
  const free = await engine.trace({ ...request, metricsEvery: 1 });
  for (const [condition, values] of [['test_accuracy > 0.6', free.testAccuracy], ['train_accuracy >= 0.7', free.trainAccuracy], ['test_loss < 0.8', free.testLoss]]) {
    const holds = (v) => (condition.includes('>=') ? v >= 0.7 : condition.includes('>') ? v > 0.6 : v < 0.8);
    const first = values.findIndex((v, step) => step > 0 && holds(v));
    assert.ok(first > 0, `${condition} holds at some step`);
    // without metricsEvery: the breakpoint makes the run measure every step
    const paused = await engine.trace({ ...request, breakpoints: [condition] });
    assert.equal(paused.status, 'paused', condition);
    assert.equal(paused.stoppedAt, first, condition);
    assert.equal(paused.trajectory.length, first + 1);
  }
  // a loss without metrics: the names exist and read NaN, so the condition never holds
  const never = await engine.trace({ loss: 'rosenbrock', optimizer: 'adam', steps: 20, breakpoints: ['test_accuracy > 0'] });
  assert.equal(never.status, 'completed');
  const nan = await engine.trace({ loss: 'rosenbrock', optimizer: 'adam', steps: 20, breakpoints: ['isnan(test_loss)'] });
  assert.equal(nan.status, 'paused');
  assert.equal(nan.stoppedAt, 1);
});

test('data line diagnostics: unknown set with a suggestion, bad values, classes the network cannot take, formula errors', () => {
  const cases = [
    ['data spirl arms=3\nnetwork 2-4-3 loss=cross_entropy', /Unknown data set 'spirl'\. Did you mean 'spiral'\?/, 'spirl'],
    ['data spiral arm=3\nnetwork 2-4-3 loss=cross_entropy', /Unknown option 'arm' for data spiral\. Did you mean 'arms'\?/, 'arm'],
    ['data spiral arms=1\nnetwork 2-4-3 loss=cross_entropy', /arms is a whole number from 2 to 10, got 1/, '1'],
    ['data moons samples=2.5\nnetwork 2-4-1 loss=bce', /samples is a whole number/, '2.5'],
    ['data moons noise=-1\nnetwork 2-4-1 loss=bce', /noise is a number >= 0/, '-1'],
    ['data moons test=1\nnetwork 2-4-1 loss=bce', /test is a fraction from 0 to below 1/, '1'],
    ['data moons samples=10 test=0.01\nnetwork 2-4-1 loss=bce', /holds out no sample/, '0.01'],
    ['data x, y = [1, 2; 3, 4] test=0.9\nparams a\nf = (a*x - y)^2', /leaves none to train on/, '0.9'],
    ['data x, y = [1, 2; 3, 4] seed=1\nparams a\nf = (a*x - y)^2', /Unknown option 'seed' for data rows or files/, 'seed'],
    ['data blobs centers=4\nnetwork 2-4-3 loss=cross_entropy', /data blobs has 4 classes; loss=cross_entropy with 3 outputs takes at most 3 classes/, '2-4-3'],
    ['data curve\nnetwork 1-4-1 loss=bce', /data curve has a regression target \(use loss=mse\)/, '1-4-1'],
    ['data x1 in [1, -1], y = x1 > 0\nnetwork 1-4-1 loss=bce', /The range of x1 needs its lower end first/, '1, -1'],
    ['data x1 in [-1, 1], y = x1 > zz samples=10\nnetwork 1-4-1 loss=bce', /Unknown name 'zz'\. The inputs are x1/, 'zz'],
    ['data x1 in [-1, 1], y = x1^2 samples=10\nnetwork 1-4-1 loss=bce', /The formula has a regression target/, '1-4-1'],
    ['data x1 in [-1, 1], y = samples=10\nnetwork 1-4-1 loss=bce', /Expected the label's expression/, 'samples'],
  ];
  for (const [text, message, marked] of cases) {
    const result = parseLoss(text);
    assert.equal(result.ok, false, text);
    assert.ok(rangesAreValid(text, result.diagnostics), text);
    const d = result.diagnostics.find((x) => x.severity === 'error');
    assert.match(d.message, message, text);
    const line = text.split('\n')[d.range.start.line];
    assert.equal(line.slice(d.range.start.character, d.range.end.character), marked, `${text}: the range`);
  }
  // the inline and file forms keep working, with or without test=
  assert.equal(parseLoss('data x, y = [1, 2; 3, 4]\nparams a\nf = (a*x - y)^2').ok, true);
  const split = parseLoss('data x, y = [1, 2; 3, 4; 5, 6; 7, 8] test=0.5\nparams a\nf = (a*x - y)^2');
  assert.equal(split.ok, true);
  assert.equal(split.loss.data.count, 2);
  assert.equal(split.loss.data.testCount, 2);
});

test('a session (the debugger, the Playground) carries the metrics in its updates and pauses on them', async () => {
  const loss = 'data spiral arms=3 samples=300 noise=0.05 test=0.2 seed=1\nnetwork 2-16-16-3 activation=tanh loss=cross_entropy batchnorm=true seed=1';
  const free = await engine.trace({ loss, optimizer: 'adam', options: { lr: 0.02 }, steps: 300, metricsEvery: 1 });
  const first = free.testAccuracy.findIndex((v, step) => step > 0 && v > 0.6);
  const opened = await engine.openSession({
    loss, steps: 300, runs: [{ optimizer: 'adam', options: { lr: 0.02 } }], breakpoints: [{ id: 'a', condition: 'test_accuracy > 0.6' }],
  });
  try {
    assert.ok(opened.info[0].conditionNames.includes('test_accuracy'));
    const update = await engine.advanceSession(opened.id, { steps: 300 });
    const [run] = update.runs;
    assert.equal(run.status, 'paused');
    assert.equal(run.stoppedAt, first);
    assert.equal(run.metrics.length, (run.rowCount - run.from) * 3);
    assert.equal(run.metrics.at(-2), free.testAccuracy[first]);
  } finally {
    await engine.closeSession(opened.id);
  }
});
