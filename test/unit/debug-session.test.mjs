// TrainingSession (src/session/trainingSession.ts) against the real engine: breakpoints checked in the run loop,
// step, step back, continue, restart, divergence, breakpoints from two sources, per-run breakpoints, inspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
const { symmetricEigenvalues } = await loadTs('src/session/eigen.ts');
const { EngineClient } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const engine = await createEngine();

const adam = { optimizer: 'adam', options: { lr: 0.05 } };
const rosenbrock = { loss: 'rosenbrock', runs: [adam], steps: 3000 };

/** Resolves with the next stop event after action(). */
async function stopAfter(session, action) {
  let seen;
  const subscription = session.onDidStop((event) => { seen ??= event; });
  await action();
  subscription.dispose();
  assert.ok(seen, 'a stop was reported');
  return seen;
}

/** The engine's own recorded trace of the same runs, without a session. */
async function reference(scenario) {
  return engine.runs({ loss: scenario.loss, runs: scenario.runs, steps: scenario.steps, recordState: true });
}

function stateAt(trace, name, step) {
  return trace.state[step * trace.stateNames.length + trace.stateNames.indexOf(name)];
}

test("Adam pauses where its loss first drops below 1e-3; step, step back and continue", async () => {
  const [free] = await reference(rosenbrock);
  const firstBelow = Array.from({ length: free.rowCount }, (_, k) => free.rows[k * 4 + 2]).findIndex((loss) => loss < 1e-3);
  const session = await TrainingSession.open(engine, rosenbrock);
  try {
    const [bp] = await session.setBreakpoints('panel', [{ condition: 'loss < 1e-3' }]);
    assert.equal(bp.verified, true);
    const hit = await stopAfter(session, () => session.continue());
    assert.deepEqual(hit, { reason: 'breakpoint', runs: [0], breakpoints: [bp.id] });
    assert.equal(firstBelow, 914);
    assert.equal(session.positions()[0].step, firstBelow);
    assert.deepEqual(session.positions()[0].pausedBy, [bp.id]);
    assert.deepEqual(session.breakpoints()[0].hits, [1]);

    const at = await session.inspect(0);
    assert.equal(at.step, 914);
    assert.equal(at.state.exp_avg_x, stateAt(free, 'exp_avg_x', 914));
    assert.equal(at.state.exp_avg_sq_y, stateAt(free, 'exp_avg_sq_y', 914));
    assert.equal(at.grad.x, stateAt(free, 'grad_x', 914));
    assert.equal(at.params.x, free.rows[914 * 4]);
    assert.equal(at.loss, free.rows[914 * 4 + 2]);
    assert.equal(at.lr, 0.05);
    assert.equal(at.effectiveStep.x, free.rows[915 * 4] - free.rows[914 * 4]);
    const { hessian } = await engine.evaluate('rosenbrock', [at.params.x, at.params.y]);
    assert.deepEqual(at.hessian, hessian);
    assert.equal(at.hessianEigenvalues.length, 2);
    assert.ok(Math.abs(at.hessianEigenvalues[0] + at.hessianEigenvalues[1] - (hessian[0] + hessian[3])) < 1e-9);
    assert.equal(await session.evaluate('exp_avg_x', 0), at.state.exp_avg_x);
    assert.equal(await session.evaluate('loss < 1e-3', 0), true);
    assert.equal(await session.evaluate('loss < 1e-3', 0, 913), false);
    await assert.rejects(session.evaluate('momentum_buffer_x', 0), /Unknown name 'momentum_buffer_x'/);

    assert.equal((await stopAfter(session, () => session.step())).reason, 'step');
    assert.equal(session.positions()[0].step, 915);
    assert.equal((await session.inspect(0)).state.exp_avg_x, stateAt(free, 'exp_avg_x', 915));
    await stopAfter(session, () => session.stepBack());
    assert.equal(session.positions()[0].step, 914);
    await stopAfter(session, () => session.step(undefined, 10));
    assert.equal(session.positions()[0].step, 924);
    await stopAfter(session, () => session.runTo(900));
    assert.equal(session.positions()[0].step, 900);
    const again = await stopAfter(session, () => session.continue());
    assert.equal(again.reason, 'breakpoint', 'history replays the stop at 914');
    assert.equal(session.positions()[0].step, 914);
    const end = await stopAfter(session, () => session.continue());
    assert.equal(end.reason, 'end');
    assert.equal(session.positions()[0].step, 3000);
    assert.equal(session.positions()[0].status, 'completed');
    assert.deepEqual(session.breakpoints()[0].hits, [1], 'the condition stays true but counts once: it stops where it becomes true');
    const back = await stopAfter(session, () => session.reverseContinue());
    assert.deepEqual([back.reason, session.positions()[0].step], ['breakpoint', 914]);

    await stopAfter(session, () => session.restart());
    assert.equal(session.positions()[0].step, 0);
    assert.deepEqual(session.breakpoints()[0].hits, [0]);
    await stopAfter(session, () => session.continue());
    assert.equal(session.positions()[0].step, 914);
  } finally {
    session.dispose();
  }
});

test('a divergence stops the run at its last finite step, unless turned off', async () => {
  const scenario = { loss: 'rosenbrock', runs: [{ optimizer: 'sgd', options: { lr: 0.01 } }], steps: 100 };
  const [free] = await reference(scenario);
  assert.equal(free.status, 'diverged');
  for (const pauseOnDivergence of [true, false]) {
    const session = await TrainingSession.open(engine, scenario, { pauseOnDivergence });
    try {
      const stop = await stopAfter(session, () => session.continue());
      assert.equal(stop.reason, pauseOnDivergence ? 'divergence' : 'end');
      assert.equal(session.positions()[0].step, free.rowCount - 1);
      assert.equal(session.positions()[0].status, 'diverged');
      assert.equal((await stopAfter(session, () => session.continue())).reason, 'end');
    } finally {
      session.dispose();
    }
  }
});

test('breakpoints from two sources are checked together; each source replaces only its own', async () => {
  const session = await TrainingSession.open(engine, rosenbrock);
  try {
    const [panel] = await session.setBreakpoints('panel', [{ condition: 'step == 100' }]);
    const [debuggerBp] = await session.setBreakpoints('debugger', [{ condition: 'step % 50 == 0' }]);
    const first = await stopAfter(session, () => session.continue());
    assert.deepEqual([first.breakpoints, session.positions()[0].step], [[debuggerBp.id], 50]);
    const second = await stopAfter(session, () => session.continue());
    assert.deepEqual([second.breakpoints.sort(), session.positions()[0].step], [[panel.id, debuggerBp.id].sort(), 100]);
    const [kept] = await session.setBreakpoints('panel', [{ condition: 'step == 100' }, { condition: 'step == 120' }]);
    assert.equal(kept.id, panel.id, 'an unchanged breakpoint keeps its id');
    assert.deepEqual(session.breakpoints().find((b) => b.id === panel.id).hits, [1], 'and its hit count');
    await stopAfter(session, () => session.continue());
    assert.equal(session.positions()[0].step, 120);
    await session.setBreakpoints('panel', []);
    assert.deepEqual(session.breakpoints().map((b) => b.source), ['debugger']);
    await stopAfter(session, () => session.continue());
    assert.equal(session.positions()[0].step, 150);
    const [disabled] = await session.setBreakpoints('debugger', [{ condition: 'step % 50 == 0', enabled: false }]);
    assert.equal(disabled.verified, true);
    assert.equal((await stopAfter(session, () => session.continue())).reason, 'end');
    const [bad, wrongOptimizer] = await session.setBreakpoints('panel', [{ condition: 'loss <' }, { condition: 'momentum_buffer_x > 1' }]);
    assert.equal(bad.verified, false);
    assert.match(bad.message, /./);
    assert.equal(wrongOptimizer.verified, false);
    assert.match(wrongOptimizer.message, /Unknown name 'momentum_buffer_x'/);
    assert.equal((await stopAfter(session, () => session.continue())).reason, 'end', 'unverified breakpoints are not checked');
  } finally {
    session.dispose();
  }
});

test('per-run breakpoints stop all runs, or only that run when pauseAllRuns is off', async () => {
  const scenario = { loss: 'rosenbrock', runs: [adam, { optimizer: 'sgd', options: { lr: 0.001, momentum: 0.9 } }], steps: 400 };
  for (const pauseAllRuns of [true, false]) {
    const session = await TrainingSession.open(engine, scenario, { pauseAllRuns });
    try {
      const [bp] = await session.setBreakpoints('panel', [{ condition: 'momentum_buffer_x != 0 and step == 30' }]);
      assert.equal(bp.verified, true, 'valid for the SGD run only');
      const stop = await stopAfter(session, () => session.continue());
      assert.deepEqual(stop, { reason: 'breakpoint', runs: [1], breakpoints: [bp.id] });
      assert.deepEqual(session.positions().map((p) => p.step), pauseAllRuns ? [30, 30] : [400, 30]);
      if (pauseAllRuns) {
        await stopAfter(session, () => session.step());
        assert.deepEqual(session.positions().map((p) => p.step), [31, 31]);
      } else {
        await stopAfter(session, () => session.stepBack(1));
        assert.deepEqual(session.positions().map((p) => p.step), [400, 29]);
      }
    } finally {
      session.dispose();
    }
  }
});

test('a session through the engine worker (EngineClient) gives the same stop and state', async () => {
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  const session = await TrainingSession.open(client, rosenbrock);
  try {
    await session.setBreakpoints('debugger', [{ condition: 'loss < 1e-3' }]);
    await stopAfter(session, () => session.continue());
    const [free] = await reference(rosenbrock);
    const at = await session.inspect(0);
    assert.deepEqual([at.step, at.state.exp_avg_sq_x], [914, stateAt(free, 'exp_avg_sq_x', 914)]);
  } finally {
    await session.dispose();
    client.dispose();
  }
});

test('Hessian eigenvalues: the 2x2 closed form and Jacobi rotations agree with known spectra', () => {
  assert.deepEqual(symmetricEigenvalues([2, 1, 1, 2], 2), [1, 3]);
  // Q diag(1, 2, 5) Q^T for a rotation Q about the z axis by 30 degrees, then about x.
  const eig = symmetricEigenvalues([
    1.25, 0.4330127018922193, 0,
    0.4330127018922193, 1.75, 0,
    0, 0, 5,
  ], 3);
  eig.forEach((v, k) => assert.ok(Math.abs(v - [1, 2, 5][k]) < 1e-12, `${v}`));
  const n = 6;
  const m = Array.from({ length: n * n }, (_, k) => {
    const i = Math.floor(k / n);
    const j = k % n;
    return i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0;
  });
  const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
  symmetricEigenvalues(m, n).forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-12));
  assert.ok(symmetricEigenvalues([NaN, 0, 0, 1], 2).every(Number.isNaN));
});
