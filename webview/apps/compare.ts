// Compare: one landscape per run (small multiples) with synchronised playback, a metrics table and the loss chart.
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { formatNumber, formatPoint, runLabel } from '../../src/shared/scenario';
import type { Scenario, Snapshot, TraceData } from '../../src/shared/protocol';
import { bestColumns, rowsFit, type Extent } from '../landscape/geometry';
import { newestOnly, type Host } from '../host/host';
import { plotPng, plotSvg } from '../export/exportImage';
import { playbackAnimation } from '../export/exportAnimation';
import { LandscapeView, PLOT_MARGIN, prepareLayer } from '../landscape/landscapeView';
import { LossChart } from '../charts/lossChart';
import { runMetrics, statusText } from '../runs/metrics';
import { Playback } from '../playback/playback';
import { isPanelKey, PlaybackBar } from '../playback/playbackBar';
import { onThemeChange, runColor } from '../dom/theme';
import { gradNormAt, longestRun, lossAt, paramsAt } from '../runs/traces';
import { GradNormChart } from '../charts/gradNormChart';
import { SweepForm } from '../controls/sweepForm';
import { gradientFieldOverlay, landscapeQuery, stepArrowsOverlay } from '../landscape/vectorOverlays';
import { ViewToolbar } from '../controls/viewToolbar';

const LANDSCAPE_DELAY_MS = 120;
const DEFAULT_TOLERANCE = 1e-3;
/** A caption's one line (pixels). */
const MIN_CAPTION_HEIGHT = 16;
/** Narrower cells would squeeze their captions (pixels). */
const MIN_CELL_WIDTH = 200;
/** A cell's landscape is never squashed below this (pixels): fewer columns, or the cells scroll. */
const MIN_LANDSCAPE_HEIGHT = 120;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

export function mountCompare(host: Host): void {
  // Asked before the panel is built: the host answers while it is.
  const ready = host.requestReady();
  const playback = new Playback(0, 60);
  let snapshot: Snapshot | undefined;
  let scenario: Scenario | undefined;
  let traces: TraceData[] = [];
  let views: LandscapeView[] = [];
  let captions: HTMLElement[] = [];
  let captionHeight = MIN_CAPTION_HEIGHT;
  let tolerance = DEFAULT_TOLERANCE;
  const newestLandscape = newestOnly();
  const newestRun = newestOnly();
  let landscapeTimer: ReturnType<typeof setTimeout> | undefined;
  let paintPending = { landscape: true, traces: true };
  let looping = false;

  const errorBanner = Object.assign(element('div', 'error'), { hidden: true });
  const title = element('div', 'compare-title');
  const startText = element('span', 'start-text');
  const toleranceField = document.createElement('vscode-textfield') as VscodeTextfield;
  toleranceField.className = 'tolerance';
  toleranceField.value = String(DEFAULT_TOLERANCE);
  const multiples = element('div', 'multiples');
  const table = element('table', 'metrics');
  const seekTo = (step: number) => {
    playback.pause();
    playback.seek(step);
    showStep();
  };
  const chart = new LossChart(seekTo);
  const gradChart = new GradNormChart(seekTo);
  const sweepForm = new SweepForm((swept) => host.send({ type: 'openCompare', scenario: swept }));
  const bar = new PlaybackBar(playback, () => showStep());
  let display = host.displayOptions;
  /** The last landscape asked for: asked again with the field's gradients when the field is turned on. */
  let shown: { extent: Extent; pixels: [number, number] } | undefined;
  const toolbar = new ViewToolbar(
    display,
    {
      changed(next) {
        const before = display;
        display = next;
        host.saveDisplay(next);
        for (const view of views) view.drawOverlays();
        if (next.gradientField && !before.gradientField && shown) void loadLandscape(shown.extent, shown.pixels);
        if (next.stepArrows && !before.stepArrows && traces.some((t) => !t.grad)) void run(true);
      },
      compareValues: () => {},
    },
    { modes: false, compareValues: false },
  );

  function label(index: number): string {
    const run = scenario?.runs[index];
    return run && snapshot ? runLabel(run, snapshot.optimizers) : (traces[index]?.label ?? '');
  }

  function startPoint(): number[] {
    return scenario?.start ?? snapshot?.loss.start ?? [0, 0];
  }

  function showError(error: unknown): void {
    errorBanner.textContent = error instanceof Error ? error.message : String(error);
    errorBanner.hidden = false;
  }

  function markPainted(part: 'landscape' | 'traces'): void {
    if (!paintPending[part]) return;
    paintPending[part] = false;
    if (!paintPending.landscape && !paintPending.traces) host.paintedAfterNextFrame();
  }

  function setStart(point: [number, number]): void {
    if (!scenario || !snapshot) return;
    scenario.start = [point[0], point[1], ...snapshot.loss.start.slice(2)].slice(0, snapshot.loss.dim);
    host.saveScenario(scenario);
    showStart();
    void run();
  }

  function showStart(): void {
    startText.textContent = `start ${formatPoint(startPoint())}`;
    for (const view of views) view.setMarkers(snapshot?.loss.minima ?? [], startPoint());
  }

  /** One small multiple per run; the first one's extent decides the shared landscape. */
  function buildViews(count: number): void {
    views = [];
    captions = [];
    const cells = Array.from({ length: count }, (_, index) => {
      const view = new LandscapeView(
        {
          extentChanged(extent, pixels) {
            if (index === 0) scheduleLandscape(extent, pixels);
          },
          startChosen: setStart,
          describe(hit) {
            const trace = traces[index];
            const params = snapshot?.loss.params ?? [];
            return [
              `step ${hit.row}`,
              paramsAt(trace, hit.row).map((v, i) => `${params[i] ?? `p${i}`} = ${formatNumber(v)}`).join(', '),
              `loss ${formatNumber(lossAt(trace, hit.row))} · ‖∇‖ ${formatNumber(gradNormAt(trace, hit.row))}`,
            ];
          },
        },
        { zoomable: false },
      );
      view.addOverlay(gradientFieldOverlay(() => display.gradientField), 'trajectories');
      view.addOverlay(stepArrowsOverlay(() => display.stepArrows), 'markers');
      views.push(view);
      const caption = element('div', 'cell-caption');
      captions.push(caption);
      const cell = element('div', 'cell');
      cell.append(caption, view.element);
      return cell;
    });
    multiples.replaceChildren(...cells);
    layoutCells();
  }

  /**
   * As many columns as draw each landscape largest in the cells' space (2-D); the captions aligned. The cells share
   * the window with the header, the playback bar and the table with its charts; when that would leave a cell shorter
   * than MIN_LANDSCAPE_HEIGHT, the table and charts go below the fold (the page scrolls) and the cells take the window.
   */
  function layoutCells(): void {
    const count = views.length;
    const app = document.getElementById('app');
    if (!app || count === 0) return;
    const style = getComputedStyle(app);
    const gap = parseFloat(style.rowGap) || 0;
    const padding = (parseFloat(style.paddingTop) || 0) + (parseFloat(style.paddingBottom) || 0);
    const alone = window.innerHeight - padding - header.offsetHeight - bar.element.offsetHeight - 2 * gap;
    const withBottom = alone - bottom.offsetHeight - gap;
    const width = multiples.clientWidth;
    const extent = scenario?.view ?? snapshot?.loss.domain;
    const aspect = extent ? (extent.x[1] - extent.x[0]) / (extent.y[1] - extent.y[0]) : NaN;
    const chrome = {
      gap: parseFloat(getComputedStyle(multiples).columnGap) || 0,
      x: PLOT_MARGIN.left + PLOT_MARGIN.right,
      y: captionHeight + PLOT_MARGIN.top + PLOT_MARGIN.bottom,
      minWidth: MIN_CELL_WIDTH,
      minHeight: captionHeight + MIN_LANDSCAPE_HEIGHT,
    };
    const twoD = (snapshot?.loss.dim ?? 0) >= 2 && aspect > 0 && Number.isFinite(aspect) && width > 0;
    const columnsFor = (height: number) => (twoD ? bestColumns(count, width, height, aspect, chrome) : Math.min(count, count <= 4 ? count : Math.ceil(count / 2)));
    let columns = columnsFor(withBottom);
    const fits = rowsFit(count, columns, withBottom, chrome);
    if (!fits) columns = columnsFor(alone);
    document.body.classList.toggle('compare-scrolls', !fits);
    const height = `${Math.floor(Math.max(fits ? withBottom : alone, chrome.minHeight))}px`;
    if (multiples.style.getPropertyValue('--columns') !== String(columns)) multiples.style.setProperty('--columns', String(columns));
    if (multiples.style.getPropertyValue('--multiples-height') !== height) multiples.style.setProperty('--multiples-height', height);
    alignCaptions();
  }

  function scheduleLandscape(extent: Extent, pixels: [number, number]): void {
    if (!scenario) return;
    clearTimeout(landscapeTimer);
    landscapeTimer = setTimeout(() => void loadLandscape(extent, pixels), paintPending.landscape ? 0 : LANDSCAPE_DELAY_MS);
  }

  async function loadLandscape(extent: Extent, pixels: [number, number]): Promise<void> {
    if (!scenario || !snapshot) return;
    shown = { extent, pixels };
    const query = landscapeQuery(scenario, extent, pixels, snapshot.settings.gridResolution, display.gradientField);
    await newestLandscape(() => host.requests.request('landscape', { query }), (data) => {
      const layer = prepareLayer(data);
      for (const view of views) view.setLayer(layer);
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
    errorBanner.hidden = true;
    traces = next;
    traces.forEach((trace, i) => views[i]?.setTraces([trace], [runColor(i)]));
    playback.setLastStep(longestRun(traces));
    if (!playback.playing && !keepStep) playback.seek(playback.lastStep);
    chart.setTraces(traces);
    gradChart.setTraces(traces);
    renderCaptions();
    renderTable();
    showStep();
    markPainted('traces');
  }

  function renderCaptions(): void {
    captions.forEach((caption, i) => {
      const swatch = element('span', 'swatch');
      swatch.style.backgroundColor = runColor(i);
      const trace = traces[i];
      caption.replaceChildren(swatch, element('span', 'legend-label', label(i)), element('span', `legend-status status-${trace?.status ?? 'running'}`, trace ? statusText(trace, formatNumber) : ''));
    });
    alignCaptions();
  }

  /** Every caption as tall as the tallest: the landscapes stay aligned. */
  function alignCaptions(): void {
    multiples.style.removeProperty('--caption-height');
    captionHeight = Math.max(MIN_CAPTION_HEIGHT, ...captions.map((caption) => caption.scrollHeight));
    multiples.style.setProperty('--caption-height', `${captionHeight}px`);
    multiples.style.setProperty('--min-cell-height', `${captionHeight + MIN_LANDSCAPE_HEIGHT}px`);
  }

  function renderTable(): void {
    const minima = snapshot?.loss.minima ?? [];
    const head = element('thead', '');
    const headRow = element('tr', '');
    for (const name of ['Run', 'Final loss', 'Steps to tolerance', 'Distance to minimum', 'Diverged at']) headRow.append(element('th', '', name));
    head.append(headRow);
    const body = element('tbody', '');
    traces.forEach((trace, i) => {
      const metrics = runMetrics(trace, minima, tolerance);
      const row = element('tr', '');
      const runCell = element('td', 'run-cell');
      const swatch = element('span', 'swatch');
      swatch.style.backgroundColor = runColor(i);
      runCell.append(swatch, ` ${label(i)}`);
      const cell = (value: number | undefined) => element('td', 'number', value === undefined ? '—' : formatNumber(value));
      row.append(runCell, cell(metrics.finalLoss), cell(metrics.stepsToTolerance), cell(metrics.distanceToMinimum), cell(metrics.divergedAt));
      body.append(row);
    });
    table.replaceChildren(head, body);
  }

  function showStep(): void {
    for (const view of views) view.setStep(playback.step, playback.playing);
    chart.setStep(playback.step);
    gradChart.setStep(playback.step);
    bar.update();
    if (playback.playing && !looping) {
      looping = true;
      requestAnimationFrame(frame);
    }
  }

  function frame(now: number): void {
    if (playback.frame(now)) {
      for (const view of views) view.setStep(playback.step, playback.playing);
      chart.setStep(playback.step);
      gradChart.setStep(playback.step);
    }
    bar.update();
    if (playback.playing) requestAnimationFrame(frame);
    else looping = false;
  }

  function applySnapshot(next: Snapshot): void {
    snapshot = next;
    scenario = structuredClone(next.scenario);
    paintPending = { landscape: true, traces: true };
    host.mark('snapshot');
    host.saveScenario(scenario);
    errorBanner.hidden = true;
    title.textContent = `${next.loss.title}: ${next.loss.formula}`;
    sweepForm.render(scenario, next.optimizers);
    bar.setSpeed(next.settings.animationSpeed);
    traces = [];
    buildViews(scenario.runs.length);
    // Asked first: the runs stream in while the landscapes are drawn.
    void run();
    for (const view of views) view.setDimension(next.loss.dim);
    showStart();
    for (const view of views) view.setHome(scenario.view ?? next.loss.domain);
    // Drawn at once; the exact grid for the cells' shape follows.
    if (next.landscape) {
      const layer = prepareLayer(next.landscape);
      for (const view of views) view.setLayer(layer);
      host.mark('landscape');
      markPainted('landscape');
    }
    // The runs so far come with the snapshot: on screen in the same frame; the stream goes on from there.
    if (next.runs) showTraces(next.runs.traces);
  }

  toleranceField.addEventListener('input', () => {
    const value = Number(toleranceField.value);
    toleranceField.invalid = !(value > 0);
    if (!(value > 0)) return;
    tolerance = value;
    renderTable();
  });

  const header = element('div', 'compare-header');
  const toleranceLabel = element('label', 'tolerance-label', 'tolerance ');
  toleranceLabel.append(toleranceField);
  const exportButton = element('vscode-button', 'export', 'Export…');
  exportButton.secondary = true;
  exportButton.addEventListener('click', () => host.send({ type: 'export' }));
  const animationButton = element('vscode-button', 'export-animation', 'Export Animation…');
  animationButton.secondary = true;
  animationButton.title = 'The playback as a GIF (or WebM): size, frame rate and steps';
  animationButton.addEventListener('click', () => host.send({ type: 'exportAnimation' }));
  const tuneButton = element('vscode-button', 'tune', 'Tune learning rates');
  tuneButton.title = 'Search learning rates for each run in the engine and show each at its best';
  tuneButton.addEventListener('click', () => host.send({ type: 'tune' }));
  header.append(title, startText, toleranceLabel, tuneButton, exportButton, animationButton, sweepForm.element, toolbar.element);
  const bottom = element('div', 'compare-bottom');
  const tableArea = element('div', 'metrics-area');
  tableArea.append(table);
  bottom.append(tableArea, chart.element, gradChart.element);
  const layoutObserver = new ResizeObserver(() => layoutCells());
  for (const part of [document.body, header, bar.element, bottom]) layoutObserver.observe(part);
  document.getElementById('app')!.append(errorBanner, header, multiples, bar.element, bottom);
  document.addEventListener('keydown', (event) => {
    if (isPanelKey(event) && event.key === ' ') {
      event.preventDefault();
      bar.toggle();
    }
  });
  onThemeChange(() => views.forEach((view) => view.refreshTheme()));
  host.onRender = async (format) => {
    // An export is of a frame at rest (SVG trajectories): playback pauses.
    if (playback.playing) {
      playback.pause();
      showStep();
    }
    const landscapes = views.map((view) => view.element);
    const captions = [...multiples.querySelectorAll<HTMLElement>('.cell-caption')];
    return format === 'png' ? plotPng(landscapes, captions) : plotSvg(landscapes, captions);
  };
  host.animationView = playbackAnimation(playback, showStep, () => ({
    landscapes: views.map((view) => view.element),
    captions: [...multiples.querySelectorAll<HTMLElement>('.cell-caption'), bar.stepText],
    drawsLater: false,
  }));
  host.onPlayback = (action) => (action === 'toggle' ? bar.toggle() : bar.stepBy(action === 'forward' ? 1 : -1));
  // A hidden page keeps running (and drawing): an animation out of sight pauses.
  host.onHidden = () => bar.pause();
  host.onSnapshot = applySnapshot;
  host.start(ready, applySnapshot, showError);
}
