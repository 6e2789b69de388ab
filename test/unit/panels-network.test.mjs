// Networks in the panels: New Network…'s starter files (they parse, their data fits the network, and they train),
// the parameter tensors the inspector and the debugger group by, and the network drawing's edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';
import { loadLoss } from './loss-helpers.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { NETWORK_STARTERS, starterLossText } = await loadTs('src/panels/networkStarters.ts');
const { networkParamGroups, networkParamNames, paramGroupName } = await loadTs('src/shared/network.ts');
const { parseLoss } = await loadLoss();
const engine = await createEngine();

for (const starter of NETWORK_STARTERS) {
  test(`starter ${starter.id}: parses, its data fits its network, and both optimizers lower the loss`, async () => {
    const text = starterLossText(starter);
    assert.equal(text, starterLossText(starter), 'seeded: the same file every time');
    assert.match(text, /^data (spiral|moons|circles|xor|curve) .*seed=\d/m, 'one of the core\'s generated sets, seeded');
    const parsed = parseLoss(text);
    assert.ok(parsed.ok, JSON.stringify(parsed.diagnostics?.slice(0, 2)));
    assert.deepEqual(parsed.loss.warnings ?? [], []);
    const info = await engine.lossInfo(text);
    const { widths, loss } = info.network;
    assert.equal(info.data.columns.length, widths[0] + 1);
    const samples = await engine.samples(text);
    const labels = new Set();
    for (let i = widths[0]; i < samples.length; i += widths[0] + 1) labels.add(samples[i]);
    if (loss === 'cross_entropy') assert.deepEqual([...labels].sort(), Array.from({ length: widths.at(-1) }, (_, k) => k));
    if (loss === 'bce') assert.deepEqual([...labels].sort(), [0, 1]);
    if (loss === 'mse') assert.ok(labels.size > 10, 'regression targets vary');
    const optimizers = parsed.loss.scenario.optimizers;
    assert.equal(optimizers.length, 2);
    for (const { name, options } of optimizers) {
      const stochastic = parsed.loss.scenario.stochastic;
      const result = await engine.trace({ loss: text, optimizer: name, options, stochastic, steps: parsed.loss.scenario.steps });
      const first = result.trajectory[0].at(-1);
      const last = result.trajectory.at(-1).at(-1);
      assert.ok(last < 0.7 * first, `${starter.id} ${name}: loss ${first} -> ${last}`);
    }
  });
}

test('parameter groups: model.parameters() order, covering the names exactly', () => {
  for (const [widths, batchnorm] of [[[2, 3, 1], false], [[2, 4, 4, 3], true], [[1, 16, 1], false]]) {
    const groups = networkParamGroups(widths, batchnorm);
    const names = networkParamNames(widths, batchnorm);
    let next = 0;
    for (const group of groups) {
      assert.equal(group.start, next);
      for (let k = 0; k < group.count; k++) assert.equal(paramGroupName(names[group.start + k]), group.name);
      next += group.count;
    }
    assert.equal(next, names.length);
  }
  assert.deepEqual(networkParamGroups([2, 4, 4, 3], true).map((g) => g.name), ['W1', 'b1', 'bn1.weight', 'bn1.bias', 'W2', 'b2', 'bn2.weight', 'bn2.bias', 'W3', 'b3']);
  assert.equal(paramGroupName('x'), undefined);
  assert.equal(paramGroupName('exp_avg_W1[1,2]'), undefined);
});

test('network outputs: one request per run in flight, the newest row wins, new traces ask again', async () => {
  const { OutputRequests } = await loadTs('webview/network/outputRequests.ts');
  const pending = [];
  const asked = [];
  const shown = [];
  const errors = [];
  const requests = new OutputRequests(
    (run, row) => {
      asked.push([run, row]);
      return new Promise((resolve, reject) => pending.push({ resolve: () => resolve(`${run}:${row}`), reject }));
    },
    (run, row, value) => shown.push([run, row, value]),
    (error) => errors.push(error.message),
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  requests.tracesChanged(2);
  requests.want(0, 0);
  requests.want(1, 0);
  // Playback: rows 1..50 while run 0's first request is in flight: none asked yet, only the newest waits.
  for (let row = 1; row <= 50; row++) requests.want(0, row);
  assert.deepEqual(asked, [[0, 0], [1, 0]]);
  pending.shift().resolve();
  await settle();
  assert.deepEqual(shown, [[0, 0, '0:0']]);
  assert.deepEqual(asked.at(-1), [0, 50], 'then the newest row, not the ones between');
  assert.equal(asked.length, 3);
  requests.want(0, 50);
  assert.equal(asked.length, 3, 'a row in flight is not asked twice');
  // New traces while run 0's row 50 and run 1's row 0 are in flight: each answer is drawn, then asked again.
  requests.tracesChanged(2);
  pending.shift().resolve(); // run 1, row 0
  pending.shift().resolve(); // run 0, row 50
  await settle();
  assert.deepEqual(asked.slice(3), [[1, 0], [0, 50]]);
  pending.shift().resolve();
  pending.shift().resolve();
  await settle();
  requests.want(0, 50);
  requests.want(1, 0);
  assert.equal(asked.length, 5, 'shown rows are not asked again');
  // An error is reported once and not retried for that row; another loss drops answers still coming.
  requests.want(1, 7);
  pending.shift().reject(new Error('bad'));
  await settle();
  requests.want(1, 7);
  assert.deepEqual(errors, ['bad']);
  assert.equal(asked.length, 6);
  requests.want(0, 9);
  requests.clear();
  pending.shift().resolve();
  await settle();
  assert.ok(!shown.some(([run, row]) => run === 0 && row === 9), 'an answer for the loss before is not drawn');
});
