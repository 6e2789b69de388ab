// Adam-family bias corrections (1 - beta^t): from the step packOptimizer computes, the core takes them as exactly 1.0
// and skips the pow. The step must come late enough for every beta, and a long run must still follow torch's update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { packOptimizer } = await loadTs('src/engine/optimizers.ts');
const { OptionSlot } = await loadTs('src/engine/layout.ts');

test('the unity step of each beta: from it on, 1 - beta^t is 1.0 in float64 with a wide margin (beta^t < 2^-59)', () => {
  for (const beta of [1e-9, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.999999]) {
    const { options } = packOptimizer('adam', { betas: [beta, beta] });
    const from = options[OptionSlot.beta1_unity_step];
    assert.equal(options[OptionSlot.beta2_unity_step], from);
    assert.ok(Number.isInteger(from) && from >= 1, `beta ${beta}: ${from}`);
    for (const t of [from, from + 1, from * 2]) {
      assert.equal(1 - beta ** t, 1, `beta ${beta}, t ${t}`);
      assert.ok(beta ** t < 2 ** -59, `beta ${beta}, t ${t}: ${beta ** t}`);
    }
    assert.ok(beta ** (from - 1) >= 2 ** -61, `beta ${beta}: the step is not far later than needed`);
  }
  assert.equal(packOptimizer('adam', { betas: [0, 0.9] }).options[OptionSlot.beta1_unity_step], 1, '0^t = 0 from t = 1');
  assert.equal(packOptimizer('sgd', {}).options[OptionSlot.beta2_unity_step], 1, 'no betas: zeros, never read');
});

/** torch.optim.Adam's single-tensor step in plain JavaScript, every bias correction computed. */
function adamReference(start, grad, steps, { lr, beta1, beta2, eps }) {
  const x = [...start];
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const g = grad(x);
    const bc1 = 1 - beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < x.length; i++) {
      m[i] += (g[i] - m[i]) * (1 - beta1);
      v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i];
      x[i] += -(lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps));
    }
  }
  return x;
}

test('Adam past both unity steps (betas 0.5 and 0.6: steps 60 and 82) follows the reference update to 1e-12', async () => {
  const engine = await createEngine();
  const options = { lr: 0.01, betas: [0.5, 0.6], eps: 1e-8 };
  const steps = 200; // (later, Rosenbrock amplifies the gradients' last-bit differences of the two codes)
  const [trace] = await engine.runs({ loss: 'rosenbrock', steps, runs: [{ optimizer: 'adam', options, start: [-1.5, 2] }] });
  const width = 4;
  const rosenbrockGrad = ([x, y]) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
  for (const at of [59, 61, 81, 83, 150, 200]) {
    const expected = adamReference([-1.5, 2], rosenbrockGrad, at, { lr: 0.01, beta1: 0.5, beta2: 0.6, eps: 1e-8 });
    const got = [trace.rows[at * width], trace.rows[at * width + 1]];
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i] - expected[i]) <= 1e-12 * (1 + Math.abs(expected[i])), `step ${at}: ${got} against ${expected}`);
  }
});
