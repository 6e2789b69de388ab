// GELU (exact, erf): a network's loss against values computed in Python with math.erf, and its backward pass
// against central differences of the engine's own loss, with and without batch norm (whose backward takes GELU's
// slope at gamma xhat + beta).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const DATA = 'data x1, x2, y = [0.5, -1, 0.3; 1.5, 2, -0.7; -2, 0.25, 1.1; 3, -3.5, 0]';
const START = [0.9, -1.2, 2.1, 0.4, -0.8, 1.7, 0.3, -0.5, 1.9, 1.3, -2.2, 0.6, 0.05];

const lossAt = async (loss, start) => (await engine.trace({ loss, start, optimizer: 'sgd', options: { lr: 1 }, steps: 1 })).trajectory[0].at(-1);

/** The gradient at start: one SGD step with lr = 1 moves by exactly -g. */
async function gradientAt(loss, start) {
  const { trajectory } = await engine.trace({ loss, start, optimizer: 'sgd', options: { lr: 1 }, steps: 1 });
  return start.map((p, i) => p - trajectory[1][i]);
}

async function assertGradientMatchesDifferences(loss, start) {
  const g = await gradientAt(loss, start);
  const h = 1e-6;
  for (let i = 0; i < start.length; i++) {
    const plus = start.slice();
    const minus = start.slice();
    plus[i] += h;
    minus[i] -= h;
    const numeric = ((await lossAt(loss, plus)) - (await lossAt(loss, minus))) / (2 * h);
    assert.ok(Math.abs(numeric - g[i]) <= 1e-6 * Math.max(1, Math.abs(g[i])), `d/dp${i}: ${g[i]} vs ${numeric}`);
  }
}

test('a gelu network\'s loss is torch\'s: 0.5 x (1 + erf(x / sqrt 2)), as Python\'s math.erf gives it', async () => {
  // Python: the mean over the four rows of (W2 gelu(W1 x + b1) + b2 - y)^2 with gelu from math.erf.
  const expected = 6.66329592019008;
  const got = await lossAt(`${DATA}\nnetwork 2-3-1 activation=gelu loss=mse`, START);
  assert.ok(Math.abs(got - expected) <= 1e-12 * expected, `${got} vs ${expected}`);
});

test('gelu\'s backward agrees with central differences, without and with batch norm', async () => {
  await assertGradientMatchesDifferences(`${DATA}\nnetwork 2-3-1 activation=gelu loss=mse`, START);
  const bnStart = [...START.slice(0, 9), 1.2, 0.7, -0.4, 0.1, -0.3, 0.8, ...START.slice(9)];
  await assertGradientMatchesDifferences(`${DATA}\nnetwork 2-3-1 activation=gelu loss=mse batchnorm=true`, bnStart);
});
