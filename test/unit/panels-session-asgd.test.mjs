// A Playground breakpoint session of ASGD: while paused, the view the panel posts carries ASGD's averaged iterate (the
// dashed second trajectory), the same numbers the streamed runs carry, up to the paused step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
const { PanelSession } = await loadTs('src/panels/panelSession.ts');
const engine = await createEngine();

const SCENARIO = {
  loss: 'rosenbrock', start: [-1.5, 2], steps: 200, view: null,
  runs: [{ optimizer: 'asgd', options: { lr: 0.0005, t0: 20 } }, { optimizer: 'adam', options: { lr: 0.05 } }],
};

test('paused at a breakpoint, the session view has ASGD\'s averaged iterate up to that step (and none for Adam)', async () => {
  const posted = [];
  const panel = new PanelSession((message) => posted.push(message), async (s) => TrainingSession.open(engine, s), () => engine, () => SCENARIO);
  try {
    await panel.setBreakpoints({ list: [{ condition: 'step == 60', enabled: true, run: null }], breakOnDivergence: true });
    const view = posted.filter((m) => m.type === 'session' && m.session).at(-1).session;
    assert.match(view.banner, /Paused at step 60/);
    const [asgd, adam] = view.traces;
    assert.equal(adam.averaged, undefined);
    assert.ok(asgd.averaged instanceof Float64Array);
    assert.equal(asgd.averaged.length, 2 * asgd.rowCount);
    const trace = await engine.trace({ loss: SCENARIO.loss, start: SCENARIO.start, optimizer: 'asgd', options: SCENARIO.runs[0].options, steps: asgd.rowCount - 1 });
    assert.deepEqual(Array.from(asgd.averaged), trace.averaged.flat());
    // after t0 the average differs from the iterate: a dashed line of its own
    const last = asgd.rowCount - 1;
    assert.notEqual(asgd.averaged[2 * last], asgd.rows[last * (asgd.dim + 2)]);
  } finally {
    panel.dispose();
  }
});
