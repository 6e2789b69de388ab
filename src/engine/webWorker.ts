// The engine's browser worker (dist/web/worker.js), for the web build of the extension.
import { serveEngine } from './serve';

const scope = self as unknown as {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
};
const handle = serveEngine((message, transfer) => scope.postMessage(message, transfer ?? []));
scope.onmessage = (event) => handle(event.data);
