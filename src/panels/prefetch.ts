// A panel's engine work ahead of its page: the snapshot and the run stream started while the webview loads, and the
// stream the page's newest "run" request shows. The page's first requests for the same scenario use what is ready.
import type { Scenario, Snapshot } from '../shared/protocol';
import { scenarioKey } from '../shared/scenario';
import type { RunStream } from './runStream';

export class Prefetch {
  /** Engine work started while the webview loads; its first requests for the same scenario use it. */
  private prefetched: { key: string; snapshot: Promise<Snapshot>; runs: RunStream } | undefined;
  /** The stream the webview's newest "run" request shows; a newer request cancels it. */
  private shown: RunStream | undefined;

  constructor(
    private readonly snapshotOf: (scenario: Scenario) => Promise<Snapshot>,
    private readonly streamOf: (scenario: Scenario, gradients: boolean) => RunStream,
  ) {}

  /** Starts the scenario's snapshot and runs (cancelling earlier prefetched runs no request took). */
  start(scenario: Scenario): void {
    const snapshot = this.snapshotOf(scenario);
    // A failure reaches the webview when it asks; until then it is not unhandled.
    snapshot.catch(() => undefined);
    if (this.prefetched && this.prefetched.runs !== this.shown) this.prefetched.runs.cancel();
    this.prefetched = { key: scenarioKey(scenario), snapshot, runs: this.streamOf(scenario, false) };
  }

  /** The scenario's snapshot, with its runs so far unless withRuns is false (copying them is whole-trace work). */
  async snapshot(scenario: Scenario, withRuns = true): Promise<Snapshot> {
    const prefetched = this.prefetched;
    if (prefetched?.key !== scenarioKey(scenario)) return this.snapshotOf(scenario);
    const snapshot = await prefetched.snapshot;
    const runs = withRuns ? prefetched.runs.soFar() : undefined;
    return runs ? { ...snapshot, runs } : snapshot;
  }

  /**
   * The stream for the page's newest "run" request: the prefetched one when it is the same scenario (and no gradients
   * are asked for: the step arrows need runs that record their state), else a new one. Other streams are cancelled.
   */
  take(scenario: Scenario, gradients: boolean): RunStream {
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    const stream = !gradients && prefetched?.key === scenarioKey(scenario) ? prefetched.runs : this.streamOf(scenario, gradients);
    if (prefetched && prefetched.runs !== stream) prefetched.runs.cancel();
    if (this.shown !== stream) this.shown?.cancel();
    this.shown = stream;
    return stream;
  }

  dispose(): void {
    this.shown?.cancel();
    this.prefetched?.runs.cancel();
  }
}
