// Which rows of a run the layer statistics are asked at, and the statistics as curves (pure).
import type { NetworkLayerStats, NetworkLayerStatsResult } from '../../src/shared/engineApi';
import type { Curve } from '../charts/curveChart';

/** Rows over a run at which the statistics over steps are computed (each one full-batch forward and backward). */
export const STATS_ROWS = 12;

/** Multiply-adds of the statistics over steps at most (about a tenth of a second): a big network gets fewer rows. */
const STATS_WORK = 2e8;

/** How many rows over a run a network of dim parameters and `samples` training samples gets (1 to STATS_ROWS). */
export function statsRowCount(dim: number, samples: number): number {
  return Math.max(1, Math.min(STATS_ROWS, Math.floor(STATS_WORK / (3 * dim * Math.max(1, samples)))));
}

/**
 * Rows over a run: the multiples of a power-of-two stride (at most `count` of them), the last row and the row shown;
 * sorted, distinct. As a streaming run grows the stride only doubles, so rows already computed stay among them.
 */
export function statsRows(rowCount: number, shown: number, count = STATS_ROWS): number[] {
  const last = Math.max(0, rowCount - 1);
  const rows = new Set<number>([Math.max(0, Math.min(last, shown)), last]);
  let stride = 1;
  while (Math.floor(last / stride) + 1 > Math.max(1, count)) stride *= 2;
  for (let row = 0; row <= last; row += stride) rows.add(row);
  return [...rows].sort((a, b) => a - b);
}

/** Layer l's colour (1-based), from the theme's chart colours. */
export function layerColor(layer: number): string {
  const names = [['blue', '#3794ff'], ['orange', '#d18616'], ['green', '#89d185'], ['purple', '#b180d7'], ['red', '#f14c4c'], ['yellow', '#cca700']];
  const [name, fallback] = names[(layer - 1) % names.length];
  return `var(--vscode-charts-${name}, ${fallback})`;
}

/** Statistics computed at rows (the request's order), as curves: per layer its std solid and its mean dashed. */
export function layerCurves(rows: number[], result: NetworkLayerStatsResult, quantity: 'activation' | 'gradient'): Curve[] {
  const layers = result.points[0]?.layers.length ?? 0;
  const mean: keyof NetworkLayerStats = quantity === 'activation' ? 'activationMean' : 'gradientMean';
  const std: keyof NetworkLayerStats = quantity === 'activation' ? 'activationStd' : 'gradientStd';
  return Array.from({ length: layers }, (_, l) => [
    { name: `layer ${l + 1} std`, color: layerColor(l + 1), dashed: false, points: rows.map((row, i): [number, number] => [row, result.points[i].layers[l][std] as number]) },
    { name: `layer ${l + 1} mean`, color: layerColor(l + 1), dashed: true, points: rows.map((row, i): [number, number] => [row, result.points[i].layers[l][mean] as number]) },
  ]).flat();
}
