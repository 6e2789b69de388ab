// A network's loss landscape in the Playground (Li et al. 2018): the training loss on a plane through parameter space
// as the engine computed it (Engine.networkLandscape) — the PCA plane of the runs' paths, centred at the first run's
// end, or seeded filter-normalized random directions or the Hessian's top eigenvectors, centred at the first run's
// shown step — drawn by the landscape view, with every run's path projected on the plane and animated by the
// scrubber. Only maps the engine's numbers to pixels.
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { TraceData } from '../../src/shared/protocol';
import {
  PANEL_NETWORK_LANDSCAPE, PANEL_NETWORK_SHARPNESS, type NetworkLandscapeData, type NetworkLandscapeQuery, type NetworkSharpnessQuery, type NetworkSharpnessResult,
} from '../../src/shared/networkLandscape';
import { create } from '../dom/elements';
import { LandscapeView } from '../landscape/landscapeView';
import { lossAt, paramsAt, rowAtStep, rowWidth, stepOfRow } from '../runs/traces';
import { sharpnessText } from './sharpnessText';

/** Waits this long after the last change (runs, step, choice) before asking, so that scrubbing asks once. */
const ASK_DELAY_MS = 250;

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
  private readonly view: LandscapeView;
  private loss: string | undefined;
  private traces: TraceData[] = [];
  private step = 0;
  /** The step the random plane is centred at (it follows the scrubber once playback stops). */
  private centreStep = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older questions are dropped. */
  private asked = 0;

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
    );
    this.kindSelect.value = 'pca';
    // The seed is the random directions' only.
    const seedLabel = create('span', { className: 'network-landscape-seed-label', hidden: true }, 'seed ', this.seedField);
    this.kindSelect.addEventListener('change', () => {
      seedLabel.hidden = this.kind !== 'random';
      this.schedule();
    });
    this.seedField.addEventListener('change', () => this.schedule());
    const header = create('div', { className: 'network-landscape-header' }, 'Loss landscape: ', this.kindSelect, seedLabel);
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
    this.asked++;
  }

  setTraces(traces: TraceData[]): void {
    if (this.loss === undefined) return;
    this.traces = traces;
    this.schedule();
  }

  setStep(step: number, playing: boolean): void {
    this.step = step;
    this.view.setStep(step, playing);
    if (!playing && this.kind !== 'pca' && Math.floor(step) !== this.centreStep) this.schedule();
  }

  refreshTheme(): void {
    this.view.refreshTheme();
  }

  private get kind(): Kind {
    const value = this.kindSelect.value;
    return value === 'random' || value === 'hessian' ? value : 'pca';
  }

  private get seed(): number {
    const seed = Number(this.seedField.value);
    return Number.isInteger(seed) && seed >= 0 ? seed : 1;
  }

  /** Asks once the runs have stopped streaming and the changes have settled. */
  private schedule(): void {
    clearTimeout(this.timer);
    if (this.loss === undefined || this.traces.length === 0 || this.traces.some((t) => t.status === 'running')) return;
    this.timer = setTimeout(() => void this.ask(), ASK_DELAY_MS);
  }

  private async ask(): Promise<void> {
    const loss = this.loss;
    const traces = this.traces;
    if (loss === undefined || traces.length === 0) return;
    const id = ++this.asked;
    const kind = this.kind;
    const first = traces[0];
    this.centreStep = Math.floor(this.step);
    const centreRow = kind === 'pca' ? first.rowCount - 1 : rowAtStep(first, this.centreStep);
    // At most rowsPerPath rows of each run, evenly, the last always: each sent row stands for the rows up to the next.
    const strides = traces.map((t) => Math.max(1, Math.ceil(t.rowCount / (PANEL_NETWORK_LANDSCAPE.rowsPerPath - 1))));
    const sent = traces.map((t, i) => sentRows(t.rowCount, strides[i]));
    const query: NetworkLandscapeQuery = {
      loss,
      center: paramsAt(first, centreRow),
      directions: kind === 'random' ? { kind, seed: this.seed } : { kind },
      size: [PANEL_NETWORK_LANDSCAPE.size, PANEL_NETWORK_LANDSCAPE.size],
      paths: traces.map((t, i) => sent[i].map((row) => paramsAt(t, row))),
    };
    this.caption.textContent = 'Computing the landscape…';
    this.sharpnessLine.textContent = '';
    try {
      const data = await this.events.request(query);
      if (id !== this.asked) return;
      this.show(data, traces, sent, centreRow);
      this.sharpnessLine.textContent = 'Computing the sharpness…';
      const sharpness = await this.events.sharpness({ loss, center: query.center, radius: PANEL_NETWORK_SHARPNESS.radius, samples: PANEL_NETWORK_SHARPNESS.samples, seed: 1 });
      if (id !== this.asked) return;
      this.sharpnessLine.textContent = sharpnessText(sharpness, this.events.runName(0), stepOfRow(first, centreRow));
    } catch (error) {
      if (id !== this.asked) return;
      this.caption.textContent = '';
      this.sharpnessLine.textContent = '';
      this.events.error(error);
    }
  }

  private show(data: NetworkLandscapeData, traces: TraceData[], sent: number[][], centreRow: number): void {
    const [nx, ny] = data.size;
    this.view.setDimension(2);
    this.view.setHome({ x: data.x, y: data.y });
    this.view.setMarkers([], [0, 0]);
    this.view.setLandscape({ loss: data.loss, x: data.x, y: data.y, size: [nx, ny], values: data.values, min: data.min, max: data.max });
    this.projected = traces.map((trace, i) => planeTrace(trace, data.paths?.[i] ?? new Float64Array(), sent[i]));
    this.view.setTraces(this.projected);
    this.view.setStep(this.step);
    const centre = `centre: ${this.events.runName(0)} at step ${centreRow} (loss ${data.centerLoss.toPrecision(5)})`;
    const percent = (f: number) => `${(100 * f).toFixed(1)}%`;
    const eigen = data.eigenvalues?.map((e) => e.toPrecision(4));
    this.caption.textContent = data.kind === 'pca' && data.variance
      ? `PCA directions of the paths: ${percent(data.variance[0])} and ${percent(data.variance[1])} of their variance · ${centre}`
      : data.kind === 'hessian' && eigen
        ? `The Hessian's top eigenvectors (eigenvalues ${eigen[0]} and ${eigen[1]}) · ${centre}`
        : `Filter-normalized random directions (seed ${this.seed}) · ${centre}`;
  }
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
