// The engine: validates requests, resolves losses, and drives runs and landscapes in the core.
import type {
  BreakpointSpec, Engine, LandscapeRequest, LandscapeResult, LossInfo, OptimizerInfo, RunsChunk, RunSpec, RunStatus, RunsRequest,
  RunTrace, SessionAdvance, SessionBreakpoint, SessionOpened, SessionRequest, SessionUpdate, StochasticSpec, StopSpec,
  StreamSignal, TraceChunk, TraceRequest, TraceResult,
} from './api';
import { EngineSession } from './session';
import { Core, type CustomLossData } from './core';
import { BUILTIN_LOSSES, builtinLossInfo, isBuiltinLoss, resolveLossParams } from './losses';
import { packOptimizer, packSchedule, optimizerInfos } from './optimizers';
import { HitMode, LossId, STATUS_NAMES, STATUS_RUNNING } from './layout';
import {
  ConditionCompiler, compileOrThrow, contextNames, normalizeBreakpoints, optimizerStateNames, parseHitCondition,
} from './breakpoints';

export const MAX_STEPS = 100_000_000;
const MAX_GRID_SIDE = 4096;
const ADVANCE_CHUNK = 4096;
/** Streamed runs: the first chunk's steps (on screen at once), each next chunk this factor bigger, up to the last size. */
export const STREAM_CHUNK_STEPS = { first: 200, growth: 4, most: 16_384 };
/** Recorded traces must fit in the core's 32-bit memory, beside everything else. */
const MAX_TRACE_BYTES = 2 ** 31;

/** Turns an expression into a loss the core can run; supplied once the loss language is linked in. */
export type ExpressionCompiler = (text: string) => Promise<CompiledExpression>;
export interface CompiledExpression {
  info: LossInfo;
  wasm: Uint8Array<ArrayBuffer> | WebAssembly.Module;
  /** A per-sample loss's samples (the loss is their mean). */
  data?: CustomLossData;
}

interface ResolvedLoss {
  handle: number;
  info: LossInfo;
}

function fail(message: string): never {
  throw new Error(message);
}

function checkNumberList(value: unknown, what: string, length?: number): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(`${what} must be a list of finite numbers, got ${JSON.stringify(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    fail(`${what} needs ${length} number${length === 1 ? '' : 's'}, got ${value.length}`);
  }
  return value as number[];
}

function checkSteps(steps: unknown): number {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0 || steps > MAX_STEPS) {
    fail(`steps must be an integer from 0 to ${MAX_STEPS}, got ${JSON.stringify(steps)}`);
  }
  return steps;
}

function checkRange(value: unknown, axis: string): [number, number] {
  const [lo, hi] = checkNumberList(value, `The ${axis} range`, 2);
  if (!(lo < hi)) fail(`The ${axis} range must have its lower end first, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** One run set: several runs on one loss, advanced together; their traces are views on core memory. */
export class RunSet {
  private disposed = false;

  constructor(
    private readonly core: Core,
    readonly loss: LossInfo,
    readonly runs: { handle: number; spec: RunSpec; label: string; stateNames?: string[]; breakpoints: number; conditionNames: string[] }[],
    private readonly handles: number,
  ) {}

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
    const { handle, spec, label, stateNames, breakpoints } = this.runs[i];
    const dim = this.loss.dim;
    const rowCount = exports.runRows(handle);
    const stateTrace = exports.runStateTrace(handle);
    return {
      label,
      optimizer: spec.optimizer,
      dim,
      rows: this.core.f64(exports.runTrace(handle), rowCount * exports.runTraceWidth(dim)),
      rowCount,
      status: this.status(i),
      stoppedAt: exports.runStep(handle),
      state: stateTrace ? this.core.f64(stateTrace, rowCount * exports.runStateWidth(dim)) : undefined,
      stateNames,
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
    const ptr = this.core.exports.alloc(4 * breakpoints);
    new Int32Array(this.core.exports.memory.buffer, ptr, breakpoints).set(hits.slice(0, breakpoints));
    this.core.exports.runRestoreBreakpoints(handle, held, ptr);
    this.core.release(ptr);
  }

  /** A copy of the rows [from, rowCount) of a run (and of their state), with the run's status. */
  chunk(i: number, from: number): TraceChunk {
    const view = this.view(i);
    const width = view.dim + 2;
    const stateWidth = this.core.exports.runStateWidth(view.dim);
    return {
      ...view,
      from,
      rows: view.rows.slice(from * width, view.rowCount * width),
      state: view.state?.slice(from * stateWidth, view.rowCount * stateWidth),
    };
  }

  /** A copy of the run's trace that outlives this set. */
  snapshot(i: number): RunTrace {
    const view = this.view(i);
    return { ...view, rows: view.rows.slice(), state: view.state?.slice() };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const run of this.runs) this.core.exports.runFree(run.handle);
    this.core.release(this.handles);
  }
}

export class WasmEngine implements Engine {
  private readonly builtins = new Map<string, ResolvedLoss>();
  private readonly expressions = new Map<string, Promise<ResolvedLoss>>();
  private readonly checks = new Map<string, Promise<number>>();

  constructor(
    private readonly core: Core,
    private readonly compileExpression?: ExpressionCompiler,
    private readonly compileConditions?: ConditionCompiler,
  ) {}

  losses(): LossInfo[] {
    return Object.keys(BUILTIN_LOSSES).map((name) => builtinLossInfo(name, resolveLossParams(name, undefined)));
  }

  optimizers(): OptimizerInfo[] {
    return optimizerInfos();
  }

  async lossInfo(loss: string, lossParams?: Record<string, number>): Promise<LossInfo> {
    return (await this.resolveLoss(loss, lossParams)).info;
  }

  /** Evaluates the loss, gradient and Hessian at a point. */
  async evaluate(loss: string, point: number[], lossParams?: Record<string, number>) {
    const { handle, info } = await this.resolveLoss(loss, lossParams);
    checkNumberList(point, 'The point', info.dim);
    const n = info.dim;
    const x = this.core.allocF64(n, point);
    const g = this.core.allocF64(n);
    const h = this.core.allocF64(n * n);
    try {
      const value = this.core.exports.lossEvaluate(handle, x, g, h);
      return { value, gradient: Array.from(this.core.f64(g, n)), hessian: Array.from(this.core.f64(h, n * n)) };
    } finally {
      this.core.release(x, g, h);
    }
  }

  async trace(request: TraceRequest): Promise<TraceResult> {
    if (request === null || typeof request !== 'object') fail('trace needs a request object');
    const set = await this.startRuns({
      loss: request.loss,
      lossParams: request.lossParams,
      steps: request.steps,
      stop: request.stop,
      runs: [{
        optimizer: request.optimizer, options: request.options, start: request.start, schedule: request.schedule,
        stochastic: request.stochastic, project: request.project,
      }],
      breakpoints: request.breakpoints,
    });
    try {
      set.advance(request.steps);
      const run = set.view(0);
      const width = run.dim + 2;
      const trajectory: number[][] = [];
      const gradNorm: number[] = [];
      for (let r = 0; r < run.rowCount; r++) {
        trajectory.push(Array.from(run.rows.subarray(r * width, r * width + run.dim + 1)));
        gradNorm.push(run.rows[r * width + run.dim + 1]);
      }
      const result: TraceResult = { trajectory, status: run.status, stoppedAt: run.stoppedAt, gradNorm };
      if (run.status === 'paused') result.pausedBy = run.pausedBy;
      return result;
    } finally {
      set.dispose();
    }
  }

  async runs(request: RunsRequest): Promise<RunTrace[]> {
    const set = await this.startRuns(request);
    try {
      set.advance(request.steps);
      return set.runs.map((_, i) => set.snapshot(i));
    } finally {
      set.dispose();
    }
  }

  async streamRuns(request: RunsRequest, onChunk: (chunk: RunsChunk) => void | Promise<void>, signal?: StreamSignal): Promise<void> {
    const set = await this.startRuns(request);
    try {
      const sent = set.runs.map(() => 0);
      let done = 0;
      let size = STREAM_CHUNK_STEPS.first;
      for (;;) {
        const steps = Math.min(size, request.steps - done);
        const going = steps > 0 && set.advance(steps);
        done += steps;
        const last = !going || done >= request.steps;
        const traces = set.runs.map((_, i) => set.chunk(i, sent[i]));
        traces.forEach((trace, i) => (sent[i] = trace.rowCount));
        await onChunk({ traces, done: last });
        if (last || signal?.isCancellationRequested) return;
        size = Math.min(size * STREAM_CHUNK_STEPS.growth, STREAM_CHUNK_STEPS.most);
      }
    } finally {
      set.dispose();
    }
  }

  /** Creates the runs of a request without advancing them (row 0, the start, is recorded). */
  async startRuns(request: RunsRequest): Promise<RunSet> {
    if (request === null || typeof request !== 'object') fail('runs needs a request object');
    const steps = checkSteps(request.steps);
    if (!Array.isArray(request.runs) || request.runs.length === 0) fail('runs needs at least one run');
    const { handle: loss, info } = await this.resolveLoss(request.loss, request.lossParams);
    const { gradTol, bounds } = this.checkStop(request.stop, info.dim);
    const rowBytes = 8 * (info.dim + 2 + (request.recordState ? this.core.exports.runStateWidth(info.dim) : 0));
    const traceBytes = request.runs.length * (steps + 1) * rowBytes;
    if (traceBytes > MAX_TRACE_BYTES) {
      fail(`Recording ${request.runs.length} run(s) of ${steps} steps needs ${(traceBytes / 2 ** 30).toFixed(1)} GiB, more than the engine's 2 GiB: use fewer steps or runs`);
    }
    const { core } = this;
    const prepared = request.runs.map((spec) => {
      if (spec === null || typeof spec !== 'object') fail('Each run must be an object with an optimizer');
      const optimizer = packOptimizer(spec.optimizer, spec.options);
      const schedule = packSchedule(spec.schedule);
      const start = spec.start === undefined ? info.start : checkNumberList(spec.start, 'start', info.dim);
      const stochastic = this.checkStochastic(info.stochastic || spec.stochastic ? { ...info.stochastic, ...spec.stochastic } : undefined, info);
      const project = spec.project === undefined ? info.online?.projection : spec.project;
      const box = project === undefined ? undefined : this.checkBox(project, info.dim, 'project');
      return { spec, optimizer, schedule, start, stochastic, box };
    });
    const handles = core.exports.alloc(4 * prepared.length);
    const runs = prepared.map(({ spec, optimizer, schedule, start, stochastic, box }, i) => {
      const options = core.allocF64(optimizer.options.length, optimizer.options);
      const schedulePtr = core.allocF64(schedule.length, schedule);
      const startPtr = core.allocF64(info.dim, start);
      const boundsPtr = bounds ? core.allocF64(bounds.length, bounds) : 0;
      const handle = core.exports.runCreate(
        loss, optimizer.id, options, schedulePtr, startPtr, steps, gradTol, boundsPtr, request.recordState ? 1 : 0,
      );
      core.release(options, schedulePtr, startPtr, boundsPtr);
      if (stochastic) {
        const { batchSize = 0, replacement = false, noise = 0, seed = 0 } = stochastic;
        core.exports.runSetStochastic(handle, batchSize, replacement ? 1 : 0, noise, seed);
      }
      if (box) {
        const boxPtr = core.allocF64(box.length, box);
        core.exports.runSetProjection(handle, boxPtr);
        core.release(boxPtr);
      }
      new Uint32Array(core.exports.memory.buffer, handles, prepared.length)[i] = handle;
      const names = optimizerStateNames(info.params, spec.optimizer, optimizer.resolved);
      const recorded = request.recordState ? [...names.grad, ...names.vectors.flat(), 'lr', names.scalar, ''] : undefined;
      const conditionNames = contextNames(info.params, names);
      return { handle, spec, label: spec.label ?? spec.optimizer, stateNames: recorded, breakpoints: 0, conditionNames };
    });
    const set = new RunSet(core, info, runs, handles);
    try {
      await this.setRunBreakpoints(set, normalizeBreakpoints(request.breakpoints));
    } catch (error) {
      set.dispose();
      throw error;
    }
    return set;
  }

  /** Gives every run of the set these breakpoints (hit counts start from 0). */
  async setRunBreakpoints(set: RunSet, breakpoints: BreakpointSpec[]): Promise<void> {
    for (const [i, run] of set.runs.entries()) {
      if (breakpoints.length === 0 && run.breakpoints === 0) continue;
      await this.setBreakpoints(run.handle, i, breakpoints, run.conditionNames);
      run.breakpoints = breakpoints.length;
    }
  }

  private readonly sessions = new Map<number, EngineSession>();
  private nextSession = 1;

  /** Opens a session: the request's runs (with their state recorded) stay here until closeSession. */
  async openSession(request: SessionRequest): Promise<SessionOpened> {
    if (request === null || typeof request !== 'object') fail('openSession needs a request object');
    const set = await this.startRuns({ ...request, breakpoints: undefined, recordState: true });
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

  private async setBreakpoints(handle: number, runIndex: number, breakpoints: BreakpointSpec[], names: string[]): Promise<void> {
    if (!this.compileConditions) fail('Breakpoints need the loss language, which this engine was built without');
    const applies = breakpoints.map((b) => b.enabled !== false && (b.runs === undefined || b.runs.includes(runIndex)));
    const conditions = breakpoints.map((b, k) => (applies[k] ? b : { condition: 'false' }));
    const key = JSON.stringify([conditions.map((b) => b.condition), names]);
    let checkFn = this.checks.get(key);
    if (!checkFn) {
      const wasm = compileOrThrow(this.compileConditions, conditions, names);
      checkFn = this.core.link(wasm, ['check']).then(([index]) => index);
      this.checks.set(key, checkFn);
      checkFn.catch(() => this.checks.delete(key));
    }
    const hits = breakpoints.map((b, k) => (applies[k] ? parseHitCondition(b.hitCondition) : { mode: HitMode.disabled, target: 0 }));
    const modes = this.core.exports.alloc(4 * hits.length);
    const targets = this.core.exports.alloc(4 * hits.length);
    const memory = this.core.exports.memory.buffer;
    new Int32Array(memory, modes, hits.length).set(hits.map((h, k) => h.mode | (breakpoints[k].onChange ? HitMode.onChange : 0)));
    new Int32Array(memory, targets, hits.length).set(hits.map((h) => h.target));
    this.core.exports.runSetBreakpoints(handle, await checkFn, hits.length, modes, targets);
    this.core.release(modes, targets);
  }

  /** A landscape with values copied out of core memory. */
  async landscape(request: LandscapeRequest): Promise<LandscapeResult> {
    const view = await this.landscapeView(request);
    return { ...view, values: view.values.slice(), gradient: view.gradient?.slice() };
  }

  /**
   * A landscape whose values (and gradient) are views on core memory, without copying: valid until
   * the next landscapeView call on this engine.
   */
  async landscapeView(request: LandscapeRequest): Promise<LandscapeResult> {
    if (request === null || typeof request !== 'object') fail('landscape needs a request object');
    const { handle, info } = await this.resolveLoss(request.loss, request.lossParams);
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
    return result;
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
    const ok = (n: number) => Number.isInteger(n) && n >= 2 && n <= MAX_GRID_SIDE;
    if (!ok(nx) || !ok(ny)) fail(`${what} must be two integers from 2 to ${MAX_GRID_SIDE}, got [${nx}, ${ny}]`);
    return [nx, ny];
  }

  private checkStop(stop: StopSpec | undefined, dim: number): { gradTol: number; bounds?: number[] } {
    if (stop === undefined) return { gradTol: -1 };
    if (stop === null || typeof stop !== 'object') fail('stop must be an object such as {"gradTol": 1e-6}');
    let gradTol = -1;
    if (stop.gradTol !== undefined) {
      if (typeof stop.gradTol !== 'number' || !(stop.gradTol >= 0)) fail(`stop.gradTol must be a number >= 0, got ${JSON.stringify(stop.gradTol)}`);
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
        fail(`stochastic.batchSize must be an integer from 0 to ${info.data.count} (the number of samples), got ${JSON.stringify(batchSize)}`);
      }
    }
    if (replacement !== undefined && typeof replacement !== 'boolean') fail('stochastic.replacement must be true or false');
    if (noise !== undefined && !(typeof noise === 'number' && noise >= 0 && Number.isFinite(noise))) {
      fail(`stochastic.noise must be a number >= 0, got ${JSON.stringify(noise)}`);
    }
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) fail(`stochastic.seed must be a non-negative integer, got ${JSON.stringify(seed)}`);
    return spec;
  }

  async samples(loss: string, lossParams?: Record<string, number>): Promise<Float64Array> {
    const { handle, info } = await this.resolveLoss(loss, lossParams);
    if (!info.data) fail(`'${info.name}' is not backed by data`);
    return this.core.f64(this.core.exports.lossSamples(handle), info.data.count * info.data.columns.length).slice();
  }

  private createBuiltin(name: string, params: Record<string, number>): ResolvedLoss {
    const { kind } = BUILTIN_LOSSES[name];
    const info = builtinLossInfo(name, params);
    const { exports } = this.core;
    if (info.data) {
      const handle = exports.lossCreateData(kind, params.samples, params.seed, params.noise);
      return { handle, info: { ...info, minima: this.dataMinimum(handle, kind) } };
    }
    const c0 = params.condition ?? params.a ?? params.C ?? 0;
    const c1 = params.b ?? params.delta ?? 0;
    return { handle: exports.lossCreate(kind, info.dim, c0, c1), info };
  }

  /** The minimum of a data-backed loss, by Newton's method from the generating parameters; none if it does not converge. */
  private dataMinimum(loss: number, kind: number): { point: number[]; value: number }[] {
    const { core } = this;
    const { id, options } = packOptimizer('newton', {});
    const optionsPtr = core.allocF64(options.length, options);
    const schedule = core.allocF64(packSchedule(undefined).length);
    const start = core.allocF64(2, kind === LossId.linear_regression ? [2, -1] : [0, 0]);
    const steps = 50;
    const run = core.exports.runCreate(loss, id, optionsPtr, schedule, start, steps, 1e-12, 0, 0);
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

  private async resolveLoss(loss: unknown, lossParams: Record<string, number> | undefined): Promise<ResolvedLoss> {
    if (typeof loss !== 'string' || loss.trim() === '') fail('loss must be a built-in name or an expression');
    const name = loss.trim();
    if (isBuiltinLoss(name)) {
      if (lossParams !== undefined && (lossParams === null || typeof lossParams !== 'object')) fail('lossParams must be an object');
      const params = resolveLossParams(name, lossParams);
      const key = `${name}${JSON.stringify(params)}`;
      let resolved = this.builtins.get(key);
      if (!resolved) {
        resolved = this.createBuiltin(name, params);
        this.builtins.set(key, resolved);
      }
      return resolved;
    }
    if (!this.compileExpression) {
      fail(`Unknown loss '${name}'. Built-in losses: ${Object.keys(BUILTIN_LOSSES).join(', ')}`);
    }
    let pending = this.expressions.get(name);
    if (!pending) {
      pending = this.compileExpression(name).then(async ({ info, wasm, data }) => ({
        info,
        handle: await this.core.linkCustomLoss(wasm, info.dim, data),
      }));
      this.expressions.set(name, pending);
      pending.catch(() => this.expressions.delete(name));
    }
    return pending;
  }
}
