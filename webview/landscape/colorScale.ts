// Log-aware mapping of loss values to colours and contour levels (pure: unit-tested in node).

export interface ValueTransform {
  kind: 'log' | 'linear';
  /** Maps a loss value into the colour/contour space. */
  forward(value: number): number;
  inverse(t: number): number;
  /** The landscape's [min, max] in the transformed space. */
  domain: [number, number];
}

const SAMPLE_LIMIT = 4096;

/** Median of (value - min) over a strided sample of the finite values. */
function medianAboveMin(values: ArrayLike<number>, min: number): number {
  const stride = Math.max(1, Math.floor(values.length / SAMPLE_LIMIT));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += stride) if (Number.isFinite(values[i])) sample.push(values[i] - min);
  sample.sort((a, b) => a - b);
  return sample.length ? sample[sample.length >> 1] : 0;
}

/**
 * Linear when values are spread evenly; logarithmic (of the height above the minimum) when most of the
 * grid sits close to the minimum next to steep walls, as on Rosenbrock or Beale.
 */
export function valueTransform(values: ArrayLike<number>, min: number, max: number): ValueTransform {
  const spread = max - min;
  if (!(spread > 0) || !Number.isFinite(spread)) {
    const lo = Number.isFinite(min) ? min : 0;
    return { kind: 'linear', forward: (v) => v, inverse: (t) => t, domain: [lo, lo + 1] };
  }
  if (medianAboveMin(values, min) >= spread / 20) {
    return { kind: 'linear', forward: (v) => v, inverse: (t) => t, domain: [min, max] };
  }
  return logAboveMin(min, max, 1e-5);
}

/** log10 of the height above min, offset by `offsetFraction` of the range so that the minimum stays finite. */
export function logAboveMin(min: number, max: number, offsetFraction: number): ValueTransform {
  const spread = max - min;
  const offset = spread * offsetFraction;
  return {
    kind: 'log',
    forward: (v) => Math.log10(Math.max(v - min, 0) + offset),
    inverse: (t) => 10 ** t - offset + min,
    domain: [Math.log10(offset), Math.log10(spread + offset)],
  };
}

/** `count` contour levels spaced evenly in the transformed space, strictly inside the domain. */
export function contourLevels(transform: ValueTransform, count: number): number[] {
  const [lo, hi] = transform.domain;
  return Array.from({ length: count }, (_, i) => lo + ((i + 1) * (hi - lo)) / (count + 1));
}

/** The transformed grid (non-finite values become NaN, which d3-contour treats as below every level). */
export function transformGrid(values: ArrayLike<number>, transform: ValueTransform): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number.isFinite(values[i]) ? transform.forward(values[i]) : NaN;
  return out;
}

/**
 * RGBA pixels for a grid stored row-major with y outer and y increasing upwards: image row 0 is the top (largest y).
 * `palette` holds 256 RGB triples from low to high.
 */
export function heatmapPixels(grid: Float64Array, nx: number, ny: number, domain: [number, number], palette: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(nx * ny * 4);
  const [lo, hi] = domain;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let j = 0; j < ny; j++) {
    const row = (ny - 1 - j) * nx;
    for (let i = 0; i < nx; i++) {
      const t = grid[j * nx + i];
      const p = (row + i) * 4;
      if (Number.isNaN(t)) continue;
      const k = Math.min(255, Math.max(0, Math.round((t - lo) * scale))) * 3;
      pixels[p] = palette[k];
      pixels[p + 1] = palette[k + 1];
      pixels[p + 2] = palette[k + 2];
      pixels[p + 3] = 255;
    }
  }
  return pixels;
}
