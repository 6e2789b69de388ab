// Loss values on a grid (y outer, x inner), vectorized across grid points where it pays.
import {
  Loss, evaluate, hasValue2x, value2x, yPart2x, rastriginStart, rastriginTerm, mccormickValue, levi13K2, levi13K3,
  levi13Value, easomEnvelope, easomValue, dupontBowlArgument,
} from './losses';
import {
  LOSS_ROSENBROCK, LOSS_ACKLEY, LOSS_CUSTOM, LOSS_SPHERE, LOSS_QUADRATIC, LOSS_STYBLINSKI_TANG, LOSS_BEALE,
  LOSS_HIMMELBLAU, LOSS_BOOTH, LOSS_MATYAS, LOSS_GOLDSTEIN_PRICE, LOSS_SIX_HUMP_CAMEL, LOSS_THREE_HUMP_CAMEL,
  LOSS_SADDLE, LOSS_DEGENERATE_SADDLE, LOSS_MONKEY_SADDLE, LOSS_RASTRIGIN, LOSS_MCCORMICK, LOSS_LEVI13, LOSS_EASOM,
  LOSS_DUPONT_BOWL,
} from './layout';
import { exp2x, cosTwoPi2x } from './vecmath';

export let gridMin: f64 = 0;
export let gridMax: f64 = 0;

@inline function gridStep(lo: f64, hi: f64, n: i32): f64 {
  return n > 1 ? (hi - lo) / <f64>(n - 1) : 0.0;
}

/**
 * Writes f at nx*ny grid points into out. point holds dim f64s: its first two entries are replaced by
 * the grid coordinates, the others stay (a 2-D slice of an n-D loss). Sets gridMin / gridMax over the
 * finite values.
 */
export function landscape(
  loss: Loss, x0: f64, x1: f64, y0: f64, y1: f64, nx: i32, ny: i32, out: usize, point: usize,
): void {
  const dx = gridStep(x0, x1, nx);
  const dy = gridStep(y0, y1, ny);
  const is2d = loss.dim == 2;
  let lo = f64x2.splat(Infinity);
  let hi = f64x2.splat(-Infinity);
  for (let j = 0; j < ny; j++) {
    const y = y0 + <f64>j * dy;
    const row = out + (<usize>(j * nx) << 3);
    if (is2d && loss.kind == LOSS_ROSENBROCK) rosenbrockRow(loss.c0, loss.c1, x0, dx, y, nx, row);
    else if (is2d && loss.kind == LOSS_ACKLEY) ackleyRow(x0, dx, y, nx, row);
    else if (hasValue2x(loss)) builtinRow(loss, x0, dx, y, nx, row);
    else if (is2d && !loss.samples && hasScalarValueRow(loss.kind)) scalarValueRow(loss.kind, x0, dx, y, nx, row);
    else if (loss.kind == LOSS_CUSTOM && is2d && loss.rowFn >= 0) {
      call_indirect<void>(<u32>loss.rowFn, x0, dx, y, nx, row);
    } else {
      store<f64>(point, y, 8);
      for (let i = 0; i < nx; i++) {
        store<f64>(point, x0 + <f64>i * dx);
        store<f64>(row + (<usize>i << 3), evaluate(loss, point, 0, 0));
      }
    }
    // While the row is in cache. pmin/pmax keep the accumulator when the value is NaN.
    let i = 0;
    for (; i + 1 < nx; i += 2) {
      const v = v128.load(row + (<usize>i << 3));
      lo = f64x2.pmin(lo, v);
      hi = f64x2.pmax(hi, v);
    }
    if (i < nx) {
      const v = f64x2.splat(load<f64>(row + (<usize>i << 3)));
      lo = f64x2.pmin(lo, v);
      hi = f64x2.pmax(hi, v);
    }
  }
  gridMin = Math.min(f64x2.extract_lane(lo, 0), f64x2.extract_lane(lo, 1));
  gridMax = Math.max(f64x2.extract_lane(hi, 0), f64x2.extract_lane(hi, 1));
}

/** Writes (gx, gy) pairs at nx*ny grid points into out. */
export function gradientField(
  loss: Loss, x0: f64, x1: f64, y0: f64, y1: f64, nx: i32, ny: i32, out: usize, point: usize, grad: usize,
): void {
  const dx = gridStep(x0, x1, nx);
  const dy = gridStep(y0, y1, ny);
  for (let j = 0; j < ny; j++) {
    store<f64>(point, y0 + <f64>j * dy, 8);
    for (let i = 0; i < nx; i++) {
      store<f64>(point, x0 + <f64>i * dx);
      evaluate(loss, point, grad, 0);
      const cell = out + (<usize>((j * nx + i) * 2) << 3);
      store<f64>(cell, load<f64>(grad));
      store<f64>(cell, load<f64>(grad, 8), 8);
    }
  }
}

@inline function xPair(x0: f64, dx: f64, i: i32): v128 {
  return f64x2.add(f64x2.splat(x0), f64x2.mul(f64x2(<f64>i, <f64>(i + 1)), f64x2.splat(dx)));
}

// Stores both lanes, or only the first at the end of an odd row.
@inline function storePair(out: usize, i: i32, n: i32, v: v128): void {
  if (i + 1 < n) v128.store(out + (<usize>i << 3), v);
  else store<f64>(out + (<usize>i << 3), f64x2.extract_lane(v, 0));
}

function rosenbrockRow(a: f64, b: f64, x0: f64, dx: f64, y: f64, n: i32, out: usize): void {
  const va = f64x2.splat(a);
  const vb = f64x2.splat(b);
  const vy = f64x2.splat(y);
  const vx0 = f64x2.splat(x0);
  const vdx = f64x2.splat(dx);
  let index = f64x2(0.0, 1.0);
  for (let i = 0; i < n; i += 2) {
    const x = f64x2.add(vx0, f64x2.mul(index, vdx));
    const u = f64x2.sub(va, x);
    const v = f64x2.sub(vy, f64x2.mul(x, x));
    storePair(out, i, n, f64x2.add(f64x2.mul(u, u), f64x2.mul(vb, f64x2.mul(v, v))));
    index = f64x2.add(index, f64x2.splat(2.0));
  }
}

// The f64x2 rows of the losses value2x knows. Inlined with a constant kind (builtinRow), value2x's switch folds
// away: one loop per kind with its value function inlined.
@inline function valueRow(kind: i32, loss: Loss, x0: f64, dx: f64, y: f64, n: i32, out: usize): void {
  const vy = f64x2.splat(y);
  const yPart = yPart2x(kind, f64x2.splat(loss.c0), vy);
  const vx0 = f64x2.splat(x0);
  const vdx = f64x2.splat(dx);
  let index = f64x2(0.0, 1.0); // (i, i + 1) as f64, exact: the same x as xPair without two conversions per pair
  let i = 0;
  for (; i + 1 < n; i += 2) {
    v128.store(out + (<usize>i << 3), value2x(kind, f64x2.add(vx0, f64x2.mul(index, vdx)), vy, yPart));
    index = f64x2.add(index, f64x2.splat(2.0));
  }
  if (i < n) storePair(out, i, n, value2x(kind, f64x2.add(vx0, f64x2.mul(index, vdx)), vy, yPart));
}

function builtinRow(loss: Loss, x0: f64, dx: f64, y: f64, n: i32, out: usize): void {
  switch (loss.kind) {
    case LOSS_SPHERE: valueRow(LOSS_SPHERE, loss, x0, dx, y, n, out); break;
    case LOSS_QUADRATIC: valueRow(LOSS_QUADRATIC, loss, x0, dx, y, n, out); break;
    case LOSS_STYBLINSKI_TANG: valueRow(LOSS_STYBLINSKI_TANG, loss, x0, dx, y, n, out); break;
    case LOSS_BEALE: valueRow(LOSS_BEALE, loss, x0, dx, y, n, out); break;
    case LOSS_HIMMELBLAU: valueRow(LOSS_HIMMELBLAU, loss, x0, dx, y, n, out); break;
    case LOSS_BOOTH: valueRow(LOSS_BOOTH, loss, x0, dx, y, n, out); break;
    case LOSS_MATYAS: valueRow(LOSS_MATYAS, loss, x0, dx, y, n, out); break;
    case LOSS_GOLDSTEIN_PRICE: valueRow(LOSS_GOLDSTEIN_PRICE, loss, x0, dx, y, n, out); break;
    case LOSS_SIX_HUMP_CAMEL: valueRow(LOSS_SIX_HUMP_CAMEL, loss, x0, dx, y, n, out); break;
    case LOSS_THREE_HUMP_CAMEL: valueRow(LOSS_THREE_HUMP_CAMEL, loss, x0, dx, y, n, out); break;
    case LOSS_SADDLE: valueRow(LOSS_SADDLE, loss, x0, dx, y, n, out); break;
    case LOSS_DEGENERATE_SADDLE: valueRow(LOSS_DEGENERATE_SADDLE, loss, x0, dx, y, n, out); break;
    case LOSS_MONKEY_SADDLE: valueRow(LOSS_MONKEY_SADDLE, loss, x0, dx, y, n, out); break;
  }
}

@inline function hasScalarValueRow(kind: i32): bool {
  return kind == LOSS_RASTRIGIN || kind == LOSS_MCCORMICK || kind == LOSS_LEVI13 || kind == LOSS_EASOM
    || kind == LOSS_DUPONT_BOWL;
}

/**
 * Rows of the 2-D built-ins with sines, cosines, exp or log, in scalar code (f64x2 lanes would each call the scalar
 * function): values only, without the derivatives evaluate computes, and their y-only parts once per row.
 */
function scalarValueRow(kind: i32, x0: f64, dx: f64, y: f64, n: i32, out: usize): void {
  switch (kind) {
    case LOSS_RASTRIGIN: {
      const start = rastriginStart(2);
      const ty = rastriginTerm(y);
      for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), start + rastriginTerm(x0 + <f64>i * dx) + ty);
      break;
    }
    case LOSS_MCCORMICK: {
      for (let i = 0; i < n; i++) {
        const x = x0 + <f64>i * dx;
        store<f64>(out + (<usize>i << 3), mccormickValue(x, y, Math.sin(x + y)));
      }
      break;
    }
    case LOSS_LEVI13: {
      const k2 = levi13K2(y);
      const k3 = levi13K3(y);
      for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), levi13Value(x0 + <f64>i * dx, y, k2, k3));
      break;
    }
    case LOSS_EASOM: {
      const cy = Math.cos(y);
      for (let i = 0; i < n; i++) {
        const x = x0 + <f64>i * dx;
        store<f64>(out + (<usize>i << 3), easomValue(Math.cos(x), cy, easomEnvelope(x, y)));
      }
      break;
    }
    case LOSS_DUPONT_BOWL: {
      for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), Math.log(dupontBowlArgument(x0 + <f64>i * dx, y)));
      break;
    }
  }
}

function ackleyRow(x0: f64, dx: f64, y: f64, n: i32, out: usize): void {
  const y2 = f64x2.splat(y * y);
  const cy = cosTwoPi2x(f64x2.splat(y));
  const half = f64x2.splat(0.5);
  const tail = f64x2.splat(Math.E + 20.0);
  for (let i = 0; i < n; i += 2) {
    const x = xPair(x0, dx, i);
    const r = f64x2.sqrt(f64x2.mul(half, f64x2.add(f64x2.mul(x, x), y2)));
    const radial = f64x2.mul(f64x2.splat(-20.0), exp2x(f64x2.mul(f64x2.splat(-0.2), r)));
    const wave = exp2x(f64x2.mul(half, f64x2.add(cosTwoPi2x(x), cy)));
    storePair(out, i, n, f64x2.add(f64x2.sub(radial, wave), tail));
  }
}
