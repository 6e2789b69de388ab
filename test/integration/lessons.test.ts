// Lessons in a real extension host: Open Lesson opens the .loss file and the Playground, the runs go through the
// panel's path (stochastic settings, schedules, projection), and editing the file re-runs the panel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, until, webviewTabs } from './wait';

interface ExportedRun {
  optimizer: string;
  options: Record<string, unknown>;
  rows: { step: number; params: number[]; loss: number }[];
}

describe('lessons', () => {
  let folder: vscode.Uri;

  before(async () => {
    folder = vscode.Uri.joinPath(await activatedWorkspace(), 'lessons');
    await vscode.workspace.fs.createDirectory(folder);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  let exports = 0;
  async function exported(): Promise<{ scenario: Record<string, unknown>; runs: ExportedRun[] }> {
    const uri = vscode.Uri.joinPath(folder, `lesson-${++exports}.json`);
    await vscode.commands.executeCommand('optiscope.export', { panel: 'playground', format: 'json', uri });
    return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  }

  it("Adam vs AMSGrad: through the panel, Adam ends at +1 and AMSGrad at -1; editing the .loss file re-runs it", async () => {
    const document = await vscode.commands.executeCommand<vscode.TextDocument>('optiscope.openLesson', 'adam-amsgrad');
    assert.ok(document, 'the command returns the lesson document');
    assert.equal(document.languageId, 'loss');
    // A file in the extension's storage (works in any workspace, untrusted or virtual): no "Untitled", nothing to save.
    assert.equal(document.isUntitled, false, 'not an untitled document');
    assert.equal(document.isDirty, false, 'nothing to save');
    assert.match(document.uri.path, /\/lessons\/adam-amsgrad\.loss$/);
    assert.ok(!vscode.workspace.getWorkspaceFolder(document.uri), "outside the user's workspace");
    await until(() => webviewTabs('optiscope.playground').length, (n) => n === 1, 'the Playground');

    const first = await exported();
    assert.equal(first.scenario.lesson, 'adam-amsgrad');
    assert.equal(first.scenario.loss, 'reddi');
    const [adam, amsgrad] = first.runs;
    assert.equal(adam.rows.length, 3001);
    assert.equal(adam.options.amsgrad, false);
    assert.equal(amsgrad.options.amsgrad, true);
    assert.equal(adam.rows.at(-1)!.params[0], 1, 'Adam ends at the worst point, +1');
    assert.ok(amsgrad.rows.at(-1)!.params[0] < -0.98, `AMSGrad ends at ${amsgrad.rows.at(-1)!.params[0]}`);
    for (const row of adam.rows) assert.ok(Math.abs(row.params[0]) <= 1, 'projected onto [-1, 1]');

    // Without the 1/sqrt(t) schedule and with 60 steps: the panel follows the edited file.
    const editor = await vscode.window.showTextDocument(document);
    const text = document.getText();
    await editor.edit((edit) => edit.replace(new vscode.Range(document.positionAt(0), document.positionAt(text.length)), text.replace(/^schedule inverse_sqrt\n/gm, '').replace('steps = 3000', 'steps = 60')));
    const edited = await until(exported, (e) => e.runs[0].rows.length === 61, 'the panel to re-run the edited lesson', 15_000);
    assert.equal(edited.scenario.lesson, 'adam-amsgrad');
    assert.equal((edited.scenario.runs as { schedule?: unknown }[])[0].schedule, undefined);
    // The edit is saved as it is made: closing the window asks nothing.
    await until(() => document.isDirty, (dirty) => !dirty, 'the edited lesson saved', 15_000);
    assert.match(new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri)), /^steps = 60$/m);
  });

  it('opening a lesson again keeps the edits; restoring brings the original back', async () => {
    const first = await vscode.commands.executeCommand<vscode.TextDocument>('optiscope.openLesson', 'momentum-nesterov');
    const editor = await vscode.window.showTextDocument(first);
    await editor.edit((edit) => edit.insert(new vscode.Position(first.lineCount, 0), '\n# my note\n'));
    await until(() => first.isDirty, (dirty) => !dirty, 'the edit saved', 15_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const again = await vscode.commands.executeCommand<vscode.TextDocument>('optiscope.openLesson', 'momentum-nesterov');
    assert.equal(again.uri.toString(), first.uri.toString());
    assert.match(again.getText(), /^# my note$/m, 'the edits are kept');
    const restored = await vscode.commands.executeCommand<vscode.TextDocument>('optiscope.openLesson', { id: 'momentum-nesterov', restore: true });
    assert.doesNotMatch(restored.getText(), /my note/);
    assert.match(restored.getText(), /^optimizer sgd lr=0\.02 momentum=0\.9 nesterov=true$/m);
    assert.equal(restored.isDirty, false);
  });

  it('SGD and minibatches: the runs carry their batch sizes and seeds; the .loss export names the built-in', async () => {
    await vscode.commands.executeCommand('optiscope.openLesson', 'sgd-minibatch');
    await until(() => webviewTabs('optiscope.playground').length, (n) => n === 1, 'the Playground');
    const { scenario, runs } = await exported();
    const stochastic = (scenario.runs as { stochastic?: { batchSize?: number; seed?: number } }[]).map((r) => r.stochastic);
    assert.deepEqual(stochastic, [undefined, { batchSize: 1, seed: 1 }, { batchSize: 16, seed: 1 }]);
    // Full-batch GD ends nearer the least-squares fit than SGD with one sample per step.
    const finalLoss = runs.map((r) => r.rows.at(-1)!.loss);
    assert.ok(finalLoss[0] < finalLoss[1], `GD ${finalLoss[0]} vs SGD B=1 ${finalLoss[1]}`);
    const uri = vscode.Uri.joinPath(folder, 'sgd.loss');
    await vscode.commands.executeCommand('optiscope.export', { panel: 'playground', format: 'loss', uri });
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    assert.match(text, /^builtin linear_regression samples=256 seed=1 noise=0\.5$/m);
    assert.match(text, /^optimizer sgd lr=0\.05 .*batch=16 seed=1$/m);
  });
});
