// Tune learning rates on a network: the candidates run in the engine recording their first and last rows only (a
// network has no known minimum: only the final loss counts), without the scenario's breakpoints, and the rate found
// ends lower than the one given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { tuneLearningRates } = await loadTs('src/panels/scenarioRuns.ts');

const loss = 'data moons samples=100 noise=0.1 test=0.2 seed=2\nnetwork 2-6-1 activation=tanh loss=bce init=xavier_uniform seed=1';
const STEPS = 150;

test('a network\'s rates are tuned on final losses, each candidate recording two rows, breakpoints left out', async () => {
  const requests = [];
  const spy = Object.create(engine);
  spy.runs = (request, cancel) => {
    requests.push(request);
    return engine.runs(request, cancel);
  };
  const scenario = { loss, runs: [{ optimizer: 'sgd', options: { lr: 0.001 } }], steps: STEPS, start: null, view: null, breakpoints: [{ condition: 'step == 3' }] };
  const seen = [];
  const tuned = await tuneLearningRates(spy, (_runs, work) => work, scenario, { isCancellationRequested: false }, (done, total) => seen.push([done, total]));
  assert.deepEqual(seen, [[0, 1], [1, 1]]);
  assert.ok(requests.length >= 2, 'the rate was at the window\'s upper edge: one more decade was searched');
  for (const request of requests) {
    assert.equal(request.recordEvery, STEPS);
    assert.equal(request.breakpoints, undefined);
  }
  const lr = tuned.runs[0].options.lr;
  assert.ok(lr > 0.001, `lr ${lr}`);
  const finalLoss = async (rate) => (await engine.trace({ loss, optimizer: 'sgd', options: { lr: rate }, steps: STEPS })).trajectory.at(-1).at(-1);
  assert.ok((await finalLoss(lr)) < (await finalLoss(0.001)));
});

test('a cancelled tuning stops with the engine\'s cancellation', async () => {
  const scenario = { loss, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: STEPS, start: null, view: null };
  await assert.rejects(tuneLearningRates(engine, (_runs, work) => work, scenario, { isCancellationRequested: true }, () => undefined), (error) => error.name === 'CancelledError');
});
