// A .loss file with its data in a CSV beside it, in a real editor: no diagnostics, Visualize opens the Playground
// on the full-batch loss with minibatch runs, and a broken CSV becomes a diagnostic on the data line.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, until, webviewTabs } from './wait';

const ROWS = [[-2, -4.8], [-1, -3.1], [0, -0.9], [0.5, 0.2], [1, 1.1], [1.5, 2.2], [2, 2.9], [3, 5.2]];
const START = [0.5, 0.5];
const LR = 0.1;
const LOSS = [
  'params w, b',
  'data "points.csv"',
  'f = (w*x + b - y)^2',
  `start = (${START.join(', ')})`,
  `optimizer sgd lr=${LR}`,
  'steps = 5',
  'stochastic batch=1 seed=3',
  '',
].join('\n');

/** The gradient of (w x + b - y)^2 at (w, b) for one sample. */
function sampleGradient([w, b]: number[], [x, y]: number[]): number[] {
  const r = w * x + b - y;
  return [2 * r * x, 2 * r];
}

describe('data files', () => {
  let folder: vscode.Uri;

  before(async () => {
    folder = vscode.Uri.joinPath(await activatedWorkspace(), `data-${Date.now()}`);
    await vscode.workspace.fs.createDirectory(folder);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const write = (name: string, text: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, name), new TextEncoder().encode(text));
  const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));

  it('reads the CSV beside the .loss file: no diagnostics, and Visualize opens the Playground on the mean with minibatch steps', async () => {
    await write('points.csv', `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    await write('fit.loss', LOSS);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'fit.loss')));
    // The CodeLenses appear once the loss parsed with its data.
    const lenses = await until(
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri),
      (found) => found.length === 2,
      'the CodeLenses of a loss that parses with its CSV',
    );
    assert.deepEqual(vscode.languages.getDiagnostics(editor.document.uri), []);
    await vscode.commands.executeCommand('optiscope.visualizeLoss');
    await until(() => webviewTabs('optiscope.playground'), (tabs) => tabs.length === 1 && tabs[0].label === 'Playground: (w*x + b - y)^2', 'the Playground titled with the per-sample loss');
    assert.equal(lenses[0].command?.command, 'optiscope.openPlayground');

    const json = vscode.Uri.joinPath(folder, 'fit.json');
    await vscode.commands.executeCommand('optiscope.export', { panel: 'playground', format: 'json', uri: json });
    const [run] = JSON.parse(await read(json)).runs as { rows: { step: number; params: number[]; loss: number }[] }[];
    // Row 0: the loss is the mean over the CSV's rows.
    const mean = ROWS.reduce((sum, [x, y]) => sum + (START[0] * x + START[1] - y) ** 2, 0) / ROWS.length;
    assert.ok(Math.abs(run.rows[0].loss - mean) <= 1e-12 * mean, `${run.rows[0].loss} vs ${mean}`);
    assert.equal(run.rows.length, 6);
    // Step 1 used one sample's gradient (batch=1), not the full batch's.
    const stepped = run.rows[1].params;
    const matches = ROWS.filter((row) => {
      const g = sampleGradient(START, row);
      return Math.abs(stepped[0] - (START[0] - LR * g[0])) < 1e-12 && Math.abs(stepped[1] - (START[1] - LR * g[1])) < 1e-12;
    });
    assert.equal(matches.length, 1, `step 1 ${JSON.stringify(stepped)} is one sample's SGD step`);
  });

  it('a broken CSV becomes a diagnostic on the data line, and fixing it clears it', async () => {
    await write('points.csv', 'x,y\n1,2\n3\n');
    const uri = vscode.Uri.joinPath(folder, 'fit.loss');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const [diagnostic] = await until(() => vscode.languages.getDiagnostics(uri), (d) => d.length > 0, 'a diagnostic for the broken CSV');
    assert.equal(diagnostic.message, 'points.csv line 3: expected 2 values as in the header, found 1');
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.character], [1, 5, 17]);
    await write('points.csv', 'x,y\n1,2\n3,4\n');
    await until(() => vscode.languages.getDiagnostics(uri), (d) => d.length === 0, 'the diagnostic to clear once the CSV is fixed');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'points.csv'));
    const [missing] = await until(() => vscode.languages.getDiagnostics(uri), (d) => d.length > 0, 'a diagnostic for the missing CSV');
    assert.equal(missing.message, 'Cannot read the data file "points.csv": no such file (paths are relative to this file)');
  });
});
