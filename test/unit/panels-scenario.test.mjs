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
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0 } }, pickable), 'sgd');
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0.5 } }, pickable), 'sgd:momentum');
  assert.equal(choiceOf({ optimizer: 'sgd', options: { lr: 0.1, momentum: 0.5, nesterov: true } }, pickable), 'sgd:nesterov');
  assert.equal(choiceOf({ optimizer: 'adam', options: { amsgrad: true } }, pickable), 'adam:amsgrad');
  assert.equal(choiceOf({ optimizer: 'adam', options: { amsgrad: false } }, pickable), 'adam');
  // Every choice, applied, is shown as itself.
  for (const choice of choices) {
    const run = applyChoice(pickable, { optimizer: 'sgd', options: { lr: 0.02 } }, choice.value);
    assert.equal(choiceOf(run, pickable), choice.value, choice.value);
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

test('a written optimizer is picked by its file, carried as its text, labelled by its name, and completed with its hypers', async () => {
  const { writtenOptimizerInfo, withRunOptimizers } = await loadTs('src/loss/optim/index.ts');
  const lionText = 'optimizer lion\nhyper lr = 1e-4, beta1 = 0.9, beta2 = 0.99\nstate m = 0\nupdate\n  c = beta1*m + (1 - beta1)*g\n  x = x - lr*sign(c)\n  m = beta2*m + (1 - beta2)*g\n';
  const lion = writtenOptimizerInfo(lionText, 'opt/lion.optim');
  assert.deepEqual(lion.defaults, { lr: 1e-4, beta1: 0.9, beta2: 0.99 });
  assert.equal(writtenOptimizerInfo('optimizer broken\nupdate\n  g = 1\n'), undefined, 'a text that does not compile is not listed');
  const all = [...pickable, lion];
  const choice = optimizerChoices(all).at(-1);
  assert.deepEqual([choice.value, choice.label, choice.optimizer], ['written:opt/lion.optim', 'lion (opt/lion.optim)', lionText]);
  const run = applyChoice(all, { optimizer: 'adam', options: { lr: 0.02, betas: [0.8, 0.9] } }, choice.value);
  // lr carries over; Adam's betas are not Lion's options and are dropped.
  assert.deepEqual(run, { optimizer: lionText, options: { lr: 0.02, beta1: 0.9, beta2: 0.99 } });
  assert.equal(choiceOf(run, all), choice.value);
  assert.equal(runLabel(run, all), 'lion lr=0.02');
  assert.equal(runLabel({ ...run, options: { lr: 0.02, beta1: 0.5 } }, pickable), 'lion lr=0.02 beta1=0.5', 'unlisted: named from its text');
  // A run's own text (an edited file) joins the list once.
  const edited = lionText.replace('0.99', '0.98');
  const withEdited = withRunOptimizers(all, [{ optimizer: edited, options: {} }, { optimizer: edited, options: {} }, { optimizer: 'adam', options: {} }]);
  assert.equal(withEdited.length, all.length + 1);
  assert.equal(completeRun(withEdited, { optimizer: edited, options: { lr: 1 } }).options.beta2, 0.98);
  assert.equal(withRunOptimizers(all, [{ optimizer: lionText, options: {} }]), all, 'listed already: the same list');
});

test('the scenario schema takes a written optimizer\'s text up to LIMITS.optimizerLength and names the limit past it', async () => {
  const { validate, RunSchema } = await loadTs('src/shared/scenarioModel.ts');
  const { LIMITS } = await loadTs('src/shared/limits.ts');
  const text = 'optimizer long\n' + '#'.repeat(LIMITS.optimizerLength - 15);
  assert.equal(text.length, LIMITS.optimizerLength);
  assert.equal(validate(RunSchema, { optimizer: text, options: {} }, 'run').ok, true);
  const tooLong = validate(RunSchema, { optimizer: text + ' ', options: {} }, 'run');
  assert.equal(tooLong.ok, false);
  assert.match(tooLong.error, /run\.optimizer: expected a string of at most 65536 characters/);
});

test('L-BFGS from a .loss file: line_search_fn="strong_wolfe" and max_eval survive completeRun and run as the strong-Wolfe entry does', async () => {
  const { createRequire } = await import('node:module');
  const { createEngine } = createRequire(import.meta.url)('../../dist/engine.js');
  const { parseLoss } = await loadTs('src/loss/index.ts');
  const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
  const engine = await createEngine();
  const text = 'f = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)\noptimizer lbfgs lr=0.5 max_iter=5 max_eval=6 line_search_fn="strong_wolfe"\nsteps = 8\n';
  const parsed = parseLoss(text);
  assert.equal(parsed.ok, true);
  const [written] = scenarioFromFile(text, parsed.loss.scenario).runs;
  const run = completeRun(engine.optimizers(), written);
  assert.equal(run.options.line_search_fn, 'strong_wolfe');
  assert.equal(run.options.max_eval, 6);
  const ends = async (r) => {
    const [trace] = await engine.runs({ loss: text, steps: 8, runs: [r] });
    return Array.from(trace.rows.subarray(0, trace.rowCount * (trace.dim + 2)));
  };
  const strongWolfe = await ends({ optimizer: 'lbfgs_strong_wolfe', options: { lr: 0.5, max_iter: 5, max_eval: 6 } });
  assert.deepEqual(await ends(run), strongWolfe);
  assert.notDeepEqual(await ends({ ...run, options: { ...run.options, max_eval: 100 } }), strongWolfe, 'max_eval matters here');
  const { line_search_fn: _search, ...withoutSearch } = run.options;
  assert.notDeepEqual(await ends({ ...run, options: withoutSearch }), strongWolfe, 'the line search matters here');
  // The engine names its string options; the .loss language reads text for exactly those.
  const { STRING_OPTIONS } = await loadTs('src/shared/scenarioModel.ts');
  const stringOptions = Object.fromEntries(engine.optimizers().filter((o) => o.name === 'lbfgs').map((o) => [o.name, Object.keys(o.optional).filter((k) => o.optional[k] === 'string')]));
  assert.deepEqual(stringOptions, STRING_OPTIONS);
});

test("ASGD's averaged iterate streams to the page beside its rows (as engine.trace returns it) and is drawn from step 1", async () => {
  const { createRequire } = await import('node:module');
  const { createEngine } = createRequire(import.meta.url)('../../dist/engine.js');
  const { startStream } = await loadTs('src/panels/scenarioRuns.ts');
  const { averagedPoints } = await loadTs('webview/runs/traces.ts');
  const engine = await createEngine();
  const asgd = { optimizer: 'asgd', options: { lr: 0.001, t0: 20 } };
  const scenario = { loss: 'rosenbrock', start: [-1.5, 2], steps: 500, view: null, runs: [asgd, { optimizer: 'adam', options: { lr: 0.05 } }] };
  const stream = startStream(engine, (_, work) => work, scenario);
  const { traces } = await stream.result;
  const reference = await engine.trace({ loss: 'rosenbrock', start: [-1.5, 2], steps: 500, ...asgd });
  assert.deepEqual(Array.from(traces[0].averaged), reference.averaged.flatMap((row) => row.slice(0, 2)));
  assert.equal(traces[1].averaged, undefined, 'Adam has none');
  // Averaging starts after t0: ax leaves the iterate.
  const at = (row) => [traces[0].averaged[2 * row], traces[0].averaged[2 * row + 1]];
  const x = (row) => [traces[0].rows[row * 4], traces[0].rows[row * 4 + 1]];
  assert.deepEqual(at(10), x(10));
  assert.notDeepEqual(at(400), x(400));
  const points = averagedPoints(traces[0], 400, (a, b) => [a * 100, b * 100], 0);
  assert.equal(points.length, 400);
  assert.deepEqual(points[0], [at(1)[0] * 100, at(1)[1] * 100]);
  assert.deepEqual(averagedPoints(traces[1], 400, (a, b) => [a, b]), []);
});
