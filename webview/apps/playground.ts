// The Playground: asks the host for a snapshot, then keeps landscape, runs and playback in step.
import { formatNumber, runLabel } from '../../src/shared/scenario';
import type { Scenario, Snapshot, TraceData } from '../../src/shared/protocol';
import { Controls } from '../controls/controls';
import type { Extent } from '../landscape/geometry';
import { newestOnly, type Host } from '../host/host';
import { LandscapeView } from '../landscape/landscapeView';
import { LossChart } from '../charts/lossChart';
import { Playback } from '../playback/playback';
import { isPanelKey, PlaybackBar } from '../playback/playbackBar';
import { onThemeChange, runColor } from '../dom/theme';
import { statusText } from '../runs/metrics';
import { plotPng, plotSvg } from '../export/exportImage';
import { playbackAnimation } from '../export/exportAnimation';
import { gradNormAt, longestRun, lossAt, paramsAt } from '../runs/traces';
import { DataView } from '../charts/dataView';
import { SeriesChart } from '../charts/seriesChart';
import { findLesson } from '../../src/shared/lessons';
import { averageRegret, samplesPerStep } from '../../src/shared/stochastic';
import { DebugPanel } from '../debug/debugPanel';
import { afterNextFrame } from '../dom/frames';
import type { SessionView } from '../../src/shared/protocol';
import { GradNormChart } from '../charts/gradNormChart';
import { Surface3D } from '../landscape/surface3d';
import { ViewToolbar } from '../controls/viewToolbar';
import { gradientFieldOverlay, landscapeQuery, stepArrowsOverlay } from '../landscape/vectorOverlays';
import type { DisplayOptions } from '../../src/shared/protocol';

const LANDSCAPE_DELAY_MS = 120;
const RUN_DELAY_MS = 80;

export function mountPlayground(host: Host): void {
  const playback = new Playback(0, 60);
  let snapshot: Snapshot | undefined;
  let scenario: Scenario | undefined;
  let traces: TraceData[] = [];
  const newestLandscape = newestOnly();
  const newestRun = newestOnly();
  let landscapeTimer: ReturnType<typeof setTimeout> | undefined;
  let runTimer: ReturnType<typeof setTimeout> | undefined;
  let paintPending = { landscape: true, traces: true };
  let looping = false;
  let display: DisplayOptions = host.displayOptions;
  /** The landscape's last extent and plot size, to ask again with or without the gradient field. */
  let shown: { extent: Extent; pixels: [number, number] } | undefined;

  const errorBanner = Object.assign(document.createElement('div'), { className: 'error', hidden: true });
  const legend = Object.assign(document.createElement('div'), { className: 'legend' });
  const lessonBox = Object.assign(document.createElement('section'), { className: 'lesson', hidden: true });
  const sideCharts = Object.assign(document.createElement('div'), { className: 'side-charts', hidden: true });
  const dataView = new DataView();
  const positionChart = new SeriesChart('position-chart', 'x against t');
  const regretChart = new SeriesChart('regret-chart', 'average regret R_T / T');

  function startPoint(): number[] {
    return scenario?.start ?? snapshot?.loss.start ?? [0, 0];
  }

  function showError(error: unknown): void {
    errorBanner.textContent = error instanceof Error ? error.message : String(error);
    errorBanner.hidden = false;
  }

  function clearError(): void {
    errorBanner.hidden = true;
  }

  function markPainted(part: 'landscape' | 'traces'): void {
    if (!paintPending[part]) return;
    paintPending[part] = false;
    if (!paintPending.landscape && !paintPending.traces) host.paintedAfterNextFrame();
  }

  function save(): void {
    if (scenario) host.saveScenario(scenario);
  }

  const landscape = new LandscapeView({
    extentChanged(extent, pixels, asked) {
      if (!scenario) return;
      shown = { extent, pixels };
      // Saved as asked: restored in another shape, the view is widened only as far as that shape needs.
      scenario.view = asked;
      save();
      clearTimeout(landscapeTimer);
      landscapeTimer = setTimeout(() => void loadLandscape(extent, pixels), paintPending.landscape ? 0 : LANDSCAPE_DELAY_MS);
    },
    startChosen(point) {
      if (!scenario || !snapshot) return;
      scenario.start = [point[0], point[1], ...snapshot.loss.start.slice(2)].slice(0, snapshot.loss.dim);
      landscape.setMarkers(snapshot.loss.minima, scenario.start);
      controls.showStart(scenario.start);
      save();
      void run();
    },
    describe(hit) {
      const trace = traces[hit.trace];
      const params = snapshot?.loss.params ?? [];
      const values = paramsAt(trace, hit.row);
      return [
        `${legendLabel(hit.trace)} · step ${hit.row}`,
        values.map((v, i) => `${params[i] ?? `p${i}`} = ${formatNumber(v)}`).join(', '),
        `loss ${formatNumber(lossAt(trace, hit.row))} · ‖∇‖ ${formatNumber(gradNormAt(trace, hit.row))}`,
      ];
    },
  });

  const seekTo = (step: number) => {
    playback.pause();
    playback.seek(step);
    showStep();
  };
  const chart = new LossChart(seekTo, (step) => debug.toggleStep(step));
  const gradChart = new GradNormChart(seekTo);
  const surface = new Surface3D();
  landscape.element.append(surface.element);

  const debug = new DebugPanel(host, {
    changed: () => showBreakpoints(),
    shownStep: () => Math.floor(playback.step),
  });
  const toolbar = new ViewToolbar(display, {
    changed(next) {
      const before = display;
      display = next;
      host.saveDisplay(next);
      showDisplay();
      if (next.gradientField !== before.gradientField && next.gradientField && shown) void loadLandscape(shown.extent, shown.pixels);
      if (next.stepArrows && !before.stepArrows && traces.some((t) => !t.grad)) void run(true);
    },
    compareValues: () => host.send({ type: 'sweep' }),
  });
  landscape.addOverlay(gradientFieldOverlay(() => toolbar.effective.gradientField), 'trajectories');
  landscape.addOverlay(stepArrowsOverlay(() => toolbar.effective.stepArrows), 'markers');

  /** Shows the 2-D or 3-D landscape and the overlays the toggles ask for. */
  function showDisplay(): void {
    surface.show(toolbar.effective.landscape === '3d');
    surface.setStepArrows(toolbar.effective.stepArrows);
    landscape.drawOverlays();
  }

  function showBreakpoints(): void {
    const session = debug.session;
    chart.setBreakpoints(debug.stepBreakpoints(), session && !session.running ? session.step : undefined, scenario?.steps ?? 0);
  }

  let inspectTimer: ReturnType<typeof setTimeout> | undefined;

  /** Shows the training session (the panel's or the debugger's): its traces, the paused point, the inspector. */
  function showSession(view: SessionView | null): void {
    const wasActive = debug.active;
    debug.setSession(view);
    if (!view) {
      landscape.setPaused(undefined);
      showBreakpoints();
      if (wasActive) void run();
      return;
    }
    traces = view.traces;
    playback.pause();
    playback.setLastStep(longestRun(traces));
    playback.seek(view.step);
    landscape.setTraces(traces);
    chart.setTraces(traces);
    const stopped = view.running ? [] : view.positions.map((p, i) => (p.step === view.step ? i : -1)).filter((i) => i >= 0);
    landscape.setPaused(view.running ? undefined : { runs: stopped, step: view.step });
    showBreakpoints();
    renderLegend();
    showStep();
    markPainted('traces');
  }

  function inspectShownStep(): void {
    const session = debug.session;
    if (!session || session.running) return;
    clearTimeout(inspectTimer);
    const run = session.focusRun;
    const step = Math.min(Math.floor(playback.step), session.positions[run]?.engineStep ?? 0);
    inspectTimer = setTimeout(() => void debug.inspect(run, step), 30);
  }

  const bar = new PlaybackBar(playback, () => showStep());

  const controls = new Controls({
    changed(runs, steps) {
      if (!scenario) return;
      scenario.runs = runs;
      scenario.steps = steps;
      save();
      clearTimeout(runTimer);
      runTimer = setTimeout(() => void run(), RUN_DELAY_MS);
    },
    pickLoss: () => host.send({ type: 'pickLoss' }),
    resetStart() {
      if (!scenario || !snapshot) return;
      scenario.start = null;
      landscape.setMarkers(snapshot.loss.minima, startPoint());
      controls.showStart(startPoint());
      save();
      void run();
    },
    resetView() {
      if (snapshot) landscape.setHome(snapshot.loss.domain);
    },
    compare() {
      if (scenario) host.send({ type: 'openCompare', scenario });
    },
    exportPlot: () => host.send({ type: 'export' }),
    exportAnimation: () => host.send({ type: 'exportAnimation' }),
    chartX(axis) {
      if (!scenario) return;
      scenario.chartX = axis;
      save();
      updateChartX();
    },
  });

  /** The loss chart against samples seen (step x batch size) when the scenario asks for it and the loss has data. */
  function updateChartX(): void {
    const loss = snapshot?.loss;
    const bySamples = scenario?.chartX === 'samples' && loss?.data !== undefined;
    const perStep = bySamples && loss ? traces.map((_, i) => samplesPerStep(scenario?.runs[i], loss)) : undefined;
    chart.setSamplesPerStep(perStep);
    gradChart.setSamplesPerStep(perStep);
  }

  /** The side charts: the data set with each run's model, or x against t and the average regret of an online problem. */
  function updateSideCharts(): void {
    const loss = snapshot?.loss;
    if (!loss) return;
    if (loss.online) {
      positionChart.setSeries(traces.map((trace) => ({ first: 0, values: Array.from({ length: trace.rowCount }, (_, r) => paramsAt(trace, r)[0]) })));
      regretChart.setSeries(
        traces.map((trace, i) => {
          const box = scenario?.runs[i]?.project?.[0];
          return { first: 1, values: averageRegret(trace, { ...loss, lossParams: scenario?.lossParams ?? loss.lossParams }, box)?.averageRegret ?? [] };
        }),
      );
    }
    dataView.setTraces(traces);
  }

  /** The lesson's explanation, collapsible (so the charts fit beside an editor); it stays as the user left it while the lesson is edited. */
  function renderLesson(): void {
    const lesson = findLesson(scenario?.lesson);
    lessonBox.hidden = !lesson;
    if (!lesson) {
      lessonBox.replaceChildren();
      return;
    }
    let section = lessonBox.querySelector('vscode-collapsible');
    if (!section || section.dataset.lesson !== lesson.id) {
      section = Object.assign(document.createElement('vscode-collapsible'), { className: 'lesson-explanation', heading: lesson.title, open: true });
      section.dataset.lesson = lesson.id;
      lessonBox.replaceChildren(section);
    }
    const explanation = Object.assign(document.createElement('div'), { className: 'explanation' });
    explanation.append(
      ...lesson.explanation.map((text) => Object.assign(document.createElement('p'), { textContent: text })),
      Object.assign(document.createElement('p'), { className: 'hint', textContent: 'Edit the .loss file beside this panel: the panel follows it.' }),
    );
    section.replaceChildren(explanation);
  }

  async function loadLandscape(extent: Extent, pixels: [number, number]): Promise<void> {
    if (!scenario || !snapshot) return;
    const query = landscapeQuery(scenario, extent, pixels, snapshot.settings.gridResolution, display.gradientField);
    await newestLandscape(() => host.requests.request('landscape', { query }), (data) => {
      landscape.setLandscape(data);
      surface.setLandscape(data);
      markPainted('landscape');
    }, showError);
  }

  /** The scenario's runs, drawn as they stream in. `keepStep`: the same runs again, with gradients for the step arrows. */
  async function run(keepStep = false): Promise<void> {
    if (!scenario) return;
    const current = scenario;
    await newestRun(
      // The same runs again (with gradients) are shown once complete: a partial run would move the step.
      (isNewest) => host.runs(current, display.stepArrows, isNewest, (next) => showTraces(next, keepStep), !keepStep),
      () => {}, // drawn as they streamed
      showError,
    );
  }

  function showTraces(next: TraceData[], keepStep = false): void {
    clearError();
    if (debug.active) return; // the session's traces are shown
    traces = next;
    playback.setLastStep(longestRun(traces));
    if (!playback.playing && !keepStep) playback.seek(playback.lastStep);
    landscape.setTraces(traces);
    surface.setTraces(traces, traces.map((_, i) => runColor(i)));
    chart.setTraces(traces);
    gradChart.setTraces(traces);
    updateChartX();
    updateSideCharts();
    renderLegend();
    showStep();
    markPainted('traces');
  }

  function legendLabel(index: number): string {
    const run = scenario?.runs[index];
    return run && snapshot ? runLabel(run, snapshot.optimizers) : (traces[index]?.label ?? '');
  }

  function renderLegend(): void {
    legend.replaceChildren(
      ...traces.map((trace, i) => {
        const item = Object.assign(document.createElement('div'), { className: 'legend-item' });
        const swatch = Object.assign(document.createElement('span'), { className: 'swatch' });
        swatch.style.backgroundColor = runColor(i);
        const label = Object.assign(document.createElement('span'), { className: 'legend-label', textContent: legendLabel(i) });
        const status = Object.assign(document.createElement('span'), { className: `legend-status status-${trace.status}`, textContent: statusText(trace, formatNumber) });
        item.append(swatch, label, status);
        return item;
      }),
    );
  }

  function setStep(step: number): void {
    landscape.setStep(step, playback.playing);
    chart.setStep(step);
    gradChart.setStep(step);
    surface.setStep(step);
    if (!sideCharts.hidden) {
      dataView.setStep(step);
      positionChart.setStep(step);
      regretChart.setStep(step);
    }
  }

  function showStep(): void {
    setStep(playback.step);
    bar.update();
    inspectShownStep();
    if (playback.playing && !looping) {
      looping = true;
      requestAnimationFrame(frame);
    }
  }

  function frame(now: number): void {
    if (playback.frame(now)) setStep(playback.step);
    bar.update();
    if (playback.playing) requestAnimationFrame(frame);
    else looping = false;
  }

  /** The controls show the newest snapshot and scenario, once they are on the page. */
  function renderControls(): void {
    if (controls.element.isConnected && snapshot && scenario) controls.render(snapshot, scenario, startPoint());
  }

  function applySnapshot(next: Snapshot): void {
    const lossChanged = snapshot?.loss.name !== next.loss.name || JSON.stringify(snapshot?.scenario.lossParams) !== JSON.stringify(next.scenario.lossParams);
    snapshot = next;
    scenario = structuredClone(next.scenario);
    paintPending = { landscape: lossChanged, traces: true };
    host.mark('snapshot');
    save();
    // Asked first: the runs stream in while the landscape is drawn.
    void run();
    clearError();
    bar.setSpeed(next.settings.animationSpeed);
    renderControls();
    renderLesson();
    const online = next.loss.online !== undefined;
    const data = next.samples !== undefined && next.loss.data !== undefined;
    sideCharts.hidden = !online && !data;
    sideCharts.replaceChildren(...(online ? [positionChart.element, regretChart.element] : data ? [dataView.element] : []));
    if (data && next.samples && next.loss.data) dataView.setData(next.samples, next.loss.data.columns, next.loss.data.model);
    controls.element.append(debug.element);
    debug.setRuns(scenario.runs.map((_, i) => legendLabel(i)));
    showBreakpoints();
    landscape.setDimension(next.loss.dim);
    landscape.setMarkers(next.loss.minima, startPoint());
    surface.setParams(next.loss.params);
    surface.setMinima(next.loss.minima);
    toolbar.allowSurface(next.loss.dim >= 2);
    showDisplay();
    landscape.setHome(scenario.view ?? next.loss.domain);
    // Drawn at once; the exact grid for the plot's shape follows.
    if (next.landscape) {
      landscape.setLandscape(next.landscape);
      host.mark('landscape');
      surface.setLandscape(next.landscape);
      markPainted('landscape');
    }
    // The runs so far come with the snapshot: on screen in the same frame; the stream goes on from there.
    if (next.runs) showTraces(next.runs.traces);
  }

  function onKey(event: KeyboardEvent): void {
    if (!isPanelKey(event)) return;
    if (event.key === ' ') {
      event.preventDefault();
      bar.toggle();
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      playback.pause();
      playback.seek(Math.floor(playback.step) + (event.key === 'ArrowRight' ? 1 : -1) * (event.shiftKey ? 10 : 1));
      showStep();
    }
  }

  /** Shows or hides the controls column (a drawer over the plot in a narrow panel); the toggle says which it will do. */
  const controlsToggle = Object.assign(document.createElement('vscode-button'), { className: 'controls-toggle', secondary: true });
  function controlsShown(): boolean {
    return controls.element.isConnected && getComputedStyle(controls.element).display !== 'none';
  }
  function labelControlsToggle(): void {
    const shown = controlsShown();
    const label = shown ? 'Hide controls' : 'Show controls';
    if (controlsToggle.textContent !== label) controlsToggle.textContent = label;
    controlsToggle.setAttribute('aria-expanded', String(shown));
  }

  function mount(): void {
    const app = document.getElementById('app')!;
    controlsToggle.title = 'The optimizers, steps, start, breakpoints and export';
    controlsToggle.addEventListener('click', () => {
      app.dataset.controls = controlsShown() ? 'hidden' : 'shown';
      labelControlsToggle();
    });
    toolbar.element.append(controlsToggle);
    // The drawer covers the toggle in a narrow panel: it has its own.
    const closeControls = Object.assign(document.createElement('vscode-button'), { className: 'controls-close', secondary: true, textContent: 'Close' });
    closeControls.addEventListener('click', () => {
      app.dataset.controls = 'hidden';
      labelControlsToggle();
    });
    controls.element.prepend(closeControls);
    // The default depends on the panel's width (a drawer when narrow): the label follows it.
    new ResizeObserver(labelControlsToggle).observe(app);
    const chartArea = Object.assign(document.createElement('div'), { className: 'chart-area' });
    chartArea.append(chart.element, gradChart.element, sideCharts, legend);
    app.append(errorBanner, lessonBox, toolbar.element, landscape.element, bar.element, chartArea);
    // The controls (dozens of components) and the session banner come after the first frame: the landscape shows sooner.
    afterNextFrame(() => {
      app.append(controls.element);
      renderControls();
      labelControlsToggle();
      landscape.element.append(debug.banner);
    });
    bar.element.querySelector('.scrubber')?.addEventListener('pointerdown', (event) => {
      const pointerEvent = event as PointerEvent;
      if (!pointerEvent.altKey) return;
      pointerEvent.preventDefault();
      const box = (pointerEvent.target as HTMLElement).getBoundingClientRect();
      debug.toggleStep(Math.round(((pointerEvent.clientX - box.left) / box.width) * Math.max(playback.lastStep, scenario?.steps ?? 0)));
    });
    debug.restore(host.savedBreakpoints());
    document.addEventListener('keydown', onKey);
    onThemeChange(() => {
      landscape.refreshTheme();
      surface.refreshTheme();
    });
    window.addEventListener('error', (event) => host.send({ type: 'log', level: 'error', message: String(event.message) }));
    document.addEventListener('securitypolicyviolation', (event) =>
      host.send({ type: 'log', level: 'error', message: `CSP blocked ${event.blockedURI || 'inline'} (${event.violatedDirective})` }),
    );
  }

  // Asked before the panel is built: the host answers while it is.
  const ready = host.requestReady();
  mount();
  host.mark('mounted');
  host.onRender = async (format) => {
    // An export is of a frame at rest (SVG trajectories): playback pauses.
    if (playback.playing) {
      playback.pause();
      showStep();
    }
    const plot = toolbar.effective.landscape === '3d' ? surface.element : landscape.element;
    return format === 'png' ? plotPng([plot], [legend]) : plotSvg([plot], [legend]);
  };
  host.animationView = playbackAnimation(playback, showStep, () => {
    const surfaceShown = toolbar.effective.landscape === '3d';
    return { landscapes: [surfaceShown ? surface.element : landscape.element], captions: [legend, bar.stepText], drawsLater: surfaceShown };
  });
  host.onPlayback = (action) => {
    if (debug.active) debug.keyAction(action);
    else if (action === 'toggle') bar.toggle();
    else bar.stepBy(action === 'forward' ? 1 : -1);
  };
  host.onSession = showSession;
  // A hidden page keeps running (and drawing): an animation out of sight pauses.
  host.onHidden = () => bar.pause();
  host.onSnapshot = applySnapshot;
  host.start(ready, applySnapshot, showError);
}
