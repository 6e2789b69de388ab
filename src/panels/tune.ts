// "Tune learning rates": the candidate rates for a run and the choice of the best (no 'vscode' import:
// unit-tested in node). The runs themselves are the engine's.
import type { TraceData } from '../protocol';

/** Candidates per run: four per decade from lr/100 to about 5.6 lr, the current rate among them. */
export const TUNE_CANDIDATES = 12;

/** The tolerance on the loss above the best known minimum, as the Compare table's default. */
export const TUNE_TOLERANCE = 1e-3;

export function candidateRates(lr: number, count = TUNE_CANDIDATES): number[] {
  const below = Math.round((count * 2) / 3);
  return Array.from({ length: count }, (_, i) => Number((lr * 10 ** ((i - below) / 4)).toPrecision(3)));
}

export interface RateOutcome {
  lr: number;
  finalLoss: number;
  /** The first step whose loss is within the tolerance of the best known minimum; undefined if none. */
  stepsToTolerance: number | undefined;
  diverged: boolean;
}

/** How a run at one rate ended: its last loss, when it first came within `tolerance` of `best`, whether it diverged. */
export function rateOutcome(lr: number, trace: TraceData, best: number | undefined, tolerance = TUNE_TOLERANCE): RateOutcome {
  const width = trace.dim + 2;
  const lossAt = (row: number) => trace.rows[row * width + trace.dim];
  const finalLoss = trace.rowCount > 0 ? lossAt(trace.rowCount - 1) : NaN;
  let stepsToTolerance: number | undefined;
  if (best !== undefined) {
    for (let row = 0; row < trace.rowCount; row++) {
      if (lossAt(row) - best <= tolerance) {
        stepsToTolerance = row;
        break;
      }
    }
  }
  return { lr, finalLoss, stepsToTolerance, diverged: trace.status === 'diverged' || !Number.isFinite(finalLoss) };
}

/** The lowest final loss; on a tie the one that reached the tolerance first; a diverged run never wins. */
export function bestRate(outcomes: RateOutcome[]): RateOutcome | undefined {
  let best: RateOutcome | undefined;
  const steps = (o: RateOutcome) => o.stepsToTolerance ?? Infinity;
  for (const outcome of outcomes) {
    if (outcome.diverged) continue;
    if (!best || outcome.finalLoss < best.finalLoss || (outcome.finalLoss === best.finalLoss && steps(outcome) < steps(best))) best = outcome;
  }
  return best;
}
