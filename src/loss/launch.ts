// From a .loss file's scenario to what the panels open (no 'vscode' import: unit-tested in node).
import type { ScheduleSpec, StochasticSpec } from '../shared/engineApi';
import type { Scenario as FileScenario } from './analyze';
import { SCHEDULE_TYPES, type RunConfig } from '../shared/protocol';

/** What the Playground and Compare commands accept besides a built-in name: a loss (name or text) and its scenario. */
export interface LossLaunch {
  /** A built-in name or a loss text. */
  loss: string;
  lossParams?: Record<string, number>;
  runs?: RunConfig[];
  steps?: number;
  start?: number[];
}

/** Keys of an optimizer line that set the run, not the optimizer: `batch=8 replacement=true noise=0.1 seed=3 project=(-1, 1)`. */
export const RUN_KEYS = ['batch', 'replacement', 'noise', 'seed', 'project'] as const;

/** One optimizer line (with its schedule line) as a run: torch options, stochastic settings, schedule, projection. */
export function runFromFile(line: FileScenario['optimizers'][number]): RunConfig {
  const options = { ...line.options };
  const stochastic: StochasticSpec = {};
  const take = (key: string) => {
    const value = options[key];
    delete options[key];
    return value;
  };
  const batch = take('batch');
  const replacement = take('replacement');
  const noise = take('noise');
  const seed = take('seed');
  const project = take('project');
  if (typeof batch === 'number') stochastic.batchSize = batch;
  if (typeof replacement === 'boolean') stochastic.replacement = replacement;
  if (typeof noise === 'number') stochastic.noise = noise;
  if (typeof seed === 'number') stochastic.seed = seed;
  const run: RunConfig = { optimizer: line.name, options };
  if (line.label !== undefined) run.label = line.label;
  if (Object.keys(stochastic).length > 0) run.stochastic = stochastic;
  if (Array.isArray(project) && project.length === 2) run.project = [[project[0], project[1]]];
  const type = line.schedule?.type as ScheduleSpec['type'] | undefined;
  if (type && SCHEDULE_TYPES.includes(type) && type !== 'constant') run.schedule = { type, ...line.schedule?.options } as ScheduleSpec;
  return run;
}

/** A parsed .loss file as a launch: a built-in by name (`builtin` line) or the text itself, with its runs, steps and start. */
export function launchFromFile(text: string, scenario: FileScenario): LossLaunch {
  const launch: LossLaunch = scenario.builtin ? { loss: scenario.builtin.name, lossParams: scenario.builtin.params } : { loss: text };
  if (scenario.optimizers.length > 0) launch.runs = scenario.optimizers.map(runFromFile);
  // The engine applies a text's `stochastic` line itself; a built-in gets it on every run (a run's own keys win).
  if (scenario.builtin && scenario.stochastic && launch.runs) {
    for (const run of launch.runs) run.stochastic = { ...scenario.stochastic, ...run.stochastic };
  }
  if (scenario.steps !== undefined) launch.steps = scenario.steps;
  // A built-in has no formula to carry the start: the file's first start point says it.
  if (scenario.builtin && scenario.start.length > 0) launch.start = scenario.start[0];
  return launch;
}
