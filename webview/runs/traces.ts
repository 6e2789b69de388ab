// Reading trajectories (rows of [...params, loss, gradNorm]) for drawing and hovering (pure).
import type { TraceData } from '../../src/shared/protocol';

export function rowWidth(trace: TraceData): number {
  return trace.dim + 2;
}

export function paramsAt(trace: TraceData, row: number): number[] {
  const base = row * rowWidth(trace);
  return Array.from(trace.rows.subarray(base, base + trace.dim));
}

/** A network with batch norm: the running statistics the run held at row (RunTrace.running), what eval mode uses there; else undefined. */
export function runningAt(trace: TraceData, row: number): number[] | undefined {
  const width = trace.runningWidth;
  if (!trace.running || !width) return undefined;
  return Array.from(trace.running.subarray(row * width, (row + 1) * width));
}

/** A row's position on the landscape: its first two parameters, or (x, loss) for a 1-D loss (the next column). */
export function positionAt(trace: TraceData, row: number): Point {
  const base = row * rowWidth(trace);
  return [trace.rows[base], trace.rows[base + 1]];
}

export function lossAt(trace: TraceData, row: number): number {
  return trace.rows[row * rowWidth(trace) + trace.dim];
}

export function gradNormAt(trace: TraceData, row: number): number {
  return trace.rows[row * rowWidth(trace) + trace.dim + 1];
}

/** The steps between recorded rows (TraceData.recordEvery; 1: a row per step). */
export function recordEveryOf(trace: TraceData): number {
  return trace.recordEvery ?? 1;
}

/** The step a row holds: row x recordEvery, the last row of a finished run the step where it stopped. */
export function stepOfRow(trace: TraceData, row: number): number {
  const every = recordEveryOf(trace);
  if (every === 1) return row;
  const finished = trace.status !== 'running' && row >= trace.rowCount - 1;
  return finished ? Math.min(row * every, lastStep(trace)) : row * every;
}

/** The last step with a loss: per-step losses' last, else the last row's. */
export function lastStep(trace: TraceData): number {
  if (trace.losses) return trace.losses.length / 2 - 1;
  const every = recordEveryOf(trace);
  const last = (trace.rowCount - 1) * every;
  return every === 1 || trace.status === 'running' ? last : Math.min(last, trace.stoppedAt);
}

/**
 * The last row drawn at a playback step: the latest recorded row at or before it (parameters are kept every
 * recordEvery-th step); runs that stopped early stay at their last row.
 */
export function rowAtStep(trace: TraceData, step: number): number {
  const every = recordEveryOf(trace);
  const last = trace.rowCount - 1;
  const row = Math.max(0, Math.min(Math.floor(Math.floor(step) / every), last));
  // the last row of a run that stopped between multiples of recordEvery
  return row + 1 === last && stepOfRow(trace, last) <= step ? last : row;
}

/** "step N" of the row shown at a playback step, saying so when the parameters there are a recorded step's before it. */
export function shownStepLabel(trace: TraceData, step: number): string {
  const shown = stepOfRow(trace, rowAtStep(trace, step));
  const every = recordEveryOf(trace);
  return every > 1 && shown < Math.min(Math.floor(step), lastStep(trace)) ? `step ${shown} (parameters kept every ${every} steps)` : `step ${shown}`;
}

export function longestRun(traces: TraceData[]): number {
  return traces.reduce((most, t) => Math.max(most, lastStep(t)), 0);
}

/** The steps a chart plots: every step's loss when recorded (TraceData.losses), else a row per step. */
export function seriesLength(trace: TraceData): number {
  return trace.losses ? trace.losses.length / 2 : trace.rowCount;
}

/** A step's loss (index below seriesLength). */
export function lossAtStep(trace: TraceData, step: number): number {
  return trace.losses ? trace.losses[2 * step] : lossAt(trace, step);
}

/** A step's gradient norm (index below seriesLength). */
export function gradNormAtStep(trace: TraceData, step: number): number {
  return trace.losses ? trace.losses[2 * step + 1] : gradNormAt(trace, step);
}

export type Point = [number, number];

/** A trajectory in pixels, thinned out: each kept point with the row it came from. */
export interface PixelPath {
  rows: number[];
  points: Point[];
}

/**
 * Pixel positions of all rows, dropping points closer than `minDistance` pixels to the previous kept point
 * and stopping at the first non-finite position. Computed once per scale; `pathUpTo` cuts it at a step.
 */
export function pixelPath(trace: TraceData, toPixel: (x: number, y: number) => Point, minDistance = 0.75): PixelPath {
  const width = rowWidth(trace);
  const path: PixelPath = { rows: [], points: [] };
  let previous: Point | undefined;
  for (let row = 0; row < trace.rowCount; row++) {
    const p = toPixel(trace.rows[row * width], trace.rows[row * width + 1]);
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) break;
    if (!previous || Math.abs(p[0] - previous[0]) + Math.abs(p[1] - previous[1]) >= minDistance) {
      path.rows.push(row);
      path.points.push(p);
      previous = p;
    }
  }
  return path;
}

/**
 * ASGD's averaged iterate (trace.averaged, rows x 2) in pixels from step 1 up to `lastRow`, thinned as pixelPath thins a
 * trajectory, stopping at the first non-finite point; [] for a trace without one.
 */
export function averagedPoints(trace: TraceData, lastRow: number, toPixel: (x: number, y: number) => Point, minDistance = 0.75): Point[] {
  const averaged = trace.averaged;
  if (!averaged) return [];
  const points: Point[] = [];
  const last = Math.min(lastRow, averaged.length / 2 - 1);
  // Row 0 holds torch's zeros (ax before any step), not an iterate: the path starts at step 1.
  for (let row = 1; row <= last; row++) {
    const p = toPixel(averaged[2 * row], averaged[2 * row + 1]);
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) break;
    const previous = points[points.length - 1];
    if (!previous || row === last || Math.abs(p[0] - previous[0]) + Math.abs(p[1] - previous[1]) >= minDistance) points.push(p);
  }
  return points;
}

/**
 * L-BFGS's inner evaluations (trace.evaluations, [step, a, b] triples in step order) of the steps up to `step`, in pixels,
 * thinned to points at least `minDistance` pixels from the one kept before; non-finite ones left out.
 */
export function evaluationPoints(trace: TraceData, step: number, toPixel: (x: number, y: number) => Point, minDistance = 1.5): Point[] {
  const values = trace.evaluations;
  if (!values) return [];
  const points: Point[] = [];
  for (let k = 0; k + 2 < values.length && values[k] <= step; k += 3) {
    const p = toPixel(values[k + 1], values[k + 2]);
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
    const previous = points[points.length - 1];
    if (!previous || Math.abs(p[0] - previous[0]) + Math.abs(p[1] - previous[1]) >= minDistance) points.push(p);
  }
  return points;
}

/** The points of a path up to `lastRow`, ending exactly at that row's position (when finite). */
export function pathUpTo(path: PixelPath, lastRow: number, exact: Point): Point[] {
  let lo = 0;
  let hi = path.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (path.rows[mid] <= lastRow) lo = mid + 1;
    else hi = mid;
  }
  const points = path.points.slice(0, lo);
  const endsAtRow = lo > 0 && path.rows[lo - 1] === lastRow;
  if (!endsAtRow && Number.isFinite(exact[0]) && Number.isFinite(exact[1])) points.push(exact);
  return points;
}

export interface Hit {
  trace: number;
  row: number;
  distance: number;
}

/** Rows closer than this to the nearest one count as equally near (slow runs pile up on one pixel). */
const TIE_PIXELS = 1;

/** The row nearest to (px, py) among rows drawn so far, within `radius` pixels; the latest of equally near rows. */
export function nearestRow(traces: TraceData[], step: number, toPixel: (x: number, y: number) => Point, px: number, py: number, radius: number): Hit | undefined {
  const candidates: Hit[] = [];
  traces.forEach((trace, index) => {
    const width = rowWidth(trace);
    const last = rowAtStep(trace, step);
    for (let row = 0; row <= last; row++) {
      const [x, y] = toPixel(trace.rows[row * width], trace.rows[row * width + 1]);
      const distance = Math.hypot(x - px, y - py);
      if (distance <= radius) candidates.push({ trace: index, row, distance });
    }
  });
  if (candidates.length === 0) return undefined;
  const nearest = Math.min(...candidates.map((c) => c.distance));
  const near = candidates.filter((c) => c.distance <= nearest + TIE_PIXELS);
  return near.reduce((latest, c) => (c.row > latest.row ? c : latest));
}

/** A per-step value of a trace, as a chart plots it (loss, gradient norm), for steps below seriesLength. */
export type RowValue = (trace: TraceData, step: number) => number;

/** Log scale when every finite value is positive, symlog otherwise (losses may reach 0 or below). */
export function seriesAxisKind(traces: TraceData[], value: RowValue): 'log' | 'symlog' {
  for (const trace of traces) {
    for (let row = 0; row < seriesLength(trace); row++) {
      const v = value(trace, row);
      if (Number.isFinite(v) && v <= 0) return 'symlog';
    }
  }
  return 'log';
}

/** [min, max] of the finite values of all runs. */
export function seriesExtent(traces: TraceData[], value: RowValue): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const trace of traces) {
    for (let row = 0; row < seriesLength(trace); row++) {
      const v = value(trace, row);
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Log scale for the loss chart when every loss is positive, symlog otherwise. */
export function lossAxisKind(traces: TraceData[]): 'log' | 'symlog' {
  return seriesAxisKind(traces, lossAtStep);
}

/** [min, max] of the finite losses of all runs. */
export function lossExtent(traces: TraceData[]): [number, number] {
  return seriesExtent(traces, lossAtStep);
}
