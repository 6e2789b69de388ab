// Extents and the grid-to-pixel mapping (pure).
import type { Range } from '../../src/shared/protocol';

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

/** What a small multiple's cell loses to its caption and axes, the gap between cells, and its narrowest width and shortest height (pixels). */
export interface CellChrome {
  gap: number;
  x: number;
  y: number;
  minWidth?: number;
  /** A cell is never squashed below this: rows that do not fit scroll instead. */
  minHeight?: number;
}

/** The height of each of `rows` equal rows in `height` pixels, no less than minHeight (then the rows scroll). */
export function rowHeight(rows: number, height: number, chrome: CellChrome): number {
  return Math.max((height - chrome.gap * (rows - 1)) / rows, chrome.minHeight ?? 0);
}

/** Whether `count` cells in `columns` columns fit in `height` pixels without a cell below minHeight. */
export function rowsFit(count: number, columns: number, height: number, chrome: CellChrome): boolean {
  const rows = Math.ceil(count / columns);
  return (height - chrome.gap * (rows - 1)) / rows >= (chrome.minHeight ?? 0);
}

/**
 * The columns for `count` equal cells in width x height pixels that draw an extent of aspect dx/dy (the same
 * scale on both axes) largest, with cells no narrower than minWidth (one column always fits); the fewer columns on a
 * tie. Cells are no shorter than minHeight: a layout whose rows all fit beats one that scrolls, and when none fits, the
 * one with the fewest rows (the least to scroll) wins.
 */
export function bestColumns(count: number, width: number, height: number, aspect: number, chrome: CellChrome): number {
  let best = 1;
  let bestScale = -Infinity;
  let bestFits = false;
  let bestRows = Infinity;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - chrome.gap * (columns - 1)) / columns;
    if (columns > 1 && cellWidth < (chrome.minWidth ?? 0)) break;
    const fits = rowsFit(count, columns, height, chrome);
    const plotWidth = cellWidth - chrome.x;
    const plotHeight = rowHeight(rows, height, chrome) - chrome.y;
    // Pixels per data unit of the extent fitted into the plot.
    const scale = Math.min(plotWidth / aspect, plotHeight);
    const larger = scale > bestScale * (1 + 1e-9) + 1e-9;
    const better = fits ? !bestFits || larger : !bestFits && (rows < bestRows || (rows === bestRows && larger));
    if (better) {
      best = columns;
      bestScale = scale;
      bestFits = fits;
      bestRows = rows;
    }
  }
  return best;
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
