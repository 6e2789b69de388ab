// Built-in losses with analytic gradients and Hessians, and custom losses called through the table.
import { at, copyF64, put, zeroF64 } from './f64mem';
import {
  LOSS_SPHERE, LOSS_QUADRATIC, LOSS_ROSENBROCK, LOSS_BEALE, LOSS_HIMMELBLAU, LOSS_BOOTH, LOSS_MATYAS,
  LOSS_RASTRIGIN, LOSS_ACKLEY, LOSS_GOLDSTEIN_PRICE, LOSS_SIX_HUMP_CAMEL, LOSS_THREE_HUMP_CAMEL,
  LOSS_MCCORMICK, LOSS_STYBLINSKI_TANG, LOSS_LEVI13, LOSS_EASOM, LOSS_DUPONT_BOWL, LOSS_SADDLE,
  LOSS_DEGENERATE_SADDLE, LOSS_MONKEY_SADDLE, LOSS_CUSTOM, LOSS_LINEAR_REGRESSION, LOSS_LOGISTIC_REGRESSION,
  LOSS_REDDI, LOSS_REDDI_STOCHASTIC, LOSS_NETWORK,
} from './layout';
import { Network, createNetwork, freeNetwork, networkMean, parameterCount } from './network';
import { addSample, generateSamples, onlineExpected, sampleWidth } from './data';

const PI = Math.PI;
const TWO_PI = 2.0 * Math.PI;

// Value formulas written once over f64x2 lanes: the scalar functions take lane 0, landscape rows use both lanes.
@inline function splat(v: f64): v128 { return f64x2.splat(v); }
@inline function lane0(v: v128): f64 { return f64x2.extract_lane(v, 0); }
@inline function add(a: v128, b: v128): v128 { return f64x2.add(a, b); }
@inline function sub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
@inline function mul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
@inline function div(a: v128, b: v128): v128 { return f64x2.div(a, b); }

@unmanaged
export class Loss {
  kind: i32;
  dim: i32;
  // Constants: quadratic condition (c0); rosenbrock a (c0), b (c1).
  c0: f64;
  c1: f64;
  // Per-coordinate weights (quadratic eigenvalues), dim f64s, or 0.
  weights: usize;
  // Custom losses: table indices of value(x), grad(x, g), hess(x, g, h), row(x0, dx, y, n, out) (-1 if absent).
  valueFn: i32;
  gradFn: i32;
  hessFn: i32;
  rowFn: i32;
  // Data-backed losses: sampleCount rows of columns f64s.
  samples: usize;
  sampleCount: i32; // the training samples
  columns: i32;
  testCount: i32; // test samples, after the training ones in samples (lossSetTestSplit)
  // Custom per-sample losses: the compiled functions read the parameters at input and a sample at input + 8*dataOffset;
  // sampleGrad (dim) and sampleHess (dim*dim) receive one sample's derivatives.
  input: usize;
  dataOffset: i32;
  sampleGrad: usize;
  sampleHess: usize;
  // Networks: the layers and their scratch (network.ts), or 0.
  network: usize;
}


export function createLoss(kind: i32, dim: i32, c0: f64, c1: f64): Loss {
  const loss = changetype<Loss>(heap.alloc(offsetof<Loss>()));
  loss.kind = kind;
  loss.dim = dim;
  loss.c0 = c0;
  loss.c1 = c1;
  loss.weights = 0;
  loss.valueFn = -1;
  loss.gradFn = -1;
  loss.hessFn = -1;
  loss.rowFn = -1;
  loss.samples = 0;
  loss.sampleCount = 0;
  loss.columns = 0;
  loss.testCount = 0;
  loss.input = 0;
  loss.dataOffset = 0;
  loss.sampleGrad = 0;
  loss.sampleHess = 0;
  loss.network = 0;
  if (kind == LOSS_QUADRATIC) {
    loss.weights = heap.alloc(<usize>dim << 3);
    for (let i = 0; i < dim; i++) {
      put(loss.weights, i, i == 0 ? 1.0 : i == dim - 1 ? c0 : Math.pow(c0, <f64>i / <f64>(dim - 1)));
    }
  }
  return loss;
}

export function createCustomLoss(dim: i32, valueFn: i32, gradFn: i32, hessFn: i32, rowFn: i32): Loss {
  const loss = createLoss(LOSS_CUSTOM, dim, 0, 0);
  loss.valueFn = valueFn;
  loss.gradFn = gradFn;
  loss.hessFn = hessFn;
  loss.rowFn = rowFn;
  return loss;
}

/** A loss that is the mean over count generated samples (seeded); see data.ts. */
export function createDataLoss(kind: i32, count: i32, seed: u64, noise: f64): Loss {
  const loss = createLoss(kind, 2, 0, 0);
  loss.columns = sampleWidth(kind);
  loss.samples = heap.alloc(<usize>(count * loss.columns) << 3);
  loss.sampleCount = count;
  generateSamples(kind, count, seed, noise, loss.samples);
  return loss;
}

/**
 * The mean of a compiled per-sample loss over count samples of columns f64s (the caller fills lossSamples).
 * The compiled functions read the parameters at f64 slot 0 of their input and the sample at slot dataOffset.
 */
export function createCustomDataLoss(
  dim: i32, valueFn: i32, gradFn: i32, hessFn: i32, count: i32, columns: i32, dataOffset: i32,
): Loss {
  const loss = createCustomLoss(dim, valueFn, gradFn, hessFn, -1);
  loss.samples = heap.alloc(<usize>max(count * columns, 1) << 3);
  loss.sampleCount = count;
  loss.columns = columns;
  loss.dataOffset = dataOffset;
  loss.input = heap.alloc(<usize>(dataOffset + columns) << 3);
  zeroF64(loss.input, dataOffset + columns);
  loss.sampleGrad = heap.alloc(<usize>max(dim, 1) << 3);
  loss.sampleHess = heap.alloc(max(<usize>dim * <usize>dim, 1) << 3);
  return loss;
}

/**
 * A network (network.ts) as the mean of its training loss over count samples: each sample holds widths[0] inputs, then
 * targets (the caller fills lossSamples).
 */
export function createNetworkLoss(
  layers: i32, widths: usize, activation: i32, lossKind: i32, batchnorm: bool, residual: bool, count: i32, targets: i32,
): Loss {
  const dim = parameterCount(layers, widths, batchnorm);
  const loss = createLoss(LOSS_NETWORK, dim, 0, 0);
  loss.columns = load<i32>(widths) + targets;
  loss.samples = heap.alloc(<usize>max(count * loss.columns, 1) << 3);
  loss.sampleCount = count;
  loss.network = changetype<usize>(createNetwork(layers, widths, activation, lossKind, batchnorm, residual, targets, count));
  return loss;
}

/**
 * Makes the last count samples the test split (once, after the samples are written): training (evaluate, minibatches)
 * uses the others, run.ts measures test metrics on these.
 */
export function setTestSplit(loss: Loss, count: i32): void {
  loss.sampleCount -= count;
  loss.testCount = count;
  if (loss.network) {
    // A full batch is now the training samples (the scratch, allocated for all, holds them).
    const net = changetype<Network>(loss.network);
    net.capacity = max(loss.sampleCount, 1);
    net.gatheredAll = 0;
  }
}

export function freeLoss(loss: Loss): void {
  if (loss.network) freeNetwork(changetype<Network>(loss.network));
  if (loss.weights) heap.free(loss.weights);
  if (loss.samples) heap.free(loss.samples);
  if (loss.input) heap.free(loss.input);
  if (loss.sampleGrad) heap.free(loss.sampleGrad);
  if (loss.sampleHess) heap.free(loss.sampleHess);
  heap.free(changetype<usize>(loss));
}

/** The loss at x; writes the gradient at g when g != 0 and the row-major Hessian at h when h != 0. */
export function evaluate(loss: Loss, x: usize, g: usize, h: usize): f64 {
  const n = loss.dim;
  switch (loss.kind) {
    case LOSS_SPHERE: return sphere(n, x, g, h);
    case LOSS_QUADRATIC: return quadratic(n, loss.weights, x, g, h);
    case LOSS_ROSENBROCK: return rosenbrock(n, loss.c0, loss.c1, x, g, h);
    case LOSS_RASTRIGIN: return rastrigin(n, x, g, h);
    case LOSS_ACKLEY: return ackley(n, x, g, h);
    case LOSS_STYBLINSKI_TANG: return styblinskiTang(n, x, g, h);
    case LOSS_CUSTOM: return loss.samples ? meanOverSamples(loss, 0, 0, loss.sampleCount, x, g, h) : custom(loss, x, g, h);
    case LOSS_LINEAR_REGRESSION:
    case LOSS_LOGISTIC_REGRESSION:
    case LOSS_NETWORK:
      return meanOverSamples(loss, 0, 0, loss.sampleCount, x, g, h);
    case LOSS_REDDI:
    case LOSS_REDDI_STOCHASTIC:
      return onlineExpected(loss.kind, loss.c0, loss.c1, x, g, h);
    default: return evaluate2(loss.kind, at(x, 0), at(x, 1), g, h);
  }
}

export function custom(loss: Loss, x: usize, g: usize, h: usize): f64 {
  if (h) return call_indirect<f64>(<u32>loss.hessFn, x, g, h);
  if (g) return call_indirect<f64>(<u32>loss.gradFn, x, g);
  return call_indirect<f64>(<u32>loss.valueFn, x);
}

/** The mean loss over the samples listed in order[first .. first+count) (all samples when order is 0). */
export function meanOverSamples(loss: Loss, order: usize, first: i32, count: i32, x: usize, g: usize, h: usize): f64 {
  const dim = loss.dim;
  if (loss.network) {
    return networkMean(changetype<Network>(loss.network), dim, loss.samples, loss.columns, order, first, count, x, g, h);
  }
  if (g) zeroF64(g, dim);
  if (h) zeroF64(h, dim * dim);
  const width = loss.columns;
  const weight = 1.0 / <f64>count;
  const compiled = loss.kind == LOSS_CUSTOM;
  if (compiled) copyF64(loss.input, x, dim);
  let f = 0.0;
  for (let k = 0; k < count; k++) {
    const index = order ? load<i32>(order + (<usize>(first + k) << 2)) : first + k;
    const sample = loss.samples + (<usize>(index * width) << 3);
    if (compiled) f += addCustomSample(loss, sample, weight, g, h);
    else f += addSample(loss.kind, x, sample, weight, g, h);
  }
  return f;
}

// Adds weight * (a compiled per-sample loss, its gradient, its Hessian) for one sample; returns weight * loss.
function addCustomSample(loss: Loss, sample: usize, weight: f64, g: usize, h: usize): f64 {
  const dim = loss.dim;
  copyF64(loss.input + (<usize>loss.dataOffset << 3), sample, loss.columns);
  const sg = loss.sampleGrad;
  const sh = loss.sampleHess;
  const f = custom(loss, loss.input, g ? sg : 0, h ? sh : 0);
  if (g) for (let i = 0; i < dim; i++) put(g, i, at(g, i) + weight * at(sg, i));
  if (h) for (let i = 0; i < dim * dim; i++) put(h, i, at(h, i) + weight * at(sh, i));
  return weight * f;
}

function zeroHessian(n: i32, h: usize): void {
  zeroF64(h, n * n);
}

function sphere(n: i32, x: usize, g: usize, h: usize): f64 {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    f += xi * xi;
    if (g) put(g, i, 2.0 * xi);
  }
  if (h) {
    zeroHessian(n, h);
    for (let i = 0; i < n; i++) put(h, i * n + i, 2.0);
  }
  return f;
}

// 0.5 * sum(w_i x_i^2), w log-spaced from 1 to the condition number.
function quadratic(n: i32, w: usize, x: usize, g: usize, h: usize): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    const wi = at(w, i);
    s += wi * (xi * xi);
    if (g) put(g, i, wi * xi);
  }
  if (h) {
    zeroHessian(n, h);
    for (let i = 0; i < n; i++) put(h, i * n + i, at(w, i));
  }
  return 0.5 * s;
}

// sum_{i<n-1} (a - x_i)^2 + b (x_{i+1} - x_i^2)^2
function rosenbrock(n: i32, a: f64, b: f64, x: usize, g: usize, h: usize): f64 {
  let f = 0.0;
  if (g) zeroF64(g, n);
  if (h) zeroHessian(n, h);
  for (let i = 0; i < n - 1; i++) {
    const xi = at(x, i);
    const xn = at(x, i + 1);
    const u = a - xi;
    const v = xn - xi * xi;
    f += u * u + b * (v * v);
    if (g) {
      put(g, i, at(g, i) - 2.0 * u - 4.0 * b * xi * v);
      put(g, i + 1, at(g, i + 1) + 2.0 * b * v);
    }
    if (h) {
      const ii = i * n + i;
      put(h, ii, at(h, ii) + 2.0 + 12.0 * b * xi * xi - 4.0 * b * xn);
      const jj = (i + 1) * n + i + 1;
      put(h, jj, at(h, jj) + 2.0 * b);
      put(h, i * n + i + 1, -4.0 * b * xi);
      put(h, (i + 1) * n + i, -4.0 * b * xi);
    }
  }
  return f;
}

/** Rastrigin's sum: its first term (10 n) and one coordinate's term. */
@inline export function rastriginStart(n: i32): f64 { return 10.0 * <f64>n; }
@inline export function rastriginTerm(xi: f64): f64 { return xi * xi - 10.0 * Math.cos(TWO_PI * xi); }

function rastrigin(n: i32, x: usize, g: usize, h: usize): f64 {
  let f = rastriginStart(n);
  if (h) zeroHessian(n, h);
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    f += rastriginTerm(xi);
    if (g) put(g, i, 2.0 * xi + 20.0 * PI * Math.sin(TWO_PI * xi));
    if (h) put(h, i * n + i, 2.0 + 40.0 * PI * PI * Math.cos(TWO_PI * xi));
  }
  return f;
}

// -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos(2 pi x)) + e + 20
function ackley(n: i32, x: usize, g: usize, h: usize): f64 {
  const inv = 1.0 / <f64>n;
  let sq = 0.0;
  let cs = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    sq += xi * xi;
    cs += Math.cos(TWO_PI * xi);
  }
  const r = Math.sqrt(sq * inv);
  const er = Math.exp(-0.2 * r);
  const ec = Math.exp(cs * inv);
  const f = -20.0 * er - ec + Math.E + 20.0;
  if (g) {
    for (let i = 0; i < n; i++) {
      const xi = at(x, i);
      const radial = r > 0 ? 4.0 * er * xi * inv / r : 0.0;
      put(g, i, radial + TWO_PI * inv * ec * Math.sin(TWO_PI * xi));
    }
  }
  if (h) {
    for (let i = 0; i < n; i++) {
      const xi = at(x, i);
      const si = Math.sin(TWO_PI * xi);
      for (let j = 0; j <= i; j++) {
        const xj = at(x, j);
        const sj = Math.sin(TWO_PI * xj);
        const delta: f64 = i == j ? 1.0 : 0.0;
        let radial = 0.0;
        if (r > 0) {
          radial = 4.0 * inv * er * (delta / r - 0.2 * xi * xj * inv / (r * r) - xi * xj * inv / (r * r * r));
        }
        const wave = 4.0 * PI * PI * inv * ec * (delta * Math.cos(TWO_PI * xi) - si * sj * inv);
        put(h, i * n + j, radial + wave);
        put(h, j * n + i, radial + wave);
      }
    }
  }
  return f;
}

// 0.5 * sum(x^4 - 16 x^2 + 5 x)
@inline function styblinskiTangTerm(xi: v128, x2: v128): v128 {
  return add(sub(mul(x2, x2), mul(splat(16.0), x2)), mul(splat(5.0), xi));
}

function styblinskiTang(n: i32, x: usize, g: usize, h: usize): f64 {
  let s = 0.0;
  if (h) zeroHessian(n, h);
  for (let i = 0; i < n; i++) {
    const xi = at(x, i);
    const x2 = xi * xi;
    s += lane0(styblinskiTangTerm(splat(xi), splat(x2)));
    if (g) put(g, i, 2.0 * x2 * xi - 16.0 * xi + 2.5);
    if (h) put(h, i * n + i, 6.0 * x2 - 16.0);
  }
  return 0.5 * s;
}

// Two-dimensional losses: value, gradient (gx, gy) and Hessian (hxx, hxy, hyy).

/** Whether value2x knows the 2-D loss. */
export function hasValue2x(loss: Loss): bool {
  const kind = loss.kind;
  if (loss.dim != 2 || loss.samples) return false;
  return kind == LOSS_SPHERE || kind == LOSS_QUADRATIC || kind == LOSS_STYBLINSKI_TANG || kind == LOSS_BEALE
    || kind == LOSS_HIMMELBLAU || kind == LOSS_BOOTH || kind == LOSS_MATYAS || kind == LOSS_GOLDSTEIN_PRICE || kind == LOSS_SIX_HUMP_CAMEL || kind == LOSS_THREE_HUMP_CAMEL
    || kind == LOSS_SADDLE || kind == LOSS_DEGENERATE_SADDLE || kind == LOSS_MONKEY_SADDLE;
}

/**
 * value2x's part that depends on y only, which a landscape row computes once: the y term of the sums (sphere,
 * quadratic, Styblinski-Tang), y^2 for the others. c0 is loss.c0: a 2-D quadratic's weights are 1 and c0 (createLoss).
 */
@inline export function yPart2x(kind: i32, c0: v128, y: v128): v128 {
  const y2 = mul(y, y);
  switch (kind) {
    case LOSS_QUADRATIC: return mul(c0, y2);
    case LOSS_STYBLINSKI_TANG: return styblinskiTangTerm(y, y2);
    default: return y2;
  }
}

/**
 * The loss at the points (x lane, y lane) given yPart = yPart2x(kind, loss.c0, y), for the losses hasValue2x accepts
 * (NaN for others). The sums are the n-D loops' sums for n = 2 without their start 0 + and the x weight 1 *, which
 * change nothing: no term is -0.
 */
@inline export function value2x(kind: i32, x: v128, y: v128, yPart: v128): v128 {
  switch (kind) {
    case LOSS_SPHERE: return add(mul(x, x), yPart);
    case LOSS_QUADRATIC: return mul(splat(0.5), add(mul(x, x), yPart));
    case LOSS_STYBLINSKI_TANG: return mul(splat(0.5), add(styblinskiTangTerm(x, mul(x, x)), yPart));
    case LOSS_BEALE: return bealeValue(x, y, yPart);
    case LOSS_HIMMELBLAU: return himmelblauValue(x, y, yPart);
    case LOSS_BOOTH: return boothValue(x, y, yPart);
    case LOSS_MATYAS: return matyasValue(x, y, yPart);
    case LOSS_GOLDSTEIN_PRICE: return goldsteinPriceValue(x, y, yPart);
    case LOSS_SIX_HUMP_CAMEL: return sixHumpCamelValue(x, y, yPart);
    case LOSS_THREE_HUMP_CAMEL: return threeHumpCamelValue(x, y, yPart);
    case LOSS_SADDLE: return saddleValue(x, y, yPart);
    case LOSS_DEGENERATE_SADDLE: return degenerateSaddleValue(x, y, yPart);
    case LOSS_MONKEY_SADDLE: return monkeySaddleValue(x, y, yPart);
    default: return splat(NaN);
  }
}

let gx = 0.0;
let gy = 0.0;
let hxx = 0.0;
let hxy = 0.0;
let hyy = 0.0;

function evaluate2(kind: i32, x: f64, y: f64, g: usize, h: usize): f64 {
  let f = 0.0;
  switch (kind) {
    case LOSS_BEALE: f = beale(x, y); break;
    case LOSS_HIMMELBLAU: f = himmelblau(x, y); break;
    case LOSS_BOOTH: f = booth(x, y); break;
    case LOSS_MATYAS: f = matyas(x, y); break;
    case LOSS_GOLDSTEIN_PRICE: f = goldsteinPrice(x, y); break;
    case LOSS_SIX_HUMP_CAMEL: f = sixHumpCamel(x, y); break;
    case LOSS_THREE_HUMP_CAMEL: f = threeHumpCamel(x, y); break;
    case LOSS_MCCORMICK: f = mccormick(x, y); break;
    case LOSS_LEVI13: f = levi13(x, y); break;
    case LOSS_EASOM: f = easom(x, y); break;
    case LOSS_DUPONT_BOWL: f = dupontBowl(x, y); break;
    case LOSS_SADDLE: f = saddle(x, y); break;
    case LOSS_DEGENERATE_SADDLE: f = degenerateSaddle(x, y); break;
    case LOSS_MONKEY_SADDLE: f = monkeySaddle(x, y); break;
    default: f = NaN;
  }
  if (g) {
    put(g, 0, gx);
    put(g, 1, gy);
  }
  if (h) {
    put(h, 0, hxx);
    put(h, 1, hxy);
    put(h, 2, hxy);
    put(h, 3, hyy);
  }
  return f;
}

@inline function bealeValue(x: v128, y: v128, y2: v128): v128 {
  const y3 = mul(y2, y);
  const t1 = add(sub(splat(1.5), x), mul(x, y));
  const t2 = add(sub(splat(2.25), x), mul(x, y2));
  const t3 = add(sub(splat(2.625), x), mul(x, y3));
  return add(add(mul(t1, t1), mul(t2, t2)), mul(t3, t3));
}

function beale(x: f64, y: f64): f64 {
  const y2 = y * y;
  const y3 = y2 * y;
  const t1 = 1.5 - x + x * y;
  const t2 = 2.25 - x + x * y2;
  const t3 = 2.625 - x + x * y3;
  const ax = y - 1.0, bx = y2 - 1.0, cx = y3 - 1.0;
  const ay = x, by = 2.0 * x * y, cy = 3.0 * x * y2;
  gx = 2.0 * (t1 * ax + t2 * bx + t3 * cx);
  gy = 2.0 * (t1 * ay + t2 * by + t3 * cy);
  hxx = 2.0 * (ax * ax + bx * bx + cx * cx);
  hxy = 2.0 * (ax * ay + bx * by + cx * cy + t1 + t2 * 2.0 * y + t3 * 3.0 * y2);
  hyy = 2.0 * (ay * ay + by * by + cy * cy + t2 * 2.0 * x + t3 * 6.0 * x * y);
  return lane0(bealeValue(splat(x), splat(y), splat(y * y)));
}

@inline function himmelblauValue(x: v128, y: v128, y2: v128): v128 {
  const u = sub(add(mul(x, x), y), splat(11.0));
  const v = sub(add(x, y2), splat(7.0));
  return add(mul(u, u), mul(v, v));
}

function himmelblau(x: f64, y: f64): f64 {
  const u = x * x + y - 11.0;
  const v = x + y * y - 7.0;
  gx = 4.0 * x * u + 2.0 * v;
  gy = 2.0 * u + 4.0 * y * v;
  hxx = 4.0 * u + 8.0 * x * x + 2.0;
  hxy = 4.0 * x + 4.0 * y;
  hyy = 2.0 + 4.0 * v + 8.0 * y * y;
  return lane0(himmelblauValue(splat(x), splat(y), splat(y * y)));
}

@inline function boothValue(x: v128, y: v128, y2: v128): v128 {
  const u = sub(add(x, mul(splat(2.0), y)), splat(7.0));
  const v = sub(add(mul(splat(2.0), x), y), splat(5.0));
  return add(mul(u, u), mul(v, v));
}

function booth(x: f64, y: f64): f64 {
  const u = x + 2.0 * y - 7.0;
  const v = 2.0 * x + y - 5.0;
  gx = 2.0 * u + 4.0 * v;
  gy = 4.0 * u + 2.0 * v;
  hxx = 10.0;
  hxy = 8.0;
  hyy = 10.0;
  return lane0(boothValue(splat(x), splat(y), splat(y * y)));
}

@inline function matyasValue(x: v128, y: v128, y2: v128): v128 {
  return sub(mul(splat(0.26), add(mul(x, x), y2)), mul(mul(splat(0.48), x), y));
}

function matyas(x: f64, y: f64): f64 {
  gx = 0.52 * x - 0.48 * y;
  gy = 0.52 * y - 0.48 * x;
  hxx = 0.52;
  hxy = -0.48;
  hyy = 0.52;
  return lane0(matyasValue(splat(x), splat(y), splat(y * y)));
}

@inline function goldsteinPriceValue(x: v128, y: v128, y2: v128): v128 {
  const s = add(add(x, y), splat(1.0));
  const p = add(add(sub(add(sub(splat(19.0), mul(splat(14.0), x)), mul(mul(splat(3.0), x), x)), mul(splat(14.0), y)),
    mul(mul(splat(6.0), x), y)), mul(mul(splat(3.0), y), y));
  const d = sub(mul(splat(2.0), x), mul(splat(3.0), y));
  const q = add(sub(add(add(sub(splat(18.0), mul(splat(32.0), x)), mul(mul(splat(12.0), x), x)), mul(splat(48.0), y)),
    mul(mul(splat(36.0), x), y)), mul(mul(splat(27.0), y), y));
  return mul(add(splat(1.0), mul(mul(s, s), p)), add(splat(30.0), mul(mul(d, d), q)));
}

function goldsteinPrice(x: f64, y: f64): f64 {
  const s = x + y + 1.0;
  const p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
  const pd = -14.0 + 6.0 * x + 6.0 * y; // dp/dx == dp/dy
  const a = 1.0 + s * s * p;
  const ax = 2.0 * s * p + s * s * pd;
  const ay = ax;
  const axx = 2.0 * p + 4.0 * s * pd + 6.0 * s * s;
  const axy = axx;
  const ayy = axx;
  const d = 2.0 * x - 3.0 * y;
  const q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
  const qx = -32.0 + 24.0 * x - 36.0 * y;
  const qy = 48.0 - 36.0 * x + 54.0 * y;
  const b = 30.0 + d * d * q;
  const bx = 4.0 * d * q + d * d * qx;
  const by = -6.0 * d * q + d * d * qy;
  const bxx = 8.0 * q + 8.0 * d * qx + 24.0 * d * d;
  const bxy = -12.0 * q + 4.0 * d * qy - 6.0 * d * qx - 36.0 * d * d;
  const byy = 18.0 * q - 12.0 * d * qy + 54.0 * d * d;
  gx = ax * b + a * bx;
  gy = ay * b + a * by;
  hxx = axx * b + 2.0 * ax * bx + a * bxx;
  hxy = axy * b + ax * by + ay * bx + a * bxy;
  hyy = ayy * b + 2.0 * ay * by + a * byy;
  return lane0(goldsteinPriceValue(splat(x), splat(y), splat(y * y)));
}

@inline function sixHumpCamelValue(x: v128, y: v128, y2: v128): v128 {
  const x2 = mul(x, x);
  const wx = add(sub(splat(4.0), mul(splat(2.1), x2)), div(mul(x2, x2), splat(3.0)));
  return add(add(mul(wx, x2), mul(x, y)), mul(add(splat(-4.0), mul(splat(4.0), y2)), y2));
}

function sixHumpCamel(x: f64, y: f64): f64 {
  const x2 = x * x, y2 = y * y;
  gx = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y;
  gy = x - 8.0 * y + 16.0 * y2 * y;
  hxx = 8.0 - 25.2 * x2 + 10.0 * x2 * x2;
  hxy = 1.0;
  hyy = -8.0 + 48.0 * y2;
  return lane0(sixHumpCamelValue(splat(x), splat(y), splat(y * y)));
}

@inline function threeHumpCamelValue(x: v128, y: v128, y2: v128): v128 {
  const x2 = mul(x, x);
  const x4 = mul(x2, x2);
  const poly = add(sub(mul(splat(2.0), x2), mul(mul(splat(1.05), x2), x2)), div(mul(x4, x2), splat(6.0)));
  return add(add(poly, mul(x, y)), y2);
}

function threeHumpCamel(x: f64, y: f64): f64 {
  const x2 = x * x;
  gx = 4.0 * x - 4.2 * x2 * x + x2 * x2 * x + y;
  gy = x + 2.0 * y;
  hxx = 4.0 - 12.6 * x2 + 5.0 * x2 * x2;
  hxy = 1.0;
  hyy = 2.0;
  return lane0(threeHumpCamelValue(splat(x), splat(y), splat(y * y)));
}

/** McCormick's value given s = sin(x + y) (computed by the caller, which may need it for the Hessian). */
@inline export function mccormickValue(x: f64, y: f64, s: f64): f64 {
  return s + (x - y) * (x - y) - 1.5 * x + 2.5 * y + 1.0;
}

function mccormick(x: f64, y: f64): f64 {
  const s = Math.sin(x + y);
  const c = Math.cos(x + y);
  gx = c + 2.0 * (x - y) - 1.5;
  gy = c - 2.0 * (x - y) + 2.5;
  hxx = 2.0 - s;
  hxy = -s - 2.0;
  hyy = 2.0 - s;
  return mccormickValue(x, y, s);
}

// Levi N.13 as s1^2 + u^2 k2 + v^2 k3: k2 and k3 depend on y only (a landscape row computes them once).
@inline export function levi13K2(y: f64): f64 {
  const s2 = Math.sin(3.0 * PI * y);
  return 1.0 + s2 * s2;
}
@inline export function levi13K3(y: f64): f64 {
  const s3 = Math.sin(TWO_PI * y);
  return 1.0 + s3 * s3;
}
@inline export function levi13Value(x: f64, y: f64, k2: f64, k3: f64): f64 {
  const s1 = Math.sin(3.0 * PI * x);
  const u = x - 1.0, v = y - 1.0;
  return s1 * s1 + u * u * k2 + v * v * k3;
}

function levi13(x: f64, y: f64): f64 {
  const u = x - 1.0, v = y - 1.0;
  const k2 = levi13K2(y), k3 = levi13K3(y);
  gx = 3.0 * PI * Math.sin(6.0 * PI * x) + 2.0 * u * k2;
  gy = u * u * 3.0 * PI * Math.sin(6.0 * PI * y) + 2.0 * v * k3 + v * v * TWO_PI * Math.sin(4.0 * PI * y);
  hxx = 18.0 * PI * PI * Math.cos(6.0 * PI * x) + 2.0 * k2;
  hxy = 6.0 * PI * u * Math.sin(6.0 * PI * y);
  hyy = u * u * 18.0 * PI * PI * Math.cos(6.0 * PI * y) + 2.0 * k3
    + 8.0 * PI * v * Math.sin(4.0 * PI * y) + 8.0 * PI * PI * v * v * Math.cos(4.0 * PI * y);
  return levi13Value(x, y, k2, k3);
}

// Easom as -cos(x) cos(y) e, e = exp(-((x - pi)^2 + (y - pi)^2)): cos(y) is computed once per landscape row.
@inline export function easomEnvelope(x: f64, y: f64): f64 {
  const u = x - PI, v = y - PI;
  return Math.exp(-(u * u + v * v));
}
@inline export function easomValue(cx: f64, cy: f64, e: f64): f64 {
  return -cx * cy * e;
}

function easom(x: f64, y: f64): f64 {
  const u = x - PI, v = y - PI;
  const e = easomEnvelope(x, y);
  const cx = Math.cos(x), sx = Math.sin(x), cy = Math.cos(y), sy = Math.sin(y);
  gx = cy * e * (sx + 2.0 * u * cx);
  gy = cx * e * (sy + 2.0 * v * cy);
  hxx = cy * e * (3.0 * cx - 4.0 * u * sx - 4.0 * u * u * cx);
  hxy = -(sx + 2.0 * u * cx) * e * (sy + 2.0 * v * cy);
  hyy = cx * e * (3.0 * cy - 4.0 * v * sy - 4.0 * v * v * cy);
  return easomValue(cx, cy, e);
}

// log(1 + p^2 + 10 q^2) in coordinates rotated by 45 degrees: a bowl that flattens far out. Its log's argument:
@inline export function dupontBowlArgument(x: f64, y: f64): f64 {
  const r = Math.SQRT1_2;
  const p = (x + y) * r, q = (x - y) * r;
  return 1.0 + p * p + 10.0 * q * q;
}

function dupontBowl(x: f64, y: f64): f64 {
  const r = Math.SQRT1_2;
  const p = (x + y) * r, q = (x - y) * r;
  const d = dupontBowlArgument(x, y);
  const fp = 2.0 * p / d, fq = 20.0 * q / d;
  const fpp = 2.0 / d - 4.0 * p * p / (d * d);
  const fpq = -40.0 * p * q / (d * d);
  const fqq = 20.0 / d - 400.0 * q * q / (d * d);
  gx = (fp + fq) * r;
  gy = (fp - fq) * r;
  hxx = 0.5 * (fpp + 2.0 * fpq + fqq);
  hxy = 0.5 * (fpp - fqq);
  hyy = 0.5 * (fpp - 2.0 * fpq + fqq);
  return Math.log(d);
}

@inline function saddleValue(x: v128, y: v128, y2: v128): v128 {
  return sub(mul(x, x), y2);
}

function saddle(x: f64, y: f64): f64 {
  gx = 2.0 * x;
  gy = -2.0 * y;
  hxx = 2.0;
  hxy = 0.0;
  hyy = -2.0;
  return lane0(saddleValue(splat(x), splat(y), splat(y * y)));
}

@inline function degenerateSaddleValue(x: v128, y: v128, y2: v128): v128 {
  const x2 = mul(x, x);
  return sub(mul(y2, y2), mul(x2, x2));
}

function degenerateSaddle(x: f64, y: f64): f64 {
  const x2 = x * x, y2 = y * y;
  gx = -4.0 * x2 * x;
  gy = 4.0 * y2 * y;
  hxx = -12.0 * x2;
  hxy = 0.0;
  hyy = 12.0 * y2;
  return lane0(degenerateSaddleValue(splat(x), splat(y), splat(y * y)));
}

@inline function monkeySaddleValue(x: v128, y: v128, y2: v128): v128 {
  return sub(mul(mul(x, x), x), mul(mul(mul(splat(3.0), x), y), y));
}

function monkeySaddle(x: f64, y: f64): f64 {
  gx = 3.0 * x * x - 3.0 * y * y;
  gy = -6.0 * x * y;
  hxx = 6.0 * x;
  hxy = -6.0 * y;
  hyy = -6.0 * x;
  return lane0(monkeySaddleValue(splat(x), splat(y), splat(y * y)));
}
