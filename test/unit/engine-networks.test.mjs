// Networks in the engine: the torch MLP golden runs through engine.trace (and the CLI) with the minimal .loss syntax,
// initialization schemes, batch norm's running statistics in eval mode, Muon's options, and bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const golden = JSON.parse(readFileSync(new URL('../fixtures/pytorch-mlp-training.json', import.meta.url), 'utf8'));
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const engine = await createEngine();

/** The minimal syntax: the data inline (inputs, then y) and a network line. */
function lossText(c) {
  const { layers, activation, loss, batchnorm } = c.network;
  const rows = c.data.rows.map((r) => r.join(', ')).join('; ');
  return `data ${c.data.columns.join(', ')} = [${rows}]\nnetwork ${layers.join('-')} activation=${activation} loss=${loss} batchnorm=${batchnorm}`;
}

const caseOptions = (c) => (c.optimizer === 'muon' ? { ...c.options, rest: c.rest } : c.options);

/** Loss at every step within 1e-9 relative, final parameters within 1e-8; returns the largest errors. */
function assertMatches(trajectory, c) {
  assert.equal(trajectory.length, c.steps + 1, `${c.name}: rows`);
  let loss = 0;
  for (let t = 0; t <= c.steps; t++) {
    const row = trajectory[t];
    const got = row[row.length - 1];
    const want = c.losses[t];
    const error = Math.abs(got - want);
    loss = Math.max(loss, error / (1 + Math.abs(want)));
    assert.ok(error <= 1e-9 * (1 + Math.abs(want)), `${c.name}: loss at step ${t}: got ${got}, PyTorch ${want}`);
  }
  const last = trajectory[c.steps];
  let param = 0;
  c.final.forEach((want, i) => {
    const error = Math.abs(last[i] - want);
    param = Math.max(param, error);
    assert.ok(error <= 1e-8, `${c.name}: final parameter ${i}: got ${last[i]}, PyTorch ${want}`);
  });
  return { loss, param };
}

test('the fixture is the torch 2.13 float64 MLP golden file with its 22 cases', () => {
  assert.match(golden.generator, /torch 2\.13\.0\+cpu float64/);
  assert.equal(golden.cases.length, 22);
});

for (const c of golden.cases) {
  test(`golden ${c.name} via engine.trace`, async () => {
    const result = await engine.trace({ loss: lossText(c), start: c.start, optimizer: c.optimizer, options: caseOptions(c), steps: c.steps });
    assert.equal(result.status, 'completed');
    assertMatches(result.trajectory, c);
  });
}

test('golden cases through the CLI (one per network, Muon among them)', () => {
  const picked = golden.cases.filter((c, i) => i % 6 === 5);
  assert.ok(picked.some((c) => c.optimizer === 'muon'));
  for (const c of picked) {
    const out = execFileSync(process.execPath, [cli, 'trace', '--loss', lossText(c), '--start', c.start.join(','), '--optimizer', c.optimizer,
      '--options', JSON.stringify(caseOptions(c)), '--steps', String(c.steps)], { encoding: 'utf8' });
    assertMatches(JSON.parse(out).trajectory, c);
  }
});

test('parameters are named as PyTorch orders them, and a breakpoint condition reads the loss of a network', async () => {
  const c = golden.cases.find((k) => k.network.batchnorm);
  const info = await engine.lossInfo(lossText(c));
  assert.equal(info.dim, c.start.length);
  assert.deepEqual(info.params.slice(0, 3), ['W1[1,1]', 'W1[1,2]', 'W1[2,1]']);
  assert.deepEqual(info.params.slice(12, 19), ['b1[1]', 'b1[2]', 'b1[3]', 'b1[4]', 'b1[5]', 'b1[6]', 'bn1.weight[1]']);
  assert.equal(info.params[info.dim - 1], 'b3[1]');
  assert.deepEqual(info.network, { widths: [2, 6, 6, 1], activation: 'tanh', loss: 'mse', batchnorm: true, residual: false, init: 'default', scale: Number.NaN, seed: 0 });
  const paused = await engine.trace({ loss: lossText(c), start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps, breakpoints: [`loss < ${c.losses[10]}`] });
  assert.equal(paused.status, 'paused');
  assert.ok(paused.stoppedAt >= 1 && paused.stoppedAt < c.steps);
  assert.ok(paused.trajectory[paused.trajectory.length - 1][info.dim] < c.losses[10]);
});

// Init schemes on a 2-400-400-1 network: per layer, the weights' mean and variance against the scheme's formula.
const wide = (init, extra = '') => `data x1, x2, y = [0, 1, 1; 1, 0, 0]\nnetwork 2-400-400-1 activation=relu init=${init} ${extra}`;
const layerShapes = [[400, 2], [400, 400], [1, 400]]; // [out, in]

function layerWeights(start) {
  const layers = [];
  let offset = 0;
  for (const [out, fanIn] of layerShapes) {
    layers.push({ weights: start.slice(offset, offset + out * fanIn), biases: start.slice(offset + out * fanIn, offset + out * fanIn + out), out, fanIn });
    offset += out * fanIn + out;
  }
  assert.equal(offset, start.length);
  return layers;
}

const SCHEMES = {
  // [variance of the weights, uniform bound (none for normal schemes)] from fan_in and fan_out
  default: (i) => [1 / (3 * i), 1 / Math.sqrt(i)],
  normal: () => [0.3 ** 2],
  uniform: () => [0.3 ** 2, 0.3 * Math.sqrt(3)],
  lecun_normal: (i) => [1 / i],
  lecun_uniform: (i) => [1 / i, Math.sqrt(3 / i)],
  xavier_normal: (i, o) => [2 / (i + o)],
  xavier_uniform: (i, o) => [2 / (i + o), Math.sqrt(6 / (i + o))],
  kaiming_normal: (i) => [2 / i],
  kaiming_uniform: (i) => [2 / i, Math.sqrt(6 / i)],
};

test('init schemes: per-layer weight mean and variance within 5% of the formula, uniform bounds hold, biases as documented', async () => {
  for (const [scheme, formula] of Object.entries(SCHEMES)) {
    const extra = scheme === 'normal' || scheme === 'uniform' ? 'std=0.3 seed=7' : 'seed=7';
    const { start } = await engine.lossInfo(wide(scheme, extra));
    for (const [l, { weights, biases, out, fanIn }] of layerWeights(start).entries()) {
      const [variance, bound] = formula(fanIn, out);
      const n = weights.length;
      const mean = weights.reduce((a, b) => a + b, 0) / n;
      const sampleVariance = weights.reduce((a, w) => a + (w - mean) ** 2, 0) / n;
      // 5% of the formula; for the small layers (800 and 400 weights) the sampling error alone is 5-7% (sqrt(2/n)), so
      // they get 4 standard errors of the estimate instead.
      const tolerance = Math.max(0.05, 4 * Math.sqrt(2 / n));
      const label = `${scheme} layer ${l + 1}`;
      assert.ok(Math.abs(sampleVariance / variance - 1) <= tolerance, `${label}: variance ${sampleVariance}, formula ${variance}`);
      assert.ok(Math.abs(mean) <= Math.max(0.05, 4 / Math.sqrt(n)) * Math.sqrt(variance), `${label}: mean ${mean}`);
      if (bound !== undefined) {
        assert.ok(weights.every((w) => Math.abs(w) <= bound), `${label}: a weight outside +-${bound}`);
        assert.ok(weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0) > 0.95 * bound, `${label}: the weights do not reach the bound`);
      }
      if (scheme === 'default') {
        const biasBound = 1 / Math.sqrt(fanIn);
        assert.ok(biases.every((b) => Math.abs(b) <= biasBound) && biases.some((b) => b !== 0), `${label}: biases`);
      } else {
        assert.ok(biases.every((b) => b === 0), `${label}: biases are 0`);
      }
    }
  }
  // The layer with 160000 weights is held to 5% itself: check it for every scheme separately.
  for (const [scheme, formula] of Object.entries(SCHEMES)) {
    const extra = scheme === 'normal' || scheme === 'uniform' ? 'std=0.3 seed=3' : 'seed=3';
    const { weights, out, fanIn } = layerWeights((await engine.lossInfo(wide(scheme, extra))).start)[1];
    const variance = weights.reduce((a, w) => a + w * w, 0) / weights.length;
    assert.ok(Math.abs(variance / formula(fanIn, out)[0] - 1) <= 0.05, `${scheme}: layer 2 variance ${variance}`);
  }
});

test('init: same seed same weights, another seed others; zeros and constant; an explicit start wins', async () => {
  const a = (await engine.lossInfo(wide('xavier_uniform', 'seed=11'))).start;
  const b = (await engine.lossInfo(`${wide('xavier_uniform', 'seed=11')}\n`)).start;
  const c = (await engine.lossInfo(wide('xavier_uniform', 'seed=12'))).start;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok((await engine.lossInfo(wide('zeros'))).start.every((v) => v === 0));
  const constant = layerWeights((await engine.lossInfo(wide('constant', 'value=0.25'))).start);
  assert.ok(constant.every((l) => l.weights.every((w) => w === 0.25) && l.biases.every((v) => v === 0)));
  const small = 'data x1, y = [0, 1; 1, 0]\nnetwork 1-2-1 init=kaiming_normal seed=1\nstart = 0.5';
  assert.deepEqual((await engine.lossInfo(small)).start, Array(7).fill(0.5));
  const bn = await engine.lossInfo('data x1, y = [0, 1; 1, 0]\nnetwork 1-2-1 batchnorm=true init=xavier_normal');
  assert.deepEqual(bn.start.slice(4, 8), [1, 1, 0, 0], 'BN weight 1, bias 0');
});

// Batch norm: running statistics (momentum 0.1, unbiased variance) and eval mode, against a forward pass written here.
test('batch norm in eval mode uses the running statistics, updated once per step with the unbiased variance', async () => {
  const data = [[0.5, -1, 0.3], [1.5, 0.2, -0.7], [-0.4, 0.8, 1.1], [0.9, -0.3, 0.4], [-1.2, 1.4, -0.2]];
  const text = `data x1, x2, y = [${data.map((r) => r.join(', ')).join('; ')}]\nnetwork 2-3-1 activation=tanh loss=mse batchnorm=true init=xavier_uniform seed=5`;
  const steps = 4;
  const set = await engine.startRuns({ loss: text, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps });
  try {
    set.advance(steps);
    const view = set.view(0);
    const dim = 19;
    const rows = Array.from({ length: view.rowCount }, (_, r) => Array.from(view.rows.subarray(r * (dim + 2), r * (dim + 2) + dim)));
    const linear1 = (p, x) => [0, 1, 2].map((j) => p[6 + j] + p[2 * j] * x[0] + p[2 * j + 1] * x[1]);
    // By hand: every recorded step's full-batch forward (rows 0..steps) updates the running statistics.
    const mean = [0, 0, 0];
    const variance = [1, 1, 1];
    for (const p of rows) {
      const z = data.map((x) => linear1(p, x));
      for (let j = 0; j < 3; j++) {
        const m = z.reduce((a, r) => a + r[j], 0) / data.length;
        const unbiased = z.reduce((a, r) => a + (r[j] - m) ** 2, 0) / (data.length - 1);
        mean[j] = 0.9 * mean[j] + 0.1 * m;
        variance[j] = 0.9 * variance[j] + 0.1 * unbiased;
      }
    }
    const stats = set.runningStats(0);
    [...mean, ...variance].forEach((v, k) => assert.ok(Math.abs(stats[k] - v) <= 1e-14, `running statistic ${k}: ${stats[k]} vs ${v}`));
    const p = rows[rows.length - 1];
    const evalLoss = data.reduce((sum, x) => {
      const hidden = linear1(p, x).map((z, j) => Math.tanh(p[9 + j] * (z - mean[j]) / Math.sqrt(variance[j] + 1e-5) + p[12 + j]));
      const out = p[18] + hidden.reduce((a, h, j) => a + p[15 + j] * h, 0);
      return sum + (out - x[2]) ** 2;
    }, 0) / data.length;
    const got = await set.evalLoss(0);
    assert.ok(Math.abs(got - evalLoss) <= 1e-12, `eval loss ${got} vs ${evalLoss}`);
    // Train mode uses the batch's statistics, so its loss at the same parameters differs.
    assert.ok(Math.abs(view.rows[(view.rowCount - 1) * (dim + 2) + dim] - got) > 1e-6);
  } finally {
    set.dispose();
  }
});

test('residual connections: a skip around each equal-width hidden layer; gradients agree with finite differences', async () => {
  const data = 'data x1, x2, y = [0.5, -1, 0.3; 1.5, 0.2, -0.7; -0.4, 0.8, 1.1]';
  for (const options of ['activation=tanh residual=true', 'activation=sigmoid residual=true batchnorm=true', 'activation=leaky_relu batchnorm=true']) {
    const text = `${data}\nnetwork 2-3-3-3-1 ${options} seed=2`;
    const info = await engine.lossInfo(text);
    const point = info.start;
    const { value, gradient } = await engine.evaluate(text, point);
    for (const k of [0, 7, 10, 14, 20, 27, info.dim - 1]) {
      const h = 1e-6;
      const up = point.slice();
      const down = point.slice();
      up[k] += h;
      down[k] -= h;
      const numeric = ((await engine.evaluate(text, up)).value - (await engine.evaluate(text, down)).value) / (2 * h);
      assert.ok(Math.abs(numeric - gradient[k]) <= 1e-7 * (1 + Math.abs(numeric)), `${options}: ${info.params[k]}: ${gradient[k]} vs ${numeric}`);
    }
    if (options.includes('residual')) {
      const plain = await engine.evaluate(text.replace('residual=true', 'residual=false'), point);
      assert.notEqual(plain.value, value);
    }
  }
});

test('networks refuse what they cannot do, with the reason', async () => {
  const c = golden.cases[0];
  await assert.rejects(engine.trace({ loss: lossText(c), optimizer: 'newton', steps: 1 }), /Newton's method needs the Hessian, which the engine does not compute for networks/);
  await assert.rejects(engine.trace({ loss: 'rosenbrock', optimizer: 'muon', steps: 1 }), /Muon optimizes the weight matrices of a network/);
  await assert.rejects(engine.trace({ loss: lossText(c), optimizer: 'muon', options: { adjust_lr_fn: 'other' }, steps: 1 }), /Adjust learning rate function "other" is not supported/);
  await assert.rejects(engine.trace({ loss: lossText(c), optimizer: 'muon', options: { lr: -1 }, steps: 1 }), /Learning rate should be >= 0 but is: -1/);
  await assert.rejects(engine.trace({ loss: lossText(c), optimizer: 'muon', options: { rest: { optimizer: 'adamw', options: { lr: -1 } } }, steps: 1 }), /Invalid learning rate: -1/);
  for (const rest of ['lbfgs', 'lbfgs_strong_wolfe']) {
    await assert.rejects(engine.trace({ loss: lossText(c), optimizer: 'muon', options: { rest: { optimizer: rest } }, steps: 1 }), new RegExp(`rest.optimizer cannot be ${rest}`));
  }
  const bn = lossText(golden.cases.find((k) => k.network.batchnorm));
  await assert.rejects(engine.trace({ loss: bn, optimizer: 'sgd', steps: 1, stochastic: { batchSize: 1 } }), /Batch norm needs batches of at least 2 samples/);
});

test('minibatches use the core sampling; repeated network requests hold no more memory', async () => {
  const c = golden.cases[0];
  const request = { loss: lossText(c), optimizer: 'adam', options: { lr: 0.01 }, steps: 50, stochastic: { batchSize: 8, seed: 3 } };
  const first = await engine.trace(request);
  assert.deepEqual((await engine.trace(request)).trajectory, first.trajectory);
  assert.notDeepEqual((await engine.trace({ ...request, stochastic: { batchSize: 8, seed: 4 } })).trajectory, first.trajectory);
  const rounds = [];
  for (let round = 0; round < 5; round++) {
    for (const k of golden.cases.filter((_, i) => i % 4 === 0)) {
      await engine.trace({ loss: lossText(k), start: k.start, optimizer: k.optimizer, options: caseOptions(k), steps: 20, stochastic: { batchSize: 4, seed: round } });
    }
    rounds.push(engine.memory());
  }
  for (const memory of rounds) {
    assert.equal(memory.wasmBytes, rounds[0].wasmBytes);
    assert.equal(memory.recordedBytes, 0);
    assert.equal(memory.losses.retained, 0);
  }
});

test('breakpoint conditions read parameters by name: W1[i,j], b1[i], bn1.weight[i], and their gradients and state', async () => {
  const c = golden.cases[0];
  const base = { loss: lossText(c), start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps };
  const info = await engine.lossInfo(base.loss);
  const { trajectory } = await engine.trace(base);
  const k = info.params.indexOf('W1[2,1]');
  const threshold = trajectory[20][k];
  const rising = trajectory[20][k] > trajectory[0][k];
  const first = trajectory.findIndex((row) => (rising ? row[k] >= threshold : row[k] <= threshold));
  const paused = await engine.trace({ ...base, breakpoints: [`W1[2,1] ${rising ? '>=' : '<='} ${threshold}`] });
  assert.equal(paused.status, 'paused');
  assert.equal(paused.stoppedAt, first);
  assert.ok(first >= 1 && first <= 20);
  const b = info.params.indexOf('b1[3]');
  const bias = await engine.trace({ ...base, breakpoints: [`b1[3] != ${trajectory[0][b]} and step >= 5`] });
  assert.equal(bias.stoppedAt, 5);
  const bn = golden.cases.find((x) => x.network.batchnorm && x.optimizer === 'adam');
  const moved = await engine.trace({ loss: lossText(bn), start: bn.start, optimizer: 'adam', options: bn.options, steps: 10,
    breakpoints: ['bn1.weight[1] != 1 and abs(grad_bn2.bias[6]) >= 0 and exp_avg_sq_W2[3,4] > 0'] });
  assert.equal(moved.status, 'paused');
  assert.equal(moved.stoppedAt, 1);
  await assert.rejects(engine.trace({ ...base, breakpoints: ['W1[9,1] > 0'] }), /Index \[9,1\] is out of range: 'W1' has rows 1\.\.8 and columns 1\.\.2/);
  await assert.rejects(engine.trace({ ...base, breakpoints: ['W1[1] > 0'] }), /'W1' is a 8 x 2 matrix: write W1\[i,j\]/);
});

test("tanh and sigmoid on f64x2 lanes agree with Math's to a few ulp, from tiny inputs to saturation", async () => {
  // Two equal samples (one f64x2 pair); W2 = 1, b2 = 0: the loss is act(z)^2 at z = W1 (b1 = 0).
  const cases = { tanh: Math.tanh, sigmoid: (z) => 1 / (1 + Math.exp(-z)) };
  const inputs = [0, 1e-300, -1e-12, 3e-9, 1e-5, -0.01, 0.2, -0.3465, 0.35, 0.5, -0.7, 1, 2.5, -5, 10, 19.9, 20.1, -25, 40, -400, 800];
  for (const [activation, reference] of Object.entries(cases)) {
    const text = `data x1, y = [1, 0; 1, 0]\nnetwork 1-1-1 activation=${activation}`;
    for (const z of inputs) {
      const { value } = await engine.evaluate(text, [z, 0, 1, 0]);
      const want = reference(z) ** 2;
      assert.ok(Math.abs(value - want) <= 8 * Number.EPSILON * want, `${activation}(${z})^2: ${value} vs ${want}`);
    }
  }
});

test("a network whose working memory would pass the engine's limit is refused before any work; the engine goes on", async () => {
  const local = await createEngine();
  const rows = Array.from({ length: 50_000 }, (_, i) => `${i % 7}, ${i % 5}, ${i % 3}`).join('; ');
  const before = local.memory().wasmBytes;
  await assert.rejects(local.lossInfo(`data x1, x2, y = [${rows}]\nnetwork 2-512-512-1`),
    { message: 'This network on 50000 samples needs 1.53 GiB of working memory (samples x layer widths); the engine holds at most 1 GiB for it: use fewer samples or narrower layers' });
  assert.equal(local.memory().wasmBytes, before);
  const c = golden.cases[0];
  const result = await local.trace({ loss: lossText(c), start: c.start, optimizer: c.optimizer, options: c.options, steps: c.steps });
  assertMatches(result.trajectory, c);
});

test('a network\'s title writes three or more equal hidden widths in a row once, with their count', async () => {
  const data = 'data x1, x2, y = [0, 0, 0; 0, 1, 1; 1, 0, 1; 1, 1, 0]\n';
  const title = async (widths) => (await engine.lossInfo(`${data}network ${widths} activation=relu loss=bce seed=1`)).title;
  assert.equal(await title('2-16-16-16-16-1'), '2-16×4-1 relu network, bce');
  assert.equal(await title('2-8-8-1'), '2-8-8-1 relu network, bce');
  assert.equal(await title('2-2-2-2-4-4-4-1'), '2-2×3-4×3-1 relu network, bce', 'the input width is not counted with the hidden ones');
});
