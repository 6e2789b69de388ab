// Open Lesson: a lesson's .loss file beside its Playground, the panel following the file's edits.
import * as vscode from 'vscode';
import type { Engine } from '../shared/engineApi';
import type { Scenario } from '../shared/protocol';
import { findLesson, LESSONS, type Lesson } from '../shared/lessons';
import { scenarioFromFile } from '../loss/launch';
import { parseLoss } from '../loss/index';
import { LessonFiles } from './lessonFiles';
import { PLAYGROUND, ScenarioPanel, type PanelServices } from './scenarioPanel';
import { scenarioFor } from './scenarioCommands';

/** A lesson's scenario from its .loss text (as edited), with the lesson's id and chart. */
export async function lessonScenario(engine: Engine, lesson: Lesson, text: string): Promise<Scenario> {
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
export class LessonFollower implements vscode.Disposable {
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

/** A lesson id, or { id, restore } (tests, links, the notification below), skips the quick pick. Returns the lesson's document. */
export async function openLesson(services: PanelServices, lessonFiles: LessonFiles, lessons: LessonFollower, argument?: unknown): Promise<vscode.TextDocument | undefined> {
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
  const scenario = await lessonScenario(services.engine(), lesson, document.getText());
  const panel = ScenarioPanel.createOrShow(PLAYGROUND, services, scenario);
  lessons.follow(document, lesson, panel);
  return document;
}
