// The extension's shared engine client (src/engine/engineClient.ts): one lazily started worker, ended with the extension.
import * as vscode from 'vscode';
import { EngineClient } from './engineClient';
import { startNodeWorker } from './nodeWorker';

let client: EngineClient | undefined;

export function getEngineClient(context: vscode.ExtensionContext): EngineClient {
  if (!client) {
    const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
    const created = new EngineClient(() => startNodeWorker(script));
    context.subscriptions.push({
      dispose: () => {
        created.dispose();
        client = undefined;
      },
    });
    client = created;
  }
  return client;
}
