// Adafactor (torch.optim.Adafactor, _single_tensor_adafactor) in float64, per parameter tensor: a matrix (a network's
// Linear weight [out, in]) keeps a factored second moment, row_var [out] and col_var [in]; a vector keeps variance.
// A loss that is not a network has one tensor, its whole parameter vector.
import { at, put } from './f64mem';
import { O_BETA2_DECAY, O_EPS1, O_EPS2, O_D, O_WEIGHT_DECAY, O_MAXIMIZE } from './layout';
import { pyMax, pyMin } from './pyfloat';
import { tensorCount, tensorField } from './tensors';

@inline function offset(p: usize, start: i32): usize {
  return p + (<usize>start << 3);
}

/**
 * One step. tensors: a table of parameterTensors (tensors.ts), or 0 for one vector of n. Per tensor at [start, ...):
 * variance, or row_var in its first rows entries, at s0; col_var in its first cols entries at s2; s1 is scratch.
 */
export function adafactorStep(
  n: i32, o: usize, tensors: usize, s0: usize, s1: usize, s2: usize, x: usize, g: usize, step: i32, lr: f64,
): void {
  if (!tensors) {
    adafactorTensor(o, n, 0, 0, false, s0, s1, s2, x, g, step, lr);
    return;
  }
  for (let k = 0; k < tensorCount(tensors); k++) {
    const start = tensorField(tensors, k, 0);
    const rows = tensorField(tensors, k, 1);
    const cols = tensorField(tensors, k, 2);
    const matrix = tensorField(tensors, k, 3) != 0;
    adafactorTensor(o, rows * cols, rows, cols, matrix,
      offset(s0, start), offset(s1, start), offset(s2, start), offset(x, start), offset(g, start), step, lr);
  }
}

function adafactorTensor(
  o: usize, n: i32, rows: i32, cols: i32, matrix: bool, s0: usize, s1: usize, s2: usize, x: usize, g: usize, step: i32, lr: f64,
): void {
  const t = <f64>step;
  const oneMinusBeta2 = Math.pow(t, at(o, O_BETA2_DECAY));
  // alpha from the parameters before weight decay, as torch computes it
  const alpha = pyMax(at(o, O_EPS2), norm2(x, n) / Math.sqrt(<f64>n)) * pyMin(lr, 1.0 / Math.sqrt(t));
  const wd = at(o, O_WEIGHT_DECAY);
  if (wd != 0) {
    const keep = 1.0 - lr * wd;
    for (let i = 0; i < n; i++) put(x, i, at(x, i) * keep);
  }
  const maximize = at(o, O_MAXIMIZE) != 0;
  const eps1 = at(o, O_EPS1);
  if (matrix) factoredEstimate(g, rows, cols, s0, s2, oneMinusBeta2, eps1, s1);
  else unfactoredEstimate(g, n, maximize, s0, oneMinusBeta2, s1);
  clippedUpdate(x, g, n, maximize, s1, eps1, at(o, O_D), alpha);
}

// variance <- lerp(variance, grad^2, 1 - beta2_t); the estimate is a copy of it.
function unfactoredEstimate(g: usize, n: i32, maximize: bool, variance: usize, weight: f64, estimate: usize): void {
  for (let i = 0; i < n; i++) {
    const grad = maximize ? -at(g, i) : at(g, i);
    const v = lerp1(at(variance, i), grad * grad, weight);
    put(variance, i, v);
    put(estimate, i, v);
  }
}

/**
 * row_var <- lerp(row_var, mean of grad^2 over each row), col_var likewise over each column (each mean as torch forms
 * it: the squared 2-norm over the count); estimate = row_var col_var^T / max(mean(row_var), eps1).
 */
function factoredEstimate(
  g: usize, rows: i32, cols: i32, rowVar: usize, colVar: usize, weight: f64, eps1: f64, estimate: usize,
): void {
  // maximize negates the gradient, which leaves its squares as they are
  for (let r = 0; r < rows; r++) {
    let sum = 0.0;
    for (let c = 0; c < cols; c++) sum += at(g, r * cols + c) * at(g, r * cols + c);
    const norm = Math.sqrt(sum);
    put(rowVar, r, lerp1(at(rowVar, r), norm * norm / <f64>cols, weight));
  }
  for (let c = 0; c < cols; c++) {
    let sum = 0.0;
    for (let r = 0; r < rows; r++) sum += at(g, r * cols + c) * at(g, r * cols + c);
    const norm = Math.sqrt(sum);
    put(colVar, c, lerp1(at(colVar, c), norm * norm / <f64>rows, weight));
  }
  let total = 0.0;
  for (let r = 0; r < rows; r++) total += at(rowVar, r);
  const mean = total / <f64>rows;
  const divisor = mean != mean ? mean : Math.max(mean, eps1); // clamp_(min): NaN stays NaN
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) put(estimate, r * cols + c, at(rowVar, r) * at(colVar, c) / divisor);
  }
}

// update = grad / sqrt(max(estimate, eps1^2)) (in place of the estimate), scaled down to an RMS of at most d;
// x <- x - alpha * update.
function clippedUpdate(x: usize, g: usize, n: i32, maximize: bool, estimate: usize, eps1: f64, d: f64, alpha: f64): void {
  const floor = eps1 * eps1;
  for (let i = 0; i < n; i++) {
    const grad = maximize ? -at(g, i) : at(g, i);
    const v = at(estimate, i);
    const clamped = v != v ? v : Math.max(v, floor); // clamp_(min): NaN stays NaN
    put(estimate, i, (1.0 / Math.sqrt(clamped)) * grad);
  }
  const denom = pyMax(1.0, norm2(estimate, n) / (Math.sqrt(<f64>n) * d));
  const scale = -alpha / denom;
  for (let i = 0; i < n; i++) put(x, i, at(x, i) + scale * at(estimate, i));
}

// The 2-norm of n values: the square root of their sum of squares, summed in order.
function norm2(p: usize, n: i32): f64 {
  let sum = 0.0;
  for (let i = 0; i < n; i++) sum += at(p, i) * at(p, i);
  return Math.sqrt(sum);
}

// torch.lerp of one value: start + w * (end - start), or end - (end - start) * (1 - w) when w >= 0.5.
@inline function lerp1(start: f64, end: f64, w: f64): f64 {
  return w < 0.5 ? start + w * (end - start) : end - (end - start) * (1.0 - w);
}
