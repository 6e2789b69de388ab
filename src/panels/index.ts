// Registers the panels' commands and serializers.
import * as vscode from 'vscode';
import type { Engine, OptimizerInfo } from '../shared/engineApi';
import { getEngineClient } from '../engine/client';
import { describeEngineMemory } from '../engine/limits';
import type { PlaybackAction, Scenario } from '../shared/protocol';
import { COMPARE, PLAYGROUND, ScenarioPanel, ScenarioPanelSerializer, type PanelServices } from './scenarioPanel';
import { defaultScenario, lossDescription, lossPreview, runLabel } from '../shared/scenario';
import { scenarioDefaults } from './settings';
import { EXPORT_FORMATS, isExportFormat } from '../shared/export';
import {
  ANIMATION_FORMATS,
  DEFAULT_FPS,
  DEFAULT_MAX_FRAMES,
  DEFAULT_MAX_WIDTH,
  describePlan,
  fpsProblem,
  framesProblem,
  isAnimationFormat,
  parseStepRange,
  planFrames,
  rangeProblem,
  settingsProblem,
  widthProblem,
  type AnimationFormat,
  type AnimationSettings,
} from '../shared/animation';
import { RunningStatus } from './status';
import { scenarioFromFile } from '../loss/launch';
import { parseScenarioDraft, type ScenarioDraft } from '../shared/scenarioModel';
import { findLesson, LESSONS, type Lesson } from '../shared/lessons';
import { LessonFiles } from './lessonFiles';
import { parseLoss } from '../loss/index';
import { startTrainingSession } from '../session/sessionHost';
import type { TrainingSession } from '../session/trainingSession';

let panelServices: PanelServices | undefined;

/**
 * Opens (or reveals) a Playground bound to a training session (e.g. the debugger's): it shows the session's
 * runs, and its controls and breakpoints drive the same session. Undefined before the panels are registered.
 */
export function showTrainingSession(session: TrainingSession): ScenarioPanel | undefined {
  return panelServices && ScenarioPanel.showSession(panelServices, session);
}
import { defaultSweepValues, parseSweepValues, sweepableOptions, sweepScenario, type Sweep } from '../shared/sweep';

/** A draft (a built-in name, or a .loss file's scenario from a CodeLens or Visualize Loss) with the defaults filled in. */
async function scenarioFor(engine: Engine, launch: ScenarioDraft): Promise<Scenario> {
  const defaults = scenarioDefaults();
  const loss = await engine.lossInfo(launch.loss, launch.lossParams);
  const scenario = defaultScenario(loss, engine.optimizers(), { runs: launch.runs ?? defaults.runs, steps: launch.steps ?? defaults.steps });
  if (launch.start?.length === loss.dim) scenario.start = launch.start;
  return scenario;
}

/** A lesson's scenario from its .loss text (as edited), with the lesson's id and chart. */
async function lessonScenario(engine: Engine, lesson: Lesson, text: string): Promise<Scenario> {
  const parsed = parseLoss(text);
  if (!parsed.ok) throw new Error(`the lesson's .loss file has an error: ${parsed.diagnostics[0]?.message ?? 'it does not parse'}`);
  const scenario = await scenarioFor(engine, scenarioFromFile(text, parsed.loss.scenario));
  scenario.lesson = lesson.id;
  if (lesson.chartX) scenario.chartX = lesson.chartX;
  return scenario;
}

/**
 * Keeps a lesson's panel in step with its .loss document: an edit that parses re-runs the panel. A lesson file's
 * edits are saved as they are made (it lives in the extension's storage: nothing to save when the window closes).
 */
class LessonFollower implements vscode.Disposable {
  private followed: { document: vscode.TextDocument; lesson: Lesson; panel: ScenarioPanel } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly saveTimers = new Map<vscode.TextDocument, ReturnType<typeof setTimeout>>();
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly files: LessonFiles,
    private readonly scenarioOf: (lesson: Lesson, text: string) => Promise<Scenario>,
  ) {
    this.listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      if (this.files.isLessonFile(event.document.uri)) this.saveSoon(event.document);
      if (event.document !== this.followed?.document) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.update(), LESSON_EDIT_DELAY_MS);
    });
  }

  private saveSoon(document: vscode.TextDocument): void {
    clearTimeout(this.saveTimers.get(document));
    this.saveTimers.set(
      document,
      setTimeout(() => {
        this.saveTimers.delete(document);
        if (document.isDirty && !document.isClosed) {
          document.save().then(
            (saved) => saved || this.log.warn(`Lesson file ${document.uri.toString()} was not saved`),
            (error: unknown) => this.log.warn(`Lesson file ${document.uri.toString()}: ${error instanceof Error ? error.message : String(error)}`),
          );
        }
      }, LESSON_EDIT_DELAY_MS),
    );
  }

  follow(document: vscode.TextDocument, lesson: Lesson, panel: ScenarioPanel): void {
    this.followed = { document, lesson, panel };
  }

  private async update(): Promise<void> {
    const followed = this.followed;
    if (!followed || followed.panel !== ScenarioPanel.active(PLAYGROUND)) return;
    if (!parseLoss(followed.document.getText()).ok) return; // the editor shows the problem; the panel keeps the last good scenario
    try {
      await followed.panel.load(await this.scenarioOf(followed.lesson, followed.document.getText()));
    } catch (error) {
      this.log.warn(`Lesson ${followed.lesson.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const timer of this.saveTimers.values()) clearTimeout(timer);
    this.listener.dispose();
  }
}

const LESSON_EDIT_DELAY_MS = 400;

async function pickScenario(engine: Engine, title: string): Promise<Scenario | undefined> {
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

/** Runs a command and turns any failure into an error notification and a log line. */
function guarded(log: vscode.LogOutputChannel, name: string, body: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  return async (...args) => {
    try {
      return await body(...args);
    } catch (error) {
      if (error instanceof Error && error.name === 'CancelledError') {
        log.info(`${name}: cancelled`);
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      log.error(`${name}: ${message}`);
      void vscode.window.showErrorMessage(`Optiscope: ${message}`);
    }
  };
}

/** The panel a command's argument names (`panel: 'playground' | 'compare'`), else the one in front. */
function namedPanel(options: Record<string, unknown>): ScenarioPanel | undefined {
  return options.panel === 'compare' ? ScenarioPanel.active(COMPARE) : options.panel === 'playground' ? ScenarioPanel.active(PLAYGROUND) : ScenarioPanel.focused();
}

/** The argument's uri, else the one picked in a save dialog (in the workspace folder, named after the panel and its loss). */
async function exportUri(engine: Engine, panel: ScenarioPanel, given: unknown, entry: { label: string; extension: string; filter: string }, title: string): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  if (typeof given === 'string') return vscode.Uri.parse(given);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const builtin = engine.losses().some((l) => l.name === panel.currentScenario.loss);
  const name = `optiscope-${panel.view}-${builtin ? panel.currentScenario.loss : 'loss'}.${entry.extension}`;
  return vscode.window.showSaveDialog({ title, defaultUri: folder && vscode.Uri.joinPath(folder, name), filters: { [entry.filter]: [entry.extension] } });
}

/** GIF, and WebM where the panel's page can record it (else the pick says why it offers GIF only). */
async function pickAnimationFormat(canRecordWebm: boolean | undefined): Promise<AnimationFormat | undefined> {
  const webm = canRecordWebm !== false;
  const picked = await vscode.window.showQuickPick(webm ? ANIMATION_FORMATS : ANIMATION_FORMATS.filter((f) => f.format !== 'webm'), {
    title: 'Optiscope: Export Animation',
    placeHolder: webm ? 'Export the playback as' : 'GIF only: this webview cannot record WebM (it has no MediaRecorder for WebM)',
  });
  return picked?.format;
}

/** A setting of the command's argument: undefined when absent, NaN when not a number (the checks name it). */
function numberOption(options: Record<string, unknown>, key: string): number | undefined {
  const value = options[key];
  return value === undefined ? undefined : typeof value === 'number' ? value : NaN;
}

/** The settings given in the command's argument, the defaults for the rest. */
function animationSettingsFrom(format: AnimationFormat, options: Record<string, unknown>, lastStep: number): AnimationSettings {
  return {
    format,
    width: numberOption(options, 'width'),
    fps: numberOption(options, 'fps') ?? DEFAULT_FPS,
    from: numberOption(options, 'from') ?? 0,
    to: numberOption(options, 'to') ?? lastStep,
    maxFrames: numberOption(options, 'frames') ?? DEFAULT_MAX_FRAMES,
  };
}

/** The defaults, or a width, a frame rate and a step range asked one after the other; undefined when cancelled. */
async function askAnimationSettings(format: AnimationFormat, lastStep: number): Promise<AnimationSettings | undefined> {
  const defaults: AnimationSettings = { format, fps: DEFAULT_FPS, from: 0, to: lastStep, maxFrames: DEFAULT_MAX_FRAMES };
  const title = 'Optiscope: Export Animation';
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Defaults', detail: `The view's width (at most ${DEFAULT_MAX_WIDTH} px), ${describePlan(planFrames(0, lastStep, DEFAULT_MAX_FRAMES), DEFAULT_FPS)}`, custom: false },
      { label: 'Choose size, frame rate and steps…', custom: true },
    ],
    { title, placeHolder: 'Settings' },
  );
  if (!choice) return undefined;
  if (!choice.custom) return defaults;
  const widthText = await vscode.window.showInputBox({
    title,
    prompt: `Width in pixels (empty: the view's width, at most ${DEFAULT_MAX_WIDTH})`,
    validateInput: (text) => (text.trim() === '' ? undefined : widthProblem(Number(text))),
  });
  if (widthText === undefined) return undefined;
  const fpsText = await vscode.window.showInputBox({ title, prompt: 'Frames per second', value: String(DEFAULT_FPS), validateInput: (text) => fpsProblem(Number(text)) });
  if (fpsText === undefined) return undefined;
  const rangeText = await vscode.window.showInputBox({
    title,
    prompt: `Steps, e.g. 0-${lastStep}`,
    value: `0-${lastStep}`,
    validateInput: (text) => {
      const range = parseStepRange(text);
      return range ? rangeProblem(range[0], range[1], lastStep) : `Steps as "first-last", e.g. 0-${lastStep}.`;
    },
  });
  const range = rangeText === undefined ? undefined : parseStepRange(rangeText);
  if (!range) return undefined;
  const framesText = await vscode.window.showInputBox({
    title,
    prompt: `At most this many frames (the steps are sampled evenly; ${describePlan(planFrames(range[0], range[1], DEFAULT_MAX_FRAMES), Number(fpsText))} by default)`,
    value: String(DEFAULT_MAX_FRAMES),
    validateInput: (text) => framesProblem(Number(text)),
  });
  if (framesText === undefined) return undefined;
  return { ...defaults, width: widthText.trim() === '' ? undefined : Number(widthText), fps: Number(fpsText), from: range[0], to: range[1], maxFrames: Number(framesText) };
}

export function registerPanels(context: vscode.ExtensionContext): void {
  const engine = () => getEngineClient(context);
  const log = vscode.window.createOutputChannel('Optiscope Panels', { log: true });
  const statusItem = vscode.window.createStatusBarItem('optiscope.running', vscode.StatusBarAlignment.Left, 10);
  statusItem.name = 'Optiscope: running';
  const services: PanelServices = {
    extensionUri: context.extensionUri,
    engine,
    log,
    status: new RunningStatus(statusItem),
    pickScenario: () => pickScenario(engine(), 'Optiscope: Pick a Loss'),
    startSession: (scenario) => startTrainingSession(context, scenario),
  };
  const lessonFiles = new LessonFiles(context.globalStorageUri);
  const lessons = new LessonFollower(log, lessonFiles, async (lesson, text) => lessonScenario(engine(), lesson, text));
  context.subscriptions.push(lessons);
  // The worker compiles the core while the user picks a loss: the first panel does not wait for it.
  engine().warmUp();
  // At Trace level, what the engine worker holds, every half minute (its memory stays bounded over a session).
  const memoryLog = setInterval(() => {
    if (log.logLevel !== vscode.LogLevel.Trace) return;
    engine().memory().then((memory) => memory && log.trace(describeEngineMemory(memory)), () => undefined);
  }, 30_000);
  context.subscriptions.push({ dispose: () => clearInterval(memoryLog) });
  panelServices = services;
  const playback = (action: PlaybackAction) => () => {
    // The keybindings' when clause names the active panel; from the palette, the panel in front.
    const panel = ScenarioPanel.focused();
    panel?.playback(action);
    return panel !== undefined;
  };
  context.subscriptions.push(
    log,
    statusItem,
    vscode.commands.registerCommand('optiscope.togglePlayback', playback('toggle')),
    vscode.commands.registerCommand('optiscope.stepForward', playback('forward')),
    vscode.commands.registerCommand('optiscope.stepBack', playback('back')),
    vscode.commands.registerCommand(
      'optiscope.openPlayground',
      guarded(log, 'Open Playground', async (argument?: unknown) => {
        // A loss (a name or text, from a CodeLens, Visualize Loss, a test or a keybinding) skips the quick pick.
        const launch = parseScenarioDraft(argument);
        const invokedAt = Date.now();
        const scenario = launch ? await scenarioFor(engine(), launch) : await pickScenario(engine(), 'Optiscope: Open Playground');
        // Picked from the list: the time to the first paint counts from the pick.
        if (scenario) ScenarioPanel.createOrShow(PLAYGROUND, services, scenario, launch ? invokedAt : Date.now());
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.openLesson',
      guarded(log, 'Open Lesson', async (argument?: unknown) => {
        // A lesson id, or { id, restore } (tests, links, the notification below), skips the quick pick. Returns the lesson's document.
        const given = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : { id: argument };
        const lesson =
          findLesson(typeof given.id === 'string' ? given.id : undefined) ??
          (await vscode.window.showQuickPick(
            LESSONS.map((l) => ({ label: l.title, detail: l.summary, lesson: l })),
            { title: 'Optiscope: Open Lesson', placeHolder: 'Pick a topic of the lecture', matchOnDetail: true, ignoreFocusOut: true },
          ))?.lesson;
        if (!lesson) return undefined;
        const { document, edited } = await lessonFiles.open(lesson, given.restore === true);
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
        // Said before the scenario is built: an edit that does not parse still leaves the way back.
        if (edited) {
          const restore = 'Restore the Original';
          void vscode.window.showInformationMessage(`Optiscope: "${lesson.title}" opens with your edits.`, restore).then((choice) => {
            if (choice === restore) void vscode.commands.executeCommand('optiscope.openLesson', { id: lesson.id, restore: true });
          });
        }
        const scenario = await lessonScenario(engine(), lesson, document.getText());
        const panel = ScenarioPanel.createOrShow(PLAYGROUND, services, scenario);
        lessons.follow(document, lesson, panel);
        return document;
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.compareOptimizers',
      guarded(log, 'Compare Optimizers', async (argument?: unknown) => {
        // A loss (name or text), else the open Playground's scenario, else a pick.
        const playground = ScenarioPanel.active(PLAYGROUND);
        const launch = parseScenarioDraft(argument);
        const scenario =
          launch
            ? await scenarioFor(engine(), launch)
            : playground
              ? { ...playground.currentScenario, view: null } // the whole domain: small multiples show where runs go
              : await pickScenario(engine(), 'Optiscope: Compare Optimizers');
        if (scenario) ScenarioPanel.createOrShow(COMPARE, services, scenario);
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.export',
      guarded(log, 'Export', async (argument?: unknown) => {
        // { panel?: 'playground' | 'compare', format?, uri? } (the panels' buttons, tests): a format and a uri skip the dialogs.
        const options = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : {};
        const panel = namedPanel(options);
        if (!panel) {
          void vscode.window.showInformationMessage('Optiscope: open a Playground or Compare panel first, then export it.');
          return;
        }
        const format = isExportFormat(options.format)
          ? options.format
          : (await vscode.window.showQuickPick(EXPORT_FORMATS, { title: 'Optiscope: Export', placeHolder: 'Export as' }))?.format;
        if (!format) return;
        const entry = EXPORT_FORMATS.find((f) => f.format === format)!;
        const uri = await exportUri(engine(), panel, options.uri, entry, `Optiscope: Export ${entry.label}`);
        if (!uri) return;
        await vscode.workspace.fs.writeFile(uri, await panel.exportData(format));
        log.info(`Export: wrote ${entry.label} to ${uri.toString()}`);
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.exportAnimation',
      guarded(log, 'Export Animation', async (argument?: unknown) => {
        // { panel?, format?, uri?, width?, fps?, from?, to?, frames? } (the panels' buttons, tests): with a format, the
        // settings not given take their defaults and only a missing uri asks. Returns what was written.
        const options = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : {};
        const panel = namedPanel(options);
        if (!panel) {
          void vscode.window.showInformationMessage('Optiscope: open a Playground or Compare panel first, then export its animation.');
          return undefined;
        }
        const lastStep = panel.currentScenario.steps;
        const format = isAnimationFormat(options.format) ? options.format : await pickAnimationFormat(panel.canRecordWebm);
        if (!format) return undefined;
        if (format === 'webm' && panel.canRecordWebm === false) throw new Error("this panel's webview cannot record WebM (it has no MediaRecorder for WebM): export a GIF instead");
        const settings = isAnimationFormat(options.format) ? animationSettingsFrom(format, options, lastStep) : await askAnimationSettings(format, lastStep);
        if (!settings) return undefined;
        const problem = settingsProblem(settings, lastStep);
        if (problem) throw new Error(problem);
        const entry = ANIMATION_FORMATS.find((f) => f.format === format)!;
        const uri = await exportUri(engine(), panel, options.uri, entry, `Optiscope: Export Animation as ${entry.label}`);
        if (!uri) return undefined;
        const steps = planFrames(settings.from, settings.to, settings.maxFrames);
        const plan = describePlan(steps, settings.fps);
        const started = Date.now();
        const bytes = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Optiscope: exporting a ${entry.label}`, cancellable: true },
          (progress, token) => {
            let reported = 0;
            progress.report({ message: plan });
            return panel.animate({ format, steps, width: settings.width, fps: settings.fps }, token, (framesDone) => {
              // Only the bar moves: a new message redraws the notification, its Cancel button too (a click during it is lost).
              const increment = (100 * framesDone) / steps.length - reported;
              reported += increment;
              progress.report({ increment });
            });
          },
        );
        await vscode.workspace.fs.writeFile(uri, bytes);
        const ms = Date.now() - started;
        log.info(`Export Animation: wrote a ${entry.label} of ${plan}, ${bytes.length} bytes in ${ms} ms, to ${uri.toString()}`);
        return { uri: uri.toString(), frames: steps.length, steps, bytes: bytes.length, ms };
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.tuneLearningRates',
      guarded(log, 'Tune Learning Rates', async (argument?: unknown) => {
        // Returns the tuned scenario (for tests and keybindings); undefined when there is no panel or it was cancelled.
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
      }),
    ),
    vscode.commands.registerCommand(
      'optiscope.compareValues',
      guarded(log, 'Compare Hyper-parameter Values', async (argument?: unknown) => {
        // { panel?, run?, option?, values? } (the panels' buttons, tests): given parts skip their prompts.
        // Returns the scenario shown in Compare (undefined when cancelled).
        const options = argument && typeof argument === 'object' ? (argument as Record<string, unknown>) : {};
        const panel = options.panel === 'compare' ? ScenarioPanel.active(COMPARE) : options.panel === 'playground' ? ScenarioPanel.active(PLAYGROUND) : ScenarioPanel.focused();
        const scenario = panel?.currentScenario ?? (await pickScenario(engine(), 'Optiscope: Compare Hyper-parameter Values'));
        if (!scenario) return undefined;
        const sweep = await askSweep(engine().optimizers(), scenario, options);
        if (!sweep) return undefined;
        const swept = { ...sweepScenario(scenario, engine().optimizers(), sweep), view: null };
        ScenarioPanel.createOrShow(COMPARE, services, swept);
        return swept;
      }),
    ),
    ...[PLAYGROUND, COMPARE].map((kind) => vscode.window.registerWebviewPanelSerializer(kind.viewType, new ScenarioPanelSerializer(kind, services))),
    { dispose: () => [PLAYGROUND, COMPARE].forEach((kind) => ScenarioPanel.active(kind)?.dispose()) },
  );
}
