// Losses written in the loss language, run by the core: errors, speed paths, n-D, Newton.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

test('a bad loss rejects with its first diagnostic and where it is', async () => {
  await assert.rejects(engine.trace({ loss: 'x^2 + sni(y)', optimizer: 'sgd', steps: 1 }), {
    message: "Invalid loss at line 1, column 7: Unknown name 'sni'. Did you mean 'sin'?",
  });
  await assert.rejects(engine.landscape({ loss: 'a = 2\nx^2 + atan2(y)', x: [0, 1], y: [0, 1], size: [2, 2] }), {
    message: "Invalid loss at line 2, column 7: 'atan2' takes 2 arguments, got 1",
  });
  await assert.rejects(engine.trace({ loss: 'rosenbrok', optimizer: 'sgd', steps: 1 }), /^Error: Unknown loss 'rosenbrok'. Did you mean 'rosenbrock'\?/);
});

test('the CLI prints one line on stderr and exits with 2 for a bad loss', () => {
  const result = spawnSync(process.execPath, [cli, 'trace', '--loss', '(x + ', '--optimizer', 'sgd', '--steps', '1'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^optiscope: Invalid loss at line 1, column \d+: .+\n$/);
});

test('a custom landscape equals the built-in one (its compiled row kernel included)', async () => {
  for (const [name, expression, x, y] of [
    ['rosenbrock', '(1 - x)^2 + 100*(y - x^2)^2', [-2, 2], [-1, 3]],
    ['beale', '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2', [-4.5, 4.5], [-4.5, 4.5]],
    ['himmelblau', '(x^2 + y - 11)^2 + (x + y^2 - 7)^2', [-5, 5], [-5, 5]],
  ]) {
    const size = [65, 33];
    const builtin = await engine.landscape({ loss: name, x, y, size });
    const custom = await engine.landscape({ loss: expression, x, y, size });
    for (let k = 0; k < builtin.values.length; k++) {
      const want = builtin.values[k];
      assert.ok(Math.abs(custom.values[k] - want) <= 1e-12 * (1 + Math.abs(want)), `${name} at ${k}: ${custom.values[k]} vs ${want}`);
    }
  }
});

test('n-D expressions: an indexed sum equals the built-in n-D rosenbrock, Newton uses the compiled Hessian', async () => {
  const text = 'params x[5]\nloss = sum(i = 1..4, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)';
  const start = [-1.2, 1, -1.2, 1, 0.5];
  const info = await engine.lossInfo(text);
  assert.equal(info.dim, 5);
  const custom = await engine.trace({ loss: text, start, optimizer: 'newton', options: { damping: 0.1 }, steps: 20 });
  const builtin = await engine.trace({ loss: 'rosenbrock', lossParams: { dim: 5 }, start, optimizer: 'newton', options: { damping: 0.1 }, steps: 20 });
  assert.equal(custom.trajectory.length, 21);
  custom.trajectory.forEach((row, r) => row.forEach((v, c) => {
    const want = builtin.trajectory[r][c];
    assert.ok(Math.abs(v - want) <= 1e-9 * (1 + Math.abs(want)), `row ${r} col ${c}: ${v} vs ${want}`);
  }));
});

test('a loss file brings its scenario: start, domain and minima', async () => {
  const text = ['# a tilted bowl', 'f = (x - 1)^2 + 2*(y + 0.5)^2', 'start = (3, 2)', 'domain x in [-2, 4], y in [-3, 3]', 'minimum = (1, -0.5)'].join('\n');
  const info = await engine.lossInfo(text);
  assert.deepEqual(info.start, [3, 2]);
  assert.deepEqual(info.domain, { x: [-2, 4], y: [-3, 3] });
  assert.deepEqual(info.minima.map((m) => m.point), [[1, -0.5]]);
  const result = await engine.trace({ loss: text, optimizer: 'sgd', options: { lr: 0.1 }, steps: 200 });
  const [x, y] = result.trajectory.at(-1);
  assert.ok(Math.abs(x - 1) < 1e-9 && Math.abs(y + 0.5) < 1e-9);
});

test('many custom losses can be linked into one core', async () => {
  for (let k = 1; k <= 40; k++) {
    const value = (await engine.trace({ loss: `${k}*x^2 + y^2`, start: [1, 1], optimizer: 'sgd', steps: 0 })).trajectory[0][2];
    assert.equal(value, k + 1);
  }
});

test('the CLI runs a .loss file, taking start, optimizer and steps from it', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'optiscope-')), 'rosenbrock.loss');
  writeFileSync(file, '# Rosenbrock\nf = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)\noptimizer adam lr=0.05\nsteps = 20\n');
  const fromFile = spawnSync(process.execPath, [cli, 'trace', '--loss', file], { encoding: 'utf8' });
  assert.equal(fromFile.status, 0, fromFile.stderr);
  const expected = await engine.trace({ loss: 'rosenbrock', start: [-1.5, 2], optimizer: 'adam', options: { lr: 0.05 }, steps: 20 });
  assert.deepEqual(JSON.parse(fromFile.stdout).trajectory, expected.trajectory);
  const overridden = spawnSync(process.execPath, [cli, 'trace', '--loss', file, '--steps', '5', '--options', '{"lr": 0.01}'], { encoding: 'utf8' });
  const expectedOverride = await engine.trace({ loss: 'rosenbrock', start: [-1.5, 2], optimizer: 'adam', options: { lr: 0.01 }, steps: 5 });
  assert.deepEqual(JSON.parse(overridden.stdout).trajectory, expectedOverride.trajectory);
  const missing = spawnSync(process.execPath, [cli, 'trace', '--loss', join(tmpdir(), 'no-such.loss')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^optiscope: Cannot read the loss file/);
});

test('landscape min and max skip points where the loss is not a number', async () => {
  const grid = await engine.landscape({ loss: 'sqrt(-x) + y', x: [-1, 1], y: [0, 1], size: [5, 3] }); // NaN at the end of each row
  assert.ok(grid.values.some(Number.isNaN));
  assert.equal(grid.min, 0);
  assert.equal(grid.max, 2);
});
