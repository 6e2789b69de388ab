// A small network's Hessian (evaluate, the inspector, the debugger): built in the core from central differences of
// the exact gradient, column by column. Checked against a linear network's exact Hessian, 2/n [X 1]^T [X 1] for the
// mean squared error, and against differences of evaluate's own gradients on a tanh network; none above the line.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
/** LIMITS.networkHessianParams (src/shared/limits.ts). */
const HESSIAN_LINE = 50;

const rows = [[0.5, -1, 0.3], [1.5, 0.25, -0.7], [-0.4, 2, 1.1], [0.9, -0.3, 0.2], [-1.2, -0.8, -0.5]];
const dataLine = `data x1, x2, y = [${rows.map((r) => r.join(', ')).join('; ')}]`;

test('a linear network with MSE: the Hessian is 2/n [X 1]^T [X 1] (to 1e-8), at any parameters', async () => {
  const loss = `${dataLine}\nnetwork 2-1 activation=linear loss=mse seed=1`;
  const { hessian, gradient } = await engine.evaluate(loss, [0.3, -0.2, 0.1]);
  assert.equal(gradient.length, 3);
  const features = rows.map(([a, b]) => [a, b, 1]);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const exact = (2 / rows.length) * features.reduce((s, f) => s + f[i] * f[j], 0);
      assert.ok(Math.abs(hessian[i * 3 + j] - exact) <= 1e-8 * Math.max(1, Math.abs(exact)), `H[${i},${j}] = ${hessian[i * 3 + j]}, exact ${exact}`);
    }
  }
});

test('a 2-3-1 tanh network: symmetric, and each column the change of the gradient along that parameter', async () => {
  const loss = `${dataLine}\nnetwork 2-3-1 activation=tanh loss=mse seed=3`;
  const { start: x, dim } = await engine.lossInfo(loss);
  assert.ok(dim <= HESSIAN_LINE);
  const { hessian } = await engine.evaluate(loss, x);
  assert.equal(hessian.length, dim * dim);
  const h = 1e-4;
  for (let j = 0; j < dim; j++) {
    const plus = x.slice();
    const minus = x.slice();
    plus[j] += h;
    minus[j] -= h;
    const [gp, gm] = await Promise.all([engine.evaluate(loss, plus), engine.evaluate(loss, minus)]);
    for (let i = 0; i < dim; i++) {
      const column = (gp.gradient[i] - gm.gradient[i]) / (2 * h);
      assert.ok(Math.abs(hessian[i * dim + j] - column) <= 1e-6 * Math.max(1, Math.abs(column)), `H[${i},${j}] = ${hessian[i * dim + j]}, differences ${column}`);
      assert.equal(hessian[i * dim + j], hessian[j * dim + i]);
    }
  }
});

test(`above ${HESSIAN_LINE} parameters a network has no Hessian, and evaluate still answers`, async () => {
  const loss = `${dataLine}\nnetwork 2-8-8-1 activation=tanh loss=mse seed=1`;
  const { start, dim } = await engine.lossInfo(loss);
  assert.ok(dim > HESSIAN_LINE);
  const { hessian, gradient } = await engine.evaluate(loss, start);
  assert.deepEqual(hessian, []);
  assert.equal(gradient.length, dim);
});
