// The initialization and skip-connection lessons (issue 18, lessons 1 and 7): their network-line edits, the studies
// the engine runs for them (through the host's lessonStudy, on the lessons' own .loss files) and the numbers their
// explanations state, and the slice roughness measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine, sliceRoughness } = require('../../dist/engine.js');
const { findLesson } = await loadTs('src/shared/lessons.ts');
const { withNetworkInit } = await loadTs('src/shared/depthStudies.ts');
const { lessonStudy } = await loadTs('src/panels/lessonStudies.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { parseLoss } = await loadTs('src/loss/index.ts');
const { networkParamGroups } = await loadTs('src/shared/network.ts');
const engine = await createEngine();

function launchOf(text) {
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.diagnostics[0].message);
  return scenarioFromFile(text, parsed.loss.scenario);
}

test('withNetworkInit: init replaced, std replaced or dropped, value dropped, the rest of the file untouched', () => {
  const text = 'data moons\nnetwork 2-8-1 init=normal std=0.5 seed=3  # a comment\noptimizer sgd lr=0.1';
  assert.equal(withNetworkInit(text, { init: 'xavier_normal' }), 'data moons\nnetwork 2-8-1 init=xavier_normal seed=3  # a comment\noptimizer sgd lr=0.1');
  assert.equal(withNetworkInit(text, { init: 'normal', std: 0.01 }), 'data moons\nnetwork 2-8-1 init=normal std=0.01 seed=3  # a comment\noptimizer sgd lr=0.1');
  assert.equal(withNetworkInit('network 2-8-1 init=constant value=0.2', { init: 'zeros' }), 'network 2-8-1 init=zeros');
  for (const edited of [withNetworkInit(text, { init: 'zeros' }), withNetworkInit(text, { init: 'normal', std: 0.01 })]) assert.ok(parseLoss(edited).ok, edited);
});

test('slice roughness: a bowl has one grid minimum and at most one turn per line; ripples add both; scaling the loss changes neither', () => {
  const n = 21;
  const grid = (f) => Float64Array.from({ length: n * n }, (_, k) => f(-1 + (2 * (k % n)) / (n - 1), -1 + (2 * Math.floor(k / n)) / (n - 1)));
  const bowl = sliceRoughness(grid((a, b) => a * a + 2 * b * b), n, n);
  assert.equal(bowl.minima, 1);
  assert.ok(bowl.turns <= 1, `bowl turns ${bowl.turns}`);
  const ripples = sliceRoughness(grid((a, b) => a * a + b * b + 0.3 * Math.sin(12 * a) * Math.sin(12 * b)), n, n);
  assert.ok(ripples.turns >= 3 && ripples.minima >= 4, JSON.stringify(ripples));
  assert.deepEqual(sliceRoughness(grid((a, b) => 5 + 100 * (a * a + b * b + 0.3 * Math.sin(12 * a) * Math.sin(12 * b))), n, n), ripples);
  assert.deepEqual(sliceRoughness(grid(() => 1), n, n), { turns: 0, minima: 0 });
  assert.throws(() => sliceRoughness([1, 2, 3, 4], 2, 2), /at least 3 x 3/);
});

test('initialization lesson: per-layer std at init per scheme (tanh and relu) and each scheme trained, as the explanation states', async () => {
  const lesson = findLesson('initialization');
  const launch = launchOf(lesson.source);
  const progress = [];
  const data = await lessonStudy(engine, 'initialization', launch, (p) => progress.push(`${p.done}/${p.total}`));
  assert.equal(data.kind, 'init');
  const { labels, panels, losses } = data.result;
  assert.deepEqual(labels, ['zeros', 'normal std=0.01', 'lecun_normal', 'xavier_normal', 'kaiming_normal']);
  assert.deepEqual(panels.map((p) => p.activation), ['tanh', 'relu']);
  assert.deepEqual(progress, ['1/5', '2/5', '3/5', '4/5', '5/5']);
  const at = (activation, label) => {
    const panel = panels.find((p) => p.activation === activation);
    const k = labels.indexOf(label);
    return { act: panel.activationStd[k], grad: panel.gradientStd[k] };
  };
  const hidden = (values) => values.slice(0, 10);
  for (const activation of ['tanh', 'relu']) {
    // Zeros: every hidden activation and every hidden gradient exactly 0; only the output layer's gradient is not.
    const zeros = at(activation, 'zeros');
    assert.ok(hidden(zeros.act).every((s) => s === 0) && hidden(zeros.grad).every((s) => s === 0), `${activation} zeros`);
    assert.ok(zeros.grad[10] > 0);
    // Small normal: each layer's activation std under a tenth of the previous one's (sqrt(32 * 1e-4) ~ 1/17 for tanh).
    const small = at(activation, 'normal std=0.01');
    for (let l = 1; l < 11; l++) assert.ok(small.act[l] < 0.1 * small.act[l - 1], `${activation} small normal layer ${l + 1}: ${small.act[l]} vs ${small.act[l - 1]}`);
    assert.ok(small.grad[0] < 1e-12, `${activation} small normal: first layer's gradient std ${small.grad[0]}`);
  }
  const xavier = at('tanh', 'xavier_normal');
  for (const s of hidden(xavier.act)) assert.ok(s >= 0.15 && s <= 0.6, `tanh xavier activation std ${s}`);
  const grads = hidden(xavier.grad);
  assert.ok(Math.max(...grads) / Math.min(...grads) < 10, `tanh xavier gradient std spread ${Math.max(...grads) / Math.min(...grads)}`);
  const reluLecun = at('relu', 'lecun_normal').act;
  assert.ok(reluLecun[9] < 0.05 * reluLecun[0], `relu lecun: layer 10 ${reluLecun[9]} vs layer 1 ${reluLecun[0]}`);
  for (const s of hidden(at('relu', 'kaiming_normal').act)) assert.ok(s >= 0.3 && s <= 1.5, `relu he activation std ${s}`);
  // The curves: zeros and small normal stay at the mean predictor's loss; LeCun, Xavier and He fall below a tenth of it.
  const final = losses.map((curve) => curve[curve.length - 1]);
  assert.ok(Math.abs(final[0] - final[1]) < 1e-3 && final[0] > 1, `stuck at ${final[0]}, ${final[1]}`);
  for (const k of [2, 3, 4]) assert.ok(final[k] < 0.15 * final[0], `${labels[k]} ends at ${final[k]}`);
});

test('zeros initialization: the hidden layers\' weights and biases never move in training, only the output layer\'s', async () => {
  const text = withNetworkInit(findLesson('initialization').source, { init: 'zeros' });
  const info = await engine.lossInfo(text);
  const [trace] = await engine.runs({ loss: text, steps: 20, recordEvery: 20, runs: [{ optimizer: 'sgd', options: { lr: 0.02 } }] });
  const last = trace.rows.subarray((trace.rowCount - 1) * (trace.dim + 2), (trace.rowCount - 1) * (trace.dim + 2) + trace.dim);
  const output = networkParamGroups(info.network.widths, false).find((g) => g.name === 'W11');
  assert.ok(last.subarray(0, output.start).every((v) => v === 0), 'hidden parameters moved');
  assert.ok(last[output.start + output.count] !== 0, 'the output bias trains');
});

test('skip-connection lesson: at the same depth and seed the residual network\'s slice is smoother than the plain one\'s and it trains; wider plain networks are smoother', async () => {
  const lesson = findLesson('skip-connections');
  const launch = launchOf(lesson.source);
  const progress = [];
  const data = await lessonStudy(engine, 'skip-connections', launch, (p) => progress.push(`${p.done}/${p.total}`));
  assert.equal(data.kind, 'skip');
  assert.deepEqual(progress, Array.from({ length: 10 }, (_, k) => `${k + 1}/10`));
  const [plain, residual, ...wide] = data.result.slices;
  assert.deepEqual([plain.residual, residual.residual], [false, true]);
  assert.deepEqual([plain.hidden.length, residual.hidden.length], [20, 20]);
  assert.deepEqual(wide.map((s) => [s.group, s.residual, s.hidden.length, s.hidden[0]]), [['width', false, 8, 6], ['width', false, 8, 16], ['width', false, 8, 48]]);
  for (const slice of data.result.slices) {
    assert.deepEqual(slice.size, [25, 25]);
    // The slice's centre is the trained end: its loss is the curve's last one.
    assert.ok(Math.abs(slice.centerLoss - slice.losses[slice.losses.length - 1]) <= 1e-9 * slice.centerLoss, `${slice.label}: ${slice.centerLoss}`);
    assert.equal(slice.values[12 * 25 + 12], slice.centerLoss);
  }
  // Measured (direction seed 1): plain 9.12 turns per line and 21 grid minima, residual 2.92 and 4.
  assert.ok(residual.roughness.turns < 0.6 * plain.roughness.turns, `turns: residual ${residual.roughness.turns}, plain ${plain.roughness.turns}`);
  assert.ok(residual.roughness.minima * 2 < plain.roughness.minima, `minima: residual ${residual.roughness.minima}, plain ${plain.roughness.minima}`);
  assert.ok(plain.centerLoss > 0.6 && residual.centerLoss < 0.05, `final losses: plain ${plain.centerLoss}, residual ${residual.centerLoss}`);
  // Width (8 hidden layers of 6, 16, 48): measured 6.16, 3.32, 1.76 turns, 16, 1, 1 minima, losses 0.484, 0.128, 0.0473.
  const [narrow, middle, widest] = wide;
  assert.ok(widest.roughness.turns < 0.5 * narrow.roughness.turns, `turns: 48 units ${widest.roughness.turns}, 6 units ${narrow.roughness.turns}`);
  assert.ok(widest.roughness.minima < narrow.roughness.minima, `minima: 48 units ${widest.roughness.minima}, 6 units ${narrow.roughness.minima}`);
  assert.ok(narrow.centerLoss > middle.centerLoss && middle.centerLoss > widest.centerLoss && widest.centerLoss < 0.1, `losses ${wide.map((s) => s.centerLoss)}`);
});

test('the skip-connection study refuses bad widths with a message', async () => {
  const lesson = findLesson('skip-connections');
  const launch = launchOf(lesson.source);
  const { skipStudy } = await loadTs('src/engine/depthStudies.ts');
  const request = { loss: launch.loss, run: launch.runs[0], steps: 10, every: 10, size: 5, seed: 1 };
  await assert.rejects(skipStudy(engine, { ...request, widths: { layers: 0, units: [4] } }), /widths: whole numbers/);
  await assert.rejects(skipStudy(engine, { ...request, widths: { layers: 2, units: [4, 1.5] } }), /widths: whole numbers/);
});
