// "Tune learning rates": the candidate rates for a run and the choice of the best (no 'vscode' import:
// unit-tested in node). The runs themselves are the engine's.
import type { TraceData } from '../shared/protocol';

/** Candidates per run: four per decade from lr/100 to about 5.6 lr, the current rate among them. */
export const TUNE_CANDIDATES = 12;

/** Rates per decade in every window. */
const PER_DECADE = 4;

/** When the best rate is at an edge of what was searched, one more decade beyond it is searched, at most this often. */
export const TUNE_MAX_WIDENINGS = 4;

/** The tolerance on the loss above the best known minimum, as the Compare table's default. */
export const TUNE_TOLERANCE = 1e-3;

export function candidateRates(lr: number, count = TUNE_CANDIDATES): number[] {
  const below = Math.round((count * 2) / 3);
  return Array.from({ length: count }, (_, i) => Number((lr * 10 ** ((i - below) / PER_DECADE)).toPrecision(3)));
}

/** One decade of rates beyond `edge`: above it (direction 1) or below it (-1), nearest first. */
export function ratesBeyond(edge: number, direction: 1 | -1): number[] {
  return Array.from({ length: PER_DECADE }, (_, i) => Number((edge * 10 ** ((direction * (i + 1)) / PER_DECADE)).toPrecision(3)));
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

/** Whether a ends strictly better than b (the order bestRate uses). */
function better(a: RateOutcome, b: RateOutcome): boolean {
  if (a.diverged) return false;
  if (b.diverged || a.finalLoss < b.finalLoss) return true;
  return a.finalLoss === b.finalLoss && (a.stepsToTolerance ?? Infinity) < (b.stepsToTolerance ?? Infinity);
}

/**
 * Where to search further: towards smaller rates when every rate diverged or the smallest is strictly the
 * best, towards larger ones when the largest is; undefined when the best lies inside what was searched.
 */
export function widenDirection(outcomes: RateOutcome[]): 1 | -1 | undefined {
  const sorted = [...outcomes].sort((a, b) => a.lr - b.lr);
  const best = bestRate(sorted);
  if (!best) return sorted.length > 0 ? -1 : undefined;
  if (sorted.length < 2) return undefined;
  if (best === sorted[0] && better(best, sorted[1])) return -1;
  if (best === sorted[sorted.length - 1] && better(best, sorted[sorted.length - 2])) return 1;
  return undefined;
}

/**
 * Searches the rates around lr (candidateRates), then, while the best is at an edge of the searched rates,
 * one decade beyond that edge (at most maxWidenings times): the result is never an artifact of the window.
 * `evaluate` runs a list of rates and returns their outcomes in the same order.
 */
export async function searchRate(
  lr: number,
  evaluate: (rates: number[]) => Promise<RateOutcome[]>,
  maxWidenings = TUNE_MAX_WIDENINGS,
): Promise<{ best: RateOutcome | undefined; searched: RateOutcome[] }> {
  const searched = await evaluate(candidateRates(lr));
  for (let widened = 0; widened < maxWidenings; widened++) {
    const direction = widenDirection(searched);
    if (!direction) break;
    const rates = searched.map((o) => o.lr);
    const edge = direction > 0 ? Math.max(...rates) : Math.min(...rates);
    searched.push(...(await evaluate(ratesBeyond(edge, direction))));
  }
  return { best: bestRate([...searched].sort((a, b) => a.lr - b.lr)), searched };
}
