// The host's view of the engine: the same Engine interface, answered by a lazily started worker over the typed
// request layer (src/shared/rpc.ts, EngineRequests). Cancelling a request ends the worker at once (a long run cannot
// be interrupted otherwise) and re-sends the other pending requests to a fresh one; a stream (streamRuns), a
// bend's training (trainBend) and a study are stopped between chunks instead.
import type { BatchnormStudyRequest, BatchnormStudyResult, NetworkSmoothnessRequest, SmoothnessPoint } from '../shared/batchnorm';
import type { LotteryRequest, LotteryResult, SeedStudyRequest, SeedStudyResult, StudyProgress } from '../shared/studies';
import type {
  CancelSignal, EngineMemory, EngineRequests, LandscapeRequest, LandscapeResult, LossInfo, NetworkLayerStatsRequest, NetworkLayerStatsResult, NetworkOutputRequest, NetworkOutputResult,
  OptimizerInfo, RunsChunk, RunsRequest, RunTrace, SessionAdvance, SessionBreakpoint, SessionOpened, SessionRequest, SessionUpdate, TraceRequest, TraceResult, WorkerEngine,
} from '../shared/engineApi';
import type { EdgePopupProgress, EdgePopupRequest, EdgePopupResult } from '../shared/edgePopup';
import { CancelledError } from '../shared/engineApi';
import { RpcClient, type CancelMessage, type ProgressOf, type RequestOptions } from '../shared/rpc';
import type {
  BendProgress, BendRequest, BendResult, NetworkAlignRequest, NetworkAlignResult, NetworkPathRequest, NetworkPathResult, NetworkPermuteRequest,
} from '../shared/networkPaths';
import type {
  NetworkLandscapeProgress, NetworkLandscapeRequest, NetworkLandscapeResult, NetworkSharpnessRequest, NetworkSharpnessResult,
} from '../shared/networkLandscape';
import { BUILTIN_LOSSES, builtinLossInfo, isBuiltinLoss, resolveLossParams } from './losses';
import { optimizerInfos } from './optimizers';

// How a cancelled request rejects, for callers that test instanceof against this module's copy.
export { CancelledError };

/** The part of a worker (Node's worker_threads or a Web Worker) the client uses. */
export interface EngineWorker {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

type Asked<K extends keyof EngineRequests> = Promise<EngineRequests[K]['reply']>;

/** The worker's methods that check their cancel signal between chunks or runs, so that the worker need not end. */
const STOPPED_BETWEEN_CHUNKS = new Set<string>(['streamRuns', 'trainBend', 'networkLandscape', 'lottery', 'seedStudy', 'batchnormStudy', 'edgePopup']);

export class EngineClient implements Omit<WorkerEngine, 'memory'> {
  private worker: EngineWorker | undefined;
  private readonly rpc = new RpcClient<EngineRequests>(
    (message) => this.ensureWorker().postMessage(message),
    (requestId, method) => {
      // These stop between chunks (or runs) when told; anything else may run long in the core, which only ending the
      // worker stops.
      if (STOPPED_BETWEEN_CHUNKS.has(method)) this.worker?.postMessage({ type: 'cancel', inReplyTo: requestId } satisfies CancelMessage);
      else this.restart();
    },
  );

  constructor(private readonly startWorker: () => EngineWorker) {}

  losses(): LossInfo[] {
    return Object.keys(BUILTIN_LOSSES).map((name) => builtinLossInfo(name, resolveLossParams(name, undefined)));
  }

  optimizers(): OptimizerInfo[] {
    return optimizerInfos();
  }

  trace(request: TraceRequest, cancel?: CancelSignal): Promise<TraceResult> {
    return this.ask('trace', { args: [request] }, { cancel });
  }

  landscape(request: LandscapeRequest, cancel?: CancelSignal): Promise<LandscapeResult> {
    return this.ask('landscape', { args: [request] }, { cancel });
  }

  runs(request: RunsRequest, cancel?: CancelSignal): Promise<RunTrace[]> {
    return this.ask('runs', { args: [request] }, { cancel });
  }

  /** Chunks reach onChunk as the worker computes them; cancelling stops the stream between chunks (the worker stays). */
  streamRuns(request: RunsRequest, onChunk: (chunk: RunsChunk) => void, cancel?: CancelSignal): Promise<void> {
    return this.ask('streamRuns', { args: [request] }, { cancel, onProgress: onChunk });
  }

  /** The lottery ticket's pruning rounds in the worker (src/engine/lottery.ts); progress after each run. */
  lottery(request: LotteryRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<LotteryResult> {
    return this.ask('lottery', { args: [request] }, { cancel, onProgress });
  }

  /** A scenario trained from several network seeds in the worker: the final losses. */
  seedStudy(request: SeedStudyRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<SeedStudyResult> {
    return this.ask('seedStudy', { args: [request] }, { cancel, onProgress });
  }

  networkSmoothness(request: NetworkSmoothnessRequest): Promise<SmoothnessPoint[]> {
    return this.ask('networkSmoothness', { args: [request] });
  }

  /** Edge-popup's score training in the worker: progress every chunk of updates; cancelling stops it between chunks. */
  edgePopup(request: EdgePopupRequest, onProgress?: (progress: EdgePopupProgress) => void, cancel?: CancelSignal): Promise<EdgePopupResult> {
    return this.ask('edgePopup', { args: [request] }, { cancel, onProgress });
  }

  /** The batch norm lesson's runs (with and without BN, two rates, noisy BN) and smoothness in the worker. */
  batchnormStudy(request: BatchnormStudyRequest, onProgress?: (progress: StudyProgress) => void, cancel?: CancelSignal): Promise<BatchnormStudyResult> {
    return this.ask('batchnormStudy', { args: [request] }, { cancel, onProgress });
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
    return this.ask('lossInfo', { args: [loss, lossParams] });
  }

  samples(loss: string, lossParams?: Record<string, number>): Promise<Float64Array> {
    return this.ask('samples', { args: [loss, lossParams] });
  }

  networkOutput(request: NetworkOutputRequest): Promise<NetworkOutputResult> {
    return this.ask('networkOutput', { args: [request] });
  }

  networkPath(request: NetworkPathRequest): Promise<NetworkPathResult> {
    return this.ask('networkPath', { args: [request] });
  }

  /** Cancelling rejects with a CancelledError; the worker stops the training between chunks and stays. */
  trainBend(request: BendRequest, onProgress?: (progress: BendProgress) => void, cancel?: CancelSignal): Promise<BendResult> {
    return this.ask('trainBend', { args: [request] }, { cancel, onProgress });
  }

  permuteNetwork(request: NetworkPermuteRequest): Promise<number[]> {
    return this.ask('permuteNetwork', { args: [request] });
  }

  alignNetworks(request: NetworkAlignRequest): Promise<NetworkAlignResult> {
    return this.ask('alignNetworks', { args: [request] });
  }

  networkLayerStats(request: NetworkLayerStatsRequest): Promise<NetworkLayerStatsResult> {
    return this.ask('networkLayerStats', { args: [request] });
  }

  /** Progress reaches onProgress; cancelling stops the landscape between grid rows (the worker stays). */
  networkLandscape(
    request: NetworkLandscapeRequest, onProgress?: (progress: NetworkLandscapeProgress) => void, cancel?: CancelSignal,
  ): Promise<NetworkLandscapeResult> {
    return this.ask('networkLandscape', { args: [request] }, { cancel, onProgress });
  }

  networkSharpness(request: NetworkSharpnessRequest, cancel?: CancelSignal): Promise<NetworkSharpnessResult> {
    return this.ask('networkSharpness', { args: [request] }, { cancel });
  }

  evaluate(loss: string, point: number[], lossParams?: Record<string, number>): Asked<'evaluate'> {
    return this.ask('evaluate', { args: [loss, point, lossParams] });
  }

  /** Sessions live in the worker: cancelling another request (which restarts the worker) ends them. */
  openSession(request: SessionRequest): Promise<SessionOpened> {
    return this.ask('openSession', { args: [request] });
  }

  advanceSession(id: number, advance: SessionAdvance): Promise<SessionUpdate> {
    return this.ask('advanceSession', { args: [id, advance] });
  }

  setSessionBreakpoints(id: number, breakpoints: SessionBreakpoint[]): Promise<SessionUpdate> {
    return this.ask('setSessionBreakpoints', { args: [id, breakpoints] });
  }

  closeSession(id: number): Promise<void> {
    return this.ask('closeSession', { args: [id] });
  }

  /** What the worker's engine holds (its wasm memory, recorded runs, caches); undefined when no worker runs. */
  async memory(): Promise<EngineMemory | undefined> {
    if (!this.worker) return undefined;
    return this.ask('memory', { args: [] });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.rpc.rejectAll(new CancelledError());
  }

  private ask<K extends keyof EngineRequests & string>(method: K, params: EngineRequests[K]['params'], options?: RequestOptions<ProgressOf<EngineRequests[K]>>): Asked<K> {
    return this.rpc.request(method, params, options);
  }

  private restart(): void {
    this.worker?.terminate();
    this.worker = undefined;
    // A fresh worker starts with the first request posted again (none: no worker).
    this.rpc.repost();
  }

  private ensureWorker(): EngineWorker {
    if (this.worker) return this.worker;
    const worker = this.startWorker();
    worker.onMessage((message) => {
      if (worker === this.worker) this.rpc.receive(message);
    });
    worker.onError((error) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      this.rpc.rejectAll(new Error(`The engine worker stopped: ${error.message}`));
    });
    this.worker = worker;
    return worker;
  }
}
