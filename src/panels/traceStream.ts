// Streamed runs (engine chunks -> host -> webview): a cancel source, and traces grown from chunks (no 'vscode'
// import: used by the host and the webviews, unit-tested in node).
import type { CancelSignal } from '../engine/engineClient';
import type { RunsDataChunk, TraceData } from '../protocol';

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

/**
 * Traces grown from the chunks of one stream: each chunk's rows are written at their row index (a chunk sent
 * again after a worker restart overwrites the same rows). `traces` are views on buffers that grow by doubling.
 */
export class TraceAccumulator {
  private buffers: Float64Array[] = [];
  traces: TraceData[] = [];
  done = false;

  add(chunk: RunsDataChunk): TraceData[] {
    this.traces = chunk.traces.map((part, i) => {
      const width = part.dim + 2;
      let buffer = this.buffers[i] ?? new Float64Array(0);
      if (buffer.length < part.rowCount * width) {
        const grown = new Float64Array(Math.max(part.rowCount * width, 2 * buffer.length));
        grown.set(buffer);
        buffer = grown;
        this.buffers[i] = buffer;
      }
      buffer.set(part.rows, part.from * width);
      const { from: _from, rows: _rows, ...meta } = part;
      return { ...meta, rows: buffer.subarray(0, part.rowCount * width) };
    });
    this.done = chunk.done;
    return this.traces;
  }

  /** The traces as exact copies (what a reply carries: a view would send its whole buffer). */
  copies(): TraceData[] {
    return this.traces.map((trace) => ({ ...trace, rows: trace.rows.slice() }));
  }
}

/**
 * Whole traces as chunks (made one at a time) of at most about `maxValues` numbers each (every run's rows [from, to) of one block of
 * steps), in order: a webview that catches up on a long stream draws the first block at once instead of waiting
 * for one message with every row. Runs end with their status in the chunk that holds their last row.
 */
export function* catchUpChunks(traces: TraceData[], done: boolean, maxValues: number): Generator<RunsDataChunk> {
  const widths = traces.map((trace) => trace.dim + 2);
  const perStep = widths.reduce((sum, width) => sum + width, 0);
  const block = Math.max(1, Math.floor(maxValues / Math.max(1, perStep)));
  const longest = traces.reduce((most, trace) => Math.max(most, trace.rowCount), 0);
  for (let start = 0; start === 0 || start < longest; start += block) {
    const end = Math.min(start + block, longest);
    yield {
      done: done && end >= longest,
      traces: traces.map((trace, i) => {
        const from = Math.min(start, trace.rowCount);
        const to = Math.min(end, trace.rowCount);
        return { ...trace, status: to < trace.rowCount ? 'running' : trace.status, rowCount: to, from, rows: trace.rows.slice(from * widths[i], to * widths[i]) };
      }),
    };
  }
}
