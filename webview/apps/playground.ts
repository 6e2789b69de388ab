// The Playground: one landscape (2-D or 3-D) with every run, the loss and gradient-norm charts, the side charts, the
// controls column with breakpoints and the inspector, and playback. The host's snapshot fills them; the page's state
// (apps/page.ts) is edited here and by the loader, and each part gets what it shows.
import type { PlaybackAction, Scenario, SessionView, Snapshot, TraceData } from '../../src/shared/protocol';
import { findLesson } from '../../src/shared/lessons';
import { CancelSource } from '../../src/shared/rpc';
import { samplesPerStep } from '../../src/shared/stochastic';
import { GradNormChart } from '../charts/gradNormChart';
import { LossChart } from '../charts/lossChart';
import { NetworkCharts } from '../charts/networkCharts';
import { SideCharts } from '../charts/sideCharts';
import { Controls, type ControlsEvents } from '../controls/controls';
import { ControlsDrawer } from '../controls/controlsDrawer';
import { NetworkControls } from '../controls/networkControls';
import { ViewToolbar } from '../controls/viewToolbar';
import { DebugPanel, type DebugChannel } from '../debug/debugPanel';
import { create } from '../dom/elements';
import { afterNextFrame } from '../dom/frames';
import { onThemeChange, runColor } from '../dom/theme';
import type { PanelPlot } from '../export/exportAnimation';
import type { Host } from '../host/host';
import { LandscapeView, type LandscapeEvents } from '../landscape/landscapeView';
import { Surface3D } from '../landscape/surface3d';
import { gradientFieldOverlay, stepArrowsOverlay } from '../landscape/vectorOverlays';
import { LessonBox } from '../lesson/lessonBox';
import { PathChart } from '../lesson/pathChart';
import { NetworkPanel } from '../network/networkPanel';
import { NetworkLandscapePanel } from '../network/networkLandscapePanel';
import { NetworkLinePanel } from '../network/networkLinePanel';
import { PlaybackLoop } from '../playback/playbackLoop';
import { Legend } from '../runs/legend';
import { longestRun, stepOfRow } from '../runs/traces';
import { chosenStart, connectPage, describeRow, newPageState, runName, startPoint, type PageState } from './page';
import { PageLoader } from './pageLoader';

/** Edits of the runs settle this long (ms) before they run. */
const RUN_DELAY_MS = 80;

export function mountPlayground(host: Host): void {
  // Asked before the panel is built: the host answers while it is.
  const ready = host.requestReady();
  const page = new Playground(host);
  page.mount();
  host.mark('mounted');
  host.onSession = (view) => page.showSession(view);
  connectPage(host, ready, {
    loop: page.loop,
    plot: () => page.plot(),
    applySnapshot: (snapshot) => page.applySnapshot(snapshot),
    showError: page.loader.showError,
    playbackAction: (action) => page.playbackAction(action),
  });
}

class Playground {
  readonly state: PageState;
  readonly loader: PageLoader;
  readonly loop: PlaybackLoop;
  private readonly landscape: LandscapeView;
  private readonly surface = new Surface3D();
  private readonly chart: LossChart;
  private readonly gradChart: GradNormChart;
  private readonly sideCharts = new SideCharts();
  private readonly legend = new Legend();
  private readonly lesson = new LessonBox();
  /** A lesson's loss profiles along paths between two networks (Lesson.paths). */
  private readonly paths: PathChart;
  private readonly debug: DebugPanel;
  private readonly toolbar: ViewToolbar;
  private readonly controls: Controls;
  /** A network's data set, layers and training settings (edits of its .loss lines, made by the host). */
  private readonly networkControls: NetworkControls;
  /** A network's output over its input plane and its drawing, shown instead of the landscape. */
  private readonly network: NetworkPanel;
  /** A network's train and test curves, beside the loss chart. */
  private readonly networkCharts: NetworkCharts;
  /** A network's loss on a plane through its parameters (PCA of the paths, or random directions), beside its outputs. */
  private readonly networkLandscape: NetworkLandscapePanel;
  /** A network's train and test loss along a line through its parameters (a run's start to end, or two runs' ends). */
  private readonly networkLine: NetworkLinePanel;
  private runTimer: ReturnType<typeof setTimeout> | undefined;
  /** The lesson text whose study was asked for last, and its request. */
  private studyKey: string | undefined;
  private studyRequest: CancelSource | undefined;

  constructor(private readonly host: Host) {
    this.state = newPageState(host.displayOptions);
    this.loader = new PageLoader(host, this.state, {
      landscape: (data) => {
        this.landscape.setLandscape(data);
        this.surface.setLandscape(data);
      },
      traces: (next, keepStep) => this.showTraces(next, keepStep),
    });
    this.loop = new PlaybackLoop({
      draw: (step, playing) => this.drawStep(step, playing),
      shown: (step) => this.debug.inspectShownStep(step),
    });
    this.landscape = new LandscapeView(this.landscapeEvents());
    this.landscape.element.append(this.surface.element);
    const seek = (step: number) => this.loop.seek(step);
    this.chart = new LossChart(seek, (step) => this.debug.toggleStep(step));
    this.gradChart = new GradNormChart(seek);
    this.debug = new DebugPanel(debugChannel(host), {
      changed: () => this.showBreakpoints(),
      shownStep: () => Math.floor(this.loop.playback.step),
    });
    this.toolbar = new ViewToolbar(this.state.display, {
      changed: (next) => this.loader.displayChanged(next, () => this.showDisplay()),
      compareValues: () => host.send({ type: 'sweep' }),
    });
    this.landscape.addOverlay(gradientFieldOverlay(() => this.toolbar.effective.gradientField), 'trajectories');
    this.landscape.addOverlay(stepArrowsOverlay(() => this.toolbar.effective.stepArrows), 'markers');
    this.controls = new Controls(this.controlsEvents());
    this.paths = new PathChart((scenario, onProgress) => host.requests.request('pathStudy', { scenario }, { onProgress }));
    this.networkControls = new NetworkControls((edit) => host.send({ type: 'editNetwork', edit }));
    this.controls.element.firstElementChild?.after(this.networkControls.element);
    this.network = new NetworkPanel({
      request: (query) => host.requests.request('networkOutput', { query }),
      error: this.loader.showError,
      runName: (i) => runName(this.state, i),
      layerStats: (query) => host.requests.request('networkLayerStats', { query }),
      seek,
    });
    this.networkCharts = new NetworkCharts(seek);
    this.networkLandscape = new NetworkLandscapePanel({
      request: (query) => host.requests.request('networkLandscape', { query }),
      sharpness: (query) => host.requests.request('networkSharpness', { query }),
      error: this.loader.showError,
      runName: (i) => runName(this.state, i),
    });
    this.networkLine = new NetworkLinePanel({
      request: (query) => host.requests.request('networkLine', { query }),
      error: this.loader.showError,
      runName: (i) => runName(this.state, i),
    });
    this.network.element.append(this.networkLandscape.element, this.networkLine.element);
  }

  private landscapeEvents(): LandscapeEvents {
    return {
      extentChanged: (extent, pixels, asked) => {
        if (!this.state.scenario || this.network.active) return;
        // Saved as asked: restored in another shape, the view is widened only as far as that shape needs.
        this.state.scenario.view = asked;
        this.loader.save();
        this.loader.scheduleLandscape(extent, pixels);
      },
      startChosen: (point) => {
        const { scenario, snapshot } = this.state;
        if (!scenario || !snapshot) return;
        scenario.start = chosenStart(snapshot, point);
        this.startMoved();
      },
      describe: (hit) => describeRow(this.state, this.state.traces[hit.trace], hit.row, `${runName(this.state, hit.trace)} · step ${stepOfRow(this.state.traces[hit.trace], hit.row)}`),
    };
  }

  private controlsEvents(): ControlsEvents {
    const { state, host } = this;
    return {
      changed: (runs, steps) => {
        if (!state.scenario) return;
        state.scenario.runs = runs;
        state.scenario.steps = steps;
        this.loader.save();
        clearTimeout(this.runTimer);
        this.runTimer = setTimeout(() => void this.loader.run(), RUN_DELAY_MS);
      },
      pickLoss: () => host.send({ type: 'pickLoss' }),
      resetStart: () => {
        if (!state.scenario || !state.snapshot) return;
        state.scenario.start = null;
        this.startMoved();
      },
      resetView: () => {
        if (state.snapshot) this.landscape.setHome(state.snapshot.loss.domain);
      },
      compare: () => {
        if (state.scenario) host.send({ type: 'openCompare', scenario: state.scenario });
      },
      exportPlot: () => host.send({ type: 'export' }),
      exportAnimation: () => host.send({ type: 'exportAnimation' }),
      chartX: (axis) => {
        if (!state.scenario) return;
        state.scenario.chartX = axis;
        this.loader.save();
        this.updateChartX();
      },
    };
  }

  /** The start moved (chosen on the landscape, or back to the default): shown, saved, and the runs start there. */
  private startMoved(): void {
    const start = startPoint(this.state);
    this.landscape.setMarkers(this.state.snapshot?.loss.minima ?? [], start);
    this.controls.showStart(start);
    this.loader.save();
    void this.loader.run();
  }

  /** Shows the 2-D or 3-D landscape and the overlays the toggles ask for. */
  private showDisplay(): void {
    this.surface.show(this.toolbar.effective.landscape === '3d');
    this.surface.setStepArrows(this.toolbar.effective.stepArrows);
    this.landscape.drawOverlays();
  }

  private showBreakpoints(): void {
    const session = this.debug.session;
    this.chart.setBreakpoints(this.debug.stepBreakpoints(), session && !session.running ? session.step : undefined, this.state.scenario?.steps ?? 0);
  }

  /** Shows the training session (the panel's or the debugger's): its traces, the paused point, the inspector. */
  showSession(view: SessionView | null): void {
    const wasActive = this.debug.active;
    this.debug.setSession(view);
    if (!view) {
      this.landscape.setPaused(undefined);
      this.showBreakpoints();
      if (wasActive) void this.loader.run();
      return;
    }
    const traces = view.traces;
    this.state.traces = traces;
    const { playback } = this.loop;
    playback.pause();
    playback.setLastStep(longestRun(traces));
    playback.seek(view.step);
    this.landscape.setTraces(traces);
    this.network.setTraces(traces);
    this.networkCharts.setTraces(traces, (i) => runName(this.state, i));
    this.networkLandscape.setTraces(traces);
    this.networkLine.setTraces(traces);
    this.chart.setTraces(traces);
    const stopped = view.running ? [] : view.positions.map((p, i) => (p.step === view.step ? i : -1)).filter((i) => i >= 0);
    this.landscape.setPaused(view.running ? undefined : { runs: stopped, step: view.step });
    this.showBreakpoints();
    this.renderLegend();
    this.loop.showStep();
    this.loader.markPainted('traces');
  }

  /** The loss chart against samples seen (step x batch size) when the scenario asks for it and the loss has data. */
  private updateChartX(): void {
    const { snapshot, scenario, traces } = this.state;
    const loss = snapshot?.loss;
    const bySamples = scenario?.chartX === 'samples' && loss?.data !== undefined;
    const perStep = bySamples && loss ? traces.map((_, i) => samplesPerStep(scenario?.runs[i], loss)) : undefined;
    this.chart.setSamplesPerStep(perStep);
    this.gradChart.setSamplesPerStep(perStep);
  }

  private showTraces(next: TraceData[], keepStep = false): void {
    this.loader.clearError();
    if (this.debug.active) return; // the session's traces are shown
    this.state.traces = next;
    this.loop.setRuns(next, keepStep);
    this.landscape.setTraces(next);
    this.surface.setTraces(next, next.map((_, i) => runColor(i)));
    this.chart.setTraces(next);
    this.gradChart.setTraces(next);
    this.updateChartX();
    this.sideCharts.setTraces(next, this.state.snapshot, this.state.scenario);
    this.network.setTraces(next);
    this.networkCharts.setTraces(next, (i) => runName(this.state, i));
    this.networkLandscape.setTraces(next);
    this.networkLine.setTraces(next);
    this.renderLegend();
    this.loop.showStep();
    this.loader.markPainted('traces');
  }

  private renderLegend(): void {
    this.legend.render(this.state.traces, (i) => runName(this.state, i));
  }

  private drawStep(step: number, playing: boolean): void {
    this.landscape.setStep(step, playing);
    this.chart.setStep(step);
    this.gradChart.setStep(step);
    this.surface.setStep(step);
    this.sideCharts.setStep(step);
    this.network.setStep(step);
    this.networkCharts.setStep(step);
    this.networkLandscape.setStep(step, playing);
  }

  /** The controls show the newest snapshot and scenario, once they are on the page. */
  private renderControls(): void {
    const { snapshot, scenario } = this.state;
    if (!this.controls.element.isConnected || !snapshot || !scenario) return;
    this.controls.render(snapshot, scenario, startPoint(this.state));
    this.networkControls.render(snapshot.loss.network !== undefined, scenario.loss);
  }

  /** The lesson's study, once per lesson text (the engine runs it; the chart shows its progress, then its result). */
  private requestStudy(scenario: Scenario): void {
    const id = scenario.lesson;
    const key = id && findLesson(id)?.study ? `${id}\n${scenario.loss}` : undefined;
    if (key === this.studyKey) return;
    this.studyKey = key;
    this.studyRequest?.cancel();
    this.studyRequest = undefined;
    if (!id || !key) return;
    const chart = this.lesson.study;
    const source = new CancelSource();
    this.studyRequest = source;
    chart.progress({ done: 0, total: 1 });
    this.host.requests.request('study', { lesson: id }, { cancel: source, onProgress: (p) => source.isCancellationRequested || chart.progress(p) }).then(
      (data) => source.isCancellationRequested || chart.show(data),
      (error: unknown) => source.isCancellationRequested || chart.failed(error instanceof Error ? error.message : String(error)),
    );
  }

  applySnapshot(next: Snapshot): void {
    const before = this.state.snapshot;
    const lossChanged = before?.loss.name !== next.loss.name || JSON.stringify(before?.scenario.lossParams) !== JSON.stringify(next.scenario.lossParams);
    const scenario = this.loader.takeSnapshot(next, lossChanged);
    this.loop.bar.setSpeed(next.settings.animationSpeed);
    this.renderControls();
    this.lesson.show(scenario.lesson);
    this.paths.show(scenario);
    this.requestStudy(scenario);
    this.sideCharts.setLoss(next);
    this.network.setLoss(next);
    this.networkLandscape.setLoss(next.loss.network ? next.scenario.loss : undefined);
    this.networkLine.setLoss(next.loss.network ? next.scenario.loss : undefined);
    const network = this.network.active;
    this.networkCharts.setNetwork(network);
    // A network's samples are drawn under its output; its landscape (a 2-D slice of many parameters) is not shown.
    if (network) this.sideCharts.element.hidden = true;
    this.landscape.element.hidden = network;
    this.controls.element.append(this.debug.element);
    this.debug.setRuns(scenario.runs.map((_, i) => runName(this.state, i)));
    this.showBreakpoints();
    this.landscape.setDimension(next.loss.dim);
    this.landscape.setMarkers(next.loss.minima, startPoint(this.state));
    this.surface.setParams(next.loss.params);
    this.surface.setMinima(next.loss.minima);
    this.toolbar.allowSurface(next.loss.dim >= 2 && !network);
    this.toolbar.showLandscapeParts(!network);
    if (this.debug.banner.isConnected) this.placeBanner();
    this.showDisplay();
    this.landscape.setHome(scenario.view ?? next.loss.domain);
    this.loader.drawSnapshotData(next);
    if (network) this.loader.markPainted('landscape');
  }

  /** The session's banner over the landscape, or above a network's outputs (a row of its own there). */
  private placeBanner(): void {
    if (this.network.active) this.network.element.prepend(this.debug.banner);
    else this.landscape.element.append(this.debug.banner);
  }

  /** A keybinding: the session's step and continue while one is shown, else the playback's. */
  playbackAction(action: PlaybackAction): void {
    if (this.debug.active) this.debug.keyAction(action);
    else this.loop.act(action);
  }

  /** What Export draws: the landscape shown (2-D or 3-D) and the legend. */
  plot(): PanelPlot {
    if (this.network.active) return { landscapes: this.network.plots, captions: [this.legend.element], drawsLater: false };
    const surfaceShown = this.toolbar.effective.landscape === '3d';
    return { landscapes: [surfaceShown ? this.surface.element : this.landscape.element], captions: [this.legend.element], drawsLater: surfaceShown };
  }

  mount(): void {
    const app = document.getElementById('app')!;
    const drawer = new ControlsDrawer(app, this.controls.element);
    this.toolbar.element.append(drawer.toggle);
    const chartArea = create('div', { className: 'chart-area' }, this.chart.element, this.gradChart.element, this.networkCharts.element, this.sideCharts.element, this.paths.element, this.legend.element);
    app.append(this.loader.errorBanner, this.lesson.element, this.toolbar.element, this.landscape.element, this.network.element, this.loop.bar.element, chartArea);
    // The controls (dozens of components) and the session banner come after the first frame: the landscape shows sooner.
    afterNextFrame(() => {
      app.append(this.controls.element);
      this.renderControls();
      drawer.label();
      this.placeBanner();
    });
    this.loop.bar.onAltClick((fraction) => this.debug.toggleStep(Math.round(fraction * Math.max(this.loop.playback.lastStep, this.state.scenario?.steps ?? 0))));
    this.debug.restore(this.host.savedBreakpoints());
    this.loop.listenToKeys(true);
    onThemeChange(() => {
      this.landscape.refreshTheme();
      this.surface.refreshTheme();
      this.network.refreshTheme();
      this.networkLandscape.refreshTheme();
      this.networkLine.refreshTheme();
      this.lesson.study.refreshTheme();
    });
    reportPageErrors(this.host);
  }
}

/** The breakpoints' and inspector's messages to the host. */
function debugChannel(host: Host): DebugChannel {
  return {
    saveBreakpoints: (breakpoints) => host.saveBreakpoints(breakpoints),
    sendBreakpoints: (breakpoints) => host.send({ type: 'breakpoints', breakpoints }),
    control: (action, extra) => host.send({ type: 'debug', action, ...extra }),
    inspect: (run, step) => host.requests.request('inspect', { run, step }),
    saveInspectorCoordinate: (param) => host.saveInspectorCoordinate(param),
    savedInspectorCoordinate: () => host.savedInspectorCoordinate,
    checkCondition: (condition, run) => host.requests.request('checkCondition', { condition, run }),
  };
}

/** Script errors and blocked resources go to the host's log (and fail the e2e tests). */
function reportPageErrors(host: Host): void {
  window.addEventListener('error', (event) => host.send({ type: 'log', level: 'error', message: String(event.message) }));
  document.addEventListener('securitypolicyviolation', (event) =>
    host.send({ type: 'log', level: 'error', message: `CSP blocked ${event.blockedURI || 'inline'} (${event.violatedDirective})` }),
  );
}
