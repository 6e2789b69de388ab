// Network landscapes in the engine: checks a request, drives the core's networkLandscape.ts in chunks (grid rows,
// rounds of subspace iteration) with progress and cancel between chunks, and copies the results out.
import { stopIfCancelled } from './cancelPoints';
import type { CancelSignal, LossInfo } from '../shared/engineApi';
import type {
  NetworkLandscapeProgress, NetworkLandscapeRequest, NetworkLandscapeResult, NetworkSharpnessRequest, NetworkSharpnessResult,
} from '../shared/networkLandscape';
import type { Core } from './core';
import { describeValue } from './describe';

/** Grid rows per chunk are chosen so that a chunk takes about this many forward passes over the data set. */
const PASSES_PER_CHUNK = 256;
/** The largest grid side of a network slice (each point is a forward pass over every training sample). */
export const MAX_NETWORK_GRID_SIDE = 1024;
/** Subspace iteration: at most this many rounds, stopping when the Ritz values change by less than the tolerance. */
const MAX_ROUNDS = 500;
const ROUND_TOLERANCE = 1e-10;
const ROUNDS_PER_CHUNK = 4;
/**
 * The Hessian-vector product's central-difference step, relative to max(1, the RMS of the centre): the error is
 * O(step^2) from the third derivatives plus O(eps |g| / step) from rounding, about 1e-9 relative on smooth nets
 * (test/unit/engine-network-landscape.test.mjs compares with a finite-difference Hessian).
 */
const HESSIAN_STEP = 1e-5;

/** The central differences' step at a point: HESSIAN_STEP relative to the parameters' RMS (at least absolute). */
export function centralDifferenceStep(center: ArrayLike<number>): number {
  let squares = 0;
  for (let i = 0; i < center.length; i++) squares += center[i] * center[i];
  return HESSIAN_STEP * Math.max(1, Math.sqrt(squares / center.length));
}
/** Path values the PCA holds at once (more rows are thinned evenly, the last row kept), and one path's at most. */
const MAX_PCA_VALUES = 8_000_000;
const MAX_PATH_VALUES = 16_000_000;

/** The core's loss handle and metadata, leased by the engine for the call. */
export interface NetworkLoss {
  handle: number;
  info: LossInfo;
}

type Progress = (progress: NetworkLandscapeProgress) => void | Promise<void>;

function fail(message: string): never {
  throw new Error(message);
}

function numberList(value: unknown, what: string, length: number): number[] {
  if (!Array.isArray(value) || !Array.from(value, (v) => typeof v === 'number' && Number.isFinite(v)).every(Boolean)) {
    fail(`${what} must be a list of finite numbers, got ${describeValue(value)}`);
  }
  if (value.length !== length) fail(`${what} needs ${length} numbers (the network's parameters), got ${value.length}`);
  return value as number[];
}

function range(value: unknown, what: string): [number, number] {
  if (value === undefined) return [-1, 1];
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(value[0] < value[1])) {
    fail(`${what} must be [low, high] with finite low < high, got ${describeValue(value)}`);
  }
  return [value[0], value[1]];
}

function seedOf(value: unknown, what: string): number {
  if (value === undefined) return 0;
  if (!(Number.isSafeInteger(value) && (value as number) >= 0)) fail(`${what} must be a non-negative integer, got ${describeValue(value)}`);
  return value as number;
}

function checkPaths(value: unknown, dim: number): number[][][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`paths must be a list of paths (lists of parameter vectors), got ${describeValue(value)}`);
  return value.map((path, p) => {
    if (!Array.isArray(path) || path.length === 0) fail(`paths[${p}] must be a non-empty list of parameter vectors`);
    if (path.length * dim > MAX_PATH_VALUES) {
      fail(`paths[${p}] has ${path.length} rows of ${dim} parameters, more than the ${MAX_PATH_VALUES} values a path may hold: pass every k-th row`);
    }
    return path.map((row, r) => numberList(row, `paths[${p}][${r}]`, dim));
  });
}

function networkOf({ info }: NetworkLoss, what: string) {
  return info.network ?? fail(`${what} is for a loss with a network line; '${info.name}' has none`);
}

/** Core memory for the call, freed together. */
class Scratch {
  private readonly pointers: number[] = [];
  constructor(private readonly core: Core) {}
  f64(count: number, values?: ArrayLike<number>): number {
    const ptr = this.core.allocF64(Math.max(count, 1), values);
    this.pointers.push(ptr);
    return ptr;
  }
  release(): void {
    this.core.release(...this.pointers);
  }
}

/** Subspace iteration in chunks of rounds: round(rounds) runs them in the core and returns the last change. */
async function iterate(round: (rounds: number) => number, onProgress: Progress | undefined, signal: CancelSignal | undefined): Promise<void> {
  for (let done = 0; done < MAX_ROUNDS; done += ROUNDS_PER_CHUNK) {
    if (round(ROUNDS_PER_CHUNK) < ROUND_TOLERANCE) return;
    await onProgress?.({ phase: 'directions', done: done / MAX_ROUNDS });
    await stopIfCancelled(signal);
  }
}

/** The Hessian's top two eigenpairs (largest |eigenvalue|) at x (a core pointer): vectors at v (2 x dim), values at values. */
async function hessianPairs(
  core: Core, loss: NetworkLoss, x: number, k: number, seed: number, scratch: Scratch, onProgress?: Progress, signal?: CancelSignal,
): Promise<{ v: number; values: number }> {
  const { dim } = loss.info;
  const v = scratch.f64(k * dim);
  const values = scratch.f64(k);
  const w = scratch.f64(k * dim);
  const point = scratch.f64(dim);
  const gMinus = scratch.f64(dim);
  const step = centralDifferenceStep(core.f64(x, dim));
  core.exports.netscapeRandomSubspace(k, dim, seed, v);
  await iterate((rounds) => core.exports.netscapeHessianRounds(loss.handle, x, step, k, rounds, v, values, w, point, gMinus), onProgress, signal);
  return { v, values };
}

/** PCA of the paths' rows minus the centre: unit directions at v (2 x dim), their variance fractions. */
async function pathPca(
  core: Core, dim: number, paths: number[][][], x: number, scratch: Scratch, onProgress?: Progress, signal?: CancelSignal,
): Promise<{ v: number; variance: [number, number] }> {
  const all = paths.flat();
  if (all.length < 3) fail(`pca directions need paths with at least 3 parameter vectors in all, got ${all.length}`);
  const stride = Math.max(1, Math.ceil((all.length * dim) / MAX_PCA_VALUES));
  const rows = all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  const data = scratch.f64(rows.length * dim);
  const view = core.f64(data, rows.length * dim);
  rows.forEach((row, r) => view.set(row, r * dim));
  const mean = scratch.f64(dim);
  const total = core.exports.netscapeCenterPath(data, rows.length, dim, x, mean);
  if (!(total > 0)) fail('pca directions need paths that move: every parameter vector of the paths is the same');
  const v = scratch.f64(2 * dim);
  const values = scratch.f64(2);
  const w = scratch.f64(2 * dim);
  core.exports.netscapeRandomSubspace(2, dim, 0, v);
  await iterate((rounds) => core.exports.netscapePathRounds(data, rows.length, dim, 2, rounds, v, values, w), onProgress, signal);
  const [l1, l2] = core.f64(values, 2);
  return { v, variance: [Math.max(0, l1) / total, Math.max(0, l2) / total] };
}

/**
 * L(centre + a d1 + b d2) on a grid, for a network loss: random filter-normalized, PCA, Hessian or between
 * directions (see NetworkDirections), with the paths projected on the plane.
 */
export async function networkLandscape(
  core: Core, loss: NetworkLoss, request: NetworkLandscapeRequest, onProgress?: Progress, signal?: CancelSignal,
): Promise<NetworkLandscapeResult> {
  if (request === null || typeof request !== 'object') fail('networkLandscape needs a request object');
  networkOf(loss, 'networkLandscape');
  const { dim } = loss.info;
  const center = numberList(request.center, 'center', dim);
  const side = (n: unknown) => Number.isInteger(n) && (n as number) >= 2 && (n as number) <= MAX_NETWORK_GRID_SIDE;
  if (!Array.isArray(request.size) || request.size.length !== 2 || !request.size.every(side)) {
    fail(`size must be two integers from 2 to ${MAX_NETWORK_GRID_SIDE}, got ${describeValue(request.size)}`);
  }
  const [nx, ny] = request.size;
  const paths = checkPaths(request.paths, dim);
  const directions = request.directions;
  if (directions === null || typeof directions !== 'object') fail(`directions must be an object such as {"kind": "random", "seed": 1}`);
  const { exports } = core;
  const scratch = new Scratch(core);
  try {
    const x = scratch.f64(dim, center);
    let d1: number;
    let d2: number;
    const extra: Pick<NetworkLandscapeResult, 'variance' | 'eigenvalues'> = {};
    switch (directions.kind) {
      case 'random': {
        const seed = seedOf(directions.seed, 'directions.seed');
        d1 = scratch.f64(dim);
        d2 = scratch.f64(dim);
        exports.netscapeDirection(loss.handle, x, seed, d1);
        exports.netscapeDirection(loss.handle, x, seed + 1, d2);
        break;
      }
      case 'pca': {
        const { v, variance } = await pathPca(core, dim, paths, x, scratch, onProgress, signal);
        [d1, d2] = [v, v + 8 * dim];
        extra.variance = variance;
        break;
      }
      case 'hessian': {
        if (dim < 2) fail('hessian directions need a network of at least 2 parameters');
        const { v, values } = await hessianPairs(core, loss, x, 2, seedOf(directions.seed, 'directions.seed'), scratch, onProgress, signal);
        [d1, d2] = [v, v + 8 * dim];
        const [l1, l2] = core.f64(values, 2);
        extra.eigenvalues = [l1, l2];
        break;
      }
      case 'between': {
        const ends = directions.ends;
        if (!Array.isArray(ends) || ends.length !== 2) fail('between directions need ends: two parameter vectors');
        const [e1, e2] = [numberList(ends[0], 'directions.ends[0]', dim), numberList(ends[1], 'directions.ends[1]', dim)];
        const u = e1.map((e, i) => e - center[i]);
        const w = e2.map((e, i) => e - center[i]);
        const uu = u.reduce((s, c) => s + c * c, 0);
        const ww = w.reduce((s, c) => s + c * c, 0);
        const uw = u.reduce((s, c, i) => s + c * w[i], 0);
        if (!(uu * ww - uw * uw > 1e-12 * uu * ww)) fail('between directions need two ends that, with the centre, span a plane (they are on one line)');
        d1 = scratch.f64(dim, u);
        d2 = scratch.f64(dim, w);
        break;
      }
      default:
        fail(`directions.kind must be random, pca, hessian or between, got ${describeValue((directions as { kind: unknown }).kind)}`);
    }
    const projected = paths.map((path) => project(core, path, dim, x, d1, d2));
    const fit = directions.kind === 'pca' ? fitted(projected) : undefined;
    const [a0, a1] = request.x === undefined && fit ? fit.x : range(request.x, 'x');
    const [b0, b1] = request.y === undefined && fit ? fit.y : range(request.y, 'y');
    const values = scratch.f64(nx * ny);
    const point = scratch.f64(dim);
    const da = (a1 - a0) / (nx - 1);
    const db = (b1 - b0) / (ny - 1);
    const rowsPerChunk = Math.max(1, Math.floor(PASSES_PER_CHUNK / nx));
    for (let row = 0; row < ny; row += rowsPerChunk) {
      const count = Math.min(rowsPerChunk, ny - row);
      exports.netscapeSliceRows(loss.handle, x, d1, d2, a0, da, nx, b0, db, row, count, values, point);
      if (row + count < ny) {
        await onProgress?.({ phase: 'slice', done: (row + count) / ny });
        await stopIfCancelled(signal);
      }
    }
    const grid = core.f64(values, nx * ny).slice();
    let min = Infinity;
    let max = -Infinity;
    for (const v of grid) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const result: NetworkLandscapeResult = {
      values: grid, min, max, centerLoss: exports.lossEvaluate(loss.handle, x, 0, 0), x: [a0, a1], y: [b0, b1], size: [nx, ny],
      directions: [core.f64(d1, dim).slice(), core.f64(d2, dim).slice()], ...extra,
    };
    if (paths.length > 0) result.paths = projected;
    return result;
  } finally {
    scratch.release();
  }
}

/** The extent of projected paths (and the centre), widened by a fifth on every side: pca's default ranges. */
function fitted(projected: Float64Array[]): { x: [number, number]; y: [number, number] } {
  const lo = [0, 0];
  const hi = [0, 0];
  for (const path of projected) {
    for (let i = 0; i < path.length; i++) {
      lo[i % 2] = Math.min(lo[i % 2], path[i]);
      hi[i % 2] = Math.max(hi[i % 2], path[i]);
    }
  }
  const widen = (axis: number): [number, number] => {
    const pad = Math.max(hi[axis] - lo[axis], 1e-9) / 5;
    return [lo[axis] - pad, hi[axis] + pad];
  };
  return { x: widen(0), y: widen(1) };
}

/** A path's (a, b) coordinates on the plane centre + a d1 + b d2. */
function project(core: Core, path: number[][], dim: number, x: number, d1: number, d2: number): Float64Array {
  const rows = core.allocF64(path.length * dim);
  const out = core.allocF64(2 * path.length);
  try {
    const view = core.f64(rows, path.length * dim);
    path.forEach((row, r) => view.set(row, r * dim));
    core.exports.netscapeProject(rows, path.length, dim, x, d1, d2, out);
    return core.f64(out, 2 * path.length).slice();
  } finally {
    core.release(rows, out);
  }
}

/** Sharpness at a point: the Hessian's top eigenvalue and the largest loss increase within a filter-normalized ball. */
export async function networkSharpness(
  core: Core, loss: NetworkLoss, request: NetworkSharpnessRequest, signal?: CancelSignal,
): Promise<NetworkSharpnessResult> {
  if (request === null || typeof request !== 'object') fail('networkSharpness needs a request object');
  networkOf(loss, 'networkSharpness');
  const { dim } = loss.info;
  const center = numberList(request.center, 'center', dim);
  const radius = request.radius ?? 0.05;
  if (!(typeof radius === 'number' && radius > 0 && Number.isFinite(radius))) fail(`radius must be a number > 0, got ${describeValue(radius)}`);
  const samples = request.samples ?? 32;
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= 10_000)) fail(`samples must be an integer from 1 to 10000, got ${describeValue(samples)}`);
  const seed = seedOf(request.seed, 'seed');
  const scratch = new Scratch(core);
  try {
    const x = scratch.f64(dim, center);
    const { values } = await hessianPairs(core, loss, x, 1, seed, scratch, undefined, signal);
    const topEigenvalue = core.f64(values, 1)[0];
    const d = scratch.f64(dim);
    const point = scratch.f64(dim);
    const ballIncrease = core.exports.netscapeBallSharpness(loss.handle, x, radius, samples, seed, d, point);
    return { loss: core.exports.lossEvaluate(loss.handle, x, 0, 0), topEigenvalue, ballIncrease, radius, samples };
  } finally {
    scratch.release();
  }
}
