// The loss language in a real editor: diagnostics, completion, hover, CodeLens, New Loss File, Visualize Loss.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, until, webviewTabs } from './wait';

const ROSENBROCK = 'f = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)\noptimizer adam lr=0.05\nsteps = 50\n';

let fileCount = 0;

/** Opens content saved as a new file in the workspace (an untitled document would ask to be saved on close). */
async function openFile(content: string, extension: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(folder, 'the test workspace folder');
  const uri = vscode.Uri.joinPath(folder, `test-${Date.now()}-${++fileCount}.${extension}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
}

const openLoss = (content: string) => openFile(content, 'loss');

const playgroundTabs = () => webviewTabs('optiscope.playground');

describe('loss files', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('marks mistakes where they are, as you type', async () => {
    const editor = await openLoss('f = x^2 + sni(y)\n');
    const [diagnostic] = await until(() => vscode.languages.getDiagnostics(editor.document.uri), (d) => d.length > 0, 'a diagnostic');
    assert.equal(diagnostic.message, "Unknown name 'sni'. Did you mean 'sin'?");
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.character], [0, 10, 13]);
    await editor.edit((edit) => edit.replace(new vscode.Range(0, 10, 0, 13), 'sin'));
    await until(() => vscode.languages.getDiagnostics(editor.document.uri), (d) => d.length === 0, 'the diagnostic to clear');
    await editor.document.save();
  });

  it('completes functions and shows the value and gradient at the start on hover', async () => {
    const editor = await openLoss(ROSENBROCK);
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(0, 4));
    const labels = completions.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(['sin', 'softplus', 'sigmoid'].every((name) => labels.includes(name)), labels.join(', '));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 10));
    const text = hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /12\.5/); // f(-1.5, 2)
  });

  it('offers Visualize and Compare optimizers over the loss, and Visualize opens the Playground on it', async () => {
    const editor = await openLoss(ROSENBROCK);
    const lenses = await until(
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri),
      (found) => found.length === 2,
      'two CodeLenses',
    );
    assert.deepEqual(lenses.map((lens) => lens.command?.command), ['optiscope.openPlayground', 'optiscope.compareOptimizers']);
    assert.equal(lenses[0].range.start.line, 0);
    const command = lenses[0].command!;
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    await until(playgroundTabs, (tabs) => tabs.length === 1 && tabs[0].label === 'Playground: (1 - x)^2 + 100*(y - x^2)^2', 'the Playground titled with the formula');
  });

  it('Visualize Loss opens a formula selected in a Python file', async () => {
    const editor = await openFile('import numpy as np\nloss = x**2 + 3*np.sin(y)\n', 'py');
    editor.selection = new vscode.Selection(1, 0, 1, 25);
    await vscode.commands.executeCommand('optiscope.visualizeLoss');
    await until(playgroundTabs, (tabs) => tabs.length === 1, 'the Playground');
  });

  it('Visualize Loss says what it could not understand in a selection, and opens nothing', async () => {
    const editor = await openFile('print("hello")\n', 'py');
    editor.selection = new vscode.Selection(0, 0, 0, 14);
    const shown: string[] = [];
    const original = vscode.window.showErrorMessage;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = async (message: string) => {
      shown.push(message);
      return undefined;
    };
    try {
      await vscode.commands.executeCommand('optiscope.visualizeLoss');
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    }
    assert.deepEqual(shown, ["Optiscope: Could not understand the selection 'print(\"hello\")': Unknown name 'print'. (column 1)"]);
    assert.equal(playgroundTabs().length, 0);
  });

  it('New Loss File writes a commented example that parses cleanly', async () => {
    await vscode.commands.executeCommand('optiscope.newLossFile');
    const editor = await until(() => vscode.window.activeTextEditor, (e) => e?.document.languageId === 'loss', 'the new loss file');
    assert.match(editor!.document.getText(), /^# /);
    // CodeLenses appear only over a loss that parses without errors.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor!.document.uri);
    assert.equal(lenses.length, 2);
  });
});
