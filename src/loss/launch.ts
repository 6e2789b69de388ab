// A parsed .loss file as a scenario (src/shared/scenarioModel.ts): the .loss parse's last step (no 'vscode'
// import: unit-tested in node). The print is scenarioLossFile in src/shared/export.ts.
import type { Scenario as FileScenario } from './analyze';
import { FREEZE_GROUPS, type FreezeGroup } from '../shared/freeze';
import { SCHEDULE_TYPES, type RunConfig, type ScenarioDraft, type ScheduleSpec, type StochasticSpec } from '../shared/scenarioModel';

/** Keys of an optimizer line that set the run, not the optimizer: `batch=8 replacement=true noise=0.1 seed=3 project=(-1, 1) init_seed=2`. */
export const RUN_KEYS = ['batch', 'replacement', 'noise', 'seed', 'project', 'freeze', 'init_seed'] as const;

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
  const freeze = take('freeze');
  const initSeed = take('init_seed');
  if (typeof batch === 'number') stochastic.batchSize = batch;
  if (typeof replacement === 'boolean') stochastic.replacement = replacement;
  if (typeof noise === 'number') stochastic.noise = noise;
  if (typeof seed === 'number') stochastic.seed = seed;
  const run: RunConfig = { optimizer: line.name, options };
  if (line.label !== undefined) run.label = line.label;
  if (Object.keys(stochastic).length > 0) run.stochastic = stochastic;
  if (Array.isArray(project) && project.length === 2) run.project = [[project[0], project[1]]];
  if (typeof freeze === 'string' && (FREEZE_GROUPS as readonly string[]).includes(freeze)) run.freeze = freeze as FreezeGroup;
  else if (Array.isArray(freeze)) run.freeze = freeze;
  if (typeof initSeed === 'number') run.initSeed = initSeed;
  const type = line.schedule?.type as ScheduleSpec['type'] | undefined;
  if (type && SCHEDULE_TYPES.includes(type) && type !== 'constant') run.schedule = { type, ...line.schedule?.options } as ScheduleSpec;
  return run;
}

/**
 * A parsed .loss file as a scenario draft: a built-in by name (`builtin` line) or the text itself, with its runs,
 * steps and start (what the file does not say is left to the defaults).
 */
export function scenarioFromFile(text: string, scenario: FileScenario): ScenarioDraft {
  const launch: ScenarioDraft = scenario.builtin ? { loss: scenario.builtin.name, lossParams: scenario.builtin.params } : { loss: text };
  if (scenario.optimizers.length > 0) launch.runs = scenario.optimizers.map(runFromFile);
  // The engine applies a text's `stochastic` line itself; a built-in gets it on every run (a run's own keys win).
  if (scenario.builtin && scenario.stochastic && launch.runs) {
    for (const run of launch.runs) run.stochastic = { ...scenario.stochastic, ...run.stochastic };
  }
  if (scenario.steps !== undefined) launch.steps = scenario.steps;
  if (scenario.recordEvery !== undefined) launch.recordEvery = scenario.recordEvery;
  // A built-in has no formula to carry the start: the file's first start point says it.
  if (scenario.builtin && scenario.start.length > 0) launch.start = scenario.start[0];
  return launch;
}
