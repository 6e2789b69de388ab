// A training session: runs kept in the engine worker, moved by continue / step / step back / run to, paused by
// breakpoints that the engine checks in its run loop. The panel and the debugger drive the same session.
// No 'vscode' import: the debug adapter uses it in plain Node too.
import { LIMITS } from '../shared/limits';
import type {
  BreakpointSpec, LossInfo, RunStatus, SessionAdvance, SessionBreakpoint, SessionOpened, SessionRequest,
  SessionUpdate, StepState,
} from '../shared/engineApi';
import { METRICS_WIDTH } from '../shared/engineApi';
import type { Scenario } from '../shared/scenarioModel';
import { parseHitCondition } from '../engine/breakpoints';
import { checkCondition, evaluateExpression, MAX_CONDITIONS } from '../loss/conditions';
import { symmetricEigenvalues } from './eigen';
import { Emitter } from './emitter';

/** The engine calls a session needs (EngineClient has them). */
export interface SessionEngine {
  openSession(request: SessionRequest): Promise<SessionOpened>;
  advanceSession(id: number, advance: SessionAdvance): Promise<SessionUpdate>;
  setSessionBreakpoints(id: number, breakpoints: SessionBreakpoint[]): Promise<SessionUpdate>;
  closeSession(id: number): Promise<void>;
  evaluate(loss: string, point: number[], lossParams?: Record<string, number>): Promise<{ value: number; gradient: number[]; hessian: number[] }>;
}

/** The source of the scenario's own breakpoints (its `breakpoints` field) among the session's. */
export const SCENARIO_SOURCE = 'scenario';

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'pause' | 'divergence' | 'end';

export interface StopEvent {
  reason: StopReason;
  /** The runs that stopped for this reason. */
  runs: number[];
  /** With 'breakpoint': the ids of the breakpoints hit. */
  breakpoints: number[];
}

export interface RunPosition {
  label: string;
  optimizer: string;
  /** The step shown (may be behind the engine: history). */
  step: number;
  /** The last step the engine has computed. */
  engineStep: number;
  /** 'paused' while the run can go on; else how it ended ('completed', 'diverged', ...). */
  status: RunStatus;
  /** The breakpoints that stopped the run at the shown step. */
  pausedBy: number[];
}

/** A breakpoint as a source gives it; onChange defaults to true here (stop where the condition becomes true). */
export type SessionBreakpointSpec = BreakpointSpec;

export interface BreakpointResult {
  id: number;
  verified: boolean;
  /** Why it is not verified (the condition's first problem). */
  message?: string;
  /** Hit count per run. */
  hits: number[];
}

export interface BreakpointInfo extends BreakpointResult {
  source: string;
  spec: SessionBreakpointSpec;
}


export interface TrainingSessionOptions {
  /** A breakpoint hit stops every run (true, the default) or only the run that hit it. */
  pauseAllRuns?: boolean;
  /** Stop where a run's values become non-finite (default true). */
  pauseOnDivergence?: boolean;
}

/** Steps per engine request while running free, so pause() takes effect between them. */
const CHUNK = 20_000;
const REASON_PRIORITY: StopReason[] = ['divergence', 'breakpoint', 'pause', 'step', 'entry', 'end'];

interface RunRecord {
  rows: Float64Array;
  state: Float64Array;
  /** The engine's metrics rows (RunTrace.metrics), when the loss has them. */
  metrics?: Float64Array;
  /** With batch norm: each row's running statistics (RunTrace.running), runningWidth a row. */
  running?: Float64Array;
  runningWidth?: number;
  /** L-BFGS's inner evaluations so far (RunTrace.evaluations) and how many values of the buffer hold them. */
  evaluations?: { values: Float64Array; length: number };
  rowCount: number;
  status: RunStatus;
  shown: number;
  /** Steps where the engine paused on breakpoints, with their ids. */
  stops: Map<number, number[]>;
  hits: Record<string, number>;
  divergenceReported: boolean;
}

interface Entry {
  id: number;
  source: string;
  spec: SessionBreakpointSpec;
  verified: boolean;
  message?: string;
  /** The runs the engine checks it for. */
  runs: number[];
}

type Move = { step: number; reason: StopReason; breakpoints: number[] };

export class TrainingSession {
  private readonly stopEmitter = new Emitter<StopEvent>();
  private readonly continueEmitter = new Emitter<void>();
  private readonly changeEmitter = new Emitter<void>();
  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidStop = this.stopEmitter.event;
  readonly onDidContinue = this.continueEmitter.event;
  readonly onDidChange = this.changeEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  private records: RunRecord[] = [];
  private entries: Entry[] = [];
  private nextBreakpoint = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private pauseRequested = false;
  private moving = false;
  private disposed = false;
  private lastStop: StopEvent | undefined;
  private pauseAllRuns: boolean;
  private pauseOnDivergence: boolean;

  private constructor(
    private readonly engine: SessionEngine,
    readonly scenario: Scenario,
    private opened: SessionOpened,
    options: TrainingSessionOptions,
  ) {
    this.pauseAllRuns = options.pauseAllRuns ?? true;
    this.pauseOnDivergence = options.pauseOnDivergence ?? true;
    this.records = this.freshRecords();
    this.apply(opened);
  }

  /** Opens the runs in the engine; they wait at step 0. */
  static async open(engine: SessionEngine, scenario: Scenario, options: TrainingSessionOptions = {}): Promise<TrainingSession> {
    const opened = await engine.openSession(TrainingSession.request(scenario));
    const session = new TrainingSession(engine, scenario, opened, options);
    if (scenario.breakpoints?.length) {
      const specs = scenario.breakpoints.map((b) => (typeof b === 'string' ? { condition: b } : b));
      await session.setBreakpoints(SCENARIO_SOURCE, specs);
    }
    return session;
  }

  /**
   * A scenario (a panel's as it is, or the debugger's from a .loss file) as the engine opens it: its breakpoints
   * join the session's own list after (they need ids).
   */
  private static request(scenario: Scenario): SessionRequest {
    // A session records every step (the debugger steps through them): a scenario's recordEvery is the panel's.
    const { recordEvery: _recordEvery, ...recorded } = scenario;
    return { ...recorded, breakpoints: undefined };
  }

  get loss(): LossInfo {
    return this.opened.loss;
  }

  get steps(): number {
    return this.opened.steps;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** True while a continue / step / run to is under way. */
  get isRunning(): boolean {
    return this.moving;
  }

  /** The last stop (undefined before the first). */
  get stopped(): StopEvent | undefined {
    return this.lastStop;
  }

  get runCount(): number {
    return this.records.length;
  }

  /** The names a condition or an expression can use for run i. */
  conditionNames(run: number): string[] {
    return this.opened.info[run].conditionNames.filter((n) => !n.startsWith('_unused'));
  }

  options(): Required<TrainingSessionOptions> {
    return { pauseAllRuns: this.pauseAllRuns, pauseOnDivergence: this.pauseOnDivergence };
  }

  setPauseAllRuns(on: boolean): void {
    this.pauseAllRuns = on;
    this.changeEmitter.fire();
  }

  setPauseOnDivergence(on: boolean): void {
    this.pauseOnDivergence = on;
    this.changeEmitter.fire();
  }

  positions(): RunPosition[] {
    return this.records.map((r, i) => ({
      label: this.opened.info[i].label,
      optimizer: this.opened.info[i].optimizer,
      step: r.shown,
      engineStep: r.rowCount - 1,
      status: r.shown < r.rowCount - 1 || r.status === 'running' ? 'paused' : r.status,
      pausedBy: r.stops.get(r.shown) ?? [],
    }));
  }

  /** A run's recorded trace rows [...params, loss, gradNorm] up to the engine's step, and their metrics (copies). */
  trace(run: number): {
    rows: Float64Array; rowCount: number; width: number; metrics?: Float64Array; running?: Float64Array; runningWidth?: number; evaluations?: Float64Array;
  } {
    const r = this.records[run];
    const width = this.loss.dim + 2;
    const metrics = r.metrics?.slice(0, r.rowCount * METRICS_WIDTH);
    const evaluations = r.evaluations?.values.slice(0, r.evaluations.length);
    const running = r.running && r.runningWidth ? { running: r.running.slice(0, r.rowCount * r.runningWidth), runningWidth: r.runningWidth } : {};
    return { rows: r.rows.slice(0, r.rowCount * width), rowCount: r.rowCount, width, ...(metrics && { metrics }), ...running, ...(evaluations && { evaluations }) };
  }

  /** A run's recorded state rows up to the engine's step (a view, valid until the session's next update) and their names. */
  stateTrace(run: number): { state: Float64Array; names: string[] } {
    const names = this.opened.info[run].stateNames;
    return { state: this.records[run].state.subarray(0, this.records[run].rowCount * names.length), names };
  }

  // ---- breakpoints ----

  /** Replaces the breakpoints of one source (e.g. 'panel', 'debugger'); the session checks all sources' together. */
  setBreakpoints(source: string, specs: SessionBreakpointSpec[]): Promise<BreakpointResult[]> {
    return this.enqueue(async () => {
      const old = this.entries.filter((e) => e.source === source);
      const kept = this.entries.filter((e) => e.source !== source);
      const added = specs.map((spec) => {
        const same = old.findIndex((e) => e.spec.condition === spec.condition && e.spec.hitCondition === spec.hitCondition && sameRuns(e.spec.runs, spec.runs));
        const id = same >= 0 ? old.splice(same, 1)[0].id : this.nextBreakpoint++;
        return this.validate(id, source, spec, kept.length);
      });
      this.entries = [...kept, ...added];
      await this.sendBreakpoints();
      return added.map((e) => this.result(e));
    });
  }

  breakpoints(): BreakpointInfo[] {
    return this.entries.map((e) => ({ ...this.result(e), source: e.source, spec: e.spec }));
  }

  private validate(id: number, source: string, spec: SessionBreakpointSpec, before: number): Entry {
    const entry: Entry = { id, source, spec: { ...spec }, verified: false, runs: [] };
    const condition = typeof spec?.condition === 'string' ? spec.condition : '';
    if (condition.trim() === '') return { ...entry, message: 'Write a condition, e.g. loss < 1e-6' };
    try {
      parseHitCondition(spec.hitCondition);
    } catch (error) {
      return { ...entry, message: (error as Error).message };
    }
    if (before + 1 > MAX_CONDITIONS) return { ...entry, message: `At most ${MAX_CONDITIONS} breakpoints can be checked together` };
    const wanted = spec.runs ?? this.records.map((_, i) => i);
    let message: string | undefined;
    const runs = wanted.filter((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.records.length) return false;
      const problems = checkCondition(condition, this.opened.info[i].conditionNames);
      message ??= problems[0]?.message;
      return problems.length === 0;
    });
    if (runs.length === 0) return { ...entry, message: message ?? 'No run has this breakpoint' };
    return { ...entry, verified: true, runs };
  }

  private result(e: Entry): BreakpointResult {
    const hits = this.records.map((r) => r.hits[String(e.id)] ?? 0);
    return { id: e.id, verified: e.verified, ...(e.message ? { message: e.message } : {}), hits };
  }

  private engineBreakpoints(): SessionBreakpoint[] {
    return this.entries.filter((e) => e.verified).map((e) => ({
      id: String(e.id),
      condition: e.spec.condition,
      hitCondition: e.spec.hitCondition,
      runs: e.runs,
      enabled: e.spec.enabled !== false,
      onChange: e.spec.onChange ?? true,
    }));
  }

  private async sendBreakpoints(): Promise<void> {
    this.apply(await this.engine.setSessionBreakpoints(this.opened.id, this.engineBreakpoints()));
    this.changeEmitter.fire();
  }

  // ---- moving ----

  /** Runs on to the next breakpoint, divergence or end. */
  continue(run?: number): Promise<void> {
    return this.move(run, () => Infinity, 'end');
  }

  /** n steps forward (history first), stopping early at a breakpoint. */
  step(run?: number, n = 1): Promise<void> {
    const count = Math.max(1, Math.floor(n));
    return this.move(run, (r) => r.shown + count, 'step');
  }

  /** Runs to the given step (back through history when it lies behind). */
  runTo(step: number, run?: number): Promise<void> {
    const target = Math.max(0, Math.floor(step));
    return this.enqueue(async () => {
      const runs = this.targets(run);
      if (runs.every((i) => this.records[i].shown >= target)) {
        for (const i of runs) this.showAt(i, target);
        this.stop({ reason: 'step', runs, breakpoints: [] });
        return;
      }
      await this.moveNow(runs, () => target, 'step');
    });
  }

  /** One step back through the recorded history. */
  stepBack(run?: number): Promise<void> {
    return this.enqueue(async () => {
      const runs = this.targets(run);
      for (const i of runs) this.showAt(i, this.records[i].shown - 1);
      this.stop({ reason: 'step', runs, breakpoints: [] });
    });
  }

  /** Back to the previous breakpoint stop in the history, or to step 0. */
  reverseContinue(run?: number): Promise<void> {
    return this.enqueue(async () => {
      const runs = this.targets(run);
      const previous = (r: RunRecord) => Math.max(0, ...[...r.stops.keys()].filter((s) => s < r.shown));
      const target = Math.max(...runs.map((i) => previous(this.records[i])));
      for (const i of runs) this.showAt(i, Math.min(this.records[i].shown, target));
      const ids = [...new Set(runs.flatMap((i) => this.records[i].stops.get(this.records[i].shown) ?? []))];
      this.stop({ reason: ids.length > 0 ? 'breakpoint' : 'entry', runs, breakpoints: ids });
    });
  }

  /** Stops a continue that is under way (at the next chunk); when idle, reports a stop where the runs are. */
  pause(): void {
    if (this.moving) {
      this.pauseRequested = true;
      return;
    }
    void this.enqueue(async () => this.stop({ reason: 'pause', runs: this.records.map((_, i) => i), breakpoints: [] }));
  }

  /** Starts the runs over (new engine runs, same breakpoints, hit counts from 0); stops at step 0. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      const previous = this.opened.id;
      this.opened = await this.engine.openSession(TrainingSession.request(this.scenario));
      void this.engine.closeSession(previous).catch(() => undefined);
      this.records = this.freshRecords();
      this.apply(this.opened);
      if (this.entries.length > 0) await this.sendBreakpoints();
      this.stop({ reason: 'entry', runs: this.records.map((_, i) => i), breakpoints: [] });
    });
  }

  private move(run: number | undefined, limit: (r: RunRecord) => number, reachedReason: StopReason): Promise<void> {
    return this.enqueue(() => this.moveNow(this.targets(run), limit, reachedReason));
  }

  private async moveNow(runs: number[], limit: (r: RunRecord) => number, reachedReason: StopReason): Promise<void> {
    this.moving = true;
    this.pauseRequested = false;
    this.continueEmitter.fire();
    let event: StopEvent;
    try {
      event = await this.movesToStop(runs, limit, reachedReason);
    } finally {
      this.moving = false;
      this.pauseRequested = false;
    }
    this.stop(event);
  }

  private async movesToStop(runs: number[], limit: (r: RunRecord) => number, reachedReason: StopReason): Promise<StopEvent> {
    const moves = new Map<number, Move>();
    let common = Infinity;
    for (const i of runs) {
      const r = this.records[i];
      const cap = this.pauseAllRuns ? Math.min(limit(r), common) : limit(r);
      const move = await this.nextStop(i, cap, reachedReason);
      moves.set(i, move);
      if (this.pauseAllRuns && move.reason !== 'end') common = Math.min(common, move.step);
    }
    const stopped: { i: number; move: Move }[] = [];
    for (const i of runs) {
      let move = moves.get(i)!;
      if (this.pauseAllRuns && move.step > common) move = { step: common, reason: reachedReason === 'end' ? 'pause' : reachedReason, breakpoints: [] };
      this.showAt(i, move.step);
      if (move.reason === 'divergence') this.records[i].divergenceReported = true;
      stopped.push({ i, move });
    }
    const reason = REASON_PRIORITY.find((p) => stopped.some((s) => s.move.reason === p)) ?? 'end';
    const chosen = stopped.filter((s) => s.move.reason === reason);
    return { reason, runs: chosen.map((s) => s.i), breakpoints: [...new Set(chosen.flatMap((s) => s.move.breakpoints))] };
  }

  /** Where run i stops on its own, going at most to step cap. */
  private async nextStop(i: number, cap: number, reachedReason: StopReason): Promise<Move> {
    const r = this.records[i];
    for (;;) {
      const last = r.rowCount - 1;
      const ahead = [...r.stops.keys()].filter((s) => s > r.shown && s <= Math.min(cap, last)).sort((a, b) => a - b);
      if (ahead.length > 0) return { step: ahead[0], reason: 'breakpoint', breakpoints: r.stops.get(ahead[0])! };
      if (cap <= last) return { step: cap, reason: reachedReason === 'end' ? 'pause' : reachedReason, breakpoints: [] };
      if (r.status !== 'running' && r.status !== 'paused') {
        const diverged = r.status === 'diverged' && this.pauseOnDivergence && !r.divergenceReported;
        return { step: last, reason: diverged ? 'divergence' : 'end', breakpoints: [] };
      }
      if (this.pauseRequested) return { step: last, reason: 'pause', breakpoints: [] };
      const steps = Math.min(CHUNK, (Number.isFinite(cap) ? cap : this.steps) - last);
      this.apply(await this.engine.advanceSession(this.opened.id, { runs: [i], steps }));
    }
  }

  private showAt(i: number, step: number): void {
    const r = this.records[i];
    const shown = Math.max(0, Math.min(step, r.rowCount - 1));
    if (shown < r.shown) r.divergenceReported = false;
    r.shown = shown;
  }

  private targets(run: number | undefined): number[] {
    if (run !== undefined && (!Number.isInteger(run) || run < 0 || run >= this.records.length)) {
      throw new Error(`No run ${run}: the session has runs 0 to ${this.records.length - 1}`);
    }
    return run === undefined || this.pauseAllRuns ? this.records.map((_, k) => k) : [run];
  }

  private stop(event: StopEvent): void {
    this.lastStop = event;
    this.changeEmitter.fire();
    this.stopEmitter.fire(event);
  }

  // ---- reading ----

  /** The run's values at a step (default: the shown one). */
  inspect(run: number, step?: number): Promise<StepState> {
    return this.enqueue(async () => {
      const r = this.record(run);
      const t = this.checkStep(r, step);
      if (t + 1 >= r.rowCount && (r.status === 'running' || r.status === 'paused')) {
        // The update that would be applied next: the engine computes it (the shown step stays).
        this.apply(await this.engine.advanceSession(this.opened.id, { runs: [run], steps: 1 }));
      }
      const { params, dim } = this.loss;
      const width = dim + 2;
      const row = r.rows.subarray(t * width, (t + 1) * width);
      const names = this.opened.info[run].stateNames;
      const stateRow = r.state.subarray(t * names.length, (t + 1) * names.length);
      const lrColumn = names.indexOf('lr');
      const lrRow = t === 0 && r.rowCount > 1 ? 1 : t;
      // the gradient's own columns (grad_x), not a state named grad_... (RMSprop's grad_avg_x)
      const gradients = new Set(params.map((p) => `grad_${p}`));
      const stateAt = (row: number) => {
        const values: Record<string, number> = {};
        names.forEach((name, k) => {
          if (name && name !== 'lr' && !gradients.has(name)) values[name] = r.state[row * names.length + k];
        });
        return values;
      };
      const state = stateAt(t);
      const byParam = (values: ArrayLike<number>) => Object.fromEntries(params.map((p, k) => [p, values[k]]));
      const point = Array.from(row.subarray(0, dim));
      const next = t + 1 < r.rowCount ? r.rows.subarray((t + 1) * width, (t + 1) * width + dim) : undefined;
      // A network's Hessian up to LIMITS.networkHessianParams parameters (evaluate gives none beyond).
      const { hessian } = this.loss.network && dim > LIMITS.networkHessianParams ? { hessian: [] } : await this.engine.evaluate(this.scenario.loss, point, this.scenario.lossParams);
      return {
        run,
        step: t,
        params: byParam(point),
        loss: row[dim],
        gradNorm: row[dim + 1],
        lr: r.state[lrRow * names.length + lrColumn],
        grad: byParam(stateRow.subarray(0, dim)),
        state,
        ...(next ? { effectiveStep: byParam(point.map((x, k) => next[k] - x)), next: { lr: r.state[(t + 1) * names.length + lrColumn], state: stateAt(t + 1) } } : {}),
        hessian,
        hessianEigenvalues: symmetricEigenvalues(hessian, dim),
      };
    });
  }

  /** An expression or condition in the loss language over the run's values at a step (default: the shown one). */
  evaluate(expression: string, run: number, step?: number): Promise<number | boolean> {
    return this.enqueue(async () => {
      const t = this.checkStep(this.record(run), step);
      const result = evaluateExpression(expression, this.opened.info[run].conditionNames, this.contextValues(run, t));
      if (!result.ok) throw new Error(result.diagnostics[0]?.message ?? `Cannot evaluate '${expression}'`);
      return result.value;
    });
  }

  /** The values conditions read at step t, in conditionNames order. */
  private contextValues(run: number, t: number): number[] {
    const r = this.records[run];
    const { dim } = this.loss;
    const width = dim + 2;
    const names = this.opened.info[run].stateNames;
    const state = r.state.subarray(t * names.length, (t + 1) * names.length);
    const values = new Map<string, number>(names.map((n, k) => [n, state[k]]));
    this.loss.params.forEach((p, k) => values.set(p, r.rows[t * width + k]));
    values.set('step', t);
    values.set('loss', r.rows[t * width + dim]);
    values.set('gradnorm', r.rows[t * width + dim + 1]);
    return this.opened.info[run].conditionNames.map((n) => values.get(n) ?? 0);
  }

  private record(run: number): RunRecord {
    this.targets(run);
    return this.records[run];
  }

  private checkStep(r: RunRecord, step: number | undefined): number {
    const t = step ?? r.shown;
    if (!Number.isInteger(t) || t < 0 || t >= r.rowCount) throw new Error(`Step ${step} has not been computed (steps 0 to ${r.rowCount - 1} have)`);
    return t;
  }

  // ---- engine updates ----

  private freshRecords(): RunRecord[] {
    return this.opened.info.map(() => ({
      rows: new Float64Array(0), state: new Float64Array(0), rowCount: 0, status: 'running' as RunStatus, shown: 0,
      stops: new Map<number, number[]>(), hits: {}, divergenceReported: false,
    }));
  }

  private apply(update: SessionUpdate): void {
    const width = this.loss.dim + 2;
    update.runs.forEach((u, i) => {
      const r = this.records[i];
      const stateWidth = this.opened.info[i].stateNames.length;
      r.rows = append(r.rows, r.rowCount * width, u.rows, u.rowCount * width);
      r.state = append(r.state, r.rowCount * stateWidth, u.state, u.rowCount * stateWidth);
      if (u.metrics) r.metrics = append(r.metrics ?? new Float64Array(0), r.rowCount * METRICS_WIDTH, u.metrics, u.rowCount * METRICS_WIDTH);
      if (u.running && u.runningWidth) {
        r.running = append(r.running ?? new Float64Array(0), r.rowCount * u.runningWidth, u.running, u.rowCount * u.runningWidth);
        r.runningWidth = u.runningWidth;
      }
      if (u.evaluations) {
        const kept = r.evaluations ?? { values: new Float64Array(0), length: 0 };
        kept.values = append(kept.values, kept.length, u.evaluations, kept.length + u.evaluations.length);
        kept.length += u.evaluations.length;
        r.evaluations = kept;
      }
      r.rowCount = u.rowCount;
      r.status = u.status;
      r.hits = u.hits;
      if (u.status === 'paused' && u.pausedBy.length > 0) r.stops.set(u.rowCount - 1, u.pausedBy.map(Number));
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('The training session has ended'));
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the session; the returned promise settles once the engine has let go of the runs. */
  dispose(): Promise<void> {
    if (this.disposed) return this.closed;
    this.disposed = true;
    this.pauseRequested = true;
    this.closed = this.queue.then(() => this.engine.closeSession(this.opened.id)).catch(() => undefined);
    this.disposeEmitter.fire();
    for (const emitter of [this.stopEmitter, this.continueEmitter, this.changeEmitter, this.disposeEmitter]) emitter.dispose();
    return this.closed;
  }

  private closed: Promise<void> = Promise.resolve();
}

function sameRuns(a: number[] | undefined, b: number[] | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Writes added at offset `length` of buffer (grown by doubling), keeping [0, length). */
function append(buffer: Float64Array, length: number, added: Float64Array, total: number): Float64Array {
  let out = buffer;
  if (total > buffer.length) {
    out = new Float64Array(Math.max(total, 2 * buffer.length));
    out.set(buffer.subarray(0, length));
  }
  out.set(added, total - added.length);
  return out;
}
