// The Playground's sharpness line: the networkSharpness message validated, answered by the host with the engine
// worker's numbers at a trained run's end (Engine.networkSharpness), and the page's line showing exactly those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { EngineClient } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
const { networkSharpnessData } = await loadTs('src/panels/scenarioRuns.ts');
const { sharpnessText } = await loadTs('webview/network/sharpnessText.ts');

const loss = 'data moons samples=120 noise=0.1 seed=1\nnetwork 2-5-1 activation=tanh loss=bce seed=2';

/** A run's parameters at its last step (rows are dim parameters, loss, gradient norm). */
async function trainedParams() {
  const [trace] = await engine.runs({ loss, steps: 150, runs: [{ optimizer: 'adam', options: { lr: 0.05 } }] });
  const width = trace.dim + 2;
  return Array.from(trace.rows.subarray((trace.rowCount - 1) * width, (trace.rowCount - 1) * width + trace.dim));
}

test('the networkSharpness message is validated: a bad radius, sample count or centre is refused', async () => {
  const center = await trainedParams();
  const ok = parseFromWebview({ type: 'networkSharpness', requestId: 4, query: { loss, center, radius: 0.05, samples: 32, seed: 1 } });
  assert.ok(ok.ok, ok.error);
  assert.deepEqual(ok.value.query.center, center);
  for (const query of [
    { loss, center, radius: 0 },
    { loss, center, samples: 10_000 },
    { loss, center, samples: 2.5 },
    { loss, center: [...center.slice(1), Number.NaN] },
    { loss: 7, center },
  ]) {
    const parsed = parseFromWebview({ type: 'networkSharpness', requestId: 4, query });
    assert.equal(parsed.ok, false, JSON.stringify(query));
    assert.match(parsed.error, /message\.query/);
  }
});

test('the host answers with the engine worker\'s sharpness at the run\'s end, and the page shows those numbers', async () => {
  const center = await trainedParams();
  const parsed = parseFromWebview({ type: 'networkSharpness', requestId: 5, query: { loss, center, radius: 0.05, samples: 32, seed: 1 } });
  assert.ok(parsed.ok, parsed.error);
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const reply = await networkSharpnessData(client, parsed.value.query);
    const local = await engine.networkSharpness(parsed.value.query);
    assert.deepEqual(reply, local, 'the worker computes what the engine does');
    assert.equal(reply.radius, 0.05);
    assert.equal(reply.samples, 32);
    assert.equal(reply.loss, (await engine.evaluate(loss, center)).value);
    // The top eigenvalue is the Hessian plane's first one at the same point.
    const plane = await engine.networkLandscape({ loss, center, directions: { kind: 'hessian', seed: 1 }, size: [2, 2] });
    assert.ok(Math.abs(reply.topEigenvalue - plane.eigenvalues[0]) <= 1e-6 * Math.abs(plane.eigenvalues[0]), `${reply.topEigenvalue} vs ${plane.eigenvalues[0]}`);
    assert.ok(reply.topEigenvalue > 0, 'near a trained minimum the top curvature is positive');
    assert.ok(reply.ballIncrease > 0 && Number.isFinite(reply.ballIncrease), `ball increase ${reply.ballIncrease}`);
    // A wider ball finds at least as large an increase along the same directions.
    const wider = await networkSharpnessData(client, { ...parsed.value.query, radius: 0.2 });
    assert.ok(wider.ballIncrease >= reply.ballIncrease, `${wider.ballIncrease} >= ${reply.ballIncrease}`);
    const line = sharpnessText(reply, 'run 1', 150);
    assert.ok(line.includes(reply.topEigenvalue.toPrecision(4)), line);
    assert.ok(line.includes(reply.ballIncrease.toPrecision(4)), line);
    assert.match(line, /run 1 at step 150/);
    assert.match(line, /radius 0\.05 .*32 directions/);
    console.log(`# sharpness at step 150: top eigenvalue ${reply.topEigenvalue}, ball increase ${reply.ballIncrease} (r 0.05), ${wider.ballIncrease} (r 0.2)`);
  } finally {
    client.dispose();
  }
});
