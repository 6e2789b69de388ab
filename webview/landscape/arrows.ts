// Vectors over the landscape (pure): the lecture's arrows at the current step (descent direction and the
// step taken) and the gradient field.
import type { LandscapeData, TraceData } from '../../src/shared/protocol';
import { positionAt, type Point } from '../runs/traces';

export interface StepVectors {
  /** Where the run is at the row (the plotted parameters). */
  origin: Point;
  /** −∇f at the row (the plotted components), when the trace carries gradients. */
  descent?: Point;
  /** The step the optimizer takes from the row: the next row's position minus this one's. */
  update?: Point;
}

const finitePoint = (p: Point) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** A run's vectors at a row; undefined for a 1-D loss or a non-finite position. */
export function stepVectors(trace: TraceData, row: number): StepVectors | undefined {
  if (trace.dim < 2 || row < 0 || row >= trace.rowCount) return undefined;
  const origin = positionAt(trace, row);
  if (!finitePoint(origin)) return undefined;
  const vectors: StepVectors = { origin };
  if (row + 1 < trace.rowCount) {
    const next = positionAt(trace, row + 1);
    const update: Point = [next[0] - origin[0], next[1] - origin[1]];
    if (finitePoint(update)) vectors.update = update;
  }
  if (trace.grad && trace.grad.length >= 2 * (row + 1)) {
    const descent: Point = [-trace.grad[2 * row], -trace.grad[2 * row + 1]];
    if (finitePoint(descent) && (descent[0] !== 0 || descent[1] !== 0)) vectors.descent = descent;
  }
  return vectors;
}

/** Where a data-space vector from `origin` points on screen, as a unit vector (undefined for a zero vector). */
export function screenDirection(toPixel: (x: number, y: number) => Point, origin: Point, vector: Point): Point | undefined {
  const length = Math.hypot(vector[0], vector[1]);
  if (!(length > 0) || !Number.isFinite(length)) return undefined;
  return unitBetween(toPixel(origin[0], origin[1]), toPixel(origin[0] + vector[0] / length, origin[1] + vector[1] / length));
}

/** The unit vector from screen point a to b; undefined when they coincide. */
function unitBetween(a: Point, b: Point): Point | undefined {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const pixels = Math.hypot(dx, dy);
  return pixels > 0 ? [dx / pixels, dy / pixels] : undefined;
}

/**
 * Where −∇f points on screen along a surface that `place` draws (a point and its loss to pixels): a first-order
 * step of length h along −∇f lowers the loss by h·|∇f|. A unit vector; undefined for a zero gradient or off the
 * surface. `extent`: the plotted width in data units (the step is a millionth of it).
 */
export function surfaceDirection(place: (point: Point, loss: number) => Point | undefined, origin: Point, loss: number, descent: Point, extent: number): Point | undefined {
  const norm = Math.hypot(descent[0], descent[1]);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  const h = 1e-6 * extent;
  const a = place(origin, loss);
  const b = place([origin[0] + (h * descent[0]) / norm, origin[1] + (h * descent[1]) / norm], loss - h * norm);
  return a && b && unitBetween(a, b);
}

/** An SVG path for an arrow from `from` to `to` (pixels): the shaft and an open head; '' when shorter than 1 px. */
export function arrowPath(from: Point, to: Point, head = 6): string {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const length = Math.hypot(dx, dy);
  if (!(length >= 1)) return '';
  const size = Math.min(head, length * 0.6);
  const ux = dx / length;
  const uy = dy / length;
  // The head's two barbs, 28° either side of the shaft.
  const cos = Math.cos(0.49);
  const sin = Math.sin(0.49);
  const barb = (s: number): Point => [to[0] - size * (ux * cos - s * uy * sin), to[1] - size * (uy * cos + s * ux * sin)];
  const [l, r] = [barb(1), barb(-1)];
  const f = (n: number) => Number(n.toFixed(2));
  return `M${f(from[0])},${f(from[1])}L${f(to[0])},${f(to[1])}M${f(l[0])},${f(l[1])}L${f(to[0])},${f(to[1])}L${f(r[0])},${f(r[1])}`;
}

export interface FieldArrow {
  /** The grid point (data space). */
  at: Point;
  /** −∇f there (data space). */
  descent: Point;
  /** |∇f| on a log scale over the field: 0 the flattest point, 1 the steepest. */
  strength: number;
}

/**
 * The gradient field's arrows (−∇f at each point of the coarse grid) with their strength, from a landscape
 * asked with gradientSize. Points with a zero or non-finite gradient are left out.
 */
export function fieldArrows(data: Pick<LandscapeData, 'x' | 'y' | 'gradientSize' | 'gradient'>): FieldArrow[] {
  const { gradient, gradientSize } = data;
  if (!gradient || !gradientSize) return [];
  const [gx, gy] = gradientSize;
  const arrows: FieldArrow[] = [];
  const logs: number[] = [];
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const k = 2 * (j * gx + i);
      const g: Point = [gradient[k], gradient[k + 1]];
      const norm = Math.hypot(g[0], g[1]);
      if (!(norm > 0) || !Number.isFinite(norm)) continue;
      const at: Point = [data.x[0] + (i * (data.x[1] - data.x[0])) / (gx - 1), data.y[0] + (j * (data.y[1] - data.y[0])) / (gy - 1)];
      arrows.push({ at, descent: [-g[0], -g[1]], strength: 0 });
      logs.push(Math.log(norm));
    }
  }
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  arrows.forEach((arrow, i) => (arrow.strength = hi > lo ? (logs[i] - lo) / (hi - lo) : 1));
  return arrows;
}
