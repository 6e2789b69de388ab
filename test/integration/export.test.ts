// Export in a real extension host: the command writes CSV, JSON and a .loss file for the open panel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, until } from './wait';
import { parseLoss } from '../../src/loss/index';

function playgroundOpen(): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('optiscope.playground')),
  );
}

describe('export', () => {
  let folder: vscode.Uri;

  before(async () => {
    folder = vscode.Uri.joinPath(await activatedWorkspace(), 'exports');
    await vscode.workspace.fs.createDirectory(folder);
  });

  beforeEach(async () => {
    await vscode.commands.executeCommand('optiscope.openPlayground', 'beale');
    await until(playgroundOpen, (open) => open, 'the Playground');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));

  it('writes the trajectories as CSV: a header with the parameters, steps+1 rows per run', async () => {
    const uri = vscode.Uri.joinPath(folder, 'beale.csv');
    await vscode.commands.executeCommand('optiscope.export', { format: 'csv', uri });
    const lines = (await read(uri)).trimEnd().split('\n');
    assert.equal(lines[0], 'run,label,optimizer,step,x,y,loss,grad_norm');
    const config = vscode.workspace.getConfiguration('optiscope.panels');
    const runs = config.get<unknown[]>('optimizers')!.length;
    const steps = config.get<number>('steps')!;
    const byRun = new Map<string, string[][]>();
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      byRun.set(cells[0], [...(byRun.get(cells[0]) ?? []), cells]);
    }
    assert.equal(byRun.size, runs);
    for (const rows of byRun.values()) {
      assert.ok(rows.length >= 2 && rows.length <= steps + 1, `rows per run: ${rows.length}`);
      // Row 0 is Beale's default start (1, 1.5), where the loss is 41.25 - ... as the engine computes it.
      assert.deepEqual(rows[0].slice(3, 6), ['0', '1', '1.5']);
      assert.ok(Number(rows[0][6]) > 0);
    }
  });

  it('writes JSON with the scenario and the rows, and a .loss file that parses back to the scenario', async () => {
    const json = vscode.Uri.joinPath(folder, 'beale.json');
    await vscode.commands.executeCommand('optiscope.export', { format: 'json', uri: json });
    const document = JSON.parse(await read(json));
    assert.equal(document.scenario.loss, 'beale');
    assert.equal(document.loss.title, "Beale's function");
    assert.equal(document.runs.length, document.scenario.runs.length);
    assert.deepEqual(document.runs[0].rows[0].params, [1, 1.5]);

    const loss = vscode.Uri.joinPath(folder, 'beale.loss');
    await vscode.commands.executeCommand('optiscope.export', { format: 'loss', uri: loss });
    const parsed = parseLoss(await read(loss));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.loss.scenario.start, [[1, 1.5]]);
    assert.deepEqual(parsed.loss.scenario.domain, { x: [-4.5, 4.5], y: [-4.5, 4.5] });
    assert.equal(parsed.loss.scenario.steps, document.scenario.steps);
    assert.deepEqual(
      parsed.loss.scenario.optimizers.map((o) => o.options),
      document.scenario.runs.map((r: { options: unknown }) => r.options),
    );
  });

  it('a .loss export keeps the run labels: its CodeLens opens the runs again under the same labels', async () => {
    const runs = [
      { optimizer: 'Adam', options: { lr: 0.05 }, label: 'Adam (fast)' },
      { optimizer: 'SGD', options: { lr: 0.001, momentum: 0.9 }, label: 'heavy "ball"' },
    ];
    await vscode.commands.executeCommand('optiscope.openPlayground', { loss: 'beale', runs, steps: 50 });
    const exportJson = async (name: string) => {
      const uri = vscode.Uri.joinPath(folder, name);
      await vscode.commands.executeCommand('optiscope.export', { panel: 'playground', format: 'json', uri });
      return JSON.parse(await read(uri));
    };
    const before = await until(() => exportJson('labelled.json'), (d) => d.scenario.runs.length === 2, 'the labelled runs');
    assert.deepEqual(before.runs.map((r: { label: string }) => r.label), ['Adam (fast)', 'heavy "ball"']);

    const file = vscode.Uri.joinPath(folder, 'labelled.loss');
    await vscode.commands.executeCommand('optiscope.export', { panel: 'playground', format: 'loss', uri: file });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const document = await vscode.workspace.openTextDocument(file);
    const lenses = await until(
      () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri),
      (found) => (found ?? []).some((lens) => lens.command?.command === 'optiscope.openPlayground'),
      'the Visualize CodeLens',
    );
    const visualize = lenses.find((lens) => lens.command?.command === 'optiscope.openPlayground')!.command!;
    await vscode.commands.executeCommand(visualize.command, ...(visualize.arguments ?? []));
    await until(playgroundOpen, (open) => open, 'the Playground from the .loss file');
    const after = await exportJson('reopened.json');
    assert.deepEqual(after.scenario.runs.map((r: { label?: string }) => r.label), ['Adam (fast)', 'heavy "ball"']);
    assert.deepEqual(after.runs.map((r: { label: string }) => r.label), ['Adam (fast)', 'heavy "ball"']);
    assert.deepEqual(after.scenario.runs.map((r: { options: { lr: number } }) => r.options.lr), [0.05, 0.001]);
  });
});
