// Adafactor on a network steps each parameter tensor as torch.optim.Adafactor does: a Linear weight [out, in] keeps a
// factored second moment (row_var, col_var), a bias or batch-norm vector its variance; each tensor has its own relative
// step (its RMS) and its own update clipping. Checked against a reference written here from torch's
// _single_tensor_adafactor, fed the engine's own recorded gradients, to 1e-12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { NETWORK_LOSS, networkTensors, recordedRun } from './network-tensors.mjs';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const loss = NETWORK_LOSS;
const tensors = () => networkTensors();

const norm = (values) => Math.sqrt(values.reduce((s, v) => s + v * v, 0));
const lerp = (start, end, w) => (w < 0.5 ? start + w * (end - start) : end - (end - start) * (1 - w));

/**
 * torch's _single_tensor_adafactor on one tensor (p and grad: flat row-major arrays, shape [rows, cols] or [n]),
 * with its state { row_var, col_var } or { variance }; returns the new p.
 */
function referenceTensorStep(p, grad0, shape, state, t, { lr, beta2_decay = -0.8, eps1 = 2 ** -52, eps2 = 1e-3, d = 1, weight_decay = 0, maximize = false }) {
  const grad = maximize ? grad0.map((v) => -v) : grad0;
  const oneMinusBeta2 = t ** beta2_decay;
  const rho = Math.min(lr, 1 / Math.sqrt(t));
  const alpha = Math.max(eps2, norm(p) / Math.sqrt(p.length)) * rho;
  let param = weight_decay !== 0 ? p.map((v) => v * (1 - lr * weight_decay)) : [...p];
  let estimate;
  if (shape.length === 2) {
    const [rows, cols] = shape;
    state.row_var ??= new Array(rows).fill(0);
    state.col_var ??= new Array(cols).fill(0);
    for (let r = 0; r < rows; r++) state.row_var[r] = lerp(state.row_var[r], norm(grad.slice(r * cols, (r + 1) * cols)) ** 2 / cols, oneMinusBeta2);
    for (let c = 0; c < cols; c++) {
      const column = Array.from({ length: rows }, (_, r) => grad[r * cols + c]);
      state.col_var[c] = lerp(state.col_var[c], norm(column) ** 2 / rows, oneMinusBeta2);
    }
    const mean = state.row_var.reduce((s, v) => s + v, 0) / rows;
    estimate = grad.map((_, k) => (state.row_var[Math.floor(k / cols)] * state.col_var[k % cols]) / Math.max(mean, eps1));
  } else {
    state.variance ??= new Array(grad.length).fill(0);
    state.variance = state.variance.map((v, i) => lerp(v, grad[i] * grad[i], oneMinusBeta2));
    estimate = [...state.variance];
  }
  const update = estimate.map((v, i) => (1 / Math.sqrt(Math.max(v, eps1 * eps1))) * grad[i]);
  const denom = Math.max(1, norm(update) / (Math.sqrt(update.length) * d));
  param = param.map((v, i) => v + (-alpha / denom) * update[i]);
  return param;
}

const adafactorRun = (options, steps) => recordedRun(engine, loss, 'adafactor', options, steps);

const close = (got, want) => Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want));

for (const options of [{ lr: 0.05 }, { lr: 0.3, weight_decay: 0.1, d: 1.5 }, { lr: 0.05, maximize: true }]) {
  test(`Adafactor ${JSON.stringify(options)} on a 2-3-2-1 batch-norm network equals torch's per-tensor rule`, async () => {
    const steps = 12;
    const { run, params, grad, state } = await adafactorRun(options, steps);
    const list = tensors();
    assert.equal(run.dim, list.at(-1).start + list.at(-1).count);
    const states = list.map(() => ({}));
    let largest = 0;
    for (let t = 1; t <= steps; t++) {
      const x = params(t - 1);
      const g = grad(t - 1);
      const got = params(t);
      list.forEach(({ name, start, shape, count: n }, k) => {
        const want = referenceTensorStep(x.slice(start, start + n), g.slice(start, start + n), shape, states[k], t, options);
        want.forEach((v, i) => {
          largest = Math.max(largest, Math.abs(got[start + i] - v) / (1 + Math.abs(v)));
          assert.ok(close(got[start + i], v), `step ${t}, ${name} coordinate ${i}: engine ${got[start + i]}, reference ${v}`);
        });
        // the state under torch's names
        if (shape.length === 2) {
          states[k].row_var.forEach((v, i) => assert.ok(close(state(t, `row_var_${name}[${i + 1}]`), v), `step ${t}: row_var_${name}[${i + 1}]`));
          states[k].col_var.forEach((v, i) => assert.ok(close(state(t, `col_var_${name}[${i + 1}]`), v), `step ${t}: col_var_${name}[${i + 1}]`));
        } else {
          assert.ok(close(state(t, `variance_${name}[1]`), states[k].variance[0]), `step ${t}: variance_${name}[1]`);
        }
      });
    }
    assert.ok(largest <= 1e-12, `largest relative difference ${largest}`);
    assert.ok(params(steps).some((v, i) => v !== params(0)[i]), 'the parameters moved');
  });
}

test('the factored rule differs from treating the parameters as one vector (the test can tell them apart)', async () => {
  const { params, grad } = await adafactorRun({ lr: 0.05 }, 1);
  const whole = referenceTensorStep(params(0), grad(0), [params(0).length], {}, 1, { lr: 0.05 });
  const difference = Math.max(...whole.map((v, i) => Math.abs(v - params(1)[i])));
  assert.ok(difference > 1e-6, `one-vector Adafactor differs from per-tensor by ${difference}`);
});

test('breakpoint conditions read row_var, col_var and variance by name', async () => {
  const { state } = await adafactorRun({ lr: 0.05 }, 6);
  const threshold = state(3, 'row_var_W1[2]');
  const result = await engine.trace({ loss, optimizer: 'adafactor', options: { lr: 0.05 }, steps: 6, breakpoints: [`row_var_W1[2] == ${threshold}`] });
  assert.equal(result.status, 'paused');
  assert.equal(result.stoppedAt, 3);
  await assert.rejects(engine.trace({ loss, optimizer: 'adafactor', steps: 2, breakpoints: ['variance_W1[1,1] > 0'] }), /variance_W1\[1,1\]/);
});

test('the debugger\'s Variables group row_var and col_var under their weight matrix, variance under its vector', async () => {
  const { stateVariables } = await loadTs('src/debug/adapter.ts');
  const { run, params, grad, state } = await adafactorRun({ lr: 0.05 }, 3);
  const names = networkTensors().flatMap(({ name, shape }) => (shape.length === 2
    ? Array.from({ length: shape[0] * shape[1] }, (_, k) => `${name}[${Math.floor(k / shape[1]) + 1},${(k % shape[1]) + 1}]`)
    : Array.from({ length: shape[0] }, (_, k) => `${name}[${k + 1}]`)));
  const keys = run.stateNames.slice(run.dim).filter((n) => n && n !== 'lr');
  const stepState = {
    step: 3, loss: 0, gradNorm: 0, lr: 0.05, hessian: [], hessianEigenvalues: [],
    params: Object.fromEntries(names.map((n, i) => [n, params(3)[i]])),
    grad: Object.fromEntries(names.map((n, i) => [n, grad(3)[i]])),
    state: Object.fromEntries(keys.map((k) => [k, state(3, k)])),
  };
  const containers = [];
  const top = stateVariables(stepState, (children) => containers.push(children));
  assert.ok(!top.some((v) => /_var_/.test(v.name)), top.map((v) => v.name).join(', '));
  // (the callback's return value, the list's length, is each container's reference)
  const children = (tensor) => containers[top.find((v) => v.name === tensor).variablesReference - 1].map((v) => v.name);
  const w1Names = children('W1');
  for (const name of ['row_var_W1[1]', 'row_var_W1[3]', 'col_var_W1[1]', 'col_var_W1[2]']) assert.ok(w1Names.includes(name), `${name} in W1: ${w1Names.join(', ')}`);
  const b1 = children('b1');
  assert.ok(b1.includes('variance_b1[1]') && !b1.some((n) => /row_var/.test(n)), b1.join(', '));
});
