// The engine's worker thread: answers EngineClient requests; heavy work never runs on the host's thread.
import { parentPort } from 'node:worker_threads';
import { createEngine } from './index';
import type { WasmEngine } from './engine';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('The engine worker must run in a worker thread');

const enginePromise: Promise<WasmEngine> = createEngine();

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

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  try {
    const engine = await enginePromise;
    const method = engine[request.method] as (...args: unknown[]) => Promise<unknown>;
    if (typeof method !== 'function') throw new Error(`Unknown engine method '${request.method}'`);
    return { id: request.id, result: await method.apply(engine, request.params) };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (message: WorkerRequest) => {
  void answer(message).then((reply) => port.postMessage(reply, transferables(reply.result)));
});
