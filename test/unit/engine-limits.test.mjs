// The engine's limits (issue 16): memory past 2 GiB, failed requests that free what they made, requests refused
// before any work with the limit and what to change, recording every k-th step, bounded caches, and the small
// probes (own-property names, holes, non-finite ranges, values in messages, cancelling a synchronous stream).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const { LruCache } = await loadTs('src/engine/cache.ts');

const GiB = 2 ** 30;
const adamOn = (loss, steps, extra = {}) => ({ loss, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps, ...extra });

test('defect 1: past 2 GiB of core memory, traces and landscapes are read right; what would pass the recorded budget is refused', async () => {
  const engine = await createEngine();
  const fresh = await createEngine();
  // Recorded runs of 763 + 763 + 485 MiB, then 48 MiB of generated samples: what is allocated next lies above 2^31.
  const held = [await engine.startRuns(adamOn('rosenbrock', 25e6)), await engine.startRuns(adamOn('rosenbrock', 25e6))];
  held.push(await engine.startRuns(adamOn('rosenbrock', 15.9e6)));
  await assert.rejects(engine.startRuns(adamOn('rosenbrock', 25e6)), {
    message: 'Recording 1 run of 25000000 steps needs 762.94 MiB, beside the 1.96 GiB its open runs and sessions hold: the engine '
      + 'holds at most 2 GiB of recorded runs. Use fewer steps, record every k-th step (recordEvery), or fewer parameters, or close other runs',
  });
  for (const seed of [1, 2, 3]) await engine.lossInfo('linear_regression', { samples: 1e6, seed });

  const grid = { loss: 'himmelblau', x: [-5, 5], y: [-5, 5], size: [1024, 1024] };
  const view = await engine.landscapeView(grid);
  assert.ok(view.values.byteOffset > 2 ** 31, `the grid lies at ${view.values.byteOffset}`);
  assert.deepEqual(view.values, (await fresh.landscape(grid)).values);
  const small = adamOn('beale', 1e6);
  const set = await engine.startRuns(small);
  set.advance(small.steps);
  assert.ok(set.view(0).rows.byteOffset > 2 ** 31, `the trace lies at ${set.view(0).rows.byteOffset}`);
  assert.deepEqual(set.snapshot(0).rows, (await fresh.runs(small))[0].rows);
  set.dispose();

  held.forEach((s) => s.dispose());
  assert.equal(engine.memory().recordedBytes, 0);
  assert.ok(engine.memory().wasmBytes <= 3 * GiB);
  (await engine.startRuns(adamOn('rosenbrock', 25e6))).dispose();
  assert.deepEqual((await engine.runs(small))[0].rows, (await fresh.runs(small))[0].rows);
  assert.deepEqual((await engine.landscape(grid)).values, (await fresh.landscape(grid)).values);
});

test('defect 2: a failed multi-run request frees the runs it made; repeating it holds no more memory', async () => {
  const engine = await createEngine();
  const newton = { loss: 'sphere', lossParams: { dim: 16384 }, runs: [{ optimizer: 'adam' }, { optimizer: 'newton' }], steps: 4000 };
  // Fails after its first run exists: the second run (sgd) has no exp_avg_x for the condition.
  const condition = { loss: 'rosenbrock', runs: [{ optimizer: 'adam' }, { optimizer: 'sgd' }], steps: 4e6, breakpoints: ['exp_avg_x > 1e9'] };
  const rounds = [];
  for (let round = 0; round < 6; round++) {
    await assert.rejects(engine.runs(newton), /^Error: Newton's method holds the 16384 x 16384 Hessian: it takes at most 1000 parameters, this loss has 16384/);
    await assert.rejects(engine.runs(condition), /Unknown name 'exp_avg_x'/);
    rounds.push(engine.memory());
  }
  for (const memory of rounds) {
    assert.equal(memory.wasmBytes, rounds[0].wasmBytes);
    assert.equal(memory.recordedBytes, 0);
    assert.equal(memory.runSets, 0);
    assert.equal(memory.conditions.retained, 0);
  }
  assert.ok(rounds[0].wasmBytes < 300 * 2 ** 20, `${rounds[0].wasmBytes} bytes`);
  const valid = adamOn('rosenbrock', 1e5);
  assert.deepEqual((await engine.runs(valid))[0].rows, (await (await createEngine()).runs(valid))[0].rows);
});

test('defect 3: requests the core cannot serve are refused before any work, saying the limit and what to change', async () => {
  const engine = await createEngine();
  const before = engine.memory().wasmBytes;
  let chunks = 0;
  await assert.rejects(engine.streamRuns(adamOn('rosenbrock', 5e7), () => chunks++), {
    message: "One run's recorded trace would take 1.49 GiB (50000001 rows of 2 parameters), more than the 1 GiB the engine can hold "
      + 'for one run: use fewer steps, record every k-th step (recordEvery), or fewer parameters',
  });
  assert.equal(chunks, 0);
  for (const dim of [46341, 10000, 1001]) {
    await assert.rejects(engine.trace({ loss: 'sphere', lossParams: { dim }, optimizer: 'newton', steps: 1 }), {
      message: `Newton's method holds the ${dim} x ${dim} Hessian: it takes at most 1000 parameters, this loss has ${dim}. `
        + 'Use fewer parameters or a first-order optimizer (sgd, adam, ...)',
    });
  }
  await assert.rejects(engine.evaluate('sphere', Array(1001).fill(1), { dim: 1001 }), /evaluate returns the 1001 x 1001 Hessian: at most 1000 parameters/);
  await assert.rejects(engine.trace({ loss: 'rosenbrock', optimizer: 'adam', steps: 3.35e7 }), {
    message: 'trace returns its rows as JavaScript arrays, at most 10000000 numbers; 33500001 rows of 3 need 100500003. '
      + 'Record every k-th step (recordEvery: 11 or more), use fewer steps, or use runs or streamRuns (rows in a Float64Array)',
  });
  await assert.rejects(engine.runs(adamOn('rosenbrock', 2e8)), /^Error: steps must be an integer from 0 to 100000000, got 200000000$/);
  assert.equal(engine.memory().wasmBytes, before);
  assert.equal((await engine.trace({ loss: 'sphere', lossParams: { dim: 1000 }, optimizer: 'newton', steps: 1 })).status, 'completed');
});

test('recordEvery keeps row 0, every k-th step and the last row, bit for bit the rows of a full trace', async () => {
  const engine = await createEngine();
  const steps = 100_003;
  const full = await engine.trace({ loss: 'rosenbrock', optimizer: 'adam', options: { lr: 0.01 }, steps });
  const every = await engine.trace({ loss: 'rosenbrock', optimizer: 'adam', options: { lr: 0.01 }, steps, recordEvery: 1000 });
  const kept = [...Array.from({ length: 101 }, (_, r) => r * 1000), steps];
  assert.deepEqual(every.trajectory, kept.map((step) => full.trajectory[step]));
  assert.deepEqual(every.gradNorm, kept.map((step) => full.gradNorm[step]));
  assert.equal(every.stoppedAt, steps);

  // A run that stops early keeps its last step; a diverged one its last finite step.
  const [converged, diverged] = await engine.runs({
    loss: 'sphere', steps: 1000, recordEvery: 7, stop: { gradTol: 1e-3 },
    runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, start: [1, 1] }, { optimizer: 'sgd', options: { lr: 2e154 }, start: [1, 1] }],
  });
  const [whole, wholeDiverged] = await engine.runs({
    loss: 'sphere', steps: 1000, stop: { gradTol: 1e-3 },
    runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, start: [1, 1] }, { optimizer: 'sgd', options: { lr: 2e154 }, start: [1, 1] }],
  });
  assert.equal(converged.status, 'converged');
  assert.equal(converged.recordEvery, 7);
  const lastRow = (trace) => Array.from(trace.rows.subarray((trace.rowCount - 1) * 4, trace.rowCount * 4));
  assert.deepEqual(lastRow(converged), lastRow(whole));
  assert.equal(converged.rowCount, Math.floor(whole.stoppedAt / 7) + 1 + (whole.stoppedAt % 7 === 0 ? 0 : 1));
  assert.equal(diverged.status, 'diverged');
  assert.deepEqual(lastRow(diverged), lastRow(wholeDiverged));

  const streamed = [];
  await engine.streamRuns({ ...adamOn('beale', 50_000), recordEvery: 100 }, (chunk) => streamed.push(...chunk.traces[0].rows));
  assert.deepEqual(Float64Array.from(streamed), (await engine.runs({ ...adamOn('beale', 50_000), recordEvery: 100 }))[0].rows);

  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', steps: 10, recordEvery: 2, breakpoints: ['loss < 1'] }), /recordEvery above 1 cannot be combined with breakpoints/);
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', steps: 10, recordEvery: 0 }), /^Error: recordEvery must be an integer from 1 to 100000000, got 0$/);
  await assert.rejects(engine.openSession({ ...adamOn('beale', 10), recordEvery: 2 }), /A session records every step/);
});

test('the CLI refuses a trace too long for its output at once and records every k-th step with --record-every', () => {
  const refused = spawnSync(process.execPath, [cli, 'trace', '--loss', 'rosenbrock', '--optimizer', 'adam', '--steps', '10000000'], { encoding: 'utf8' });
  assert.equal(refused.status, 2);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^optiscope: trace returns its rows as JavaScript arrays, at most 10000000 numbers; 10000001 rows of 3 need 30000003\. Record every k-th step \(recordEvery: 4 or more\)/);
  const kept = spawnSync(process.execPath, [cli, 'trace', '--loss', 'rosenbrock', '--optimizer', 'adam', '--steps', '1000000', '--record-every', '1000'], { encoding: 'utf8' });
  assert.equal(kept.status, 0, kept.stderr);
  const result = JSON.parse(kept.stdout);
  assert.equal(result.trajectory.length, 1001);
  assert.equal(result.stoppedAt, 1e6);
});

test('defect 5: the caches of compiled losses and conditions stay bounded, free what they drop, and keep what runs use', async () => {
  const engine = await createEngine();
  const table = () => engine.core.exports.table.length; // the core's function table: 4 slots per loss, 1 per check
  const held = await engine.startRuns({ loss: 'x^2 + 0.5*y^2', runs: [{ optimizer: 'adam' }], steps: 1000 });
  for (let i = 0; i < 300; i++) await engine.lossInfo(`x^2 + ${i + 1}*y^2 + 0.25`);
  const afterLosses = engine.memory();
  assert.equal(afterLosses.losses.entries, 64);
  assert.equal(afterLosses.losses.retained, 1, 'the loss of the open run set is kept out of the cache until it closes');
  assert.ok(table() <= 4 * 66, `${table()} table slots`);
  held.advance(1000);
  assert.deepEqual(held.snapshot(0).rows, (await (await createEngine()).runs({ loss: 'x^2 + 0.5*y^2', runs: [{ optimizer: 'adam' }], steps: 1000 }))[0].rows);
  held.dispose();
  assert.equal(engine.memory().losses.retained, 0);

  for (let i = 0; i < 600; i++) await engine.trace({ loss: 'beale', optimizer: 'adam', steps: 2, breakpoints: [`loss < ${i + 1}e-9`] });
  const usage = engine.memory();
  assert.equal(usage.conditions.entries, 256);
  assert.ok(usage.conditions.bytes <= 16 * 2 ** 20);
  assert.ok(table() <= 4 * 66 + 257, `${table()} table slots`);
  assert.ok(usage.losses.bytes <= 64 * 2 ** 20);
  assert.equal(usage.wasmBytes, afterLosses.wasmBytes);
});

test('LruCache: bounded by entries and bytes, least recently used out first, leased values freed on release, failures not kept', async () => {
  const freed = [];
  const cache = new LruCache({ entries: 3, bytes: 100 }, (value) => value.bytes, (value) => freed.push(value.name));
  const get = async (name, bytes = 10) => {
    const lease = cache.acquire(name, async () => ({ name, bytes }));
    await lease.value;
    return lease;
  };
  for (const name of ['a', 'b', 'c']) (await get(name)).release();
  (await get('a')).release(); // a is now the most recent
  (await get('d')).release();
  assert.deepEqual(freed, ['b']);
  const big = await get('e', 120); // over the bytes alone: everything goes, e once released
  assert.deepEqual(freed, ['b', 'c', 'a', 'd']);
  assert.deepEqual(cache.usage(), { entries: 0, bytes: 0, retained: 1 });
  big.release();
  big.release();
  assert.deepEqual(freed, ['b', 'c', 'a', 'd', 'e']);
  assert.deepEqual(cache.usage(), { entries: 0, bytes: 0, retained: 0 });
  const failing = cache.acquire('f', async () => { throw new Error('no'); });
  await assert.rejects(failing.value, /no/);
  failing.release();
  assert.equal(cache.usage().entries, 0);
});

test('smaller probes: own names only, holes, ranges of infinite width, values as written, short excerpts', async () => {
  const engine = await createEngine();
  for (const optimizer of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    await assert.rejects(engine.trace({ loss: 'beale', optimizer, steps: 1 }), new RegExp(`^Error: Unknown optimizer "${optimizer}"\\. Valid optimizers: sgd,`));
  }
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', options: { toString: 1 }, steps: 1 }), /^Error: Unknown option 'toString' for adam\. Valid options: lr,/);
  await assert.rejects(engine.trace({ loss: 'sphere', lossParams: { constructor: 3 }, optimizer: 'adam', steps: 1 }), /^Error: Loss 'sphere' has no parameter 'constructor'\. Valid parameters: dim$/);
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', schedule: { type: 'toString' }, steps: 1 }), /^Error: Unknown schedule \{"type": "toString"\}\. Valid types:/);
  // eslint-disable-next-line no-sparse-arrays
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', start: [, 1], steps: 5 }), /^Error: start must be a list of finite numbers, got \[<empty>, 1\]$/);
  await assert.rejects(engine.landscape({ loss: 'sphere', x: [-1e308, 1e308], y: [-1, 1], size: [4, 4] }), /^Error: The x range is too wide: its width must be a finite number, got \[-1e\+308, 1e\+308\]$/);
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', start: [NaN, 1], steps: 1 }), /^Error: start must be a list of finite numbers, got \[NaN, 1\]$/);
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', steps: Infinity }), /got Infinity$/);
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'adam', options: { lr: -Infinity }, steps: 1 }), /^Error: Invalid learning rate: -inf$/);
  for (const [loss, start] of [['a'.repeat(1e6), "Unknown loss 'aaaa"], [`x + ${'q'.repeat(1e6)}`, "Invalid loss at line 1, column 5: Unknown name 'qqqq"]]) {
    const error = await engine.lossInfo(loss).catch((e) => e);
    assert.ok(error.message.startsWith(start), error.message.slice(0, 80));
    assert.ok(error.message.length < 500, `${error.message.length} characters`);
  }
  const condition = await engine.trace({ loss: 'beale', optimizer: 'adam', steps: 1, breakpoints: [`loss <${' <'.repeat(5e5)}`] }).catch((e) => e);
  assert.match(condition.message, /^Invalid breakpoint condition 'loss < < .*… \(1000006 characters\)' \(column 8\): /);
  assert.ok(condition.message.length < 500);
});

test('a stream with a synchronous onChunk stops when a timer cancels it', async () => {
  const engine = await createEngine();
  const signal = { isCancellationRequested: false };
  setTimeout(() => (signal.isCancellationRequested = true), 0);
  const chunks = [];
  await engine.streamRuns(adamOn('rosenbrock', 1e6), (chunk) => chunks.push(chunk), signal);
  assert.equal(chunks.at(-1).done, false, `stopped after ${chunks.length} chunks`);
  assert.ok(chunks.at(-1).traces[0].rowCount < 1e6 + 1);
  assert.equal(engine.memory().runSets, 0);
});

test("the worker reports the engine's memory (the extension logs it at Trace level)", async () => {
  const { EngineClient } = await loadTs('src/engine/engineClient.ts');
  const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
  const { describeEngineMemory } = await loadTs('src/engine/limits.ts');
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    assert.equal(await client.memory(), undefined, 'no worker, nothing to ask');
    await client.runs(adamOn('x^2 + 3*y^2', 1000));
    await client.trace({ loss: 'beale', optimizer: 'adam', steps: 5, breakpoints: ['loss < 1e-9'] });
    const memory = await client.memory();
    assert.equal(memory.losses.entries, 2); // the expression and beale
    assert.equal(memory.conditions.entries, 1);
    assert.equal(memory.recordedBytes, 0);
    assert.ok(memory.wasmBytes > 0);
    assert.match(describeEngineMemory(memory), /^engine memory: wasm \d+(\.\d+)? [KMG]iB; recorded runs 0 KiB in 0 sets \(0 sessions\); landscape 0 KiB; compiled losses 2 \(\d+(\.\d+)? KiB\); conditions 1 \(\d+(\.\d+)? KiB\)$/);
  } finally {
    client.dispose();
  }
});

test('a session too large to keep every step says how many steps fit, for one run and for several; the engine stays usable', async () => {
  const engine = await createEngine();
  const { LIMITS } = await loadTs('src/shared/limits.ts');
  const dim = 100_000;
  const session = (steps, runs = 1) => ({
    loss: 'quadratic', lossParams: { dim }, steps, runs: Array.from({ length: runs }, () => ({ optimizer: 'adam', options: { lr: 0.01 } })),
  });
  // A session row holds the gradient, three state vectors, the rate and two scalars (core/assembly/run.ts stateWidth).
  const stateRowBytes = (4 * dim + 3) * 8;
  const perRun = Math.floor(LIMITS.maxBlockBytes / stateRowBytes) - 1;
  await assert.rejects(engine.openSession(session(1000)), (error) => {
    assert.match(error.message, new RegExp(`a debug session keeps every step's state \\(for Step Back\\); at most ${perRun} steps of this run fit \\(100000 parameters\\): use fewer steps or a smaller network$`));
    assert.doesNotMatch(error.message, /recordEvery/, 'a session cannot record every k-th step');
    return true;
  });
  // Three runs of perRun steps fit one by one but not together: fewer steps each.
  await assert.rejects(engine.openSession(session(perRun, 3)), (error) => {
    const fitting = Number(/at most (\d+) steps of these 3 runs fit/.exec(error.message)?.[1]);
    assert.ok(fitting > 0 && fitting < perRun, error.message);
    assert.match(error.message, /use fewer steps, fewer runs or a smaller network$/);
    return true;
  });
  const opened = await engine.openSession(session(5));
  assert.equal(opened.runs.length, 1);
  await engine.closeSession(opened.id);
});
