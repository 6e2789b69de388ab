// From the editor to the panels: CodeLens over .loss files and "Visualize Loss" for a file or a selected formula.
import * as vscode from 'vscode';
import { parseLoss } from './index';
import type { Diagnostic, ParseResult } from './index';
import { dataFileReader } from './dataFiles';
import { scenarioFromFile } from './launch';
import type { ScenarioDraft } from '../shared/scenarioModel';

const LANGUAGE_ID = 'loss';

/**
 * A formula as selected in Python, JS/TS or Markdown, made into loss text: without code fences, `$` or
 * backticks around it, a leading `return`, `lambda x, y:` or `name =`, and a trailing `;` or comment.
 */
export function selectionToLoss(selected: string): string {
  let text = selected.trim();
  text = text.replace(/^```\w*\s*|\s*```$/g, '').replace(/^\$+|\$+$/g, '').replace(/^`+|`+$/g, '').trim();
  text = text.replace(/^return\s+/, '').replace(/^lambda[^:]*:\s*/, '').replace(/^(?:const|let|var)\s+/, '');
  text = text.replace(/^[A-Za-z_]\w*\s*=(?!=)\s*/, '');
  text = text.replace(/\s*(?:\/\/.*|;)\s*$/, '');
  return text.trim();
}

function describe(diagnostic: Diagnostic, text: string): string {
  const lines = text.split('\n');
  const { line, character } = diagnostic.range.start;
  const where = lines.length > 1 ? `line ${line + 1}, column ${character + 1}` : `column ${character + 1}`;
  return `${diagnostic.message} (${where})`;
}

/** A .loss document parsed with its data files, and its text with them inline (what the engine takes). */
async function readDocumentOf(context: vscode.ExtensionContext, document: vscode.TextDocument): Promise<{ parsed: ParseResult; text: string }> {
  const { text, files } = await dataFileReader(context).inline(document.uri, document.getText());
  return { parsed: parseLoss(document.getText(), files), text };
}

/** A .loss document's scenario draft; throws with the first problem when it does not parse. */
export async function documentDraft(context: vscode.ExtensionContext, document: vscode.TextDocument): Promise<ScenarioDraft> {
  const { parsed, text } = await readDocumentOf(context, document);
  if (!parsed.ok) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} has an error: ${describe(parsed.diagnostics[0], document.getText())}`);
  return scenarioFromFile(text, parsed.loss.scenario);
}

export function registerLossVisualize(context: vscode.ExtensionContext): void {
  const readDocument = (document: vscode.TextDocument) => readDocumentOf(context, document);
  const lenses: vscode.CodeLensProvider = {
    async provideCodeLenses(document) {
      const { parsed, text } = await readDocument(document);
      if (!parsed.ok) return [];
      const { line } = parsed.loss.range.start;
      const range = new vscode.Range(line, 0, line, 0);
      // The source: the Playground's controls edit this file, and the Playground follows its edits.
      const launch = { ...scenarioFromFile(text, parsed.loss.scenario), source: document.uri.toString() };
      return [
        new vscode.CodeLens(range, { title: '$(graph) Visualize', command: 'optiscope.openPlayground', arguments: [launch] }),
        new vscode.CodeLens(range, { title: '$(split-horizontal) Compare optimizers', command: 'optiscope.compareOptimizers', arguments: [launch] }),
      ];
    },
  };

  const visualize = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showErrorMessage('Optiscope: open a .loss file, or select a formula such as x**2 + 3*np.sin(y), then run Visualize Loss.');
      return;
    }
    const { document, selection } = editor;
    const whole = document.languageId === LANGUAGE_ID && selection.isEmpty;
    if (!whole && selection.isEmpty) {
      void vscode.window.showErrorMessage('Optiscope: select a formula such as x**2 + 3*np.sin(y) first.');
      return;
    }
    const selected = whole ? undefined : selectionToLoss(document.getText(selection));
    const { text, parsed } = selected === undefined ? await readDocument(document) : { text: selected, parsed: parseLoss(selected) };
    if (!parsed.ok) {
      const first = parsed.diagnostics[0];
      const what = whole ? `${vscode.workspace.asRelativePath(document.uri)} has an error` : `Could not understand the selection '${text}'`;
      void vscode.window.showErrorMessage(`Optiscope: ${what}: ${describe(first, text)}`);
      return;
    }
    const launch = scenarioFromFile(text, parsed.loss.scenario);
    await vscode.commands.executeCommand('optiscope.openPlayground', whole ? { ...launch, source: document.uri.toString() } : launch);
  };

  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, lenses),
    vscode.commands.registerCommand('optiscope.visualizeLoss', visualize),
  );
}
