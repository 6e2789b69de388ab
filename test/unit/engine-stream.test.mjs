// Streamed runs: the engine's chunks add up to exactly the runs' traces, in and out of the worker; a cancel stops
// a stream between chunks without ending the worker; the host and webview grow traces from the chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { EngineClient, CancelledError } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const { TraceAccumulator, catchUpChunks, sliceChunk, Paced } = await loadTs('src/shared/traceStream.ts');
const { CancelSource } = await loadTs('src/shared/rpc.ts');
const workerScript = fileURLToPath(new URL('../../dist/worker.js', import.meta.url));

const request = {
  loss: 'rosenbrock',
  steps: 10_000,
  runs: [
    { optimizer: 'adam', options: { lr: 0.02 }, label: 'Adam' },
    { optimizer: 'sgd', options: { lr: 0.01 } }, // diverges early: its rows stop, the others go on
    { optimizer: 'rmsprop', options: { lr: 0.001 } },
  ],
};

function sameTraces(streamed, whole) {
  assert.equal(streamed.length, whole.length);
  streamed.forEach((trace, i) => {
    assert.equal(trace.rowCount, whole[i].rowCount, `run ${i} rows`);
    assert.equal(trace.status, whole[i].status);
    assert.equal(trace.stoppedAt, whole[i].stoppedAt);
    assert.equal(trace.label, whole[i].label);
    assert.deepEqual(trace.rows, whole[i].rows.subarray(0, whole[i].rowCount * (whole[i].dim + 2)));
  });
}

test('in-process: a small first chunk, growing chunks, and rows that add up bit for bit to runs()', async () => {
  const engine = await createEngine();
  const whole = await engine.runs(request);
  assert.equal(whole[1].status, 'diverged');
  const chunks = [];
  const grown = new TraceAccumulator();
  await engine.streamRuns(request, (chunk) => {
    chunks.push(chunk);
    grown.add(chunk);
  });
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  assert.ok(chunks[0].traces[0].rowCount <= 201, `first chunk: ${chunks[0].traces[0].rowCount} rows`);
  assert.ok(chunks[1].traces[0].rows.length > chunks[0].traces[0].rows.length, 'the chunks grow');
  assert.deepEqual(chunks.map((c) => c.done), [...chunks.slice(1).map(() => false), true]);
  // Every chunk starts where the one before ended.
  for (let k = 1; k < chunks.length; k++) chunks[k].traces.forEach((t, i) => assert.equal(t.from, chunks[k - 1].traces[i].rowCount));
  assert.equal(chunks[0].traces[0].status, 'running');
  sameTraces(grown.traces, whole);
});

test('in-process: recorded state streams with its rows; a cancelled signal ends the stream after the current chunk', async () => {
  const engine = await createEngine();
  const withState = { ...request, recordState: true, steps: 1000 };
  const whole = await engine.runs(withState);
  const states = whole.map(() => []);
  await engine.streamRuns(withState, (chunk) => chunk.traces.forEach((t, i) => states[i].push(...t.state)));
  states.forEach((state, i) => assert.deepEqual(Float64Array.from(state), whole[i].state));

  const signal = { isCancellationRequested: false };
  const seen = [];
  await engine.streamRuns(request, (chunk) => {
    seen.push(chunk);
    signal.isCancellationRequested = true;
  }, signal);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].done, false);
});

test('through the worker: chunks arrive before the reply and add up to runs(); a cancel stops the stream, the same worker answers on', async () => {
  let started = 0;
  const client = new EngineClient(() => {
    started++;
    return startNodeWorker(workerScript);
  });
  try {
    const whole = await client.runs(request);
    const grown = new TraceAccumulator();
    let chunks = 0;
    await client.streamRuns(request, (chunk) => {
      chunks++;
      assert.ok(chunk.traces[0].rows instanceof Float64Array);
      grown.add(chunk);
    });
    assert.ok(chunks >= 3);
    sameTraces(grown.traces, whole);

    // A stream long enough to be cancelled in the middle: 12 runs of 100 000 steps.
    const long = { loss: 'rosenbrock', steps: 100_000, runs: Array.from({ length: 12 }, () => ({ optimizer: 'adam', options: { lr: 1e-4 } })) };
    const cancel = new CancelSource();
    let afterCancel = 0;
    const first = new Promise((resolve) => {
      const stream = client.streamRuns(long, () => {
        if (cancel.isCancellationRequested) afterCancel++;
        resolve({ stream }); // wrapped: a promise would be awaited
      }, cancel);
    });
    const { stream } = await first;
    cancel.cancel();
    await assert.rejects(stream, (error) => error instanceof CancelledError);
    // The worker stopped the stream and answers the next request; it was never restarted.
    const after = await client.runs({ ...request, steps: 10 });
    assert.equal(after[0].rowCount, 11);
    assert.equal(started, 1);
    assert.equal(afterCancel, 0, 'no chunk reaches a cancelled stream');
  } finally {
    client.dispose();
  }
});

test('TraceAccumulator: rows land at their index, a chunk sent again overwrites, traces are views sized to rowCount', () => {
  const part = (from, values, rowCount, done = false) => ({
    done,
    traces: [{ label: 'a', optimizer: 'sgd', dim: 1, from, rows: Float64Array.from(values), rowCount, status: done ? 'completed' : 'running', stoppedAt: rowCount - 1 }],
  });
  const grown = new TraceAccumulator();
  grown.add(part(0, [0, 1, 2, 3, 4, 5], 2));
  grown.add(part(2, [6, 7, 8], 3));
  assert.deepEqual(Array.from(grown.traces[0].rows), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  // After a worker restart the stream starts again from row 0.
  grown.add(part(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 4, true));
  assert.equal(grown.traces[0].rowCount, 4);
  assert.deepEqual(Array.from(grown.traces[0].rows), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(grown.done, true);
  const copy = grown.copies()[0];
  assert.equal(copy.rows.buffer.byteLength, 12 * 8, 'a copy is exactly its rows');
  assert.equal(copy.status, 'completed');
});

test('catch-up chunks: small enough, in step order, and accumulated they are the traces again (statuses at the end)', () => {
  const trace = (rowCount, dim, status) => ({ label: `${status}`, optimizer: 'adam', dim, rows: Float64Array.from({ length: rowCount * (dim + 2) }, (_, k) => k + dim / 10), rowCount, status, stoppedAt: rowCount - 1 });
  const traces = [trace(1001, 2, 'completed'), trace(40, 2, 'diverged'), trace(1001, 3, 'completed')];
  const chunks = [...catchUpChunks(traces, true, 1000)];
  assert.ok(chunks.length > 1);
  for (const chunk of chunks) assert.ok(chunk.traces.reduce((sum, t) => sum + t.rows.length, 0) <= 1000, 'at most 1000 numbers a chunk');
  assert.deepEqual(chunks.map((c) => c.done), chunks.map((_, k) => k === chunks.length - 1), 'done on the last one only');
  assert.deepEqual(chunks[0].traces.map((t) => t.from), [0, 0, 0]);
  assert.equal(chunks[0].traces[0].status, 'running', 'a run shown in part is still running');
  const grown = new TraceAccumulator();
  for (const chunk of chunks) grown.add(chunk);
  assert.equal(grown.done, true);
  grown.traces.forEach((t, i) => {
    assert.deepEqual(t.rows, traces[i].rows);
    assert.equal(t.rowCount, traces[i].rowCount);
    assert.equal(t.status, traces[i].status);
  });
  // With the gradients (the step arrows): they come along, counted in the chunk size, and accumulate likewise.
  const withGrad = traces.map((t) => ({ ...t, grad: Float64Array.from({ length: t.rowCount * 2 }, (_, k) => -k) }));
  const gradChunks = [...catchUpChunks(withGrad, true, 1000)];
  for (const chunk of gradChunks) assert.ok(chunk.traces.reduce((sum, t) => sum + t.rows.length + t.grad.length, 0) <= 1000, 'at most 1000 numbers with the gradients');
  const grownWithGrad = new TraceAccumulator();
  for (const chunk of gradChunks) grownWithGrad.add(chunk);
  grownWithGrad.traces.forEach((t, i) => {
    assert.deepEqual(t.rows, traces[i].rows);
    assert.deepEqual(t.grad, withGrad[i].grad);
  });
  assert.deepEqual(grownWithGrad.copies()[1].grad, withGrad[1].grad);
  assert.equal(grownWithGrad.copies()[1].grad.buffer.byteLength, 40 * 2 * 8, 'a copy is exactly its gradients');
  assert.equal(grown.traces[0].grad, undefined, 'no gradients unless the chunks have them');
  const [only, ...more] = catchUpChunks(traces, false, 1e9);
  assert.equal(more.length, 0, 'short runs: one chunk');
  assert.equal(only.done, false);
});

test('a streamed chunk in slices: bounded copies, runs that start or end at other rows, and the same traces accumulated', () => {
  const rows = (from, to, dim) => Float64Array.from({ length: (to - from) * (dim + 2) }, (_, k) => from * (dim + 2) + k + dim / 10);
  const part = (from, rowCount, dim, status) => ({ label: status, optimizer: 'adam', dim, from, rows: rows(from, rowCount, dim), rowCount, status, stoppedAt: rowCount - 1 });
  // Rows [0, 200) came before; this chunk brings [200, 1000) of two runs and the last rows of one that diverged at 250.
  const before = { done: false, traces: [part(0, 200, 2, 'running'), part(0, 200, 2, 'running'), part(0, 200, 3, 'running')] };
  const chunk = { done: true, traces: [part(200, 1000, 2, 'completed'), part(200, 250, 2, 'diverged'), part(200, 1000, 3, 'completed')] };
  const slices = [...sliceChunk(chunk, 1000)];
  assert.ok(slices.length > 1);
  for (const slice of slices) {
    assert.ok(slice.traces.reduce((sum, t) => sum + t.rows.length, 0) <= 1000, 'at most 1000 numbers a slice');
    for (const t of slice.traces) assert.equal(t.rows.buffer.byteLength, t.rows.length * 8, 'a slice is a copy, not a view of the chunk');
  }
  assert.deepEqual(slices.map((c) => c.done), slices.map((_, k) => k === slices.length - 1));
  assert.deepEqual(slices[0].traces.map((t) => t.from), [200, 200, 200]);
  assert.deepEqual(slices.at(-1).traces.map((t) => t.status), ['completed', 'diverged', 'completed']);
  assert.equal(slices[0].traces[0].status, 'running');
  const grown = new TraceAccumulator();
  grown.add(before);
  for (const slice of slices) grown.add(slice);
  assert.deepEqual(grown.traces.map((t) => t.rowCount), [1000, 250, 1000]);
  grown.traces.forEach((t, i) => assert.deepEqual(t.rows, rows(0, chunk.traces[i].rowCount, chunk.traces[i].dim)));
  assert.deepEqual(grown.traces.map((t) => t.status), ['completed', 'diverged', 'completed']);
  assert.equal(grown.done, true);
});

test('Paced: one item per macrotask, in order (lazy iterables too); drained waits for the last; clear drops the rest', async () => {
  const delivered = [];
  const paced = new Paced((item) => delivered.push(item));
  let made = 0;
  function* lazy() {
    for (const item of ['c', 'd']) {
      made++;
      yield item;
    }
  }
  paced.push(['a', 'b']);
  paced.push(lazy());
  assert.deepEqual(delivered, [], 'nothing in the pushing task');
  const seen = [];
  for (let task = 0; task < 3; task++) {
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(delivered.length);
  }
  assert.ok(seen.every((count, k) => count <= k + 1), `at most one item per task: ${seen}`);
  await paced.drained();
  assert.deepEqual(delivered, ['a', 'b', 'c', 'd']);
  assert.equal(made, 2);
  await paced.drained();

  const dropped = [];
  const cleared = new Paced((item) => dropped.push(item));
  cleared.push([1, 2, 3]);
  const drained = cleared.drained();
  await new Promise((resolve) => setImmediate(resolve));
  cleared.clear();
  await drained;
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(dropped, [1]);
});

test('Paced: when delivering returns a promise (the page has the message), the next item waits for it; a rejection goes on', async () => {
  const delivered = [];
  const pending = [];
  const paced = new Paced((item) => {
    delivered.push(item);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  });
  paced.push(['a', 'b', 'c']);
  const drained = paced.drained();
  const tasks = (n) => Array.from({ length: n }).reduce((p) => p.then(() => new Promise((resolve) => setImmediate(resolve))), Promise.resolve());
  await tasks(5);
  assert.deepEqual(delivered, ['a'], 'one item in flight');
  paced.push(['d']);
  await tasks(5);
  assert.deepEqual(delivered, ['a'], 'a push meanwhile waits too');
  pending[0].resolve(true);
  await tasks(3);
  assert.deepEqual(delivered, ['a', 'b']);
  pending[1].reject(new Error('the page is gone'));
  await tasks(3);
  assert.deepEqual(delivered, ['a', 'b', 'c']);
  pending[2].resolve(true);
  await tasks(3);
  pending[3].resolve(false);
  await drained;
  assert.deepEqual(delivered, ['a', 'b', 'c', 'd']);
});
