// Network paths in the core (core/assembly/networkPaths.ts): requests checked, arrays moved in and out of core memory.
import { yieldToEventLoop } from './cancelPoints';
import type { CancelSignal, LossInfo } from '../shared/engineApi';
import type {
  BendProgress, BendRequest, BendResult, NetworkAlignRequest, NetworkAlignResult, NetworkPathRequest, NetworkPathResult,
  NetworkPermuteRequest,
} from '../shared/networkPaths';
import type { NetworkSpec } from '../shared/network';
import type { Core } from './core';
import { packOptimizer } from './optimizers';
import { OptimizerId } from './layout';
import { LIMITS } from '../shared/limits';
import { describeValue } from './describe';

/** A network loss in the core. */
export interface NetworkLoss {
  handle: number;
  info: LossInfo;
}

/** Bend steps per core call between progress reports and cancel checks. */
const BEND_CHUNK = 50;
const PROFILE_WIDTH = 4;

function fail(message: string): never {
  throw new Error(message);
}

function network({ info }: NetworkLoss, what: string): NetworkSpec {
  return info.network ?? fail(`${what} is for a loss with a network line`);
}

function vector(value: unknown, what: string, dim: number): number[] {
  if (!Array.isArray(value) || value.length !== dim || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(`${what} must be ${dim} finite numbers (the network's parameters), got ${describeValue(value)}`);
  }
  return value as number[];
}

function count(value: unknown, what: string, least: number, most: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least || value > most) {
    fail(`${what} must be an integer from ${least} to ${most}, got ${describeValue(value)}`);
  }
  return value;
}

/** Copies vectors into core memory, calls use with their pointers, and frees them. */
function withVectors<T>(core: Core, vectors: (number[] | undefined)[], use: (...ptrs: number[]) => T): T {
  const ptrs = vectors.map((v) => (v ? core.allocF64(v.length, v) : 0));
  try {
    return use(...ptrs);
  } finally {
    core.release(...ptrs.filter((p) => p !== 0));
  }
}

export function networkPath(core: Core, loss: NetworkLoss, request: NetworkPathRequest): NetworkPathResult {
  const spec = network(loss, 'networkPath');
  const { dim } = loss.info;
  const from = vector(request.from, 'from', dim);
  const to = vector(request.to, 'to', dim);
  const bend = request.bend === undefined ? undefined : vector(request.bend, 'bend', dim);
  const points = count(request.points, 'points', 2, LIMITS.maxGridSide, 25);
  const extend = request.extend ?? 0;
  if (typeof extend !== 'number' || !(extend >= 0 && extend <= 1)) fail(`extend must be a number from 0 to 1, got ${describeValue(extend)}`);
  if (extend > 0 && bend) fail('extend is for the straight line: a Bezier curve has no line past its ends');
  // Points past each end at the segment's own spacing, so that t = 0 and t = 1 are exactly from and to.
  const beyond = Math.round(extend * (points - 1));
  const profile = (a: number[], b: number[], c: number[] | undefined, n: number) =>
    withVectors(core, [a, b, c, new Array<number>(n * PROFILE_WIDTH).fill(0)], (pa, pb, pc, out) => {
      core.exports.networkCurveProfile(loss.handle, pa, pb, pc, n, out);
      return Array.from(core.f64(out, n * PROFILE_WIDTH));
    });
  const rowsOf = (flat: number[]) => Array.from({ length: flat.length / PROFILE_WIDTH }, (_, i) => flat.slice(i * PROFILE_WIDTH, (i + 1) * PROFILE_WIDTH));
  let rows = rowsOf(profile(from, to, bend, points));
  if (beyond > 0) {
    const reach = beyond / (points - 1);
    // from -> the point at t = -reach and to -> the point at t = 1 + reach, each without its first (shared) end.
    const before = rowsOf(profile(from, from.map((v, i) => v - reach * (to[i] - v)), undefined, beyond + 1)).slice(1).reverse();
    const after = rowsOf(profile(to, to.map((v, i) => v + reach * (v - from[i])), undefined, beyond + 1)).slice(1);
    rows = [...before, ...rows, ...after];
  }
  const column = (k: number) => rows.map((row) => row[k]);
  const barrier = (values: number[]) => {
    const segment = values.slice(beyond, beyond + points);
    return Math.max(0, Math.max(...segment) - Math.max(segment[0], segment[points - 1]));
  };
  const train = column(0);
  const result: NetworkPathResult = {
    t: rows.map((_, j) => (j - beyond) / (points - 1)),
    train,
    barrier: barrier(train),
  };
  if ((loss.info.data?.testCount ?? 0) > 0) {
    result.test = column(1);
    result.testBarrier = barrier(result.test);
  }
  if (spec.loss !== 'mse') {
    result.trainAccuracy = column(2);
    if (result.test) result.testAccuracy = column(3);
  }
  return result;
}

/** The hidden layers' widths; refuses skip connections, which tie a layer's units to its input's. */
function hiddenWidths(spec: NetworkSpec, what: string): number[] {
  const hidden = spec.widths.slice(1, -1);
  if (spec.residual && hidden.some((w, i) => w === spec.widths[i])) {
    fail(`${what} permutes each hidden layer's units on its own, which changes a network with skip connections: use residual=false`);
  }
  return hidden;
}

export function permuteNetwork(core: Core, loss: NetworkLoss, request: NetworkPermuteRequest): number[] {
  const spec = network(loss, 'permuteNetwork');
  const hidden = hiddenWidths(spec, 'permuteNetwork');
  const params = vector(request.params, 'params', loss.info.dim);
  const layers = request.permutation;
  if (!Array.isArray(layers) || layers.length !== hidden.length) {
    fail(`permutation needs one list per hidden layer (${hidden.length}), got ${describeValue(layers)}`);
  }
  hidden.forEach((w, l) => {
    const perm: unknown = layers[l];
    const seen = new Set(Array.isArray(perm) ? perm : []);
    if (!Array.isArray(perm) || perm.length !== w || seen.size !== w || !perm.every((j) => Number.isInteger(j) && j >= 0 && j < w)) {
      fail(`permutation[${l}] must hold each of 0..${w - 1} once (hidden layer ${l + 1} has ${w} units), got ${describeValue(perm)}`);
    }
  });
  const flat = layers.flat();
  const perms = core.alloc(4 * Math.max(flat.length, 1));
  new Int32Array(core.exports.memory.buffer, perms, flat.length).set(flat);
  try {
    return withVectors(core, [params, params], (x, out) => {
      core.exports.networkPermute(loss.handle, x, perms, out);
      return Array.from(core.f64(out, loss.info.dim));
    });
  } finally {
    core.release(perms);
  }
}

export function alignNetworks(core: Core, loss: NetworkLoss, request: NetworkAlignRequest): NetworkAlignResult {
  const spec = network(loss, 'alignNetworks');
  const hidden = hiddenWidths(spec, 'alignNetworks');
  const { dim } = loss.info;
  const reference = vector(request.reference, 'reference', dim);
  const params = vector(request.params, 'params', dim);
  const maxSweeps = count(request.maxSweeps, 'maxSweeps', 1, 10_000, 100);
  const units = hidden.reduce((a, b) => a + b, 0);
  const perms = core.alloc(4 * Math.max(units, 1));
  try {
    return withVectors(core, [reference, params, params], (a, b, out) => {
      const sweeps = core.exports.networkMatchWeights(loss.handle, a, b, perms, maxSweeps);
      core.exports.networkPermute(loss.handle, b, perms, out);
      const flat = Array.from(new Int32Array(core.exports.memory.buffer, perms, units));
      let at = 0;
      const permutation = hidden.map((w) => flat.slice(at, (at += w)));
      return { params: Array.from(core.f64(out, dim)), permutation, sweeps };
    });
  } finally {
    core.release(perms);
  }
}

/** Trains the bend in chunks of BEND_CHUNK steps, reporting each; a cancel stops it between chunks with the bend so far. */
export async function trainBend(
  core: Core, loss: NetworkLoss, request: BendRequest, onProgress?: (progress: BendProgress) => void | Promise<void>, signal?: CancelSignal,
): Promise<BendResult> {
  network(loss, 'trainBend');
  const { dim } = loss.info;
  const from = vector(request.from, 'from', dim);
  const to = vector(request.to, 'to', dim);
  const bend = request.bend === undefined ? from.map((v, i) => (v + to[i]) / 2) : vector(request.bend, 'bend', dim);
  const steps = count(request.steps, 'steps', 0, LIMITS.maxSteps, 0);
  const seed = count(request.seed, 'seed', 0, Number.MAX_SAFE_INTEGER, 0);
  const name = request.optimizer ?? 'adam';
  const optimizer = packOptimizer(name, request.options ?? { lr: 0.01 });
  if (optimizer.id === OptimizerId.newton || optimizer.id === OptimizerId.lbfgs) {
    fail(`trainBend takes a first-order optimizer (sgd, adam, ...), not ${name}`);
  }
  const trainer = withVectors(core, [from, to, bend, Array.from(optimizer.options)], (a, b, c, options) =>
    core.exports.bendCreate(loss.handle, a, b, c, optimizer.id, options, seed));
  try {
    const losses: number[] = [];
    let done = 0;
    while (done < steps && !signal?.isCancellationRequested) {
      const chunk = Math.min(BEND_CHUNK, steps - done);
      const mean = core.exports.bendAdvance(trainer, chunk);
      done += chunk;
      losses.push(mean);
      await onProgress?.({ done, steps, loss: mean });
      if (done < steps) await yieldToEventLoop();
    }
    return { bend: Array.from(core.f64(core.exports.bendPoint(trainer), dim)), done, losses };
  } finally {
    core.exports.bendFree(trainer);
  }
}
