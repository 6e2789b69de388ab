// One streamed run set for the panel's "run" requests: the engine's chunks, kept and handed on in slices.
import type { RunsChunk } from '../shared/engineApi';
import type { RunsData, RunsDataChunk, TraceDataChunk } from '../shared/protocol';
import { CancelSource } from '../shared/rpc';
import { drawnAverage, plottedGradient } from '../shared/scenario';
import { catchUpChunks, Paced, sliceChunk, TraceAccumulator } from '../shared/traceStream';

/** L-BFGS's evaluations (rows of [step, ...params, loss]) as the landscape plots them: [step, a, b] triples (see TraceData.evaluations). */
export function plottedEvaluations(evaluations: Float64Array, dim: number): Float64Array {
  const width = dim + 2;
  const count = evaluations.length / width;
  const plotted = new Float64Array(3 * count);
  for (let r = 0; r < count; r++) {
    const row = r * width;
    // [step, x0, x1, ...] or, 1-D, [step, x0, loss]: the plotted point is the row's next two numbers either way
    plotted.set([evaluations[row], evaluations[row + 1], evaluations[row + 2]], 3 * r);
  }
  return plotted;
}

/** The most trajectory numbers in one streamed message (256 KB): each message is one short task of the host's. */
export const SLICE_VALUES = 32_768;

/**
 * Chunks are kept until a request takes the stream, then go to it in slices of at most SLICE_VALUES numbers, one per
 * macrotask and one in flight (a long task would stall every extension in the host).
 */
export class RunStream {
  private listener: ((chunk: RunsDataChunk) => void | PromiseLike<unknown>) | undefined;
  private readonly paced = new Paced<RunsDataChunk>((chunk) => this.listener?.(chunk));
  private readonly accumulator = new TraceAccumulator();
  private readonly source = new CancelSource();
  /** Every run's whole trace once the stream ended (views on the stream's buffers: never posted). */
  readonly result: Promise<RunsData>;

  constructor(start: (onChunk: (chunk: RunsChunk) => void, cancel: CancelSource) => Promise<void>) {
    this.result = start((chunk) => this.receive(chunk), this.source).then(() => ({ traces: this.accumulator.traces }));
    this.result.catch(() => undefined); // a failure reaches the request that takes the stream
  }

  private receive(chunk: RunsChunk): void {
    const forWebview: RunsDataChunk = {
      done: chunk.done,
      traces: chunk.traces.map(({ label, optimizer, dim, rows, rowCount, status, stoppedAt, from, state, stateNames, metrics, running, runningWidth, evaluations, recordEvery, losses, lossFrom }) => {
        const part: TraceDataChunk = { label, optimizer, dim, rows, rowCount, status, stoppedAt, from, ...(metrics && { metrics }), ...(running && { running, runningWidth }) };
        if (losses && recordEvery > 1) Object.assign(part, { recordEvery, losses, lossFrom: lossFrom ?? 0 });
        // Recorded state (the step arrows): each row's gradient, its plotted components.
        if (state && stateNames) part.grad = plottedGradient(state, stateNames.length, rowCount - from, dim);
        const averaged = drawnAverage(optimizer, dim, state, stateNames, rowCount - from);
        if (averaged) part.averaged = averaged;
        if (evaluations && evaluations.length > 0) part.evaluations = plottedEvaluations(evaluations, dim);
        return part;
      }),
    };
    this.accumulator.add(forWebview);
    if (this.listener) this.paced.push(sliceChunk(forWebview, SLICE_VALUES));
  }

  /** The runs as far as they have come; undefined before the first chunk. */
  soFar(): RunsData | undefined {
    return this.accumulator.traces.length > 0 ? { traces: this.accumulator.copies() } : undefined;
  }

  /** The runs so far, then each new chunk, go to listener (in slices: the first is drawn at once). */
  attach(listener: (chunk: RunsDataChunk) => void | PromiseLike<unknown>): void {
    this.listener = listener;
    if (this.accumulator.traces.length > 0) this.paced.push(catchUpChunks(this.accumulator.traces, this.accumulator.done, SLICE_VALUES));
  }

  /** Resolves once the listener has had every chunk received so far. */
  delivered(): Promise<void> {
    return this.paced.drained();
  }

  cancel(): void {
    this.listener = undefined;
    this.paced.clear();
    this.source.cancel();
  }
}
