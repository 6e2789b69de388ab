// How much of a panel's runs is recorded: every step's loss, and the parameters of every k-th step, k chosen from
// LIMITS.panelRecordBytes (no 'vscode': the panels and their tests use it).
import { LIMITS } from './limits';

/** Rows a run of `steps` keeps when it records every k-th step (the core's recordedRows: step 0, the multiples of k, the last). */
export function recordedRowCount(steps: number, every: number): number {
  return Math.floor(steps / every) + (steps % every === 0 ? 1 : 2);
}

/** The bytes of parameter rows [...params, loss] that `runs` runs of `steps` keep at every k-th step. */
export function recordedBytes(runs: number, steps: number, dim: number, every: number): number {
  return runs * recordedRowCount(steps, every) * (dim + 1) * 8;
}

/**
 * The smallest k at which the runs' parameter rows fit in `budget` bytes (1 for every 2-D loss a panel can run);
 * `steps` when even two rows a run do not fit.
 */
export function budgetRecordEvery(runs: number, steps: number, dim: number, budget: number = LIMITS.panelRecordBytes): number {
  if (recordedBytes(runs, steps, dim, 1) <= budget) return 1;
  // rows <= steps / k + 2: start from the k that bound gives, then step up past the rounding
  const fitting = Math.floor(budget / (runs * (dim + 1) * 8)) - 2;
  let every = fitting >= 1 ? Math.max(1, Math.ceil(steps / fitting)) : steps;
  while (every < steps && recordedBytes(runs, steps, dim, every) > budget) every++;
  return Math.min(every, Math.max(1, steps));
}

/**
 * The recordEvery a panel's runs use: the scenario's own, else chosen from the budget; 1 with breakpoints (a run may
 * pause at any step, and the engine keeps every row then: see RunsRequest.recordEvery).
 */
export function panelRecordEvery(scenario: { runs: unknown[]; steps: number; recordEvery?: number; breakpoints?: unknown[] }, dim: number): number {
  if ((scenario.breakpoints?.length ?? 0) > 0) return 1;
  return scenario.recordEvery ?? budgetRecordEvery(scenario.runs.length, scenario.steps, dim);
}
