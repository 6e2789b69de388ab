// Comparing values of one hyper-parameter (e.g. five learning rates): one run per value, shown as small
// multiples in Compare (pure: no 'vscode' import, unit-tested in node).
import type { OptimizerInfo } from './engineApi';
import { LIMITS, type RunConfig, type Scenario } from './protocol';
import { completeRun, findOptimizer, formatNumber, runLabel } from './scenario';

/** Factors around the current value offered by default: lr = 0.01 gives 0.001, 0.003, 0.01, 0.03, 0.1. */
const DEFAULT_FACTORS = [0.1, 0.3, 1, 3, 10];

/** The numeric options of a run's optimizer (the ones a sweep can vary), `lr` first. */
export function sweepableOptions(optimizers: OptimizerInfo[], run: RunConfig): string[] {
  const defaults = findOptimizer(optimizers, run.optimizer)?.defaults ?? {};
  const names = Object.keys(defaults).filter((key) => typeof (run.options[key] ?? defaults[key]) === 'number');
  return names.sort((a, b) => (a === 'lr' ? -1 : b === 'lr' ? 1 : 0));
}

/** Values around `current` (a zero current value gives 0 and small positive values). */
export function defaultSweepValues(current: number): number[] {
  if (current === 0) return [0, 0.001, 0.01, 0.1, 0.5];
  return DEFAULT_FACTORS.map((factor) => Number((current * factor).toPrecision(3)));
}

/** Parses "0.001, 0.003 0.01" into numbers: an error text when a value is not a finite number or there are too many. */
export function parseSweepValues(text: string): number[] | string {
  const parts = text.split(/[,;\s]+/).filter((part) => part !== '');
  if (parts.length === 0) return 'Give at least one value, e.g. 0.001, 0.01, 0.1';
  if (parts.length > LIMITS.maxRuns) return `At most ${LIMITS.maxRuns} values`;
  const values = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isFinite(values[i]));
  return bad === undefined ? values : `'${bad}' is not a number`;
}

export interface Sweep {
  /** Index of the run in the scenario whose option varies. */
  run: number;
  option: string;
  values: number[];
}

/** Checks a sweep against a scenario: an error text, or undefined when it can run. */
export function sweepProblem(scenario: Scenario, optimizers: OptimizerInfo[], sweep: Sweep): string | undefined {
  const run = scenario.runs[sweep.run];
  if (!run) return `There is no run ${sweep.run + 1}`;
  if (!sweepableOptions(optimizers, run).includes(sweep.option)) return `${run.optimizer} has no numeric option '${sweep.option}'`;
  if (sweep.values.length === 0 || sweep.values.length > LIMITS.maxRuns) return `Give 1 to ${LIMITS.maxRuns} values`;
  if (!sweep.values.every(Number.isFinite)) return 'Every value must be a finite number';
  return undefined;
}

/**
 * The scenario with one run per value: the chosen run with its option set to the value (its label names it).
 * The loss, start, steps and view stay.
 */
export function sweepScenario(scenario: Scenario, optimizers: OptimizerInfo[], sweep: Sweep): Scenario {
  const problem = sweepProblem(scenario, optimizers, sweep);
  if (problem) throw new Error(problem);
  const base = scenario.runs[sweep.run];
  const runs = sweep.values.map((value) => {
    const run = completeRun(optimizers, { optimizer: base.optimizer, options: { ...base.options, [sweep.option]: value } })!;
    const label = runLabel(run, optimizers);
    // runLabel names lr and options off their defaults; the swept one is always named (a fixed label only then:
    // tuning may change the lr later).
    return label.includes(`${sweep.option}=`) ? run : { ...run, label: `${label} ${sweep.option}=${formatNumber(value)}` };
  });
  return { ...structuredClone(scenario), runs };
}
