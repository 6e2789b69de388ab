// The panels' commands that open a scenario: Open Playground, Compare Optimizers, Tune Learning Rates, Compare
// Hyper-parameter Values, and the loss and sweep pickers they share.
import * as vscode from 'vscode';
import type { Engine, OptimizerInfo } from '../shared/engineApi';
import type { Scenario } from '../shared/protocol';
import { withRunOptimizers } from '../loss/optim';
import { defaultScenario, lossDescription, lossPreview, runLabel } from '../shared/scenario';
import { parseScenarioDraft, type ScenarioDraft } from '../shared/scenarioModel';
import { defaultSweepValues, parseSweepValues, sweepableOptions, sweepScenario, type Sweep } from '../shared/sweep';
import { COMPARE, PLAYGROUND, ScenarioPanel, type PanelServices } from './scenarioPanel';
import { scenarioDefaults } from './settings';

/** A draft (a built-in name, or a .loss file's scenario from a CodeLens or Visualize Loss) with the defaults filled in. */
export async function scenarioFor(engine: Engine, launch: ScenarioDraft): Promise<Scenario> {
  const defaults = scenarioDefaults();
  const loss = await engine.lossInfo(launch.loss, launch.lossParams);
  const scenario = defaultScenario(loss, withRunOptimizers(engine.optimizers(), launch.runs), { runs: launch.runs ?? defaults.runs, steps: launch.steps ?? defaults.steps });
  if (launch.start?.length === loss.dim) scenario.start = launch.start;
  if (launch.recordEvery !== undefined) scenario.recordEvery = launch.recordEvery;
  return scenario;
}

export async function pickScenario(engine: Engine, title: string): Promise<Scenario | undefined> {
  const items = engine.losses().map((loss) => ({
    label: loss.title,
    description: lossDescription(loss),
    detail: lossPreview(loss),
    loss,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Pick a loss landscape',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked && defaultScenario(picked.loss, engine.optimizers(), scenarioDefaults());
}

/** The run, option and values of a sweep: the given ones, the rest asked for (undefined when cancelled). */
async function askSweep(optimizers: OptimizerInfo[], scenario: Scenario, given: Record<string, unknown>): Promise<Sweep | undefined> {
  let run = typeof given.run === 'number' && Number.isInteger(given.run) ? given.run : undefined;
  if (run === undefined && scenario.runs.length === 1) run = 0;
  if (run === undefined) {
    const picked = await vscode.window.showQuickPick(
      scenario.runs.map((r, index) => ({ label: runLabel(r, optimizers), index })),
      { title: 'Optiscope: Compare Hyper-parameter Values', placeHolder: 'The run whose option varies' },
    );
    if (!picked) return undefined;
    run = picked.index;
  }
  const base = scenario.runs[run];
  if (!base) throw new Error(`There is no run ${run + 1}`);
  let option = typeof given.option === 'string' ? given.option : undefined;
  if (option === undefined) {
    const names = sweepableOptions(optimizers, base);
    const picked = await vscode.window.showQuickPick(
      names.map((name) => ({ label: name, description: `now ${String(base.options[name])}` })),
      { title: `Optiscope: Compare values of an option of ${runLabel(base, optimizers)}`, placeHolder: 'The option to vary' },
    );
    if (!picked) return undefined;
    option = picked.label;
  }
  let values = Array.isArray(given.values) && given.values.every((v) => typeof v === 'number') ? (given.values as number[]) : undefined;
  if (values === undefined) {
    const current = base.options[option];
    const text = await vscode.window.showInputBox({
      title: `Optiscope: values of ${option}`,
      prompt: 'One landscape per value (comma-separated)',
      value: typeof current === 'number' ? defaultSweepValues(current).join(', ') : '',
      validateInput: (input) => {
        const parsed = parseSweepValues(input);
        return typeof parsed === 'string' ? parsed : undefined;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseSweepValues(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    values = parsed;
  }
  return { run, option, values };
}

/** A loss (a name or text, from a CodeLens, Visualize Loss, a test or a keybinding) skips the quick pick. */
export async function openPlayground(services: PanelServices, argument?: unknown): Promise<void> {
  const launch = parseScenarioDraft(argument);
  const invokedAt = Date.now();
  const scenario = launch ? await scenarioFor(services.engine(), launch) : await pickScenario(services.engine(), 'Optiscope: Open Playground');
  // Picked from the list: the time to the first paint counts from the pick.
  if (scenario) ScenarioPanel.createOrShow(PLAYGROUND, services, scenario, launch ? invokedAt : Date.now(), sourceDocument(argument));
}

/** The open .loss document a launch names (`source`: its URI, from Visualize and its CodeLens). */
function sourceDocument(argument: unknown): vscode.TextDocument | undefined {
  const source = (argument as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === source) : undefined;
}

/** A loss (name or text), else the open Playground's scenario, else a pick. */
export async function compareOptimizers(services: PanelServices, argument?: unknown): Promise<void> {
  const playground = ScenarioPanel.active(PLAYGROUND);
  const launch = parseScenarioDraft(argument);
  const scenario =
    launch
      ? await scenarioFor(services.engine(), launch)
      : playground
        ? { ...playground.currentScenario, view: null } // the whole domain: small multiples show where runs go
        : await pickScenario(services.engine(), 'Optiscope: Compare Optimizers');
  if (scenario) ScenarioPanel.createOrShow(COMPARE, services, scenario);
}

/** Tunes the runs of Compare (or the named panel); returns the tuned scenario, undefined without a panel or when cancelled. */
export async function tuneLearningRates(services: PanelServices, argument?: unknown): Promise<Scenario | undefined> {
  const options = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : {};
  const panel = options.panel === 'playground' ? ScenarioPanel.active(PLAYGROUND) : (ScenarioPanel.active(COMPARE) ?? ScenarioPanel.focused());
  if (!panel) {
    void vscode.window.showInformationMessage('Optiscope: open Compare Optimizers first, then tune the learning rates.');
    return undefined;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Optiscope: tuning learning rates', cancellable: true },
    (progress, token) => {
      let reported = 0;
      return panel.tuneLearningRates(token, (done, total, label) => {
        const increment = (100 * done) / total - reported;
        reported += increment;
        progress.report({ increment, message: done < total ? `${label} (${done + 1} of ${total})` : 'done' });
      });
    },
  );
}

/** One Compare cell per value of a run's option ({ panel?, run?, option?, values? }: given parts skip their prompts); returns the scenario shown (undefined when cancelled). */
export async function compareValues(services: PanelServices, argument?: unknown): Promise<Scenario | undefined> {
  const options = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : {};
  const panel = options.panel === 'compare' ? ScenarioPanel.active(COMPARE) : options.panel === 'playground' ? ScenarioPanel.active(PLAYGROUND) : ScenarioPanel.focused();
  const scenario = panel?.currentScenario ?? (await pickScenario(services.engine(), 'Optiscope: Compare Hyper-parameter Values'));
  if (!scenario) return undefined;
  const optimizers = withRunOptimizers(services.engine().optimizers(), scenario.runs);
  const sweep = await askSweep(optimizers, scenario, options);
  if (!sweep) return undefined;
  const swept = { ...sweepScenario(scenario, optimizers, sweep), view: null };
  ScenarioPanel.createOrShow(COMPARE, services, swept);
  return swept;
}
