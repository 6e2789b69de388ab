// The host's view of the engine: the same Engine interface, answered by a lazily started worker.
// Cancelling a request ends the worker at once (a long run cannot be interrupted otherwise) and
// re-sends the other pending requests to a fresh one; a stream (streamRuns) is stopped between chunks instead.
import type {
  Engine, EngineMemory, LandscapeRequest, LandscapeResult, LossInfo, OptimizerInfo, RunsChunk, RunsRequest, RunTrace, SessionAdvance, SessionBreakpoint,
  CancelSignal, SessionOpened, SessionRequest, SessionUpdate, TraceRequest, TraceResult,
} from '../shared/engineApi';
import { BUILTIN_LOSSES, builtinLossInfo, isBuiltinLoss, resolveLossParams } from './losses';
import { optimizerInfos } from './optimizers';
import type { EngineMethod, WorkerMessage, WorkerReply, WorkerRequest } from './workerProtocol';

/** The part of a worker (Node's worker_threads or a Web Worker) the client uses. */
export interface EngineWorker {
  postMessage(message: WorkerMessage): void;
  onMessage(listener: (reply: WorkerReply) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

interface Pending {
  request: WorkerRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** A stream's chunks. */
  chunk?(chunk: RunsChunk): void;
}

export class EngineClient implements Engine {
  private worker: EngineWorker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly startWorker: () => EngineWorker) {}

  losses(): LossInfo[] {
    return Object.keys(BUILTIN_LOSSES).map((name) => builtinLossInfo(name, resolveLossParams(name, undefined)));
  }

  optimizers(): OptimizerInfo[] {
    return optimizerInfos();
  }

  trace(request: TraceRequest, cancel?: CancelSignal): Promise<TraceResult> {
    return this.call('trace', [request], cancel) as Promise<TraceResult>;
  }

  landscape(request: LandscapeRequest, cancel?: CancelSignal): Promise<LandscapeResult> {
    return this.call('landscape', [request], cancel) as Promise<LandscapeResult>;
  }

  runs(request: RunsRequest, cancel?: CancelSignal): Promise<RunTrace[]> {
    return this.call('runs', [request], cancel) as Promise<RunTrace[]>;
  }

  /** Chunks reach onChunk as the worker computes them; cancelling stops the stream between chunks (the worker stays). */
  streamRuns(request: RunsRequest, onChunk: (chunk: RunsChunk) => void, cancel?: CancelSignal): Promise<void> {
    return this.call('streamRuns', [request], cancel, onChunk) as Promise<void>;
  }

  /** Starts the worker now (it compiles the core), so that the first request does not wait for it. */
  warmUp(): void {
    this.ensureWorker();
  }

  lossInfo(loss: string, lossParams?: Record<string, number>): Promise<LossInfo> {
    // A built-in's metadata is known here (the engine computes it the same way), without waiting for the worker;
    // a data-backed one's minimum is the engine's to compute.
    const name = typeof loss === 'string' ? loss.trim() : '';
    if (isBuiltinLoss(name) && !BUILTIN_LOSSES[name].columns && (lossParams === undefined || (lossParams !== null && typeof lossParams === 'object'))) {
      try {
        return Promise.resolve(builtinLossInfo(name, resolveLossParams(name, lossParams)));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.call('lossInfo', [loss, lossParams]) as Promise<LossInfo>;
  }

  samples(loss: string, lossParams?: Record<string, number>): Promise<Float64Array> {
    return this.call('samples', [loss, lossParams]) as Promise<Float64Array>;
  }

  evaluate(loss: string, point: number[], lossParams?: Record<string, number>): Promise<{ value: number; gradient: number[]; hessian: number[] }> {
    return this.call('evaluate', [loss, point, lossParams]) as Promise<{ value: number; gradient: number[]; hessian: number[] }>;
  }

  /** Sessions live in the worker: cancelling another request (which restarts the worker) ends them. */
  openSession(request: SessionRequest): Promise<SessionOpened> {
    return this.call('openSession', [request]) as Promise<SessionOpened>;
  }

  advanceSession(id: number, advance: SessionAdvance): Promise<SessionUpdate> {
    return this.call('advanceSession', [id, advance]) as Promise<SessionUpdate>;
  }

  setSessionBreakpoints(id: number, breakpoints: SessionBreakpoint[]): Promise<SessionUpdate> {
    return this.call('setSessionBreakpoints', [id, breakpoints]) as Promise<SessionUpdate>;
  }

  closeSession(id: number): Promise<void> {
    return this.call('closeSession', [id]) as Promise<void>;
  }

  /** What the worker's engine holds (its wasm memory, recorded runs, caches); undefined when no worker runs. */
  async memory(): Promise<EngineMemory | undefined> {
    if (!this.worker) return undefined;
    return this.call('memory', []) as Promise<EngineMemory>;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const entry of this.pending.values()) entry.reject(new CancelledError());
    this.pending.clear();
  }

  private call(method: EngineMethod, params: unknown[], cancel?: CancelSignal, chunk?: (chunk: RunsChunk) => void): Promise<unknown> {
    if (cancel?.isCancellationRequested) return Promise.reject(new CancelledError());
    const request: WorkerRequest = { id: this.nextId++, method, params };
    return new Promise((resolve, reject) => {
      const subscription = cancel?.onCancellationRequested(() => this.cancel(request.id));
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        subscription?.dispose();
        fn(value);
      };
      this.pending.set(request.id, { request, resolve: settle(resolve), reject: settle(reject), chunk });
      this.ensureWorker().postMessage(request);
    });
  }

  private cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.reject(new CancelledError());
    if (entry.chunk) this.worker?.postMessage({ cancel: id });
    else this.restart();
  }

  private restart(): void {
    this.worker?.terminate();
    this.worker = undefined;
    if (this.pending.size === 0) return;
    const worker = this.ensureWorker();
    for (const { request } of this.pending.values()) worker.postMessage(request);
  }

  private ensureWorker(): EngineWorker {
    if (this.worker) return this.worker;
    const worker = this.startWorker();
    worker.onMessage((reply) => {
      if (worker !== this.worker) return;
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      if (reply.chunk) {
        entry.chunk?.(reply.chunk);
        return;
      }
      this.pending.delete(reply.id);
      if (reply.error !== undefined) entry.reject(new Error(reply.error));
      else entry.resolve(reply.result);
    });
    worker.onError((error) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      for (const entry of this.pending.values()) entry.reject(new Error(`The engine worker stopped: ${error.message}`));
      this.pending.clear();
    });
    this.worker = worker;
    return worker;
  }
}
