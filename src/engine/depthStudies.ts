// The initialization and skip-connection lessons' studies (src/shared/depthStudies.ts): sequences of the engine's own
// requests (lossInfo, runs, networkLayerStats, networkLandscape), so each number comes from the core; and the roughness
// of a landscape grid. Runs in the worker's engine or, from the host, through its client.
import { CancelledError, type CancelSignal, type LossInfo, type NetworkLayerStatsRequest, type NetworkLayerStatsResult, type CancellableRuns, type RunTrace } from '../shared/engineApi';
import {
  initLabel, withHiddenWidths, withNetworkInit, type DepthStudyProgress, type InitStudyPanel, type InitStudyRequest, type InitStudyResult,
  type Roughness, type SkipSlice, type SkipStudyRequest, type SkipStudyResult,
} from '../shared/depthStudies';
import type { NetworkLandscapeProgress, NetworkLandscapeRequest, NetworkLandscapeResult } from '../shared/networkLandscape';
import { withNetworkOptions } from '../shared/networkEdits';

/** What the studies ask of an engine (the in-process engine and the worker's client both have it). */
export interface DepthStudyEngine extends CancellableRuns {
  lossInfo(loss: string): Promise<LossInfo>;
  networkLayerStats(request: NetworkLayerStatsRequest): Promise<NetworkLayerStatsResult>;
  networkLandscape(request: NetworkLandscapeRequest, onProgress?: (progress: NetworkLandscapeProgress) => void, signal?: CancelSignal): Promise<NetworkLandscapeResult>;
}

/** The most initializations, the largest slice side and the most widths a study takes. */
export const DEPTH_STUDY_LIMITS = { inits: 12, side: 64, widths: 6 } as const;

function fail(message: string): never {
  throw new Error(message);
}

function checkCancel(signal: CancelSignal | undefined): void {
  if (signal?.isCancellationRequested) throw new CancelledError();
}

/** A run's training-loss curve: the recorded steps and losses (also the batch norm study's). */
export function lossCurve(trace: RunTrace): { steps: number[]; losses: number[] } {
  const width = trace.dim + 2;
  const steps: number[] = [];
  const losses: number[] = [];
  for (let row = 0; row < trace.rowCount; row++) {
    steps.push(Math.min(row * trace.recordEvery, trace.stoppedAt));
    losses.push(trace.rows[row * width + trace.dim]);
  }
  return { steps, losses };
}

/**
 * Roughness of a grid (row-major, nx x ny): the mean number of turns (the slope changing sign; equal neighbours are
 * skipped) along each grid row and column (0 for a monotone line, 1 for a single valley; unchanged by scaling or
 * shifting the loss), and the count of interior points strictly below their 8 neighbours.
 */
export function sliceRoughness(values: ArrayLike<number>, nx: number, ny: number): Roughness {
  if (!(nx >= 3 && ny >= 3) || values.length !== nx * ny) fail(`a roughness needs an nx x ny grid of at least 3 x 3 values, got ${values.length} for ${nx} x ${ny}`);
  let turns = 0;
  const line = (count: number, at: (k: number) => number): void => {
    let slope = 0;
    for (let k = 1; k < count; k++) {
      const sign = Math.sign(at(k) - at(k - 1));
      if (sign !== 0 && !Number.isNaN(sign)) {
        if (sign === -slope) turns++;
        slope = sign;
      }
    }
  };
  for (let j = 0; j < ny; j++) line(nx, (i) => values[j * nx + i]);
  for (let i = 0; i < nx; i++) line(ny, (j) => values[j * nx + i]);
  let minima = 0;
  for (let j = 1; j < ny - 1; j++) {
    for (let i = 1; i < nx - 1; i++) {
      const v = values[j * nx + i];
      let lowest = Number.isFinite(v);
      for (let dj = -1; dj <= 1 && lowest; dj++) for (let di = -1; di <= 1; di++) if ((di || dj) && !(values[(j + dj) * nx + i + di] > v)) lowest = false;
      if (lowest) minima++;
    }
  }
  return { turns: turns / (nx + ny), minima };
}

/**
 * For each initialization: the per-layer activation and gradient std at init (for the network line's activation and
 * each of alsoActivations), then the network line's activation trained from it. Progress after each run.
 */
export async function initStudy(
  engine: DepthStudyEngine, request: InitStudyRequest, onProgress?: (progress: DepthStudyProgress) => void, signal?: CancelSignal,
): Promise<InitStudyResult> {
  const { loss, inits, run, steps, every } = request;
  if (!Array.isArray(inits) || inits.length === 0 || inits.length > DEPTH_STUDY_LIMITS.inits) fail(`inits: 1 to ${DEPTH_STUDY_LIMITS.inits} initializations`);
  const own = (await engine.lossInfo(loss)).network?.activation ?? fail('The initialization study needs a network line');
  const activations = [own, ...(request.alsoActivations ?? []).filter((a) => a !== own)];
  const panels: InitStudyPanel[] = activations.map((activation) => ({ activation, activationStd: [], gradientStd: [] }));
  const result: InitStudyResult = { labels: inits.map(initLabel), panels, steps: [], losses: [] };
  for (const [k, choice] of inits.entries()) {
    for (const panel of panels) {
      checkCancel(signal);
      const text = withNetworkOptions(withNetworkInit(loss, choice), { activation: panel.activation });
      const info = await engine.lossInfo(text);
      const [point] = (await engine.networkLayerStats({ loss: text, params: [info.start], bins: 2 })).points;
      panel.activationStd.push(point.layers.map((l) => l.activationStd));
      panel.gradientStd.push(point.layers.map((l) => l.gradientStd));
    }
    checkCancel(signal);
    const [trace] = await engine.runs({ loss: withNetworkInit(loss, choice), steps, recordEvery: every, runs: [{ ...run, start: undefined }] }, signal);
    const curve = lossCurve(trace);
    result.steps.push(curve.steps);
    result.losses.push(curve.losses);
    onProgress?.({ done: k + 1, total: inits.length });
  }
  return result;
}

/** A network's training run and its filter-normalized random slice at the trained end, with its roughness. */
async function trainAndSlice(
  engine: DepthStudyEngine, request: SkipStudyRequest, text: string, label: string, group: SkipSlice['group'], signal: CancelSignal | undefined, ran: () => void,
): Promise<SkipSlice> {
  const { run, steps, every, size, seed } = request;
  const [trace] = await engine.runs({ loss: text, steps, recordEvery: every, runs: [{ ...run, start: undefined }] }, signal);
  ran();
  const width = trace.dim + 2;
  const end = Array.from(trace.rows.subarray((trace.rowCount - 1) * width, (trace.rowCount - 1) * width + trace.dim));
  if (!end.every(Number.isFinite)) fail(`The network ${label} diverged: lower the learning rate`);
  const slice = await engine.networkLandscape({ loss: text, center: end, directions: { kind: 'random', seed }, size: [size, size] }, undefined, signal);
  const network = (await engine.lossInfo(text)).network ?? fail('The skip-connection study needs a network line');
  return {
    label,
    group,
    residual: network.residual,
    hidden: network.widths.slice(1, -1),
    values: Array.from(slice.values),
    min: slice.min,
    max: slice.max,
    size: slice.size,
    x: slice.x,
    y: slice.y,
    centerLoss: slice.centerLoss,
    roughness: sliceRoughness(slice.values, size, size),
    ...lossCurve(trace),
  };
}

/**
 * Trains the network without, then with, skip connections (same seed, same run), then (with `widths`) the plain network
 * at each width, and takes a filter-normalized random slice (seeded) at each one's final parameters, with its
 * roughness. Progress after each run and each slice.
 */
export async function skipStudy(
  engine: DepthStudyEngine, request: SkipStudyRequest, onProgress?: (progress: DepthStudyProgress) => void, signal?: CancelSignal,
): Promise<SkipStudyResult> {
  const { loss, size, seed, widths } = request;
  if (!Number.isInteger(size) || size < 3 || size > DEPTH_STUDY_LIMITS.side) fail(`size is a whole number from 3 to ${DEPTH_STUDY_LIMITS.side}`);
  if (widths && !(Number.isInteger(widths.layers) && widths.layers >= 1 && widths.units.length <= DEPTH_STUDY_LIMITS.widths && widths.units.every((u) => Number.isInteger(u) && u >= 1))) {
    fail(`widths: whole numbers of layers and units, at most ${DEPTH_STUDY_LIMITS.widths} widths`);
  }
  const hidden = (await engine.lossInfo(loss)).network?.widths.slice(1, -1) ?? fail('The skip-connection study needs a network line');
  const shape = (layers: number[]): string => `${layers.length} × ${layers[0]}`;
  const networks: { text: string; label: string; group: SkipSlice['group'] }[] = [
    { text: withNetworkOptions(loss, { residual: 'false' }), label: `without skip connections (${shape(hidden)})`, group: 'skip' },
    { text: withNetworkOptions(loss, { residual: 'true' }), label: `with skip connections (${shape(hidden)})`, group: 'skip' },
    ...(widths?.units ?? []).map((units) => {
      const layers = new Array<number>(widths?.layers ?? 0).fill(units);
      return { text: withHiddenWidths(withNetworkOptions(loss, { residual: 'false' }), () => layers), label: `without skip connections (${shape(layers)})`, group: 'width' as const };
    }),
  ];
  const total = 2 * networks.length;
  let done = 0;
  const step = (): void => onProgress?.({ done: ++done, total });
  const slices: SkipSlice[] = [];
  for (const network of networks) {
    checkCancel(signal);
    slices.push(await trainAndSlice(engine, request, network.text, network.label, network.group, signal, step));
    step();
  }
  return { seed, slices };
}
