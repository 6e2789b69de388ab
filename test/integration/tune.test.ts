// Tune learning rates in a real extension host: the Compare panel's runs move to their best rates.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, until } from './wait';
import type { Scenario } from '../../src/shared/protocol';

function compareOpen(): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('optiscope.compare')),
  );
}

describe('tune learning rates', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("changes the Compare panel's learning rates to the best of the candidates, and the panel shows them", async function () {
    this.timeout(60_000);
    // SGD at a rate far too small for Beale in 100 steps: tuning must raise it; Adam too.
    const runs = [
      { optimizer: 'SGD', options: { lr: 1e-5 } },
      { optimizer: 'Adam', options: { lr: 1e-4 } },
    ];
    await vscode.commands.executeCommand('optiscope.compareOptimizers', { loss: 'beale', runs, steps: 100 });
    await until(compareOpen, (open) => open, 'the Compare panel');
    const workspace = vscode.workspace.workspaceFolders![0].uri;
    const exported = async (name: string) => {
      const uri = vscode.Uri.joinPath(workspace, name);
      await vscode.commands.executeCommand('optiscope.export', { panel: 'compare', format: 'json', uri });
      return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    };
    const untuned = await exported('before.json');
    assert.deepEqual(untuned.scenario.runs.map((r: { options: { lr: number } }) => r.options.lr), [1e-5, 1e-4]);

    const tuned = (await vscode.commands.executeCommand('optiscope.tuneLearningRates')) as Scenario;
    assert.ok(tuned, 'the command returns the tuned scenario');
    assert.equal(tuned.runs.length, 2);
    assert.ok((tuned.runs[0].options.lr as number) > 1e-5, `SGD lr ${tuned.runs[0].options.lr}`);
    assert.ok((tuned.runs[1].options.lr as number) > 1e-4, `Adam lr ${tuned.runs[1].options.lr}`);
    // Only the learning rates change.
    tuned.runs.forEach((run, i) => assert.deepEqual({ ...run.options, lr: 0 }, { ...untuned.scenario.runs[i].options, lr: 0 }));

    // The panel now holds the tuned scenario, and each run ends lower than at its first rate.
    const after = await exported('after.json');
    assert.deepEqual(
      after.scenario.runs.map((r: { options: { lr: number } }) => r.options.lr),
      tuned.runs.map((r) => r.options.lr),
    );
    const finalLoss = (run: { rows: { loss: number }[] }) => run.rows[run.rows.length - 1].loss;
    for (let i = 0; i < 2; i++) assert.ok(finalLoss(after.runs[i]) < finalLoss(untuned.runs[i]), `run ${i}: ${finalLoss(after.runs[i])} vs ${finalLoss(untuned.runs[i])}`);
  });
});
