// Shared by the integration tests: wait for a condition (never a fixed sleep), find webview tabs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

/**
 * Starts measuring the extension host's event-loop delay; stop() gives the max, p99 and mean in ms beyond the
 * sampling interval (Node's histogram holds the whole interval between two samples, so an idle loop reads ~1 ms).
 */
export function measureEventLoop(): { stop(): { maxMs: number; p99Ms: number; meanMs: number } } {
  const resolutionMs = 1;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const ms = (ns: number) => Number(Math.max(0, ns / 1e6 - resolutionMs).toFixed(1));
  return {
    stop() {
      delay.disable();
      return { maxMs: ms(delay.max), p99Ms: ms(delay.percentile(99)), meanMs: ms(delay.mean) };
    },
  };
}
