// The host-side EngineClient against the real worker (dist/worker.js): results, errors, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { EngineClient, CancelledError } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const workerScript = fileURLToPath(new URL('../../dist/worker.js', import.meta.url));

function cancelSignal() {
  const listeners = [];
  return {
    isCancellationRequested: false,
    onCancellationRequested(listener) {
      listeners.push(listener);
      return { dispose() {} };
    },
    cancel() {
      this.isCancellationRequested = true;
      for (const listener of listeners) listener();
    },
  };
}

test('the worker answers exactly what the engine computes in-process', async () => {
  const client = new EngineClient(() => startNodeWorker(workerScript));
  const engine = await createEngine();
  const request = { loss: 'beale', start: [1, 1.5], optimizer: 'adam', options: { lr: 0.05 }, steps: 50 };
  try {
    assert.deepEqual(await client.trace(request), await engine.trace(request));
    const grid = await client.landscape({ loss: 'himmelblau', x: [-5, 5], y: [-5, 5], size: [16, 8] });
    assert.ok(grid.values instanceof Float64Array);
    assert.deepEqual(Array.from(grid.values), Array.from((await engine.landscape({ loss: 'himmelblau', x: [-5, 5], y: [-5, 5], size: [16, 8] })).values));
  } finally {
    client.dispose();
  }
});

test('engine errors reach the caller as Errors with the engine message', async () => {
  const client = new EngineClient(() => startNodeWorker(workerScript));
  try {
    await assert.rejects(client.trace({ loss: 'sphere', optimizer: 'sgd', options: { lr: -1 }, steps: 3 }), /Invalid learning rate: -1/);
  } finally {
    client.dispose();
  }
});

test('cancelling a long run rejects it at once, and the other requests still complete', async () => {
  const client = new EngineClient(() => startNodeWorker(workerScript));
  try {
    const signal = cancelSignal();
    const long = client.runs({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }], steps: 20_000_000 }, signal);
    const other = client.trace({ loss: 'booth', optimizer: 'sgd', options: { lr: 0.01 }, steps: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    signal.cancel();
    await assert.rejects(long, (error) => error instanceof CancelledError);
    assert.equal((await other).trajectory.length, 11);
  } finally {
    client.dispose();
  }
});
