// The landscape's optional vector overlays: the gradient field, and each run's −∇f and step at the current step.
import type { Selection } from 'd3-selection';
import type { LandscapeQuery, Scenario } from '../../src/shared/protocol';
import { arrowPath, fieldArrows, screenDirection, stepVectors, type FieldArrow } from './arrows';
import { gridSize, type Extent } from './geometry';
import type { Overlay, OverlayContext } from './landscapeView';
import { rowAtStep, type Point } from '../runs/traces';

type Group = Selection<SVGGElement, unknown, null, undefined>;

/** Pixels between the gradient field's arrows. */
export const FIELD_SPACING = 36;
/** Screen length of the −∇f arrow at the current step (its direction is what matters; the step has its own length). */
const DESCENT_LENGTH = 40;

/** A step shorter than this many pixels is drawn this long (in its direction), so that it can be seen. */
const MIN_UPDATE_LENGTH = 10;

/** `to`, moved away from `from` along their line to at least `length` pixels (unchanged when it is there already or they coincide). */
export function atLeast(from: Point, to: Point, length: number): Point {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const now = Math.hypot(dx, dy);
  if (now >= length || !(now > 0)) return to;
  return [from[0] + (dx / now) * length, from[1] + (dy / now) * length];
}

/** The gradient grid for a plot of width x height pixels: one arrow every FIELD_SPACING pixels. */
export function fieldGridSize(width: number, height: number): [number, number] {
  return [Math.max(2, Math.round(width / FIELD_SPACING)), Math.max(2, Math.round(height / FIELD_SPACING))];
}

/** The landscape to ask for over an extent drawn in `pixels`: the grid that fits, and the field's gradients when shown. */
export function landscapeQuery(scenario: Pick<Scenario, 'loss' | 'lossParams'>, extent: Extent, pixels: [number, number], gridResolution: number, gradientField: boolean): LandscapeQuery {
  return {
    loss: scenario.loss,
    lossParams: scenario.lossParams,
    x: extent.x,
    y: extent.y,
    size: gridSize(pixels[0], pixels[1], gridResolution),
    gradientSize: gradientField ? fieldGridSize(pixels[0], pixels[1]) : undefined,
  };
}

/** The gradient field: −∇f at each point of the coarse grid, longer where the slope is steeper (log scale). */
export function gradientFieldOverlay(enabled: () => boolean): Overlay {
  let cached: { data: OverlayContext['landscape']; arrows: FieldArrow[] } | undefined;
  return (group: Group, context: OverlayContext) => {
    const data = enabled() ? context.landscape : undefined;
    if (!cached || cached.data !== data) cached = { data, arrows: data ? fieldArrows(data) : [] };
    const arrows = cached.arrows;
    const cell = data?.gradientSize ? Math.min(context.width / data.gradientSize[0], context.height / data.gradientSize[1]) : 0;
    const paths = arrows.map((arrow) => {
      const direction = screenDirection(context.toPixel, arrow.at, arrow.descent);
      if (!direction) return '';
      const length = cell * 0.8 * (0.3 + 0.7 * arrow.strength);
      const [x, y] = context.toPixel(...arrow.at);
      const from: Point = [x - (direction[0] * length) / 2, y - (direction[1] * length) / 2];
      return arrowPath(from, [from[0] + direction[0] * length, from[1] + direction[1] * length], 4);
    });
    group.attr('class', 'gradient-field');
    group
      .selectAll('path')
      .data(paths.filter((d) => d !== ''))
      .join('path')
      .attr('d', (d) => d);
  };
}

export interface StepArrow {
  kind: 'descent' | 'update';
  /** An SVG path in pixels. */
  d: string;
}

/**
 * The arrows at a run's current point `from` (pixels): −∇f along its screen direction, DESCENT_LENGTH long, and
 * the step to the next point `next` (pixels), at least MIN_UPDATE_LENGTH long. The 2-D and 3-D views share them.
 */
export function stepArrowPaths(from: Point, descentDirection: Point | undefined, next: Point | undefined): StepArrow[] {
  const arrows: StepArrow[] = [];
  if (descentDirection) arrows.push({ kind: 'descent', d: arrowPath(from, [from[0] + descentDirection[0] * DESCENT_LENGTH, from[1] + descentDirection[1] * DESCENT_LENGTH]) });
  if (next) arrows.push({ kind: 'update', d: arrowPath(from, atLeast(from, next, MIN_UPDATE_LENGTH)) });
  return arrows.filter((arrow) => arrow.d !== '');
}

/** Each run's −∇f (dashed, a fixed length) and the step it takes (to the next row) at the current step. */
export function stepArrowsOverlay(enabled: () => boolean): Overlay {
  return (group: Group, context: OverlayContext) => {
    const arrows: (StepArrow & { run: number })[] = [];
    if (enabled()) {
      context.traces.forEach((trace, run) => {
        const vectors = stepVectors(trace, rowAtStep(trace, context.step));
        if (!vectors) return;
        const { origin, descent, update } = vectors;
        const direction = descent && screenDirection(context.toPixel, origin, descent);
        const next = update && context.toPixel(origin[0] + update[0], origin[1] + update[1]);
        for (const arrow of stepArrowPaths(context.toPixel(...origin), direction, next)) arrows.push({ ...arrow, run });
      });
    }
    group.attr('class', 'step-arrows');
    group
      .selectAll('path')
      .data(arrows)
      .join('path')
      .attr('class', (a) => `step-arrow ${a.kind}`)
      .attr('data-run', (a) => a.run)
      .attr('d', (a) => a.d)
      .attr('stroke', (a) => context.colors[a.run]);
  };
}
