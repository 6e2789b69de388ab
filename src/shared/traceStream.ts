// Streamed runs (engine chunks -> host -> webview): traces grown from chunks, slices and pacing (no 'vscode'
// import: used by the host and the webviews, unit-tested in node).
import { METRICS_WIDTH } from './engineApi';
import type { RunsDataChunk, TraceData, TraceDataChunk } from './protocol';

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
/** A trace's per-row values beside its rows (rowCount x width each): sliced, grown and copied as the rows are. */
const EXTRAS = { grad: 2, averaged: 2, metrics: METRICS_WIDTH, running: 0 } as const;
const EXTRA_KEYS = Object.keys(EXTRAS) as (keyof typeof EXTRAS)[];
/** An extra's numbers per row (running: the trace's own width, set by its network). */
function extraWidth(key: keyof typeof EXTRAS, trace: TraceData): number {
  return key === 'running' ? trace.runningWidth ?? 0 : EXTRAS[key];
}

export class TraceAccumulator {
  private buffers: Float64Array[] = [];
  private extras: Record<keyof typeof EXTRAS, Float64Array[]> = { grad: [], averaged: [], metrics: [], running: [] };
  /** L-BFGS's evaluations per trace, appended chunk by chunk (a stream sent again from row 0 starts them again). */
  private evaluations: { values: Float64Array; length: number }[] = [];
  /** Per-step losses per trace (TraceData.losses), written at their steps. */
  private losses: { values: Float64Array; length: number }[] = [];
  traces: TraceData[] = [];
  done = false;

  add(chunk: RunsDataChunk): TraceData[] {
    this.traces = chunk.traces.map((part, i) => {
      const width = part.dim + 2;
      const buffer = (this.buffers[i] = grown(this.buffers[i], part.rowCount * width));
      buffer.set(part.rows, part.from * width);
      const { from: _from, rows: _rows, grad: _grad, averaged: _averaged, metrics: _metrics, running: _running, evaluations: _evaluations, losses: _losses, lossFrom: _lossFrom, ...meta } = part;
      const trace: TraceData = { ...meta, rows: buffer.subarray(0, part.rowCount * width) };
      const losses = this.writeLosses(i, part);
      if (losses) trace.losses = losses;
      const evaluations = this.appendEvaluations(i, part);
      if (evaluations) trace.evaluations = evaluations;
      for (const key of EXTRA_KEYS) {
        const values = part[key];
        if (!values) continue;
        const width = extraWidth(key, part);
        const grownExtra = (this.extras[key][i] = grown(this.extras[key][i], part.rowCount * width));
        grownExtra.set(values, part.from * width);
        trace[key] = grownExtra.subarray(0, part.rowCount * width);
      }
      return trace;
    });
    this.done = chunk.done;
    return this.traces;
  }

  private writeLosses(i: number, part: TraceDataChunk): Float64Array | undefined {
    if (part.losses) {
      const from = part.lossFrom ?? 0;
      const kept = this.losses[i] ?? { values: new Float64Array(0), length: 0 };
      const end = 2 * from + part.losses.length;
      kept.values = grown(kept.values, end);
      kept.values.set(part.losses, 2 * from);
      // a stream sent again from step 0 starts them again
      kept.length = from === 0 ? end : Math.max(kept.length, end);
      this.losses[i] = kept;
    } else if (part.from === 0) {
      delete this.losses[i];
    }
    const kept = this.losses[i];
    return kept && kept.length > 0 ? kept.values.subarray(0, kept.length) : undefined;
  }

  private appendEvaluations(i: number, part: TraceDataChunk): Float64Array | undefined {
    if (part.from === 0) this.evaluations[i] = { values: new Float64Array(0), length: 0 };
    const kept = this.evaluations[i];
    if (part.evaluations && kept) {
      kept.values = grown(kept.values, kept.length + part.evaluations.length);
      kept.values.set(part.evaluations, kept.length);
      kept.length += part.evaluations.length;
    }
    return kept && kept.length > 0 ? kept.values.subarray(0, kept.length) : undefined;
  }

  /** The traces as exact copies (what a reply carries: a view would send its whole buffer). */
  copies(): TraceData[] {
    return this.traces.map((trace) => {
      const copy: TraceData = { ...trace, rows: trace.rows.slice() };
      for (const key of EXTRA_KEYS) if (trace[key]) copy[key] = trace[key].slice();
      if (trace.evaluations) copy.evaluations = trace.evaluations.slice();
      if (trace.losses) copy.losses = trace.losses.slice();
      return copy;
    });
  }
}

/**
 * A chunk as chunks of at most about `maxValues` numbers each (every run's rows of one block of steps), made one at
 * a time, in order, as copies (a view would carry its whole buffer in a message). A run's status is 'running' until
 * the part that holds its last row; `done` is on the last part, which also carries L-BFGS's evaluations.
 */
export function* sliceChunk(chunk: RunsDataChunk, maxValues: number): Generator<RunsDataChunk> {
  const { traces } = chunk;
  const widths = traces.map((trace) => trace.dim + 2);
  // per row: its numbers, its extras, and with per-step losses the 2 numbers of each of the recordEvery steps it stands for
  const perStep = traces.reduce((sum, trace, i) => sum + widths[i] + EXTRA_KEYS.reduce((extra, key) => extra + (trace[key] ? extraWidth(key, trace) : 0), 0)
    + (trace.losses ? 2 * (trace.recordEvery ?? 1) : 0), 0);
  const block = Math.max(1, Math.floor(maxValues / Math.max(1, perStep)));
  const first = traces.reduce((least, trace) => Math.min(least, trace.from), traces.length > 0 ? Infinity : 0);
  const last = traces.reduce((most, trace) => Math.max(most, trace.rowCount), 0);
  for (let start = first; start === first || start < last; start += block) {
    const end = Math.min(start + block, last);
    yield {
      done: chunk.done && end >= last,
      traces: traces.map((trace, i) => {
        const from = Math.min(Math.max(start, trace.from), trace.rowCount);
        const to = Math.min(Math.max(end, trace.from), trace.rowCount);
        const offset = from - trace.from;
        const count = to - from;
        const part: TraceDataChunk = { ...trace, status: to < trace.rowCount ? 'running' : trace.status, rowCount: to, from, rows: trace.rows.slice(offset * widths[i], (offset + count) * widths[i]) };
        for (const key of EXTRA_KEYS) {
          const extra = trace[key];
          if (extra) part[key] = extra.slice(offset * extraWidth(key, trace), (offset + count) * extraWidth(key, trace));
        }
        if (trace.losses) Object.assign(part, lossSlice(trace, start === first ? undefined : from, end >= last ? undefined : to));
        if (end < last) delete part.evaluations;
        else if (trace.evaluations) part.evaluations = trace.evaluations.slice();
        return part;
      }),
    };
  }
}

/**
 * The per-step losses that go with a part's rows [from, to): the steps from row from's up to row to's (undefined: from
 * the chunk's first step, to its last), so that the parts of a chunk carry each step once, in order.
 */
function lossSlice(trace: TraceDataChunk, from: number | undefined, to: number | undefined): Pick<TraceDataChunk, 'losses' | 'lossFrom'> {
  const losses = trace.losses!;
  const every = trace.recordEvery ?? 1;
  const first = trace.lossFrom ?? 0;
  const end = first + losses.length / 2;
  const clamp = (step: number) => Math.min(Math.max(step, first), end);
  const lo = from === undefined ? first : clamp(from * every);
  const hi = to === undefined ? end : clamp(to * every);
  return { losses: losses.slice(2 * (lo - first), 2 * (hi - first)), lossFrom: lo };
}

/** Whole traces as chunks of at most about `maxValues` numbers each (see sliceChunk): a webview catching up on a long stream draws the first block at once. */
export function catchUpChunks(traces: TraceData[], done: boolean, maxValues: number): Generator<RunsDataChunk> {
  return sliceChunk({ done, traces: traces.map((trace) => ({ ...trace, from: 0, ...(trace.losses && { lossFrom: 0 }) })) }, maxValues);
}

const nextMacrotask: (callback: () => void) => void = typeof setImmediate === 'function' ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, 0);

/**
 * Hands items to `deliver` one per macrotask, in the order pushed, so that posting many of them never makes one long
 * task of the host's (its other work and I/O run in between). When `deliver` returns a promise (webview.postMessage's:
 * the message reached the page), the next item waits for it: one item in flight, so no backlog builds up behind a
 * slow connection to be written out at once.
 */
export class Paced<T> {
  private readonly queue: Iterator<T>[] = [];
  private scheduled = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly deliver: (item: T) => void | PromiseLike<unknown>) {}

  /** Queues items (made lazily, one per task). */
  push(items: Iterable<T>): void {
    this.queue.push(items[Symbol.iterator]());
    this.schedule();
  }

  /** Resolves once every item pushed so far was delivered (or cleared). */
  drained(): Promise<void> {
    return this.queue.length === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Drops what is still queued. */
  clear(): void {
    this.queue.length = 0;
    this.settle();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    nextMacrotask(() => this.step());
  }

  private step(): void {
    let inFlight: void | PromiseLike<unknown> = undefined;
    try {
      while (this.queue.length > 0) {
        const next = this.queue[0].next();
        if (!next.done) {
          inFlight = this.deliver(next.value);
          break;
        }
        this.queue.shift();
      }
    } finally {
      const after = (): void => {
        this.scheduled = false;
        if (this.queue.length > 0) this.schedule();
        else this.settle();
      };
      // Still "scheduled" while an item is in flight: a push meanwhile does not start a second chain.
      if (inFlight && typeof inFlight.then === 'function') inFlight.then(after, after);
      else after();
    }
  }

  private settle(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
