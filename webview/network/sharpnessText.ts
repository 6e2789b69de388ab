// The network landscape panel's sharpness line: only formats the engine's numbers (Engine.networkSharpness).
import type { NetworkSharpnessResult } from '../../src/shared/networkLandscape';

/** The sharpness line under the landscape: the engine's numbers at the run's step, to 4 significant digits. */
export function sharpnessText(result: NetworkSharpnessResult, run: string, step: number): string {
  return `Sharpness of ${run} at step ${step}: top Hessian eigenvalue ${result.topEigenvalue.toPrecision(4)} · `
    + `largest loss increase within a ball of radius ${result.radius} (filter-normalized, ${result.samples} directions) ${result.ballIncrease.toPrecision(4)}`;
}
