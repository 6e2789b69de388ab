// A .loss file as a training session's scenario: what the panels would open for it (scenarioFromFile: built-in or
// formula, per-run batch / seed / schedule / projection keys, the data and .optim files it names), with the file's steps
// line or the defaults.
import { optimizerInfos } from '../engine/optimizers';
import { parseLoss, type DataFiles } from '../loss/analyze';
import { inlineDataFiles } from '../loss/data';
import { scenarioFromFile } from '../loss/launch';
import { withRunOptimizers } from '../loss/optim';
import { completeRun, optimizerName, runLabel, type ScenarioDefaults } from '../shared/scenario';
import { ScenarioSchema, validate, type Scenario } from '../shared/scenarioModel';

/**
 * The scenario of a .loss text, or an Error naming its first problem and where. files: the files it names as read
 * (an `optimizer "lion.optim"` line runs that file's rule; one not read is an error on its path).
 */
export function scenarioFromLoss(text: string, defaults: ScenarioDefaults, steps?: number, files?: DataFiles): Scenario {
  const parsed = parseLoss(text, files);
  if (!parsed.ok) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
    const { line, character } = first.range.start;
    throw new Error(`The loss file has an error at line ${line + 1}, column ${character + 1}: ${first.message}`);
  }
  const draft = scenarioFromFile(files && Object.keys(files).length > 0 ? inlineDataFiles(text, files) : text, parsed.loss.scenario);
  const optimizers = withRunOptimizers(optimizerInfos(), draft.runs);
  const runs = (draft.runs ?? defaults.runs).map((run) => {
    // The file's label, else the options as the panel shows them; an unknown optimizer keeps its name for the engine's message.
    const complete = completeRun(optimizers, run);
    return { ...run, label: run.label ?? (complete ? runLabel(run, optimizers) : optimizerName(run.optimizer)) };
  });
  // The launch's steps and what the file says, checked as a panel's scenario is (a Playground shows the session).
  const scenario = validate(ScenarioSchema, { ...draft, runs, steps: steps ?? draft.steps ?? defaults.steps }, '');
  if (!scenario.ok) throw new Error(`The debug launch's scenario is not valid: ${scenario.error}`);
  return scenario.value;
}
