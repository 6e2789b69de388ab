// Engine.networkSmoothness: Santurkar et al.'s loss variation and gradient change along the gradient at parameter
// vectors (the core's smoothness.ts computes them; this file moves numbers in and out of the core's memory).
import type { SmoothnessPoint } from '../shared/batchnorm';
import type { Core } from './core';

/** Parameter vectors per request at most: each costs steps + 1 full-batch forward and backward passes. */
export const MAX_SMOOTHNESS_POINTS = 64;
export const MAX_SMOOTHNESS_STEPS = 64;

export function smoothnessAt(core: Core, handle: number, dim: number, params: number[][], etaMax: number, steps: number): SmoothnessPoint[] {
  const x = core.allocF64(dim);
  const g0 = core.allocF64(dim);
  const point = core.allocF64(dim);
  const g = core.allocF64(dim);
  const out = core.allocF64(3);
  try {
    return params.map((p) => {
      core.f64(x, dim).set(p);
      const loss = core.exports.lossGradientVariation(handle, x, etaMax, steps, g0, point, g, out);
      const [lossVariation, gradientChange, gradientNorm] = core.f64(out, 3);
      return { loss, lossVariation, gradientChange, gradientNorm };
    });
  } finally {
    core.release(x, g0, point, g, out);
  }
}
