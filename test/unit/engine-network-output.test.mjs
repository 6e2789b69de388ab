// Engine.networkOutput: a network's eval-mode outputs over a grid of its inputs (the Playground's decision regions and
// fitted curve), checked against forward passes written out by hand, in-process and through the worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const twoInputs = 'data x1, x2, y = [0, 0, 0; 1, 1, 1; -1, 0.5, 1; 0.5, -1, 0]';
// 2-2-1: W1 (2x2), b1 (2), W2 (1x2), b2 (1) in model.parameters() order.
const params221 = [0.5, -1, 2, 0.25, 0.1, -0.3, 1.5, -0.7, 0.2];
function forward221(x1, x2, activation) {
  const [a, b, c, d, e, f, g, h, k] = params221;
  return g * activation(a * x1 + b * x2 + e) + h * activation(c * x1 + d * x2 + f) + k;
}
const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)), `${what}: got ${got}, want ${want}`);

test('mse: the first output at every grid point, y outer', async () => {
  const loss = `${twoInputs}\nnetwork 2-2-1 activation=tanh loss=mse batchnorm=false`;
  const result = await engine.networkOutput({ loss, params: params221, x: [-2, 2], y: [-1, 3], size: [5, 3] });
  assert.equal(result.values.length, 15);
  assert.equal(result.confidence, undefined);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 5; i++) close(result.values[j * 5 + i], forward221(-2 + i, -1 + 2 * j, Math.tanh), `point (${i}, ${j})`);
  }
});

test('bce: the probability of class 1 and the confidence of the prediction', async () => {
  const loss = `${twoInputs}\nnetwork 2-2-1 activation=relu loss=bce batchnorm=false`;
  const relu = (z) => Math.max(0, z);
  const result = await engine.networkOutput({ loss, params: params221, x: [-3, 3], y: [-3, 3], size: [4, 4] });
  for (let p = 0; p < 16; p++) {
    const z = forward221(-3 + 2 * (p % 4), -3 + 2 * Math.floor(p / 4), relu);
    const probability = 1 / (1 + Math.exp(-z));
    close(result.values[p], probability, `p at ${p}`);
    close(result.confidence[p], Math.max(probability, 1 - probability), `confidence at ${p}`);
  }
});

test('cross_entropy: the predicted class and its softmax probability', async () => {
  const data = 'data x1, x2, y = [0, 0, 0; 1, 1, 1; -1, 0.5, 2; 0.5, -1, 0]';
  const loss = `${data}\nnetwork 2-3 activation=linear loss=cross_entropy batchnorm=false`;
  // One Linear layer: W (3x2), b (3): class scores are planes.
  const W = [[1, 0], [0, 1], [-1, -1]];
  const b = [0, 0.2, -0.1];
  const params = [...W.flat(), ...b];
  const result = await engine.networkOutput({ loss, params, x: [-1, 1], y: [-1, 1], size: [7, 7] });
  const classes = new Set();
  for (let p = 0; p < 49; p++) {
    const x = [-1 + (2 * (p % 7)) / 6, -1 + (2 * Math.floor(p / 7)) / 6];
    const scores = W.map((w, c) => w[0] * x[0] + w[1] * x[1] + b[c]);
    const best = scores.indexOf(Math.max(...scores));
    const sum = scores.reduce((s, z) => s + Math.exp(z), 0);
    assert.equal(result.values[p], best, `class at ${x}`);
    close(result.confidence[p], Math.exp(scores[best]) / sum, `confidence at ${x}`);
    classes.add(best);
  }
  assert.equal(result.outputs, 3);
  assert.deepEqual([...classes].sort(), [0, 1, 2], 'every class has a region on this grid');
});

test('one input: a curve along x (size [nx, 1])', async () => {
  const loss = 'data x, y = [0, 1; 1, 2; 2, 0]\nnetwork 1-2-1 activation=sigmoid loss=mse batchnorm=false';
  const params = [1, -2, 0.5, 0.1, 2, -1, 0.3];
  const sigmoid = (z) => 1 / (1 + Math.exp(-z));
  const result = await engine.networkOutput({ loss, params, x: [-1, 3], size: [9, 1] });
  for (let i = 0; i < 9; i++) {
    const x = -1 + 0.5 * i;
    close(result.values[i], 2 * sigmoid(x + 0.5) - sigmoid(-2 * x + 0.1) + 0.3, `x = ${x}`);
  }
  await assert.rejects(engine.networkOutput({ loss, params, x: [-1, 3], size: [9, 4] }), /ny 1 \(one input\)/);
});

test('batch norm in eval mode: the given running statistics, else mean 0 and variance 1', async () => {
  const loss = `${twoInputs}\nnetwork 2-1-1 activation=tanh loss=mse batchnorm=true`;
  // W1 (1x2), b1, bn1.weight, bn1.bias, W2 (1x1), b2.
  const params = [0.8, -0.4, 0.1, 1.5, -0.2, 2, 0.05];
  const bn = (z, mean, variance) => 1.5 * ((z - mean) / Math.sqrt(variance + 1e-5)) - 0.2;
  const want = (x1, x2, mean, variance) => 2 * Math.tanh(bn(0.8 * x1 - 0.4 * x2 + 0.1, mean, variance)) + 0.05;
  const withStats = await engine.networkOutput({ loss, params, x: [-1, 1], y: [0, 2], size: [2, 2], stats: [0.3, 4] });
  const identity = await engine.networkOutput({ loss, params, x: [-1, 1], y: [0, 2], size: [2, 2] });
  for (let p = 0; p < 4; p++) {
    const [x1, x2] = [p % 2 ? 1 : -1, p < 2 ? 0 : 2];
    close(withStats.values[p], want(x1, x2, 0.3, 4), `stats at ${p}`);
    close(identity.values[p], want(x1, x2, 0, 1), `identity at ${p}`);
  }
  await assert.rejects(engine.networkOutput({ loss, params, x: [-1, 1], y: [0, 2], size: [2, 2], stats: [1] }), /stats/);
});

test('bad requests get clear messages and leave the engine working', async () => {
  const loss = `${twoInputs}\nnetwork 2-2-1 activation=tanh loss=mse batchnorm=false`;
  await assert.rejects(engine.networkOutput({ loss: 'rosenbrock', params: [0, 0], x: [0, 1], y: [0, 1], size: [2, 2] }), /network line/);
  await assert.rejects(engine.networkOutput({ loss, params: [1, 2], x: [0, 1], y: [0, 1], size: [2, 2] }), /params/);
  await assert.rejects(engine.networkOutput({ loss, params: params221, x: [0, 1], size: [2, 2] }), /y range/);
  await assert.rejects(engine.networkOutput({ loss, params: params221, x: [0, 1], y: [0, 1], size: [1, 2] }), /size/);
  const threeInputs = 'data a, b, c, y = [0, 0, 0, 1; 1, 1, 1, 0]\nnetwork 3-2-1 activation=tanh loss=mse batchnorm=false';
  await assert.rejects(engine.networkOutput({ loss: threeInputs, params: new Array(11).fill(0), x: [0, 1], y: [0, 1], size: [2, 2] }), /1 or 2 inputs/);
  const ok = await engine.networkOutput({ loss, params: params221, x: [0, 1], y: [0, 1], size: [2, 2] });
  close(ok.values[3], forward221(1, 1, Math.tanh), 'after the errors');
});

test('through the worker: the same numbers as in-process', async () => {
  const { EngineClient } = await loadTs('src/engine/engineClient.ts');
  const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const request = { loss: `${twoInputs}\nnetwork 2-2-1 activation=tanh loss=bce batchnorm=false`, params: params221, x: [-2, 2], y: [-2, 2], size: [32, 32] };
    const remote = await client.networkOutput(request);
    const local = await engine.networkOutput(request);
    assert.ok(remote.values instanceof Float64Array);
    assert.deepEqual(Array.from(remote.values), Array.from(local.values));
    assert.deepEqual(Array.from(remote.confidence), Array.from(local.confidence));
  } finally {
    client.dispose();
  }
});
