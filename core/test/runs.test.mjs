// Runs in the core: stopping rules, divergence, Newton, schedules, recorded state, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

test('a trace has exactly steps+1 rows of [...params, loss], row 0 the start', async () => {
  const result = await engine.trace({ loss: 'booth', start: [-4, 6], optimizer: 'sgd', options: { lr: 0.01 }, steps: 37 });
  assert.equal(result.trajectory.length, 38);
  assert.deepEqual(result.trajectory[0], [-4, 6, (await engine.evaluate('booth', [-4, 6])).value]);
  assert.equal(result.status, 'completed');
  assert.equal(result.stoppedAt, 37);
});

test('the default start is the loss default', async () => {
  const result = await engine.trace({ loss: 'rosenbrock', optimizer: 'sgd', steps: 1 });
  assert.deepEqual(result.trajectory[0].slice(0, 2), [-1.5, 2]);
});

test('plain gradient descent on a quadratic follows its closed form', async () => {
  // 0.5*(x^2 + 20 y^2): x_k = x0 (1 - lr)^k, y_k = y0 (1 - 20 lr)^k
  const lr = 0.01;
  const result = await engine.trace({ loss: 'ill_quadratic', start: [3, 1], optimizer: 'sgd', options: { lr }, steps: 50 });
  for (const [k, [x, y]] of result.trajectory.entries()) {
    assert.ok(Math.abs(x - 3 * (1 - lr) ** k) < 1e-13, `x at ${k}`);
    assert.ok(Math.abs(y - (1 - 20 * lr) ** k) < 1e-13, `y at ${k}`);
  }
});

test('a non-finite value ends that run as diverged at its step; the trajectory ends at the last finite point', async () => {
  const [exploding, calm] = await engine.runs({
    loss: 'saddle',
    runs: [
      { optimizer: 'sgd', options: { lr: 2 }, start: [0.5, 0.5] },
      { optimizer: 'sgd', options: { lr: 0.1 }, start: [0.5, 0.5] },
    ],
    steps: 1000,
  });
  // x_k = 0.5 (-3)^k, y_k = 0.5 * 5^k: the loss x^2 - y^2 is the first value to overflow.
  let firstInfinite = 0;
  while (Number.isFinite((0.5 * 3 ** firstInfinite) ** 2 - (0.5 * 5 ** firstInfinite) ** 2)) firstInfinite++;
  assert.equal(exploding.status, 'diverged');
  assert.equal(exploding.stoppedAt, firstInfinite);
  assert.equal(exploding.rowCount, exploding.stoppedAt);
  const last = exploding.rows.subarray((exploding.rowCount - 1) * 4, exploding.rowCount * 4);
  assert.ok(last.every(Number.isFinite));
  assert.equal(calm.status, 'completed');
  assert.equal(calm.rowCount, 1001);
});

test("Newton's method converges on a quadratic in one step and stops cleanly on a singular Hessian", async () => {
  const quadratic = await engine.trace({ loss: 'ill_quadratic', start: [3, 1], optimizer: 'newton', steps: 3 });
  assert.deepEqual(quadratic.trajectory[1], [0, 0, 0]);
  const singular = await engine.trace({ loss: 'degenerate_saddle', start: [0, 1.5], optimizer: 'newton', steps: 10 });
  assert.equal(singular.status, 'singular');
  assert.equal(singular.stoppedAt, 0);
  assert.equal(singular.trajectory.length, 1);
  const damped = await engine.trace({ loss: 'degenerate_saddle', start: [0, 1.5], optimizer: 'newton', options: { damping: 1 }, steps: 10 });
  assert.equal(damped.status, 'completed');
});

test('optional stops: gradient tolerance and bounds', async () => {
  const converged = await engine.trace({ loss: 'sphere', start: [1, 1], optimizer: 'sgd', options: { lr: 0.1 }, steps: 1000, stop: { gradTol: 1e-6 } });
  assert.equal(converged.status, 'converged');
  assert.ok(converged.gradNorm.at(-1) <= 1e-6 && converged.gradNorm.at(-2) > 1e-6);
  assert.equal(converged.trajectory.length, converged.stoppedAt + 1);
  const escaped = await engine.trace({ loss: 'saddle', start: [0.5, 0.01], optimizer: 'sgd', options: { lr: 0.1 }, steps: 1000, stop: { bounds: [[-2, 2]] } });
  assert.equal(escaped.status, 'out_of_bounds');
  assert.ok(Math.abs(escaped.trajectory.at(-1)[1]) > 2);
  assert.ok(Math.abs(escaped.trajectory.at(-2)[1]) <= 2);
});

async function lrSequence(schedule, steps, lr = 0.1) {
  const [run] = await engine.runs({ loss: 'sphere', runs: [{ optimizer: 'sgd', options: { lr }, schedule }], steps, recordState: true });
  const lrIndex = run.stateNames.indexOf('lr');
  const width = run.stateNames.length;
  // Row k holds the rate used by the step that produced it (row 0: the initial rate).
  return Array.from({ length: steps }, (_, k) => run.state[(k + 1) * width + lrIndex]);
}

test('learning-rate schedules follow torch.optim.lr_scheduler', async () => {
  const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);
  (await lrSequence({ type: 'step', step_size: 3, gamma: 0.5 }, 10)).forEach((lr, k) => close(lr, 0.1 * 0.5 ** Math.floor(k / 3), `step ${k}`));
  (await lrSequence({ type: 'exponential', gamma: 0.9 }, 10)).forEach((lr, k) => close(lr, 0.1 * 0.9 ** k, `exponential ${k}`));
  (await lrSequence({ type: 'cosine', T_max: 10, eta_min: 0.01 }, 25)).forEach((lr, k) =>
    close(lr, 0.01 + (0.1 - 0.01) * (1 + Math.cos((Math.PI * k) / 10)) / 2, `cosine ${k}`));
  (await lrSequence({ type: 'linear', start_factor: 0.25, total_iters: 4 }, 8)).forEach((lr, k) =>
    close(lr, 0.1 * (0.25 + 0.75 * Math.min(k, 4) / 4), `linear warm-up ${k}`));
  (await lrSequence(undefined, 5)).forEach((lr) => assert.equal(lr, 0.1));
});

test("recorded state is the optimizer's state after each step", async () => {
  const [run] = await engine.runs({ loss: 'beale', runs: [{ optimizer: 'adam', options: { lr: 0.05, amsgrad: true }, start: [1, 1.5] }], steps: 3, recordState: true });
  const names = run.stateNames;
  const width = names.length;
  const g0 = [run.state[names.indexOf('grad_x')], run.state[names.indexOf('grad_y')]];
  const m1 = run.state[width + names.indexOf('exp_avg_x')];
  const v1 = run.state[width + names.indexOf('exp_avg_sq_y')];
  assert.ok(Math.abs(m1 - 0.1 * g0[0]) < 1e-15 * Math.abs(g0[0]));
  assert.ok(Math.abs(v1 - 0.001 * g0[1] * g0[1]) < 1e-15 * g0[1] * g0[1]);
  assert.ok(names.includes('max_exp_avg_sq_x'));
  assert.equal(run.state.length, run.rowCount * width);
});

test('n-dimensional runs: Adam on a 1000-D quadratic reduces the loss', async () => {
  const dim = 1000;
  const start = Array.from({ length: dim }, (_, i) => Math.sin(i + 1));
  const result = await engine.trace({ loss: 'quadratic', lossParams: { dim, condition: 100 }, start, optimizer: 'adam', options: { lr: 0.01 }, steps: 300 });
  assert.equal(result.trajectory[0].length, dim + 1);
  assert.ok(result.trajectory.at(-1)[dim] < 0.05 * result.trajectory[0][dim]);
});

test('options are checked with PyTorch texts', async () => {
  const run = (optimizer, options, extra = {}) => engine.trace({ loss: 'sphere', optimizer, options, steps: 1, ...extra });
  for (const optimizer of engine.optimizers().map((o) => o.name)) {
    // Adafactor words it its own way in torch
    const message = optimizer === 'adafactor' ? 'Learning rate should be >= 0 but is: -1' : 'Invalid learning rate: -1';
    await assert.rejects(run(optimizer, { lr: -1 }), { message });
  }
  await assert.rejects(run('adam', { betas: [1.0, 0.999] }), { message: 'Invalid beta parameter at index 0: 1' });
  await assert.rejects(run('adam', { betas: [0.9, -0.5] }), { message: 'Invalid beta parameter at index 1: -0.5' });
  await assert.rejects(run('adam', { eps: -1e-8 }), { message: 'Invalid epsilon value: -1e-08' });
  await assert.rejects(run('sgd', { momentum: -0.5 }), { message: 'Invalid momentum value: -0.5' });
  await assert.rejects(run('sgd', { nesterov: true }), { message: 'Nesterov momentum requires a momentum and zero dampening' });
  await assert.rejects(run('rmsprop', { alpha: -0.1 }), { message: 'Invalid alpha value: -0.1' });
  await assert.rejects(run('adadelta', { rho: 1.5 }), { message: 'Invalid rho value: 1.5' });
  await assert.rejects(run('adagrad', { lr_decay: -1 }), { message: 'Invalid lr_decay value: -1' });
  await assert.rejects(run('adamw', { weight_decay: -0.1 }), { message: 'Invalid weight_decay value: -0.1' });
  await assert.rejects(run('adam', { momentum: 0.9 }), {
    message: "Unknown option 'momentum' for adam. Valid options: lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay",
  });
  await assert.rejects(run('adam', { lr: '0.1' }), /Option 'lr' of adam must be a number, got "0.1"/);
  await assert.rejects(run('lion', {}), /Unknown optimizer "lion". Valid optimizers: sgd, gd, momentum, nesterov, adagrad/);
  await assert.rejects(run('sgd', {}, { start: [1, 2, 3] }), /start needs 2 numbers, got 3/);
  await assert.rejects(run('sgd', {}, { steps: -1 }), /steps must be an integer from 0/);
  await assert.rejects(run('sgd', {}, { schedule: { type: 'cyclic' } }), /Unknown schedule .* Valid types: constant, step/);
  await assert.rejects(run('sgd', {}, { schedule: { type: 'step' } }), /Schedule 'step' needs step_size as a positive integer/);
});

test('maximize ascends', async () => {
  const up = await engine.trace({ loss: 'sphere', start: [1, 1], optimizer: 'adam', options: { lr: 0.1, maximize: true }, steps: 10 });
  assert.ok(up.trajectory.at(-1)[2] > up.trajectory[0][2]);
});

test('presets gd, momentum, nesterov and amsgrad are sgd and adam with those options', async () => {
  const same = async (preset, base, options = {}) => {
    const request = { loss: 'beale', start: [1, 1.5], steps: 30 };
    const a = await engine.trace({ ...request, optimizer: preset, options: { lr: 0.001 } });
    const b = await engine.trace({ ...request, optimizer: base, options: { lr: 0.001, ...options } });
    assert.deepEqual(a.trajectory, b.trajectory, preset);
  };
  await same('gd', 'sgd');
  await same('momentum', 'sgd', { momentum: 0.9 });
  await same('nesterov', 'sgd', { momentum: 0.9, nesterov: true });
  await same('amsgrad', 'adam', { amsgrad: true });
  await assert.rejects(engine.trace({ loss: 'beale', optimizer: 'gd', options: { momentum: 0.9 }, steps: 1 }), /Unknown option 'momentum' for gd. Valid options: lr, weight_decay, maximize/);
});

test('a request whose traces would not fit in memory is refused up front, and the engine stays usable', async () => {
  await assert.rejects(
    engine.runs({ loss: 'quadratic', lossParams: { dim: 1000 }, runs: [{ optimizer: 'adam' }], steps: 10_000_000 }),
    /One run's recorded trace would take 74\.65 GiB \(10000001 rows of 1000 parameters\), more than the 1 GiB the engine can hold for one run: use fewer steps, record every k-th step \(recordEvery\), or fewer parameters/,
  );
  assert.equal((await engine.trace({ loss: 'sphere', optimizer: 'sgd', steps: 2 })).trajectory.length, 3);
});
