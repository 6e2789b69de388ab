// A page's requests to the host: the landscape for the extent shown and the scenario's runs (only the newest answer
// of each is drawn), the error banner for a failed one, and telling the host when a snapshot's first frame is painted.
import type { DisplayOptions, LandscapeData, Scenario, Snapshot, TraceData } from '../../src/shared/protocol';
import { create } from '../dom/elements';
import { newestOnly, type Host } from '../host/host';
import type { Extent } from '../landscape/geometry';
import { landscapeQuery } from '../landscape/vectorOverlays';
import type { PageState } from './page';

/** Zoom and pan settle this long (ms) before the landscape is asked for again. */
const LANDSCAPE_DELAY_MS = 120;

export interface LoaderEvents {
  /** A landscape arrived: draw it. */
  landscape(data: LandscapeData): void;
  /** Runs streamed in (`keepStep`: the same runs again, with gradients: the step shown stays). */
  traces(traces: TraceData[], keepStep: boolean): void;
}

export class PageLoader {
  readonly errorBanner = create('div', { className: 'error', hidden: true });
  private readonly newestLandscape = newestOnly();
  private readonly newestRun = newestOnly();
  private landscapeTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the snapshot's first paint still waits for. */
  private paintPending = { landscape: true, traces: true };

  constructor(
    private readonly host: Host,
    private readonly state: PageState,
    private readonly events: LoaderEvents,
  ) {}

  readonly showError = (error: unknown): void => {
    this.errorBanner.textContent = error instanceof Error ? error.message : String(error);
    this.errorBanner.hidden = false;
  };

  clearError(): void {
    this.errorBanner.hidden = true;
  }

  /**
   * A new snapshot: the state takes it, the host saves its scenario, its runs are asked for (first: they stream in
   * while the page is drawn). Returns the page's copy of its scenario. `newLandscape`: the first paint also waits for a landscape.
   */
  takeSnapshot(next: Snapshot, newLandscape: boolean): Scenario {
    const scenario = structuredClone(next.scenario);
    this.state.snapshot = next;
    this.state.scenario = scenario;
    this.paintPending = { landscape: newLandscape, traces: true };
    this.host.mark('snapshot');
    this.host.saveScenario(scenario);
    void this.run();
    this.clearError();
    return scenario;
  }

  /** The snapshot's own landscape and runs, drawn at once; the exact grid for the plot's shape and the rest of the runs follow. */
  drawSnapshotData(next: Snapshot): void {
    if (next.landscape) {
      this.events.landscape(next.landscape);
      this.host.mark('landscape');
      this.markPainted('landscape');
    }
    if (next.runs) this.events.traces(next.runs.traces, false);
  }

  /** The extent shown changed: its landscape is asked for once zoom and pan settle (at once for a snapshot's first paint). */
  scheduleLandscape(extent: Extent, pixels: [number, number]): void {
    if (!this.state.scenario) return;
    this.state.landscapeShown = { extent, pixels };
    clearTimeout(this.landscapeTimer);
    this.landscapeTimer = setTimeout(() => void this.loadLandscape(extent, pixels), this.paintPending.landscape ? 0 : LANDSCAPE_DELAY_MS);
  }

  private async loadLandscape(extent: Extent, pixels: [number, number]): Promise<void> {
    const { scenario, snapshot, display } = this.state;
    if (!scenario || !snapshot) return;
    const query = landscapeQuery(scenario, extent, pixels, snapshot.settings.gridResolution, display.gradientField);
    await this.newestLandscape(() => this.host.requests.request('landscape', { query }), (data) => {
      this.events.landscape(data);
      this.markPainted('landscape');
    }, this.showError);
  }

  /** The scenario's runs, drawn as they stream in. `keepStep`: the same runs again, with gradients for the step arrows. */
  async run(keepStep = false): Promise<void> {
    const current = this.state.scenario;
    if (!current) return;
    await this.newestRun(
      // The same runs again (with gradients) are shown once complete: a partial run would move the step.
      (isNewest) => this.host.runs(current, this.state.display.stepArrows, isNewest, (next) => this.events.traces(next, keepStep), !keepStep),
      () => {}, // drawn as they streamed
      this.showError,
    );
  }

  /** The display toggles changed (`redraw` shows them); the field's gradients or the runs' are asked for when first needed. */
  displayChanged(next: DisplayOptions, redraw: () => void): void {
    const before = this.state.display;
    this.state.display = next;
    this.host.saveDisplay(next);
    redraw();
    const shown = this.state.landscapeShown;
    if (next.gradientField && !before.gradientField && shown) void this.loadLandscape(shown.extent, shown.pixels);
    if (next.stepArrows && !before.stepArrows && this.state.traces.some((t) => !t.grad)) void this.run(true);
  }

  /** Part of the snapshot's first frame is drawn: once both are, the host hears of it after that frame. */
  markPainted(part: 'landscape' | 'traces'): void {
    if (!this.paintPending[part]) return;
    this.paintPending[part] = false;
    if (!this.paintPending.landscape && !this.paintPending.traces) this.host.paintedAfterNextFrame();
  }

  /** Saves the scenario as edited (with the panel, and tells the host). */
  save(): void {
    if (this.state.scenario) this.host.saveScenario(this.state.scenario);
  }
}
