// The generated WebAssembly module: value, grad, hess and row agree bit for bit with the JavaScript evaluation
// (same math functions), row matches value exactly, and every golden PyTorch expression means what PyTorch computed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadLoss, mulberry32, SMOOTH_EXPRESSIONS } from './loss-helpers.mjs';

const { compileLoss, evaluateLoss } = await loadLoss();
const golden = JSON.parse(readFileSync(new URL('../fixtures/pytorch-optimizers.json', import.meta.url), 'utf8'));

const MATH = {
  exp: Math.exp, expm1: Math.expm1, log: Math.log, log1p: Math.log1p, log2: Math.log2, log10: Math.log10,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, cbrt: Math.cbrt, atan2: Math.atan2, pow: Math.pow, hypot: (a, b) => Math.hypot(a, b),
};

function instantiate(compiled) {
  assert.ok(WebAssembly.validate(compiled.wasm));
  const memory = new WebAssembly.Memory({ initial: 4 });
  const module = new WebAssembly.Module(compiled.wasm);
  const math = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) if (from === 'math') math[name] = MATH[name];
  const { exports } = new WebAssembly.Instance(module, { env: { memory }, math });
  const f64 = new Float64Array(memory.buffer);
  const dim = compiled.dim;
  const [X, G, H] = [0, 8 * dim, 16 * dim];
  return {
    exports,
    f64,
    evaluate(point) {
      f64.set(point, 0);
      f64.fill(NaN, dim, 2 * dim + dim * dim);
      const value = exports.hess(X, G, H);
      const gradient = [...f64.slice(dim, 2 * dim)];
      const hessian = [...f64.slice(2 * dim, 2 * dim + dim * dim)];
      f64.set(point, 0);
      assert.ok(same(exports.value(X), value));
      assert.ok(same(exports.grad(X, G), value));
      assert.ok(f64.slice(dim, 2 * dim).every((g, i) => same(g, gradient[i])));
      return { value, gradient, hessian };
    },
  };
}

function same(a, b) {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || (a === 0 && b === 0);
}

const KINKS = [
  'abs(x) + relu(y) + sign(x - y) + max(x, y) + min(x, 2*y) + sqrt(x^2 + y^2)',
  'softplus(25*x) + sigmoid(-800*y) + pow(x, y) + x^y + 0*sqrt(x)',
  'f = 3',
  'f = y^2 + sin(y)',
  'x^3 + x^-2 + x^-0.5 + x^0.5 + x^-1 + x^1.5 + pow(2, x)',
];

test('value, grad and hess match the JavaScript evaluation bit for bit', () => {
  const random = mulberry32(11);
  for (const text of [...SMOOTH_EXPRESSIONS, ...KINKS]) {
    const compiled = compileLoss(text);
    assert.ok(compiled.ok, text);
    const module = instantiate(compiled);
    const points = [[0, 0], [1, 1], [-1, 2], [0, 1], [1, 0]];
    for (let k = 0; k < 30; k++) points.push([4 * random() - 2, 4 * random() - 2]);
    for (const point of points) {
      const wasm = module.evaluate(point);
      const js = evaluateLoss(compiled.source, point, true);
      assert.ok(same(wasm.value, js.value), `${text} at ${point}: value ${wasm.value} vs ${js.value}`);
      wasm.gradient.forEach((g, i) => assert.ok(same(g, js.gradient[i]), `${text} at ${point}: gradient ${i} ${g} vs ${js.gradient[i]}`));
      wasm.hessian.forEach((h, i) => assert.ok(same(h, js.hessian[i]), `${text} at ${point}: hessian ${i} ${h} vs ${js.hessian[i]}`));
    }
  }
});

test('row(x0, dx, y, n, out) equals value(x0 + i*dx, y) bit for bit, for even and odd n', () => {
  for (const text of [...SMOOTH_EXPRESSIONS, ...KINKS]) {
    const compiled = compileLoss(text);
    assert.ok(compiled.hasRow);
    const { exports, f64 } = instantiate(compiled);
    for (const [x0, dx, y, n] of [[-2, 0.1, 0.7, 41], [0.3, 0.013, 1.3, 64], [-1, 1, -1, 1], [5, -0.25, 0, 2]]) {
      const out = 64;
      exports.row(x0, dx, y, n, out * 8);
      for (let i = 0; i < n; i++) {
        f64[0] = x0 + i * dx;
        f64[1] = y;
        const expected = exports.value(0);
        assert.ok(same(f64[out + i], expected), `${text}: row point ${i}: ${f64[out + i]} vs ${expected}`);
      }
    }
  }
});

test('n-D losses: no row export; gradient and Hessian of a 10-D rosenbrock', () => {
  const compiled = compileLoss('n = 10\nparams x[n]\nsum(i = 1..n-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)');
  assert.ok(compiled.ok);
  assert.equal(compiled.hasRow, false);
  const module = instantiate(compiled);
  assert.equal(module.exports.row, undefined);
  const point = [-1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1];
  const wasm = module.evaluate(point);
  const js = evaluateLoss(compiled.source, point, true);
  assert.equal(wasm.value, js.value);
  assert.deepEqual(wasm.gradient, js.gradient);
  assert.deepEqual(wasm.hessian, js.hessian);
  assert.equal(wasm.hessian[0 * 10 + 5], 0);
  assert.equal(wasm.hessian[1 * 10 + 0], wasm.hessian[0 * 10 + 1]);
});

test('every golden expression parses and its value at the start is the golden row-0 loss', () => {
  for (const c of golden.cases) {
    const compiled = compileLoss(c.expression);
    assert.ok(compiled.ok, c.expression);
    const { value, gradient } = instantiate(compiled).evaluate(c.start);
    const expected = c.trajectory[0][2];
    assert.ok(Math.abs(value - expected) <= 1e-12 * Math.abs(expected), `${c.name}: ${value} vs ${expected}`);
    assert.ok(gradient.every(Number.isFinite));
  }
});

test('a golden SGD trajectory replayed with the compiled gradient matches PyTorch', () => {
  for (const c of golden.cases.filter((g) => g.optimizer === 'sgd' && Object.keys(g.options).length === 1)) {
    const module = instantiate(compileLoss(c.expression));
    let point = [...c.start];
    for (let step = 1; step < c.trajectory.length; step++) {
      const { gradient } = module.evaluate(point);
      point = point.map((p, i) => p - c.options.lr * gradient[i]);
      const [x, y] = c.trajectory[step];
      assert.ok(Math.abs(point[0] - x) <= 1e-9 * (1 + Math.abs(x)) && Math.abs(point[1] - y) <= 1e-9 * (1 + Math.abs(y)), `${c.name} step ${step}`);
    }
  }
});
