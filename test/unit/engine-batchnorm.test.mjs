// The batch norm lesson: noisy batch norm (bn_noise= on the network line, core/assembly/bnNoise.ts), Santurkar et al.'s
// smoothness along the gradient (engine.networkSmoothness, core/assembly/smoothness.ts) and the lesson's study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine, batchnormStudy } = require('../../dist/engine.js');
const { findLesson, BATCHNORM_STUDY } = await loadTs('src/shared/lessons.ts');
const { lessonStudy } = await loadTs('src/panels/lessonStudies.ts');
const { parseLoss } = await loadTs('src/loss/index.ts');
const engine = await createEngine();

const DATA = 'data moons samples=64 noise=0.1 seed=3';
const net = (options) => `${DATA}\nnetwork 2-8-8-1 activation=tanh loss=bce batchnorm=true seed=2 ${options}`;

/** Every recorded row (parameters, loss, gradient norm) of one run, as an array of numbers. */
async function trajectory(loss, run = { optimizer: 'sgd', options: { lr: 0.2 } }, steps = 40) {
  const [trace] = await engine.runs({ loss, steps, runs: [run] });
  assert.equal(trace.stoppedAt, steps, trace.message ?? '');
  return Array.from(trace.rows.subarray(0, trace.rowCount * (trace.dim + 2)));
}

test('bn_noise=0 is exactly the network without the option (full batch and minibatches), noise_seed alone too', async () => {
  const minibatch = { optimizer: 'adam', options: { lr: 0.02 }, stochastic: { batchSize: 16, seed: 5 } };
  for (const run of [undefined, minibatch]) {
    const plain = await trajectory(net(''), run);
    assert.deepEqual(await trajectory(net('bn_noise=0'), run), plain);
    assert.deepEqual(await trajectory(net('bn_noise=0 noise_seed=9'), run), plain);
  }
});

test('noisy BN changes the trajectory, the same noise seed repeats it bit for bit and another seed changes it', async () => {
  for (const run of [undefined, { optimizer: 'sgd', options: { lr: 0.2 }, stochastic: { batchSize: 16, seed: 5 } }]) {
    const plain = await trajectory(net(''), run);
    const noisy = await trajectory(net('bn_noise=0.3 noise_seed=1'), run);
    assert.notDeepEqual(noisy, plain);
    assert.deepEqual(await trajectory(net('bn_noise=0.3 noise_seed=1'), run), noisy);
    assert.notDeepEqual(await trajectory(net('bn_noise=0.3 noise_seed=2'), run), noisy);
    // The start (the initialization) does not depend on the noise.
    assert.deepEqual(noisy.slice(0, 8 * 2), plain.slice(0, 8 * 2));
  }
  // Two runs in one request draw the same noise (each run has its own generator).
  const [a, b] = await engine.runs({ loss: net('bn_noise=0.3 noise_seed=1'), steps: 20, runs: [{ optimizer: 'sgd', options: { lr: 0.2 } }, { optimizer: 'sgd', options: { lr: 0.2 } }] });
  assert.deepEqual(Array.from(a.rows.subarray(0, a.rowCount * (a.dim + 2))), Array.from(b.rows.subarray(0, b.rowCount * (b.dim + 2))));
});

test('noisy BN: a run\'s first gradient is that of its noisy loss (central differences, tanh and gelu); evaluations off the run see no noise', async () => {
  for (const activation of ['tanh', 'gelu']) {
    const loss = `${DATA}\nnetwork 2-6-6-1 activation=${activation} loss=bce batchnorm=true seed=2 bn_noise=0.5 noise_seed=4`;
    const clean = loss.replace(' bn_noise=0.5 noise_seed=4', '');
    const info = await engine.lossInfo(loss);
    // Every run's first forward draws the same noise (a fresh generator per run, whatever the start): its loss from
    // shifted starts gives central differences; one SGD step with lr 1 gives the gradient, x0 - x1.
    const firstLoss = async (start) => (await engine.runs({ loss, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 0 }, start }] }))[0].rows[info.dim];
    const [step] = await engine.runs({ loss, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 1 } }] });
    const h = 1e-5;
    // W1[1,1], b1[1], bn1.weight[1], bn1.bias[2], W2[3,4], the last bias.
    for (const i of [0, 12, 18, 25, 33, info.dim - 1]) {
      const gradient = info.start[i] - step.rows[info.dim + 2 + i];
      const shifted = (d) => info.start.map((v, k) => (k === i ? v + d : v));
      const difference = ((await firstLoss(shifted(h))) - (await firstLoss(shifted(-h)))) / (2 * h);
      assert.ok(Math.abs(difference - gradient) <= 1e-6 * Math.max(1e-3, Math.abs(gradient)), `${activation} parameter ${i}: ${difference} vs ${gradient}`);
    }
    // The gradient a noisy full-batch run records differs from the clean one; evaluate (not a run) is clean.
    const [trace] = await engine.runs({ loss, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 0 } }] });
    const [cleanTrace] = await engine.runs({ loss: clean, steps: 1, runs: [{ optimizer: 'sgd', options: { lr: 0 } }] });
    const dim = info.dim;
    assert.notEqual(trace.rows[dim], cleanTrace.rows[dim], `${activation}: the noisy forward's loss`);
    const stats = await engine.networkLayerStats({ loss, params: [info.start] });
    assert.equal(stats.points[0].loss, cleanTrace.rows[dim], `${activation}: networkLayerStats sees no noise`);
  }
});

test('the loss language: bn_noise > 0 needs batchnorm=true and a scale from 0 to 5; noise_seed is a whole number', () => {
  const message = (text) => (parseLoss(text).diagnostics ?? []).find((d) => d.severity === 'error')?.message;
  assert.match(message(`${DATA}\nnetwork 2-4-1 loss=bce bn_noise=0.2`), /needs batchnorm=true/);
  assert.match(message(`${DATA}\nnetwork 2-4-1 loss=bce batchnorm=true bn_noise=6`), /from 0 to 5/);
  assert.match(message(`${DATA}\nnetwork 2-4-1 loss=bce batchnorm=true noise_seed=1.5`), /whole number/);
  assert.equal(message(`${DATA}\nnetwork 2-4-1 loss=bce batchnorm=true bn_noise=0.2 noise_seed=3`), undefined);
  assert.equal(message(`${DATA}\nnetwork 2-4-1 loss=bce bn_noise=0 noise_seed=3`), undefined, 'no noise: nothing to complain about');
});

test('smoothness on a quadratic (a linear network with mse): the gradient change is eta_max ||H g||, linear in eta_max', async () => {
  const loss = 'data x1, x2, y = [1, 2, 1; -1, 0.5, 0; 0.3, -2, 2; 2, 1, -1]\nnetwork 2-1 activation=linear loss=mse seed=1';
  const info = await engine.lossInfo(loss);
  const [small, large] = await Promise.all([0.05, 0.1].map((etaMax) => engine.networkSmoothness({ loss, params: [info.start], etaMax, steps: 4 })));
  const ratio = large[0].gradientChange / small[0].gradientChange;
  assert.ok(Math.abs(ratio - 2) < 1e-9, `ratio ${ratio}`);
  // H = (2/n) [X 1]^T [X 1] for the mean squared error; check against it.
  const rows = [[1, 2, 1], [-1, 0.5, 1], [0.3, -2, 1], [2, 1, 1]];
  const { gradient } = await engine.evaluate(loss, info.start);
  const hg = [0, 1, 2].map((i) => rows.reduce((s, r) => s + (2 / 4) * r[i] * (r[0] * gradient[0] + r[1] * gradient[1] + r[2] * gradient[2]), 0));
  const expected = 0.1 * Math.hypot(...hg);
  assert.ok(Math.abs(large[0].gradientChange - expected) <= 1e-12 * expected, `${large[0].gradientChange} vs ${expected}`);
  assert.ok(Math.abs(large[0].gradientNorm - Math.hypot(...gradient)) <= 1e-12 * large[0].gradientNorm);
  await assert.rejects(engine.networkSmoothness({ loss, params: [info.start], etaMax: 0 }), /etaMax/);
});

test('batch norm lesson: BN at lr 0.1 trains where the plain net dies; noisy BN still trains; along the gradient BN\'s loss varies >= 500x and its gradient changes >= 50x less at every point', async () => {
  const lesson = findLesson('batchnorm');
  const loss = lesson.source;
  const progress = [];
  const data = await lessonStudy({ batchnormStudy: (request, onProgress, cancel) => batchnormStudy(engine, request, onProgress, cancel) }, 'batchnorm', { loss }, (p) => progress.push(p));
  assert.equal(data.kind, 'batchnorm');
  const { result } = data;
  assert.deepEqual(progress.map((p) => p.done), [1, 2, 3, 4, 5, 6, 7]);
  const final = Object.fromEntries(result.labels.map((label, i) => [label, result.losses[i].at(-1)]));
  const report = JSON.stringify(final);
  assert.ok(Math.abs(final['no BN, lr 0.1'] - Math.log(3)) < 1e-3, `the plain net at lr 0.1 ends at ln 3: ${report}`);
  // The numbers the lesson states (rounded there).
  const near = (label, value, tolerance) => assert.ok(Math.abs(final[label] - value) < tolerance, `${label}: ${report}`);
  near('no BN, lr 0.01', 0.49, 0.01);
  near('BN, lr 0.01', 0.78, 0.01);
  near('BN, lr 0.1', 0.23, 0.01);
  near('noisy BN 0.2, lr 0.1', 0.90, 0.01);
  near('noisy BN 0.2, lr 0.1 (noise off)', 0.69, 0.01);
  assert.ok(Math.abs(result.losses[0][0] - 84) < 0.5, `the plain net's first loss ${result.losses[0][0]}`);
  assert.equal(result.smoothness.labels.join(), 'no BN,BN');
  const [plain, bn] = result.smoothness.points;
  assert.equal(plain.length, BATCHNORM_STUDY.points);
  for (let k = 0; k < plain.length; k++) {
    assert.ok(plain[k].lossVariation >= 500 * bn[k].lossVariation, `point ${k}: loss variation ${plain[k].lossVariation} vs ${bn[k].lossVariation}`);
    assert.ok(plain[k].gradientChange >= 50 * bn[k].gradientChange, `point ${k}: gradient change ${plain[k].gradientChange} vs ${bn[k].gradientChange}`);
  }
  assert.ok(final['noisy BN 0.2, lr 0.1 (noise off)'] < final['noisy BN 0.2, lr 0.1'], report);
  console.log(report, result.smoothness.points.map((ps) => ps.map((p) => `${p.lossVariation.toPrecision(3)}/${p.gradientChange.toPrecision(3)}`).join(' ')));
});
