// The engine: validates requests, resolves losses, and drives runs and landscapes in the core.
import { stopIfCancelled, yieldToEventLoop } from './cancelPoints';
import type { NetworkSmoothnessRequest, SmoothnessPoint } from '../shared/batchnorm';
import { MAX_SMOOTHNESS_POINTS, MAX_SMOOTHNESS_STEPS, smoothnessAt } from './smoothness';
import type {
  BreakpointSpec, CancelSignal, EngineMemory, LandscapeRequest, LandscapeResult, LossInfo, NetworkLayerStatsRequest, NetworkLayerStatsResult, NetworkOutputRequest, NetworkOutputResult,
  OptimizerInfo, RunsChunk, RunSpec, RunStatus, RunsRequest, RunTrace, SessionAdvance, SessionBreakpoint, SessionOpened, SessionRequest,
  SessionUpdate, StochasticSpec, StopSpec, TraceChunk, TraceRequest, TraceResult, WorkerEngine,
} from '../shared/engineApi';
import { METRICS_WIDTH } from '../shared/engineApi';
import { EngineSession } from './session';
import { Core, type CustomLossData } from './core';
import { BUILTIN_LOSSES, builtinLossInfo, isBuiltinLoss, resolveLossParams } from './losses';
import { packOptimizer, packSchedule, optimizerInfos, type PackedOptimizer } from './optimizers';
import { Activation, HitMode, InitScheme, LossId, NetworkLossId, OptimizerId, OptionSlot, STATUS_NAMES, STATUS_RUNNING } from './layout';
import { networkTargets, type NetworkSpec } from '../shared/network';
import { DEFAULT_WEIGHT_BINS, layerStatsAt, MAX_STATS_POINTS, MAX_WEIGHT_BINS } from './networkStats';
import { frozenMask } from '../shared/freeze';
import { packMuon, type PackedMuon } from './muon';
import { formatBytes } from './limits';
import { LIMITS } from '../shared/limits';
import { describeValue, excerpt } from './describe';
import { LruCache, type Lease } from './cache';
import { alignNetworks, networkPath, permuteNetwork, trainBend } from './networkPaths';
import type {
  BendProgress, BendRequest, BendResult, NetworkAlignRequest, NetworkAlignResult, NetworkPathRequest, NetworkPathResult, NetworkPermuteRequest,
} from '../shared/networkPaths';
import { centralDifferenceStep, networkLandscape, networkSharpness } from './networkLandscape';
import { edgePopupTrain } from './edgePopup';
import { withNetworkOptions } from '../shared/networkEdits';
import { effectiveStochastic } from '../shared/stochastic';
import type { EdgePopupProgress, EdgePopupRequest, EdgePopupResult } from '../shared/edgePopup';
import type {
  NetworkLandscapeProgress, NetworkLandscapeRequest, NetworkLandscapeResult, NetworkSharpnessRequest, NetworkSharpnessResult,
} from '../shared/networkLandscape';
import { isOptimizerSource, packCustom, type CompiledCustomOptimizer, type OptimizerCompiler } from './customOptimizers';
import {
  ConditionCompiler, compileOrThrow, contextNames, customStateNames, METRIC_NAMES, muonStateNames, normalizeBreakpoints, optimizerStateNames, parseHitCondition,
} from './breakpoints';

const ADVANCE_CHUNK = 4096;
/** Streamed runs: the first chunk's steps (on screen at once), each next chunk this factor bigger, up to the last size. */
export const STREAM_CHUNK_STEPS = { first: 200, growth: 4, most: 16_384 };
/** Steps between cancel checks of runs given a signal (a study's runs in the worker). */
const CANCEL_CHECK_STEPS = 200;
/** Compiled optimizers kept for their next run (each a few kilobytes of module and names). */
const COMPILED_OPTIMIZERS_KEPT = 64;
/** Compiled code and bookkeeping of one linked module, beside its wasm bytes (measured: ~20 KB per small loss). */
const MODULE_OVERHEAD_BYTES = 16 * 1024;

/** Turns an expression into a loss the core can run; supplied once the loss language is linked in. */
export type ExpressionCompiler = (text: string) => Promise<CompiledExpression>;
export interface CompiledExpression {
  info: LossInfo;
  /** The compiled loss; absent for a network (info.network), which the core computes. */
  wasm?: Uint8Array<ArrayBuffer> | WebAssembly.Module;
  /** A per-sample loss's samples (the loss is their mean). */
  data?: CustomLossData;
}

interface ResolvedLoss {
  handle: number;
  info: LossInfo;
  /** Table slots of a compiled loss's functions. */
  functions: number[];
  /** Estimated bytes held: core memory and compiled code. */
  bytes: number;
}

interface LinkedCheck {
  index: number;
  bytes: number;
}

/** A run's optimizer written in the optimizer language: compiled for its options, its step linked in the core's table. */
interface CustomRunOptimizer {
  compiled: CompiledCustomOptimizer;
  step: Lease<LinkedCheck>;
  /** The step's table index. */
  index: number;
}

function fail(message: string): never {
  throw new Error(message);
}

function checkNumberList(value: unknown, what: string, length?: number): number[] {
  // Every index, holes included (every() would skip them).
  const finite = (list: unknown[]) => Array.from(list, (v) => typeof v === 'number' && Number.isFinite(v)).every(Boolean);
  if (!Array.isArray(value) || !finite(value)) {
    fail(`${what} must be a list of finite numbers, got ${describeValue(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    fail(`${what} needs ${length} number${length === 1 ? '' : 's'}, got ${value.length}`);
  }
  return value as number[];
}

function checkSteps(steps: unknown): number {
  const { maxSteps } = LIMITS;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0 || steps > maxSteps) {
    fail(`steps must be an integer from 0 to ${maxSteps}, got ${describeValue(steps)}`);
  }
  return steps;
}

function checkRecordEvery(every: unknown, breakpoints: unknown): number {
  if (every === undefined) return 1;
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1 || every > LIMITS.maxSteps) {
    fail(`recordEvery must be an integer from 1 to ${LIMITS.maxSteps}, got ${describeValue(every)}`);
  }
  if (every > 1 && Array.isArray(breakpoints) && breakpoints.length > 0) {
    fail('recordEvery above 1 cannot be combined with breakpoints (a breakpoint may stop a run at any step)');
  }
  return every;
}

/** A network's outputs (count x k logits) as one value per point (see NetworkOutputResult). */
function reduceOutputs(outputs: Float64Array, count: number, k: number, loss: NetworkSpec['loss']): NetworkOutputResult {
  const values = new Float64Array(count);
  if (loss === 'mse') {
    for (let p = 0; p < count; p++) values[p] = outputs[p * k];
    return { values, outputs: k };
  }
  const confidence = new Float64Array(count);
  if (loss === 'bce') {
    for (let p = 0; p < count; p++) {
      const z = outputs[p * k];
      // The logistic function without overflow for large |z|.
      const probability = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      values[p] = probability;
      confidence[p] = Math.max(probability, 1 - probability);
    }
    return { values, confidence, outputs: k };
  }
  for (let p = 0; p < count; p++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (outputs[p * k + c] > outputs[p * k + best]) best = c;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(outputs[p * k + c] - outputs[p * k + best]);
    values[p] = best;
    confidence[p] = 1 / sum;
  }
  return { values, confidence, outputs: k };
}

function checkRange(value: unknown, axis: string): [number, number] {
  const [lo, hi] = checkNumberList(value, `The ${axis} range`, 2);
  if (!(lo < hi)) fail(`The ${axis} range must have its lower end first, got [${lo}, ${hi}]`);
  if (!Number.isFinite(hi - lo)) fail(`The ${axis} range is too wide: its width must be a finite number, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** How a run set came to be and what it holds, for the engine's bookkeeping. */
interface RunSetHoldings {
  recordEvery: number;
  /** Estimated core bytes of its runs (counted against LIMITS.recordedBytes). */
  bytes: number;
  loss: Lease<ResolvedLoss>;
  /** The linked steps of its runs' optimizers written in the optimizer language. */
  customSteps?: Lease<LinkedCheck>[];
  onDispose(set: RunSet): void;
}

/** One run set: several runs on one loss, advanced together; their traces are views on core memory. */
export class RunSet {
  private disposed = false;
  /** Each run's compiled breakpoint check, held while the run uses it. */
  private readonly checks: (Lease<LinkedCheck> | undefined)[];

  constructor(
    private readonly core: Core,
    readonly loss: LossInfo,
    readonly runs: {
      handle: number; spec: RunSpec; label: string; stateNames?: string[]; breakpoints: number; conditionNames: string[];
      /** The core's optimizer (OptimizerId; a Muon run: its rest's, a written one: OptimizerId.custom). */
      optimizerId: number;
      /** Steps between measured metrics (0: the loss has none). */
      metricsEvery: number;
    }[],
    private readonly handles: number,
    readonly holdings: RunSetHoldings,
  ) {
    this.checks = runs.map(() => undefined);
  }

  /** Keeps run i's check (its breakpoints now use it) and lets the one before go. */
  holdCheck(i: number, check: Lease<LinkedCheck> | undefined): void {
    this.checks[i]?.release();
    this.checks[i] = check;
  }

  /**
   * Advances every unfinished run by up to steps, in chunks (wasm has no on-stack replacement, so a
   * long first call would stay in the baseline tier). Returns true while any run can go on.
   */
  advance(steps: number): boolean {
    for (let done = 0; done < steps; done += ADVANCE_CHUNK) {
      this.core.exports.runAdvanceMany(this.handles, this.runs.length, Math.min(ADVANCE_CHUNK, steps - done));
    }
    return this.runs.some((r) => this.core.exports.runStatus(r.handle) === STATUS_RUNNING);
  }

  /** Advances run i alone by up to steps (resuming it first when paused). */
  advanceRun(i: number, steps: number): RunStatus {
    const { handle } = this.runs[i];
    this.core.exports.runResume(handle);
    for (let done = 0; done < steps && this.status(i) === 'running'; done += ADVANCE_CHUNK) {
      this.core.exports.runAdvance(handle, Math.min(ADVANCE_CHUNK, steps - done));
    }
    return this.status(i);
  }

  status(i: number): RunStatus {
    return STATUS_NAMES[this.core.exports.runStatus(this.runs[i].handle)];
  }

  /** Lets a paused run go on with the next advance. */
  resume(i: number): void {
    this.core.exports.runResume(this.runs[i].handle);
  }

  /** The run's trace so far: a view on core memory, valid until the next advance or dispose. */
  view(i: number): RunTrace {
    const { exports } = this.core;
    const { handle, spec, label, stateNames, breakpoints, optimizerId } = this.runs[i];
    const dim = this.loss.dim;
    const rowCount = exports.runRows(handle);
    const evaluations = optimizerId === OptimizerId.lbfgs ? exports.runEvaluationCount(handle) : 0;
    const stateTrace = exports.runStateTrace(handle);
    const metrics = exports.runMetrics(handle);
    const stepLosses = exports.runStepLosses(handle);
    const running = exports.runRunningTrace(handle);
    const runningWidth = running ? exports.runRunningWidth(handle) : 0;
    return {
      label,
      optimizer: spec.optimizer,
      dim,
      rows: this.core.f64(exports.runTrace(handle), rowCount * exports.runTraceWidth(dim)),
      rowCount,
      recordEvery: this.holdings.recordEvery,
      status: this.status(i),
      stoppedAt: exports.runStep(handle),
      state: stateTrace ? this.core.f64(stateTrace, rowCount * exports.runStateWidth(dim)) : undefined,
      stateNames,
      ...(metrics ? { metrics: this.core.f64(metrics, rowCount * METRICS_WIDTH), metricsEvery: this.runs[i].metricsEvery } : {}),
      ...(stepLosses ? { losses: this.core.f64(stepLosses, 2 * exports.runStepLossCount(handle)) } : {}),
      ...(running ? { running: this.core.f64(running, rowCount * runningWidth), runningWidth } : {}),
      ...(optimizerId === OptimizerId.lbfgs
        ? { evaluations: evaluations > 0 ? this.core.f64(exports.runEvaluations(handle), evaluations * (dim + 2)) : new Float64Array(0) } : {}),
      ...(breakpoints > 0 ? this.breakpointState(handle, breakpoints) : {}),
    };
  }

  private breakpointState(handle: number, count: number): { pausedBy: number[]; hits: number[] } {
    const { exports } = this.core;
    const mask = exports.runPausedBy(handle);
    const paused = STATUS_NAMES[exports.runStatus(handle)] === 'paused';
    return {
      pausedBy: paused ? Array.from({ length: count }, (_, b) => b).filter((b) => mask & (1 << b)) : [],
      hits: Array.from(new Int32Array(exports.memory.buffer, exports.runHits(handle), count)),
    };
  }

  /** Run i's breakpoint state: the conditions that held at the last check (bit k: breakpoint k) and hit counts. */
  breakpointMemory(i: number): { held: number; hits: number[] } {
    const { handle, breakpoints } = this.runs[i];
    const { exports } = this.core;
    if (breakpoints === 0) return { held: 0, hits: [] };
    return { held: exports.runBreakpointsHeld(handle), hits: Array.from(new Int32Array(exports.memory.buffer, exports.runHits(handle), breakpoints)) };
  }

  /** Sets run i's breakpoint state (after new breakpoints, to carry the old ones' over). */
  restoreBreakpoints(i: number, held: number, hits: number[]): void {
    const { handle, breakpoints } = this.runs[i];
    if (breakpoints === 0) return;
    const ptr = this.core.alloc(4 * breakpoints);
    new Int32Array(this.core.exports.memory.buffer, ptr, breakpoints).set(hits.slice(0, breakpoints));
    this.core.exports.runRestoreBreakpoints(handle, held, ptr);
    this.core.release(ptr);
  }

  /** A network run's batch-norm running statistics (running means, then running variances, per hidden unit), copied. */
  runningStats(i: number): Float64Array | undefined {
    const stats = this.core.exports.runRunningStats(this.runs[i].handle);
    const units = this.loss.network ? this.loss.network.widths.slice(1, -1).reduce((a, b) => a + b, 0) : 0;
    return stats ? this.core.f64(stats, 2 * units).slice() : undefined;
  }

  /**
   * A network's mean loss over its samples in eval mode (batch norm with run i's running statistics) at params (by
   * default the run's last recorded parameters): the shape of test metrics.
   */
  async evalLoss(i: number, params?: number[]): Promise<number> {
    if (!this.loss.network) fail('evalLoss is for networks');
    const { handle: loss } = await this.holdings.loss.value;
    const view = this.view(i);
    const dim = this.loss.dim;
    const point = params ?? Array.from(view.rows.subarray((view.rowCount - 1) * (dim + 2), (view.rowCount - 1) * (dim + 2) + dim));
    const x = this.core.allocF64(dim, checkNumberList(point, 'params', dim));
    try {
      return this.core.exports.networkEvalLoss(loss, 0, this.loss.data!.count, x, this.core.exports.runRunningStats(this.runs[i].handle));
    } finally {
      this.core.release(x);
    }
  }

  /**
   * A copy of the rows [from, rowCount) of a run (and of their state), with the run's status; L-BFGS: its evaluations
   * from index evaluationsFrom on; per-step losses (RunsRequest.stepLosses) from step lossFrom on.
   */
  chunk(i: number, from: number, evaluationsFrom = 0, lossFrom = 0): TraceChunk {
    const view = this.view(i);
    const width = view.dim + 2;
    const stateWidth = this.core.exports.runStateWidth(view.dim);
    return {
      ...view,
      from,
      rows: view.rows.slice(from * width, view.rowCount * width),
      state: view.state?.slice(from * stateWidth, view.rowCount * stateWidth),
      metrics: view.metrics?.slice(from * METRICS_WIDTH, view.rowCount * METRICS_WIDTH),
      running: view.running?.slice(from * view.runningWidth!, view.rowCount * view.runningWidth!),
      evaluations: view.evaluations?.slice(evaluationsFrom * width),
      ...(view.losses ? { losses: view.losses.slice(2 * lossFrom), lossFrom } : {}),
    };
  }

  /** A copy of the run's trace that outlives this set. */
  snapshot(i: number): RunTrace {
    const view = this.view(i);
    return { ...view, rows: view.rows.slice(), state: view.state?.slice(), metrics: view.metrics?.slice(), evaluations: view.evaluations?.slice(), losses: view.losses?.slice(), running: view.running?.slice() };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const run of this.runs) this.core.exports.runFree(run.handle);
    this.core.release(this.handles);
    this.checks.forEach((check) => check?.release());
    this.holdings.loss.release();
    this.holdings.customSteps?.forEach((step) => step.release());
    this.holdings.onDispose(this);
  }
}

/** Numbers per recorded row of a run's batch-norm running statistics (RunTrace.running): 2 x the hidden units, or 0. */
function runningWidth(info: LossInfo): number {
  const spec = info.network;
  return spec?.batchnorm ? 2 * spec.widths.slice(1, -1).reduce((a, b) => a + b, 0) : 0;
}

/** Whether runs on the loss measure metrics: a test split, or a classifier network (train accuracy). */
function hasMetrics(info: LossInfo): boolean {
  return (info.network !== undefined && info.network.loss !== 'mse') || (info.data?.testCount ?? 0) > 0;
}

/**
 * The steps between measured metrics (0: none): the request's, or the smallest k at which measuring (eval forwards over
 * the test split, and over the training samples for a classifier's accuracy) costs at most one training forward (a
 * batch) per step; a multiple of recordEvery, so that every measured row is kept.
 */
function metricsInterval(info: LossInfo, batchSize: number | undefined, recordEvery: number, requested: unknown): number {
  if (!hasMetrics(info)) return 0;
  let every: number;
  if (requested !== undefined) {
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > LIMITS.maxSteps) {
      fail(`metricsEvery must be an integer from 1 to ${LIMITS.maxSteps}, got ${describeValue(requested)}`);
    }
    every = requested;
  } else {
    const { count, testCount = 0 } = info.data!;
    const classifier = info.network !== undefined && info.network.loss !== 'mse';
    const evaluated = testCount + (classifier ? count : 0);
    every = Math.max(1, Math.ceil(evaluated / (batchSize || count)));
  }
  return Math.ceil(every / recordEvery) * recordEvery;
}

/** The core bytes of a built-in or compiled loss (its samples, weights and per-sample buffers); see core/assembly/losses.ts. */
function lossCoreBytes(info: LossInfo, custom: boolean): number {
  const samples = info.data ? (info.data.count + (info.data.testCount ?? 0)) * info.data.columns.length * 8 : 0;
  const perSample = custom && info.data ? 8 * (info.dim * info.dim + info.dim + 256) : 0;
  return 128 + samples + perSample + 8 * info.dim;
}

/**
 * Rows of [...params, loss] out of a run's recorded [...params, loss, gradNorm] rows, as JavaScript arrays. Plain
 * loops into preallocated arrays: a subarray and Array.from per row cost three to five times as much.
 */
export function trajectoryRows(rows: Float64Array, rowCount: number, dim: number): number[][] {
  const width = dim + 2;
  const trajectory: number[][] = new Array(rowCount);
  for (let r = 0, offset = 0; r < rowCount; r++, offset += width) {
    const row: number[] = new Array(dim + 1);
    for (let k = 0; k <= dim; k++) row[k] = rows[offset + k];
    trajectory[r] = row;
  }
  return trajectory;
}

/** The named columns of a run's recorded state, a row per trajectory row. */
function stateColumns(run: RunTrace, names: string[]): number[][] {
  const { state, stateNames = [], rowCount } = run;
  const width = stateNames.length;
  const columns = names.map((name) => stateNames.indexOf(name));
  return Array.from({ length: rowCount }, (_, r) => columns.map((c) => state![r * width + c]));
}

export class WasmEngine implements WorkerEngine {
  private readonly lossCache = new LruCache<ResolvedLoss>(
    LIMITS.lossCache, (loss) => loss.bytes, (loss) => this.core.freeLoss(loss.handle, loss.functions),
  );
  private readonly checkCache = new LruCache<LinkedCheck>(
    LIMITS.conditionCache, (check) => check.bytes, (check) => this.core.unlink([check.index]),
  );
  /** The last compiled optimizers by text and options (a learning-rate sweep compiles its optimizer once). */
  private readonly compiledOptimizers = new Map<string, CompiledCustomOptimizer>();
  private readonly stepCache = new LruCache<LinkedCheck>(
    LIMITS.conditionCache, (step) => step.bytes, (step) => this.core.unlink([step.index]),
  );
  private readonly runSets = new Set<RunSet>();
  /** Core bytes of the open run sets' runs. */
  private recorded = 0;

  constructor(
    private readonly core: Core,
    private readonly compileExpression?: ExpressionCompiler,
    private readonly compileConditions?: ConditionCompiler,
    private readonly compileOptimizer?: OptimizerCompiler,
  ) {}

  losses(): LossInfo[] {
    return Object.keys(BUILTIN_LOSSES).map((name) => builtinLossInfo(name, resolveLossParams(name, undefined)));
  }

  optimizers(): OptimizerInfo[] {
    return optimizerInfos();
  }

  /** What the engine holds now: its wasm memory, recorded runs and caches. */
  memory(): EngineMemory {
    return {
      wasmBytes: this.core.exports.memory.buffer.byteLength,
      recordedBytes: this.recorded,
      runSets: this.runSets.size,
      sessions: this.sessions.size,
      landscapeBytes: this.grid.count * 8,
      losses: this.lossCache.usage(),
      conditions: this.checkCache.usage(),
      optimizers: this.stepCache.usage(),
    };
  }

  async lossInfo(loss: string, lossParams?: Record<string, number>): Promise<LossInfo> {
    return this.withLoss(loss, lossParams, ({ info }) => info);
  }

  /** Evaluates the loss, gradient and Hessian at a point. */
  async evaluate(loss: string, point: number[], lossParams?: Record<string, number>) {
    return this.withLoss(loss, lossParams, ({ handle, info }) => {
      checkNumberList(point, 'The point', info.dim);
      const n = info.dim;
      if (!info.network && n > LIMITS.maxHessianParams) {
        fail(`evaluate returns the ${n} x ${n} Hessian: at most ${LIMITS.maxHessianParams} parameters, this loss has ${n}`);
      }
      // A network's Hessian only up to networkHessianParams (built from 2 x n gradient evaluations), else none.
      const hessianSize = !info.network ? n * n : n <= LIMITS.networkHessianParams ? n * n : 0;
      const x = this.core.allocF64(n, point);
      const g = this.core.allocF64(n);
      const h = this.core.allocF64(Math.max(1, hessianSize));
      const scratch = info.network && hessianSize > 0 ? [0, 1, 2, 3].map(() => this.core.allocF64(n)) : [];
      try {
        const value = this.core.exports.lossEvaluate(handle, x, g, info.network ? 0 : h);
        if (scratch.length > 0) {
          const [v, column, moved, gMinus] = scratch;
          this.core.exports.networkHessian(handle, x, centralDifferenceStep(point), h, v, column, moved, gMinus);
        }
        return { value, gradient: Array.from(this.core.f64(g, n)), hessian: Array.from(this.core.f64(h, hessianSize)) };
      } finally {
        this.core.release(x, g, h, ...scratch);
      }
    });
  }

  async trace(request: TraceRequest): Promise<TraceResult> {
    if (request === null || typeof request !== 'object') fail('trace needs a request object');
    // ASGD's averaged iterate is state: recorded for its trajectory
    const averaging = request.optimizer === 'asgd';
    const set = await this.createRuns({
      loss: request.loss,
      lossParams: request.lossParams,
      steps: request.steps,
      stop: request.stop,
      runs: [{
        optimizer: request.optimizer, options: request.options, start: request.start, schedule: request.schedule,
        stochastic: request.stochastic, project: request.project, freeze: request.freeze, initSeed: request.initSeed,
      }],
      breakpoints: request.breakpoints,
      recordEvery: request.recordEvery,
      metricsEvery: request.metricsEvery,
      recordState: averaging,
    }, { maxValues: LIMITS.maxTraceValues });
    try {
      const { handle, optimizerId } = set.runs[0];
      const dim = set.loss.dim;
      const logs = optimizerId === OptimizerId.lbfgs;
      if (logs) this.core.exports.runLogEvaluations(handle, Math.floor(LIMITS.maxTraceValues / (dim + 2)));
      set.advance(request.steps);
      const run = set.view(0);
      const { rows, rowCount } = run;
      const trajectory = trajectoryRows(rows, rowCount, dim);
      const gradNorm: number[] = new Array(rowCount);
      for (let r = 0; r < rowCount; r++) gradNorm[r] = rows[r * (dim + 2) + dim + 1];
      const result: TraceResult = { trajectory, status: run.status, stoppedAt: run.stoppedAt, gradNorm };
      if (run.status === 'paused') result.pausedBy = run.pausedBy;
      if (logs) result.evaluations = this.innerEvaluations(handle, dim);
      if (averaging) result.averaged = stateColumns(run, set.loss.params.map((p) => `ax_${p}`));
      if (run.metrics) {
        const column = (c: number) => Array.from({ length: rowCount }, (_, r) => run.metrics![r * METRICS_WIDTH + c]);
        [result.testLoss, result.testAccuracy, result.trainAccuracy] = [column(0), column(1), column(2)];
      }
      return result;
    } finally {
      set.dispose();
    }
  }

  /** L-BFGS's logged evaluations as rows of [step, ...params, loss]. */
  private innerEvaluations(handle: number, dim: number): number[][] {
    const { exports } = this.core;
    const width = dim + 2;
    const count = exports.runEvaluationCount(handle);
    const log = count === 0 ? new Float64Array(0) : this.core.f64(exports.runEvaluations(handle), count * width);
    return Array.from({ length: count }, (_, r) => Array.from(log.subarray(r * width, (r + 1) * width)));
  }

  /** With a signal, the runs yield to the event loop every CANCEL_CHECK_STEPS steps, so that a cancel message stops them. */
  async runs(request: RunsRequest, signal?: CancelSignal): Promise<RunTrace[]> {
    const set = await this.startRuns(request);
    try {
      if (!signal) set.advance(request.steps);
      else {
        for (let done = 0; done < request.steps; done += CANCEL_CHECK_STEPS) {
          if (!set.advance(Math.min(CANCEL_CHECK_STEPS, request.steps - done))) break;
          await stopIfCancelled(signal);
        }
      }
      return set.runs.map((_, i) => set.snapshot(i));
    } finally {
      set.dispose();
    }
  }

  /** Between chunks the stream yields to the event loop, so that a signal set by a timer or a message stops it. */
  async streamRuns(request: RunsRequest, onChunk: (chunk: RunsChunk) => void | Promise<void>, signal?: CancelSignal): Promise<void> {
    const set = await this.startRuns(request);
    try {
      const sent = set.runs.map(() => 0);
      const sentEvaluations = set.runs.map(() => 0);
      const sentLosses = set.runs.map(() => 0);
      let done = 0;
      let size = STREAM_CHUNK_STEPS.first;
      for (;;) {
        const steps = Math.min(size, request.steps - done);
        const going = steps > 0 && set.advance(steps);
        done += steps;
        const last = !going || done >= request.steps;
        const traces = set.runs.map((_, i) => set.chunk(i, sent[i], sentEvaluations[i], sentLosses[i]));
        traces.forEach((trace, i) => {
          sent[i] = trace.rowCount;
          sentLosses[i] += (trace.losses?.length ?? 0) / 2;
          sentEvaluations[i] += (trace.evaluations?.length ?? 0) / (trace.dim + 2);
        });
        await onChunk({ traces, done: last });
        if (last || signal?.isCancellationRequested) return;
        await yieldToEventLoop();
        if (signal?.isCancellationRequested) return;
        size = Math.min(size * STREAM_CHUNK_STEPS.growth, STREAM_CHUNK_STEPS.most);
      }
    } finally {
      set.dispose();
    }
  }

  /** Creates the runs of a request without advancing them (row 0, the start, is recorded). */
  async startRuns(request: RunsRequest): Promise<RunSet> {
    return this.createRuns(request);
  }

  /**
   * startRuns; with maxValues, also refuses runs whose rows x (dim + 1) would exceed it (trace's JavaScript arrays).
   * A session's runs record every step: a refusal says how many steps fit instead of offering recordEvery.
   */
  private async createRuns(request: RunsRequest, { maxValues, session = false }: { maxValues?: number; session?: boolean } = {}): Promise<RunSet> {
    if (request === null || typeof request !== 'object') fail('runs needs a request object');
    const steps = checkSteps(request.steps);
    const recordEvery = checkRecordEvery(request.recordEvery, request.breakpoints);
    if (!Array.isArray(request.runs) || request.runs.length === 0) fail('runs needs at least one run');
    const lease = this.acquireLoss(request.loss, request.lossParams);
    const customSteps: Lease<LinkedCheck>[] = [];
    let set: RunSet | undefined;
    try {
      const { handle: loss, info } = await lease.value;
      const { gradTol, bounds } = this.checkStop(request.stop, info.dim);
      const customs: (CustomRunOptimizer | undefined)[] = [];
      for (const spec of request.runs) {
        if (spec === null || typeof spec !== 'object') fail('Each run must be an object with an optimizer');
        const custom = isOptimizerSource(spec.optimizer) ? await this.customOptimizer(spec.optimizer, spec.options) : undefined;
        if (custom) customSteps.push(custom.step);
        customs.push(custom);
      }
      const prepared = request.runs.map((spec, i) => {
        const custom = customs[i];
        let muon: PackedMuon | undefined;
        if (spec.optimizer === 'muon') {
          if (!info.network) fail('Muon optimizes the weight matrices of a network: the loss needs a network line');
          muon = packMuon(spec.options);
        }
        const optimizer = custom ? packCustom(custom.compiled)
          : muon ? packOptimizer(muon.rest.optimizer, muon.rest.options) : packOptimizer(spec.optimizer, spec.options);
        if (info.network && (optimizer.id === OptimizerId.newton || custom?.compiled.usesHessian)) {
          fail(`${custom ? `${custom.compiled.name} reads hess_diag or hvp, which need` : "Newton's method needs"} the Hessian, which the engine `
            + 'does not compute for networks: use a first-order optimizer (sgd, adam, ...)');
        }
        if (custom?.compiled.usesHessian && info.dim > LIMITS.maxHessianParams) {
          fail(`${custom.compiled.name} reads hess_diag or hvp, which need the ${info.dim} x ${info.dim} Hessian: at most ${LIMITS.maxHessianParams} `
            + `parameters, this loss has ${info.dim}`);
        }
        if (optimizer.id === OptimizerId.newton && info.dim > LIMITS.maxHessianParams) {
          fail(`Newton's method holds the ${info.dim} x ${info.dim} Hessian: it takes at most ${LIMITS.maxHessianParams} parameters, `
            + `this loss has ${info.dim}. Use fewer parameters or a first-order optimizer (sgd, adam, ...)`);
        }
        const schedule = packSchedule(spec.schedule);
        // The run's own start, else its network initialization seed, else the request's (a scenario's start for all its
        // runs; null: the loss's default).
        const initSeed = this.checkInitSeed(spec.initSeed, info);
        const given = spec.start !== undefined ? spec.start : initSeed !== undefined ? undefined : (request.start ?? undefined);
        const start = given !== undefined ? checkNumberList(given, 'start', info.dim)
          : initSeed !== undefined ? this.networkInitialization(loss, info.network!, info.dim, initSeed) : info.start;
        const stochastic = this.checkStochastic(info.stochastic || spec.stochastic ? effectiveStochastic(spec, info) : undefined, info);
        if (optimizer.id === OptimizerId.lbfgs && (info.online || stochastic?.batchSize || stochastic?.noise)) {
          fail(`${spec.optimizer} evaluates the whole loss several times per step (torch's closure): it takes no minibatches, `
            + 'gradient noise or online loss. Use a first-order optimizer (sgd, adam, ...) for those');
        }
        if (info.network?.batchnorm && stochastic?.batchSize === 1) fail('Batch norm needs batches of at least 2 samples (a batch of 1 has no variance)');
        const project = spec.project === undefined ? info.online?.projection : spec.project;
        const box = project === undefined ? undefined : this.checkBox(project, info.dim, 'project');
        const frozen = spec.freeze === undefined ? undefined : frozenMask(spec.freeze, info.dim, info.network);
        if (typeof frozen === 'string') fail(frozen);
        if (frozen && optimizer.id === OptimizerId.lbfgs) {
          fail(`${spec.optimizer}'s line search moves every parameter along one direction: freeze takes a first-order optimizer (sgd, adam, ...)`);
        }
        return { spec, optimizer, schedule, start, stochastic, box, muon, custom, frozen };
      });
      const rowCount = this.core.exports.runRecordedRows(steps, recordEvery);
      if (maxValues !== undefined && rowCount * (info.dim + 1) > maxValues) {
        const fitting = Math.floor(maxValues / (info.dim + 1)) - 2;
        const every = fitting >= 1 ? Math.ceil(steps / fitting) : undefined;
        fail(`trace returns its rows as JavaScript arrays, at most ${maxValues} numbers; ${rowCount} rows of ${info.dim + 1} need `
          + `${rowCount * (info.dim + 1)}. Record every k-th step${every ? ` (recordEvery: ${every} or more)` : ''}, use fewer steps, `
          + 'or use runs or streamRuns (rows in a Float64Array)');
      }
      const stepLossBytes = request.stepLosses && recordEvery > 1 ? prepared.length * 16 * (steps + 1) : 0;
      const bytes = stepLossBytes + this.checkRecording(prepared.map((p) => p.optimizer), info, rowCount, steps, request.recordState === true, customs.map((c) => c?.compiled), session);
      const holdings = { recordEvery, bytes, loss: lease, customSteps, onDispose: (disposed: RunSet) => this.forget(disposed) };
      set = this.createRunSet(request, info, loss, { gradTol, bounds }, prepared, holdings);
      await this.setRunBreakpoints(set, normalizeBreakpoints(request.breakpoints));
      return set;
    } catch (error) {
      if (set) set.dispose();
      else {
        lease.release();
        customSteps.forEach((step) => step.release());
      }
      throw error;
    }
  }

  /** Compiles an optimizer written in the optimizer language for these options, and links its step (cached). */
  private async customOptimizer(text: string, options: Record<string, unknown> | undefined): Promise<CustomRunOptimizer> {
    const compile = this.compileOptimizer ?? fail('Optimizers written in the optimizer language need the loss language, which this engine was built without');
    const key = JSON.stringify([text, options ?? {}]);
    const compiled = this.compiledOptimizers.get(key) ?? compile(text, options);
    this.compiledOptimizers.delete(key);
    this.compiledOptimizers.set(key, compiled);
    if (this.compiledOptimizers.size > COMPILED_OPTIMIZERS_KEPT) this.compiledOptimizers.delete(this.compiledOptimizers.keys().next().value!);
    const step = this.stepCache.acquire(JSON.stringify([text, compiled.hypers]), async () => {
      const [index] = await this.core.link(compiled.wasm, ['step']);
      return { index, bytes: MODULE_OVERHEAD_BYTES + 2 * compiled.wasm.byteLength };
    });
    try {
      return { compiled, step, index: (await step.value).index };
    } catch (error) {
      step.release();
      throw error;
    }
  }

  /**
   * Refuses runs the engine cannot hold: a trace bigger than one core block, or all recorded runs together past
   * LIMITS.recordedBytes. Returns the runs' estimated bytes.
   */
  private checkRecording(
    optimizers: PackedOptimizer[], info: LossInfo, rowCount: number, steps: number, recordState: boolean, customs: (CompiledCustomOptimizer | undefined)[] = [],
    session = false,
  ): number {
    const { dim } = info;
    const { exports } = this.core;
    const traceRowBytes = (exports.runTraceWidth(dim) + (hasMetrics(info) ? METRICS_WIDTH : 0) + runningWidth(info)) * 8;
    const stateRowBytes = recordState ? exports.runStateWidth(dim) * 8 : 0;
    const traceBytes = rowCount * traceRowBytes;
    const stateBytes = rowCount * stateRowBytes;
    /** What to change; a session's runs keep every step (for Step Back): how many steps fit in `bytes` at `rowBytes` a step and run. */
    const fixWithin = (bytes: number, runs: number, rowBytes: number) => {
      if (!session) return 'use fewer steps, record every k-th step (recordEvery), or fewer parameters';
      const fitting = Math.max(0, Math.floor(bytes / runs / rowBytes) - 1);
      return `a debug session keeps every step's state (for Step Back); at most ${fitting} steps of ${runs === 1 ? 'this run' : `these ${runs} runs`} `
        + `fit (${dim} parameters): use fewer steps${runs > 1 ? ', fewer runs' : ''} or a smaller network`;
    };
    const largest = Math.max(traceBytes, stateBytes);
    if (largest > LIMITS.maxBlockBytes) {
      fail(`One run's recorded ${stateBytes > traceBytes ? 'state' : 'trace'} would take ${formatBytes(largest)} (${rowCount} rows of ${dim} parameters), `
        + `more than the ${formatBytes(LIMITS.maxBlockBytes)} the engine can hold for one run: ${fixWithin(LIMITS.maxBlockBytes, 1, Math.max(traceRowBytes, stateRowBytes))}`);
    }
    const vectors = 8 * (6 * (dim + 1) + 64) + 4 * (info.data?.count ?? 0);
    const newton = 8 * (2 * dim * dim + dim);
    // L-BFGS: its (s, y) history, eight scratch vectors (core/assembly/lbfgs.ts) and its logged evaluations
    const lbfgs = (history: number) => 8 * (2 * history * dim + 2 * history + 8 * dim + LIMITS.evaluationLogValues);
    const extra = ({ id, options }: PackedOptimizer) =>
      id === OptimizerId.newton ? newton : id === OptimizerId.lbfgs ? lbfgs(options[OptionSlot.history_size]) : 0;
    // a written optimizer: its states beyond the three slots, its scratch vectors (hvp, per-layer reductions), its
    // random signs, and the Hessian with its diagonal when it reads hess_diag or hvp
    const custom = (compiled: CompiledCustomOptimizer | undefined) => (compiled === undefined ? 0
      : 8 * (dim + 1) * (Math.max(0, compiled.states.length - 3) + compiled.scratchVectors + (compiled.randomSeed === undefined ? 0 : 1)) + (compiled.usesHessian ? 8 * (dim * dim + dim + 1) : 0));
    const bytes = optimizers.reduce((sum, optimizer, i) => sum + traceBytes + stateBytes + vectors + extra(optimizer) + custom(customs[i]), 0);
    if (this.recorded + bytes > LIMITS.recordedBytes) {
      const runs = optimizers.length;
      const held = this.recorded > 0 ? `, beside the ${formatBytes(this.recorded)} its open runs and sessions hold` : '';
      const fix = fixWithin(LIMITS.recordedBytes - this.recorded - (bytes - runs * (traceBytes + stateBytes)), runs, traceRowBytes + stateRowBytes);
      fail(`Recording ${runs} run${runs === 1 ? '' : 's'} of ${steps} steps needs ${formatBytes(bytes)}${held}: the engine holds at most `
        + `${formatBytes(LIMITS.recordedBytes)} of recorded runs. ${fix[0].toUpperCase()}${fix.slice(1)}${held ? ', or close other runs' : ''}`);
    }
    return bytes;
  }

  /** Creates the prepared runs in the core; if one fails, frees those made before it. */
  private createRunSet(
    request: RunsRequest, info: LossInfo, loss: number, { gradTol, bounds }: { gradTol: number; bounds?: number[] },
    prepared: {
      spec: RunSpec; optimizer: ReturnType<typeof packOptimizer>; schedule: Float64Array; start: number[]; stochastic?: StochasticSpec;
      box?: number[]; muon?: PackedMuon; custom?: CustomRunOptimizer; frozen?: Float64Array;
    }[],
    holdings: RunSetHoldings,
  ): RunSet {
    const { core } = this;
    const handles = core.alloc(4 * prepared.length);
    const created: number[] = [];
    try {
      const runs = prepared.map(({ spec, optimizer, schedule, start, stochastic, box, muon, custom, frozen }, i) => {
        const options = core.allocF64(optimizer.options.length, optimizer.options);
        const schedulePtr = core.allocF64(schedule.length, schedule);
        const startPtr = core.allocF64(info.dim, start);
        const boundsPtr = bounds ? core.allocF64(bounds.length, bounds) : 0;
        let handle: number;
        try {
          handle = core.exports.runCreate(
            loss, optimizer.id, options, schedulePtr, startPtr, request.steps, gradTol, boundsPtr, request.recordState ? 1 : 0, holdings.recordEvery,
          );
        } finally {
          core.release(options, schedulePtr, startPtr, boundsPtr);
        }
        created.push(handle);
        // L-BFGS's inner evaluations, for the views (faint points beside the trajectory)
        if (optimizer.id === OptimizerId.lbfgs) core.exports.runLogEvaluations(handle, Math.floor(LIMITS.evaluationLogValues / (info.dim + 2)));
        if (custom) {
          const { states, scalars, usesHessian, scratchVectors, randomSeed } = custom.compiled;
          const initial = [...states, ...scalars].map((s) => s.initial);
          const inits = core.allocF64(initial.length, initial);
          core.exports.runSetCustomOptimizer(handle, custom.index, states.length, inits, usesHessian ? 1 : 0, scratchVectors, scalars.length, randomSeed ?? -1);
          core.release(inits);
        }
        if (stochastic) {
          const { batchSize = 0, replacement = false, noise = 0, seed = 0 } = stochastic;
          core.exports.runSetStochastic(handle, batchSize, replacement ? 1 : 0, noise, seed);
        }
        if (muon) {
          const muonPtr = core.allocF64(muon.options.length, muon.options);
          core.exports.runSetMuon(handle, muonPtr);
          core.release(muonPtr);
        }
        if (box) {
          const boxPtr = core.allocF64(box.length, box);
          core.exports.runSetProjection(handle, boxPtr);
          core.release(boxPtr);
        }
        if (frozen) {
          const maskPtr = core.allocF64(frozen.length, frozen);
          core.exports.runSetFrozen(handle, maskPtr);
          core.release(maskPtr);
        }
        new Uint32Array(core.exports.memory.buffer, handles, prepared.length)[i] = handle;
        // A Muon run's recorded state: its momentum buffers on its matrices, its other optimizer's elsewhere.
        const names = custom ? customStateNames(info.params, custom.compiled.states, custom.compiled.scalars)
          : muon ? muonStateNames(info.params, muon.rest.optimizer, optimizer.resolved)
            : optimizerStateNames(info.params, spec.optimizer, optimizer.resolved);
        const recorded = request.recordState ? [...names.grad, ...names.vectors.flat(), 'lr', ...names.scalars] : undefined;
        const conditionNames = contextNames(info.params, names);
        const metricsEvery = metricsInterval(info, stochastic?.batchSize, holdings.recordEvery, request.metricsEvery);
        if (metricsEvery > 0) core.exports.runSetMetrics(handle, metricsEvery);
        // after the setters that rewrite row 0 (frozen: its gradient norm), whose values it copies
        if (request.stepLosses && holdings.recordEvery > 1) core.exports.runSetStepLosses(handle);
        return { handle, spec, label: spec.label ?? custom?.compiled.name ?? spec.optimizer, stateNames: recorded, breakpoints: 0, conditionNames, metricsEvery, optimizerId: optimizer.id };
      });
      const set = new RunSet(core, info, runs, handles, holdings);
      this.runSets.add(set);
      this.recorded += holdings.bytes;
      return set;
    } catch (error) {
      for (const handle of created) core.exports.runFree(handle);
      core.release(handles);
      throw error;
    }
  }

  private forget(set: RunSet): void {
    if (this.runSets.delete(set)) this.recorded -= set.holdings.bytes;
  }

  /** Gives every run of the set these breakpoints (hit counts start from 0). */
  async setRunBreakpoints(set: RunSet, breakpoints: BreakpointSpec[]): Promise<void> {
    if (breakpoints.length > 0 && set.holdings.recordEvery > 1) checkRecordEvery(set.holdings.recordEvery, breakpoints);
    const readsMetrics = breakpoints.some((b) => METRIC_NAMES.some((name) => new RegExp(`\\b${name}\\b`).test(b.condition)));
    for (const [i, run] of set.runs.entries()) {
      if (readsMetrics && run.metricsEvery > 1) {
        run.metricsEvery = 1;
        this.core.exports.runSetMetrics(run.handle, 1);
      }
      if (breakpoints.length === 0 && run.breakpoints === 0) continue;
      await this.setBreakpoints(set, i, breakpoints);
      run.breakpoints = breakpoints.length;
    }
  }

  private readonly sessions = new Map<number, EngineSession>();
  private nextSession = 1;

  /** Opens a session: the request's runs (with their state recorded) stay here until closeSession. */
  async openSession(request: SessionRequest): Promise<SessionOpened> {
    if (request === null || typeof request !== 'object') fail('openSession needs a request object');
    if ((request as RunsRequest).recordEvery !== undefined) fail('A session records every step: recordEvery is not available here');
    const set = await this.createRuns({ ...request, breakpoints: undefined, recordState: true }, { session: true });
    const session = new EngineSession(this.nextSession++, set, (list) => this.setRunBreakpoints(set, list));
    try {
      await session.setBreakpoints(request.breakpoints ?? []);
    } catch (error) {
      set.dispose();
      throw error;
    }
    this.sessions.set(session.id, session);
    return {
      ...session.update(),
      loss: set.loss,
      steps: request.steps,
      info: set.runs.map((r) => ({ label: r.label, optimizer: r.spec.optimizer, stateNames: r.stateNames ?? [], conditionNames: r.conditionNames })),
    };
  }

  async advanceSession(id: number, advance: SessionAdvance): Promise<SessionUpdate> {
    return this.session(id).advance(advance);
  }

  async setSessionBreakpoints(id: number, breakpoints: SessionBreakpoint[]): Promise<SessionUpdate> {
    const session = this.session(id);
    await session.setBreakpoints(breakpoints);
    return session.update();
  }

  async closeSession(id: number): Promise<void> {
    this.sessions.get(id)?.dispose();
    this.sessions.delete(id);
  }

  private session(id: number): EngineSession {
    return this.sessions.get(id) ?? fail(`Unknown session ${id}: it was closed, or the engine restarted`);
  }

  private async setBreakpoints(set: RunSet, runIndex: number, breakpoints: BreakpointSpec[]): Promise<void> {
    const { handle, conditionNames: names } = set.runs[runIndex];
    if (breakpoints.length === 0) {
      this.core.exports.runSetBreakpoints(handle, -1, 0, 0, 0);
      set.holdCheck(runIndex, undefined);
      return;
    }
    const compile = this.compileConditions ?? fail('Breakpoints need the loss language, which this engine was built without');
    const applies = breakpoints.map((b) => b.enabled !== false && (b.runs === undefined || b.runs.includes(runIndex)));
    const conditions = breakpoints.map((b, k) => (applies[k] ? b : { condition: 'false' }));
    const hits = breakpoints.map((b, k) => (applies[k] ? parseHitCondition(b.hitCondition) : { mode: HitMode.disabled, target: 0 }));
    const key = JSON.stringify([conditions.map((b) => b.condition), names]);
    const check = this.checkCache.acquire(key, async () => {
      const wasm = compileOrThrow(compile, conditions, names);
      const [index] = await this.core.link(wasm, ['check']);
      return { index, bytes: MODULE_OVERHEAD_BYTES + 2 * wasm.byteLength };
    });
    let checkFn: number;
    try {
      checkFn = (await check.value).index;
    } catch (error) {
      check.release();
      throw error;
    }
    const modes = this.core.alloc(4 * hits.length);
    const targets = this.core.alloc(4 * hits.length);
    const memory = this.core.exports.memory.buffer;
    new Int32Array(memory, modes, hits.length).set(hits.map((h, k) => h.mode | (breakpoints[k].onChange ? HitMode.onChange : 0)));
    new Int32Array(memory, targets, hits.length).set(hits.map((h) => h.target));
    this.core.exports.runSetBreakpoints(handle, checkFn, hits.length, modes, targets);
    this.core.release(modes, targets);
    set.holdCheck(runIndex, check);
  }

  /** A landscape with values copied out of core memory. */
  async landscape(request: LandscapeRequest): Promise<LandscapeResult> {
    return this.computeLandscape(request, true);
  }

  /**
   * A landscape whose values (and gradient) are views on core memory, without copying: valid until the next
   * landscapeView call on this engine, or until the core's memory grows (another request's allocation).
   */
  async landscapeView(request: LandscapeRequest): Promise<LandscapeResult> {
    return this.computeLandscape(request, false);
  }

  /**
   * copy: the values leave core memory before anything else runs. (A view held across an await dies when another
   * request grows the core's memory: its buffer is detached.)
   */
  private async computeLandscape(request: LandscapeRequest, copy: boolean): Promise<LandscapeResult> {
    if (request === null || typeof request !== 'object') fail('landscape needs a request object');
    return this.withLoss(request.loss, request.lossParams, ({ handle, info }) => {
      const [x0, x1] = checkRange(request.x, 'x');
      const [y0, y1] = checkRange(request.y, 'y');
      const [nx, ny] = this.checkSize(request.size, 'size');
      const base = request.base === undefined ? info.start : checkNumberList(request.base, 'base', info.dim);
      const [gx, gy] = request.gradientSize === undefined ? [0, 0] : this.checkSize(request.gradientSize, 'gradientSize');
      const { core } = this;
      const buffer = this.gridBuffer(nx * ny + 2 * gx * gy + 2 * info.dim);
      const values = buffer;
      const field = buffer + 8 * nx * ny;
      const point = field + 16 * gx * gy;
      const grad = point + 8 * info.dim;
      core.f64(point, info.dim).set(base);
      core.exports.landscapeGrid(handle, x0, x1, y0, y1, nx, ny, values, point);
      const result: LandscapeResult = { values: core.f64(values, nx * ny), min: core.exports.landscapeMin(), max: core.exports.landscapeMax() };
      if (gx > 0) {
        core.f64(point, info.dim).set(base);
        core.exports.landscapeGradient(handle, x0, x1, y0, y1, gx, gy, field, point, grad);
        result.gradient = core.f64(field, 2 * gx * gy);
      }
      return copy ? { ...result, values: result.values.slice(), gradient: result.gradient?.slice() } : result;
    });
  }

  // One reusable landscape buffer, grown on demand.
  private grid = { ptr: 0, count: 0 };
  private gridBuffer(count: number): number {
    if (count > this.grid.count) {
      this.core.release(this.grid.ptr);
      this.grid = { ptr: this.core.allocF64(count), count };
    }
    return this.grid.ptr;
  }

  private checkSize(value: unknown, what: string): [number, number] {
    const [nx, ny] = checkNumberList(value, what, 2);
    const ok = (n: number) => Number.isInteger(n) && n >= 2 && n <= LIMITS.maxGridSide;
    if (!ok(nx) || !ok(ny)) fail(`${what} must be two integers from 2 to ${LIMITS.maxGridSide}, got [${nx}, ${ny}]`);
    return [nx, ny];
  }

  private checkStop(stop: StopSpec | undefined, dim: number): { gradTol: number; bounds?: number[] } {
    if (stop === undefined) return { gradTol: -1 };
    if (stop === null || typeof stop !== 'object') fail('stop must be an object such as {"gradTol": 1e-6}');
    let gradTol = -1;
    if (stop.gradTol !== undefined) {
      if (typeof stop.gradTol !== 'number' || !(stop.gradTol >= 0)) fail(`stop.gradTol must be a number >= 0, got ${describeValue(stop.gradTol)}`);
      gradTol = stop.gradTol;
    }
    if (stop.bounds === undefined) return { gradTol };
    return { gradTol, bounds: this.checkBox(stop.bounds, dim, 'stop.bounds') };
  }

  /** One [lo, hi] pair for every parameter, or one per parameter, flattened. */
  private checkBox(pairs: unknown, dim: number, what: string): number[] {
    const all = Array.isArray(pairs) && pairs.length === 1 ? Array.from({ length: dim }, () => pairs[0]) : pairs;
    if (!Array.isArray(all) || all.length !== dim) fail(`${what} needs one [lo, hi] pair, or one per parameter (${dim})`);
    return all.flatMap((pair, i) => {
      const [lo, hi] = checkNumberList(pair, `${what}[${i}]`, 2);
      if (!(lo <= hi)) fail(`${what}[${i}] must have its lower end first`);
      return [lo, hi];
    });
  }

  private checkStochastic(spec: StochasticSpec | undefined, info: LossInfo): StochasticSpec | undefined {
    if (spec === undefined) return undefined;
    if (spec === null || typeof spec !== 'object') fail('stochastic must be an object such as {"batchSize": 8, "seed": 1}');
    const { batchSize, replacement, noise, seed } = spec;
    if (batchSize !== undefined && batchSize !== 0) {
      if (!info.data) fail(`stochastic.batchSize needs a data-backed loss; '${info.name}' has no samples (use stochastic.noise)`);
      if (!Number.isInteger(batchSize) || batchSize < 0 || batchSize > info.data.count) {
        fail(`stochastic.batchSize must be an integer from 0 to ${info.data.count} (the number of samples), got ${describeValue(batchSize)}`);
      }
    }
    if (replacement !== undefined && typeof replacement !== 'boolean') fail('stochastic.replacement must be true or false');
    if (noise !== undefined && !(typeof noise === 'number' && noise >= 0 && Number.isFinite(noise))) {
      fail(`stochastic.noise must be a number >= 0, got ${describeValue(noise)}`);
    }
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) fail(`stochastic.seed must be a non-negative integer, got ${describeValue(seed)}`);
    return spec;
  }

  /**
   * A network's outputs in eval mode (the core's networkPredict) over a grid of its inputs, reduced to one value per
   * point: what the Playground draws as decision regions (classification) or a fitted curve (one-input regression).
   */
  async networkOutput(request: NetworkOutputRequest): Promise<NetworkOutputResult> {
    if (request === null || typeof request !== 'object') fail('networkOutput needs a request object');
    return this.withLoss(request.loss, undefined, ({ handle, info }) => {
      const spec = info.network ?? fail('networkOutput is for a loss with a network line');
      const inputs = spec.widths[0];
      if (inputs > 2) fail(`The output over the input plane needs a network of 1 or 2 inputs; this one has ${inputs}`);
      const params = checkNumberList(request.params, 'params', info.dim);
      const [x0, x1] = checkRange(request.x, 'x');
      const [nx, ny] = checkNumberList(request.size, 'size', 2);
      const ok = (n: number, least: number) => Number.isInteger(n) && n >= least && n <= LIMITS.maxGridSide;
      if (!ok(nx, 2) || !ok(ny, inputs === 1 ? 1 : 2) || (inputs === 1 && ny !== 1)) {
        fail(`size must be [nx, ny] with nx from 2 to ${LIMITS.maxGridSide} and ny ${inputs === 1 ? '1 (one input)' : `from 2 to ${LIMITS.maxGridSide}`}, got [${nx}, ${ny}]`);
      }
      const [y0, y1] = inputs === 2 ? checkRange(request.y, 'y') : [0, 0];
      const units = runningWidth(info) / 2;
      const stats = !spec.batchnorm ? undefined
        : request.stats === undefined ? [...new Array<number>(units).fill(0), ...new Array<number>(units).fill(1)]
          : checkNumberList(request.stats, 'stats', 2 * units);
      const count = nx * ny;
      const k = spec.widths[spec.widths.length - 1];
      const { core } = this;
      const grid = new Float64Array(count * inputs);
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const p = j * nx + i;
          grid[p * inputs] = x0 + ((x1 - x0) * i) / (nx - 1);
          if (inputs === 2) grid[p * inputs + 1] = y0 + ((y1 - y0) * j) / (ny - 1);
        }
      }
      const x = core.allocF64(info.dim, params);
      const input = core.allocF64(count * inputs, grid);
      const statsPtr = stats ? core.allocF64(stats.length, stats) : 0;
      const out = core.allocF64(count * k);
      try {
        core.exports.networkPredict(handle, input, count, x, statsPtr, out);
        return reduceOutputs(core.f64(out, count * k), count, k, spec.loss);
      } finally {
        core.release(x, input, out, statsPtr);
      }
    });
  }

  // Network paths (src/engine/networkPaths.ts).
  async networkPath(request: NetworkPathRequest): Promise<NetworkPathResult> {
    if (request === null || typeof request !== 'object') fail('networkPath needs a request object');
    return this.withLoss(request.loss, undefined, (loss) => networkPath(this.core, loss, request));
  }

  async trainBend(request: BendRequest, onProgress?: (progress: BendProgress) => void | Promise<void>, signal?: CancelSignal): Promise<BendResult> {
    if (request === null || typeof request !== 'object') fail('trainBend needs a request object');
    return this.withLoss(request.loss, undefined, (loss) => trainBend(this.core, loss, request, onProgress, signal));
  }

  async permuteNetwork(request: NetworkPermuteRequest): Promise<number[]> {
    if (request === null || typeof request !== 'object') fail('permuteNetwork needs a request object');
    return this.withLoss(request.loss, undefined, (loss) => permuteNetwork(this.core, loss, request));
  }

  async alignNetworks(request: NetworkAlignRequest): Promise<NetworkAlignResult> {
    if (request === null || typeof request !== 'object') fail('alignNetworks needs a request object');
    return this.withLoss(request.loss, undefined, (loss) => alignNetworks(this.core, loss, request));
  }

  /** A network's per-layer statistics at each parameter vector (the core's networkStats.ts; see NetworkLayerStats). */
  async networkLayerStats(request: NetworkLayerStatsRequest): Promise<NetworkLayerStatsResult> {
    if (request === null || typeof request !== 'object') fail('networkLayerStats needs a request object');
    return this.withLoss(request.loss, undefined, ({ handle, info }) => {
      const spec = info.network ?? fail('networkLayerStats is for a loss with a network line');
      const { params, bins = DEFAULT_WEIGHT_BINS } = request;
      if (!Array.isArray(params) || params.length === 0 || params.length > MAX_STATS_POINTS) {
        fail(`params must be a list of 1 to ${MAX_STATS_POINTS} parameter lists, got ${describeValue(params)}`);
      }
      const checked = params.map((p, i) => checkNumberList(p, `params[${i}]`, info.dim));
      if (!Number.isInteger(bins) || bins < 2 || bins > MAX_WEIGHT_BINS) fail(`bins must be an integer from 2 to ${MAX_WEIGHT_BINS}, got ${describeValue(bins)}`);
      return layerStatsAt(this.core, handle, info.dim, spec.widths.length - 1, checked, bins);
    });
  }

  /** A network's loss landscape (src/engine/networkLandscape.ts); the loss stays leased until it is done. */
  async networkLandscape(
    request: NetworkLandscapeRequest, onProgress?: (progress: NetworkLandscapeProgress) => void, signal?: CancelSignal,
  ): Promise<NetworkLandscapeResult> {
    if (request === null || typeof request !== 'object') fail('networkLandscape needs a request object');
    return this.whileLeased(request.loss, (loss) => networkLandscape(this.core, loss, request, onProgress, signal));
  }

  async networkSharpness(request: NetworkSharpnessRequest): Promise<NetworkSharpnessResult> {
    if (request === null || typeof request !== 'object') fail('networkSharpness needs a request object');
    return this.whileLeased(request.loss, (loss) => networkSharpness(this.core, loss, request));
  }

  async networkSmoothness(request: NetworkSmoothnessRequest): Promise<SmoothnessPoint[]> {
    if (request === null || typeof request !== 'object') fail('networkSmoothness needs a request object');
    return this.withLoss(request.loss, undefined, ({ handle, info }) => {
      if (!info.network) fail('networkSmoothness is for a loss with a network line');
      const { params, etaMax, steps = 8 } = request;
      if (!Array.isArray(params) || params.length === 0 || params.length > MAX_SMOOTHNESS_POINTS) {
        fail(`params must be a list of 1 to ${MAX_SMOOTHNESS_POINTS} parameter lists, got ${describeValue(params)}`);
      }
      if (!(etaMax > 0 && Number.isFinite(etaMax))) fail(`etaMax is a step size > 0, got ${describeValue(etaMax)}`);
      if (!Number.isInteger(steps) || steps < 1 || steps > MAX_SMOOTHNESS_STEPS) fail(`steps is a whole number from 1 to ${MAX_SMOOTHNESS_STEPS}, got ${describeValue(steps)}`);
      const checked = params.map((p, i) => checkNumberList(p, `params[${i}]`, info.dim));
      return smoothnessAt(this.core, handle, info.dim, checked, etaMax, steps);
    });
  }

  /** Edge-popup's score training; progress and the cancel check every EDGE_POPUP_CHUNK updates (the loss stays leased). */
  async edgePopup(request: EdgePopupRequest, onProgress?: (progress: EdgePopupProgress) => void, signal?: CancelSignal): Promise<EdgePopupResult> {
    if (request === null || typeof request !== 'object') fail('edgePopup needs a request object');
    const info = await this.lossInfo(request.loss);
    const network = info.network ?? fail('edgePopup is for a loss with a network line');
    const scoreSeed = request.scoreSeed ?? network.seed + 1;
    if (!Number.isInteger(scoreSeed) || scoreSeed < 0) fail(`scoreSeed is a whole number >= 0, got ${describeValue(scoreSeed)}`);
    const scores = await this.lossInfo(withNetworkOptions(request.loss, { seed: scoreSeed }));
    return this.whileLeased(request.loss, ({ handle }) => edgePopupTrain(this.core, handle, info, scores.start, request, onProgress, signal));
  }

  /** withLoss for work that yields to the event loop: the lease lasts until the work settles. */
  private async whileLeased<T>(loss: unknown, use: (loss: ResolvedLoss) => Promise<T>): Promise<T> {
    const lease = this.acquireLoss(loss, undefined);
    try {
      return await use(await lease.value);
    } finally {
      lease.release();
    }
  }

  async samples(loss: string, lossParams?: Record<string, number>): Promise<Float64Array> {
    return this.withLoss(loss, lossParams, ({ handle, info }) => {
      if (!info.data) fail(`'${info.name}' is not backed by data`);
      const rows = info.data.count + (info.data.testCount ?? 0);
      return this.core.f64(this.core.exports.lossSamples(handle), rows * info.data.columns.length).slice();
    });
  }

  private createBuiltin(name: string, params: Record<string, number>): ResolvedLoss {
    const { kind } = BUILTIN_LOSSES[name];
    const info = builtinLossInfo(name, params);
    const { exports } = this.core;
    const bytes = lossCoreBytes(info, false);
    if (info.data) {
      const handle = exports.lossCreateData(kind, params.samples, params.seed, params.noise);
      return { handle, info: { ...info, minima: this.dataMinimum(handle, kind) }, functions: [], bytes };
    }
    const c0 = params.condition ?? params.a ?? params.C ?? 0;
    const c1 = params.b ?? params.delta ?? 0;
    return { handle: exports.lossCreate(kind, info.dim, c0, c1), info, functions: [], bytes };
  }

  /** The minimum of a data-backed loss, by Newton's method from the generating parameters; none if it does not converge. */
  private dataMinimum(loss: number, kind: number): { point: number[]; value: number }[] {
    const { core } = this;
    const { id, options } = packOptimizer('newton', {});
    const optionsPtr = core.allocF64(options.length, options);
    const schedule = core.allocF64(packSchedule(undefined).length);
    const start = core.allocF64(2, kind === LossId.linear_regression ? [2, -1] : [0, 0]);
    const steps = 50;
    const run = core.exports.runCreate(loss, id, optionsPtr, schedule, start, steps, 1e-12, 0, 0, 1);
    core.release(optionsPtr, schedule, start);
    try {
      const status = STATUS_NAMES[core.exports.runAdvance(run, steps)];
      if (status !== 'converged') return [];
      const rows = core.exports.runRows(run);
      const last = core.f64(core.exports.runTrace(run) + (rows - 1) * 4 * 8, 3);
      return [{ point: [last[0], last[1]], value: last[2] }];
    } finally {
      core.exports.runFree(run);
    }
  }

  /** The network's initialization (its line's scheme and scale) drawn with this seed: the line's own, or a run's initSeed. */
  private networkInitialization(handle: number, spec: NetworkSpec, dim: number, seed: number): number[] {
    const out = this.core.allocF64(dim);
    try {
      this.core.exports.networkInitialize(handle, InitScheme[spec.init], Number.isNaN(spec.scale) ? 0 : spec.scale, seed, out);
      return Array.from(this.core.f64(out, dim));
    } finally {
      this.core.release(out);
    }
  }

  /** A run's initSeed: a whole number in [0, LIMITS.maxSeed], on a network loss only. */
  private checkInitSeed(initSeed: unknown, info: LossInfo): number | undefined {
    if (initSeed === undefined) return undefined;
    if (typeof initSeed !== 'number' || !Number.isInteger(initSeed) || initSeed < 0 || initSeed > LIMITS.maxSeed) {
      fail(`initSeed must be a whole number from 0 to ${LIMITS.maxSeed}, got ${excerpt(String(initSeed))}`);
    }
    if (!info.network) fail("initSeed draws a network's initialization: the loss needs a network line (give the run a start instead)");
    return initSeed;
  }

  /** A network loss over its data; without a start in the file, the start is the network's seeded initialization. */
  private createNetwork(info: LossInfo, data: CustomLossData): ResolvedLoss {
    const spec = info.network!;
    const { core } = this;
    const { exports } = core;
    // Scratch per sample: inputs, targets, each layer's outputs (up to three buffers) and two gradient rows.
    const units = spec.widths.reduce((sum, w) => sum + 3 * w, 0) + 2 * Math.max(...spec.widths);
    const total = data.count + (data.testCount ?? 0);
    const scratch = 8 * total * units;
    if (scratch > LIMITS.maxBlockBytes) {
      fail(`This network on ${total} samples needs ${formatBytes(scratch)} of working memory (samples x layer widths); the engine `
        + `holds at most ${formatBytes(LIMITS.maxBlockBytes)} for it: use fewer samples or narrower layers`);
    }
    const layers = spec.widths.length - 1;
    const widths = core.alloc(4 * spec.widths.length);
    new Int32Array(exports.memory.buffer, widths, spec.widths.length).set(spec.widths);
    let handle: number;
    try {
      handle = exports.lossCreateNetwork(
        layers, widths, Activation[spec.activation], NetworkLossId[spec.loss], spec.batchnorm ? 1 : 0, spec.residual ? 1 : 0,
        total, networkTargets(spec),
      );
    } finally {
      core.release(widths);
    }
    if (spec.bnNoise) exports.networkSetBnNoise(handle, spec.bnNoise, spec.bnNoiseSeed ?? spec.seed);
    core.fillSamples(handle, data);
    const start = info.start.length === 0 ? this.networkInitialization(handle, spec, info.dim, spec.seed) : info.start;
    const bytes = lossCoreBytes(info, false) + scratch;
    return { handle, info: { ...info, start }, functions: [], bytes };
  }

  /** A generated set's or a formula set's data with its rows, made in the core from their seed; other data as it is. */
  private async madeRows(data: CustomLossData): Promise<CustomLossData> {
    const count = data.count + (data.testCount ?? 0);
    if (data.generator) return { ...data, values: this.core.generateDataset(data.generator, count) };
    if (!data.formula) return data;
    const { inputs, label, condition, seed } = data.formula;
    const names = inputs.map((i) => i.name);
    // The label compiled by the loss language: as a breakpoint condition (its bit 0 is the class) or as a loss's value.
    let wasm: Uint8Array<ArrayBuffer> | WebAssembly.Module;
    if (condition) {
      wasm = compileOrThrow(this.compileConditions ?? fail('A data formula needs the loss language'), [{ condition: label }], names);
    } else {
      const compiled = await (this.compileExpression ?? fail('A data formula needs the loss language'))(`params ${names.join(', ')}\nf = ${label}`);
      wasm = compiled.wasm ?? fail('The data formula did not compile to a module');
    }
    const [fn] = await this.core.link(wasm, [condition ? 'check' : 'value']);
    const ranges = this.core.allocF64(2 * inputs.length, inputs.flatMap((i) => [i.low, i.high]));
    const out = this.core.allocF64(count * (inputs.length + 1));
    try {
      this.core.exports.datasetFormula(inputs.length, ranges, count, seed, fn, condition ? 1 : 0, out);
      return { ...data, values: this.core.f64(out, count * (inputs.length + 1)).slice() };
    } finally {
      this.core.release(ranges, out);
      this.core.unlink([fn]);
    }
  }

  /** Calls use with the loss, which stays in the core (out of the cache's reach) until use returns. */
  private async withLoss<T>(loss: unknown, lossParams: Record<string, number> | undefined, use: (loss: ResolvedLoss) => T | Promise<T>): Promise<T> {
    const lease = this.acquireLoss(loss, lossParams);
    try {
      // awaited: an asynchronous use (trainBend) holds the loss until it settles
      return await use(await lease.value);
    } finally {
      lease.release();
    }
  }

  /** The loss from the cache, compiled or created when missing; release the lease when done with it. */
  private acquireLoss(loss: unknown, lossParams: Record<string, number> | undefined): Lease<ResolvedLoss> {
    if (typeof loss !== 'string' || loss.trim() === '') fail('loss must be a built-in name or an expression');
    const name = loss.trim();
    if (isBuiltinLoss(name)) {
      if (lossParams !== undefined && (lossParams === null || typeof lossParams !== 'object')) fail('lossParams must be an object');
      const params = resolveLossParams(name, lossParams);
      return this.lossCache.acquire(`${name}${JSON.stringify(params)}`, async () => this.createBuiltin(name, params));
    }
    const compile = this.compileExpression
      ?? fail(`Unknown loss '${excerpt(name)}'. Built-in losses: ${Object.keys(BUILTIN_LOSSES).join(', ')}`);
    return this.lossCache.acquire(name, async () => {
      const compiled = await compile(name);
      const { info, wasm } = compiled;
      const data = compiled.data && await this.madeRows(compiled.data);
      if (info.network) return this.createNetwork(info, data ?? fail('A network needs data'));
      if (!wasm) fail('The compiled loss has no module');
      const { handle, functions } = await this.core.linkCustomLoss(wasm, info.dim, data);
      const code = wasm instanceof WebAssembly.Module ? 0 : 2 * wasm.byteLength;
      return { handle, info, functions, bytes: MODULE_OVERHEAD_BYTES + code + lossCoreBytes(info, true) };
    });
  }
}
