import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './wait';

async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

describe('extension', () => {
  it('activates', async () => {
    const extension = await activeExtension();
    assert.equal(extension.isActive, true);
  });

  it('registers every command contributed in package.json', async () => {
    const extension = await activeExtension();
    const contributed: string[] = (extension.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const unregistered = contributed.filter((command) => !registered.has(command));
    assert.deepEqual(unregistered, [], `contributed in package.json but not registered: ${unregistered.join(', ')}`);
  });
});
