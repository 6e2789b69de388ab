// Export and Export Animation: the panel's scenario and runs as a file, its playback as a GIF or WebM.
import * as vscode from 'vscode';
import type { Engine } from '../shared/engineApi';
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
import { COMPARE, PLAYGROUND, ScenarioPanel, type PanelServices } from './scenarioPanel';

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

/** { panel?: 'playground' | 'compare', format?, uri? } (the panels' buttons, tests): a format and a uri skip the dialogs. */
export async function exportPanel(services: PanelServices, argument?: unknown): Promise<void> {
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
  const uri = await exportUri(services.engine(), panel, options.uri, entry, `Optiscope: Export ${entry.label}`);
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, await panel.exportData(format));
  services.log.info(`Export: wrote ${entry.label} to ${uri.toString()}`);
}

/**
 * { panel?, format?, uri?, width?, fps?, from?, to?, frames? } (the panels' buttons, tests): with a format, the settings
 * not given take their defaults and only a missing uri asks. Returns what was written.
 */
export async function exportAnimation(services: PanelServices, argument?: unknown): Promise<{ uri: string; frames: number; steps: number[]; bytes: number; ms: number } | undefined> {
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
  const uri = await exportUri(services.engine(), panel, options.uri, entry, `Optiscope: Export Animation as ${entry.label}`);
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
  services.log.info(`Export Animation: wrote a ${entry.label} of ${plan}, ${bytes.length} bytes in ${ms} ms, to ${uri.toString()}`);
  return { uri: uri.toString(), frames: steps.length, steps, bytes: bytes.length, ms };
}
