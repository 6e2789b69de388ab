// Answers engine requests from a worker's message port: shared by the Node and the browser worker.
import { createEngine } from './index';
import type { RunsRequest } from '../shared/engineApi';
import type { WasmEngine } from './engine';
import type { WorkerMessage, WorkerReply, WorkerRequest } from './workerProtocol';

export type PostReply = (reply: WorkerReply, transfer: ArrayBuffer[]) => void;

/** Typed arrays in a result, whose buffers can be transferred instead of copied. */
function transferables(value: unknown, found: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !found.includes(value.buffer)) found.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return found;
}

/** Returns the handler for incoming messages; replies go out through post. */
export function serveEngine(post: PostReply): (message: WorkerMessage) => void {
  const enginePromise: Promise<WasmEngine> = createEngine();
  const streams = new Map<number, { isCancellationRequested: boolean }>();
  const stream = async (engine: WasmEngine, request: WorkerRequest): Promise<null> => {
    const signal = { isCancellationRequested: false };
    streams.set(request.id, signal);
    try {
      // The engine yields to the event loop between chunks, which lets a cancel message in.
      await engine.streamRuns(request.params[0] as RunsRequest, (chunk) => post({ id: request.id, chunk }, transferables(chunk)), signal);
      return null;
    } finally {
      streams.delete(request.id);
    }
  };
  const answer = async (request: WorkerRequest): Promise<WorkerReply> => {
    try {
      const engine = await enginePromise;
      if (request.method === 'streamRuns') return { id: request.id, result: await stream(engine, request) };
      const method = engine[request.method] as (...args: unknown[]) => Promise<unknown>;
      if (typeof method !== 'function') throw new Error(`Unknown engine method '${request.method}'`);
      return { id: request.id, result: await method.apply(engine, request.params) };
    } catch (error) {
      return { id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
  };
  return (message) => {
    if ('cancel' in message) {
      const signal = streams.get(message.cancel);
      if (signal) signal.isCancellationRequested = true;
      return;
    }
    void answer(message).then((reply) => post(reply, transferables(reply.result)));
  };
}
