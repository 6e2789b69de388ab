// Scenario helpers shared by the host and the webview: loss previews, defaults, run labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';

const { describeMinima, lossDescription, lossPreview, defaultScenario, completeRun, runLabel, formatNumber, scenarioKey, optimizerChoices, choiceOf, applyChoice } = await loadTs('src/shared/scenario.ts');

const himmelblau = {
  name: 'himmelblau',
  title: "Himmelblau's function",
  formula: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
  dim: 2,
  params: ['x', 'y'],
  domain: { x: [-5, 5], y: [-5, 5] },
  start: [0, 0],
  minima: [
    { point: [3, 2], value: 0 },
    { point: [-2.805118, 3.131312], value: 0 },
    { point: [-3.77931, -3.283186], value: 0 },
    { point: [3.584428, -1.848126], value: 0 },
  ],
};
const optimizers = [
  { name: 'sgd', title: 'SGD', defaults: { lr: 1e-3, momentum: 0, nesterov: false } },
  { name: 'adam', title: 'Adam', defaults: { lr: 1e-3, betas: [0.9, 0.999], amsgrad: false } },
];

test('the quick-pick preview shows the formula and the first minima', () => {
  assert.equal(describeMinima(himmelblau), 'min f(3, 2) = 0, f(-2.805, 3.131) = 0 (+2 more)');
  assert.equal(describeMinima({ ...himmelblau, minima: [] }), 'no known minimum');
  assert.ok(lossPreview(himmelblau).startsWith('(x^2 + y - 11)^2'));
  assert.equal(lossDescription(himmelblau), 'himmelblau');
  assert.equal(lossDescription({ ...himmelblau, name: 'reddi', dim: 1, params: ['x'] }), 'reddi · 1-D, drawn as its graph');
  assert.equal(lossDescription({ ...himmelblau, name: 'sphere', dim: 10, params: ['x1', 'x2'] }), 'sphere · 10-D, the slice of x1 and x2');
  assert.equal(formatNumber(1e-6), '1.00e-6');
  assert.equal(formatNumber(123456), '1.23e+5');
});

test('default scenario: configured runs the engine knows, defaults filled in, unknown options dropped', () => {
  const scenario = defaultScenario(himmelblau, optimizers, {
    steps: 200,
    runs: [
      { optimizer: 'SGD', options: { lr: 0.01, momentum: 0.9, bogus: 1 } },
      { optimizer: 'lion', options: {} },
      { optimizer: 'adam', options: {}, label: 'Adam' },
    ],
  });
  assert.deepEqual(scenario.runs, [
    { optimizer: 'sgd', options: { lr: 0.01, momentum: 0.9, nesterov: false } },
    { optimizer: 'adam', options: { lr: 1e-3, betas: [0.9, 0.999], amsgrad: false }, label: 'Adam' },
  ]);
  assert.equal(scenario.start, null);
  assert.equal(scenario.view, null);
  assert.equal(scenario.steps, 200);
});

test('default scenario falls back to the first optimizer when none configured is known', () => {
  const scenario = defaultScenario(himmelblau, optimizers, { steps: 10, runs: [{ optimizer: 'lion', options: {} }] });
  assert.deepEqual(scenario.runs.map((r) => r.optimizer), ['sgd']);
  assert.equal(completeRun(optimizers, { optimizer: 'nope', options: {} }), undefined);
});

test('run labels name the optimizer, its lr and the options changed from the defaults', () => {
  assert.equal(runLabel({ optimizer: 'sgd', options: { lr: 0.01, momentum: 0.9, nesterov: true } }, optimizers), 'sgd lr=0.01 momentum=0.9 nesterov=true');
  assert.equal(runLabel({ optimizer: 'adam', options: { lr: 0.001, betas: [0.8, 0.9] } }, optimizers), 'adam lr=0.001 betas=0.8/0.9');
  assert.equal(runLabel({ optimizer: 'adam', options: {}, label: 'mine' }, optimizers), 'mine');
});

test('scenarioKey ignores key order and tells different scenarios apart', () => {
  const a = { loss: 'beale', lossParams: undefined, start: null, runs: [{ optimizer: 'adam', options: { lr: 0.1, betas: [0.9, 0.99] } }], steps: 10, view: null };
  const b = { view: null, steps: 10, runs: [{ options: { betas: [0.9, 0.99], lr: 0.1 }, optimizer: 'adam' }], start: null, loss: 'beale' };
  assert.equal(scenarioKey(a), scenarioKey(b));
  assert.notEqual(scenarioKey(a), scenarioKey({ ...b, steps: 11 }));
  assert.notEqual(scenarioKey(a), scenarioKey({ ...b, runs: [{ optimizer: 'adam', options: { lr: 0.1, betas: [0.99, 0.9] } }] }));
});

// sgd with its dampening option, as the engine lists it.
const pickable = [{ ...optimizers[0], defaults: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false } }, optimizers[1]];

test('the optimizer picker names GD, momentum, Nesterov and AMSGrad, and shows the variant a run is', () => {
  const choices = optimizerChoices(pickable);
  assert.deepEqual(choices.map((c) => c.label), ['GD / SGD', 'SGD + momentum', 'Nesterov', 'Adam', 'AMSGrad']);
  assert.deepEqual(new Set(choices.map((c) => c.value)).size, choices.length);
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0 } }), 'sgd');
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0.5 } }), 'sgd:momentum');
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0.5, nesterov: true } }), 'sgd:nesterov');
  assert.equal(choiceOf({ optimizer: 'adam', options: { amsgrad: true } }), 'adam:amsgrad');
  assert.equal(choiceOf({ optimizer: 'adam', options: { amsgrad: false } }), 'adam');
  // Every choice, applied, is shown as itself.
  for (const choice of choices) {
    const run = applyChoice(pickable, { optimizer: 'sgd', options: { lr: 0.02 } }, choice.value);
    assert.equal(choiceOf(run), choice.value, choice.value);
  }
});

test('picking a variant keeps the run\'s lr, its own momentum, stochastic settings and schedule, and drops its label', () => {
  const run = { optimizer: 'sgd', options: { lr: 0.02, momentum: 0.5, nesterov: false }, label: 'mine', stochastic: { batchSize: 4 }, schedule: { type: 'cosine', T_max: 10 }, project: [-1, 1] };
  const nesterov = applyChoice(pickable, run, 'sgd:nesterov');
  assert.deepEqual(nesterov.options, { lr: 0.02, momentum: 0.5, dampening: 0, nesterov: true });
  assert.deepEqual([nesterov.stochastic, nesterov.schedule, nesterov.project, nesterov.label], [run.stochastic, run.schedule, run.project, undefined]);
  assert.deepEqual(applyChoice(pickable, nesterov, 'sgd').options, { lr: 0.02, momentum: 0, dampening: 0, nesterov: false });
  assert.deepEqual(applyChoice(pickable, { optimizer: 'sgd', options: { lr: 0.02 } }, 'sgd:momentum').options.momentum, 0.9);
  const amsgrad = applyChoice(pickable, run, 'adam:amsgrad');
  assert.deepEqual(amsgrad.options, { lr: 0.02, betas: [0.9, 0.999], amsgrad: true });
  assert.equal(applyChoice(pickable, run, 'lion'), undefined);
});
