// What a page shows of a network instead of a landscape: each run's output over the input plane at the step shown
// (asked of the engine; at most one request per run in flight, the newest step wins), a drawing of the network
// with the weights of the run picked (click a run's plot), and in the Playground that run's layer statistics.
import type { NetworkLayerStatsResult } from '../../src/shared/engineApi';
import type { NetworkSpec } from '../../src/shared/network';
import type { NetworkLayerStatsQuery, NetworkOutputData, NetworkOutputQuery, Snapshot, TraceData } from '../../src/shared/protocol';
import { create } from '../dom/elements';
import { runColor } from '../dom/theme';
import { paramsAt, rowAtStep, rowWidth, runningAt, shownStepLabel, stepOfRow } from '../runs/traces';
import { statsRowCount, statsRows } from './layerStats';
import { LayerStatsView } from './layerStatsView';
import { NetworkDiagram } from './networkDiagram';
import { OutputRequests } from './outputRequests';
import { OutputView, planeExtent, type PlaneData } from './outputView';

/** Grid points per side for a two-input network (the canvas smooths it), and along x for one input. */
const PLANE_GRID = 64;
const CURVE_POINTS = 200;
/** Rows of layer statistics kept at most (each with its parameters) before the rows not in use are dropped. */
const STATS_CACHE_ROWS = 64;

export interface NetworkPanelEvents {
  request(query: NetworkOutputQuery): Promise<NetworkOutputData>;
  error(error: unknown): void;
  runName(index: number): string;
  /** The picked run's layer statistics (the Playground's; absent: not shown). */
  layerStats?(query: NetworkLayerStatsQuery): Promise<NetworkLayerStatsResult>;
  /** A click or drag on the layer statistics' step axis. */
  seek?(step: number): void;
}

/** Layer statistics at rows of the picked run. */
interface StatsAnswer {
  rows: number[];
  result: NetworkLayerStatsResult;
}

export class NetworkPanel {
  readonly element = create('div', { className: 'network-panel', hidden: true });
  private readonly outputs = create('div', { className: 'network-outputs' });
  /** Says which points are training samples and which the test split's (when there is one). */
  private readonly sampleKey = create('div', { className: 'network-sample-key', hidden: true }, '● training samples   ○ test samples');
  readonly diagram = new NetworkDiagram();
  private views: OutputView[] = [];
  private readonly requests: OutputRequests<NetworkOutputData>;
  /** The picked run's layer statistics: one slot (run 0 stands for the picked run), the newest row wins. */
  private readonly statsRequests: OutputRequests<StatsAnswer> | undefined;
  private readonly stats: LayerStatsView | undefined;
  /** Statistics by row with the parameters they were computed at (valid while a row's parameters are the same). */
  private statsCache = new Map<number, { params: number[]; point: NetworkLayerStatsResult['points'][number] }>();
  private traces: TraceData[] = [];
  private loss = '';
  private plane: PlaneData | undefined;
  private spec: NetworkSpec | undefined;
  private picked = 0;
  private step = 0;

  /** withDiagram: the Playground draws the network too; Compare, whose cells share the window with its table, does not. */
  constructor(private readonly events: NetworkPanelEvents, withDiagram = true) {
    this.requests = new OutputRequests((i, row) => events.request(this.query(i, row)), (i, row, output) => this.views[i]?.setOutput(output, row), events.error);
    this.element.append(this.outputs, this.sampleKey);
    if (withDiagram) this.element.append(this.diagram.element);
    const layerStats = events.layerStats;
    if (withDiagram && layerStats) {
      this.stats = new LayerStatsView((step) => events.seek?.(step));
      this.element.append(this.stats.element);
      this.statsRequests = new OutputRequests(
        // Statistics depend on the parameters alone: only rows whose parameters were not computed yet are asked
        // (scrubbing asks for the row shown; a streaming run for its new rows).
        async (_, row) => {
          const trace = this.traces[this.picked];
          const cache = this.statsCache;
          const rows = statsRows(trace.rowCount, row, statsRowCount(trace.dim, this.plane?.trainCount ?? 1));
          const params = rows.map((r) => paramsAt(trace, r));
          const known = (i: number) => {
            const cached = cache.get(rows[i])?.params;
            return cached !== undefined && cached.every((p, k) => Object.is(p, params[i][k]));
          };
          const missing = rows.map((_, i) => i).filter((i) => !known(i));
          if (missing.length > 0) {
            const { points } = await layerStats({ loss: this.loss, params: missing.map((i) => params[i]) });
            missing.forEach((i, k) => cache.set(rows[i], { params: params[i], point: points[k] }));
          }
          // Bounded: scrubbing over a long run keeps only the rows in use.
          if (cache.size > STATS_CACHE_ROWS) for (const r of cache.keys()) if (!rows.includes(r)) cache.delete(r);
          return { rows, result: { points: rows.map((r) => cache.get(r)!.point) } };
        },
        (_, row, { rows, result }) => {
          const trace = this.traces[this.picked];
          if (trace) this.stats?.setStats(rows, result, this.events.runName(this.picked), trace.rowCount - 1, row, (r) => stepOfRow(trace, r));
        },
        events.error,
      );
    }
  }

  get active(): boolean {
    return this.spec !== undefined;
  }

  /** The snapshot's loss: a network shows this panel (with its data), any other loss hides it. */
  setLoss(snapshot: Snapshot): void {
    const spec = snapshot.loss.network;
    this.spec = spec;
    this.element.hidden = !spec;
    this.traces = [];
    this.requests.clear(); // answers still coming are for the loss before
    this.statsRequests?.clear();
    this.statsCache = new Map();
    this.syncViews(0);
    if (!spec) return;
    this.loss = snapshot.scenario.loss;
    const samples = snapshot.samples ?? new Float64Array();
    const columns = snapshot.loss.data?.columns.length ?? spec.widths[0] + 1;
    const trainCount = snapshot.loss.data?.count ?? samples.length / columns;
    this.plane = { spec, samples, columns, trainCount, ...planeExtent(samples, columns) };
    this.sampleKey.hidden = trainCount * columns >= samples.length;
    for (const view of this.views) view.setPlane(this.plane);
    this.diagram.setNetwork(spec.widths, spec.batchnorm);
  }

  setTraces(traces: TraceData[]): void {
    if (!this.spec) return;
    this.traces = traces;
    // Only one or two inputs make a plane to draw on; a wider network shows its drawing alone.
    this.syncViews(this.spec.widths[0] <= 2 ? traces.length : 0);
    this.requests.tracesChanged(this.views.length);
    this.statsRequests?.tracesChanged(traces.length > 0 ? 1 : 0);
    this.picked = Math.min(this.picked, Math.max(0, traces.length - 1));
    this.setStep(this.step);
  }

  setStep(step: number): void {
    this.step = step;
    if (!this.spec) return;
    this.views.forEach((view, i) => {
      const row = rowAtStep(this.traces[i], step);
      view.showStep(row);
      view.setTitle(`${this.events.runName(i)} · ${shownStepLabel(this.traces[i], step)}`);
      this.requests.want(i, row);
    });
    this.views.forEach((view, i) => view.element.classList.toggle('picked', i === this.picked && this.views.length > 1));
    const trace = this.traces[this.picked];
    if (trace) {
      const row = rowAtStep(trace, step);
      // A view on the row, not a copy: playback draws every frame.
      const base = row * rowWidth(trace);
      this.diagram.setParams(trace.rows.subarray(base, base + trace.dim), `${this.events.runName(this.picked)} · weights at ${shownStepLabel(trace, step)}`);
      this.statsRequests?.want(0, row);
      this.stats?.setStep(step, row);
    }
  }

  refreshTheme(): void {
    for (const view of this.views) view.refresh();
  }

  /** The plots (for Export). */
  get plots(): HTMLElement[] {
    return this.views.map((view) => view.element);
  }

  private syncViews(count: number): void {
    while (this.views.length > count) this.views.pop()!.element.remove();
    while (this.views.length < count) {
      const index = this.views.length;
      const view = new OutputView(runColor(index));
      view.element.addEventListener('click', () => {
        if (this.picked !== index) this.statsRequests?.tracesChanged(1); // another run's statistics
        this.picked = index;
        this.setStep(this.step);
      });
      if (this.plane) view.setPlane(this.plane);
      this.views.push(view);
      this.outputs.append(view.element);
    }
  }

  /** Run i's output at row: its parameters there over the plane (a grid of two inputs, a line of one). */
  private query(i: number, row: number): NetworkOutputQuery {
    const params = paramsAt(this.traces[i], row);
    const stats = runningAt(this.traces[i], row);
    const plane = this.plane!;
    const query: NetworkOutputQuery = this.spec!.widths[0] === 1
      ? { loss: this.loss, params, x: plane.x, size: [CURVE_POINTS, 1] }
      : { loss: this.loss, params, x: plane.x, y: plane.y, size: [PLANE_GRID, PLANE_GRID] };
    return stats ? { ...query, stats } : query;
  }
}
