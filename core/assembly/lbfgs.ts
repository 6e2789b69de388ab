// L-BFGS as torch.optim.LBFGS takes one step(closure): up to max_iter inner iterations, each evaluating the
// loss (its closure) once, or several times with the strong-Wolfe line search. Float64, operation by operation.
import { at, put, copyF64, allocF64 } from './f64mem';
import { Loss, evaluate } from './losses';
import { OptimizerState } from './optimizers';
import { pyMin, pyMax } from './pyfloat';
import {
  O_MAX_ITER, O_MAX_EVAL, O_TOLERANCE_GRAD, O_TOLERANCE_CHANGE, O_HISTORY_SIZE, O_LINE_SEARCH_FN,
} from './layout';

/**
 * What LBFGS keeps between steps (torch's state) and its scratch vectors. The direction d and the previous
 * gradient live in the run's state vectors s0 and s1 (so breakpoints and the inspector see them); the step
 * length t in scalar0 and the count of loss evaluations in scalar1.
 */
@unmanaged
export class LbfgsMemory {
  capacity: i32; // history_size
  count: i32; // (s, y) pairs kept
  first: i32; // the oldest pair's slot: the history is a ring
  iterations: f64; // torch's state["n_iter"], over all steps (f64: more than 2^31 iterations fit)
  hDiag: f64;
  prevLoss: f64;
  dirs: usize; // capacity x dim: y = g_k+1 - g_k (torch's old_dirs)
  stps: usize; // capacity x dim: s = t d (torch's old_stps)
  ro: usize; // capacity
  al: usize; // capacity
  grad: usize; // the flat gradient at the current point
  start: usize; // the point the line search starts from
  trial: usize; // a point the line search evaluates
  // the line search's gradients: the previous trial, the new one, the bracket's two ends
  gPrev: usize;
  gNew: usize;
  gLow: usize;
  gHigh: usize;
  // The inner evaluations, when asked for (logEvaluations): rows of [step, x..., loss], at most logLimit.
  log: usize;
  logCount: i32;
  logCapacity: i32;
  logLimit: i32;
  step: i32; // the step being taken, for the log
}

export function createLbfgsMemory(dim: i32, options: usize): LbfgsMemory {
  const m = changetype<LbfgsMemory>(heap.alloc(offsetof<LbfgsMemory>()));
  const capacity = <i32>at(options, O_HISTORY_SIZE);
  m.capacity = capacity;
  m.count = 0;
  m.first = 0;
  m.iterations = 0;
  m.hDiag = 1.0;
  m.prevLoss = 0.0;
  m.dirs = allocF64(<usize>capacity * <usize>dim);
  m.stps = allocF64(<usize>capacity * <usize>dim);
  m.ro = allocF64(capacity);
  m.al = allocF64(capacity);
  m.grad = allocF64(dim);
  m.start = allocF64(dim);
  m.trial = allocF64(dim);
  m.gPrev = allocF64(dim);
  m.gNew = allocF64(dim);
  m.gLow = allocF64(dim);
  m.gHigh = allocF64(dim);
  m.log = 0;
  m.logCount = 0;
  m.logCapacity = 0;
  m.logLimit = 0;
  m.step = 0;
  return m;
}

export function freeLbfgsMemory(m: LbfgsMemory): void {
  heap.free(m.dirs);
  heap.free(m.stps);
  heap.free(m.ro);
  heap.free(m.al);
  heap.free(m.grad);
  heap.free(m.start);
  heap.free(m.trial);
  heap.free(m.gPrev);
  heap.free(m.gNew);
  heap.free(m.gLow);
  heap.free(m.gHigh);
  if (m.log) heap.free(m.log);
  heap.free(changetype<usize>(m));
}

/** Keeps the first `limit` evaluations a step makes besides its first (at the step's start, a trajectory row). */
export function logEvaluations(m: LbfgsMemory, limit: i32): void {
  m.logLimit = limit;
}

// Appends [step, x..., f] to the log (growing it by doubling, up to logLimit rows).
function logEvaluation(m: LbfgsMemory, dim: i32, x: usize, f: f64): void {
  if (m.logCount >= m.logLimit) return;
  const width = dim + 2;
  if (m.logCount == m.logCapacity) {
    const capacity = min(max(m.logCapacity * 2, 64), m.logLimit);
    const bytes = (<usize>capacity * <usize>width) << 3;
    m.log = m.log ? heap.realloc(m.log, bytes) : heap.alloc(bytes);
    m.logCapacity = capacity;
  }
  const row = m.log + ((<usize>m.logCount * <usize>width) << 3);
  put(row, 0, <f64>m.step);
  copyF64(row + 8, x, dim);
  put(row, dim + 1, f);
  m.logCount++;
}

// The closure: the loss and gradient at x, logged when asked for.
function closure(loss: Loss, m: LbfgsMemory, dim: i32, x: usize, g: usize): f64 {
  const f = evaluate(loss, x, g, 0);
  if (m.logLimit > 0) logEvaluation(m, dim, x, f);
  return f;
}

function dot(a: usize, b: usize, n: i32): f64 {
  let sum = 0.0;
  for (let i = 0; i < n; i++) sum += at(a, i) * at(b, i);
  return sum;
}

function maxAbs(a: usize, n: i32): f64 {
  let best = 0.0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(at(a, i));
    if (v > best || v != v) best = v;
  }
  return best;
}

// a + alpha * b into a (torch's add_(b, alpha=alpha))
function addScaled(a: usize, b: usize, alpha: f64, n: i32): void {
  for (let i = 0; i < n; i++) put(a, i, at(a, i) + alpha * at(b, i));
}

@inline function slot(m: LbfgsMemory, k: i32): i32 {
  const j = m.first + k;
  return j >= m.capacity ? j - m.capacity : j;
}

/** One step(closure), the step-th: moves x; returns false only when it cannot run (never today). */
export function lbfgsStep(loss: Loss, dim: i32, o: usize, s: OptimizerState, x: usize, step: i32, lr: f64): bool {
  const m = changetype<LbfgsMemory>(s.extra);
  m.step = step;
  const maxIter = at(o, O_MAX_ITER);
  const maxEval = at(o, O_MAX_EVAL);
  const toleranceGrad = at(o, O_TOLERANCE_GRAD);
  const toleranceChange = at(o, O_TOLERANCE_CHANGE);
  const strongWolfe = at(o, O_LINE_SEARCH_FN) != 0;
  const g = m.grad;
  const d = s.s0;
  const prevGrad = s.s1;

  let f = evaluate(loss, x, g, 0);
  let currentEvals = 1;
  s.scalar1 += 1;
  let optimal = maxAbs(g, dim) <= toleranceGrad;
  if (optimal) return true;

  let t = s.scalar0;
  let iteration = 0;
  while (<f64>iteration < maxIter) {
    iteration++;
    m.iterations++;
    if (m.iterations == 1) {
      for (let i = 0; i < dim; i++) put(d, i, -at(g, i));
      m.count = 0;
      m.first = 0;
      m.hDiag = 1.0;
    } else {
      updateHistory(m, dim, g, prevGrad, d, t);
      direction(m, dim, g, d);
    }
    copyF64(prevGrad, g, dim);
    m.prevLoss = f;

    if (m.iterations == 1) {
      let sum = 0.0;
      for (let i = 0; i < dim; i++) sum += Math.abs(at(g, i));
      t = pyMin(1.0, 1.0 / sum) * lr;
    } else {
      t = lr;
    }
    const gtd = dot(g, d, dim);
    if (gtd > -toleranceChange) break;

    let evals = 0;
    if (strongWolfe) {
      copyF64(m.start, x, dim);
      strongWolfeSearch(loss, m, dim, d, t, f, gtd);
      f = foundF;
      t = foundT;
      evals = foundEvals;
      for (let i = 0; i < dim; i++) put(x, i, at(x, i) + t * at(d, i));
      optimal = maxAbs(g, dim) <= toleranceGrad;
    } else {
      for (let i = 0; i < dim; i++) put(x, i, at(x, i) + t * at(d, i));
      if (<f64>iteration != maxIter) {
        // torch skips the evaluation after the last iteration (the next step makes its own)
        f = closure(loss, m, dim, x, g);
        optimal = maxAbs(g, dim) <= toleranceGrad;
        evals = 1;
      }
    }
    currentEvals += evals;
    s.scalar1 += <f64>evals;

    if (<f64>iteration == maxIter) break;
    if (<f64>currentEvals >= maxEval) break;
    if (optimal) break;
    let change = 0.0;
    for (let i = 0; i < dim; i++) {
      const v = Math.abs(at(d, i) * t);
      if (v > change || v != v) change = v;
    }
    if (change <= toleranceChange) break;
    if (Math.abs(f - m.prevLoss) < toleranceChange) break;
  }
  s.scalar0 = t;
  return true;
}

// Keeps the newest (s, y) pair when its curvature y.s is large enough, dropping the oldest when full.
function updateHistory(m: LbfgsMemory, dim: i32, g: usize, prevGrad: usize, d: usize, t: f64): void {
  const y = m.trial; // scratch until kept
  const sv = m.gNew;
  for (let i = 0; i < dim; i++) {
    put(y, i, at(g, i) - at(prevGrad, i));
    put(sv, i, at(d, i) * t);
  }
  const ys = dot(y, sv, dim);
  if (!(ys > 1e-10)) return;
  if (m.count == m.capacity) {
    m.first = slot(m, 1);
    m.count--;
  }
  const k = slot(m, m.count);
  copyF64(m.dirs + ((<usize>k * <usize>dim) << 3), y, dim);
  copyF64(m.stps + ((<usize>k * <usize>dim) << 3), sv, dim);
  put(m.ro, k, 1.0 / ys);
  m.count++;
  m.hDiag = ys / dot(y, y, dim);
}

// d = -H g by the two-loop recursion over the history, oldest pair at index 0 (torch's lists).
function direction(m: LbfgsMemory, dim: i32, g: usize, d: usize): void {
  const q = d;
  for (let i = 0; i < dim; i++) put(q, i, -at(g, i));
  const n = m.count;
  for (let i = n - 1; i >= 0; i--) {
    const k = slot(m, i);
    const y = m.dirs + ((<usize>k * <usize>dim) << 3);
    const sv = m.stps + ((<usize>k * <usize>dim) << 3);
    const al = dot(sv, q, dim) * at(m.ro, k);
    put(m.al, k, al);
    addScaled(q, y, -al, dim);
  }
  const hDiag = m.hDiag;
  for (let i = 0; i < dim; i++) put(d, i, at(q, i) * hDiag);
  for (let i = 0; i < n; i++) {
    const k = slot(m, i);
    const y = m.dirs + ((<usize>k * <usize>dim) << 3);
    const sv = m.stps + ((<usize>k * <usize>dim) << 3);
    const be = dot(y, d, dim) * at(m.ro, k);
    addScaled(d, sv, at(m.al, k) - be, dim);
  }
}

// torch's cubic interpolation of two points with values and derivatives, clamped to the bounds.
function cubicInterpolate(x1: f64, f1: f64, g1: f64, x2: f64, f2: f64, g2: f64, lo: f64, hi: f64): f64 {
  const d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2));
    return pyMin(pyMax(minPos, lo), hi);
  }
  return (lo + hi) / 2.0;
}

// The line search's results besides the gradient: the value and step length found, the evaluations made.
let foundF: f64 = 0;
let foundT: f64 = 0;
let foundEvals: i32 = 0;

// The loss and gradient (into gOut) at m.start + t d.
function evaluateAt(loss: Loss, m: LbfgsMemory, dim: i32, d: usize, t: f64, gOut: usize): f64 {
  for (let i = 0; i < dim; i++) put(m.trial, i, at(m.start, i) + t * at(d, i));
  return closure(loss, m, dim, m.trial, gOut);
}

/**
 * torch's _strong_wolfe (c1 1e-4, c2 0.9, tolerance_change 1e-9, 25 evaluations at most) from m.start along
 * d: brackets a step length, then zooms in. Leaves the chosen point's gradient in m.grad, the rest in found*.
 */
function strongWolfeSearch(loss: Loss, m: LbfgsMemory, dim: i32, d: usize, t0: f64, f: f64, gtd: f64): void {
  const c1 = 1e-4;
  const c2 = 0.9;
  const toleranceChange = 1e-9;
  const maxLs = 25;
  const dNorm = maxAbs(d, dim);
  let t = t0;
  // g (m.grad) is the gradient at the start; g_prev starts as a copy of it
  copyF64(m.gPrev, m.grad, dim);
  let fNew = evaluateAt(loss, m, dim, d, t, m.gNew);
  let evals = 1;
  let gtdNew = dot(m.gNew, d, dim);

  let tPrev = 0.0;
  let fPrev = f;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  // the bracket: [b0, b1] with values, derivatives and gradients (gradients in gLow for b0, gHigh for b1)
  let size = 0;
  let b0 = 0.0, b1 = 0.0, f0 = 0.0, f1 = 0.0, gtd0 = 0.0, gtd1 = 0.0;
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      size = 2;
      b0 = tPrev; f0 = fPrev; gtd0 = gtdPrev; copyF64(m.gLow, m.gPrev, dim);
      b1 = t; f1 = fNew; gtd1 = gtdNew; copyF64(m.gHigh, m.gNew, dim);
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      size = 1;
      b0 = t; f0 = fNew; copyF64(m.gLow, m.gNew, dim);
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      size = 2;
      b0 = tPrev; f0 = fPrev; gtd0 = gtdPrev; copyF64(m.gLow, m.gPrev, dim);
      b1 = t; f1 = fNew; gtd1 = gtdNew; copyF64(m.gHigh, m.gNew, dim);
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10.0;
    const previous = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
    tPrev = previous;
    fPrev = fNew;
    copyF64(m.gPrev, m.gNew, dim);
    gtdPrev = gtdNew;
    fNew = evaluateAt(loss, m, dim, d, t, m.gNew);
    evals++;
    gtdNew = dot(m.gNew, d, dim);
    lsIter++;
  }
  if (lsIter == maxLs) {
    // torch's bracket [0, t] (its derivatives are not needed: no zoom follows)
    size = 2;
    b0 = 0; f0 = f; copyF64(m.gLow, m.grad, dim);
    b1 = t; f1 = fNew; copyF64(m.gHigh, m.gNew, dim);
  }

  // zoom: the bracket's low end (lowest value) is b[low], its other end b[1 - low]
  let low = size == 1 || f0 <= f1 ? 0 : 1;
  let insufficientProgress = false;
  while (!done && lsIter < maxLs) {
    if (Math.abs(b1 - b0) * dNorm < toleranceChange) break;
    t = cubicInterpolate(b0, f0, gtd0, b1, f1, gtd1, b0 <= b1 ? b0 : b1, b0 <= b1 ? b1 : b0);
    const hi = pyMax(b0, b1);
    const lo = pyMin(b0, b1);
    const eps = 0.1 * (hi - lo);
    if (pyMin(hi - t, t - lo) < eps) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    fNew = evaluateAt(loss, m, dim, d, t, m.gNew);
    evals++;
    gtdNew = dot(m.gNew, d, dim);
    lsIter++;

    const fLow = low == 0 ? f0 : f1;
    if (fNew > f + c1 * t * gtd || fNew >= fLow) {
      // Armijo not satisfied or not below the lowest point: the new point replaces the high end
      if (low == 0) {
        b1 = t; f1 = fNew; gtd1 = gtdNew; copyF64(m.gHigh, m.gNew, dim);
      } else {
        b0 = t; f0 = fNew; gtd0 = gtdNew; copyF64(m.gLow, m.gNew, dim);
      }
      low = f0 <= f1 ? 0 : 1;
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (low == 0 ? b1 - b0 : b0 - b1) >= 0) {
        // the old low end becomes the high end
        if (low == 0) {
          b1 = b0; f1 = f0; gtd1 = gtd0; copyF64(m.gHigh, m.gLow, dim);
        } else {
          b0 = b1; f0 = f1; gtd0 = gtd1; copyF64(m.gLow, m.gHigh, dim);
        }
      }
      // the new point becomes the low end
      if (low == 0) {
        b0 = t; f0 = fNew; gtd0 = gtdNew; copyF64(m.gLow, m.gNew, dim);
      } else {
        b1 = t; f1 = fNew; gtd1 = gtdNew; copyF64(m.gHigh, m.gNew, dim);
      }
    }
  }
  foundT = low == 0 ? b0 : b1;
  foundF = low == 0 ? f0 : f1;
  copyF64(m.grad, low == 0 ? m.gLow : m.gHigh, dim);
  foundEvals = evals;
}
