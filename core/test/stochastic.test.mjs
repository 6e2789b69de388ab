// Stochastic and online optimization in the core: minibatches, noise, reproducibility, Reddi et al.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const run1 = async (request) => (await engine.runs({ steps: 200, ...request }))[0];

test('the same seed gives the same bits; another seed another path', async () => {
  const spec = { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9 }, stochastic: { batchSize: 8, seed: 7 } };
  const a = await run1({ loss: 'linear_regression', runs: [spec] });
  const b = await run1({ loss: 'linear_regression', runs: [spec] });
  assert.deepEqual(a.rows, b.rows);
  const c = await run1({ loss: 'linear_regression', runs: [{ ...spec, stochastic: { batchSize: 8, seed: 8 } }] });
  assert.notDeepEqual(a.rows, c.rows);
  const withReplacement = await run1({ loss: 'linear_regression', runs: [{ ...spec, stochastic: { batchSize: 8, seed: 7, replacement: true } }] });
  assert.notDeepEqual(a.rows, withReplacement.rows);
  const noisy = await run1({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 0.01 }, stochastic: { noise: 1, seed: 3 } }] });
  const noisyAgain = await run1({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 0.01 }, stochastic: { noise: 1, seed: 3 } }] });
  assert.deepEqual(noisy.rows, noisyAgain.rows);
});

test('the data set is generated from its seed', async () => {
  const a = await engine.samples('logistic_regression', { samples: 50, seed: 4 });
  const b = await engine.samples('logistic_regression', { samples: 50, seed: 4 });
  const c = await engine.samples('logistic_regression', { samples: 50, seed: 5 });
  assert.equal(a.length, 150);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (let i = 0; i < 50; i++) assert.ok(a[3 * i + 2] === 1 || a[3 * i + 2] === -1);
});

test('the full-batch loss is the mean of the per-sample losses', async () => {
  const data = await engine.samples('linear_regression', { samples: 64, seed: 2 });
  const point = [1.5, -0.25];
  let mean = 0;
  for (let i = 0; i < 64; i++) mean += (point[0] * data[2 * i] + point[1] - data[2 * i + 1]) ** 2 / 64;
  const at = await engine.evaluate('linear_regression', point, { samples: 64, seed: 2 });
  assert.ok(Math.abs(at.value - mean) < 1e-12 * mean);
});

test('over an epoch without replacement the minibatch gradients average to the full gradient', async () => {
  // With a tiny learning rate x barely moves, so the summed SGD updates of one epoch are
  // (samples / batch) times the full gradient at the start.
  const lossParams = { samples: 96, seed: 3 };
  const lr = 1e-9;
  const batchSize = 12;
  const epoch = 96 / batchSize;
  const start = [4, 1];
  const [run] = await engine.runs({ loss: 'linear_regression', lossParams, runs: [{ optimizer: 'sgd', options: { lr }, start, stochastic: { batchSize, seed: 9 } }], steps: epoch });
  const full = (await engine.evaluate('linear_regression', start, lossParams)).gradient;
  const last = run.rows.subarray(epoch * 4, epoch * 4 + 2);
  for (let i = 0; i < 2; i++) {
    const averaged = (start[i] - last[i]) / (lr * epoch);
    assert.ok(Math.abs(averaged - full[i]) < 1e-5 * Math.abs(full[i]), `coordinate ${i}: ${averaged} vs ${full[i]}`);
  }
  // One batch alone is not the full gradient.
  const [one] = await engine.runs({ loss: 'linear_regression', lossParams, runs: [{ optimizer: 'sgd', options: { lr }, start, stochastic: { batchSize, seed: 9 } }], steps: 1 });
  assert.ok(Math.abs((start[0] - one.rows[4]) / lr - full[0]) > 1e-3 * Math.abs(full[0]));
});

test('minibatch SGD jitters around the minimum where full-batch GD settles', async () => {
  const info = await engine.lossInfo('linear_regression');
  const [minimum] = info.minima;
  const [gd, sgd] = await engine.runs({
    loss: 'linear_regression',
    runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }, { optimizer: 'sgd', options: { lr: 0.1 }, stochastic: { batchSize: 4, seed: 1 } }],
    steps: 500,
  });
  const distance = (t) => Math.hypot(t.rows[500 * 4] - minimum.point[0], t.rows[500 * 4 + 1] - minimum.point[1]);
  assert.ok(distance(gd) < 1e-9, `GD ends ${distance(gd)} from the minimum`);
  assert.ok(distance(sgd) > 1e-3 && distance(sgd) < 1, `SGD ends ${distance(sgd)} from the minimum`);
});

test('Reddi et al. (2018): on f_t(x) = Cx / -x Adam goes to the worst point +1 and AMSGrad to the best, -1', async () => {
  for (const C of [3, 10]) {
    const options = { lr: 0.5, betas: [0, 1 / (1 + C * C)] };
    const [adam, amsgrad] = await engine.runs({
      loss: 'reddi',
      lossParams: { C },
      runs: [
        { optimizer: 'adam', options, start: [0], schedule: { type: 'inverse_sqrt' } },
        { optimizer: 'adam', options: { ...options, amsgrad: true }, start: [0], schedule: { type: 'inverse_sqrt' } },
      ],
      steps: 3000,
    });
    assert.equal(adam.rows[3000 * 3], 1, `Adam with C = ${C}`);
    assert.ok(amsgrad.rows[3000 * 3] < -0.98, `AMSGrad with C = ${C} ends at ${amsgrad.rows[3000 * 3]}`);
    for (let k = 0; k <= 3000; k++) assert.ok(Math.abs(adam.rows[3 * k]) <= 1, 'projected onto [-1, 1]');
  }
});

test('stochastic settings are checked', async () => {
  const run = (loss, stochastic) => engine.runs({ loss, runs: [{ optimizer: 'sgd', stochastic }], steps: 1 });
  await assert.rejects(run('rosenbrock', { batchSize: 4 }), /needs a data-backed loss; 'rosenbrock' has no samples/);
  await assert.rejects(run('linear_regression', { batchSize: 1000 }), /batchSize must be an integer from 0 to 256/);
  await assert.rejects(run('linear_regression', { noise: -1 }), /noise must be a number >= 0/);
  await assert.rejects(run('linear_regression', { seed: 1.5 }), /seed must be a non-negative integer/);
  await assert.rejects(engine.lossInfo('reddi', { C: 1 }), /'C' must be greater than 2/);
});
