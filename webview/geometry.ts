// Extents and the grid-to-pixel mapping (pure).
import type { Range } from '../src/protocol';

export interface Extent {
  x: Range;
  y: Range;
}

/** Grows the narrower side of an extent, about its centre, so one data unit has the same length in x and y. */
export function fitExtent(extent: Extent, width: number, height: number): Extent {
  const dx = extent.x[1] - extent.x[0];
  const dy = extent.y[1] - extent.y[0];
  if (!(width > 0 && height > 0)) return extent;
  const unitsPerPixel = Math.max(dx / width, dy / height);
  const halfX = (unitsPerPixel * width) / 2;
  const halfY = (unitsPerPixel * height) / 2;
  const cx = (extent.x[0] + extent.x[1]) / 2;
  const cy = (extent.y[0] + extent.y[1]) / 2;
  return { x: [cx - halfX, cx + halfX], y: [cy - halfY, cy + halfY] };
}

/** Grid size for an extent drawn in width x height pixels: `resolution` along the longer side. */
export function gridSize(width: number, height: number, resolution: number): [number, number] {
  if (width >= height) return [resolution, Math.max(2, Math.round((resolution * height) / width))];
  return [Math.max(2, Math.round((resolution * width) / height)), resolution];
}

/**
 * The affine map from d3-contour's grid coordinates (sample i sits at i + 0.5) to pixels,
 * as an SVG matrix(a, 0, 0, d, e, f).
 */
export function gridToPixelMatrix(
  extent: Extent,
  size: [number, number],
  toPixelX: (x: number) => number,
  toPixelY: (y: number) => number,
): [number, number, number, number] {
  const stepX = (extent.x[1] - extent.x[0]) / (size[0] - 1);
  const stepY = (extent.y[1] - extent.y[0]) / (size[1] - 1);
  const e = toPixelX(extent.x[0] - 0.5 * stepX);
  const f = toPixelY(extent.y[0] - 0.5 * stepY);
  return [toPixelX(extent.x[0] + 0.5 * stepX) - e, toPixelY(extent.y[0] + 0.5 * stepY) - f, e, f];
}
