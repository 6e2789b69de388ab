// The engine's browser worker (dist/web/worker.js), for the web build of the extension.
import { serveEngine } from './serve';
import type { WorkerMessage } from './workerProtocol';

const scope = self as unknown as {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
};
const handle = serveEngine((reply, transfer) => scope.postMessage(reply, transfer));
scope.onmessage = (event) => handle(event.data);
