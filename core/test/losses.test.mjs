// Built-in losses in the core: derivatives against central differences, stated minima, landscapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Cases: every built-in in 2-D, and the n-D ones in 3 and 6 dimensions.
const cases = [];
for (const info of engine.losses()) {
  cases.push({ name: info.name, params: undefined, info });
  if (info.lossParams && 'dim' in info.lossParams) {
    for (const dim of [3, 6]) cases.push({ name: info.name, params: { dim }, info: await engine.lossInfo(info.name, { dim }) });
  }
}

function samplePoint(info, random) {
  const { x, y } = info.domain;
  return Array.from({ length: info.dim }, (_, i) => {
    const [lo, hi] = i % 2 === 0 ? x : y;
    return lo + (hi - lo) * (0.05 + 0.9 * random());
  });
}

function close(actual, expected, scale, tolerance, what) {
  const error = Math.abs(actual - expected) / (scale + Math.abs(expected));
  assert.ok(error <= tolerance, `${what}: analytic ${actual}, numeric ${expected} (relative error ${error.toExponential(2)})`);
}

for (const { name, params, info } of cases) {
  const label = params ? `${name} (${params.dim}-D)` : name;

  test(`${label}: gradient and Hessian agree with central differences`, async () => {
    const random = rng(name.length * 7919 + info.dim);
    for (let trial = 0; trial < 25; trial++) {
      const point = samplePoint(info, random);
      const at = await engine.evaluate(name, point, params);
      for (let i = 0; i < info.dim; i++) {
        const h = 1e-5 * Math.max(1, Math.abs(point[i]));
        const plus = point.slice();
        const minus = point.slice();
        plus[i] += h;
        minus[i] -= h;
        const fp = await engine.evaluate(name, plus, params);
        const fm = await engine.evaluate(name, minus, params);
        const gradScale = 1e-3 * (1 + Math.abs(at.value));
        close(at.gradient[i], (fp.value - fm.value) / (2 * h), gradScale, 1e-5, `${label} d/dx${i} at ${point}`);
        for (let j = 0; j < info.dim; j++) {
          const numeric = (fp.gradient[j] - fm.gradient[j]) / (2 * h);
          const hessScale = 1e-3 * (1 + Math.max(...at.hessian.map(Math.abs)));
          close(at.hessian[i * info.dim + j], numeric, hessScale, 1e-5, `${label} d2/dx${i}dx${j} at ${point}`);
        }
      }
      for (let i = 0; i < info.dim; i++) {
        for (let j = 0; j < i; j++) assert.equal(at.hessian[i * info.dim + j], at.hessian[j * info.dim + i], 'Hessian symmetric');
      }
    }
  });

  if (info.minima.length === 0) continue;
  test(`${label}: every stated minimum is a minimum with the stated value`, async () => {
    for (const { point, value } of info.minima) {
      const at = await engine.evaluate(name, point, params);
      close(at.value, value, 1, 1e-12, `${label} value at ${point}`);
      if (info.online) {
        // A minimum on the box's boundary: the gradient pushes outward, so it is a KKT point.
        info.online.projection.forEach(([lo, hi], i) => {
          const pushesOut = (point[i] === lo && at.gradient[i] > 0) || (point[i] === hi && at.gradient[i] < 0);
          assert.ok(pushesOut, `${label}: ${point} is not a boundary minimum`);
        });
        continue;
      }
      const gradNorm = Math.hypot(...at.gradient);
      assert.ok(gradNorm < 1e-6, `${label}: gradient norm ${gradNorm} at the minimum ${point}`);
      // No nearby point is lower: probe a small sphere of directions.
      const random = rng(17);
      for (let probe = 0; probe < 200; probe++) {
        const near = point.map((p) => p + 1e-3 * (2 * random() - 1));
        const f = (await engine.evaluate(name, near, params)).value;
        assert.ok(f >= value - 1e-12, `${label}: f(${near}) = ${f} is below the stated minimum ${value}`);
      }
    }
    if (info.dim !== 2) return;
    // The lowest stated minimum is global on the domain: no grid point is lower.
    const lowest = Math.min(...info.minima.map((m) => m.value));
    const grid = await engine.landscape({ loss: name, x: info.domain.x, y: info.domain.y, size: [401, 401] });
    assert.ok(grid.min >= lowest - 1e-9 * (1 + Math.abs(lowest)), `${label}: grid minimum ${grid.min} below ${lowest}`);
  });
}

test('beale has its global minimum at (3, 0.5), not at (3, 0)', async () => {
  assert.deepEqual((await engine.lossInfo('beale')).minima, [{ point: [3, 0.5], value: 0 }]);
  assert.equal((await engine.evaluate('beale', [3, 0.5])).value, 0);
  assert.ok((await engine.evaluate('beale', [3, 0])).value > 0.1);
});

// Every 2-D built-in: the landscape kernels (row kernels, scalar path) against the value the runs use. An odd nx
// puts the last point of each row in an f64x2 kernel's odd tail.
test('landscape values are f at the grid points, row-major with y outer', async () => {
  const twoD = engine.losses().filter((info) => info.dim === 2);
  assert.ok(twoD.length >= 20, `${twoD.length} 2-D built-ins`);
  for (const info of twoD) {
    const { name } = info;
    const [nx, ny] = [37, 23];
    const { x, y } = info.domain;
    const grid = await engine.landscape({ loss: name, x: x, y: y, size: [nx, ny] });
    assert.equal(grid.values.length, nx * ny);
    let min = Infinity;
    let max = -Infinity;
    // The grid points as the core places them (x0 + i*dx): another rounding of them would move f by more than
    // 1e-12 relative near its zeros.
    const dx = (x[1] - x[0]) / (nx - 1);
    const dy = (y[1] - y[0]) / (ny - 1);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const px = x[0] + i * dx;
        const py = y[0] + j * dy;
        const expected = (await engine.evaluate(name, [px, py])).value;
        close(grid.values[j * nx + i], expected, 1e-300, 1e-12, `${name} grid (${i}, ${j})`);
        min = Math.min(min, grid.values[j * nx + i]);
        max = Math.max(max, grid.values[j * nx + i]);
      }
    }
    assert.equal(grid.min, min);
    assert.equal(grid.max, max);
  }
});

test('the gradient field holds the gradient at each cell', async () => {
  const grid = await engine.landscape({ loss: 'himmelblau', x: [-5, 5], y: [-4, 4], size: [8, 8], gradientSize: [5, 3] });
  assert.equal(grid.gradient.length, 2 * 5 * 3);
  const at = await engine.evaluate('himmelblau', [-5 + 2.5 * 3, -4 + 4 * 2]);
  assert.deepEqual([grid.gradient[2 * (2 * 5 + 3)], grid.gradient[2 * (2 * 5 + 3) + 1]], at.gradient);
});

test('an n-D landscape is the slice through the base point', async () => {
  const base = [0.5, -0.5, 0.25];
  const grid = await engine.landscape({ loss: 'rosenbrock', lossParams: { dim: 3 }, x: [-1, 1], y: [-1, 1], size: [3, 3], base });
  assert.equal(grid.values[4], (await engine.evaluate('rosenbrock', [0, 0, 0.25], { dim: 3 })).value);
});

test('loss parameters are checked', async () => {
  await assert.rejects(engine.lossInfo('beale', { dim: 3 }), /Loss 'beale' has no parameter 'dim'/);
  await assert.rejects(engine.lossInfo('sphere', { dim: 1 }), /'dim' must be an integer from 2/);
  await assert.rejects(engine.lossInfo('quadratic', { condition: 0.5 }), /'condition' must be at least 1/);
  await assert.rejects(engine.lossInfo('nope'), /Unknown loss 'nope'/);
});

test("every built-in's loss-language expression computes the same value, gradient and Hessian", async () => {
  let checked = 0;
  for (const { name, params, info } of cases) {
    if (!info.expression) continue;
    const custom = await engine.lossInfo(info.expression);
    assert.equal(custom.dim, info.dim, `${name}: dimension of its expression`);
    const random = rng(name.length * 31 + info.dim);
    for (let trial = 0; trial < 10; trial++) {
      const point = samplePoint(info, random);
      const a = await engine.evaluate(name, point, params);
      const b = await engine.evaluate(info.expression, point);
      const label = `${name} (${info.dim}-D) at ${point}`;
      close(b.value, a.value, 1, 1e-12, `${label} value`);
      const gradScale = 1e-9 * (1 + Math.max(...a.gradient.map(Math.abs)));
      a.gradient.forEach((g, i) => close(b.gradient[i], g, gradScale, 1e-9, `${label} d/dx${i}`));
      const hessScale = 1e-9 * (1 + Math.max(...a.hessian.map(Math.abs)));
      a.hessian.forEach((h, k) => close(b.hessian[k], h, hessScale, 1e-8, `${label} hessian[${k}]`));
    }
    checked++;
  }
  assert.ok(checked >= 25, `only ${checked} built-ins have an expression`);
});
