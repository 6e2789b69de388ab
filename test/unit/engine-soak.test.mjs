// Soak (issue 16): one engine serves a long mixed stream (requests refused for size, failed multi-run requests,
// 2 000 distinct losses and conditions, huge but allowed traces); afterwards it answers a fixed set of requests
// bit for bit as a fresh engine does, and its memory stays bounded: no growth from the first half to the second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');

const GiB = 2 ** 30;
const MiB = 2 ** 20;
/** Bounds stated in the README's Limits: the core's memory cap, and the process's resident memory in this test. */
const WASM_BOUND = 3 * GiB;
const RSS_BOUND = 1.5 * GiB;

/** The bits of every number in a result (typed arrays, nested arrays, objects), in order. */
function bits(result) {
  const numbers = [];
  const collect = (value) => {
    if (typeof value === 'number') numbers.push(value);
    else if (ArrayBuffer.isView(value) || Array.isArray(value)) for (const item of value) collect(item);
    else if (value && typeof value === 'object') for (const key of Object.keys(value).sort()) collect(value[key]);
  };
  collect(result);
  return Buffer.from(Float64Array.from(numbers).buffer);
}

const probes = [
  (e) => e.trace({ loss: 'beale', start: [1, 1.5], optimizer: 'adam', options: { lr: 0.05 }, steps: 500 }),
  (e) => e.runs({
    loss: 'rosenbrock', steps: 2000, recordState: true,
    runs: [{ optimizer: 'sgd', options: { lr: 1e-3, momentum: 0.9, nesterov: true } }, { optimizer: 'rmsprop' }, { optimizer: 'newton' }, { optimizer: 'nadam' }],
  }),
  (e) => e.landscape({ loss: 'ackley', x: [-5, 5], y: [-5, 5], size: [256, 192], gradientSize: [24, 16] }),
  (e) => e.landscape({ loss: 'sin(x)*cos(y) + 0.1*(x^2 + y^2)', x: [-4, 4], y: [-4, 4], size: [128, 128] }),
  (e) => e.runs({ loss: 'linear_regression', steps: 300, runs: [{ optimizer: 'sgd', options: { lr: 0.05 }, stochastic: { batchSize: 8, seed: 3 } }] }),
  (e) => e.trace({ loss: 'x^4 - 3*x*y + y^2', optimizer: 'adam', options: { lr: 0.02 }, steps: 3000, breakpoints: ['gradnorm < 1e-2'] }),
  (e) => e.evaluate('rosenbrock', [0.3, -0.2, 1.1], { dim: 3 }),
  (e) => e.runs({ loss: 'quadratic', lossParams: { dim: 50, condition: 100 }, steps: 800, recordEvery: 7, runs: [{ optimizer: 'adagrad', options: { lr: 0.5 } }] }),
];

async function mixedStream(engine, round) {
  const refusals = [
    () => engine.streamRuns({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }], steps: 5e7 }, () => assert.fail('no chunk')),
    () => engine.trace({ loss: 'rosenbrock', optimizer: 'adam', steps: 3.35e7 }),
    () => engine.trace({ loss: 'sphere', lossParams: { dim: 10000 }, optimizer: 'newton', steps: 1 }),
    () => engine.runs({ loss: 'sphere', lossParams: { dim: 16384 }, runs: [{ optimizer: 'adam' }, { optimizer: 'newton' }], steps: 4000 }),
  ];
  for (const refused of refusals) await assert.rejects(refused(), /at most|more than/);
  // Held sets up to the recorded budget; the next is refused; closing them frees it.
  const held = [];
  for (let i = 0; i < 2; i++) held.push(await engine.startRuns({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }], steps: 25e6 }));
  await assert.rejects(engine.startRuns({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }], steps: 25e6 }), /the engine holds at most 2 GiB of recorded runs/);
  // Failed multi-run requests, after their first run exists.
  for (let i = 0; i < 5; i++) {
    await assert.rejects(engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }, { optimizer: 'sgd' }], steps: 1e6, breakpoints: ['exp_avg_x > 1e9'] }), /Unknown name/);
  }
  held.forEach((set) => set.dispose());
  // 1 000 distinct losses and 1 000 distinct conditions; every 50th loss also runs.
  for (let i = 0; i < 1000; i++) {
    const loss = `${round}.5*x^2 + ${i + 1}*(y - 0.${i})^2`;
    if (i % 50 === 0) await engine.trace({ loss, optimizer: 'sgd', options: { lr: 1e-4 }, steps: 20 });
    else await engine.lossInfo(loss);
    await engine.trace({ loss: 'beale', optimizer: 'adam', steps: 3, breakpoints: [`loss < ${round}${i}e-12 or step == ${i + 5}`] });
  }
  // Huge but allowed.
  const [long] = await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 1e-3 } }], steps: 2e6 });
  assert.equal(long.rowCount, 2e6 + 1);
  const [wide] = await engine.runs({ loss: 'sphere', lossParams: { dim: 20_000 }, runs: [{ optimizer: 'sgd', options: { lr: 1e-3 } }], steps: 2000 });
  assert.equal(wide.rows.byteLength, 2001 * 20_002 * 8); // 305 MiB
  const every = await engine.trace({ loss: 'rosenbrock', optimizer: 'adam', steps: 2e6, recordEvery: 1000 });
  assert.equal(every.trajectory.length, 2001);
  let rows = 0;
  await engine.streamRuns({ loss: 'himmelblau', runs: [{ optimizer: 'rmsprop' }, { optimizer: 'adamw' }], steps: 1e6, recordEvery: 10 }, (chunk) => (rows += chunk.traces[0].rows.length));
  assert.equal(rows, 4 * (1e5 + 1));
}

test('soak: a mixed stream leaves the engine answering bit for bit as a fresh one, its memory bounded and not growing', async () => {
  const engine = await createEngine();
  const after = [];
  for (const round of [1, 2]) {
    await mixedStream(engine, round);
    globalThis.gc?.();
    after.push({ ...engine.memory(), rss: process.memoryUsage().rss });
  }
  const [first, second] = after;
  for (const usage of after) {
    assert.equal(usage.recordedBytes, 0);
    assert.equal(usage.runSets, 0);
    assert.ok(usage.losses.entries <= 64 && usage.losses.bytes <= 64 * MiB, JSON.stringify(usage.losses));
    assert.ok(usage.conditions.entries <= 256 && usage.conditions.bytes <= 16 * MiB, JSON.stringify(usage.conditions));
    assert.equal(usage.losses.retained + usage.conditions.retained, 0);
    assert.ok(usage.wasmBytes <= WASM_BOUND, `wasm memory ${usage.wasmBytes}`);
    assert.ok(usage.rss <= RSS_BOUND, `RSS ${usage.rss}`);
  }
  assert.equal(second.wasmBytes, first.wasmBytes, 'the core memory did not grow in the second round');
  assert.ok(second.rss <= first.rss + 128 * MiB, `RSS ${first.rss} then ${second.rss}`);
  const fresh = await createEngine();
  for (const [i, probe] of probes.entries()) assert.ok(bits(await probe(engine)).equals(bits(await probe(fresh))), `probe ${i}`);
});
