// Fully connected networks as losses: forward and backward over a batch of samples, PyTorch's layers and losses.
//
// A network of widths w0-w1-...-wL has L Linear layers; each hidden one (1..L-1) is followed, when batchnorm is on, by
// BatchNorm1d and then by the activation; with residual on, a hidden layer whose input and output widths are equal
// adds its input to its output (out = in + act(bn(W in + b))). The last Linear gives the outputs (logits). The
// parameters are flattened in model.parameters() order: per layer W [out, in] row-major, b, then BN weight and bias.
import { allocZeroedF64, at, put } from './f64mem';
import { Rng, seedRng, normal, uniform } from './random';
import { tanh2x, exp2x } from './vecmath';
import { gelu, geluSlope } from './erf';
import { NOISE_SLOTS, seedNoise, addNoise } from './bnNoise';
import {
  ACT_TANH, ACT_RELU, ACT_SIGMOID, ACT_LEAKY_RELU, ACT_GELU, NETLOSS_MSE, NETLOSS_BCE,
  INIT_DEFAULT, INIT_ZEROS, INIT_CONSTANT, INIT_NORMAL, INIT_UNIFORM, INIT_LECUN_NORMAL, INIT_LECUN_UNIFORM,
  INIT_XAVIER_NORMAL, INIT_XAVIER_UNIFORM, INIT_KAIMING_NORMAL,
} from './layout';

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
const LEAKY_SLOPE = 0.01;

@unmanaged
export class Network {
  layers: i32; // Linear layers, L
  widths: usize; // i32 x (L + 1)
  activation: i32;
  lossKind: i32;
  batchnorm: i32;
  residual: i32;
  targets: i32; // target columns of a sample (after the inputs)
  gatheredAll: i32; // 1 while the scratch holds the whole data set in order (full-batch steps gather it once)
  capacity: i32; // samples the scratch holds (a full batch)
  hiddenUnits: i32; // sum of the hidden widths: the length of the BN statistics
  // Per layer l (0-based, i32 x L): parameter offsets of W, b, BN weight (-1: none), and of its BN statistics.
  weightAt: usize;
  biasAt: usize;
  bnAt: usize;
  statAt: usize;
  // Scratch, capacity rows each: the batch's inputs and targets; per layer the Linear outputs (z, normalized in place
  // by BN: x-hat), the activations, and the outputs the next layer reads (the activations, or their sum with the input).
  inputs: usize;
  targetValues: usize;
  z: usize; // usize x L
  act: usize; // usize x L
  out: usize; // usize x L
  deltaA: usize;
  deltaB: usize;
  transposed: usize; // a layer's weights transposed ([in, out]) for the forward pass
  // The last batch's BN 1/sqrt(var + eps) per hidden unit, for the backward pass.
  batchInvStd: usize;
  // Noisy BN (bnNoise.ts): its scale (0: off), seed, and the last noisy forward's per-unit scales and shifts
  // (hiddenUnits each); noisy is 1 while the scratch holds a noisy forward.
  bnNoise: f64;
  bnNoiseSeed: u64;
  noiseScales: usize;
  noiseShifts: usize;
  noisy: i32;
}

/** Where a train-mode forward writes BN running statistics (a run's), or 0: set by the run around the forward. */
let runningTarget: usize = 0;
export function setRunningTarget(stats: usize): void {
  runningTarget = stats;
}

/** Where backward copies each layer's gradient with respect to its Linear output (usize x L buffers), or 0: networkStats.ts. */
let gradientCopies: usize = 0;
export function setGradientCopies(buffers: usize): void {
  gradientCopies = buffers;
}

@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function setI32(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function ptrAt(p: usize, i: i32): usize {
  return load<usize>(p + (<usize>i << 2));
}
@inline function row(p: usize, r: i32, width: i32): usize {
  return p + (<usize>r * <usize>width << 3);
}

export function width(net: Network, l: i32): i32 {
  return i32At(net.widths, l);
}

/** A hidden layer l (1-based) with a skip connection around it. */
@inline function skips(net: Network, l: i32): bool {
  return net.residual != 0 && l < net.layers && width(net, l - 1) == width(net, l);
}

/** The parameter count of widths (i32 x (layers + 1)) with or without BN. */
export function parameterCount(layers: i32, widths: usize, batchnorm: bool): i32 {
  let n = 0;
  for (let l = 1; l <= layers; l++) {
    const w = i32At(widths, l);
    n += w * i32At(widths, l - 1) + w;
    if (batchnorm && l < layers) n += 2 * w;
  }
  return n;
}

export function createNetwork(
  layers: i32, widths: usize, activation: i32, lossKind: i32, batchnorm: bool, residual: bool, targets: i32, capacity: i32,
): Network {
  const net = changetype<Network>(heap.alloc(offsetof<Network>()));
  net.layers = layers;
  net.widths = heap.alloc(<usize>(layers + 1) << 2);
  memory.copy(net.widths, widths, <usize>(layers + 1) << 2);
  net.activation = activation;
  net.lossKind = lossKind;
  net.batchnorm = batchnorm ? 1 : 0;
  net.residual = residual ? 1 : 0;
  net.targets = targets;
  net.gatheredAll = 0;
  net.capacity = capacity;
  net.weightAt = heap.alloc(<usize>layers << 2);
  net.biasAt = heap.alloc(<usize>layers << 2);
  net.bnAt = heap.alloc(<usize>layers << 2);
  net.statAt = heap.alloc(<usize>layers << 2);
  net.z = heap.alloc(<usize>layers << 2);
  net.act = heap.alloc(<usize>layers << 2);
  net.out = heap.alloc(<usize>layers << 2);
  let offset = 0;
  let units = 0;
  let widest = i32At(widths, 0);
  for (let l = 1; l <= layers; l++) {
    const w = i32At(widths, l);
    const hidden = l < layers;
    widest = max(widest, w);
    setI32(net.weightAt, l - 1, offset);
    offset += w * i32At(widths, l - 1);
    setI32(net.biasAt, l - 1, offset);
    offset += w;
    setI32(net.bnAt, l - 1, -1);
    if (batchnorm && hidden) {
      setI32(net.bnAt, l - 1, offset);
      offset += 2 * w;
    }
    setI32(net.statAt, l - 1, units);
    if (hidden) units += w;
    const z = allocZeroedF64(capacity * w);
    store<usize>(net.z + (<usize>(l - 1) << 2), z);
    const act = hidden ? allocZeroedF64(capacity * w) : z;
    store<usize>(net.act + (<usize>(l - 1) << 2), act);
    store<usize>(net.out + (<usize>(l - 1) << 2), hidden && skips(net, l) ? allocZeroedF64(capacity * w) : act);
  }
  net.hiddenUnits = units;
  net.inputs = allocZeroedF64(capacity * i32At(widths, 0));
  net.targetValues = allocZeroedF64(capacity * targets);
  net.deltaA = allocZeroedF64(capacity * widest);
  net.deltaB = allocZeroedF64(capacity * widest);
  let largest = 0;
  for (let l = 1; l <= layers; l++) largest = max(largest, i32At(widths, l) * i32At(widths, l - 1));
  net.transposed = allocZeroedF64(largest);
  net.batchInvStd = allocZeroedF64(units);
  net.bnNoise = 0.0;
  net.bnNoiseSeed = 0;
  net.noiseScales = 0;
  net.noiseShifts = 0;
  net.noisy = 0;
  return net;
}

/** Turns noisy BN on (scale > 0) for the runs created afterwards; a network with batch norm only. */
export function setBnNoise(net: Network, scale: f64, seed: u64): void {
  if (!net.noiseScales) {
    net.noiseScales = allocZeroedF64(net.hiddenUnits);
    net.noiseShifts = allocZeroedF64(net.hiddenUnits);
  }
  net.bnNoise = scale;
  net.bnNoiseSeed = seed;
}

export function freeNetwork(net: Network): void {
  for (let l = 1; l <= net.layers; l++) {
    const z = ptrAt(net.z, l - 1);
    const act = ptrAt(net.act, l - 1);
    const out = ptrAt(net.out, l - 1);
    if (out != act) heap.free(out);
    if (act != z) heap.free(act);
    heap.free(z);
  }
  heap.free(net.widths);
  heap.free(net.weightAt);
  heap.free(net.biasAt);
  heap.free(net.bnAt);
  heap.free(net.statAt);
  heap.free(net.z);
  heap.free(net.act);
  heap.free(net.out);
  heap.free(net.inputs);
  heap.free(net.targetValues);
  heap.free(net.deltaA);
  heap.free(net.deltaB);
  heap.free(net.transposed);
  heap.free(net.batchInvStd);
  if (net.noiseScales) {
    heap.free(net.noiseScales);
    heap.free(net.noiseShifts);
  }
  heap.free(changetype<usize>(net));
}

/**
 * BN running statistics for one run: running means (0), then running variances (1), hiddenUnits each, then with noisy
 * BN the run's noise generator (bnNoise.ts); 0 without BN.
 */
export function createRunningStats(net: Network): usize {
  if (!net.batchnorm) return 0;
  const n = net.hiddenUnits;
  const noisy = net.bnNoise > 0;
  const p = allocZeroedF64(2 * n + (noisy ? NOISE_SLOTS : 0));
  for (let i = 0; i < n; i++) put(p, n + i, 1.0);
  if (noisy) seedNoise(p + (<usize>(2 * n) << 3), net.bnNoiseSeed);
  return p;
}

// Dot product over f64x2 pairs (unaligned loads are fine in wasm), with a scalar tail.
@inline function dot(a: usize, b: usize, n: i32): f64 {
  let acc = f64x2.splat(0.0);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = <usize>i << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + k), v128.load(b + k)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (i < n) s += at(a, i) * at(b, i);
  return s;
}

@inline function sigmoid2x(v: v128): v128 {
  const one = f64x2.splat(1.0);
  return f64x2.div(one, f64x2.add(one, exp2x(f64x2.neg(v))));
}

// One value; tanh and sigmoid by the lane functions, so that every sample gets the same bits.
@inline function activate(kind: i32, v: f64): f64 {
  if (kind == ACT_TANH) return f64x2.extract_lane(tanh2x(f64x2.splat(v)), 0);
  if (kind == ACT_RELU) return v > 0 ? v : 0.0;
  if (kind == ACT_SIGMOID) return f64x2.extract_lane(sigmoid2x(f64x2.splat(v)), 0);
  if (kind == ACT_LEAKY_RELU) return v > 0 ? v : LEAKY_SLOPE * v;
  if (kind == ACT_GELU) return gelu(v);
  return v;
}

/** to = act(from) for count values (from may be to); tanh and sigmoid on f64x2 pairs (vecmath.ts, a few ulp). */
function activateAll(kind: i32, from: usize, to: usize, count: i32): void {
  let i = 0;
  if (kind == ACT_TANH) {
    // Two pairs per iteration: their independent polynomial chains overlap.
    for (; i + 3 < count; i += 4) {
      const k = <usize>i << 3;
      const a = tanh2x(v128.load(from + k));
      const b = tanh2x(v128.load(from + k + 16));
      v128.store(to + k, a);
      v128.store(to + k + 16, b);
    }
    for (; i + 1 < count; i += 2) {
      const k = <usize>i << 3;
      v128.store(to + k, tanh2x(v128.load(from + k)));
    }
  } else if (kind == ACT_SIGMOID) {
    for (; i + 1 < count; i += 2) {
      const k = <usize>i << 3;
      v128.store(to + k, sigmoid2x(v128.load(from + k)));
    }
  }
  for (; i < count; i++) put(to, i, activate(kind, at(from, i)));
}

/**
 * z[s] = b + W in[s] for n samples: W ([w, wIn] row-major) is transposed into scratch so that pairs of outputs
 * accumulate on f64x2 lanes without horizontal sums; an odd last output takes a dot product.
 */
function linear(scratch: usize, weights: usize, bias: usize, input: usize, z: usize, n: i32, w: i32, wIn: i32): void {
  for (let j = 0; j < w; j++) for (let i = 0; i < wIn; i++) put(scratch, i * w + j, at(weights, j * wIn + i));
  const pairs = w & ~1;
  for (let s = 0; s < n; s++) {
    const inRow = row(input, s, wIn);
    const zRow = row(z, s, w);
    for (let j = 0; j < pairs; j += 2) {
      const k = <usize>j << 3;
      // Two accumulators (even and odd i) halve the chain of dependent additions.
      let even = v128.load(bias + k);
      let odd = f64x2.splat(0.0);
      let i = 0;
      for (; i + 1 < wIn; i += 2) {
        even = f64x2.add(even, f64x2.mul(f64x2.splat(at(inRow, i)), v128.load(row(scratch, i, w) + k)));
        odd = f64x2.add(odd, f64x2.mul(f64x2.splat(at(inRow, i + 1)), v128.load(row(scratch, i + 1, w) + k)));
      }
      if (i < wIn) even = f64x2.add(even, f64x2.mul(f64x2.splat(at(inRow, i)), v128.load(row(scratch, i, w) + k)));
      v128.store(zRow + k, f64x2.add(even, odd));
    }
    if (pairs < w) put(zRow, pairs, at(bias, pairs) + dot(row(weights, pairs, wIn), inRow, wIn));
  }
}

/** The activation's derivative from its output a (torch's backward: relu'(0) = 0, leaky_relu'(0) = the slope). */
@inline function slope(kind: i32, a: f64): f64 {
  if (kind == ACT_TANH) return 1.0 - a * a;
  if (kind == ACT_RELU) return a > 0 ? 1.0 : 0.0;
  if (kind == ACT_SIGMOID) return a * (1.0 - a);
  if (kind == ACT_LEAKY_RELU) return a > 0 ? 1.0 : LEAKY_SLOPE;
  return 1.0;
}

/** The input a layer l (1-based) reads: the batch's inputs, or the outputs of layer l - 1. */
@inline function layerInput(net: Network, l: i32): usize {
  return l == 1 ? net.inputs : ptrAt(net.out, l - 2);
}

/**
 * Copies count samples (rows of the data set, indices order[first ..] or first.. when order is 0) into the scratch:
 * inputs, then targets.
 */
function gather(net: Network, samples: usize, columns: i32, order: usize, first: i32, count: i32): void {
  const all = !order && first == 0 && count == net.capacity;
  if (all && net.gatheredAll) return;
  net.gatheredAll = all ? 1 : 0;
  const inputs = width(net, 0);
  for (let s = 0; s < count; s++) {
    const index = order ? load<i32>(order + (<usize>(first + s) << 2)) : first + s;
    const sample = row(samples, index, columns);
    memory.copy(row(net.inputs, s, inputs), sample, <usize>inputs << 3);
    memory.copy(row(net.targetValues, s, net.targets), sample + (<usize>inputs << 3), <usize>net.targets << 3);
  }
}

/**
 * The forward pass over the n gathered samples. Train mode (evalStats = 0): BN uses the batch's statistics and folds
 * them into the running statistics at runningTarget when a run has set it; eval mode: BN uses those at evalStats.
 */
function forward(net: Network, x: usize, n: i32, evalStats: usize): void {
  const layers = net.layers;
  const units = net.hiddenUnits;
  // Noisy BN only in a run's training forwards (running statistics set), never in eval mode or other evaluations.
  const noise = net.bnNoise > 0 && !evalStats && runningTarget ? runningTarget + (<usize>(2 * units) << 3) : 0;
  net.noisy = noise ? 1 : 0;
  for (let l = 1; l <= layers; l++) {
    const wIn = width(net, l - 1);
    const w = width(net, l);
    const input = layerInput(net, l);
    const z = ptrAt(net.z, l - 1);
    const weights = x + (<usize>i32At(net.weightAt, l - 1) << 3);
    const bias = x + (<usize>i32At(net.biasAt, l - 1) << 3);
    linear(net.transposed, weights, bias, input, z, n, w, wIn);
    if (l == layers) break;
    const bn = i32At(net.bnAt, l - 1);
    if (bn >= 0) {
      const stat = i32At(net.statAt, l - 1);
      const gamma = x + (<usize>bn << 3);
      const beta = gamma + (<usize>w << 3);
      for (let j = 0; j < w; j++) {
        let mean = 0.0;
        let variance = 0.0;
        if (evalStats) {
          mean = at(evalStats, stat + j);
          variance = at(evalStats, units + stat + j);
        } else {
          for (let s = 0; s < n; s++) mean += at(row(z, s, w), j);
          mean /= <f64>n;
          for (let s = 0; s < n; s++) {
            const d = at(row(z, s, w), j) - mean;
            variance += d * d;
          }
          if (runningTarget) {
            const unbiased = n > 1 ? variance / <f64>(n - 1) : variance;
            const rm = runningTarget + (<usize>(stat + j) << 3);
            const rv = runningTarget + (<usize>(units + stat + j) << 3);
            store<f64>(rm, (1.0 - BN_MOMENTUM) * load<f64>(rm) + BN_MOMENTUM * mean);
            store<f64>(rv, (1.0 - BN_MOMENTUM) * load<f64>(rv) + BN_MOMENTUM * unbiased);
          }
          variance /= <f64>n;
        }
        const invStd = 1.0 / Math.sqrt(variance + BN_EPS);
        put(net.batchInvStd, stat + j, invStd);
        const g = at(gamma, j);
        const b = at(beta, j);
        for (let s = 0; s < n; s++) {
          const zRow = row(z, s, w);
          const xhat = (at(zRow, j) - mean) * invStd;
          put(zRow, j, xhat); // kept for the backward pass
          put(row(ptrAt(net.act, l - 1), s, w), j, g * xhat + b);
        }
      }
      if (noise) {
        const stat = <usize>i32At(net.statAt, l - 1) << 3;
        addNoise(noise, net.bnNoise, ptrAt(net.act, l - 1), n, w, net.noiseScales + stat, net.noiseShifts + stat);
      }
    }
    const act = ptrAt(net.act, l - 1);
    const count = n * w;
    activateAll(net.activation, bn >= 0 ? act : z, act, count);
    if (skips(net, l)) {
      const out = ptrAt(net.out, l - 1);
      for (let i = 0; i < count; i++) put(out, i, at(act, i) + at(input, i));
    }
  }
}

@inline function softplus(t: f64): f64 {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/**
 * The mean training loss over the n samples from the logits; with delta != 0, also its gradient with respect to the
 * logits (n x K) at delta.
 */
function lossOfOutputs(net: Network, n: i32, delta: usize): f64 {
  const k = width(net, net.layers);
  const logits = ptrAt(net.z, net.layers - 1);
  const inv = 1.0 / <f64>n;
  let total = 0.0;
  for (let s = 0; s < n; s++) {
    const o = row(logits, s, k);
    const t = row(net.targetValues, s, net.targets);
    const d = delta ? row(delta, s, k) : 0;
    if (net.lossKind == NETLOSS_MSE) {
      const scale = inv / <f64>k;
      for (let j = 0; j < k; j++) {
        const r = at(o, j) - at(t, j);
        total += r * r * scale;
        if (d) put(d, j, 2.0 * r * scale);
      }
    } else if (net.lossKind == NETLOSS_BCE) {
      const v = at(o, 0);
      const y = at(t, 0);
      total += (softplus(v) - v * y) * inv;
      if (d) put(d, 0, (1.0 / (1.0 + Math.exp(-v)) - y) * inv);
    } else {
      let top = -Infinity;
      for (let j = 0; j < k; j++) top = max(top, at(o, j));
      let sum = 0.0;
      for (let j = 0; j < k; j++) sum += Math.exp(at(o, j) - top);
      const logSum = top + Math.log(sum);
      const label = <i32>at(t, 0);
      total += (logSum - at(o, label)) * inv;
      if (d) {
        for (let j = 0; j < k; j++) put(d, j, (Math.exp(at(o, j) - logSum) - (j == label ? 1.0 : 0.0)) * inv);
      }
    }
  }
  return total;
}

// gw[j][i] += sum over s of dz[s][j] in[s][i]; gb[j] += sum over s of dz[s][j]. Sums over s kept in registers, f64x2
// over i.
function gradientOfLinear(dz: usize, input: usize, n: i32, w: i32, wIn: i32, gw: usize, gb: usize): void {
  for (let j = 0; j < w; j++) {
    let bias = 0.0;
    for (let s = 0; s < n; s++) bias += at(row(dz, s, w), j);
    put(gb, j, at(gb, j) + bias);
    const gRow = row(gw, j, wIn);
    let i = 0;
    for (; i + 1 < wIn; i += 2) {
      const k = <usize>i << 3;
      let even = f64x2.splat(0.0);
      let odd = f64x2.splat(0.0);
      let s = 0;
      for (; s + 1 < n; s += 2) {
        even = f64x2.add(even, f64x2.mul(f64x2.splat(at(row(dz, s, w), j)), v128.load(row(input, s, wIn) + k)));
        odd = f64x2.add(odd, f64x2.mul(f64x2.splat(at(row(dz, s + 1, w), j)), v128.load(row(input, s + 1, wIn) + k)));
      }
      if (s < n) even = f64x2.add(even, f64x2.mul(f64x2.splat(at(row(dz, s, w), j)), v128.load(row(input, s, wIn) + k)));
      const q = gRow + k;
      v128.store(q, f64x2.add(v128.load(q), f64x2.add(even, odd)));
    }
    if (i < wIn) {
      let acc = 0.0;
      for (let s = 0; s < n; s++) acc += at(row(dz, s, w), j) * at(row(input, s, wIn), i);
      put(gRow, i, at(gRow, i) + acc);
    }
  }
}

// dOut[s][i] = (keep ? dOut[s][i] : 0) + sum over j of W[j][i] dz[s][j], f64x2 over i.
function backThroughLinear(dz: usize, weights: usize, n: i32, w: i32, wIn: i32, dOut: usize, keep: bool): void {
  for (let s = 0; s < n; s++) {
    const dRow = row(dz, s, w);
    const outRow = row(dOut, s, wIn);
    let i = 0;
    for (; i + 1 < wIn; i += 2) {
      const k = <usize>i << 3;
      const q = outRow + k;
      let even = keep ? v128.load(q) : f64x2.splat(0.0);
      let odd = f64x2.splat(0.0);
      let j = 0;
      for (; j + 1 < w; j += 2) {
        even = f64x2.add(even, f64x2.mul(f64x2.splat(at(dRow, j)), v128.load(row(weights, j, wIn) + k)));
        odd = f64x2.add(odd, f64x2.mul(f64x2.splat(at(dRow, j + 1)), v128.load(row(weights, j + 1, wIn) + k)));
      }
      if (j < w) even = f64x2.add(even, f64x2.mul(f64x2.splat(at(dRow, j)), v128.load(row(weights, j, wIn) + k)));
      v128.store(q, f64x2.add(even, odd));
    }
    if (i < wIn) {
      let acc = keep ? at(outRow, i) : 0.0;
      for (let j = 0; j < w; j++) acc += at(dRow, j) * at(row(weights, j, wIn), i);
      put(outRow, i, acc);
    }
  }
}

// dz = dOut * act'(from the activations a), count values; tanh on f64x2 pairs.
function throughActivation(kind: i32, dOut: usize, act: usize, dz: usize, count: i32): void {
  let i = 0;
  if (kind == ACT_TANH) {
    const one = f64x2.splat(1.0);
    for (; i + 1 < count; i += 2) {
      const k = <usize>i << 3;
      const a = v128.load(act + k);
      v128.store(dz + k, f64x2.mul(v128.load(dOut + k), f64x2.sub(one, f64x2.mul(a, a))));
    }
  }
  for (; i < count; i++) put(dz, i, at(dOut, i) * slope(kind, at(act, i)));
}

/**
 * dz = dOut * gelu'(pre-activation) for layer h's n x w values: GELU's slope is not a function of its output, so it is
 * taken at the input the forward pass activated (z, or with batch norm gamma xhat + beta from the xhat kept in z).
 */
function throughGelu(net: Network, x: usize, h: i32, bn: i32, dOut: usize, dz: usize, n: i32, w: i32): void {
  const z = ptrAt(net.z, h - 1);
  const stat = i32At(net.statAt, h - 1);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < w; j++) {
      const k = s * w + j;
      let pre = bn >= 0 ? at(x, bn + j) * at(z, k) + at(x, bn + w + j) : at(z, k);
      if (bn >= 0 && net.noisy) pre = at(net.noiseScales, stat + j) * pre + at(net.noiseShifts, stat + j);
      put(dz, k, at(dOut, k) * geluSlope(pre));
    }
  }
}

/** Gradients of the parameters from the logits' gradient (n x K at net.deltaB), written at g (zeroed first). */
function backward(net: Network, x: usize, n: i32, g: usize, dim: i32): void {
  memory.fill(g, 0, <usize>dim << 3);
  const dz = net.deltaB; // the gradient with respect to this layer's z (its Linear output)
  const dOut = net.deltaA; // the gradient with respect to the previous layer's output
  const kind = net.activation;
  for (let l = net.layers; l >= 1; l--) {
    const wIn = width(net, l - 1);
    const w = width(net, l);
    const input = layerInput(net, l);
    const weights = x + (<usize>i32At(net.weightAt, l - 1) << 3);
    const gw = g + (<usize>i32At(net.weightAt, l - 1) << 3);
    const gb = g + (<usize>i32At(net.biasAt, l - 1) << 3);
    if (gradientCopies) memory.copy(ptrAt(gradientCopies, l - 1), dz, <usize>(n * w) << 3);
    gradientOfLinear(dz, input, n, w, wIn, gw, gb);
    if (l == 1) break;
    // dOut = dz W, plus (around a skip) the gradient at this layer's output, which dOut still holds.
    backThroughLinear(dz, weights, n, w, wIn, dOut, skips(net, l));
    // Through layer l - 1's activation and BN into its dz (written over this layer's dz, no longer needed).
    const h = l - 1;
    const act = ptrAt(net.act, h - 1);
    const bn = i32At(net.bnAt, h - 1);
    if (kind == ACT_GELU) throughGelu(net, x, h, bn, dOut, dz, n, wIn);
    else throughActivation(kind, dOut, act, dz, n * wIn);
    if (bn >= 0) {
      const stat = i32At(net.statAt, h - 1);
      const xhat = ptrAt(net.z, h - 1);
      const invN = 1.0 / <f64>n;
      for (let j = 0; j < wIn; j++) {
        if (net.noisy) {
          // Through the noise's scale: BN's output y became c y + noise.
          const c = at(net.noiseScales, stat + j);
          for (let s = 0; s < n; s++) put(row(dz, s, wIn), j, c * at(row(dz, s, wIn), j));
        }
        const gammaJ = at(x, bn + j);
        let sumD = 0.0;
        let sumDX = 0.0;
        for (let s = 0; s < n; s++) {
          const d = at(row(dz, s, wIn), j);
          sumD += d;
          sumDX += d * at(row(xhat, s, wIn), j);
        }
        put(g, bn + j, at(g, bn + j) + sumDX);
        put(g, bn + wIn + j, at(g, bn + wIn + j) + sumD);
        // dz = gamma invStd / n (n dh - sum dh - xhat sum(dh xhat)), with dh the gradient at BN's output.
        const scale = gammaJ * at(net.batchInvStd, stat + j) * invN;
        for (let s = 0; s < n; s++) {
          const p = row(dz, s, wIn) + (<usize>j << 3);
          const xh = at(row(xhat, s, wIn), j);
          store<f64>(p, scale * (<f64>n * load<f64>(p) - sumD - xh * sumDX));
        }
      }
    }
    // dz now holds layer h's; dOut still holds the gradient at h's output, which a skip passes on to h's input.
  }
}

/**
 * The mean loss of the network at parameters x over count samples (indices order[first ..], or first.. when order is
 * 0); the gradient at g when g != 0; h (a Hessian) is not available for networks and is filled with NaN.
 */
export function networkMean(
  net: Network, dim: i32, samples: usize, columns: i32, order: usize, first: i32, count: i32, x: usize, g: usize, h: usize,
): f64 {
  gather(net, samples, columns, order, first, count);
  forward(net, x, count, 0);
  const f = lossOfOutputs(net, count, g ? net.deltaB : 0);
  if (g) backward(net, x, count, g, dim);
  if (h) {
    const square = <usize>dim * <usize>dim;
    for (let i: usize = 0; i < square; i++) store<f64>(h + (i << 3), NaN);
  }
  return f;
}

/** The accuracy of the last networkEvalLoss (classification), or NaN (mse). */
export let evalAccuracy: f64 = NaN;

// Samples among the n gathered whose predicted class is their label: bce, logit > 0 is class 1; cross_entropy, the
// first largest logit (torch.argmax).
function correctPredictions(net: Network, n: i32): i32 {
  const k = width(net, net.layers);
  const logits = ptrAt(net.z, net.layers - 1);
  let correct = 0;
  for (let s = 0; s < n; s++) {
    const o = row(logits, s, k);
    const label = at(row(net.targetValues, s, net.targets), 0);
    let predicted = 0;
    if (net.lossKind == NETLOSS_BCE) {
      predicted = at(o, 0) > 0 ? 1 : 0;
    } else {
      for (let j = 1; j < k; j++) if (at(o, j) > at(o, predicted)) predicted = j;
    }
    if (<f64>predicted == label) correct++;
  }
  return correct;
}

/**
 * Eval mode (BN with the running statistics at stats, or 0 without BN): the mean loss over count samples; their
 * accuracy goes to evalAccuracy.
 */
export function networkEvalLoss(net: Network, samples: usize, columns: i32, first: i32, count: i32, x: usize, stats: usize): f64 {
  let total = 0.0;
  let correct = 0;
  const classify = net.lossKind != NETLOSS_MSE;
  for (let done = 0; done < count; done += net.capacity) {
    const n = min(net.capacity, count - done);
    gather(net, samples, columns, 0, first + done, n);
    forward(net, x, n, stats);
    total += lossOfOutputs(net, n, 0) * <f64>n;
    if (classify) correct += correctPredictions(net, n);
  }
  evalAccuracy = classify ? <f64>correct / <f64>count : NaN;
  return total / <f64>count;
}

/** Eval mode outputs (logits, count x K at out) for count input rows of width w0 at inputs. */
export function networkPredict(net: Network, inputs: usize, count: i32, x: usize, stats: usize, out: usize): void {
  const w0 = width(net, 0);
  const k = width(net, net.layers);
  for (let done = 0; done < count; done += net.capacity) {
    const n = min(net.capacity, count - done);
    net.gatheredAll = 0;
    memory.copy(net.inputs, row(inputs, done, w0), <usize>n * <usize>w0 << 3);
    forward(net, x, n, stats);
    memory.copy(row(out, done, k), ptrAt(net.z, net.layers - 1), <usize>n * <usize>k << 3);
  }
}

/**
 * Writes initial parameters at out, seeded. Weights: by the scheme (fan_in = the layer's input width, fan_out its
 * output width; scale: the std of normal/uniform, the value of constant); biases: PyTorch's default for INIT_DEFAULT,
 * else 0; BN weight 1 and bias 0.
 */
export function initialize(net: Network, scheme: i32, scale: f64, seed: u64, out: usize): void {
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  for (let l = 1; l <= net.layers; l++) {
    const fanIn = <f64>width(net, l - 1);
    const fanOut = <f64>width(net, l);
    const count = width(net, l) * width(net, l - 1);
    const weights = out + (<usize>i32At(net.weightAt, l - 1) << 3);
    // Normal schemes: the std; uniform ones: the bound.
    let spread = 0.0;
    let gaussian = false;
    switch (scheme) {
      case INIT_DEFAULT: spread = 1.0 / Math.sqrt(fanIn); break; // kaiming_uniform(a = sqrt(5))
      case INIT_NORMAL: spread = scale; gaussian = true; break;
      case INIT_UNIFORM: spread = scale * Math.sqrt(3.0); break;
      case INIT_LECUN_NORMAL: spread = 1.0 / Math.sqrt(fanIn); gaussian = true; break;
      case INIT_LECUN_UNIFORM: spread = Math.sqrt(3.0 / fanIn); break;
      case INIT_XAVIER_NORMAL: spread = Math.sqrt(2.0 / (fanIn + fanOut)); gaussian = true; break;
      case INIT_XAVIER_UNIFORM: spread = Math.sqrt(6.0 / (fanIn + fanOut)); break;
      case INIT_KAIMING_NORMAL: spread = Math.sqrt(2.0 / fanIn); gaussian = true; break;
      default: spread = Math.sqrt(6.0 / fanIn); // INIT_KAIMING_UNIFORM
    }
    for (let i = 0; i < count; i++) {
      let v = 0.0;
      if (scheme == INIT_CONSTANT) v = scale;
      else if (scheme == INIT_ZEROS) v = 0.0;
      else if (gaussian) v = spread * normal(rng);
      else v = spread * (2.0 * uniform(rng) - 1.0);
      put(weights, i, v);
    }
    const bias = out + (<usize>i32At(net.biasAt, l - 1) << 3);
    const w = width(net, l);
    const bound = 1.0 / Math.sqrt(fanIn);
    for (let j = 0; j < w; j++) put(bias, j, scheme == INIT_DEFAULT ? bound * (2.0 * uniform(rng) - 1.0) : 0.0);
    const bn = i32At(net.bnAt, l - 1);
    if (bn >= 0) {
      for (let j = 0; j < w; j++) {
        put(out, bn + j, 1.0);
        put(out, bn + w + j, 0.0);
      }
    }
  }
  heap.free(changetype<usize>(rng));
}

/** Parameter offset of layer l's (1-based) weight matrix, for optimizers that treat matrices as a whole (Muon). */
export function weightOffset(net: Network, l: i32): i32 {
  return i32At(net.weightAt, l - 1);
}
