// Engine.networkLayerStats (the core's networkStats.ts): per-layer activation and gradient mean/std and weight
// histograms, checked against a 1-2-1 network's forward and backward written out by hand; in-process and through the worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)), `${what}: got ${got}, want ${want}`);
const meanStd = (values) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)];
};

// 1-2-1: W1 (2x1), b1 (2), W2 (1x2), b2 (1).
const params121 = [0.8, -1.5, 0.1, 0.3, 1.2, -0.7, 0.05];
const samples = [[-1, 0.5], [0.5, -0.2], [2, 1.1]];
const loss121 = (activation) => `data x, y = [${samples.map((s) => s.join(', ')).join('; ')}]\nnetwork 1-2-1 activation=${activation} loss=mse batchnorm=false`;

/** The 1-2-1 network's activations and gradients of the mean squared error, sample by sample, by hand. */
function byHand(params, data, act, slope) {
  const [w1a, w1b, b1a, b1b, w2a, w2b, b2] = params;
  const hidden = [];
  const outputs = [];
  const gradOut = [];
  const gradHidden = [];
  let loss = 0;
  for (const [x, y] of data) {
    const z = [w1a * x + b1a, w1b * x + b1b];
    const a = z.map(act);
    const out = w2a * a[0] + w2b * a[1] + b2;
    loss += (out - y) ** 2 / data.length;
    const d = (2 * (out - y)) / data.length;
    hidden.push(...a);
    outputs.push(out);
    gradOut.push(d);
    gradHidden.push(d * w2a * slope(a[0], z[0]), d * w2b * slope(a[1], z[1]));
  }
  return { loss, hidden, outputs, gradOut, gradHidden };
}

test('a 1-2-1 tanh network: activation and gradient mean and std per layer, by hand', async () => {
  const { points } = await engine.networkLayerStats({ loss: loss121('tanh'), params: [params121], bins: 4 });
  assert.equal(points.length, 1);
  const [{ loss, layers }] = points;
  assert.equal(layers.length, 2);
  const want = byHand(params121, samples, Math.tanh, (a) => 1 - a * a);
  close(loss, want.loss, 'loss');
  const expect = (got, values, what) => {
    const [mean, std] = meanStd(values);
    close(got[0], mean, `${what} mean`);
    close(got[1], std, `${what} std`);
  };
  expect([layers[0].activationMean, layers[0].activationStd], want.hidden, 'layer 1 activations');
  expect([layers[1].activationMean, layers[1].activationStd], want.outputs, 'layer 2 outputs');
  expect([layers[0].gradientMean, layers[0].gradientStd], want.gradHidden, 'layer 1 gradients');
  expect([layers[1].gradientMean, layers[1].gradientStd], want.gradOut, 'layer 2 gradients');
});

test('relu: gradients stop at inactive units (relu\'(0) = 0 as in torch)', async () => {
  const params = [1, -1, 0, 0, 2, 3, 0];
  const relu = (z) => Math.max(0, z);
  const { points } = await engine.networkLayerStats({ loss: loss121('relu'), params: [params] });
  const want = byHand(params, samples, relu, (a) => (a > 0 ? 1 : 0));
  const [mean, std] = meanStd(want.gradHidden);
  close(points[0].layers[0].gradientMean, mean, 'gradient mean');
  close(points[0].layers[0].gradientStd, std, 'gradient std');
});

test('weight histograms: bins over [min, max] of each weight matrix, counts sum to its weights', async () => {
  const { points } = await engine.networkLayerStats({ loss: loss121('tanh'), params: [params121], bins: 4 });
  const [first, second] = points[0].layers;
  // W1 = [0.8, -1.5]: range [-1.5, 0.8], the max in the last bin.
  assert.deepEqual(first.weightRange, [-1.5, 0.8]);
  assert.deepEqual(first.weightCounts, [1, 0, 0, 1]);
  // W2 = [1.2, -0.7]: bins of width 0.475 from -0.7.
  assert.deepEqual(second.weightRange, [-0.7, 1.2]);
  assert.deepEqual(second.weightCounts, [1, 0, 0, 1]);
  // Equal weights: a unit-wide range around them.
  const equal = await engine.networkLayerStats({ loss: loss121('tanh'), params: [[0.3, 0.3, 0, 0, 1, 1, 0]], bins: 3 });
  assert.deepEqual(equal.points[0].layers[0].weightRange, [-0.2, 0.8]);
  assert.deepEqual(equal.points[0].layers[0].weightCounts, [0, 2, 0]);
});

test('a wider network: every layer histogram counts all its weights, several parameter vectors in one request', async () => {
  const loss = 'data spiral arms=3 samples=120 noise=0.1 test=0.25 seed=2\nnetwork 2-8-8-3 activation=relu loss=cross_entropy init=kaiming_normal batchnorm=true seed=3';
  const info = await engine.lossInfo(loss);
  const start = info.network && (await engine.trace({ loss, optimizer: 'adam', options: { lr: 0.05 }, steps: 20 })).trajectory;
  assert.ok(start, 'the loss is a network');
  const params = [start[0].slice(0, -1), start[20].slice(0, -1)];
  const { points } = await engine.networkLayerStats({ loss, params, bins: 10 });
  assert.equal(points.length, 2);
  points.forEach((point, i) => {
    close(point.loss, start[i * 20].at(-1), `loss at point ${i}`);
    assert.deepEqual(point.layers.map((l) => l.weightCounts.reduce((a, b) => a + b, 0)), [16, 64, 24]);
    for (const layer of point.layers) {
      assert.equal(layer.weightCounts.length, 10);
      assert.ok(layer.activationStd > 0 && layer.gradientStd > 0, 'spread activations and gradients');
    }
    // Batch norm in train mode over the training set: each hidden unit's pre-activation has mean 0, so with gamma 1
    // and beta 0 at the start relu keeps half of a symmetric spread: the mean activation is positive.
    assert.ok(point.layers[0].activationMean > 0);
  });
  // Training changed the weights: the histograms differ.
  assert.notDeepEqual(points[0].layers[1].weightCounts, points[1].layers[1].weightCounts);
});

test('stats over the training samples only, not the test split', async () => {
  const train = samples;
  const loss = `data x, y = [${[...train, [5, -3]].map((s) => s.join(', ')).join('; ')}] test=0.25\nnetwork 1-2-1 activation=tanh loss=mse batchnorm=false`;
  const info = await engine.lossInfo(loss);
  assert.equal(info.data.testCount, 1);
  const rows = await engine.samples(loss);
  const trainRows = Array.from({ length: info.data.count }, (_, i) => [rows[2 * i], rows[2 * i + 1]]);
  const { points } = await engine.networkLayerStats({ loss, params: [params121] });
  const want = byHand(params121, trainRows, Math.tanh, (a) => 1 - a * a);
  close(points[0].loss, want.loss, 'training loss');
  close(points[0].layers[0].activationMean, meanStd(want.hidden)[0], 'activation mean');
});

test('bad requests get clear messages, and the engine answers afterwards', async () => {
  const loss = loss121('tanh');
  await assert.rejects(engine.networkLayerStats({ loss: 'rosenbrock', params: [[0, 0]] }), /network line/);
  await assert.rejects(engine.networkLayerStats({ loss, params: [] }), /1 to 64 parameter lists/);
  await assert.rejects(engine.networkLayerStats({ loss, params: [[1, 2]] }), /params\[0\] needs 7 numbers/);
  await assert.rejects(engine.networkLayerStats({ loss, params: [params121], bins: 1 }), /bins must be an integer from 2 to 200/);
  await assert.rejects(engine.networkLayerStats(null), /needs a request object/);
  const { points } = await engine.networkLayerStats({ loss, params: [params121] });
  assert.equal(points[0].layers[0].weightCounts.length, 20);
});

test('through the worker: the same statistics as in-process', async () => {
  const { EngineClient } = await loadTs('src/engine/engineClient.ts');
  const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const request = { loss: loss121('tanh'), params: [params121, params121.map((p) => p / 2)], bins: 5 };
    assert.deepEqual(await client.networkLayerStats(request), await engine.networkLayerStats(request));
    await assert.rejects(client.networkLayerStats({ ...request, bins: 0 }), /bins must be/);
  } finally {
    client.dispose();
  }
});
