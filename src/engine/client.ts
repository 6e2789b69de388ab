// The extension's shared engine client (src/engine/engineClient.ts): one lazily started worker, ended with the extension.
import * as vscode from 'vscode';
import { EngineClient } from './engineClient';
import { startEngineWorker } from './workerStarter';

let client: EngineClient | undefined;

export function getEngineClient(context: vscode.ExtensionContext): EngineClient {
  if (!client) {
    const created = new EngineClient(() => startEngineWorker(context.extensionUri));
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

/** A client with a worker of its own, ended with the extension (training sessions live in it, safe from others' cancelling). */
export function createEngineClient(context: vscode.ExtensionContext): EngineClient {
  const created = new EngineClient(() => startEngineWorker(context.extensionUri));
  context.subscriptions.push(created);
  return created;
}
