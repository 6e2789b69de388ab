// Engine.networkLandscape and Engine.networkSharpness: filter-normalized directions, slices that reproduce the loss,
// PCA of training paths, Hessian eigenvalues against a finite-difference Hessian, cancel, and bad requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { EngineClient, CancelledError } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const { CancelSource } = await loadTs('src/shared/rpc.ts');

const spiral = 'data spiral arms=3 samples=200 noise=0.05 seed=1';
const bnNet = `${spiral}\nnetwork 2-6-5-3 activation=tanh loss=cross_entropy batchnorm=true seed=2`;
const plainNet = `${spiral}\nnetwork 2-8-8-3 activation=tanh loss=cross_entropy seed=3`;

const relClose = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));

/** Parameter offsets in PyTorch's order: per layer W [out, in], b, then BN weight and bias for hidden layers. */
function layout(widths, batchnorm) {
  const layers = [];
  let offset = 0;
  for (let l = 1; l < widths.length; l++) {
    const [wIn, w] = [widths[l - 1], widths[l]];
    const layer = { wIn, w, weights: offset, bias: offset + w * wIn, bn: -1 };
    offset += w * wIn + w;
    if (batchnorm && l < widths.length - 1) {
      layer.bn = offset;
      offset += 2 * w;
    }
    layers.push(layer);
  }
  return { layers, dim: offset };
}

test('a filter-normalized direction has, per neuron, the norm of the centre\'s neuron; biases and BN parameters are zero', async () => {
  const info = await engine.lossInfo(bnNet);
  const { layers, dim } = layout(info.network.widths, true);
  assert.equal(dim, info.dim);
  const center = info.start.map((v, i) => v * (1 + 0.1 * Math.sin(i))); // not the init's structure
  const result = await engine.networkLandscape({ loss: bnNet, center, directions: { kind: 'random', seed: 7 }, size: [3, 3] });
  let checked = 0;
  for (const d of result.directions) {
    for (const { wIn, w, weights, bias, bn } of layers) {
      for (let j = 0; j < w; j++) {
        const rows = [weights + j * wIn, weights + (j + 1) * wIn];
        relClose(norm(Array.from(d.slice(...rows))), norm(center.slice(...rows)), 1e-12, `neuron ${j}`);
        checked++;
      }
      for (let j = 0; j < w; j++) assert.equal(d[bias + j], 0, 'bias');
      if (bn >= 0) for (let j = 0; j < 2 * w; j++) assert.equal(d[bn + j], 0, 'BN parameter');
    }
  }
  assert.equal(checked, 2 * (6 + 5 + 3));
  // Seeded: the same seed gives the same directions; d1 and d2 differ.
  const again = await engine.networkLandscape({ loss: bnNet, center, directions: { kind: 'random', seed: 7 }, size: [3, 3] });
  assert.deepEqual(Array.from(again.directions[0]), Array.from(result.directions[0]));
  assert.notDeepEqual(Array.from(result.directions[0]), Array.from(result.directions[1]));
});

test('the slice at (0, 0) is the loss at the centre, and every point the loss at centre + a d1 + b d2', async () => {
  for (const loss of [plainNet, bnNet]) {
    const info = await engine.lossInfo(loss);
    const result = await engine.networkLandscape({ loss, center: info.start, directions: { kind: 'random', seed: 1 }, size: [5, 3], x: [-1, 1], y: [-0.5, 0.5] });
    const { value } = await engine.evaluate(loss, info.start);
    assert.equal(result.values.length, 15);
    relClose(result.values[1 * 5 + 2], value, 1e-12, 'centre of the grid');
    relClose(result.centerLoss, value, 1e-12, 'centerLoss');
    const [d1, d2] = result.directions;
    for (const [i, j] of [[0, 0], [4, 2], [1, 2]]) {
      const [a, b] = [-1 + 0.5 * i, -0.5 + 0.5 * j];
      const point = info.start.map((t, k) => t + a * d1[k] + b * d2[k]);
      relClose(result.values[j * 5 + i], (await engine.evaluate(loss, point)).value, 1e-12, `(${a}, ${b})`);
    }
    assert.equal(result.min, Math.min(...result.values));
    assert.equal(result.max, Math.max(...result.values));
  }
});

test('between: the plane through the centre and two parameter vectors passes through both', async () => {
  const info = await engine.lossInfo(plainNet);
  const ends = [info.start.map((v) => v * 1.5), info.start.map((v, i) => v + 0.2 * Math.cos(i))];
  const result = await engine.networkLandscape({ loss: plainNet, center: info.start, directions: { kind: 'between', ends }, size: [3, 3], paths: [ends] });
  relClose(result.values[1 * 3 + 2], (await engine.evaluate(plainNet, ends[0])).value, 1e-12, 'a = 1: the first end');
  relClose(result.values[2 * 3 + 1], (await engine.evaluate(plainNet, ends[1])).value, 1e-12, 'b = 1: the second end');
  const projected = Array.from(result.paths[0]);
  [1, 0, 0, 1].forEach((want, k) => assert.ok(Math.abs(projected[k] - want) < 1e-12, `projection ${k}: ${projected[k]}`));
  await assert.rejects(
    engine.networkLandscape({ loss: plainNet, center: info.start, directions: { kind: 'between', ends: [ends[0], info.start.map((v) => v * 2)] }, size: [3, 3] }),
    /span a plane/,
  );
});

test('pca of training paths: variance fractions in [0, 1] summing to at most 1, the end point at (0, 0) with its loss', async () => {
  const info = await engine.lossInfo(plainNet);
  const traces = await Promise.all([['adam', { lr: 0.02 }], ['sgd', { lr: 0.5, momentum: 0.9 }]].map(([optimizer, options]) =>
    engine.trace({ loss: plainNet, optimizer, options, steps: 150 })));
  const paths = traces.map((t) => t.trajectory.map((row) => row.slice(0, info.dim)));
  const center = paths[0][paths[0].length - 1];
  const endLoss = traces[0].trajectory.at(-1)[info.dim];
  const result = await engine.networkLandscape({ loss: plainNet, center, directions: { kind: 'pca' }, size: [5, 5], x: [-2, 2], y: [-2, 2], paths });
  const [f1, f2] = result.variance;
  assert.ok(f1 >= 0 && f1 <= 1 && f2 >= 0 && f2 <= 1 && f1 + f2 <= 1 + 1e-12, `fractions ${f1}, ${f2}`);
  assert.ok(f1 >= f2, 'the first direction captures the most');
  const [d1, d2] = result.directions.map((d) => Array.from(d));
  relClose(norm(d1), 1, 1e-9, '|d1|');
  relClose(norm(d2), 1, 1e-9, '|d2|');
  assert.ok(Math.abs(dot(d1, d2)) < 1e-9, 'orthogonal');
  // Each fraction is the variance of the rows (minus the centre, centred) along its direction over the total variance.
  const rows = paths.flat().map((row) => row.map((v, k) => v - center[k]));
  const mean = rows[0].map((_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
  const centred = rows.map((r) => r.map((v, k) => v - mean[k]));
  const total = centred.reduce((s, r) => s + dot(r, r), 0);
  relClose(centred.reduce((s, r) => s + dot(r, d1) ** 2, 0) / total, f1, 1e-8, 'fraction along d1');
  relClose(centred.reduce((s, r) => s + dot(r, d2) ** 2, 0) / total, f2, 1e-8, 'fraction along d2');
  // No direction does better than d1 (a few random ones).
  for (let s = 1; s <= 5; s++) {
    const u = d1.map((_, k) => Math.sin(s * (k + 1) * 1.7));
    const un = norm(u);
    assert.ok(centred.reduce((acc, r) => acc + (dot(r, u) / un) ** 2, 0) / total <= f1 + 1e-9);
  }
  const first = result.paths[0];
  assert.equal(first.length, 2 * paths[0].length);
  assert.ok(Math.abs(first.at(-2)) < 1e-12 && Math.abs(first.at(-1)) < 1e-12, 'the end point projects to (0, 0)');
  relClose(result.values[2 * 5 + 2], endLoss, 1e-12, 'the slice at (0, 0) is the path\'s loss at its end');
  // The start projects to its coordinates along d1 and d2 (the directions are orthonormal).
  const start = paths[0][0].map((v, k) => v - center[k]);
  relClose(first[0], dot(start, d1), 1e-9, 'start a');
  relClose(first[1], dot(start, d2), 1e-9, 'start b');
  assert.equal(result.paths[1].length, 2 * paths[1].length);
  // Without ranges, pca's plane covers every projected point.
  const fitted = await engine.networkLandscape({ loss: plainNet, center, directions: { kind: 'pca' }, size: [3, 3], paths });
  for (const path of fitted.paths) {
    for (let k = 0; k < path.length; k += 2) {
      assert.ok(path[k] > fitted.x[0] && path[k] < fitted.x[1] && path[k + 1] > fitted.y[0] && path[k + 1] < fitted.y[1], `point ${k / 2} inside`);
    }
  }
});

/** The eigenvalues of a symmetric matrix (rows) by cyclic Jacobi rotations. */
function symmetricEigenvalues(matrix) {
  const a = matrix.map((row) => [...row]);
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k][p], a[k][q]];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p][k], a[q][k]];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]);
}

test('hessian directions: the eigenvalues of a finite-difference Hessian of a tiny net, and sharpness', async () => {
  const loss = 'data x1, x2, y = [0, 0, 0.1; 1, 0.5, 0.9; -1, 0.5, -0.4; 0.5, -1, 0.3; -0.3, -0.7, 0.2]\nnetwork 2-3-1 activation=tanh loss=mse seed=4';
  const info = await engine.lossInfo(loss);
  const x = info.start;
  const h = 1e-4;
  const hessian = x.map((_, i) => {
    const plus = x.map((v, k) => (k === i ? v + h : v));
    const minus = x.map((v, k) => (k === i ? v - h : v));
    return [plus, minus];
  });
  const rows = [];
  for (const [plus, minus] of hessian) {
    const [gp, gm] = [(await engine.evaluate(loss, plus)).gradient, (await engine.evaluate(loss, minus)).gradient];
    rows.push(gp.map((g, k) => (g - gm[k]) / (2 * h)));
  }
  const symmetric = rows.map((row, i) => row.map((v, j) => 0.5 * (v + rows[j][i])));
  const eigen = symmetricEigenvalues(symmetric).sort((p, q) => Math.abs(q) - Math.abs(p));
  const result = await engine.networkLandscape({ loss, center: x, directions: { kind: 'hessian', seed: 3 }, size: [3, 3], x: [-0.1, 0.1], y: [-0.1, 0.1] });
  relClose(result.eigenvalues[0], eigen[0], 1e-6, 'top eigenvalue');
  relClose(result.eigenvalues[1], eigen[1], 1e-6, 'second eigenvalue');
  // The directions are unit eigenvectors: d1' H d1 is the eigenvalue.
  const d1 = Array.from(result.directions[0]);
  relClose(norm(d1), 1, 1e-9, '|d1|');
  const quadratic = symmetric.reduce((s, row, i) => s + d1[i] * dot(row, d1), 0);
  relClose(quadratic, eigen[0], 1e-6, "d1' H d1");
  const sharp = await engine.networkSharpness({ loss, center: x, radius: 0.1, samples: 16, seed: 2 });
  relClose(sharp.topEigenvalue, eigen[0], 1e-6, 'sharpness: top eigenvalue');
  relClose(sharp.loss, (await engine.evaluate(loss, x)).value, 1e-12, 'sharpness: loss');
  // The ball's increase: the largest over directions seeded 2..17 (random slices' d1) at +-0.05 and +-0.1 of them.
  let worst = -Infinity;
  for (let s = 0; s < 16; s++) {
    const [d] = (await engine.networkLandscape({ loss, center: x, directions: { kind: 'random', seed: 2 + s }, size: [2, 2] })).directions;
    for (const t of [0.1, 0.05, -0.1, -0.05]) worst = Math.max(worst, (await engine.evaluate(loss, x.map((v, k) => v + t * d[k]))).value - sharp.loss);
  }
  assert.ok(worst > 0, 'the centre is no minimum along every direction');
  relClose(sharp.ballIncrease, worst, 1e-12, 'the ball\'s largest increase');
});

test('cancel stops a slice between rows, in-process and through the worker (which stays)', async () => {
  const info = await engine.lossInfo(plainNet);
  const request = { loss: plainNet, center: info.start, directions: { kind: 'random', seed: 1 }, size: [256, 256] };
  const cancel = new CancelSource();
  const seen = [];
  await assert.rejects(engine.networkLandscape(request, (progress) => {
    seen.push(progress.done);
    cancel.cancel();
  }, cancel), (error) => error.name === 'CancelledError');
  assert.equal(seen.length, 1, 'no progress after the cancel');
  assert.ok(seen[0] > 0 && seen[0] < 0.1, `cancelled early: ${seen[0]}`);
  const after = await engine.networkLandscape({ ...request, size: [3, 3] });
  relClose(after.values[4], after.centerLoss, 1e-12, 'the engine works after a cancel');

  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const remoteCancel = new CancelSource();
    const progress = [];
    const started = performance.now();
    await assert.rejects(client.networkLandscape(request, (p) => {
      progress.push(p);
      remoteCancel.cancel();
    }, remoteCancel), CancelledError);
    assert.ok(performance.now() - started < 5000);
    assert.equal(progress[0].phase, 'slice');
    const small = await client.networkLandscape({ ...request, size: [3, 3] });
    const local = await engine.networkLandscape({ ...request, size: [3, 3] });
    assert.ok(small.values instanceof Float64Array);
    assert.deepEqual(Array.from(small.values), Array.from(local.values));
  } finally {
    client.dispose();
  }
});

test('bad requests get clear errors and leave the engine working', async () => {
  const info = await engine.lossInfo(plainNet);
  const base = { loss: plainNet, center: info.start, directions: { kind: 'random' }, size: [3, 3] };
  const cases = [
    [{ ...base, loss: 'rosenbrock' }, /network line/],
    [{ ...base, center: [1, 2] }, new RegExp(`center needs ${info.dim} numbers`)],
    [{ ...base, center: info.start.map((v, i) => (i === 3 ? NaN : v)) }, /center must be a list of finite numbers/],
    [{ ...base, size: [1, 3] }, /size must be two integers from 2 to 1024/],
    [{ ...base, x: [1, -1] }, /x must be \[low, high\]/],
    [{ ...base, directions: { kind: 'sideways' } }, /directions.kind must be random, pca, hessian or between/],
    [{ ...base, directions: { kind: 'random', seed: -1 } }, /directions.seed must be a non-negative integer/],
    [{ ...base, directions: { kind: 'pca' } }, /pca directions need paths/],
    [{ ...base, directions: { kind: 'pca' }, paths: [[info.start, info.start, info.start]] }, /paths that move/],
    [{ ...base, paths: [[[1, 2]]] }, /paths\[0\]\[0\] needs/],
  ];
  for (const [request, pattern] of cases) await assert.rejects(engine.networkLandscape(request), pattern);
  await assert.rejects(engine.networkSharpness({ loss: plainNet, center: info.start, radius: 0 }), /radius must be a number > 0/);
  const ok = await engine.networkLandscape(base);
  relClose(ok.values[4], ok.centerLoss, 1e-12, 'after the errors');
});

test('the Playground\'s networkLandscape message: a well-formed query passes, a bad one is refused naming the field', async () => {
  const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
  const query = { loss: plainNet, center: [0.5, -1, 2], directions: { kind: 'random', seed: 3 }, size: [48, 48], paths: [[[1, 2, 3], [4, 5, 6]]] };
  assert.deepEqual(parseFromWebview({ type: 'networkLandscape', requestId: 7, query: { ...query, extra: 1 } }).value, { type: 'networkLandscape', requestId: 7, query });
  for (const directions of [{ kind: 'pca' }, { kind: 'hessian' }, { kind: 'between', ends: [[1, 1, 1], [0, 2, 0]] }]) {
    assert.deepEqual(parseFromWebview({ type: 'networkLandscape', requestId: 8, query: { ...query, directions } }).value.query, { ...query, directions });
  }
  const ranged = { ...query, x: [-0.5, 1.5], y: [-0.5, 1.5] };
  assert.deepEqual(parseFromWebview({ type: 'networkLandscape', requestId: 8, query: ranged }).value.query, ranged);
  for (const [bad, field] of [
    [{ ...query, directions: { kind: 'between', ends: [[1], [2]] } }, 'message.query.directions'],
    [{ ...query, size: [48, 4096] }, 'message.query.size'],
    [{ ...query, x: [1.5, -0.5] }, 'message.query.x'],
    [{ ...query, y: [0, Infinity] }, 'message.query.y'],
    [{ ...query, center: [1, NaN] }, 'message.query.center'],
    [{ ...query, paths: [new Array(401).fill([1, 2, 3])] }, 'message.query.paths'],
  ]) {
    const parsed = parseFromWebview({ type: 'networkLandscape', requestId: 9, query: bad });
    assert.equal(parsed.ok, false);
    assert.match(parsed.error, new RegExp(field.replace(/\./g, '\\.')), parsed.error);
  }
});
