// Registers the panels' commands and serializers; each command's work lives in scenarioCommands.ts,
// lessonCommands.ts and exportCommands.ts.
import * as vscode from 'vscode';
import { getEngineClient } from '../engine/client';
import { describeEngineMemory } from '../engine/limits';
import type { PlaybackAction } from '../shared/protocol';
import { COMPARE, PLAYGROUND, ScenarioPanel, ScenarioPanelSerializer, type PanelServices } from './scenarioPanel';
import { RunningStatus } from './status';
import { LessonFiles } from './lessonFiles';
import { startTrainingSession } from '../session/sessionHost';
import type { TrainingSession } from '../session/trainingSession';
import { compareOptimizers, compareValues, openPlayground, pickScenario, scenarioFor, tuneLearningRates } from './scenarioCommands';
import { documentDraft } from '../loss/visualize';
import { lessonScenario, LessonFollower, openLesson } from './lessonCommands';
import { exportAnimation, exportPanel } from './exportCommands';
import { NETWORK_STARTERS, starterLossText } from './networkStarters';
import { WrittenOptimizers } from './writtenOptimizers';
import { LIMITS } from '../shared/limits';

/** The most workspace .optim files the pickers list. */
const MAX_LISTED_OPTIMIZERS = 50;
const RESCAN_DELAY_MS = 500;

/** The workspace's .optim files (as saved; each at most a run's optimizer length), then the shipped examples. */
async function readOptimizerFiles(extensionUri: vscode.Uri): Promise<{ file: string; text: string }[]> {
  const examples = vscode.Uri.joinPath(extensionUri, 'examples');
  const found = await vscode.workspace.findFiles('**/*.optim', '**/node_modules/**', MAX_LISTED_OPTIMIZERS);
  const shipped = await vscode.workspace.fs.readDirectory(examples).then(
    (entries) => entries.filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.optim')).map(([name]) => vscode.Uri.joinPath(examples, name)),
    () => [],
  );
  const files = await Promise.all([...found, ...shipped].map(async (uri) => {
    try {
      if ((await vscode.workspace.fs.stat(uri)).size > LIMITS.optimizerLength) return undefined;
      const file = uri.toString().startsWith(examples.toString()) ? `example ${uri.path.split('/').pop()}` : vscode.workspace.asRelativePath(uri);
      return { file, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) };
    } catch {
      return undefined; // deleted meanwhile, or unreadable: not listed
    }
  }));
  return files.filter((f) => f !== undefined);
}

/** Keeps the written optimizers' list current as .optim files are created, saved and deleted. */
function watchOptimizerFiles(context: vscode.ExtensionContext, written: WrittenOptimizers, log: vscode.LogOutputChannel): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const scan = () => {
    readOptimizerFiles(context.extensionUri).then((files) => written.set(files), (error: unknown) => log.warn(`Listing .optim files: ${String(error)}`));
  };
  const rescan = () => {
    clearTimeout(timer);
    timer = setTimeout(scan, RESCAN_DELAY_MS);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.optim');
  context.subscriptions.push(watcher, watcher.onDidCreate(rescan), watcher.onDidChange(rescan), watcher.onDidDelete(rescan), { dispose: () => clearTimeout(timer) });
  scan();
}

let panelServices: PanelServices | undefined;

/**
 * Opens (or reveals) a Playground bound to a training session (e.g. the debugger's): it shows the session's
 * runs, and its controls and breakpoints drive the same session. Undefined before the panels are registered.
 */
export function showTrainingSession(session: TrainingSession): ScenarioPanel | undefined {
  return panelServices && ScenarioPanel.showSession(panelServices, session);
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

/**
 * Asks for a data set (or takes its id as the argument), writes the starter .loss file for it in an untitled editor
 * and visualizes it (the Playground opens beside the file).
 */
async function newNetwork(argument?: unknown): Promise<void> {
  const byId = typeof argument === 'string' ? NETWORK_STARTERS.find((s) => s.id === argument) : undefined;
  if (typeof argument === 'string' && !byId) throw new Error(`No data set '${argument}': ${NETWORK_STARTERS.map((s) => s.id).join(', ')}`);
  const picked = byId ?? (await vscode.window.showQuickPick(
    NETWORK_STARTERS.map((starter) => ({ label: starter.label, detail: starter.detail, starter })),
    { title: 'Optiscope: New Network', placeHolder: 'Pick a data set to train a small network on' },
  ))?.starter;
  if (!picked) return;
  const document = await vscode.workspace.openTextDocument({ language: 'loss', content: starterLossText(picked) });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  await vscode.commands.executeCommand('optiscope.visualizeLoss');
}

export function registerPanels(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Optiscope Panels', { log: true });
  const written = new WrittenOptimizers();
  watchOptimizerFiles(context, written, log);
  // Its optimizers() lists the built-ins and then the written optimizers, for every picker.
  const engine = () => written.engine(getEngineClient(context));
  const statusItem = vscode.window.createStatusBarItem('optiscope.running', vscode.StatusBarAlignment.Left, 10);
  statusItem.name = 'Optiscope: running';
  const services: PanelServices = {
    extensionUri: context.extensionUri,
    engine,
    log,
    status: new RunningStatus(statusItem),
    pickScenario: () => pickScenario(engine(), 'Optiscope: Pick a Loss'),
    startSession: (scenario) => startTrainingSession(context, scenario),
    documentScenario: async (document) => scenarioFor(engine(), await documentDraft(context, document)),
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
  // Each command's failures become an error notification and a log line (guarded).
  const commands: [id: string, title: string, run: (argument?: unknown) => Promise<unknown>][] = [
    ['optiscope.openPlayground', 'Open Playground', (argument) => openPlayground(services, argument)],
    ['optiscope.openLesson', 'Open Lesson', (argument) => openLesson(services, lessonFiles, lessons, argument)],
    ['optiscope.compareOptimizers', 'Compare Optimizers', (argument) => compareOptimizers(services, argument)],
    ['optiscope.export', 'Export', (argument) => exportPanel(services, argument)],
    ['optiscope.exportAnimation', 'Export Animation', (argument) => exportAnimation(services, argument)],
    ['optiscope.tuneLearningRates', 'Tune Learning Rates', (argument) => tuneLearningRates(services, argument)],
    ['optiscope.compareValues', 'Compare Hyper-parameter Values', (argument) => compareValues(services, argument)],
    ['optiscope.newNetwork', 'New Network', (argument) => newNetwork(argument)],
  ];
  context.subscriptions.push(
    log,
    statusItem,
    ...commands.map(([id, title, run]) => vscode.commands.registerCommand(id, guarded(log, title, run))),
    vscode.commands.registerCommand('optiscope.togglePlayback', playback('toggle')),
    vscode.commands.registerCommand('optiscope.stepForward', playback('forward')),
    vscode.commands.registerCommand('optiscope.stepBack', playback('back')),
    ...[PLAYGROUND, COMPARE].map((kind) => vscode.window.registerWebviewPanelSerializer(kind.viewType, new ScenarioPanelSerializer(kind, services))),
    { dispose: () => [PLAYGROUND, COMPARE].forEach((kind) => ScenarioPanel.active(kind)?.dispose()) },
  );
}
