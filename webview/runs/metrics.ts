// Per-run metrics for the comparison table (pure).
import type { LossInfo } from '../../src/shared/engineApi';
import type { TraceData } from '../../src/shared/protocol';
import { lossAt, lossAtStep, paramsAt, seriesLength } from './traces';

export interface RunMetrics {
  finalLoss: number;
  /** First step whose loss is within the tolerance of the best known minimum value. */
  stepsToTolerance: number | undefined;
  /** From the last parameters to the nearest known minimum. */
  distanceToMinimum: number | undefined;
  /** The step at which the run diverged (a non-finite value). */
  divergedAt: number | undefined;
}

export function runMetrics(trace: TraceData, minima: LossInfo['minima'], tolerance: number): RunMetrics {
  const last = trace.rowCount - 1;
  const best = minima.length ? Math.min(...minima.map((m) => m.value)) : undefined;
  let stepsToTolerance: number | undefined;
  if (best !== undefined) {
    // every step's loss (parameters may be kept every k-th step only)
    for (let step = 0; step < seriesLength(trace); step++) {
      if (lossAtStep(trace, step) - best <= tolerance) {
        stepsToTolerance = step;
        break;
      }
    }
  }
  const params = paramsAt(trace, last);
  const distances = minima.map((m) => Math.hypot(...params.map((p, i) => p - (m.point[i] ?? 0))));
  const distanceToMinimum = distances.length && params.every(Number.isFinite) ? Math.min(...distances) : undefined;
  return {
    finalLoss: lossAt(trace, last),
    stepsToTolerance,
    distanceToMinimum,
    divergedAt: trace.status === 'diverged' ? trace.stoppedAt : undefined,
  };
}

/** One line on how a run ended. */
export function statusText(trace: TraceData, format: (value: number) => string): string {
  switch (trace.status) {
    case 'diverged':
      return `diverged at step ${trace.stoppedAt}`;
    case 'converged':
      return `converged at step ${trace.stoppedAt}`;
    case 'out_of_bounds':
      return `left the bounds at step ${trace.stoppedAt}`;
    case 'singular':
      return `singular at step ${trace.stoppedAt}`;
    default:
      return `final loss ${format(lossAt(trace, trace.rowCount - 1))}`;
  }
}
