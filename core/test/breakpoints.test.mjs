// Breakpoints checked inside the run loop: exact stop steps, hit conditions, resume, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const adamOnRosenbrock = { loss: 'rosenbrock', optimizer: 'adam', options: { lr: 0.05 }, steps: 3000 };

test('a breakpoint stops at the first step where its condition holds', async () => {
  const free = await engine.trace(adamOnRosenbrock);
  const firstBelow = free.trajectory.findIndex((row) => row[2] < 1e-3);
  const firstSteep = free.gradNorm.findIndex((g, k) => k > 0 && g > 50);
  const firstRight = free.trajectory.findIndex((row, k) => k > 0 && row[0] > 0.5);
  for (const [condition, expected] of [['loss < 1e-3', firstBelow], ['gradnorm > 50', firstSteep], ['x > 0.5', firstRight], ['step == 500', 500]]) {
    const paused = await engine.trace({ ...adamOnRosenbrock, breakpoints: [condition] });
    assert.equal(paused.status, 'paused', condition);
    assert.equal(paused.stoppedAt, expected, condition);
    assert.equal(paused.trajectory.length, expected + 1);
    assert.deepEqual(paused.trajectory, free.trajectory.slice(0, expected + 1), 'pausing does not change the path');
    assert.deepEqual(paused.pausedBy, [0]);
  }
});

test('optimizer state and the learning rate can be used in conditions', async () => {
  const [run] = await engine.runs({ loss: 'beale', runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 200, recordState: true, breakpoints: ['exp_avg_sq_y > 1'] });
  assert.equal(run.status, 'paused');
  const column = run.stateNames.indexOf('exp_avg_sq_y');
  const width = run.stateNames.length;
  const values = Array.from({ length: run.rowCount }, (_, k) => run.state[k * width + column]);
  assert.ok(values.at(-1) > 1 && values.slice(1, -1).every((v) => v <= 1));
  const scheduled = await engine.trace({ loss: 'sphere', optimizer: 'sgd', options: { lr: 0.1 }, schedule: { type: 'exponential', gamma: 0.5 }, steps: 50, breakpoints: ['lr < 0.01'] });
  assert.equal(scheduled.stoppedAt, 5); // 0.1 * 0.5^4 = 0.00625 is the rate of step 5
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'sgd', steps: 5, breakpoints: ['exp_avg_x > 1'] }), /Invalid breakpoint condition 'exp_avg_x > 1' \(column 1\): Unknown name 'exp_avg_x'/);
});

test('resume goes on to the next hit, and the whole path equals a run without breakpoints', async () => {
  const free = await engine.trace({ ...adamOnRosenbrock, steps: 450 });
  const set = await engine.startRuns({ loss: 'rosenbrock', runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 450, breakpoints: ['step % 100 == 0'] });
  const stops = [];
  try {
    while (set.advance(450) || set.status(0) === 'paused') {
      if (set.status(0) !== 'paused') continue;
      stops.push(set.view(0).stoppedAt);
      set.resume(0);
    }
    const view = set.view(0);
    assert.deepEqual(stops, [100, 200, 300, 400]);
    assert.equal(view.status, 'completed');
    assert.deepEqual(view.hits, [4]);
    assert.deepEqual(Array.from({ length: view.rowCount }, (_, r) => Array.from(view.rows.subarray(r * 4, r * 4 + 3))), free.trajectory);
  } finally {
    set.dispose();
  }
});

test("hit conditions follow VS Code's hit count: the n-th hit, from the n-th on, every n-th", async () => {
  const stopsFor = async (hitCondition) => {
    const set = await engine.startRuns({ loss: 'sphere', runs: [{ optimizer: 'sgd', options: { lr: 0.01 } }], steps: 60, breakpoints: [{ condition: 'step % 10 == 0', hitCondition }] });
    const stops = [];
    try {
      for (let guard = 0; guard < 100 && (set.advance(60) || set.status(0) === 'paused'); guard++) {
        if (set.status(0) === 'paused') {
          stops.push(set.view(0).stoppedAt);
          set.resume(0);
        }
      }
      return stops;
    } finally {
      set.dispose();
    }
  };
  assert.deepEqual(await stopsFor('3'), [30]);
  assert.deepEqual(await stopsFor('== 3'), [30]);
  assert.deepEqual(await stopsFor('>= 4'), [40, 50, 60]);
  assert.deepEqual(await stopsFor('% 2'), [20, 40, 60]);
  await assert.rejects(stopsFor('> 2'), /Invalid hit condition '> 2'/);
});

test('a breakpoint can apply to some runs only, or be disabled', async () => {
  const [first, second] = await engine.runs({
    loss: 'booth',
    runs: [{ optimizer: 'sgd', options: { lr: 0.01 } }, { optimizer: 'adam', options: { lr: 0.1 } }],
    steps: 100,
    breakpoints: [{ condition: 'step == 10', runs: [1] }, { condition: 'step == 20', enabled: false }],
  });
  assert.equal(first.status, 'completed');
  assert.equal(second.status, 'paused');
  assert.equal(second.stoppedAt, 10);
  assert.deepEqual(second.pausedBy, [0]);
});

test('the other runs go on while one is paused', async () => {
  const [paused, free] = await engine.runs({
    loss: 'himmelblau',
    runs: [{ optimizer: 'adam', options: { lr: 0.05 } }, { optimizer: 'rmsprop', options: { lr: 0.01 } }],
    steps: 300,
    breakpoints: [{ condition: 'step == 50', runs: [0] }],
  });
  assert.equal(paused.rowCount, 51);
  assert.equal(free.rowCount, 301);
});

test('the CLI takes --break (repeatable) and reports where the run stopped', async () => {
  const { spawnSync } = await import('node:child_process');
  const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
  const args = ['trace', '--loss', 'rosenbrock', '--optimizer', 'adam', '--options', '{"lr":0.05}', '--steps', '3000'];
  const out = spawnSync(process.execPath, [cli, ...args, '--break', 'step == 700', '--break', 'loss < 1e-3'], { encoding: 'utf8' });
  const result = JSON.parse(out.stdout);
  assert.equal(result.status, 'paused');
  assert.equal(result.stoppedAt, 700);
  assert.deepEqual(result.pausedBy, [0]);
  const bad = spawnSync(process.execPath, [cli, ...args, '--break', 'loss <'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^optiscope: Invalid breakpoint condition 'loss <' \(column 6\)/);
});
