// Playback keybindings: contributed for the panels only, and their commands reach the panel in front.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './wait';

const WHEN = "activeWebviewPanelId == 'optiscope.playground' || activeWebviewPanelId == 'optiscope.compare'";

describe('playback keybindings', () => {
  let extension: vscode.Extension<unknown>;

  before(async () => {
    extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('binds play / pause and the steps only while a Playground or Compare panel is the active editor', () => {
    const keybindings = (extension.packageJSON.contributes.keybindings ?? []) as { command: string; key: string; when?: string }[];
    const commands = ['optiscope.togglePlayback', 'optiscope.stepForward', 'optiscope.stepBack'];
    assert.deepEqual(keybindings.filter((k) => commands.includes(k.command)).map((k) => k.command).sort(), [...commands].sort());
    for (const binding of keybindings.filter((k) => commands.includes(k.command))) assert.equal(binding.when, WHEN, binding.command);
  });

  it('the commands do nothing without a panel and reach an open one', async () => {
    assert.equal(await vscode.commands.executeCommand('optiscope.togglePlayback'), false);
    await vscode.commands.executeCommand('optiscope.openPlayground', 'beale');
    const deadline = Date.now() + 10_000;
    while (!(await vscode.commands.executeCommand('optiscope.stepForward'))) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the Playground');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await vscode.commands.executeCommand('optiscope.togglePlayback'), true);
  });
});
