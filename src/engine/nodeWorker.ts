// Starts the engine worker as a Node worker thread (desktop and remote extension hosts, tests).
import { Worker } from 'node:worker_threads';
import type { EngineWorker } from './engineClient';

export function startNodeWorker(workerScript: string): EngineWorker {
  const worker = new Worker(workerScript);
  worker.unref();
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => {
      worker.on('error', listener);
      worker.on('exit', (code) => {
        if (code !== 0) listener(new Error(`exit code ${code}`));
      });
    },
    terminate: () => void worker.terminate(),
  };
}
