// A run: one optimizer from one start on one loss, advanced in chunks and recorded step by step.
import { at, put, copyF64, allocF64 } from './f64mem';
import { Loss, evaluate, meanOverSamples } from './losses';
import { OptimizerState, createOptimizerState, initState, optimizerStep } from './optimizers';
import { LbfgsMemory, createLbfgsMemory, freeLbfgsMemory, lbfgsStep, logEvaluations as logEvaluationsOf } from './lbfgs';
import { scheduledLr } from './schedules';
import { Rng, seedRng, below, normal } from './random';
import { isOnline, onlineGradient } from './data';
import { CustomOptimizer, createCustomOptimizer, freeCustomOptimizer } from './customOptimizer';
import { Breakpoints, createBreakpoints, freeBreakpoints, checkBreakpoints } from './breakpoints';
import { Network, createRunningStats, setRunningTarget, networkEvalLoss, evalAccuracy } from './network';
import { parameterTensors, wholeVector } from './tensors';
import { Muon, createMuon, freeMuon, muonPrepare, muonApply, muonMomentumInto } from './muon';
import { Frozen, createFrozen, freeFrozen, zeroFrozenGradient, restoreFrozen } from './frozen';
import {
  OPT_NEWTON, OPT_LBFGS, OPT_ADAFACTOR, O_LR, OPTION_SLOTS, SCHEDULE_SLOTS, STATE_VECTORS, STATE_SCALARS,
  STATUS_RUNNING, STATUS_COMPLETED, STATUS_CONVERGED, STATUS_OUT_OF_BOUNDS, STATUS_DIVERGED, STATUS_SINGULAR,
  STATUS_PAUSED, NETLOSS_MSE,
} from './layout';

@unmanaged
export class Run {
  loss: Loss;
  dim: i32;
  optimizer: i32;
  maxSteps: i32;
  step: i32; // steps taken
  status: i32;
  rows: i32; // trace rows kept
  recordState: i32;
  recordEvery: i32; // keep the rows of steps that are multiples of this (and the last one)
  sinceKept: i32; // steps since the last multiple of recordEvery (a counter: no division per step)
  pending: i32; // 1: the row at index rows holds the last step, written but not kept
  options: usize; // OPTION_SLOTS f64
  schedule: usize; // SCHEDULE_SLOTS f64
  lr: f64; // the learning rate of the last step (schedules are recursive)
  gradTol: f64; // < 0: off
  bounds: usize; // 2*dim f64 (lo, hi pairs) or 0
  x: usize;
  g: usize;
  h: usize; // dim*dim, Newton only
  state: OptimizerState;
  trace: usize; // recordedRows(maxSteps, recordEvery) rows of [x..., loss, gradNorm]
  stateTrace: usize; // with recordState: as many rows of stateWidth
  // Stochastic gradients: minibatches of a data-backed loss, online losses, Gaussian noise.
  rng: Rng;
  batchSize: i32; // 0: full batch
  replacement: i32;
  noise: f64;
  order: usize; // i32 sample indices: a shuffled epoch, or the current batch (with replacement)
  cursor: i32; // next position in order
  project: usize; // 2*dim f64 box that x is projected onto after each step, or 0
  breakpoints: Breakpoints | null;
  // Networks with batch norm: this run's running means and variances (network.ts), or 0.
  running: usize;
  // With batch norm: rows of the running statistics (2 * hiddenUnits each), one per trace row, as the run held them
  // when the row was written (what eval mode at that step uses); or 0.
  runningTrace: usize;
  // Muon on a network's weight matrices (muon.ts), or 0: the run's optimizer steps the other parameters.
  muon: usize;
  // Test metrics (setMetrics): a row per trace row of [test loss, test accuracy, train accuracy], NaN where not
  // measured; measured at step 0, every metricsEvery-th step and the last; the latest values for breakpoints.
  metrics: usize;
  metricsEvery: i32; // 0: off
  sinceMetrics: i32;
  testLoss: f64;
  testAccuracy: f64;
  trainAccuracy: f64;
  // Frozen coordinates (frozen.ts), or 0.
  frozen: usize;
  // With recordEvery > 1 (setStepLosses): [loss, gradNorm] of every step 0..maxSteps, or 0; stepLossCount pairs written.
  stepLosses: usize;
  stepLossCount: i32;
}

/** Values per metrics row: test loss, test accuracy, train accuracy. */
export const METRICS_WIDTH: i32 = 3;

/** Row width of the trace: parameters, loss, gradient norm. */
export function traceWidth(dim: i32): i32 {
  return dim + 2;
}
/** Row width of the state trace: gradient, three state vectors, the learning rate and two scalars. */
export function stateWidth(dim: i32): i32 {
  return dim * (1 + STATE_VECTORS) + 1 + STATE_SCALARS;
}

/**
 * The rows a run of maxSteps keeps when it records every k-th step: step 0, each multiple of k, and its last step
 * (a run that stops early keeps the step where it stopped; a diverged one its last finite step).
 */
export function recordedRows(maxSteps: i32, every: i32): i32 {
  return maxSteps / every + (maxSteps % every == 0 ? 1 : 2);
}

/**
 * Options and schedule are copied; start has dim entries. The start is evaluated and recorded as row 0; after it,
 * the rows of every recordEvery-th step and the last one (see recordedRows).
 */
export function createRun(
  loss: Loss, optimizer: i32, options: usize, schedule: usize, start: usize, maxSteps: i32,
  gradTol: f64, bounds: usize, recordState: bool, recordEvery: i32,
): Run {
  const dim = loss.dim;
  const run = changetype<Run>(heap.alloc(offsetof<Run>()));
  run.loss = loss;
  run.dim = dim;
  run.optimizer = optimizer;
  run.maxSteps = maxSteps;
  run.step = 0;
  run.status = STATUS_RUNNING;
  run.rows = 0;
  run.recordState = recordState ? 1 : 0;
  run.recordEvery = max(recordEvery, 1);
  run.sinceKept = 0;
  run.pending = 0;
  run.options = allocF64(OPTION_SLOTS);
  memory.copy(run.options, options, <usize>OPTION_SLOTS << 3);
  run.schedule = allocF64(SCHEDULE_SLOTS);
  memory.copy(run.schedule, schedule, <usize>SCHEDULE_SLOTS << 3);
  run.lr = at(options, O_LR);
  run.gradTol = gradTol;
  run.bounds = 0;
  if (bounds) {
    run.bounds = allocF64(2 * dim);
    memory.copy(run.bounds, bounds, <usize>(2 * dim) << 3);
  }
  const padded = (dim + 1) & ~1; // optimizers work on f64x2 pairs
  run.x = allocF64(padded);
  memory.copy(run.x, start, <usize>dim << 3);
  run.g = allocF64(padded);
  const square = <usize>dim * <usize>dim;
  run.h = optimizer == OPT_NEWTON ? allocF64(square) : 0;
  const state = createOptimizerState(padded);
  state.matrix = optimizer == OPT_NEWTON ? allocF64(square) : 0;
  state.solution = optimizer == OPT_NEWTON ? allocF64(dim) : 0;
  state.extra = optimizer == OPT_LBFGS ? changetype<usize>(createLbfgsMemory(dim, options)) : 0;
  state.custom = 0;
  state.tensors = optimizer == OPT_ADAFACTOR && loss.network ? parameterTensors(changetype<Network>(loss.network)) : 0;
  run.state = state;
  initState(optimizer, padded, run.options, state);
  run.rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(run.rng, 0);
  run.batchSize = 0;
  run.replacement = 0;
  run.noise = 0;
  run.order = 0;
  run.cursor = 0;
  run.project = 0;
  run.breakpoints = null;
  run.muon = 0;
  run.metrics = 0;
  run.metricsEvery = 0;
  run.sinceMetrics = 0;
  run.testLoss = NaN;
  run.testAccuracy = NaN;
  run.trainAccuracy = NaN;
  run.frozen = 0;
  run.stepLosses = 0;
  run.stepLossCount = 0;
  run.running = loss.network ? createRunningStats(changetype<Network>(loss.network)) : 0;
  const rows = <usize>recordedRows(maxSteps, run.recordEvery);
  run.runningTrace = run.running ? heap.alloc((rows * <usize>runningWidth(run)) << 3) : 0;
  run.trace = heap.alloc((rows * <usize>traceWidth(dim)) << 3);
  run.stateTrace = recordState ? heap.alloc((rows * <usize>stateWidth(dim)) << 3) : 0;
  recordCurrent(run);
  return run;
}

export function freeRun(run: Run): void {
  const s = run.state;
  heap.free(s.s0);
  heap.free(s.s1);
  heap.free(s.s2);
  if (s.matrix) heap.free(s.matrix);
  if (s.solution) heap.free(s.solution);
  if (s.extra) freeLbfgsMemory(changetype<LbfgsMemory>(s.extra));
  if (s.custom) freeCustomOptimizer(changetype<CustomOptimizer>(s.custom));
  if (s.tensors) heap.free(s.tensors);
  heap.free(changetype<usize>(s));
  heap.free(run.options);
  heap.free(run.schedule);
  if (run.bounds) heap.free(run.bounds);
  heap.free(run.x);
  heap.free(run.g);
  if (run.h) heap.free(run.h);
  heap.free(run.trace);
  if (run.stateTrace) heap.free(run.stateTrace);
  heap.free(changetype<usize>(run.rng));
  if (run.order) heap.free(run.order);
  if (run.project) heap.free(run.project);
  const breakpoints = run.breakpoints;
  if (breakpoints) freeBreakpoints(breakpoints);
  if (run.running) heap.free(run.running);
  if (run.runningTrace) heap.free(run.runningTrace);
  if (run.muon) freeMuon(changetype<Muon>(run.muon));
  if (run.metrics) heap.free(run.metrics);
  if (run.frozen) freeFrozen(changetype<Frozen>(run.frozen));
  if (run.stepLosses) heap.free(run.stepLosses);
  heap.free(changetype<usize>(run));
}

/**
 * The values a breakpoint condition reads, in this order: step, loss, gradnorm, lr, x (dim),
 * grad (dim), the three state vectors (dim each), the optimizer's two scalars, and the metrics (test loss, test
 * accuracy, train accuracy: the latest measured, NaN when none).
 */
export function contextSize(dim: i32): i32 {
  return 4 + dim * 5 + STATE_SCALARS + METRICS_WIDTH;
}

/**
 * Measures the metrics every `every` steps (0: off; step 0 and a run's last step always): for a network, loss and
 * accuracy in eval mode (batch norm with the run's running statistics) on the test split and accuracy on the training
 * samples (classification); for another data-backed loss, the mean loss on the test split.
 */
export function setMetrics(run: Run, every: i32): void {
  run.metricsEvery = max(every, 0);
  if (every <= 0 || run.metrics) return;
  const count = recordedRows(run.maxSteps, run.recordEvery) * METRICS_WIDTH;
  run.metrics = allocF64(count);
  for (let i = 0; i < count; i++) put(run.metrics, i, NaN);
  if (run.step == 0 && run.rows == 1) {
    measure(run);
    writeMetrics(run, 0);
  }
}

/**
 * Records every step's loss and gradient norm (2 f64 per step, maxSteps + 1 pairs) beside the rows kept every
 * recordEvery-th step: the loss curve stays exact when the parameters are thinned. Before the first step.
 */
export function setStepLosses(run: Run): void {
  if (run.stepLosses) return;
  run.stepLosses = allocF64(2 * (run.maxSteps + 1));
  if (run.step == 0 && run.rows == 1) {
    put(run.stepLosses, 0, at(run.trace, run.dim));
    put(run.stepLosses, 1, at(run.trace, run.dim + 1));
    run.stepLossCount = 1;
  }
}

function measure(run: Run): void {
  const loss = run.loss;
  run.testLoss = NaN;
  run.testAccuracy = NaN;
  run.trainAccuracy = NaN;
  if (loss.network) {
    const net = changetype<Network>(loss.network);
    if (loss.testCount > 0) {
      run.testLoss = networkEvalLoss(net, loss.samples, loss.columns, loss.sampleCount, loss.testCount, run.x, run.running);
      run.testAccuracy = evalAccuracy;
    }
    if (net.lossKind != NETLOSS_MSE) {
      networkEvalLoss(net, loss.samples, loss.columns, 0, loss.sampleCount, run.x, run.running);
      run.trainAccuracy = evalAccuracy;
    }
  } else if (loss.testCount > 0) {
    run.testLoss = meanOverSamples(loss, 0, loss.sampleCount, loss.testCount, run.x, 0, 0);
  }
}

function writeMetrics(run: Run, row: i32): void {
  const p = run.metrics + (<usize>(row * METRICS_WIDTH) << 3);
  put(p, 0, run.testLoss);
  put(p, 1, run.testAccuracy);
  put(p, 2, run.trainAccuracy);
}

/** Conditions (a compiled check function) checked after every step; see breakpoints.ts. */
export function setBreakpoints(run: Run, checkFn: i32, count: i32, modes: usize, targets: usize): void {
  const old = run.breakpoints;
  if (old) freeBreakpoints(old);
  run.breakpoints = count > 0 ? createBreakpoints(checkFn, count, modes, targets, contextSize(run.dim)) : null;
}

/** L-BFGS: keep up to `limit` of the loss evaluations inside its steps (see lbfgs.ts); others have none. */
export function logEvaluations(run: Run, limit: i32): void {
  if (run.state.extra) logEvaluationsOf(changetype<LbfgsMemory>(run.state.extra), limit);
}
/** The evaluations kept: rows of [step, x..., loss], or 0. */
export function evaluationLog(run: Run): usize {
  return run.state.extra ? changetype<LbfgsMemory>(run.state.extra).log : 0;
}
export function evaluationCount(run: Run): i32 {
  return run.state.extra ? changetype<LbfgsMemory>(run.state.extra).logCount : 0;
}

/**
 * Gives a run of OPT_CUSTOM its compiled step (a table index) and count states with initial values at inits (count
 * f64s), before its first step; row 0's recorded state is rewritten with them. hessian: the rule reads hess_diag or
 * hvp; scratchVectors: two per Hessian-vector product, one per per-layer reduction; randomSeed: the seed of the
 * rule's random signs (rademacher()), or -1 when it reads none; scalars: its scalar states (up to two, the state's scalar slots), whose
 * initial values follow the vectors' at inits.
 */
export function setCustomOptimizer(
  run: Run, stepFn: i32, count: i32, inits: usize, hessian: bool, scratchVectors: i32, scalars: i32, randomSeed: f64,
): void {
  const state = run.state;
  if (state.custom) freeCustomOptimizer(changetype<CustomOptimizer>(state.custom));
  const padded = (run.dim + 1) & ~1;
  state.custom = changetype<usize>(createCustomOptimizer(stepFn, count, inits, padded, state.s0, state.s1, state.s2, hessian, scratchVectors, randomSeed));
  // the layers of its per-layer reductions: a network's tensors, else the whole vector
  if (!state.tensors) state.tensors = run.loss.network ? parameterTensors(changetype<Network>(run.loss.network)) : wholeVector(run.dim);
  if (scalars > 0) state.scalar0 = at(inits, count);
  if (scalars > 1) state.scalar1 = at(inits, count + 1);
  // a rule reading hess_diag or hvp gets the Hessian before each step, as Newton does
  if (hessian && !run.h) run.h = allocF64(<usize>run.dim * <usize>run.dim);
  if (run.recordState && run.step == 0) recordStateAt(run, 0);
}

/** A paused run goes on with the next advance. */
export function resume(run: Run): void {
  if (run.status == STATUS_PAUSED) run.status = run.step >= run.maxSteps ? STATUS_COMPLETED : STATUS_RUNNING;
}

function fillContext(run: Run, b: Breakpoints, f: f64, gradNorm: f64): void {
  const dim = run.dim;
  const c = b.context;
  put(c, 0, <f64>run.step);
  put(c, 1, f);
  put(c, 2, gradNorm);
  put(c, 3, run.lr);
  copyF64(c + (<usize>4 << 3), run.x, dim);
  copyF64(c + (<usize>(4 + dim) << 3), run.g, dim);
  copyF64(c + (<usize>(4 + 2 * dim) << 3), run.state.s0, dim);
  if (run.muon) muonMomentumInto(changetype<Muon>(run.muon), c + (<usize>(4 + 2 * dim) << 3));
  copyF64(c + (<usize>(4 + 3 * dim) << 3), run.state.s1, dim);
  copyF64(c + (<usize>(4 + 4 * dim) << 3), run.state.s2, dim);
  put(c, 4 + 5 * dim, run.state.scalar0);
  put(c, 5 + 5 * dim, run.state.scalar1);
  put(c, 6 + 5 * dim, run.testLoss);
  put(c, 7 + 5 * dim, run.testAccuracy);
  put(c, 8 + 5 * dim, run.trainAccuracy);
}

/**
 * Makes the steps stochastic: minibatches of batchSize samples (0: the full batch) drawn with or
 * without replacement, plus Gaussian gradient noise of the given scale, all from seed.
 */
export function setStochastic(run: Run, batchSize: i32, replacement: bool, noise: f64, seed: u64): void {
  seedRng(run.rng, seed);
  run.batchSize = batchSize;
  run.replacement = replacement ? 1 : 0;
  run.noise = noise;
  const count = run.loss.sampleCount;
  if (run.order) heap.free(run.order);
  run.order = 0;
  if (batchSize > 0 && batchSize < count) {
    run.order = heap.alloc(<usize>count << 2);
    for (let i = 0; i < count; i++) store<i32>(run.order + (<usize>i << 2), i);
    run.cursor = count; // shuffle before the first batch
  }
}

/**
 * Muon (muon.ts, options: MUON_SLOTS f64) for the weight matrices of a network loss's hidden layers; their recorded
 * first state vector is its momentum buffer (row 0 is rewritten with its zeros).
 */
export function setMuon(run: Run, options: usize): void {
  if (run.muon) freeMuon(changetype<Muon>(run.muon));
  run.muon = run.loss.network ? changetype<usize>(createMuon(changetype<Network>(run.loss.network), options)) : 0;
  if (run.muon && run.recordState && run.step == 0) recordStateAt(run, 0);
}

/**
 * Freezes the coordinates where mask (dim f64) is non-zero at their current values (frozen.ts); a mask of zeros
 * unfreezes all. Before the first step: the recorded row 0 gets the masked gradient.
 */
export function setFrozen(run: Run, mask: usize): void {
  if (run.frozen) freeFrozen(changetype<Frozen>(run.frozen));
  const frozen = createFrozen(mask, run.x, run.dim);
  run.frozen = frozen ? changetype<usize>(frozen) : 0;
  if (frozen && run.step == 0 && run.rows == 1) {
    zeroFrozenGradient(frozen, run.g);
    let sq = 0.0;
    for (let i = 0; i < run.dim; i++) sq += at(run.g, i) * at(run.g, i);
    put(run.trace, run.dim + 1, Math.sqrt(sq));
    if (run.recordState) recordStateAt(run, 0);
  }
}

/** Projects x onto the box (lo, hi pairs) after every step. */
export function setProjection(run: Run, box: usize): void {
  if (!run.project) run.project = allocF64(2 * run.dim);
  memory.copy(run.project, box, <usize>(2 * run.dim) << 3);
}

@inline function orderAt(run: Run, i: i32): usize {
  return run.order + (<usize>i << 2);
}

// The first position in run.order of the next minibatch.
function nextBatch(run: Run): i32 {
  const count = run.loss.sampleCount;
  const size = run.batchSize;
  if (run.replacement) {
    for (let k = 0; k < size; k++) store<i32>(orderAt(run, k), below(run.rng, count));
    return 0;
  }
  if (run.cursor + size > count) {
    // A new epoch: Fisher-Yates shuffle; an incomplete last batch is dropped.
    for (let i = count - 1; i > 0; i--) {
      const j = below(run.rng, i + 1);
      const t = load<i32>(orderAt(run, i));
      store<i32>(orderAt(run, i), load<i32>(orderAt(run, j)));
      store<i32>(orderAt(run, j), t);
    }
    run.cursor = 0;
  }
  const first = run.cursor;
  run.cursor += size;
  return first;
}

// Replaces run.g (the full gradient) by the gradient this step sees, when that differs.
function stepGradient(run: Run, step: i32): void {
  const loss = run.loss;
  if (isOnline(loss.kind)) {
    put(run.g, 0, onlineGradient(loss.kind, loss.c0, loss.c1, step, run.rng));
  } else if (run.order) {
    // A minibatch's forward is the step's training forward: it updates BN running statistics.
    setRunningTarget(run.running);
    meanOverSamples(loss, run.order, nextBatch(run), run.batchSize, run.x, run.g, 0);
    setRunningTarget(0);
  }
  if (run.noise > 0) {
    for (let i = 0; i < run.dim; i++) put(run.g, i, at(run.g, i) + run.noise * normal(run.rng));
  }
  if (run.frozen) zeroFrozenGradient(changetype<Frozen>(run.frozen), run.g);
}

function projectOntoBox(run: Run): void {
  for (let i = 0; i < run.dim; i++) {
    put(run.x, i, Math.min(Math.max(at(run.x, i), at(run.project, 2 * i)), at(run.project, 2 * i + 1)));
  }
}

// Evaluates loss and gradient at run.x and appends a row, or ends the run when a value is not finite.
function recordCurrent(run: Run): void {
  const dim = run.dim;
  // Full batch: this forward's gradient is the next step's, so it updates BN running statistics (minibatches: stepGradient).
  setRunningTarget(run.order ? 0 : run.running);
  const f = evaluate(run.loss, run.x, run.g, 0);
  setRunningTarget(0);
  if (run.frozen) zeroFrozenGradient(changetype<Frozen>(run.frozen), run.g);
  let sq = 0.0;
  let finite = isFinite(f);
  for (let i = 0; i < dim; i++) {
    const gi = at(run.g, i);
    sq += gi * gi;
    finite = finite && isFinite(at(run.x, i)) && isFinite(gi);
  }
  const gradNorm = Math.sqrt(sq);
  if (!finite || !isFinite(gradNorm)) {
    run.status = STATUS_DIVERGED;
    keepPendingRow(run);
    return;
  }
  const width = traceWidth(dim);
  const row = run.trace + ((<usize>run.rows * <usize>width) << 3);
  copyF64(row, run.x, dim);
  put(row, dim, f);
  put(row, dim + 1, gradNorm);
  if (run.stepLosses) {
    put(run.stepLosses, 2 * run.step, f);
    put(run.stepLosses, 2 * run.step + 1, gradNorm);
    run.stepLossCount = run.step + 1;
  }
  if (run.recordState) recordState(run);
  if (run.runningTrace) {
    const n = runningWidth(run);
    copyF64(run.runningTrace + ((<usize>run.rows * <usize>n) << 3), run.running, n);
  }
  run.pending = 1;
  if (run.gradTol >= 0 && gradNorm <= run.gradTol) {
    run.status = STATUS_CONVERGED;
  } else if (run.bounds && outOfBounds(run)) {
    run.status = STATUS_OUT_OF_BOUNDS;
  } else if (run.step >= run.maxSteps) {
    run.status = STATUS_COMPLETED;
  }
  if (run.metricsEvery > 0) {
    const due = run.step == 0 || ++run.sinceMetrics >= run.metricsEvery || run.status != STATUS_RUNNING;
    if (due) {
      run.sinceMetrics = 0;
      measure(run);
      writeMetrics(run, run.rows);
    } else {
      const p = run.metrics + (<usize>(run.rows * METRICS_WIDTH) << 3);
      for (let i = 0; i < METRICS_WIDTH; i++) put(p, i, NaN);
    }
  }
  const breakpoints = run.breakpoints;
  if (breakpoints && run.step > 0 && (run.status == STATUS_RUNNING || run.status == STATUS_COMPLETED)) {
    fillContext(run, breakpoints, f, gradNorm);
    if (checkBreakpoints(breakpoints) != 0) run.status = STATUS_PAUSED;
  }
  const multiple = run.step == 0 || ++run.sinceKept == run.recordEvery;
  if (multiple) run.sinceKept = 0;
  if (multiple || run.status != STATUS_RUNNING) keepPendingRow(run);
}

// Keeps the row written last (the current step's, or before a non-finite step the last finite one).
function keepPendingRow(run: Run): void {
  if (!run.pending) return;
  run.rows++;
  run.pending = 0;
}

/** Values per running-statistics row: running means, then variances, of every hidden unit (0 without batch norm). */
export function runningWidth(run: Run): i32 {
  return run.running ? 2 * changetype<Network>(run.loss.network).hiddenUnits : 0;
}

function recordState(run: Run): void {
  recordStateAt(run, run.rows);
}

function recordStateAt(run: Run, row: i32): void {
  const dim = run.dim;
  const bytes = <usize>dim << 3;
  let p = run.stateTrace + ((<usize>row * <usize>stateWidth(dim)) << 3);
  copyF64(p, run.g, dim);
  p += bytes;
  copyF64(p, run.state.s0, dim);
  if (run.muon) muonMomentumInto(changetype<Muon>(run.muon), p); // the matrices' state is Muon's
  p += bytes;
  copyF64(p, run.state.s1, dim);
  p += bytes;
  copyF64(p, run.state.s2, dim);
  p += bytes;
  put(p, 0, run.lr);
  put(p, 1, run.state.scalar0);
  put(p, 2, run.state.scalar1);
}

function outOfBounds(run: Run): bool {
  for (let i = 0; i < run.dim; i++) {
    const v = at(run.x, i);
    if (v < at(run.bounds, 2 * i) || v > at(run.bounds, 2 * i + 1)) return true;
  }
  return false;
}

/** Takes up to `steps` steps; returns the run's status (STATUS_RUNNING while it can go on). */
export function advance(run: Run, steps: i32): i32 {
  for (let k = 0; k < steps && run.status == STATUS_RUNNING; k++) {
    const epoch = run.step;
    const lr = scheduledLr(run.schedule, epoch, run.lr, at(run.options, O_LR));
    run.lr = lr;
    let ok: bool;
    if (run.optimizer == OPT_LBFGS) {
      // LBFGS evaluates the (full) loss itself, as torch's closure, as often as its iterations need.
      ok = lbfgsStep(run.loss, run.dim, run.options, run.state, run.x, epoch + 1, lr);
    } else {
      if (run.h) evaluate(run.loss, run.x, run.g, run.h); // Newton, or a rule reading hess_diag or hvp
      stepGradient(run, epoch + 1);
      const muon = run.muon;
      if (muon) {
        // The schedule scales Muon's learning rate by the factor it applies to the other optimizer's.
        const base = at(run.options, O_LR);
        muonPrepare(changetype<Muon>(muon), run.x, run.g, base != 0 ? lr / base : 1.0);
      }
      ok = optimizerStep(run.optimizer, run.dim, run.options, run.state, run.x, run.g, run.h, epoch + 1, lr);
      if (muon) muonApply(changetype<Muon>(muon), run.x);
    }
    if (!ok) {
      run.status = STATUS_SINGULAR;
      break;
    }
    // One place for every optimizer (Muon and written ones included): frozen coordinates keep their values.
    if (run.frozen) restoreFrozen(changetype<Frozen>(run.frozen), run.x);
    if (run.project) projectOntoBox(run);
    run.step = epoch + 1;
    recordCurrent(run);
  }
  return run.status;
}
