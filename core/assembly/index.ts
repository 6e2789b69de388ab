// The core's exports. Pointers are byte offsets into the exported memory; f64 arrays are little-endian.
import { Loss, setTestSplit, createLoss, createNetworkLoss, createCustomLoss, createCustomDataLoss, createDataLoss, freeLoss, evaluate } from './losses';
import {
  Run, createRun, recordedRows, freeRun, advance, traceWidth, stateWidth, setStochastic, setProjection, setBreakpoints, resume, contextSize,
  logEvaluations, evaluationLog, evaluationCount, setMuon, setCustomOptimizer, setMetrics, setFrozen,
} from './run';
import { generateDataset, datasetColumns, generateFormulaDataset } from './datasets';
import { landscape, gradientField, gridMin, gridMax } from './landscape';
import { Network, initialize, networkEvalLoss as evalLoss, networkPredict as predict, evalAccuracy } from './network';

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}
export function free(ptr: usize): void {
  heap.free(ptr);
}

export function lossCreate(kind: i32, dim: i32, c0: f64, c1: f64): Loss {
  return createLoss(kind, dim, c0, c1);
}
export function lossCreateCustom(dim: i32, valueFn: i32, gradFn: i32, hessFn: i32, rowFn: i32): Loss {
  return createCustomLoss(dim, valueFn, gradFn, hessFn, rowFn);
}
/** The mean of a compiled per-sample loss over count samples of columns f64s, written by the caller at lossSamples. */
export function lossCreateCustomData(
  dim: i32, valueFn: i32, gradFn: i32, hessFn: i32, count: i32, columns: i32, dataOffset: i32,
): Loss {
  return createCustomDataLoss(dim, valueFn, gradFn, hessFn, count, columns, dataOffset);
}
/** A loss that is the mean over count generated samples (kind: linear or logistic regression). */
export function lossCreateData(kind: i32, count: i32, seed: f64, noise: f64): Loss {
  return createDataLoss(kind, count, <u64>seed, noise);
}
export function lossSamples(loss: Loss): usize { return loss.samples; }
export function lossSampleCount(loss: Loss): i32 { return loss.sampleCount; }
export function lossFree(loss: Loss): void {
  freeLoss(loss);
}
/** f(x); also the gradient at g and the Hessian at h when they are not 0. */
export function lossEvaluate(loss: Loss, x: usize, g: usize, h: usize): f64 {
  return evaluate(loss, x, g, h);
}

export function runCreate(
  loss: Loss, optimizer: i32, options: usize, schedule: usize, start: usize, maxSteps: i32,
  gradTol: f64, bounds: usize, recordState: bool, recordEvery: i32,
): Run {
  return createRun(loss, optimizer, options, schedule, start, maxSteps, gradTol, bounds, recordState, recordEvery);
}
export function runAdvance(run: Run, steps: i32): i32 {
  return advance(run, steps);
}
/** Advances each of count runs (pointers at runs) by up to steps. */
export function runAdvanceMany(runs: usize, count: i32, steps: i32): void {
  for (let i = 0; i < count; i++) advance(changetype<Run>(load<usize>(runs + (<usize>i << 2))), steps);
}
export function runSetStochastic(run: Run, batchSize: i32, replacement: bool, noise: f64, seed: f64): void {
  setStochastic(run, batchSize, replacement, noise, <u64>seed);
}
export function runSetProjection(run: Run, box: usize): void {
  setProjection(run, box);
}
/** count conditions compiled into one check function (a table index); modes and targets: i32 per breakpoint. */
export function runSetBreakpoints(run: Run, checkFn: i32, count: i32, modes: usize, targets: usize): void {
  setBreakpoints(run, checkFn, count, modes, targets);
}
/** An optimizer written in the optimizer language: its compiled step (a table index) and count states' initial values. */
export function runSetCustomOptimizer(run: Run, stepFn: i32, count: i32, inits: usize, hessian: bool, scratchVectors: i32, scalars: i32, randomSeed: f64): void {
  setCustomOptimizer(run, stepFn, count, inits, hessian, scratchVectors, scalars, randomSeed);
}
export function runResume(run: Run): void {
  resume(run);
}
/** The breakpoints that paused the run last (a bitmask), and each one's hit count. */
export function runPausedBy(run: Run): i32 {
  const b = run.breakpoints;
  return b ? b.pausedBy : 0;
}
export function runHits(run: Run): usize {
  const b = run.breakpoints;
  return b ? b.hits : 0;
}
/** The conditions that held at the last check (a bitmask; HIT_ON_CHANGE breakpoints compare with it). */
export function runBreakpointsHeld(run: Run): i32 {
  const b = run.breakpoints;
  return b ? b.held : 0;
}
/** Carries state over to new breakpoints: the conditions that held, and hit counts (i32 per breakpoint). */
export function runRestoreBreakpoints(run: Run, held: i32, hits: usize): void {
  const b = run.breakpoints;
  if (!b) return;
  b.held = held;
  memory.copy(b.hits, hits, <usize>b.count << 2);
}
export function runContextSize(dim: i32): i32 {
  return contextSize(dim);
}
export function runFree(run: Run): void {
  freeRun(run);
}
export function runStatus(run: Run): i32 { return run.status; }
export function runStep(run: Run): i32 { return run.step; }
export function runRows(run: Run): i32 { return run.rows; }
export function runTrace(run: Run): usize { return run.trace; }
export function runStateTrace(run: Run): usize { return run.stateTrace; }
export function runTraceWidth(dim: i32): i32 { return traceWidth(dim); }
export function runRecordedRows(maxSteps: i32, every: i32): i32 { return recordedRows(maxSteps, every); }
export function runStateWidth(dim: i32): i32 { return stateWidth(dim); }
/** L-BFGS's loss evaluations inside its steps: kept (up to limit) from the next step on, rows of [step, x..., loss]. */
export function runLogEvaluations(run: Run, limit: i32): void { logEvaluations(run, limit); }
export function runEvaluations(run: Run): usize { return evaluationLog(run); }
export function runEvaluationCount(run: Run): i32 { return evaluationCount(run); }

export function landscapeGrid(
  loss: Loss, x0: f64, x1: f64, y0: f64, y1: f64, nx: i32, ny: i32, out: usize, point: usize,
): void {
  landscape(loss, x0, x1, y0, y1, nx, ny, out, point);
}
export function landscapeMin(): f64 { return gridMin; }
export function landscapeMax(): f64 { return gridMax; }
export function landscapeGradient(
  loss: Loss, x0: f64, x1: f64, y0: f64, y1: f64, nx: i32, ny: i32, out: usize, point: usize, grad: usize,
): void {
  gradientField(loss, x0, x1, y0, y1, nx, ny, out, point, grad);
}

// Math for compiled custom losses (imported by them as math.<name>).
export function math_exp(x: f64): f64 { return Math.exp(x); }
export function math_expm1(x: f64): f64 { return Math.expm1(x); }
export function math_log(x: f64): f64 { return Math.log(x); }
export function math_log1p(x: f64): f64 { return Math.log1p(x); }
export function math_log2(x: f64): f64 { return Math.log2(x); }
export function math_log10(x: f64): f64 { return Math.log10(x); }
export function math_sin(x: f64): f64 { return Math.sin(x); }
export function math_cos(x: f64): f64 { return Math.cos(x); }
export function math_tan(x: f64): f64 { return Math.tan(x); }
export function math_asin(x: f64): f64 { return Math.asin(x); }
export function math_acos(x: f64): f64 { return Math.acos(x); }
export function math_atan(x: f64): f64 { return Math.atan(x); }
export function math_sinh(x: f64): f64 { return Math.sinh(x); }
export function math_cosh(x: f64): f64 { return Math.cosh(x); }
export function math_tanh(x: f64): f64 { return Math.tanh(x); }
export function math_cbrt(x: f64): f64 { return Math.cbrt(x); }
export function math_atan2(y: f64, x: f64): f64 { return Math.atan2(y, x); }
export function math_pow(x: f64, y: f64): f64 { return Math.pow(x, y); }
export function math_hypot(x: f64, y: f64): f64 { return Math.hypot(x, y); }

// Networks (network.ts): a loss of dimension = the parameter count, its initialization and eval-mode evaluation.
/** widths: i32 x (layers + 1); count samples of widths[0] inputs then targets columns (the caller fills lossSamples). */
export function lossCreateNetwork(
  layers: i32, widths: usize, activation: i32, lossKind: i32, batchnorm: bool, residual: bool, count: i32, targets: i32,
): Loss {
  return createNetworkLoss(layers, widths, activation, lossKind, batchnorm, residual, count, targets);
}
/** Writes dim initial parameters at out (scheme: INIT_*; scale: the std or the constant). */
export function networkInitialize(loss: Loss, scheme: i32, scale: f64, seed: f64, out: usize): void {
  initialize(changetype<Network>(loss.network), scheme, scale, <u64>seed, out);
}
/** A run's BN running statistics (running means, then variances; 0 without BN). */
export function runRunningStats(run: Run): usize { return run.running; }
/** Eval mode: the mean loss over count samples from first at parameters x, BN with the running statistics at stats. */
export function networkEvalLoss(loss: Loss, first: i32, count: i32, x: usize, stats: usize): f64 {
  return evalLoss(changetype<Network>(loss.network), loss.samples, loss.columns, first, count, x, stats);
}
/** The accuracy of the last networkEvalLoss (NaN for an mse network). */
export function networkEvalAccuracy(): f64 { return evalAccuracy; }
/** Eval mode: the outputs (count x last width, at out) for count rows of inputs. */
export function networkPredict(loss: Loss, inputs: usize, count: i32, x: usize, stats: usize, out: usize): void {
  predict(changetype<Network>(loss.network), inputs, count, x, stats, out);
}
/** Muon (options: MUON_SLOTS f64, muon.ts) on the weight matrices of every Linear but the last of the run's network. */
export function runSetMuon(run: Run, options: usize): void {
  setMuon(run, options);
}

// Generated data sets (datasets.ts) and test splits.
/** Writes count rows of a generated set (kind: DATASET_*; a, b: its parameters) at out. */
export function datasetGenerate(kind: i32, count: i32, seed: f64, noise: f64, a: f64, b: i32, out: usize): void {
  generateDataset(kind, count, <u64>seed, noise, a, b, out);
}
export function datasetWidth(kind: i32, b: i32): i32 { return datasetColumns(kind, b); }
/** Writes count rows of inputs (uniform in ranges: lo, hi pairs) and the label computed by a compiled function (fn). */
export function datasetFormula(inputs: i32, ranges: usize, count: i32, seed: f64, fn: i32, condition: bool, out: usize): void {
  generateFormulaDataset(inputs, ranges, count, <u64>seed, fn, condition, out);
}
/** The last count samples of a data-backed loss become its test split (once, after its samples are written). */
export function lossSetTestSplit(loss: Loss, count: i32): void {
  setTestSplit(loss, count);
}
/** Test metrics every `every` steps (0: off); see run.ts setMetrics. */
export function runSetMetrics(run: Run, every: i32): void {
  setMetrics(run, every);
}
/** Rows of [test loss, test accuracy, train accuracy], one per trace row (NaN where not measured), or 0. */
export function runMetrics(run: Run): usize { return run.metrics; }

// Network paths (networkPaths.ts): loss profiles along lines and Bezier curves, training a bend, permutations, weight matching.
import {
  BendTrainer, curveProfile, createBendTrainer, advanceBend, freeBendTrainer, permuteHidden, linearAssignment as assign, matchWeights,
} from './networkPaths';
/** Per point of n along the line a-b (c = 0) or the Bezier curve a-c-b: train loss, test loss, train and test accuracy. */
export function networkCurveProfile(loss: Loss, a: usize, b: usize, c: usize, n: i32, out: usize): void {
  curveProfile(loss, a, b, c, n, out);
}
export function bendCreate(loss: Loss, a: usize, b: usize, c: usize, optimizer: i32, options: usize, seed: f64): BendTrainer {
  return createBendTrainer(loss, a, b, c, optimizer, options, <u64>seed);
}
/** Advances the bend by steps; returns the mean sampled loss. */
export function bendAdvance(trainer: BendTrainer, steps: i32): f64 { return advanceBend(trainer, steps); }
export function bendPoint(trainer: BendTrainer): usize { return trainer.c; }
export function bendFree(trainer: BendTrainer): void { freeBendTrainer(trainer); }
/** out = x with the hidden units permuted (perms: i32 per hidden unit, layer by layer). */
export function networkPermute(loss: Loss, x: usize, perms: usize, out: usize): void {
  permuteHidden(changetype<Network>(loss.network), loss.dim, x, perms, out);
}
/** The least-cost assignment of an n x n cost matrix (i32 column per row at out); returns its cost. */
export function linearAssignment(n: i32, cost: usize, out: usize): f64 { return assign(n, cost, out); }
/** Weight matching of b to a: the permutations at perms; returns the sweeps taken. */
export function networkMatchWeights(loss: Loss, a: usize, b: usize, perms: usize, maxSweeps: i32): i32 {
  return matchWeights(changetype<Network>(loss.network), a, b, perms, maxSweeps);
}

// Network layer statistics (networkStats.ts): activations, gradients and weight histograms per layer.
import { layerStats } from './networkStats';
/**
 * Per Linear layer of a network loss, at parameters x over its training samples (train mode): LAYER_STAT_HEAD + bins
 * values at out (networkStats.ts). Returns the mean training loss.
 */
export function networkLayerStats(loss: Loss, x: usize, bins: i32, out: usize): f64 {
  return layerStats(changetype<Network>(loss.network), loss.dim, loss.samples, loss.columns, loss.sampleCount, x, bins, out);
}

// Network landscapes (networkLandscape.ts): filter-normalized directions, slices, Hessian and PCA directions, sharpness.
import {
  filterNormalizedDirection, sliceRows, hessianRounds, hessianMatrix, randomSubspace, centerPath, pathCovarianceRounds, projectOnPlane, ballSharpness,
} from './networkLandscape';
export function netscapeDirection(loss: Loss, theta: usize, seed: f64, out: usize): void {
  filterNormalizedDirection(loss, theta, <u64>seed, out);
}
/** Rows [rowFirst, rowFirst + rowCount) of L(theta + a d1 + b d2) on an nx-wide grid (b outer) at out. */
export function netscapeSliceRows(
  loss: Loss, theta: usize, d1: usize, d2: usize, a0: f64, da: f64, nx: i32, b0: f64, db: f64, rowFirst: i32, rowCount: i32, out: usize, point: usize,
): void {
  sliceRows(loss, theta, d1, d2, a0, da, nx, b0, db, rowFirst, rowCount, out, point);
}
export function netscapeRandomSubspace(k: i32, dim: i32, seed: f64, v: usize): void {
  randomSubspace(k, dim, <u64>seed, v);
}
export function netscapeHessianRounds(
  loss: Loss, x: usize, step: f64, k: i32, rounds: i32, v: usize, values: usize, w: usize, point: usize, gMinus: usize,
): f64 {
  return hessianRounds(loss, x, step, k, rounds, v, values, w, point, gMinus);
}
export function netscapeCenterPath(rows: usize, count: i32, dim: i32, center: usize, mean: usize): f64 {
  return centerPath(rows, count, dim, center, mean);
}
export function netscapePathRounds(rows: usize, count: i32, dim: i32, k: i32, rounds: i32, v: usize, values: usize, w: usize): f64 {
  return pathCovarianceRounds(rows, count, dim, k, rounds, v, values, w);
}
export function netscapeProject(rows: usize, count: i32, dim: i32, center: usize, d1: usize, d2: usize, out: usize): void {
  projectOnPlane(rows, count, dim, center, d1, d2, out);
}
export function netscapeBallSharpness(loss: Loss, theta: usize, radius: f64, samples: i32, seed: f64, d: usize, point: usize): f64 {
  return ballSharpness(loss, theta, radius, samples, <u64>seed, d, point);
}
/** A small network's whole Hessian by central differences of its exact gradient (networkLandscape.ts hessianMatrix). */
export function networkHessian(loss: Loss, x: usize, step: f64, out: usize, v: usize, col: usize, point: usize, gMinus: usize): void {
  hessianMatrix(loss, x, step, out, v, col, point, gMinus);
}

// Frozen parameters (frozen.ts): mask is dim f64, non-zero where a coordinate keeps its current value.
export function runSetFrozen(run: Run, mask: usize): void {
  setFrozen(run, mask);
}

// Batch norm lesson: noisy BN (bnNoise.ts, network.ts) and the smoothness along the gradient (smoothness.ts).
import { setBnNoise } from './network';
import { gradientDirectionVariation } from './smoothness';
export function networkSetBnNoise(loss: Loss, scale: f64, seed: f64): void {
  setBnNoise(changetype<Network>(loss.network), scale, <u64>seed);
}
export function lossGradientVariation(loss: Loss, x: usize, etaMax: f64, count: i32, g0: usize, point: usize, g: usize, out: usize): f64 {
  return gradientDirectionVariation(loss, x, etaMax, count, g0, point, g, out);
}

// Per-step losses (run.ts setStepLosses): every step's [loss, gradNorm] beside parameters kept every k-th step.
import { setStepLosses } from './run';
export function runSetStepLosses(run: Run): void {
  setStepLosses(run);
}
export function runStepLosses(run: Run): usize { return run.stepLosses; }
export function runStepLossCount(run: Run): i32 { return run.stepLossCount; }

// Recorded BN running statistics (run.ts runningTrace): a row of runningWidth per trace row, or 0 without batch norm.
import { runningWidth } from './run';
export function runRunningTrace(run: Run): usize { return run.runningTrace; }
export function runRunningWidth(run: Run): i32 { return runningWidth(run); }

// Edge-popup, the strong lottery ticket (edgePopup.ts): a random network's top-k subnetwork by learned scores.
import { edgePopupMask, edgePopupStep } from './edgePopup';
export function edgePopupMasked(dim: i32, start: usize, scores: usize, layer: usize, layers: i32, keep: f64, masked: usize, scratch: usize): i32 {
  return edgePopupMask(dim, start, scores, layer, layers, keep, masked, scratch);
}
export function edgePopupTrainStep(loss: Loss, start: usize, scores: usize, layer: usize, layers: i32, keep: f64, lr: f64, masked: usize, g: usize, scratch: usize): f64 {
  return edgePopupStep(loss, start, scores, layer, layers, keep, lr, masked, g, scratch);
}
