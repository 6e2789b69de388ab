// Answers engine requests from a worker's message port: shared by the Node and the browser worker.
import { createEngine } from './index';
import type { WasmEngine } from './engine';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

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

/** Returns the handler for incoming requests; replies go out through post. */
export function serveEngine(post: PostReply): (request: WorkerRequest) => void {
  const enginePromise: Promise<WasmEngine> = createEngine();
  const answer = async (request: WorkerRequest): Promise<WorkerReply> => {
    try {
      const engine = await enginePromise;
      const method = engine[request.method] as (...args: unknown[]) => Promise<unknown>;
      if (typeof method !== 'function') throw new Error(`Unknown engine method '${request.method}'`);
      return { id: request.id, result: await method.apply(engine, request.params) };
    } catch (error) {
      return { id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
  };
  return (request) => {
    void answer(request).then((reply) => post(reply, transferables(reply.result)));
  };
}
