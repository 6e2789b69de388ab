// Messages between the extension host (EngineClient) and the engine worker.
import type { RunsChunk } from '../shared/engineApi';

export type EngineMethod =
  | 'trace' | 'landscape' | 'runs' | 'streamRuns' | 'lossInfo' | 'evaluate' | 'samples'
  | 'openSession' | 'advanceSession' | 'setSessionBreakpoints' | 'closeSession' | 'memory';

export interface WorkerRequest {
  id: number;
  method: EngineMethod;
  params: unknown[];
}

/** Stops a streaming request between two chunks (the worker stays up). */
export interface WorkerCancel {
  cancel: number;
}

export type WorkerMessage = WorkerRequest | WorkerCancel;

/** The answer to a request; a streaming request first sends its chunks, each with `chunk`. */
export interface WorkerReply {
  id: number;
  result?: unknown;
  error?: string;
  chunk?: RunsChunk;
}
