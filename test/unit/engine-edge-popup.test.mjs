// Engine.edgePopup (the core's edgePopup.ts; Ramanujan et al. 2020): each layer keeps its top fraction of weights by
// |score|, the weights stay at the random start, the scores follow straight-through gradients (checked step by step
// against the engine's gradient), training the scores alone lowers the loss, progress comes every chunk of updates with
// the test metrics, a cancel stops it between chunks, and bad requests are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { networkParamGroups } = await loadTs('src/shared/network.ts');
const { withNetworkOptions } = await loadTs('src/shared/networkEdits.ts');
const { EngineClient } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const { CancelSource } = await loadTs('src/shared/rpc.ts');
const { EDGE_POPUP_CHUNK } = await loadTs('src/shared/edgePopup.ts');

const small = 'data moons samples=60 noise=0.1 seed=1\nnetwork 2-6-5-1 activation=tanh loss=bce seed=2';
const weightGroups = (widths) => networkParamGroups(widths, false).filter((g) => g.kind === 'weight');

/** The test's own top-k: per layer the round(keep n) weights of largest |score|, ties to the lower index. */
function topMask(scores, groups, dim, keep) {
  const mask = new Array(dim).fill(1);
  for (const g of groups) {
    const order = Array.from({ length: g.count }, (_, k) => g.start + k).sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a]) || a - b);
    order.slice(Math.round(keep * g.count)).forEach((i) => { mask[i] = 0; });
  }
  return mask;
}

test('the subnetwork: each layer keeps round(keep n) weights, every bias, the start\'s own values', async () => {
  const info = await engine.lossInfo(small);
  const groups = weightGroups([2, 6, 5, 1]);
  const result = await engine.edgePopup({ loss: small, keep: 0.3, steps: 5, lr: 0.5 });
  assert.equal(result.mask.length, info.dim);
  for (const g of groups) {
    const kept = result.mask.slice(g.start, g.start + g.count).filter((m) => m === 1).length;
    assert.equal(kept, Math.round(0.3 * g.count), `layer ${g.layer}`);
  }
  const weights = groups.reduce((s, g) => s + g.count, 0);
  assert.equal(result.kept, groups.reduce((s, g) => s + Math.round(0.3 * g.count), 0) / weights);
  result.mask.forEach((m, i) => assert.equal(result.params[i], m === 1 ? info.start[i] : 0, `parameter ${i}`));
  const biases = networkParamGroups([2, 6, 5, 1], false).filter((g) => g.kind !== 'weight');
  for (const g of biases) for (let k = 0; k < g.count; k++) assert.equal(result.mask[g.start + k], 1);
  assert.equal(result.losses.length, 6);
  assert.equal(result.losses.at(-1), (await engine.evaluate(small, result.params)).value);
});

test('the scores follow straight-through gradients: s <- s - lr dL/dw * w0, step by step as the test computes it', async () => {
  const info = await engine.lossInfo(small);
  const groups = weightGroups([2, 6, 5, 1]);
  const isWeight = new Array(info.dim).fill(false);
  for (const g of groups) for (let k = 0; k < g.count; k++) isWeight[g.start + k] = true;
  let scores = (await engine.lossInfo(withNetworkOptions(small, { seed: 3 }))).start.map(Math.abs);
  const [keep, lr] = [0.5, 30]; // large enough that every step changes the kept edges
  const masks = [];
  for (let steps = 1; steps <= 4; steps++) {
    const mask = topMask(scores, groups, info.dim, keep);
    const masked = info.start.map((w, i) => w * mask[i]);
    const { value, gradient } = await engine.evaluate(small, masked);
    scores = scores.map((s, i) => (isWeight[i] ? s - lr * gradient[i] * info.start[i] : s));
    const result = await engine.edgePopup({ loss: small, keep, steps, lr, scoreSeed: 3 });
    assert.ok(Math.abs(result.losses[steps - 1] - value) <= 1e-12 * Math.max(1, value), `step ${steps}: loss ${result.losses[steps - 1]} vs ${value}`);
    assert.deepEqual(result.mask, topMask(scores, groups, info.dim, keep), `step ${steps}: the mask of the updated scores`);
    masks.push(result.mask.join(''));
  }
  assert.equal(new Set(masks).size, 4, 'each update changes which edges are kept');
});

test('choosing edges alone trains a random network: moons, 2-64-64-1 relu, half the weights, loss 0.79 -> below 0.4', async () => {
  const loss = 'data moons samples=200 noise=0.1 seed=1\nnetwork 2-64-64-1 activation=relu loss=bce init=kaiming_uniform seed=3';
  const result = await engine.edgePopup({ loss, keep: 0.5, steps: 300, lr: 1 });
  const [first, last] = [result.losses[0], result.losses.at(-1)];
  console.log(`# edge-popup: a random half of the weights ${first}, the learned half ${last}`);
  assert.ok(first > 0.6, `a random mask's loss ${first}`);
  assert.ok(last < 0.4, `the learned subnetwork's loss ${last}`);
  const info = await engine.lossInfo(loss);
  result.mask.forEach((m, i) => m === 1 && assert.equal(result.params[i], info.start[i]));
});

test('bad requests are refused with clear messages, the engine keeps working, and the worker answers the same', async () => {
  const plain = 'rosenbrock';
  await assert.rejects(engine.edgePopup({ loss: plain, keep: 0.5, steps: 1, lr: 1 }), /network line/);
  await assert.rejects(engine.edgePopup({ loss: small, keep: 0, steps: 1, lr: 1 }), /keep is the fraction/);
  await assert.rejects(engine.edgePopup({ loss: small, keep: 1.5, steps: 1, lr: 1 }), /keep is the fraction/);
  await assert.rejects(engine.edgePopup({ loss: small, keep: 0.5, steps: 0, lr: 1 }), /steps is a whole number/);
  await assert.rejects(engine.edgePopup({ loss: small, keep: 0.5, steps: 2, lr: -1 }), /lr must be/);
  await assert.rejects(engine.edgePopup({ loss: small, keep: 0.5, steps: 2, lr: 1, scoreSeed: -2 }), /scoreSeed/);
  const local = await engine.edgePopup({ loss: small, keep: 0.5, steps: 10, lr: 1 });
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    assert.deepEqual(await client.edgePopup({ loss: small, keep: 0.5, steps: 10, lr: 1 }), local);
  } finally {
    client.dispose();
  }
});

test('progress every 50 updates in order up to the total, the test metrics at the same steps, and the same through the worker', async () => {
  const loss = 'data moons samples=60 noise=0.1 test=0.5 seed=1\nnetwork 2-6-5-2 activation=relu loss=cross_entropy seed=2';
  assert.equal(EDGE_POPUP_CHUNK, 50);
  const progress = [];
  const result = await engine.edgePopup({ loss, keep: 0.5, steps: 120, lr: 1 }, (p) => progress.push(p));
  assert.deepEqual(progress, [{ done: 50, total: 120 }, { done: 100, total: 120 }, { done: 120, total: 120 }]);
  assert.equal(result.losses.length, 121);
  assert.deepEqual(result.test.steps, [0, 50, 100, 120]);
  // the last test row is the final subnetwork's, measured on the 30 held-out samples
  const info = await engine.lossInfo(loss);
  const [trace] = await engine.runs({ loss, steps: 1, recordEvery: 1, metricsEvery: 1, runs: [{ optimizer: 'sgd', options: { lr: 0 }, start: result.params }] });
  assert.equal(result.test.losses.at(-1), trace.metrics[0]);
  assert.equal(result.test.accuracies.at(-1), trace.metrics[1]);
  assert.ok(result.test.accuracies.every((a) => a >= 0 && a <= 1 && Math.abs(a * 30 - Math.round(a * 30)) < 1e-9), 'accuracies are counts of 30');
  assert.equal(info.data.testCount, 30);
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const remote = [];
    assert.deepEqual(await client.edgePopup({ loss, keep: 0.5, steps: 120, lr: 1 }, (p) => remote.push(p.done)), result);
    assert.deepEqual(remote, [50, 100, 120]);
  } finally {
    client.dispose();
  }
  // without a test split: no test metrics
  assert.equal((await engine.edgePopup({ loss: small, keep: 0.5, steps: 3, lr: 1 })).test, undefined);
});

test('a cancel stops the score training between chunks, in-process and through the worker (which stays)', async () => {
  const loss = 'data moons samples=200 noise=0.1 seed=1\nnetwork 2-64-64-1 activation=relu loss=bce init=kaiming_uniform seed=3';
  const cancel = new CancelSource();
  const seen = [];
  let started = performance.now();
  // 20000 updates take about half a minute here; the cancel comes after the first 50
  await assert.rejects(engine.edgePopup({ loss, keep: 0.5, steps: 20_000, lr: 1 }, (p) => {
    seen.push(p.done);
    cancel.cancel();
  }, cancel), (error) => error.name === 'CancelledError');
  const elapsed = performance.now() - started;
  console.log(`# edge-popup cancelled in-process after ${seen} updates, ${elapsed.toFixed(0)} ms`);
  assert.deepEqual(seen, [50], 'no progress after the cancel');
  assert.ok(elapsed < 3000, `${elapsed} ms`);
  assert.equal((await engine.edgePopup({ loss, keep: 0.5, steps: 2, lr: 1 })).losses.length, 3, 'the engine works after a cancel');

  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const remoteCancel = new CancelSource();
    const remote = [];
    started = performance.now();
    await assert.rejects(client.edgePopup({ loss, keep: 0.5, steps: 20_000, lr: 1 }, (p) => {
      remote.push(p.done);
      remoteCancel.cancel();
    }, remoteCancel), (error) => error.name === 'CancelledError');
    assert.equal(remote[0], 50);
    assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
    const after = await client.edgePopup({ loss: small, keep: 0.5, steps: 10, lr: 1 });
    assert.deepEqual(after, await engine.edgePopup({ loss: small, keep: 0.5, steps: 10, lr: 1 }), 'the worker answers after a cancel');
  } finally {
    client.dispose();
  }
});
