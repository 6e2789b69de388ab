// Compare: one landscape per run (small multiples) with synchronised playback, a metrics table and the loss and
// gradient-norm charts (for a network also its train and test loss and accuracy curves). The page's state (apps/page.ts) is edited here and by the loader; each part gets what it shows.
import type { Snapshot, TraceData } from '../../src/shared/protocol';
import { GradNormChart } from '../charts/gradNormChart';
import { LossChart } from '../charts/lossChart';
import { NetworkCharts } from '../charts/networkCharts';
import { CompareHeader } from '../controls/compareHeader';
import { ViewToolbar } from '../controls/viewToolbar';
import { create } from '../dom/elements';
import { onThemeChange, runColor } from '../dom/theme';
import type { PanelPlot } from '../export/exportAnimation';
import type { Host } from '../host/host';
import { prepareLayer } from '../landscape/landscapeView';
import { SmallMultiples } from '../landscape/smallMultiples';
import { NetworkPanel } from '../network/networkPanel';
import { PlaybackLoop } from '../playback/playbackLoop';
import { legendParts } from '../runs/legend';
import { MetricsTable } from '../runs/metricsTable';
import { stepOfRow } from '../runs/traces';
import { chosenStart, connectPage, describeRow, newPageState, runName, startPoint, type PageState } from './page';
import { PageLoader } from './pageLoader';

const DEFAULT_TOLERANCE = 1e-3;

export function mountCompare(host: Host): void {
  // Asked before the panel is built: the host answers while it is.
  const ready = host.requestReady();
  const page = new Compare(host);
  page.mount();
  connectPage(host, ready, { loop: page.loop, plot: () => page.plot(), applySnapshot: (snapshot) => page.applySnapshot(snapshot), showError: page.loader.showError });
}

class Compare {
  readonly state: PageState;
  readonly loader: PageLoader;
  readonly loop: PlaybackLoop;
  private tolerance = DEFAULT_TOLERANCE;
  private readonly cells: SmallMultiples;
  private readonly chart: LossChart;
  private readonly gradChart: GradNormChart;
  /** A network's train and test curves, in a row of their own under the table and charts. */
  private readonly networkCharts: NetworkCharts;
  private readonly table = new MetricsTable();
  private readonly header: CompareHeader;
  private readonly bottom: HTMLElement;
  /** A network: each run's output over the input plane (same net and initialization per run) instead of the landscapes. */
  private readonly network: NetworkPanel;
  private readonly toolbar: ViewToolbar;

  constructor(host: Host) {
    this.state = newPageState(host.displayOptions);
    this.loader = new PageLoader(host, this.state, {
      landscape: (data) => {
        const layer = prepareLayer(data);
        for (const view of this.cells.views) view.setLayer(layer);
      },
      traces: (next, keepStep) => this.showTraces(next, keepStep),
    });
    this.loop = new PlaybackLoop({ draw: (step, playing) => this.drawStep(step, playing) });
    this.cells = new SmallMultiples({
      extentChanged: (extent, pixels) => {
        if (!this.network.active) this.loader.scheduleLandscape(extent, pixels);
      },
      startChosen: (point) => this.setStart(point),
      describe: (index, hit) => describeRow(this.state, this.state.traces[index], hit.row, `step ${stepOfRow(this.state.traces[index], hit.row)}`),
      display: () => this.state.display,
    });
    const seek = (step: number) => this.loop.seek(step);
    this.chart = new LossChart(seek);
    this.gradChart = new GradNormChart(seek);
    this.networkCharts = new NetworkCharts(seek);
    const toolbar = (this.toolbar = new ViewToolbar(
      this.state.display,
      {
        changed: (next) => this.loader.displayChanged(next, () => this.cells.views.forEach((view) => view.drawOverlays())),
        compareValues: () => {},
      },
      { modes: false, compareValues: false },
    ));
    this.header = new CompareHeader(
      {
        toleranceChanged: (tolerance) => {
          this.tolerance = tolerance;
          this.renderTable();
        },
        tune: () => host.send({ type: 'tune' }),
        exportPlot: () => host.send({ type: 'export' }),
        exportAnimation: () => host.send({ type: 'exportAnimation' }),
        sweep: (scenario) => host.send({ type: 'openCompare', scenario }),
      },
      DEFAULT_TOLERANCE,
      toolbar.element,
    );
    this.network = new NetworkPanel({
      request: (query) => host.requests.request('networkOutput', { query }),
      error: this.loader.showError,
      runName: (i) => runName(this.state, i),
    }, false);
    this.bottom = create('div', { className: 'compare-bottom' }, create('div', { className: 'metrics-area' }, this.table.element), this.chart.element, this.gradChart.element, this.networkCharts.element);
  }

  private setStart(point: [number, number]): void {
    const { scenario, snapshot } = this.state;
    if (!scenario || !snapshot) return;
    scenario.start = chosenStart(snapshot, point);
    this.loader.save();
    this.showStart();
    void this.loader.run();
  }

  private showStart(): void {
    const start = startPoint(this.state);
    this.header.showStart(start);
    for (const view of this.cells.views) view.setMarkers(this.state.snapshot?.loss.minima ?? [], start);
  }

  /**
   * The cells share the window with the header, the playback bar and the table with its charts; when that would
   * leave a cell too short, the table and charts go below the fold (the page scrolls) and the cells take the window.
   */
  private layoutCells(): void {
    const app = document.getElementById('app');
    if (!app || this.cells.views.length === 0) return;
    const style = getComputedStyle(app);
    const gap = parseFloat(style.rowGap) || 0;
    const padding = (parseFloat(style.paddingTop) || 0) + (parseFloat(style.paddingBottom) || 0);
    const alone = window.innerHeight - padding - this.header.element.offsetHeight - this.loop.bar.element.offsetHeight - 2 * gap;
    const withBottom = alone - this.bottom.offsetHeight - gap;
    const { scenario, snapshot } = this.state;
    const extent = scenario?.view ?? snapshot?.loss.domain;
    const aspect = extent ? (extent.x[1] - extent.x[0]) / (extent.y[1] - extent.y[0]) : NaN;
    this.cells.layout({ alone, withBottom }, aspect, (snapshot?.loss.dim ?? 0) >= 2);
  }

  private showTraces(next: TraceData[], keepStep = false): void {
    this.loader.clearError();
    this.state.traces = next;
    next.forEach((trace, i) => this.cells.views[i]?.setTraces([trace], [runColor(i)]));
    this.loop.setRuns(next, keepStep);
    this.chart.setTraces(next);
    this.gradChart.setTraces(next);
    this.networkCharts.setTraces(next, (i) => runName(this.state, i));
    this.cells.setCaptions((i) => legendParts(i, runName(this.state, i), this.state.traces[i]));
    this.network.setTraces(next);
    this.renderTable();
    this.loop.showStep();
    this.loader.markPainted('traces');
  }

  private renderTable(): void {
    this.table.render(this.state.traces, (i) => runName(this.state, i), this.state.snapshot?.loss.minima ?? [], this.tolerance);
  }

  private drawStep(step: number, playing: boolean): void {
    for (const view of this.cells.views) view.setStep(step, playing);
    this.chart.setStep(step);
    this.gradChart.setStep(step);
    this.networkCharts.setStep(step);
    this.network.setStep(step);
  }

  applySnapshot(next: Snapshot): void {
    const scenario = this.loader.takeSnapshot(next, true);
    this.header.showLoss(next.loss.title, next.loss.formula);
    this.header.showScenario(scenario, next.optimizers);
    this.loop.bar.setSpeed(next.settings.animationSpeed);
    this.state.traces = [];
    this.network.setLoss(next);
    this.cells.element.hidden = this.network.active;
    // A network's outputs, table and four charts take their own heights, and the page scrolls (panels.css); for a
    // landscape's cells, layoutCells says whether it scrolls.
    document.body.classList.toggle('compare-network', this.network.active);
    if (this.network.active) document.body.classList.add('compare-scrolls');
    this.networkCharts.setNetwork(this.network.active);
    this.toolbar.showLandscapeParts(!this.network.active);
    this.cells.build(this.network.active ? 0 : scenario.runs.length);
    this.layoutCells();
    for (const view of this.cells.views) view.setDimension(next.loss.dim);
    this.showStart();
    for (const view of this.cells.views) view.setHome(scenario.view ?? next.loss.domain);
    this.loader.drawSnapshotData(next);
    if (this.network.active) this.loader.markPainted('landscape');
  }

  /** What Export draws: every cell with its caption (a network: each run's output). */
  plot(): PanelPlot {
    if (this.network.active) return { landscapes: this.network.plots, captions: [], drawsLater: false };
    return { landscapes: this.cells.views.map((view) => view.element), captions: this.cells.captionElements(), drawsLater: false };
  }

  mount(): void {
    const layoutObserver = new ResizeObserver(() => this.layoutCells());
    for (const part of [document.body, this.header.element, this.loop.bar.element, this.bottom]) layoutObserver.observe(part);
    document.getElementById('app')!.append(this.loader.errorBanner, this.header.element, this.cells.element, this.network.element, this.loop.bar.element, this.bottom);
    this.loop.listenToKeys(false);
    onThemeChange(() => {
      this.cells.views.forEach((view) => view.refreshTheme());
      this.network.refreshTheme();
    });
  }
}
