// The .loss document a Playground's scenario came from (Visualize, its CodeLens, New Network…): the network controls
// and the run controls edit its lines (one undoable edit each, the user's other lines and comments kept), and the
// panel re-runs when it changes, by the controls or by hand. Without a document the controls edit the scenario's text.
import * as vscode from 'vscode';
import { changedLines, editNetworkText, replaceRunLines, type NetworkEdit } from '../shared/networkEdits';
import { runLines } from '../shared/export';
import { findOptimizer, isOptimizerSource, scenarioKey } from '../shared/scenario';
import type { RunConfig, Scenario } from '../shared/protocol';
import { withRunOptimizers } from '../loss/optim';
import type { Engine } from '../shared/engineApi';

/** What it needs of the panel's services: the optimizers, and a document's scenario (see PanelServices). */
export interface SourceServices {
  engine: () => Engine;
  documentScenario?: (document: vscode.TextDocument) => Promise<Scenario>;
}

/** Hand edits settle this long (ms) before the panel re-runs. */
const EDIT_DELAY_MS = 400;

export class SourceDocument implements vscode.Disposable {
  private document: vscode.TextDocument | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The text this class wrote last: its own edit does not re-run the panel a second time. */
  private written: string | undefined;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly services: SourceServices,
    private readonly scenario: () => Scenario,
    private readonly load: (scenario: Scenario) => Promise<void>,
  ) {
    this.listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== this.document || event.contentChanges.length === 0) return;
      if (event.document.getText() === this.written) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload().catch(() => undefined), EDIT_DELAY_MS);
    });
  }

  /** Follows this document from now on (undefined: none; the controls edit the scenario's text). */
  follow(document: vscode.TextDocument | undefined): void {
    clearTimeout(this.timer);
    this.document = document;
    this.written = undefined;
  }

  private get open(): vscode.TextDocument | undefined {
    return this.document && !this.document.isClosed ? this.document : undefined;
  }

  /** A network control changed: its line in the document (and the panel re-runs), or in the scenario's text. */
  async editNetwork(edit: NetworkEdit): Promise<void> {
    const document = this.open;
    const result = editNetworkText(document ? document.getText() : this.scenario().loss, edit);
    if ('error' in result) throw new Error(result.error);
    if (!document) {
      await this.load({ ...this.scenario(), loss: result.text });
      return;
    }
    await this.write(document, result.text);
    await this.reload();
  }

  /**
   * The page ran other runs or steps (its run controls): the document's optimizer and steps lines say them too.
   * Nothing is written when the document already says the same runs (however it spells them).
   */
  async runsChanged(scenario: Scenario): Promise<void> {
    const document = this.open;
    // A written optimizer's line names its .optim file by a path the run does not keep: such runs stay as written.
    if (!document || !this.services.documentScenario || scenario.runs.some((run) => isOptimizerSource(run.optimizer))) return;
    const text = document.getText();
    const current = await this.services.documentScenario(document).catch(() => undefined);
    if (!current || document.getText() !== text) return; // the file does not parse (the editor says why), or changed meanwhile
    if (current.steps === scenario.steps && scenarioKey(current.runs) === scenarioKey(scenario.runs)) return;
    const optimizers = withRunOptimizers(this.services.engine().optimizers(), scenario.runs);
    const lines = scenario.runs.map((run) => runLines(withoutDefaults(run, findOptimizer(optimizers, run.optimizer)?.defaults ?? {})));
    await this.write(document, replaceRunLines(text, lines, scenario.steps));
  }

  /** The document's scenario in the panel (when it parses and says something else than the panel shows). */
  private async reload(): Promise<void> {
    const document = this.open;
    if (!document || !this.services.documentScenario) return;
    const next = await this.services.documentScenario(document);
    const shown = this.scenario();
    next.view = shown.view;
    if (shown.chartX) next.chartX = shown.chartX;
    if (scenarioKey(next) !== scenarioKey(shown)) await this.load(next);
  }

  /** One edit of the lines that differ (undoable as one step); the document is not saved. */
  private async write(document: vscode.TextDocument, text: string): Promise<void> {
    const change = changedLines(document.getText(), text);
    if (!change) return;
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const last = document.lineCount - 1;
    let range: vscode.Range;
    let replacement: string;
    if (change.end <= last) {
      range = new vscode.Range(change.start, 0, change.end, 0);
      replacement = change.lines.map((line) => line + eol).join('');
    } else if (change.start <= last) {
      range = new vscode.Range(change.start, 0, last, document.lineAt(last).text.length);
      replacement = change.lines.join(eol);
    } else {
      const end = document.lineAt(last).range.end;
      range = new vscode.Range(end, end);
      replacement = eol + change.lines.join(eol);
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, replacement);
    this.written = text;
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${vscode.workspace.asRelativePath(document.uri)}`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.listener.dispose();
  }
}

/** A run with only the options that differ from the optimizer's defaults (lr always): the line stays as short as the user's. */
function withoutDefaults(run: RunConfig, defaults: Record<string, unknown>): RunConfig {
  const options = Object.fromEntries(Object.entries(run.options).filter(([key, value]) => key === 'lr' || JSON.stringify(value) !== JSON.stringify(defaults[key])));
  return { ...run, options };
}
