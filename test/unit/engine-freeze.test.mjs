// Frozen parameters (freeze=): the run loop keeps frozen coordinates at their start values for every optimizer, the
// others train as if the frozen ones were constants (PyTorch's requires_grad=False for per-coordinate optimizers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { parseLoss } = await loadTs('src/loss/index.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { runLines } = await loadTs('src/shared/export.ts');
const { frozenMask } = await loadTs('src/shared/freeze.ts');
const { parseScenario } = await loadTs('src/shared/scenarioModel.ts');
const engine = await createEngine();

const BN_NET = 'data spiral samples=200 test=0.25 seed=1\nnetwork 2-16-16-2 activation=relu loss=cross_entropy batchnorm=true seed=3';

test('freeze=linear keeps every Linear weight and bias, and only batch norm gamma and beta move (sgd, momentum, adam, with weight decay)', async () => {
  const mask = frozenMask('linear', 418, { widths: [2, 16, 16, 2], batchnorm: true });
  assert.equal(mask.reduce((a, b) => a + b, 0), 418 - 64);
  for (const [optimizer, options] of [['sgd', { lr: 0.1, weight_decay: 0.01 }], ['sgd', { lr: 0.1, momentum: 0.9 }], ['adam', { lr: 0.05, weight_decay: 0.01 }]]) {
    const r = await engine.trace({ loss: BN_NET, optimizer, options, steps: 40, freeze: 'linear' });
    const first = r.trajectory[0];
    const last = r.trajectory.at(-1);
    for (let i = 0; i < 418; i++) {
      if (mask[i]) assert.equal(last[i], first[i], `${optimizer}: frozen parameter ${i} moved`);
    }
    const moved = [...mask].filter((m, i) => !m && last[i] !== first[i]).length;
    assert.equal(moved, 64, `${optimizer}: every gamma and beta moves`);
    assert.ok(last.at(-1) < first.at(-1), `${optimizer}: the loss falls (${first.at(-1)} -> ${last.at(-1)})`);
  }
});

test('on a separable loss the unfrozen coordinate follows its unfrozen path exactly (requires_grad=False), for adam, rmsprop, adagrad and a schedule', async () => {
  const loss = 'f = (x - 1)^2 + 0.5*(y + 2)^4\nstart = (3, -1)';
  for (const optimizer of ['adam', 'rmsprop', 'adagrad', 'sgd']) {
    const options = { lr: 0.05, ...(optimizer === 'sgd' ? { momentum: 0.9, nesterov: true } : {}) };
    const schedule = { type: 'cosine', T_max: 50 };
    const free = await engine.trace({ loss, optimizer, options, schedule, steps: 60 });
    const frozen = await engine.trace({ loss, optimizer, options, schedule, steps: 60, freeze: [1] });
    frozen.trajectory.forEach((row, t) => {
      assert.equal(row[1], -1, `${optimizer}: y stays at its start`);
      assert.equal(row[0], free.trajectory[t][0], `${optimizer}: x at step ${t}`);
    });
    // the reported gradient norm is the unfrozen one's (frozen coordinates have no gradient)
    assert.ok(Math.abs(frozen.gradNorm.at(-1) - Math.abs(2 * (frozen.trajectory.at(-1)[0] - 1))) < 1e-12, `${optimizer}: ${frozen.gradNorm.at(-1)}`);
  }
});

test('a pruning mask: weights frozen at zero stay zero under Adam with weight decay', async () => {
  const loss = 'data moons samples=100 seed=2\nnetwork 2-8-2 activation=tanh loss=cross_entropy seed=1';
  const start = (await engine.trace({ loss, optimizer: 'sgd', options: { lr: 0 }, steps: 1 })).trajectory[0].slice(0, -1);
  const pruned = [0, 3, 5, 24, 30];
  for (const i of pruned) start[i] = 0;
  const r = await engine.trace({ loss, start, optimizer: 'adam', options: { lr: 0.05, weight_decay: 0.1 }, steps: 50, freeze: pruned });
  for (const i of pruned) assert.equal(r.trajectory.at(-1)[i], 0);
  assert.notEqual(r.trajectory.at(-1)[1], start[1]);
});

test('bad freezes get clear messages and leave the engine working', async () => {
  const plain = 'data moons samples=50\nnetwork 2-4-2 loss=cross_entropy';
  await assert.rejects(engine.trace({ loss: plain, optimizer: 'sgd', options: { lr: 0.1 }, steps: 5, freeze: 'bn' }), /no batch norm/);
  await assert.rejects(engine.trace({ loss: 'f = x^2 + y^2', optimizer: 'sgd', options: { lr: 0.1 }, steps: 5, freeze: 'weights' }), /needs a network line/);
  await assert.rejects(engine.trace({ loss: 'f = x^2 + y^2', optimizer: 'sgd', options: { lr: 0.1 }, steps: 5, freeze: [2] }), /index 2 is not in \[0, 1\]/);
  await assert.rejects(engine.trace({ loss: plain, optimizer: 'lbfgs', options: {}, steps: 5, freeze: 'biases' }), /first-order optimizer/);
  assert.equal((await engine.trace({ loss: plain, optimizer: 'sgd', options: { lr: 0.1 }, steps: 5, freeze: 'biases' })).status, 'completed');
  assert.match(parseScenario({ loss: 'x', runs: [{ optimizer: 'sgd', options: {}, freeze: 'gamma' }], steps: 1 }).error, /freeze: expected one of weights, biases, linear, bn/);
});

test('.loss: freeze=linear and freeze=(0, 3) on an optimizer line reach the run, and print back', () => {
  const text = `${BN_NET}\noptimizer sgd lr=0.1 freeze=linear\noptimizer adam lr=0.01 freeze=(0, 3)\noptimizer sgd lr=0.1 freeze="bn"`;
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.diagnostics[0].message);
  const runs = scenarioFromFile(text, parsed.loss.scenario).runs;
  assert.deepEqual(runs.map((r) => r.freeze), ['linear', [0, 3], 'bn']);
  assert.deepEqual(runs.map((r) => r.options), [{ lr: 0.1 }, { lr: 0.01 }, { lr: 0.1 }]);
  assert.deepEqual(runs.map((r) => runLines(r)[0]), ['optimizer sgd lr=0.1 freeze=linear', 'optimizer adam lr=0.01 freeze=(0, 3)', 'optimizer sgd lr=0.1 freeze=bn']);
  const bad = parseLoss(`${BN_NET}\noptimizer sgd lr=0.1 freeze=gamma`);
  assert.equal(bad.ok, false);
  assert.match(bad.diagnostics[0].message, /freeze takes weights, biases, linear, bn or parameter indices/);
});
