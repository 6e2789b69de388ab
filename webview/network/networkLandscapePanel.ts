// A network's loss landscape in the Playground (Li et al. 2018): the training loss on a plane through parameter space
// as the engine computed it (Engine.networkLandscape) — the PCA plane of the runs' paths, centred at the first run's
// end; seeded filter-normalized random directions or the Hessian's top eigenvectors, centred at the first run's
// shown step; or the plane through the runs' ends — drawn as a heatmap with contours or as a 3-D surface, with every
// run's path projected on the plane and animated by the scrubber. Only maps the engine's numbers to pixels.
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { LossInfo } from '../../src/shared/engineApi';
import type { LandscapeData, TraceData } from '../../src/shared/protocol';
import {
  PANEL_NETWORK_LANDSCAPE, PANEL_NETWORK_SHARPNESS, type NetworkLandscapeData, type NetworkLandscapeQuery, type NetworkSharpnessQuery, type NetworkSharpnessResult,
} from '../../src/shared/networkLandscape';
import { create } from '../dom/elements';
import { SettledQuestions } from './settledQuestions';
import { LandscapeView } from '../landscape/landscapeView';
import { Surface3D } from '../landscape/surface3d';
import { runColor } from '../dom/theme';
import { lossAt, paramsAt, rowAtStep, rowWidth, stepOfRow } from '../runs/traces';
import { sharpnessText } from './sharpnessText';


export interface NetworkLandscapeEvents {
  request(query: NetworkLandscapeQuery): Promise<NetworkLandscapeData>;
  /** Sharpness at the landscape's centre (computed in the engine worker). */
  sharpness(query: NetworkSharpnessQuery): Promise<NetworkSharpnessResult>;
  error(error: unknown): void;
  runName(index: number): string;
}

type Kind = NetworkLandscapeQuery['directions']['kind'];

export class NetworkLandscapePanel {
  readonly element = create('div', { className: 'network-landscape', hidden: true });
  private readonly caption = create('div', { className: 'network-landscape-caption' });
  private readonly sharpnessLine = create('div', { className: 'network-landscape-sharpness' });
  private readonly kindSelect = create('vscode-single-select', { className: 'network-landscape-kind' }) as VscodeSingleSelect;
  private readonly seedField = create('vscode-textfield', { type: 'number', min: 0, value: '1', className: 'network-landscape-seed' }) as VscodeTextfield;
  private readonly viewSelect = create('vscode-single-select', { className: 'network-landscape-mode' }) as VscodeSingleSelect;
  private readonly view: LandscapeView;
  /** The 3-D view, made when first chosen (a Playground that never shows it keeps a single surface). */
  private surface: Surface3D | undefined;
  /** What the surface shows once made: the plane's values and its starred points. */
  private shown: { landscape: LandscapeData; ends: LossInfo['minima'] } | undefined;
  private loss: string | undefined;
  private traces: TraceData[] = [];
  private step = 0;
  /** The step the random plane is centred at (it follows the scrubber once playback stops). */
  private centreStep = 0;
  private readonly questions = new SettledQuestions();

  constructor(private readonly events: NetworkLandscapeEvents) {
    this.view = new LandscapeView({
      extentChanged: () => undefined,
      startChosen: () => undefined,
      describe: (hit) => [`${events.runName(hit.trace)} · step ${stepOfRow(this.projected[hit.trace], hit.row)}`, `loss ${lossAt(this.projected[hit.trace], hit.row).toPrecision(5)}`],
    }, { zoomable: false });
    this.view.element.classList.add('network-landscape-view');
    this.kindSelect.append(
      create('vscode-option', { value: 'pca' }, 'PCA of the paths'),
      create('vscode-option', { value: 'random' }, 'random directions'),
      create('vscode-option', { value: 'hessian' }, 'Hessian eigenvectors'),
      create('vscode-option', { value: 'between' }, 'the runs\' ends'),
    );
    this.viewSelect.append(create('vscode-option', { value: '2d' }, 'heatmap'), create('vscode-option', { value: '3d' }, 'surface (3-D)'));
    this.viewSelect.value = '2d';
    this.viewSelect.addEventListener('change', () => {
      if (this.viewSelect.value === '3d') this.surfaceView().show(true);
      else this.surface?.show(false);
    });
    this.kindSelect.value = 'pca';
    // The seed is the random directions' only.
    const seedLabel = create('span', { className: 'network-landscape-seed-label', hidden: true }, 'seed ', this.seedField);
    this.kindSelect.addEventListener('change', () => {
      seedLabel.hidden = this.kind !== 'random';
      this.schedule();
    });
    this.seedField.addEventListener('change', () => this.schedule());
    const header = create('div', { className: 'network-landscape-header' }, 'Loss landscape: ', this.kindSelect, seedLabel, this.viewSelect);
    this.element.append(header, this.view.element, this.caption, this.sharpnessLine);
  }

  private projected: TraceData[] = [];

  /** A network loss (its .loss text) shows the panel; undefined hides it. */
  setLoss(loss: string | undefined): void {
    this.loss = loss;
    this.element.hidden = loss === undefined;
    this.traces = [];
    this.projected = [];
    this.view.setTraces([]);
    this.shown = undefined;
    this.surface?.setTraces([], []);
    this.questions.dropAnswers();
  }

  setTraces(traces: TraceData[]): void {
    if (this.loss === undefined) return;
    this.traces = traces;
    this.schedule();
  }

  setStep(step: number, playing: boolean): void {
    this.step = step;
    this.view.setStep(step, playing);
    this.surface?.setStep(step);
    if (!playing && this.kind !== 'pca' && Math.floor(step) !== this.centreStep) this.schedule();
  }

  refreshTheme(): void {
    this.view.refreshTheme();
    this.surface?.refreshTheme();
  }

  private surfaceView(): Surface3D {
    if (this.surface) return this.surface;
    const surface = new Surface3D();
    surface.element.classList.add('network-surface');
    this.view.element.append(surface.element);
    surface.setParams(['a', 'b']);
    this.surface = surface;
    this.showOnSurface();
    return surface;
  }

  private showOnSurface(): void {
    if (!this.surface || !this.shown) return;
    this.surface.setLandscape(this.shown.landscape);
    this.surface.setMinima(this.shown.ends);
    this.surface.setTraces(this.projected, this.projected.map((_, i) => runColor(i)));
    this.surface.setStep(this.step);
  }

  private get kind(): Kind {
    const value = this.kindSelect.value;
    return value === 'random' || value === 'hessian' || value === 'between' ? value : 'pca';
  }

  private get seed(): number {
    const seed = Number(this.seedField.value);
    return Number.isInteger(seed) && seed >= 0 ? seed : 1;
  }

  private schedule(): void {
    this.questions.schedule(this.loss !== undefined, this.traces, (id) => this.ask(id));
  }

  private async ask(id: number): Promise<void> {
    const loss = this.loss;
    const traces = this.traces;
    if (loss === undefined || traces.length === 0) return;
    const kind = this.kind;
    const first = traces[0];
    this.centreStep = Math.floor(this.step);
    if (kind === 'between' && traces.length < 2) {
      this.caption.textContent = 'The plane through the runs\' ends needs two runs or more: add an optimizer line.';
      this.sharpnessLine.textContent = '';
      return;
    }
    const centreRow = kind === 'pca' || kind === 'between' ? first.rowCount - 1 : rowAtStep(first, this.centreStep);
    // At most rowsPerPath rows of each run, evenly, the last always: each sent row stands for the rows up to the next.
    const strides = traces.map((t) => Math.max(1, Math.ceil(t.rowCount / (PANEL_NETWORK_LANDSCAPE.rowsPerPath - 1))));
    const sent = traces.map((t, i) => sentRows(t.rowCount, strides[i]));
    const query: NetworkLandscapeQuery = {
      loss,
      center: paramsAt(first, centreRow),
      directions: kind === 'random' ? { kind, seed: this.seed } : kind === 'between' ? { kind, ends: betweenPoints(traces).map(({ run, row }) => paramsAt(traces[run], row)) as [number[], number[]] } : { kind },
      size: [PANEL_NETWORK_LANDSCAPE.size, PANEL_NETWORK_LANDSCAPE.size],
      ...(kind === 'between' && { x: PANEL_NETWORK_LANDSCAPE.betweenRange, y: PANEL_NETWORK_LANDSCAPE.betweenRange }),
      paths: traces.map((t, i) => sent[i].map((row) => paramsAt(t, row))),
    };
    this.caption.textContent = 'Computing the landscape…';
    this.sharpnessLine.textContent = '';
    try {
      const data = await this.events.request(query);
      if (!this.questions.isLatest(id)) return;
      this.show(data, traces, sent, centreRow);
      this.sharpnessLine.textContent = 'Computing the sharpness…';
      const sharpness = await this.events.sharpness({ loss, center: query.center, radius: PANEL_NETWORK_SHARPNESS.radius, samples: PANEL_NETWORK_SHARPNESS.samples, seed: 1 });
      if (!this.questions.isLatest(id)) return;
      this.sharpnessLine.textContent = sharpnessText(sharpness, this.events.runName(0), stepOfRow(first, centreRow));
    } catch (error) {
      if (!this.questions.isLatest(id)) return;
      this.caption.textContent = '';
      this.sharpnessLine.textContent = '';
      this.events.error(error);
    }
  }

  private show(data: NetworkLandscapeData, traces: TraceData[], sent: number[][], centreRow: number): void {
    const [nx, ny] = data.size;
    this.view.setDimension(2);
    this.view.setHome({ x: data.x, y: data.y });
    // The plane through the runs' ends: the other two ends at (1, 0) and (0, 1), drawn as stars.
    // Starred at the losses the runs recorded there (the plane passes through them exactly).
    const ends = data.kind === 'between' ? betweenPoints(traces).map(({ run, row, at }) => ({ point: at, value: lossAt(traces[run], row) })) : [];
    this.view.setMarkers(ends, [0, 0]);
    const landscape = { loss: data.loss, x: data.x, y: data.y, size: [nx, ny] as [number, number], values: data.values, min: data.min, max: data.max };
    this.view.setLandscape(landscape);
    this.shown = { landscape, ends };
    this.projected = traces.map((trace, i) => planeTrace(trace, data.paths?.[i] ?? new Float64Array(), sent[i]));
    this.view.setTraces(this.projected);
    this.showOnSurface();
    this.view.setStep(this.step);
    const centre = `centre: ${this.events.runName(0)} at step ${centreRow} (loss ${data.centerLoss.toPrecision(5)})`;
    const percent = (f: number) => `${(100 * f).toFixed(1)}%`;
    const eigen = data.eigenvalues?.map((e) => e.toPrecision(4));
    this.caption.textContent = data.kind === 'pca' && data.variance
      ? `PCA directions of the paths: ${percent(data.variance[0])} and ${percent(data.variance[1])} of their variance · ${centre}`
      : data.kind === 'hessian' && eigen
        ? `The Hessian's top eigenvectors (eigenvalues ${eigen[0]} and ${eigen[1]}) · ${centre}`
        : data.kind === 'between'
          ? `The plane through the runs' ends: ${this.events.runName(0)}'s end at (0, 0), ${betweenPoints(traces).map(({ run, what, at }) => `${this.events.runName(run)}'s ${what} at (${at.join(', ')})`).join(', ')} · loss at the centre ${data.centerLoss.toPrecision(5)}`
          : `Filter-normalized random directions (seed ${this.seed}) · ${centre}`;
  }
}

/**
 * The two other points of the plane through the runs' ends (the first run's end is its centre), at (1, 0) and (0, 1):
 * the second and third runs' ends, or with two runs the second's end and the first run's start.
 */
function betweenPoints(traces: TraceData[]): { run: number; row: number; what: 'end' | 'start'; at: [number, number] }[] {
  const end = (run: number) => ({ run, row: traces[run].rowCount - 1, what: 'end' as const });
  return [{ ...end(1), at: [1, 0] }, { ...(traces.length > 2 ? end(2) : { run: 0, row: 0, what: 'start' as const }), at: [0, 1] }];
}

/** The rows sent for a run of rowCount rows: every stride-th, and the last. */
function sentRows(rowCount: number, stride: number): number[] {
  const rows: number[] = [];
  for (let row = 0; row < rowCount; row += stride) rows.push(row);
  if (rows[rows.length - 1] !== rowCount - 1) rows.push(rowCount - 1);
  return rows;
}

/**
 * A run's trace on the plane: rows of [a, b, loss, gradNorm], each row at the coordinates of the last sent row at or
 * before it (the engine's projection), with the run's own loss and gradient norm.
 */
function planeTrace(trace: TraceData, coordinates: Float64Array, sent: number[]): TraceData {
  const rows = new Float64Array(trace.rowCount * 4);
  const width = rowWidth(trace);
  let k = 0;
  for (let row = 0; row < trace.rowCount; row++) {
    while (k + 1 < sent.length && sent[k + 1] <= row) k++;
    rows[4 * row] = coordinates[2 * k];
    rows[4 * row + 1] = coordinates[2 * k + 1];
    rows[4 * row + 2] = trace.rows[row * width + trace.dim];
    rows[4 * row + 3] = trace.rows[row * width + trace.dim + 1];
  }
  const projected: TraceData = { label: trace.label, optimizer: trace.optimizer, dim: 2, rows, rowCount: trace.rowCount, status: trace.status, stoppedAt: trace.stoppedAt };
  // the steps its rows hold, when parameters are kept every k-th step (playback maps a step to a row by them)
  if (trace.recordEvery) Object.assign(projected, { recordEvery: trace.recordEvery, losses: trace.losses });
  return projected;
}
