// The web build's engine worker: a Web Worker made from dist/web/worker.js, read through the workspace
// file system (extension files may live on another origin than the extension host).
import * as vscode from 'vscode';
import type { EngineWorker } from './engineClient';

export function startEngineWorker(extensionUri: vscode.Uri): EngineWorker {
  const messageListeners: ((message: unknown) => void)[] = [];
  const errorListeners: ((error: Error) => void)[] = [];
  const queued: unknown[] = [];
  let worker: Worker | undefined;
  let terminated = false;
  const fail = (error: Error) => errorListeners.forEach((listener) => listener(error));
  vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js')).then(
    (bytes) => {
      if (terminated) return;
      const url = URL.createObjectURL(new Blob([new TextDecoder().decode(bytes)], { type: 'text/javascript' }));
      worker = new Worker(url);
      URL.revokeObjectURL(url);
      worker.onmessage = (event: MessageEvent<unknown>) => messageListeners.forEach((listener) => listener(event.data));
      worker.onerror = (event) => fail(new Error(event.message));
      for (const request of queued.splice(0)) worker.postMessage(request);
    },
    (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
  );
  return {
    postMessage: (request) => (worker ? worker.postMessage(request) : queued.push(request)),
    onMessage: (listener) => messageListeners.push(listener),
    onError: (listener) => errorListeners.push(listener),
    terminate: () => {
      terminated = true;
      worker?.terminate();
    },
  };
}
