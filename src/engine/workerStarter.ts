// Starts the engine worker for this build: a Node worker thread (the web build uses workerStarter.web.ts).
import * as vscode from 'vscode';
import type { EngineWorker } from './engineClient';
import { startNodeWorker } from './nodeWorker';

export function startEngineWorker(extensionUri: vscode.Uri): EngineWorker {
  return startNodeWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath);
}
