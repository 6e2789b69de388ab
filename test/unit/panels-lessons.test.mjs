// Stochastic runs in the panels, the lessons and their .loss files, the linear-scaling-rule preset, regret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { parseFromWebview, parsePanelState } = await loadTs('src/shared/protocol.ts');
const { LESSONS, SCALING_RULE, scalingRuleLessonRuns, findLesson } = await loadTs('src/shared/lessons.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { averageRegret, samplesPerStep, scalingRuleRuns, lossAtSamples } = await loadTs('src/shared/stochastic.ts');
const { scenarioLossFile, runLines } = await loadTs('src/shared/export.ts');
const { parseLoss } = await loadTs('src/loss/index.ts');

const engine = await createEngine();

function launchOf(text) {
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.diagnostics[0].message);
  return scenarioFromFile(text, parsed.loss.scenario);
}

/** The runs a launch asks for, as the panel sends them to the engine. */
function runsRequest(launch, steps = launch.steps) {
  return {
    loss: launch.loss,
    lossParams: launch.lossParams,
    steps,
    runs: launch.runs.map((run) => ({ optimizer: run.optimizer, options: run.options, stochastic: run.stochastic, schedule: run.schedule, project: run.project, start: launch.start })),
  };
}

const base = { loss: 'linear_regression', start: null, steps: 10, view: null };

test('protocol: runs carry batch size, replacement, noise, seed, schedule and projection; bad ones are refused', () => {
  const run = { optimizer: 'sgd', options: { lr: 0.1 }, stochastic: { batchSize: 8, replacement: true, noise: 0.1, seed: 3 }, schedule: { type: 'cosine', T_max: 100, eta_min: 0, junk: 1 }, project: [[-1, 1]] };
  const parsed = parseFromWebview({ type: 'run', requestId: 1, scenario: { ...base, runs: [run], chartX: 'samples', lesson: 'scaling-rule' } });
  assert.ok(parsed.ok, parsed.error);
  const [got] = parsed.value.scenario.runs;
  assert.deepEqual(got.stochastic, run.stochastic);
  assert.deepEqual(got.schedule, { type: 'cosine', T_max: 100, eta_min: 0 });
  assert.deepEqual(got.project, [[-1, 1]]);
  assert.equal(parsed.value.scenario.chartX, 'samples');
  assert.equal(parsed.value.scenario.lesson, 'scaling-rule');
  const bad = (patch) => parseFromWebview({ type: 'run', requestId: 1, scenario: { ...base, runs: [{ ...run, ...patch }] } });
  assert.match(bad({ stochastic: { batchSize: 2.5 } }).error, /batchSize: expected an integer/);
  assert.match(bad({ stochastic: { noise: -1 } }).error, /noise: expected a number >= 0/);
  assert.match(bad({ stochastic: { replacement: 'yes' } }).error, /replacement: expected true or false/);
  assert.match(bad({ schedule: { type: 'warp' } }).error, /schedule.type: expected one of constant, step/);
  assert.match(bad({ project: [[1, -1]] }).error, /project\[0\]: expected a range/);
  assert.equal(parseFromWebview({ type: 'run', requestId: 1, scenario: { ...base, runs: [run], chartX: 'time' } }).ok, false);
  // Saved state from before these fields still restores (the version is unchanged).
  const old = parsePanelState({ version: 1, scenario: { ...base, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }] } });
  assert.ok(old.ok);
  assert.equal(old.value.scenario.runs[0].stochastic, undefined);
});

test('.loss: builtin, schedule lines and run keys on optimizer lines become the launch', () => {
  const launch = launchOf(
    ['builtin linear_regression samples=64 seed=2 noise=0.3', 'start = (1, 2)', 'optimizer sgd lr=0.1 batch=8 replacement=true noise=0.01 seed=5', 'schedule step step_size=10 gamma=0.5', 'optimizer adam lr=0.01 project=(-3, 3)', 'steps = 40'].join('\n'),
  );
  assert.deepEqual(launch, {
    loss: 'linear_regression',
    lossParams: { samples: 64, seed: 2, noise: 0.3 },
    start: [1, 2],
    steps: 40,
    runs: [
      { optimizer: 'sgd', options: { lr: 0.1 }, stochastic: { batchSize: 8, replacement: true, noise: 0.01, seed: 5 }, schedule: { type: 'step', step_size: 10, gamma: 0.5 } },
      { optimizer: 'adam', options: { lr: 0.01 }, project: [[-3, 3]] },
    ],
  });
  const noOptimizer = parseLoss('f = x^2 + y^2\nschedule cosine T_max=10');
  assert.equal(noOptimizer.ok, false);
  assert.match(noOptimizer.diagnostics[0].message, /schedule line applies to the optimizer line above it/);
  const both = parseLoss('builtin reddi\nf = x^2');
  assert.equal(both.ok, false);
  assert.match(both.diagnostics[0].message, /either names a built-in loss or writes its formula/);
});

test('Export .loss of a data-backed or online scenario names the built-in and round-trips its stochastic runs', async () => {
  for (const name of ['linear_regression', 'reddi']) {
    const loss = await engine.lossInfo(name);
    const scenario = {
      loss: name,
      lossParams: loss.lossParams,
      start: null,
      steps: 25,
      view: null,
      runs: [{ optimizer: 'sgd', options: { lr: 0.5, momentum: 0.9 }, stochastic: { noise: 0.25, seed: 7 }, schedule: { type: 'exponential', gamma: 0.9 }, project: [[-1, 1]] }],
    };
    const text = scenarioLossFile(scenario, loss, true);
    assert.match(text, new RegExp(`^builtin ${name} `, 'm'));
    const launch = launchOf(text);
    assert.equal(launch.loss, name);
    assert.deepEqual(launch.lossParams, loss.lossParams);
    assert.deepEqual(launch.runs, scenario.runs);
    assert.equal(launch.steps, 25);
  }
  assert.deepEqual(runLines({ optimizer: 'adam', options: { lr: 0.5 }, schedule: { type: 'inverse_sqrt' } }), ['optimizer adam lr=0.5', 'schedule inverse_sqrt']);
});

test('every lesson: its .loss file parses, the engine runs it, and it has an explanation', async () => {
  const ids = LESSONS.map((l) => l.id);
  assert.deepEqual(ids, ['gd-newton', 'sgd-minibatch', 'scaling-rule', 'momentum-nesterov', 'adaptive-beale', 'adaptive-saddle', 'adam-amsgrad', 'permutation-symmetry', 'mode-connectivity', 'adaptive-generalization', 'batchnorm-only', 'lottery-ticket', 'bad-local-minima', 'initialization', 'skip-connections', 'batchnorm']);
  for (const lesson of LESSONS) {
    assert.ok(lesson.explanation.length >= 2 && lesson.explanation.every((p) => p.length > 40), lesson.id);
    const launch = launchOf(lesson.source);
    const info = await engine.lossInfo(launch.loss, launch.lossParams);
    const traces = await engine.runs(runsRequest(launch, 5));
    assert.equal(traces.length, launch.runs.length, lesson.id);
    for (const trace of traces) assert.equal(trace.dim, info.dim, lesson.id);
  }
  assert.match(findLesson('adaptive-beale').source, /minimum = \(3, 0\.5\)/);
});

test('reproducible: the same seed gives the same minibatches and noise bit for bit, another seed does not', async () => {
  const request = (seed) => ({ loss: 'linear_regression', steps: 50, runs: [{ optimizer: 'sgd', options: { lr: 0.05 }, stochastic: { batchSize: 4, noise: 0.1, seed } }] });
  const [a] = await engine.runs(request(3));
  const [b] = await engine.runs(request(3));
  const [c] = await engine.runs(request(4));
  assert.deepEqual(Array.from(a.rows.slice(0, a.rowCount * 4)), Array.from(b.rows.slice(0, b.rowCount * 4)));
  assert.notDeepEqual(Array.from(a.rows.slice(0, a.rowCount * 4)), Array.from(c.rows.slice(0, c.rowCount * 4)));
});

test('linear scaling rule preset: B, kB, k²B at lr, k lr, k² lr, then kB and k²B unscaled', () => {
  const runs = scalingRuleRuns({ optimizer: 'sgd', options: { lr: 0.01, momentum: 0 }, stochastic: { seed: 2 } }, 8, 2);
  assert.deepEqual(
    runs.map((r) => [r.stochastic.batchSize, r.options.lr, r.stochastic.seed, r.options.momentum]),
    [[8, 0.01, 2, 0], [16, 0.02, 2, 0], [32, 0.04, 2, 0], [16, 0.01, 2, 0], [32, 0.01, 2, 0]],
  );
  assert.match(runs[1].label, /B=16, lr=0.02 \(scaled\)/);
  assert.match(runs[4].label, /B=32, lr=0.01 \(unscaled\)/);
  const lesson = launchOf(findLesson('scaling-rule').source);
  const { batch, k, lr } = SCALING_RULE;
  assert.deepEqual(
    lesson.runs.map((r) => [r.stochastic.batchSize, r.options.lr]),
    scalingRuleLessonRuns().map((r) => [r.stochastic.batchSize, r.options.lr]),
  );
  assert.deepEqual(lesson.runs.map((r) => r.stochastic.batchSize), [batch, batch * k, batch * k * k, batch * k, batch * k * k]);
  assert.deepEqual(lesson.runs.map((r) => r.options.lr), [lr, lr * k, lr * k * k, lr, lr]);
  assert.equal(findLesson('scaling-rule').chartX, 'samples');
});

test('linear scaling rule: against samples seen the scaled runs stay together and the unscaled ones fall behind', async () => {
  const launch = launchOf(findLesson('scaling-rule').source);
  const info = await engine.lossInfo(launch.loss, launch.lossParams);
  const traces = await engine.runs(runsRequest(launch));
  const perStep = launch.runs.map((run) => samplesPerStep(run, info));
  assert.deepEqual(perStep, launch.runs.map((r) => r.stochastic.batchSize));
  const best = Math.min(...traces.map((t) => t.rows[(t.rowCount - 1) * 4 + 2]));
  const budget = Math.min(...traces.map((t, i) => (t.rowCount - 1) * perStep[i]));
  // The excess loss over the best reached, at points along the samples budget the three scaled runs share.
  for (const fraction of [0.05, 0.1, 0.2]) {
    const samples = Math.round(budget * fraction);
    const excess = traces.map((t, i) => lossAtSamples(t, perStep[i], samples) - best);
    const scaled = excess.slice(0, 3);
    const spread = (Math.max(...scaled) - Math.min(...scaled)) / Math.max(...scaled);
    assert.ok(spread < 0.25, `at ${samples} samples the scaled runs' excess losses ${scaled.map((v) => v.toPrecision(3))} differ by ${(spread * 100).toFixed(0)}%`);
    assert.ok(excess[3] > 1.5 * Math.max(...scaled), `at ${samples} samples B=${launch.runs[3].stochastic.batchSize} unscaled (${excess[3].toPrecision(3)}) is behind`);
    assert.ok(excess[4] > excess[3], `at ${samples} samples the largest unscaled batch is furthest behind`);
  }
});

test('average regret: by hand on a short path, and Adam vs AMSGrad on the Reddi lesson', async () => {
  const reddi = await engine.lossInfo('reddi', { C: 3 });
  // x_1..x_3 = 0, 1, 1 against f_1 = 3x, f_2 = f_3 = -x: played -2; the best fixed point (-1) gets -(3 - 1 - 1) = -1.
  const trace = { dim: 1, rowCount: 4, rows: Float64Array.from([0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]) };
  const hand = averageRegret(trace, reddi);
  assert.deepEqual(hand.averageRegret, [(0 - -3) / 1, (-1 - -2) / 2, (-2 - -1) / 3]);
  assert.equal(hand.best, -1);
  assert.equal(hand.kind, 'exact');
  assert.equal(averageRegret(trace, await engine.lossInfo('sphere')), undefined);

  const launch = launchOf(findLesson('adam-amsgrad').source);
  const [adam, amsgrad] = await engine.runs(runsRequest(launch));
  const last = (t) => t.rows[(t.rowCount - 1) * 3];
  assert.equal(last(adam), 1);
  assert.ok(last(amsgrad) < -0.98, `AMSGrad ends at ${last(amsgrad)}`);
  const info = await engine.lossInfo(launch.loss, launch.lossParams);
  const adamRegret = averageRegret(adam, info).averageRegret;
  const amsRegret = averageRegret(amsgrad, info).averageRegret;
  assert.ok(adamRegret.at(-1) > 0.5, `Adam's average regret ${adamRegret.at(-1)} stays large`);
  assert.ok(amsRegret.at(-1) < 0.05 && amsRegret.at(-1) < amsRegret[99], `AMSGrad's average regret ${amsRegret.at(-1)} falls towards 0`);
});
