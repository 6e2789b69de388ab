// A session: a run set kept in the engine between requests, advanced run by run, with breakpoints that can change
// (hit counts carried over by id). Each update carries only the rows recorded since the previous one.
import type { RunTrace, SessionAdvance, SessionBreakpoint, SessionRunUpdate, SessionUpdate } from '../shared/engineApi';
import { normalizeBreakpoints } from './breakpoints';
import { METRICS_WIDTH } from '../shared/engineApi';
import { describeValue } from './describe';

/** What a session uses of the engine's run set (engine.ts's RunSet): declared here so the two modules do not import each other. */
export interface SessionRuns {
  readonly runs: readonly unknown[];
  advanceRun(i: number, steps: number): unknown;
  view(i: number): RunTrace;
  breakpointMemory(i: number): { held: number; hits: number[] };
  restoreBreakpoints(i: number, held: number, hits: number[]): void;
  dispose(): void;
}

export class EngineSession {
  private breakpoints: SessionBreakpoint[] = [];
  /** Rows already sent, per run. */
  private readonly sent: number[];
  /** L-BFGS's evaluations already sent, per run. */
  private readonly evaluationsSent: number[];

  constructor(
    readonly id: number,
    private readonly set: SessionRuns,
    private readonly apply: (breakpoints: SessionBreakpoint[]) => Promise<void>,
  ) {
    this.sent = set.runs.map(() => 0);
    this.evaluationsSent = set.runs.map(() => 0);
  }

  advance({ runs, steps }: SessionAdvance): SessionUpdate {
    if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) {
      throw new Error(`steps must be a non-negative integer, got ${describeValue(steps)}`);
    }
    for (const i of this.runIndices(runs)) this.set.advanceRun(i, steps);
    return this.update();
  }

  async setBreakpoints(list: SessionBreakpoint[]): Promise<void> {
    const next = normalizeBreakpoints(list) as SessionBreakpoint[];
    next.forEach((b, i) => {
      if (typeof b.id !== 'string') throw new Error(`breakpoints[${i}] needs an id`);
    });
    const before = this.set.runs.map((_, i) => this.set.breakpointMemory(i));
    const old = this.breakpoints;
    await this.apply(next);
    this.breakpoints = next.map((b) => ({ ...b }));
    before.forEach(({ held, hits }, i) => {
      let carriedHeld = 0;
      const carriedHits = next.map((b, k) => {
        const j = old.findIndex((o) => o.id === b.id && o.condition === b.condition);
        if (j < 0) return 0;
        if (held & (1 << j)) carriedHeld |= 1 << k;
        return hits[j] ?? 0;
      });
      this.set.restoreBreakpoints(i, carriedHeld, carriedHits);
    });
  }

  /** Every run's new rows and status. */
  update(): SessionUpdate {
    return { id: this.id, runs: this.set.runs.map((_, i) => this.runUpdate(i)) };
  }

  private runUpdate(i: number): SessionRunUpdate {
    const view = this.set.view(i);
    const from = this.sent[i];
    const traceWidth = view.dim + 2;
    const stateWidth = view.stateNames?.length ?? 0;
    this.sent[i] = view.rowCount;
    const evaluationsFrom = this.evaluationsSent[i];
    if (view.evaluations) this.evaluationsSent[i] = view.evaluations.length / traceWidth;
    const ids = (indices: number[] | undefined) => (indices ?? []).map((k) => this.breakpoints[k].id);
    return {
      status: view.status,
      stoppedAt: view.stoppedAt,
      rowCount: view.rowCount,
      from,
      rows: view.rows.slice(from * traceWidth, view.rowCount * traceWidth),
      state: view.state?.slice(from * stateWidth, view.rowCount * stateWidth) ?? new Float64Array(0),
      ...(view.metrics ? { metrics: view.metrics.slice(from * METRICS_WIDTH, view.rowCount * METRICS_WIDTH) } : {}),
      ...(view.running && view.runningWidth
        ? { running: view.running.slice(from * view.runningWidth, view.rowCount * view.runningWidth), runningWidth: view.runningWidth } : {}),
      ...(view.evaluations ? { evaluations: view.evaluations.slice(evaluationsFrom * traceWidth) } : {}),
      pausedBy: ids(view.pausedBy),
      hits: Object.fromEntries(this.breakpoints.map((b, k) => [b.id, view.hits?.[k] ?? 0])),
    };
  }

  private runIndices(runs: number[] | undefined): number[] {
    if (runs === undefined) return this.set.runs.map((_, i) => i);
    if (!Array.isArray(runs) || !runs.every((i) => Number.isInteger(i) && i >= 0 && i < this.set.runs.length)) {
      throw new Error(`runs must list run indices from 0 to ${this.set.runs.length - 1}, got ${describeValue(runs)}`);
    }
    return runs;
  }

  dispose(): void {
    this.set.dispose();
  }
}
