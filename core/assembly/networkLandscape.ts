// Loss landscapes of networks (Li, Xu, Taylor, Studer, Goldstein 2018): filter-normalized random directions, 2-D
// slices L(theta + a d1 + b d2), the top Hessian eigenvectors (subspace iteration on Hessian-vector products), the
// PCA directions of a training path, paths projected on a plane, and sharpness at a point.
//
// Every loss value here is the training loss the optimizers minimize (evaluate: full batch, batch norm in train mode
// with the batch's statistics), so a slice's centre is the trace's loss at theta.
import { Loss, evaluate } from './losses';
import { Network, width } from './network';
import { at, put } from './f64mem';
import { Rng, seedRng, normal } from './random';

@inline function offsetOf(table: usize, l: i32): i32 {
  return load<i32>(table + (<usize>l << 2));
}

@inline function dotF64(a: usize, b: usize, n: i32): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) s += at(a, i) * at(b, i);
  return s;
}

/**
 * A seeded Gaussian direction, filter-normalized: each neuron's incoming weights (a row of a Linear's W) scaled to
 * the norm of that row in theta; biases and batch-norm parameters zeroed (the paper's choice for them, which keeps
 * the slice from moving what normalization undoes). A row of theta that is all zeros gives a zero row.
 */
export function filterNormalizedDirection(loss: Loss, theta: usize, seed: u64, out: usize): void {
  const net = changetype<Network>(loss.network);
  const dim = loss.dim;
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  for (let i = 0; i < dim; i++) put(out, i, normal(rng));
  heap.free(changetype<usize>(rng));
  for (let l = 0; l < net.layers; l++) {
    const wIn = width(net, l);
    const w = width(net, l + 1);
    const weights = offsetOf(net.weightAt, l);
    for (let j = 0; j < w; j++) {
      const p = weights + j * wIn;
      const d = out + (<usize>p << 3);
      const wanted = Math.sqrt(dotF64(theta + (<usize>p << 3), theta + (<usize>p << 3), wIn));
      const has = Math.sqrt(dotF64(d, d, wIn));
      const scale = has > 0 ? wanted / has : 0.0;
      for (let i = 0; i < wIn; i++) put(d, i, at(d, i) * scale);
    }
    const bias = offsetOf(net.biasAt, l);
    for (let j = 0; j < w; j++) put(out, bias + j, 0.0);
    const bn = offsetOf(net.bnAt, l);
    if (bn >= 0) for (let j = 0; j < 2 * w; j++) put(out, bn + j, 0.0);
  }
}

/**
 * Rows [rowFirst, rowFirst + rowCount) of the slice L(theta + a d1 + b d2), a = a0 + i da (i < nx), b = b0 + j db,
 * written at out + (j nx + i) (the whole grid's buffer, b outer). point: dim f64 of scratch.
 */
export function sliceRows(
  loss: Loss, theta: usize, d1: usize, d2: usize, a0: f64, da: f64, nx: i32, b0: f64, db: f64,
  rowFirst: i32, rowCount: i32, out: usize, point: usize,
): void {
  const dim = loss.dim;
  for (let j = rowFirst; j < rowFirst + rowCount; j++) {
    const b = b0 + <f64>j * db;
    for (let i = 0; i < nx; i++) {
      const a = a0 + <f64>i * da;
      let k = 0;
      const va = f64x2.splat(a);
      const vb = f64x2.splat(b);
      for (; k + 1 < dim; k += 2) {
        const o = <usize>k << 3;
        v128.store(point + o, f64x2.add(v128.load(theta + o), f64x2.add(f64x2.mul(va, v128.load(d1 + o)), f64x2.mul(vb, v128.load(d2 + o)))));
      }
      if (k < dim) put(point, k, at(theta, k) + a * at(d1, k) + b * at(d2, k));
      put(out, j * nx + i, evaluate(loss, point, 0, 0));
    }
  }
}

/**
 * The Hessian times v by central differences of the exact gradient: (g(x + h v) - g(x - h v)) / 2h, with
 * h = step / |v|. Scratch: point, gPlus and gMinus (dim each).
 */
export function hessianVector(loss: Loss, x: usize, v: usize, step: f64, out: usize, point: usize, gMinus: usize): void {
  const dim = loss.dim;
  const norm = Math.sqrt(dotF64(v, v, dim));
  if (norm == 0) {
    memory.fill(out, 0, <usize>dim << 3);
    return;
  }
  const h = step / norm;
  for (let i = 0; i < dim; i++) put(point, i, at(x, i) + h * at(v, i));
  evaluate(loss, point, out, 0);
  for (let i = 0; i < dim; i++) put(point, i, at(x, i) - h * at(v, i));
  evaluate(loss, point, gMinus, 0);
  const inv = 1.0 / (2.0 * h);
  for (let i = 0; i < dim; i++) put(out, i, (at(out, i) - at(gMinus, i)) * inv);
}

/**
 * The whole Hessian (dim x dim, row-major at out) by central differences of the exact gradient, one column per unit
 * vector, then symmetrized ((H + H^T) / 2). For small networks only: 2 * dim gradient evaluations. Scratch: v, col,
 * point and gMinus (dim each).
 */
export function hessianMatrix(loss: Loss, x: usize, step: f64, out: usize, v: usize, col: usize, point: usize, gMinus: usize): void {
  const dim = loss.dim;
  memory.fill(v, 0, <usize>dim << 3);
  for (let j = 0; j < dim; j++) {
    put(v, j, 1.0);
    hessianVector(loss, x, v, step, col, point, gMinus);
    put(v, j, 0.0);
    for (let i = 0; i < dim; i++) put(out, i * dim + j, at(col, i));
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i + 1; j < dim; j++) {
      const mean = 0.5 * (at(out, i * dim + j) + at(out, j * dim + i));
      put(out, i * dim + j, mean);
      put(out, j * dim + i, mean);
    }
  }
}

/**
 * One round of subspace iteration for k = 1 or 2 vectors (rows of v, orthonormal) given w = A v (rows): the Ritz
 * values of A on span(v) go to values (largest magnitude first), and v becomes w rotated to the Ritz vectors and
 * orthonormalized. Returns the largest relative change of a Ritz value since the values held before.
 */
export function rayleighRitz(k: i32, dim: i32, v: usize, w: usize, values: usize): f64 {
  const v2 = v + (<usize>dim << 3);
  const w2 = w + (<usize>dim << 3);
  let change = 0.0;
  if (k == 1) {
    const value = dotF64(v, w, dim);
    change = Math.abs(value - at(values, 0)) / Math.max(Math.abs(value), 1e-300);
    put(values, 0, value);
    memory.copy(v, w, <usize>dim << 3);
  } else {
    // T = V^T A V (2 x 2, symmetrized), its eigenvalues and eigenvectors in closed form.
    const t11 = dotF64(v, w, dim);
    const t22 = dotF64(v2, w2, dim);
    const t12 = 0.5 * (dotF64(v, w2, dim) + dotF64(v2, w, dim));
    const mean = 0.5 * (t11 + t22);
    const radius = Math.sqrt(0.25 * (t11 - t22) * (t11 - t22) + t12 * t12);
    let l1 = mean + radius;
    let l2 = mean - radius;
    if (Math.abs(l2) > Math.abs(l1)) {
      const t = l1;
      l1 = l2;
      l2 = t;
    }
    // The eigenvector of l1: (t12, l1 - t11) or (l1 - t22, t12), whichever is longer; the other is its perpendicular.
    let c = t12;
    let s = l1 - t11;
    if (c * c + s * s < (l1 - t22) * (l1 - t22) + t12 * t12) {
      c = l1 - t22;
      s = t12;
    }
    const len = Math.sqrt(c * c + s * s);
    if (len > 0) {
      c /= len;
      s /= len;
    } else {
      c = 1.0;
      s = 0.0;
    }
    for (let i = 0; i < dim; i++) {
      const a = at(w, i);
      const b = at(w2, i);
      put(v, i, c * a + s * b);
      put(v2, i, -s * a + c * b);
    }
    change = max(
      Math.abs(l1 - at(values, 0)) / Math.max(Math.abs(l1), 1e-300),
      Math.abs(l2 - at(values, 1)) / Math.max(Math.abs(l2), 1e-300),
    );
    put(values, 0, l1);
    put(values, 1, l2);
  }
  orthonormalize(k, dim, v);
  return change;
}

/** Gram-Schmidt (twice, for accuracy) on k rows of v; a row that vanishes becomes a fixed unit vector's remainder. */
function orthonormalize(k: i32, dim: i32, v: usize): void {
  for (let r = 0; r < k; r++) {
    const row = v + (<usize>(r * dim) << 3);
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < r; q++) {
        const other = v + (<usize>(q * dim) << 3);
        const p = dotF64(row, other, dim);
        for (let i = 0; i < dim; i++) put(row, i, at(row, i) - p * at(other, i));
      }
    }
    let norm = Math.sqrt(dotF64(row, row, dim));
    if (norm == 0) {
      put(row, r % dim, 1.0);
      norm = 1.0;
    }
    for (let i = 0; i < dim; i++) put(row, i, at(row, i) / norm);
  }
}

/** Seeded Gaussian start vectors for subspace iteration (k rows of dim), orthonormalized. */
export function randomSubspace(k: i32, dim: i32, seed: u64, v: usize): void {
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  for (let i = 0; i < k * dim; i++) put(v, i, normal(rng));
  heap.free(changetype<usize>(rng));
  orthonormalize(k, dim, v);
}

/**
 * rounds rounds of subspace iteration on the Hessian at x (k rows of v; Ritz values at values). Scratch: w (k dim),
 * point and gMinus (dim each). Returns the last round's largest relative change of a Ritz value.
 */
export function hessianRounds(
  loss: Loss, x: usize, step: f64, k: i32, rounds: i32, v: usize, values: usize, w: usize, point: usize, gMinus: usize,
): f64 {
  const dim = loss.dim;
  let change = Infinity;
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < k; c++) {
      hessianVector(loss, x, v + (<usize>(c * dim) << 3), step, w + (<usize>(c * dim) << 3), point, gMinus);
    }
    change = rayleighRitz(k, dim, v, w, values);
  }
  return change;
}

/**
 * Turns count path rows (dim each, in place) into theta_i - center minus their mean (written at mean), as PCA centres
 * them; returns the total variance (the mean squared norm of the centred rows).
 */
export function centerPath(rows: usize, count: i32, dim: i32, center: usize, mean: usize): f64 {
  memory.fill(mean, 0, <usize>dim << 3);
  for (let r = 0; r < count; r++) {
    const row = rows + (<usize>(r * dim) << 3);
    for (let i = 0; i < dim; i++) {
      const d = at(row, i) - at(center, i);
      put(row, i, d);
      put(mean, i, at(mean, i) + d);
    }
  }
  for (let i = 0; i < dim; i++) put(mean, i, at(mean, i) / <f64>count);
  let total = 0.0;
  for (let r = 0; r < count; r++) {
    const row = rows + (<usize>(r * dim) << 3);
    for (let i = 0; i < dim; i++) {
      const d = at(row, i) - at(mean, i);
      put(row, i, d);
      total += d * d;
    }
  }
  return total / <f64>count;
}

/** rounds rounds of subspace iteration on the covariance of count centred rows (C v = sum_i r_i (r_i . v) / count). */
export function pathCovarianceRounds(rows: usize, count: i32, dim: i32, k: i32, rounds: i32, v: usize, values: usize, w: usize): f64 {
  let change = Infinity;
  for (let round = 0; round < rounds; round++) {
    memory.fill(w, 0, <usize>(k * dim) << 3);
    for (let r = 0; r < count; r++) {
      const row = rows + (<usize>(r * dim) << 3);
      for (let c = 0; c < k; c++) {
        const wc = w + (<usize>(c * dim) << 3);
        const p = dotF64(row, v + (<usize>(c * dim) << 3), dim) / <f64>count;
        for (let i = 0; i < dim; i++) put(wc, i, at(wc, i) + p * at(row, i));
      }
    }
    change = rayleighRitz(k, dim, v, w, values);
  }
  return change;
}

/**
 * Coordinates (a, b) of count points (rows of dim) on the plane center + a d1 + b d2: the least-squares ones
 * (exact for a point on the plane; for orthonormal directions, the dot products). out: count x 2.
 */
export function projectOnPlane(rows: usize, count: i32, dim: i32, center: usize, d1: usize, d2: usize, out: usize): void {
  const g11 = dotF64(d1, d1, dim);
  const g22 = dotF64(d2, d2, dim);
  const g12 = dotF64(d1, d2, dim);
  const det = g11 * g22 - g12 * g12;
  for (let r = 0; r < count; r++) {
    const row = rows + (<usize>(r * dim) << 3);
    let p1 = 0.0;
    let p2 = 0.0;
    for (let i = 0; i < dim; i++) {
      const d = at(row, i) - at(center, i);
      p1 += d * at(d1, i);
      p2 += d * at(d2, i);
    }
    put(out, 2 * r, (g22 * p1 - g12 * p2) / det);
    put(out, 2 * r + 1, (g11 * p2 - g12 * p1) / det);
  }
}

/**
 * The largest loss increase over samples filter-normalized directions d (seeds seed, seed + 1, ...) at
 * theta +- t radius d for t = 1/2 and 1: the loss increase within a ball of relative radius radius per neuron.
 * Scratch: d and point (dim each).
 */
export function ballSharpness(loss: Loss, theta: usize, radius: f64, samples: i32, seed: u64, d: usize, point: usize): f64 {
  const dim = loss.dim;
  const base = evaluate(loss, theta, 0, 0);
  let worst = -Infinity;
  for (let s = 0; s < samples; s++) {
    filterNormalizedDirection(loss, theta, seed + <u64>s, d);
    for (let q = 0; q < 4; q++) {
      const t = (q & 1 ? 0.5 : 1.0) * (q < 2 ? radius : -radius);
      for (let i = 0; i < dim; i++) put(point, i, at(theta, i) + t * at(d, i));
      const f = evaluate(loss, point, 0, 0);
      if (!(f - base <= worst)) worst = f - base; // NaN (a diverged point) wins
    }
  }
  return worst;
}
