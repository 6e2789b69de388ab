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

const { searchRate, widenDirection, ratesBeyond, TUNE_MAX_WIDENINGS } = await loadTs('src/panels/tune.ts');

test('one decade beyond an edge: four rates above or below it, nearest first', () => {
  assert.deepEqual(ratesBeyond(0.01, 1), [0.0178, 0.0316, 0.0562, 0.1]);
  assert.deepEqual(ratesBeyond(0.01, -1), [0.00562, 0.00316, 0.00178, 0.001]);
});

test('the search widens only while the best is strictly at an edge', () => {
  assert.equal(widenDirection([outcome(0.1, 0.5, undefined), outcome(0.01, 0.2, undefined), outcome(0.001, 0.3, undefined)]), undefined);
  assert.equal(widenDirection([outcome(0.1, 0.1, undefined), outcome(0.01, 0.2, undefined), outcome(0.001, 0.3, undefined)]), 1);
  assert.equal(widenDirection([outcome(0.1, 0.5, undefined), outcome(0.01, 0.4, undefined), outcome(0.001, 0.3, undefined)]), -1);
  // Every rate diverged: smaller ones.
  assert.equal(widenDirection([outcome(1, NaN, undefined, true), outcome(2, NaN, undefined, true)]), -1);
  // The largest rate ties with its neighbour: not an artifact of the window (a flat optimum).
  assert.equal(widenDirection([outcome(0.1, 0, 5), outcome(0.01, 0, 5), outcome(0.001, 0.3, undefined)]), undefined);
  // Diverging just above the best is the real limit, not the window's.
  assert.equal(widenDirection([outcome(1, NaN, undefined, true), outcome(0.1, 0.1, undefined), outcome(0.01, 0.2, undefined)]), undefined);
});

/** Outcomes of a model problem: the loss is least at `optimum` (log-parabola) and runs diverge above `limit`. */
function modelProblem(optimum, limit) {
  const calls = [];
  const evaluate = async (rates) => {
    calls.push(rates);
    return rates.map((lr) => (lr > limit ? outcome(lr, NaN, undefined, true) : outcome(lr, (Math.log10(lr) - Math.log10(optimum)) ** 2, undefined)));
  };
  return { calls, evaluate };
}

test('a best rate beyond the first window is found by widening towards it', async () => {
  // Window from 1e-6 to 5.6e-4; the optimum is 3e-2, two decades above its top.
  const { calls, evaluate } = modelProblem(0.03, 1);
  const { best, searched } = await searchRate(1e-4, evaluate);
  assert.equal(calls[0].length, 12);
  assert.ok(calls.length > 1 && calls.length <= 1 + TUNE_MAX_WIDENINGS);
  assert.ok(Math.abs(Math.log10(best.lr / 0.03)) < 0.15, `best ${best.lr}`);
  const rates = searched.map((o) => o.lr).sort((a, b) => a - b);
  assert.ok(best.lr < rates[rates.length - 1], 'the best is inside what was searched');
  assert.equal(widenDirection(searched), undefined);
});

test('widening downwards when the best is the smallest rate, or every rate diverged', async () => {
  const low = modelProblem(1e-5, 1);
  const { best } = await searchRate(0.01, low.evaluate);
  assert.ok(Math.abs(Math.log10(best.lr / 1e-5)) < 0.15, `best ${best.lr}`);
  assert.ok(low.calls.slice(1).every((rates) => rates.every((r) => r < low.calls[0][0])));
  const diverging = modelProblem(1e-3, 2e-3);
  const { best: stable } = await searchRate(10, diverging.evaluate);
  assert.ok(stable && stable.lr <= 2e-3, `best ${stable?.lr}`);
});

test('the widening is bounded, and the first window decides when its best is inside', async () => {
  const far = modelProblem(1e6, Infinity);
  await searchRate(1e-3, far.evaluate);
  assert.equal(far.calls.length, 1 + TUNE_MAX_WIDENINGS);
  const inside = modelProblem(1e-3, Infinity);
  const { best } = await searchRate(1e-3, inside.evaluate);
  assert.equal(inside.calls.length, 1);
  assert.equal(best.lr, 1e-3);
});

test('with the engine: SGD on Rosenbrock from a rate far too small ends at a rate beside the divergence limit', async () => {
  const { createEngine } = await import('../../dist/engine.js').then((m) => m.default ?? m);
  const engine = await createEngine();
  const evaluate = async (rates) => {
    const traces = await engine.runs({ loss: 'rosenbrock', steps: 200, runs: rates.map((lr) => ({ optimizer: 'sgd', options: { lr } })) });
    return traces.map((trace, k) => rateOutcome(rates[k], trace, 0));
  };
  const { best, searched } = await searchRate(1e-7, evaluate);
  const sorted = searched.sort((a, b) => a.lr - b.lr);
  assert.ok(best.lr > 5.6e-7 * 10, `widened beyond the first window: ${best.lr}`);
  // The next larger rate searched is worse (here: it diverges), so the best is no edge artifact.
  const above = sorted[sorted.indexOf(best) + 1];
  assert.ok(above, 'a larger rate was searched');
  assert.ok(above.diverged || above.finalLoss > best.finalLoss);
});
