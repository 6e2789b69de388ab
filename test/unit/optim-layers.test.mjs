// The optimizer language's per-layer reductions (norm_layer, sum_layer, ...: one value per network tensor, the whole
// vector for another loss) and maximize (g negated, as torch's maximize=True): against references written here from
// the engine's recorded gradients, and the built-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { firstErrorOf } from './loss-helpers.mjs';
import { NETWORK_LOSS, networkTensors, recordedRun } from './network-tensors.mjs';
import { loadTs } from './panels-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const outfile = join(root, 'out', 'unit', `${basename(fileURLToPath(import.meta.url), '.mjs')}.bundle.cjs`);
await esbuild.build({ entryPoints: [join(root, 'src/loss/optim/index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const { checkOptimizer } = require(outfile);
const engine = await createEngine();
const example = (name) => readFileSync(join(root, 'examples', `${name}.optim`), 'utf8');

const network = NETWORK_LOSS;
/** The layers: the network's tensors, [start, end) each. */
const layers = () => networkTensors().map(({ start, count }) => [start, start + count]);

/** At each coordinate, reduce(values of its layer). */
const perLayer = (values, spans, reduce) => {
  const out = new Array(values.length);
  for (const [a, b] of spans) {
    const value = reduce(values.slice(a, b));
    for (let i = a; i < b; i++) out[i] = value;
  }
  return out;
};
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x ** 2, 0));

const recorded = (loss, optimizer, options, steps) => recordedRun(engine, loss, optimizer, options, steps);

const close = (got, want) => Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want));

test('layer-wise LAMB (examples/lamb.optim) on a batch-norm network equals a hand-written per-tensor LAMB', async () => {
  const options = { lr: 0.05, weight_decay: 0.01 };
  const [beta1, beta2, eps, wd] = [0.9, 0.999, 1e-6, 0.01];
  const steps = 15;
  const { run, params, grad } = await recorded(network, example('lamb'), options, steps);
  const spans = layers();
  assert.equal(spans.at(-1)[1], run.dim);
  let m = new Array(run.dim).fill(0);
  let v = new Array(run.dim).fill(0);
  let largest = 0;
  for (let t = 1; t <= steps; t++) {
    const x = params(t - 1);
    const g = grad(t - 1);
    m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    v = v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] ** 2);
    const r = m.map((mi, i) => (mi / (1 - beta1 ** t)) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + eps) + wd * x[i]);
    const xNorm = perLayer(x, spans, norm);
    const rNorm = perLayer(r, spans, norm);
    const want = x.map((xi, i) => xi - options.lr * (xNorm[i] > 0 && rNorm[i] > 0 ? xNorm[i] / rNorm[i] : 1) * r[i]);
    const got = params(t);
    want.forEach((w, i) => {
      largest = Math.max(largest, Math.abs(got[i] - w) / (1 + Math.abs(w)));
      assert.ok(close(got[i], w), `step ${t} coordinate ${i}: engine ${got[i]}, reference ${w}`);
    });
  }
  assert.ok(largest <= 1e-12, `largest relative difference ${largest}`);
  // the trust ratio differs between tensors: one ratio for the whole vector would not give these steps
  const x = params(0);
  const ratios = perLayer(x, spans, norm);
  assert.ok(new Set(ratios).size > 1);
});

test('every per-layer reduction: its value at each coordinate is the reduction over that coordinate\'s tensor', async () => {
  const rule = (expression) => `optimizer probe\nstate a = 0\nupdate\n  a = ${expression}\n  x = x - 0.01*g\n`;
  const { grad } = await recorded(network, rule('g'), {}, 1);
  const g = grad(0);
  const spans = layers();
  const cases = {
    'sum_layer(g)': (v) => v.reduce((s, y) => s + y, 0),
    'mean_layer(g)': (v) => v.reduce((s, y) => s + y, 0) / v.length,
    'norm_layer(g)': norm,
    'dot_layer(g, g)': (v) => v.reduce((s, y) => s + y * y, 0),
    'max_layer(g)': (v) => Math.max(...v),
    'min_layer(g)': (v) => Math.min(...v),
  };
  for (const [expression, reduce] of Object.entries(cases)) {
    const { vector } = await recorded(network, rule(expression), {}, 1);
    const want = perLayer(g, spans, reduce);
    vector(1, 0).forEach((got, i) => assert.ok(close(got, want[i]), `${expression} at ${i}: engine ${got}, reference ${want[i]}`));
  }
});

test('for a loss that is not a network a layer is the whole vector: layer-wise LAMB equals the whole-vector LAMB bit for bit', async () => {
  const whole = `optimizer lamb\nhyper lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-6, weight_decay = 0\nstate m = 0, v = 0\nupdate
  m = beta1*m + (1 - beta1)*g
  v = beta2*v + (1 - beta2)*g^2
  r = m/(1 - beta1^t)/(sqrt(v/(1 - beta2^t)) + eps) + weight_decay*x
  trust = where(norm(x) > 0, where(norm(r) > 0, norm(x)/norm(r), 1), 1)
  x = x - lr*trust*r\n`;
  const layered = whole.replaceAll('norm(', 'norm_layer(').replace('m/(1 - beta1^t)/', 'm_hat/').replace('  r =', '  m_hat = m/(1 - beta1^t)\n  r =');
  for (const loss of ['rosenbrock', 'params x[5]\nf = sum(i = 1..5, (x[i] - i)^2)\nstart = (0, 0, 0, 0, 0)']) {
    const runs = await engine.runs({ loss, runs: [{ optimizer: whole, options: { lr: 0.02 } }, { optimizer: layered, options: { lr: 0.02 } }], steps: 50 });
    assert.deepEqual(Array.from(runs[1].rows), Array.from(runs[0].rows), loss);
  }
});

const firstError = (text) => firstErrorOf(checkOptimizer, text);

test('per-layer reductions misused get diagnostics on their ranges', () => {
  const body = (line, head = '') => `optimizer p\n${head}state m = 0\nscalar s = 0\nupdate\n  ${line}\n  x = x - lr*g\n`;
  let e = firstError(body('m = norm_layer(3)'));
  assert.equal(e.text, '3');
  assert.match(e.message, /'norm_layer' reduces a per-coordinate value over each layer, but this is the same for every coordinate/);
  e = firstError(body('m = dot_layer(g)'));
  assert.match(e.message, /'dot_layer' over the layer takes two expressions, got 1/);
  e = firstError(body('s = norm_layer(g)'));
  assert.equal(e.text, 's');
  assert.match(e.message, /'s' is a scalar state: give it a value that is the same for every coordinate/);
  e = firstError(body('m = norm_layr(g)'));
  assert.match(e.message, /Unknown function 'norm_layr'\. Did you mean 'norm_layer'\?/);
  e = firstError(body('m = g', 'hyper h = norm_layer(1)\n'));
  assert.match(e.message, /'norm_layer' reduces over each layer: it is only available in the rule/);
  e = firstError(body('m = g', 'hyper sum_layer = 1\n'));
  assert.match(e.message, /'sum_layer' is a function/);
  assert.deepEqual(checkOptimizer(example('lamb')), []);
  assert.deepEqual(checkOptimizer(example('lars')), []);
  assert.deepEqual(checkOptimizer(example('adahessian')), []);
});

test('LARS (examples/lars.optim) trains the network: the loss goes down', async () => {
  const [run] = await engine.runs({ loss: network, runs: [{ optimizer: example('lars'), options: { lr: 0.5, eta: 0.02 } }], steps: 200 });
  const width = run.dim + 2;
  const lossAt = (t) => run.rows[t * width + run.dim];
  assert.ok(lossAt(run.rowCount - 1) < 0.9 * lossAt(0), `loss ${lossAt(0)} -> ${lossAt(run.rowCount - 1)}`);
});

test('maximize: a written SGD with maximize equals the built-in sgd with maximize=True bit for bit; a file may default it', async () => {
  const sgd = example('sgd');
  for (const options of [{ lr: 0.01, momentum: 0.9, maximize: true }, { lr: 0.02, maximize: true, weight_decay: 0.1 }]) {
    const runs = await engine.runs({ loss: 'loss = -(x - 1)^2 - 2*(y + 0.5)^2', runs: [{ optimizer: sgd, options }, { optimizer: 'sgd', options }], steps: 40, start: [2, 1] });
    assert.deepEqual(Array.from(runs[0].rows), Array.from(runs[1].rows), JSON.stringify(options));
  }
  const ascent = 'optimizer ascent\nhyper lr = 0.1, maximize = true\nupdate\n  x = x - lr*g\n';
  const [up, down] = await engine.runs({ loss: 'loss = -(x^2 + y^2)', runs: [{ optimizer: ascent }, { optimizer: ascent, options: { maximize: false } }], steps: 20, start: [1, 1] });
  const final = (run) => run.rows[20 * (run.dim + 2) + run.dim];
  assert.ok(final(up) > -1e-3, `maximize climbs towards the maximum 0: ${final(up)}`);
  assert.ok(final(down) < -1000, `without maximize the rule descends: ${final(down)}`);
  await assert.rejects(engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: sgd, options: { maximise: true } }], steps: 1 }), /Unknown option 'maximise'\. Did you mean 'maximize'\?/);
});

test('rademacher(): seeded random signs, one draw per step; z*hvp(z) is Hutchinson\'s estimate of the Hessian diagonal', async () => {
  // H = [[2, 1.2], [1.2, 6]]: z*(H z) = (2 + 1.2 s, 6 + 1.2 s) with s = z1*z2 = +-1
  const loss = 'f = x^2 + 1.2*x*y + 3*y^2\nstart = (1, -1)';
  const rule = 'optimizer hutchinson\nstate z = 0, d = 0\nupdate\n  z = rademacher()\n  d = z*hvp(z)\n  x = x - 0.01*g\n';
  const steps = 400;
  const run = async (options) => recorded(loss, rule, options, steps);
  const { vector } = await run({});
  let positive = 0;
  const mean = [0, 0];
  for (let t = 1; t <= steps; t++) {
    const [z1, z2] = vector(t, 0);
    assert.ok(Math.abs(z1) === 1 && Math.abs(z2) === 1, `signs at step ${t}: ${z1}, ${z2}`);
    const [d1, d2] = vector(t, 1);
    assert.equal(d1, 2 + 1.2 * z1 * z2, `step ${t}`);
    assert.equal(d2, 6 + 1.2 * z1 * z2, `step ${t}`);
    if (z1 * z2 > 0) positive++;
    mean[0] += d1 / steps;
    mean[1] += d2 / steps;
  }
  assert.ok(positive > 150 && positive < 250, `z1*z2 = 1 in ${positive} of ${steps} steps`);
  assert.ok(Math.abs(mean[0] - 2) < 0.2 && Math.abs(mean[1] - 6) < 0.2, `the estimate averages to the diagonal: ${mean}`);
  // the same seed draws the same signs; another seed others
  const same = await run({ seed: 0 });
  const other = await run({ seed: 7 });
  assert.deepEqual(same.vector(50, 0), vector(50, 0));
  assert.ok([...Array(steps).keys()].some((t) => other.vector(t + 1, 0).join() !== vector(t + 1, 0).join()));
  await assert.rejects(engine.runs({ loss, runs: [{ optimizer: rule, options: { seed: 1.5 } }], steps: 1 }), /Option 'seed' must be an integer/);
  assert.match(firstError('optimizer p\nhyper h = rademacher()\nupdate\n  x = x - lr*g\n').message, /'rademacher' draws random signs each step: it is only available in the rule/);
  assert.match(firstError('optimizer p\nupdate\n  x = x - lr*rademacher(g)\n').message, /'rademacher' takes 0 arguments, got 1/);
});

test('AdaHessian (examples/adahessian.optim) against its pseudo-code, with the signs the run drew', async () => {
  const loss = 'f = (1 - x)^2 + 10*(y - x^2)^2\nstart = (-1, 1)';
  const text = example('adahessian');
  const probe = text.replace('state m = 0, v = 0', 'state m = 0, v = 0, zs = 0').replace('  d = abs', '  zs = z\n  d = abs');
  const steps = 30;
  const { params, vector, grad } = await recorded(loss, probe, {}, steps);
  const adahessian = await recorded(loss, text, {}, steps);
  const [lr, beta1, beta2, eps] = [0.15, 0.9, 0.999, 1e-4];
  let m = [0, 0];
  let v = [0, 0];
  for (let t = 1; t <= steps; t++) {
    const [x, y] = params(t - 1);
    const g = grad(t - 1);
    const H = [[2 - 40 * y + 120 * x * x, -40 * x], [-40 * x, 20]];
    const z = vector(t, 2);
    const d = [0, 1].map((i) => Math.abs(z[i] * (H[i][0] * z[0] + H[i][1] * z[1])));
    m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    v = v.map((vi, i) => beta2 * vi + (1 - beta2) * d[i] ** 2);
    const want = [x, y].map((p, i) => p - (lr * (m[i] / (1 - beta1 ** t))) / (Math.sqrt(v[i] / (1 - beta2 ** t)) + eps));
    params(t).forEach((got, i) => assert.ok(Math.abs(got - want[i]) <= 1e-12 * (1 + Math.abs(want[i])), `step ${t}: ${got} vs ${want[i]}`));
    assert.deepEqual(adahessian.params(t), params(t), 'the example itself takes the same steps');
  }
});

test('the PyTorch export: rademacher() draws from a seeded torch.Generator, a per-layer reduction reduces over each tensor; maximize negates g', async () => {
  const { torchOptimizerClass } = await loadTs('src/loss/pytorchExport.ts');
  const noisy = 'optimizer noisy\nupdate\n  x = x - lr*(g + 0.1*rademacher())\n';
  assert.match(torchOptimizerClass(noisy, {}, 'Written1').join('\n'), /torch\.Generator\(\)\.manual_seed\(0\)/);
  // norm_layer(x): the norm over the tensor x (each parameter tensor is a layer), inside the per-parameter loop
  assert.match(torchOptimizerClass(example('lamb'), {}, 'Written1').join('\n'), /for i, x in enumerate\(params\):[\s\S]*torch\.sqrt\(torch\.sum\(torch\.broadcast_to\(\(x \*\* 2\.0\), x\.shape\)\)\)/);
  const sgd = 'optimizer plain\nupdate\n  x = x - lr*g\n';
  const [down, up] = [torchOptimizerClass(sgd, {}, 'W').join('\n'), torchOptimizerClass(sgd, { maximize: true }, 'W').join('\n')];
  assert.notEqual(down, up);
  assert.match(up, /-g|torch\.neg\(g\)|\(-g\)/);
});
