// A .loss file as a training session's scenario: one run per optimizer line (else the defaults), its steps line.
import type { RunSpec } from '../engine/api';
import { optimizerInfos } from '../engine/optimizers';
import { parseLoss } from '../loss/analyze';
import { completeRun, runLabel, type ScenarioDefaults } from '../panels/scenario';
import type { TrainingScenario } from './trainingSession';

/** The scenario of a .loss text, or an Error naming its first problem and where. */
export function scenarioFromLoss(text: string, defaults: ScenarioDefaults, steps?: number): TrainingScenario {
  const parsed = parseLoss(text);
  if (!parsed.ok) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    const { line, character } = first.range.start;
    throw new Error(`The loss file has an error at line ${line + 1}, column ${character + 1}: ${first.message}`);
  }
  const { scenario } = parsed.loss;
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) throw new Error(`"steps" must be a whole number of at least 1, got ${JSON.stringify(steps)}`);
  const optimizers = optimizerInfos();
  const configs = scenario.optimizers.length > 0 ? scenario.optimizers.map(({ name, options, label }) => ({ optimizer: name, options, label })) : defaults.runs;
  const runs: RunSpec[] = configs.map((config) => {
    // The file's label, else the options as the panel shows them; an unknown optimizer keeps its name for the engine's message.
    const complete = completeRun(optimizers, config);
    return { optimizer: config.optimizer, options: config.options, label: config.label ?? (complete ? runLabel(config, optimizers) : config.optimizer) };
  });
  return { loss: text, runs, steps: steps ?? scenario.steps ?? defaults.steps };
}
