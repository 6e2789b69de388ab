// Shared by the integration tests: wait for a condition (never a fixed sleep), find webview tabs.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'optiscope.optiscope';

/** Reads until accept(value) holds, polling every 50 ms; fails after timeoutMs naming what it waited for. */
export async function until<T>(read: () => T | Thenable<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Activates the extension and returns the test workspace's folder (the runs always open one). */
export async function activatedWorkspace(): Promise<vscode.Uri> {
  await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!workspace) throw new Error('the run has no workspace folder');
  return workspace;
}

/** The open webview tabs whose view type ends with viewType. */
export function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(viewType));
}
