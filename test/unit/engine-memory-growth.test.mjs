// Requests that run at the same time: one may grow the core's memory (which detaches every view on the old buffer)
// while another's results are still on their way out. Every reply must hold its own copy by then.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');

test('a landscape asked together with a run that grows the core memory comes back whole and right', async () => {
  const engine = await createEngine();
  const request = { loss: 'rosenbrock', x: [-2, 2], y: [-1, 3], size: [64, 64] };
  const alone = await engine.landscape(request);
  for (let attempt = 0; attempt < 3; attempt++) {
    // 2 000 000 recorded steps of a 2-D run: 64 MB of rows, more than the core holds free, so its memory grows.
    const [landscape, [run]] = await Promise.all([
      engine.landscape(request),
      engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: 'sgd', options: { lr: 1e-4 } }], steps: 2_000_000 }),
    ]);
    assert.equal(run.rowCount, 2_000_001);
    assert.deepEqual(landscape.values, alone.values);
  }
});
