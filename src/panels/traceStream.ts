// Streamed runs (engine chunks -> host -> webview): a cancel source, and traces grown from chunks (no 'vscode'
// import: used by the host and the webviews, unit-tested in node).
import type { CancelSignal } from '../engine/engineClient';
import type { RunsDataChunk, TraceData, TraceDataChunk } from '../protocol';

/** A CancelSignal that can be cancelled (vscode.CancellationTokenSource without 'vscode'). */
export class CancelSource implements CancelSignal {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => void>();

  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

/** A Float64Array of at least `length` values holding `buffer`'s, grown by doubling (the same one when it is long enough). */
function grown(buffer: Float64Array | undefined, length: number): Float64Array {
  const current = buffer ?? new Float64Array(0);
  if (current.length >= length) return current;
  const bigger = new Float64Array(Math.max(length, 2 * current.length));
  bigger.set(current);
  return bigger;
}

/**
 * Traces grown from the chunks of one stream: each chunk's rows (and gradients, when it has them) are written at
 * their row index (a chunk sent again after a worker restart overwrites the same rows). `traces` are views on
 * buffers that grow by doubling.
 */
export class TraceAccumulator {
  private buffers: Float64Array[] = [];
  private gradients: Float64Array[] = [];
  traces: TraceData[] = [];
  done = false;

  add(chunk: RunsDataChunk): TraceData[] {
    this.traces = chunk.traces.map((part, i) => {
      const width = part.dim + 2;
      const buffer = (this.buffers[i] = grown(this.buffers[i], part.rowCount * width));
      buffer.set(part.rows, part.from * width);
      const { from: _from, rows: _rows, grad, ...meta } = part;
      const trace: TraceData = { ...meta, rows: buffer.subarray(0, part.rowCount * width) };
      if (grad) {
        const gradients = (this.gradients[i] = grown(this.gradients[i], part.rowCount * 2));
        gradients.set(grad, part.from * 2);
        trace.grad = gradients.subarray(0, part.rowCount * 2);
      }
      return trace;
    });
    this.done = chunk.done;
    return this.traces;
  }

  /** The traces as exact copies (what a reply carries: a view would send its whole buffer). */
  copies(): TraceData[] {
    return this.traces.map((trace) => ({ ...trace, rows: trace.rows.slice(), ...(trace.grad && { grad: trace.grad.slice() }) }));
  }
}

/**
 * Whole traces as chunks (made one at a time) of at most about `maxValues` numbers each (every run's rows [from, to) of one block of
 * steps), in order: a webview that catches up on a long stream draws the first block at once instead of waiting
 * for one message with every row. Runs end with their status in the chunk that holds their last row.
 */
export function* catchUpChunks(traces: TraceData[], done: boolean, maxValues: number): Generator<RunsDataChunk> {
  const widths = traces.map((trace) => trace.dim + 2);
  const perStep = traces.reduce((sum, trace, i) => sum + widths[i] + (trace.grad ? 2 : 0), 0);
  const block = Math.max(1, Math.floor(maxValues / Math.max(1, perStep)));
  const longest = traces.reduce((most, trace) => Math.max(most, trace.rowCount), 0);
  for (let start = 0; start === 0 || start < longest; start += block) {
    const end = Math.min(start + block, longest);
    yield {
      done: done && end >= longest,
      traces: traces.map((trace, i) => {
        const from = Math.min(start, trace.rowCount);
        const to = Math.min(end, trace.rowCount);
        const part: TraceDataChunk = { ...trace, status: to < trace.rowCount ? 'running' : trace.status, rowCount: to, from, rows: trace.rows.slice(from * widths[i], to * widths[i]) };
        if (trace.grad) part.grad = trace.grad.slice(from * 2, to * 2);
        return part;
      }),
    };
  }
}
