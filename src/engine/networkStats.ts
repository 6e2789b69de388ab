// Engine.networkLayerStats: a network's per-layer statistics at a few parameter vectors (the core's networkStats.ts
// computes them; this file only moves numbers in and out of the core's memory).
import type { NetworkLayerStats, NetworkLayerStatsResult } from '../shared/engineApi';
import type { Core } from './core';

/** Values per layer before its bin counts (the core's LAYER_STAT_HEAD). */
const LAYER_STAT_HEAD = 6;
export const DEFAULT_WEIGHT_BINS = 20;
export const MAX_WEIGHT_BINS = 200;
/** Parameter vectors per request at most: each costs one full-batch forward and backward pass. */
export const MAX_STATS_POINTS = 64;

/** The statistics of the network loss at handle with `layers` Linear layers, at each of the (checked) parameter vectors. */
export function layerStatsAt(core: Core, handle: number, dim: number, layers: number, params: number[][], bins: number): NetworkLayerStatsResult {
  const stride = LAYER_STAT_HEAD + bins;
  const x = core.allocF64(dim);
  const out = core.allocF64(layers * stride);
  try {
    const points = params.map((p) => {
      core.f64(x, dim).set(p);
      const loss = core.exports.networkLayerStats(handle, x, bins, out);
      const values = core.f64(out, layers * stride);
      const perLayer = Array.from({ length: layers }, (_, l): NetworkLayerStats => {
        const o = l * stride;
        return {
          activationMean: values[o],
          activationStd: values[o + 1],
          gradientMean: values[o + 2],
          gradientStd: values[o + 3],
          weightRange: [values[o + 4], values[o + 5]],
          weightCounts: Array.from(values.subarray(o + LAYER_STAT_HEAD, o + stride)),
        };
      });
      return { loss, layers: perLayer };
    });
    return { points };
  } finally {
    core.release(x, out);
  }
}
