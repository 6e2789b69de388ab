// A Playground breakpoint session of L-BFGS: while paused, the view the panel posts carries its inner evaluations
// (line-search trials, inner iterations) as the streamed runs draw them, up to the paused step.
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
  loss: 'rosenbrock', start: [-1.5, 2], steps: 30, view: null,
  runs: [{ optimizer: 'lbfgs_strong_wolfe', options: { lr: 1, max_iter: 4 } }, { optimizer: 'adam', options: { lr: 0.05 } }],
};

test('paused at a breakpoint, the session view has L-BFGS\'s inner evaluations up to that step (and none for Adam)', async () => {
  const posted = [];
  const panel = new PanelSession((message) => posted.push(message), async (s) => TrainingSession.open(engine, s), () => engine, () => SCENARIO);
  try {
    const views = () => posted.filter((m) => m.type === 'session' && m.session).map((m) => m.session);
    await panel.setBreakpoints({ list: [{ condition: 'step == 3', enabled: true, run: 0 }], breakOnDivergence: true });
    let view = views().at(-1);
    assert.match(view.banner, /Paused at step 3/);
    let [lbfgs, adam] = view.traces;
    assert.equal(adam.evaluations, undefined);
    const expected = async (steps) => {
      const trace = await engine.trace({ loss: SCENARIO.loss, start: SCENARIO.start, optimizer: 'lbfgs_strong_wolfe', options: SCENARIO.runs[0].options, steps });
      return trace.evaluations.flatMap(([step, a, b]) => [step, a, b]);
    };
    assert.ok(lbfgs.evaluations instanceof Float64Array && lbfgs.evaluations.length > 3 * 3, 'more evaluations than steps');
    assert.deepEqual(Array.from(lbfgs.evaluations), await expected(lbfgs.rowCount - 1));
    // Continue to the end: the evaluations of the later steps are appended, not sent again.
    await panel.control('continue');
    view = await (async () => {
      for (let k = 0; k < 200; k++) {
        const last = views().at(-1);
        if (!last.running && last.traces[0].rowCount === SCENARIO.steps + 1) return last;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return views().at(-1);
    })();
    [lbfgs] = view.traces;
    assert.equal(lbfgs.rowCount, SCENARIO.steps + 1);
    assert.deepEqual(Array.from(lbfgs.evaluations), await expected(SCENARIO.steps));
  } finally {
    panel.dispose();
  }
});
