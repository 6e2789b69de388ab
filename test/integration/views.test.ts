// Compare Hyper-parameter Values in a real extension host: from the open Playground's scenario to one
// Compare landscape per value (bad sweeps are refused by sweepProblem: test/unit/panels-views.test.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Scenario } from '../../src/shared/protocol';
import { EXTENSION_ID, until, webviewTabs } from './wait';

describe('compare hyper-parameter values', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("sweeps a run of the open Playground: five learning rates, the rest of the scenario kept", async () => {
    await vscode.commands.executeCommand('optiscope.openPlayground', 'beale');
    await until(() => webviewTabs('optiscope.playground'), (tabs) => tabs.length === 1, 'the Playground tab');
    const values = [0.001, 0.003, 0.01, 0.03, 0.1];
    const swept = (await vscode.commands.executeCommand('optiscope.compareValues', { panel: 'playground', run: 4, option: 'lr', values })) as Scenario;
    assert.equal(swept.loss, 'beale');
    assert.equal(swept.view, null);
    assert.deepEqual(
      swept.runs.map((run) => run.options.lr),
      values,
    );
    assert.ok(swept.runs.every((run) => run.optimizer === 'adam'));
    assert.ok(swept.runs.every((run) => run.options.betas !== undefined && run.label === undefined));
    const [tab] = await until(() => webviewTabs('optiscope.compare'), (tabs) => tabs.length === 1, 'the Compare tab');
    assert.match(tab.label, /^Compare: Beale/);
  });
});
