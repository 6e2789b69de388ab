// Tune learning rates: the candidates around a rate and the choice of the best one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { candidateRates, rateOutcome, bestRate } = await loadTs('src/panels/tune.ts');

test('12 log-spaced candidates, four per decade, from lr/100 upwards, the current rate among them', () => {
  const rates = candidateRates(0.01);
  assert.equal(rates.length, 12);
  assert.equal(rates[0], 0.0001);
  assert.equal(rates[4], 0.001);
  assert.ok(rates.includes(0.01));
  assert.equal(rates[11], 0.0562);
  for (let i = 1; i < rates.length; i++) assert.ok(rates[i] > rates[i - 1]);
});

const outcome = (lr, finalLoss, stepsToTolerance, diverged = false) => ({ lr, finalLoss, stepsToTolerance, diverged });

test('the best rate has the lowest final loss', () => {
  assert.equal(bestRate([outcome(0.1, 0.5, undefined), outcome(0.01, 0.02, 40), outcome(0.001, 0.3, undefined)]).lr, 0.01);
});

test('a tie on the final loss goes to the rate that reached the tolerance first; no step counts as never', () => {
  assert.equal(bestRate([outcome(0.1, 0, 80), outcome(0.2, 0, 12), outcome(0.3, 0, 50)]).lr, 0.2);
  assert.equal(bestRate([outcome(0.1, 1e-4, undefined), outcome(0.2, 1e-4, 90)]).lr, 0.2);
  // A full tie keeps the first.
  assert.equal(bestRate([outcome(0.1, 1e-4, 9), outcome(0.2, 1e-4, 9)]).lr, 0.1);
});

test('a diverged run never wins, whatever its last loss; nothing when every run diverged', () => {
  assert.equal(bestRate([outcome(1, -Infinity, 1, true), outcome(10, 1e-9, 2, true), outcome(0.01, 3, undefined)]).lr, 0.01);
  assert.equal(bestRate([outcome(1, 0, 1, true)]), undefined);
  assert.equal(bestRate([]), undefined);
});

const trace = (losses, status = 'completed') => ({
  label: 'SGD',
  optimizer: 'SGD',
  dim: 1,
  rows: Float64Array.from(losses.flatMap((loss) => [0, loss, 1])),
  rowCount: losses.length,
  status,
  stoppedAt: losses.length - 1,
});

test('an outcome reads the final loss and the first step within the tolerance of the best minimum', () => {
  assert.deepEqual(rateOutcome(0.1, trace([5, 1, 0.0115, 0.0101]), 0.01, 1e-3), { lr: 0.1, finalLoss: 0.0101, stepsToTolerance: 3, diverged: false });
  assert.deepEqual(rateOutcome(0.1, trace([5, 1]), undefined), { lr: 0.1, finalLoss: 1, stepsToTolerance: undefined, diverged: false });
  assert.equal(rateOutcome(9, trace([5, NaN], 'diverged'), 0).diverged, true);
  // A loss that overflowed to infinity without the engine calling it diverged still cannot win.
  assert.equal(rateOutcome(9, trace([5, Infinity]), 0).diverged, true);
});
