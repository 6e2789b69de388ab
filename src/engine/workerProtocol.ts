// Messages between the extension host (EngineClient) and the engine worker.

export type EngineMethod =
  | 'trace' | 'landscape' | 'runs' | 'lossInfo' | 'evaluate' | 'samples'
  | 'openSession' | 'advanceSession' | 'setSessionBreakpoints' | 'closeSession';

export interface WorkerRequest {
  id: number;
  method: EngineMethod;
  params: unknown[];
}

export interface WorkerReply {
  id: number;
  result?: unknown;
  error?: string;
}
