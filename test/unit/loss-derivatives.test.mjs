// Exact gradients and Hessians of the loss language against central differences, and PyTorch's choices at kinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoss, mulberry32, SMOOTH_EXPRESSIONS } from './loss-helpers.mjs';

const { parseLoss, evaluateLoss } = await loadLoss();

function close(actual, expected, tolerance, label) {
  const scale = 1 + Math.abs(expected);
  assert.ok(Math.abs(actual - expected) <= tolerance * scale, `${label}: exact ${actual}, finite differences ${expected}`);
}

/** Checks gradient and Hessian at a point against central differences of the value and of the gradient. */
function checkDerivatives(loss, evaluate, point, label) {
  const { value, gradient, hessian } = evaluate(point);
  if (!Number.isFinite(value)) return false;
  for (let i = 0; i < point.length; i++) {
    const h = 1e-6 * (1 + Math.abs(point[i]));
    const plus = [...point];
    const minus = [...point];
    plus[i] += h;
    minus[i] -= h;
    const a = evaluate(plus);
    const b = evaluate(minus);
    close(gradient[i], (a.value - b.value) / (2 * h), 2e-5, `${label} d/d${loss.params[i]} at ${point}`);
    for (let j = 0; j < point.length; j++) {
      close(hessian[j * point.length + i], (a.gradient[j] - b.gradient[j]) / (2 * h), 2e-5, `${label} H[${j}][${i}] at ${point}`);
    }
  }
  return true;
}

test('gradients and Hessians match central differences at random points', () => {
  const random = mulberry32(7);
  for (const text of SMOOTH_EXPRESSIONS) {
    const result = parseLoss(text);
    assert.ok(result.ok, text);
    let checked = 0;
    for (let k = 0; k < 40; k++) {
      const point = [0.3 + 1.4 * random(), 0.3 + 1.4 * random()];
      if (checkDerivatives(result.loss, (p) => evaluateLoss(result.loss, p, true), point, text)) checked++;
    }
    assert.ok(checked >= 30, `${text}: only ${checked} finite points`);
  }
});

test('n-D: rosenbrock in 6 dimensions with an indexed sum', () => {
  const result = parseLoss('n = 6\nparams x[n]\nsum(i = 1..n-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2) + prod(i = 1..3, sin(x[2*i]))');
  assert.ok(result.ok);
  const random = mulberry32(3);
  for (let k = 0; k < 20; k++) {
    const point = Array.from({ length: 6 }, () => -1 + 2 * random());
    checkDerivatives(result.loss, (p) => evaluateLoss(result.loss, p, true), point, 'rosenbrock-6');
  }
});

test("non-smooth points take PyTorch's choices", () => {
  const at = (text, point) => {
    const result = parseLoss(text);
    assert.ok(result.ok, text);
    return evaluateLoss(result.loss, point, true);
  };
  assert.deepEqual(at('abs(x) + relu(y)', [0, 0]).gradient, [0, 0]);
  assert.deepEqual(at('sign(x)*y', [0, 3]).gradient, [0, 0]);
  assert.deepEqual(at('sign(x)*y', [2, 3]).gradient, [0, 1]);
  assert.deepEqual(at('max(x, y)', [1, 1]).gradient, [0.5, 0.5]);
  assert.deepEqual(at('min(x, y)', [1, 1]).gradient, [0.5, 0.5]);
  assert.deepEqual(at('max(x, y)', [2, 1]).gradient, [1, 0]);
  assert.deepEqual(at('min(x, y)', [2, 1]).gradient, [0, 1]);
  assert.ok(Number.isNaN(at('sqrt(x^2) + y', [0, 1]).gradient[0]), 'sqrt(x^2) at 0: 0 * inf = NaN, as autograd');
  assert.deepEqual(at('sqrt(x^2) + y', [0, 1]).gradient[1], 1);
  assert.deepEqual(at('x^0 + y', [0, 1]).gradient, [0, 1]);
  assert.deepEqual(at('softplus(x)', [25, 0]).gradient, [1, 0]);
  assert.ok(Number.isNaN(at('0*sqrt(x) + y', [0, 1]).gradient[0]), '0 * inf stays NaN: literal zeros are not dropped');
  assert.deepEqual(at('relu(x)*y', [-1, 2]).hessian, [0, 0, 0, 0]);
  const pow = at('pow(x, y)', [0, 2]);
  assert.deepEqual(pow.gradient, [0, 0]);
});

test('the gradient graph shares subexpressions', () => {
  const result = parseLoss('(1 - x)^2 + 100*(y - x^2)^2');
  const before = result.loss.graph.size;
  evaluateLoss(result.loss, [0, 0], true);
  assert.ok(result.loss.graph.size - before < 30, `${result.loss.graph.size - before} nodes for the gradient and Hessian`);
});
