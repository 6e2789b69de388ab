// Rprop, ASGD, Adafactor and L-BFGS against PyTorch (test/fixtures/pytorch-more-optimizers.json), through
// dist/engine.js and dist/cli.js; their option checks; their state by name in breakpoints and the state trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assertTrajectoryMatches } from './golden-helpers.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const golden = JSON.parse(readFileSync(new URL('../fixtures/pytorch-more-optimizers.json', import.meta.url), 'utf8'));
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

const engine = await createEngine();
const builtinNames = new Set(engine.losses().map((l) => l.name));
const NEW_OPTIMIZERS = ['rprop', 'asgd', 'adafactor', 'lbfgs'];

function runCli(args) {
  return JSON.parse(execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' }));
}

test('the fixture is the torch 2.13 float64 golden file with every new optimizer', () => {
  assert.match(golden.source, /torch 2\.13.*float64/);
  assert.equal(golden.cases.length, 29);
  assert.deepEqual([...new Set(golden.cases.map((c) => c.optimizer))].sort(), [...NEW_OPTIMIZERS].sort());
  assert.ok(golden.cases.some((c) => c.options.line_search_fn === 'strong_wolfe'), 'a case with the strong-Wolfe line search');
});

for (const c of golden.cases) {
  test(`golden ${c.name} via its expression`, async () => {
    const result = await engine.trace({ loss: c.expression, start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps });
    assert.equal(result.status, 'completed');
    assertTrajectoryMatches(result.trajectory, c.trajectory, `${c.name} (expression)`, golden.columns);
  });
  test(`golden ${c.name} via its built-in loss`, { skip: !builtinNames.has(c.function) && 'not a built-in' }, async () => {
    const result = await engine.trace({ loss: c.function, start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps });
    assert.equal(result.status, 'completed');
    assertTrajectoryMatches(result.trajectory, c.trajectory, c.name, golden.columns);
  });
}

test('every golden case through the CLI, by expression and (built-ins) by name', () => {
  for (const c of golden.cases) {
    const common = ['--start', c.start.join(','), '--optimizer', c.optimizer, '--options', JSON.stringify(c.options), '--steps', String(c.steps)];
    const byExpression = runCli(['trace', '--loss', c.expression, ...common]);
    assert.equal(byExpression.status, 'completed');
    assertTrajectoryMatches(byExpression.trajectory, c.trajectory, `${c.name} (cli, expression)`, golden.columns);
    if (builtinNames.has(c.function)) {
      assertTrajectoryMatches(runCli(['trace', '--loss', c.function, ...common]).trajectory, c.trajectory, `${c.name} (cli)`, golden.columns);
    }
  }
});

test('the new optimizers are listed with PyTorch defaults for the pickers and the CLI', () => {
  const listed = runCli(['optimizers']);
  const byName = Object.fromEntries(engine.optimizers().map((o) => [o.name, o]));
  for (const name of NEW_OPTIMIZERS) {
    assert.ok(listed.some((o) => o.name === name), `${name} in \`optiscope optimizers\``);
    assert.ok(byName[name], `${name} in engine.optimizers()`);
  }
  assert.deepEqual(byName.rprop.defaults, { lr: 0.01, etas: [0.5, 1.2], step_sizes: [1e-6, 50], maximize: false });
  assert.deepEqual(byName.asgd.defaults, { lr: 0.01, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, maximize: false });
  // eps1=None is float64's machine epsilon, which pickers show as a number
  assert.deepEqual(byName.adafactor.defaults.eps, [2 ** -52, 1e-3]);
  assert.equal(byName.lbfgs.defaults.max_iter, 20);
  assert.equal(byName.lbfgs.defaults.history_size, 100);
  assert.ok(!('line_search_fn' in byName.lbfgs.defaults), 'None-valued options are not offered as numbers');
  assert.ok(byName.lbfgs_strong_wolfe, 'the line search has its own picker entry');
});

test("adafactor's eps1 given as null is torch's None, and the picker's machine epsilon is the same run", async () => {
  const request = { loss: 'rosenbrock', start: [-1.5, 2], optimizer: 'adafactor', steps: 30 };
  const byDefault = await engine.trace(request);
  const withNull = await engine.trace({ ...request, options: { eps: [null, 1e-3] } });
  const withEpsilon = await engine.trace({ ...request, options: { eps: [2 ** -52, 1e-3] } });
  const bigger = await engine.trace({ ...request, options: { eps: [100, 1e-3] } });
  assert.deepEqual(withNull.trajectory, byDefault.trajectory);
  assert.deepEqual(withEpsilon.trajectory, byDefault.trajectory);
  assert.notDeepEqual(bigger.trajectory, byDefault.trajectory);
});

test('lbfgs_strong_wolfe is lbfgs with line_search_fn="strong_wolfe"', async () => {
  const c = golden.cases.find((g) => g.optimizer === 'lbfgs' && g.options.line_search_fn === 'strong_wolfe');
  const { line_search_fn: _, ...rest } = c.options;
  const result = await engine.trace({ loss: c.expression, start: c.start, optimizer: 'lbfgs_strong_wolfe', options: rest, steps: c.steps });
  assertTrajectoryMatches(result.trajectory, c.trajectory, `${c.name} (lbfgs_strong_wolfe)`, golden.columns);
});

test('option checks give PyTorch-like messages', async () => {
  const trace = (optimizer, options) => engine.trace({ loss: 'rosenbrock', optimizer, options, steps: 3 });
  await assert.rejects(trace('rprop', { etas: [1.5, 1.2] }), { message: 'Invalid eta values: 1.5, 1.2' });
  await assert.rejects(trace('rprop', { etas: [0.5, 0.9] }), { message: 'Invalid eta values: 0.5, 0.9' });
  await assert.rejects(trace('rprop', { lr: -0.1 }), { message: 'Invalid learning rate: -0.1' });
  await assert.rejects(trace('rprop', { etas: 0.5 }), /Option 'etas' of rprop must be a pair of numbers such as \[0\.5, 1\.2\]/);
  await assert.rejects(trace('asgd', { lr: -1 }), { message: 'Invalid learning rate: -1' });
  await assert.rejects(trace('asgd', { weight_decay: -0.5 }), { message: 'Invalid weight_decay value: -0.5' });
  await assert.rejects(trace('adafactor', { lr: -0.01 }), { message: 'Learning rate should be >= 0 but is: -0.01' });
  await assert.rejects(trace('adafactor', { beta2_decay: 0.5 }), { message: 'beta2_decay should be <= 0 but is: 0.5' });
  await assert.rejects(trace('adafactor', { eps: [-1e-30, 1e-3] }), { message: 'epsilon1 should be >= 0 but is: -1e-30' });
  await assert.rejects(trace('adafactor', { eps: [null, -1] }), { message: 'epsilon2 should be >= 0 but is: -1' });
  await assert.rejects(trace('adafactor', { d: 0.5 }), { message: 'Clipping threshold d should be >= 1 but is: 0.5' });
  await assert.rejects(trace('adafactor', { weight_decay: -1 }), { message: 'weight_decay should be >= 0 but is: -1' });
  await assert.rejects(trace('lbfgs', { lr: -1 }), { message: 'Invalid learning rate: -1' });
  await assert.rejects(trace('lbfgs', { line_search_fn: 'backtracking' }), { message: "only 'strong_wolfe' is supported" });
  await assert.rejects(trace('lbfgs', { line_search_fn: 3 }), /Option 'line_search_fn' of lbfgs must be a string or null, got 3/);
  await assert.rejects(trace('lbfgs', { history_size: 0 }), /history_size must be an integer from 1 to/);
  await assert.rejects(trace('lbfgs', { max_iter: 2.5 }), /max_iter must be an integer from 1 to/);
  await assert.rejects(trace('lbfgs', { tolerance: 1 }), /Unknown option 'tolerance' for lbfgs/);
  // the engine still works after the rejections
  assert.equal((await trace('lbfgs', { line_search_fn: null })).status, 'completed');
});

test('the CLI reports a bad option with the same message', () => {
  assert.throws(
    () => execFileSync(process.execPath, [cli, 'trace', '--loss', 'rosenbrock', '--optimizer', 'rprop', '--options', '{"etas":[2,3]}', '--steps', '3'], { encoding: 'utf8', stdio: 'pipe' }),
    (error) => /Invalid eta values: 2, 3/.test(error.stderr),
  );
});

test('lbfgs refuses minibatches and gradient noise (it evaluates the whole loss itself)', async () => {
  await assert.rejects(
    engine.trace({ loss: 'rosenbrock', optimizer: 'lbfgs', steps: 3, stochastic: { noise: 0.1 } }),
    /lbfgs evaluates the whole loss several times per step/,
  );
});

/** The first step (1-based) whose recorded state satisfies `holds`, from a run with recordState. */
async function firstStepWhere(optimizer, options, holds) {
  const [run] = await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer, options, start: [-1.5, 2] }], steps: 60, recordState: true });
  const width = run.stateNames.length;
  for (let r = 1; r < run.rowCount; r++) {
    const row = Object.fromEntries(run.stateNames.map((name, i) => [name, run.state[r * width + i]]).filter(([name]) => name));
    if (holds(row)) return { step: r, row };
  }
  return undefined;
}

test("breakpoint conditions read the new optimizers' state by PyTorch's names", async () => {
  const cases = [
    { optimizer: 'rprop', options: { lr: 0.01 }, condition: 'step_size_x > 0.015', holds: (s) => s.step_size_x > 0.015 },
    { optimizer: 'rprop', options: { lr: 0.01 }, condition: 'prev_y == 0 && step > 1', holds: (s) => s.prev_y === 0 },
    { optimizer: 'asgd', options: { lr: 0.002, t0: 20 }, condition: 'mu < 1', holds: (s) => s.mu < 1 },
    { optimizer: 'asgd', options: { lr: 0.002, lambd: 10 }, condition: 'eta < 0.0019', holds: (s) => s.eta < 0.0019 },
    { optimizer: 'asgd', options: { lr: 0.002, t0: 5 }, condition: 'ax_x > 1.2', holds: (s) => s.ax_x > 1.2 },
    { optimizer: 'adafactor', options: { lr: 0.05 }, condition: 'variance_y < 1000', holds: (s) => s.variance_y < 1000 },
    { optimizer: 'lbfgs', options: { max_iter: 5 }, condition: 'func_evals >= 12', holds: (s) => s.func_evals >= 12 },
    { optimizer: 'lbfgs_strong_wolfe', options: { max_iter: 4 }, condition: 't < 1 && d_x != 0', holds: (s) => s.t < 1 && s.d_x !== 0 },
  ];
  for (const { optimizer, options, condition, holds } of cases) {
    const expected = await firstStepWhere(optimizer, options, holds);
    assert.ok(expected && expected.step > 1, `${optimizer}: '${condition}' first holds after step 1 (a test that can fail)`);
    const result = await engine.trace({ loss: 'rosenbrock', start: [-1.5, 2], optimizer, options, steps: 60, breakpoints: [condition] });
    assert.equal(result.status, 'paused', `${optimizer}: '${condition}' pauses the run`);
    assert.equal(result.stoppedAt, expected.step, `${optimizer}: '${condition}' pauses at the first step where it holds`);
  }
});

test("the state trace names the new optimizers' state", async () => {
  const names = async (optimizer) => (await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer }], steps: 2, recordState: true }))[0].stateNames;
  assert.ok((await names('rprop')).includes('prev_x') && (await names('rprop')).includes('step_size_y'));
  const asgd = await names('asgd');
  assert.ok(asgd.includes('ax_x') && asgd.includes('eta') && asgd.includes('mu'));
  assert.ok((await names('adafactor')).includes('variance_y'));
  const lbfgs = await names('lbfgs');
  assert.ok(lbfgs.includes('d_x') && lbfgs.includes('prev_flat_grad_y') && lbfgs.includes('func_evals'));
});

test("lbfgs's trace lists the loss evaluations inside its steps, as many as func_evals counts", async () => {
  const loss = '0.5*(x^2 + 20*y^2)';
  const f = ([x, y]) => 0.5 * (x * x + 20 * y * y);
  for (const options of [{ max_iter: 5 }, { max_iter: 4, history_size: 5, line_search_fn: 'strong_wolfe' }]) {
    const steps = 6;
    const result = await engine.trace({ loss, start: [-4, 1.5], optimizer: 'lbfgs', options, steps });
    const [run] = await engine.runs({ loss, runs: [{ optimizer: 'lbfgs', options, start: [-4, 1.5] }], steps, recordState: true });
    const funcEvals = run.stateNames.indexOf('func_evals');
    const width = run.stateNames.length;
    for (let step = 1; step <= steps; step++) {
      const inner = result.evaluations.filter((e) => e[0] === step);
      const counted = run.state[step * width + funcEvals] - run.state[(step - 1) * width + funcEvals];
      // each step also evaluates once where it starts (the trajectory's row before), which the log leaves out
      assert.equal(inner.length, counted - 1, `${JSON.stringify(options)}: step ${step}'s evaluations`);
      for (const [, x, y, value] of inner) assert.ok(Math.abs(value - f([x, y])) <= 1e-12 * (1 + Math.abs(value)), 'the loss at the point');
    }
    assert.deepEqual(result.evaluations.map((e) => e[0]), [...result.evaluations.map((e) => e[0])].sort((a, b) => a - b), 'in step order');
  }
  const plain = await engine.trace({ loss, optimizer: 'adam', steps: 3 });
  assert.equal(plain.evaluations, undefined, 'other optimizers have no inner evaluations');
});

test("asgd's trace gives its averaged iterate: x until t0, then the running mean of the iterates", async () => {
  const t0 = 20;
  const steps = 60;
  const result = await engine.trace({ loss: 'beale', start: [1, 1.5], optimizer: 'asgd', options: { lr: 0.002, t0 }, steps });
  const { averaged, trajectory } = result;
  assert.equal(averaged.length, steps + 1);
  assert.deepEqual(averaged[0], [0, 0], "torch's ax starts at zeros");
  // mu = 1 / max(1, step - t0) is set after each step and used by the next: ax is x up to step t0 + 2,
  // then the mean of the iterates from step t0 + 2 on
  for (let step = 1; step <= steps; step++) {
    const from = step > t0 + 2 ? t0 + 2 : step;
    const window = trajectory.slice(from, step + 1);
    for (let k = 0; k < 2; k++) {
      const mean = window.reduce((sum, row) => sum + row[k], 0) / window.length;
      assert.ok(Math.abs(averaged[step][k] - mean) <= 1e-12 * (1 + Math.abs(mean)), `step ${step}: ax ${averaged[step][k]}, mean ${mean}`);
    }
  }
  assert.notDeepEqual(averaged[steps], trajectory[steps].slice(0, 2), 'the average differs from the last iterate');
  assert.equal((await engine.trace({ loss: 'beale', optimizer: 'adam', steps: 3 })).averaged, undefined);
});

test('maximize on -f retraces the minimization of f (rprop, asgd, adafactor)', async () => {
  const f = '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2';
  for (const [optimizer, options] of [['rprop', { lr: 0.05 }], ['asgd', { lr: 0.002, t0: 5, weight_decay: 0.01 }], ['adafactor', { lr: 0.05, weight_decay: 0.01 }]]) {
    const down = await engine.trace({ loss: f, start: [1, 1.5], optimizer, options, steps: 40 });
    const up = await engine.trace({ loss: `-(${f})`, start: [1, 1.5], optimizer, options: { ...options, maximize: true }, steps: 40 });
    assert.deepEqual(up.trajectory.map((row) => row.slice(0, 2)), down.trajectory.map((row) => row.slice(0, 2)), optimizer);
    assert.notDeepEqual(down.trajectory[40], down.trajectory[0], `${optimizer} moves`);
  }
});
