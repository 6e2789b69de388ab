// The optimizer language (.optim): diagnostics with ranges, and runs through dist/engine.js: the shipped Adam, SGD,
// RMSprop and Adagrad reproduce the built-ins bit for bit on the golden cases, Lion matches the paper's pseudo-code,
// reductions, many states, breakpoints on state by name, sessions and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { assertTrajectoryMatches } from './golden-helpers.mjs';
import { loadTs } from './panels-bundle.mjs';
import { firstErrorOf, rangesAreValid } from './loss-helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const outfile = join(root, 'out', 'unit', `${basename(fileURLToPath(import.meta.url), '.mjs')}.bundle.cjs`);
await esbuild.build({ entryPoints: [join(root, 'src/loss/optim/index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const { checkOptimizer, compileOptimizer, isOptimizerSource } = require(outfile);
const breakpointsFile = outfile.replace('.bundle.cjs', '.breakpoints.bundle.cjs');
await esbuild.build({ entryPoints: [join(root, 'src/engine/breakpoints.ts')], outfile: breakpointsFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
const { conditionNamesFor } = require(breakpointsFile);

const golden = JSON.parse(readFileSync(join(root, 'test/fixtures/pytorch-optimizers.json'), 'utf8'));
const example = (name) => readFileSync(join(root, 'examples', `${name}.optim`), 'utf8');
const engine = await createEngine();

const LION = example('lion');

const firstError = (text) => firstErrorOf(checkOptimizer, text);

test('every shipped example compiles without diagnostics', () => {
  for (const name of ['adam', 'sgd', 'rmsprop', 'adagrad', 'nadam', 'lion', 'lamb', 'adan', 'signsgd', 'sophia']) {
    assert.deepEqual(checkOptimizer(example(name)), [], name);
    assert.ok(isOptimizerSource(example(name)), name);
  }
  assert.ok(!isOptimizerSource('adam'));
});

test('an unknown name is reported on its range with a suggestion', () => {
  const { message, text } = firstError(LION.replace('beta2*m', 'bta2*m'));
  assert.equal(text, 'bta2');
  assert.match(message, /Unknown name 'bta2'\. Did you mean 'beta2'\?/);
  assert.match(firstError(LION.replace('sign(c)', 'signn(c)')).message, /Unknown function 'signn'\. Did you mean 'sign'\?/);
});

test('assigning to g, t, lr or a hyper-parameter is refused', () => {
  const text = `${LION}  g = 2*g\n`;
  const error = firstError(text);
  assert.equal(error.text, 'g');
  assert.match(error.message, /'g' is the gradient/);
  assert.match(firstError(`${LION}  lr = 2*lr\n`).message, /'lr' is this step's learning rate/);
  assert.match(firstError(`${LION}  beta1 = 0.5\n`).message, /'beta1' is a hyper-parameter/);
  assert.match(firstError(`${LION}  hess_diag = g\n`).message, /'hess_diag' is the diagonal/);
});

test('a state used before it is declared, and a value used before it is assigned, name the later line', () => {
  const late = 'optimizer late\nhyper lr = 0.1\nupdate\n  x = x - lr*m\n  m = 0.9*m + g\nstate m = 0\n';
  const error = firstError(late);
  assert.deepEqual(error.at, [3, 13, 14]);
  assert.match(error.message, /'m' is used before it is declared \(line 6\)/);
  const local = 'optimizer local\nupdate\n  x = x - lr*c\n  c = sign(g)\n';
  assert.match(firstError(local).message, /'c' is used before it is assigned \(line 4\)/);
});

test('reductions misused: a scalar argument, a wrong count, indexing, outside the rule', () => {
  const rule = (line) => `optimizer r\nhyper beta = 0.9\nupdate\n  x = x - lr*g*${line}\n`;
  const scalar = firstError(rule('norm(beta*lr)'));
  assert.equal(scalar.text, 'beta*lr');
  assert.match(scalar.message, /'norm' reduces a per-coordinate value .* same for every coordinate/);
  assert.match(firstError(rule('dot(g)')).message, /'dot' over the coordinates takes two expressions, got 1/);
  assert.match(firstError(rule('g[1]')).message, /coordinates are not indexed/);
  assert.match(firstError(rule('sum(i = 1..3, g)')).message, /takes one expression/);
  assert.match(firstError('optimizer r\nhyper a = sum(1)\nupdate\n  x = x - lr*g\n').message, /only available in the rule/);
});

test('the file\'s structure: its name, the rule, x assigned', () => {
  assert.match(firstError('hyper lr = 1\nupdate\n  x = x - lr*g\n').message, /starts with its name/);
  assert.match(firstError('optimizer nothing\nhyper lr = 1\n').message, /'update' line/);
  assert.match(firstError('optimizer still\nstate m = 0\nupdate\n  m = g\n').message, /never moves the parameters/);
  assert.match(firstError('optimizer twice\nstate m = 0, m = 1\nupdate\n  x = x - lr*g\n').message, /already declared/);
  assert.match(firstError('optimizer bad\nstate sum = 0\nupdate\n  x = x - lr*g\n').message, /'sum' is a function/);
});

test('options: unknown names get a suggestion; betas sets beta1 and beta2', () => {
  assert.throws(() => compileOptimizer(LION, { beta_1: 0.5 }), /Unknown option 'beta_1'\. Did you mean 'beta1'\?/);
  const compiled = compileOptimizer(example('adam'), { betas: [0.8, 0.99], lr: 0.5 });
  assert.equal(compiled.hypers.beta1, 0.8);
  assert.equal(compiled.hypers.beta2, 0.99);
  assert.equal(compiled.lr, 0.5);
});

// The shipped file for each built-in, and the options that make the file that built-in (AdamW: Adam's file, decoupled).
const SHIPPED = {
  adam: ['adam'], sgd: ['sgd'], rmsprop: ['rmsprop'], adagrad: ['adagrad'], nadam: ['nadam'],
  adamw: ['adam', { weight_decay: 1e-2, decoupled_weight_decay: true }],
};
for (const c of golden.cases.filter((g) => SHIPPED[g.optimizer])) {
  test(`golden ${c.name}: the language's ${c.optimizer} equals the built-in bit for bit`, async () => {
    const request = { loss: c.expression, start: c.start, options: c.options, steps: c.steps };
    const builtin = await engine.trace({ ...request, optimizer: c.optimizer });
    const [file, fixed] = SHIPPED[c.optimizer];
    const written = await engine.trace({ ...request, optimizer: example(file), options: { ...fixed, ...c.options } });
    assert.equal(written.status, 'completed');
    builtin.trajectory.forEach((row, r) => row.forEach((v, k) => {
      assert.ok(Object.is(v, written.trajectory[r][k]), `${c.name} row ${r} column ${k}: ${v} vs ${written.trajectory[r][k]}`);
    }));
    assert.deepEqual(written.gradNorm, builtin.gradNorm);
    assertTrajectoryMatches(written.trajectory, c.trajectory, c.name);
  });
}

/** Lion from the paper's pseudo-code (Chen et al. 2023, Algorithm 2), per coordinate. */
function lionReference(gradient, start, steps, { lr, beta1, beta2, weight_decay: wd }) {
  let x = [...start];
  let m = x.map(() => 0);
  const rows = [x];
  for (let t = 0; t < steps; t++) {
    const g = gradient(x);
    const c = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    x = x.map((xi, i) => xi - lr * (Math.sign(c[i]) + wd * xi));
    m = m.map((mi, i) => beta2 * mi + (1 - beta2) * g[i]);
    rows.push(x);
  }
  return rows;
}

test('Lion matches the paper\'s pseudo-code on the golden losses', async () => {
  const losses = [...new Map(golden.cases.map((c) => [c.function, c])).values()];
  const gradients = {
    '(1 - x)^2 + 100*(y - x^2)^2': ([x, y]) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    '0.5*(x^2 + 20*y^2)': ([x, y]) => [x, 20 * y],
    '(x + 2*y - 7)^2 + (2*x + y - 5)^2': ([x, y]) => [2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)],
    '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2': ([x, y]) => {
      const [a, b, c] = [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3];
      return [2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1), 2 * a * x + 4 * b * x * y + 6 * c * x * y * y];
    },
    '(x^2 + y - 11)^2 + (x + y^2 - 7)^2': ([x, y]) => [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)],
  };
  let checked = 0;
  for (const c of losses) {
    const gradient = gradients[c.expression];
    if (!gradient) continue;
    const options = { lr: 0.01, beta1: 0.9, beta2: 0.99, weight_decay: 0.1 };
    const result = await engine.trace({ loss: c.expression, start: c.start, optimizer: LION, options, steps: 60 });
    const reference = lionReference(gradient, c.start, 60, options);
    result.trajectory.forEach((row, r) => row.slice(0, 2).forEach((v, k) => {
      assert.ok(Math.abs(v - reference[r][k]) <= 1e-12 * (1 + Math.abs(reference[r][k])), `${c.name} row ${r}: ${v} vs ${reference[r][k]}`);
    }));
    checked++;
  }
  assert.equal(checked, 5);
});

test('reductions, an odd number of parameters and more states than the core records', async () => {
  // 3 parameters (a padded pair), five states (two beyond the recorded three), every reduction.
  const text = `optimizer reduce
hyper lr = 0.1
state a = 1, b = 0, c = 0, d = 2, q = 0
update
  a = a + 1
  b = norm(g)
  c = dot(g, x) + mean(x) + max(g) - min(x) + sum(g^2)
  q = d*a
  x = x - lr*g/(1 + b) + 0*q
`;
  const loss = 'params u, v, w\nf = u^2 + 2*v^2 + 3*w^2 + u*w';
  const start = [1, -2, 0.5];
  const [run] = await engine.runs({ loss, runs: [{ optimizer: text, start }], steps: 3, recordState: true });
  assert.equal(run.label, 'reduce');
  assert.deepEqual(run.stateNames.slice(0, 3), ['grad_u', 'grad_v', 'grad_w']);
  assert.ok(run.stateNames.includes('c_w') && !run.stateNames.some((n) => n.startsWith('d_')));
  // Reference in JavaScript: same operations in the same order.
  let x = [...start];
  const grad = ([u, v, w]) => [2 * u + w, 4 * v, 6 * w + u];
  let a = 1;
  for (let t = 1; t <= 3; t++) {
    const g = grad(x);
    a += 1;
    const b = Math.sqrt(g.reduce((s, gi) => s + gi * gi, 0));
    const c = g.reduce((s, gi, i) => s + gi * x[i], 0) + x.reduce((s, xi) => s + xi, 0) / 3 + Math.max(...g) - Math.min(...x) + g.reduce((s, gi) => s + gi * gi, 0);
    const width = run.stateNames.length;
    const row = run.state.subarray(t * width, (t + 1) * width);
    const value = (name) => row[run.stateNames.indexOf(name)];
    assert.equal(value('a_v'), a);
    assert.equal(value('b_u'), b);
    assert.ok(Math.abs(value('c_w') - c) <= 1e-12 * Math.abs(c), `${value('c_w')} vs ${c}`);
    x = x.map((xi, i) => xi - 0.1 * g[i] / (1 + b) + 0 * (2 * a));
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(run.rows[t * 5 + k] - x[k]) <= 1e-15 * (1 + Math.abs(x[k])));
  }
});

test('hess_diag: a diagonal Newton step equals the built-in newton on a separable quadratic; Sophia-H against its pseudo-code', async () => {
  const loss = '0.5*(x^2 + 20*y^2) + 0.25*x^4';
  const diagonalNewton = 'optimizer diagonal_newton\nhyper lr = 0.5\nupdate\n  x = x - lr*(g/hess_diag)\n';
  const written = await engine.trace({ loss, start: [1.5, -0.7], optimizer: diagonalNewton, steps: 30 });
  const newton = await engine.trace({ loss, start: [1.5, -0.7], optimizer: 'newton', options: { lr: 0.5 }, steps: 30 });
  newton.trajectory.forEach((row, r) => row.forEach((v, k) => assert.ok(Object.is(v, written.trajectory[r][k]), `row ${r}: ${v} vs ${written.trajectory[r][k]}`)));

  const options = { lr: 0.05, rho: 0.5, k: 3, weight_decay: 0.01 };
  const sophia = await engine.trace({ loss, start: [1.5, -0.7], optimizer: example('sophia'), options, steps: 40 });
  const { beta1, beta2, eps } = { beta1: 0.965, beta2: 0.99, eps: 1e-12 };
  let x = [1.5, -0.7];
  let m = [0, 0];
  let h = [0, 0];
  for (let t = 1; t <= 40; t++) {
    const [u, v] = x;
    const g = [u + u ** 3, 20 * v];
    const diagonal = [1 + 3 * u * u, 20];
    m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    if ((t - 1) % options.k === 0) h = h.map((hi, i) => beta2 * hi + (1 - beta2) * diagonal[i]);
    x = x.map((xi) => xi * (1 - options.lr * options.weight_decay));
    x = x.map((xi, i) => xi - options.lr * Math.max(Math.min(m[i] / Math.max(options.rho * h[i], eps), 1), -1));
    sophia.trajectory[t].slice(0, 2).forEach((value, i) => assert.ok(Math.abs(value - x[i]) <= 1e-12 * (1 + Math.abs(x[i])), `step ${t}: ${value} vs ${x[i]}`));
  }
});

test('hvp: steepest descent with the exact line search of a quadratic, dot(g, g)/dot(g, H g)', async () => {
  const rule = 'optimizer exact_line_search\nhyper lr = 1\nupdate\n  hg = hvp(g)\n  x = x - lr*(dot(g, g)/dot(g, hg))*g\n';
  const loss = 'params u, v, w\nf = u^2 + u*v + 2*v^2 + 3*w^2 - v*w + u';
  const result = await engine.trace({ loss, start: [1, -2, 0.5], optimizer: rule, steps: 12 });
  const H = [[2, 1, 0], [1, 4, -1], [0, -1, 6]];
  let x = [1, -2, 0.5];
  for (let t = 1; t <= 12; t++) {
    const g = [2 * x[0] + x[1] + 1, x[0] + 4 * x[1] - x[2], 6 * x[2] - x[1]];
    const hg = H.map((row) => row.reduce((sum, h, k) => sum + h * g[k], 0));
    const step = g.reduce((s, gi) => s + gi * gi, 0) / g.reduce((s, gi, i) => s + gi * hg[i], 0);
    x = x.map((xi, i) => xi - 1 * step * g[i]);
    result.trajectory[t].slice(0, 3).forEach((value, i) => assert.ok(Math.abs(value - x[i]) <= 1e-12 * (1 + Math.abs(x[i])), `step ${t}: ${value} vs ${x[i]}`));
  }
  assert.ok(result.trajectory[12][3] < result.trajectory[0][3]);
  assert.match(firstError('optimizer h\nupdate\n  x = x - lr*hvp(lr)\n').message, /'hvp' multiplies the Hessian by a per-coordinate vector/);
});

test('a scalar state: recorded and read by breakpoints under its name; a per-coordinate value is refused', async () => {
  const [run] = await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: example('nadam'), options: { lr: 0.02 } }], steps: 3, recordState: true });
  const width = run.stateNames.length;
  const at = (r) => run.state[r * width + run.stateNames.indexOf('mu_product')];
  let product = 1;
  for (let t = 1; t <= 3; t++) {
    product *= 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3));
    assert.ok(Math.abs(at(t) - product) <= 1e-15, `${at(t)} vs ${product}`);
  }
  assert.equal(at(0), 1);
  const paused = await engine.trace({ loss: 'rosenbrock', optimizer: example('nadam'), steps: 50, breakpoints: ['mu_product < 0.3'] }); // 0.45 after step 1, 0.20 after step 2
  assert.equal(paused.status, 'paused');
  assert.equal(paused.stoppedAt, 2);
  const refused = firstError('optimizer s\nscalar k = 0\nupdate\n  k = g\n  x = x - lr*g\n');
  assert.match(refused.message, /'k' is a scalar state: give it a value that is the same for every coordinate/);
  assert.match(firstError('optimizer s\nscalar a = 0, b = 0, c = 0\nupdate\n  x = x - lr*g\n').message, /At most 2 scalar states/);
});

test('breakpoints on a state by name pause the run; sessions show the state names', async () => {
  const request = { loss: 'rosenbrock', start: [-1.5, 2], optimizer: LION, options: { lr: 0.01 }, steps: 200, breakpoints: ['abs(m_x) > 0.1'] };
  const result = await engine.trace(request);
  assert.equal(result.status, 'paused');
  const [run] = await engine.runs({ loss: 'rosenbrock', runs: [{ optimizer: LION, start: [-1.5, 2], options: { lr: 0.01 } }], steps: result.stoppedAt, recordState: true });
  const width = run.stateNames.length;
  const mx = (r) => run.state[r * width + run.stateNames.indexOf('m_x')];
  assert.ok(Math.abs(mx(result.stoppedAt)) > 0.1 && Math.abs(mx(result.stoppedAt - 1)) <= 0.1);
  const opened = await engine.openSession({ loss: 'rosenbrock', runs: [{ optimizer: LION, options: { lr: 0.01 } }], steps: 50 });
  try {
    assert.equal(opened.info[0].label, 'lion');
    assert.ok(opened.info[0].conditionNames.includes('m_y'));
    assert.ok(opened.info[0].stateNames.includes('m_x'));
  } finally {
    await engine.closeSession(opened.id);
  }
});

test('streamRuns runs a written optimizer beside a built-in, with a schedule', async () => {
  const chunks = [];
  await engine.streamRuns({
    loss: 'rosenbrock', steps: 300,
    runs: [{ optimizer: example('adam'), options: { lr: 0.05 }, schedule: { type: 'cosine', T_max: 300 } }, { optimizer: 'adam', options: { lr: 0.05 }, schedule: { type: 'cosine', T_max: 300 } }],
  }, (chunk) => chunks.push(chunk));
  const last = chunks[chunks.length - 1];
  assert.ok(last.done);
  const rows = (i) => chunks.flatMap((c) => Array.from(c.traces[i].rows));
  assert.deepEqual(rows(0), rows(1));
});

test('a bad optimizer text or option is an error naming the line, and the engine goes on', async () => {
  const line = LION.split('\n').findIndex((l) => l.includes('beta2*m')) + 1;
  await assert.rejects(engine.trace({ loss: 'sphere', optimizer: LION.replace('beta2*m', 'bta2*m'), steps: 5 }), new RegExp(`Invalid optimizer at line ${line}, column \\d+: Unknown name 'bta2'`));
  await assert.rejects(engine.trace({ loss: 'sphere', optimizer: LION, options: { lr: 'fast' }, steps: 5 }), /Option 'lr' must be a number/);
  const ok = await engine.trace({ loss: 'sphere', optimizer: LION, steps: 5 });
  assert.equal(ok.status, 'completed');
});

test('the CLI runs an optimizer file (--optimizer-file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optim-'));
  const file = join(dir, 'adam.optim');
  writeFileSync(file, example('adam'));
  const cli = join(root, 'dist/cli.js');
  const args = ['trace', '--loss', 'rosenbrock', '--start', '-1.5,2', '--steps', '20', '--options', '{"lr": 0.05}'];
  const written = execFileSync(process.execPath, [cli, ...args, '--optimizer-file', file], { encoding: 'utf8' });
  const builtin = execFileSync(process.execPath, [cli, ...args, '--optimizer', 'adam'], { encoding: 'utf8' });
  assert.equal(written, builtin);
});

test('conditionNamesFor (the panels\' condition check) names a written optimizer\'s first three states', () => {
  const names = conditionNamesFor(['x', 'y'], example('adan'), { lr: 0.01 });
  for (const name of ['m_x', 'v_y', 'n_x', 'grad_y', 'lr']) assert.ok(names.includes(name), name);
  assert.ok(!names.includes('g_prev_x'), 'the fourth state is not recorded');
  assert.throws(() => conditionNamesFor(['x', 'y'], LION, { nope: 1 }), /Unknown option 'nope'/);
});

test('random edits of the examples give a result or diagnostics with ranges, never a throw', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['(', ')', '=', ',', '\n', 'sum(', 'norm(g)', 'where(', '<', 'x', 'g', 'hess_diag', '%', '^', '1e', 'state ', 'update', '#', '"', '[', ']', '*', '-'];
  const sources = ['lion', 'lamb', 'adan', 'sophia', 'adam'].map(example);
  let valid = 0;
  for (let i = 0; i < 1500; i++) {
    let text = sources[i % sources.length];
    for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
      const at = Math.floor(random() * (text.length + 1));
      const cut = random() < 0.5 ? Math.floor(random() * 6) : 0;
      text = text.slice(0, at) + (cut ? '' : pieces[Math.floor(random() * pieces.length)]) + text.slice(at + cut);
    }
    const diagnostics = checkOptimizer(text);
    assert.ok(rangesAreValid(text, diagnostics), `ranges for:\n${text}`);
    assert.ok(diagnostics.every((d) => !/Internal error/.test(d.message)), `${diagnostics.map((d) => d.message).join('; ')} for:\n${text}`);
    if (!diagnostics.some((d) => d.severity === 'error')) {
      const compiled = compileOptimizer(text);
      assert.ok(compiled.ok && WebAssembly.validate(compiled.wasm), `a valid module for:\n${text}`);
      valid++;
    }
  }
  assert.ok(valid > 50, `${valid} edits still compiled`);
});

test('linked steps stay bounded: one per text and hyper-parameter values, least recently used out', async () => {
  for (let k = 0; k < 270; k++) {
    await engine.trace({ loss: 'sphere', optimizer: LION, options: { beta1: 0.5 + k / 1000 }, steps: 2 });
  }
  const { optimizers } = engine.memory();
  assert.ok(optimizers.entries <= 256 && optimizers.entries >= 200, JSON.stringify(optimizers));
  assert.equal(optimizers.retained, 0);
  const before = engine.memory().optimizers.entries;
  await engine.trace({ loss: 'sphere', optimizer: LION, options: { beta1: 0.5 + 269 / 1000, lr: 0.5 }, steps: 2 });
  assert.equal(engine.memory().optimizers.entries, before, 'another lr reuses the linked step');
});

test('the engine worker runs a written optimizer, in a session too, as the engine does in-process', async () => {
  const { EngineClient } = await loadTs('src/engine/engineClient.ts');
  const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
  const client = new EngineClient(() => startNodeWorker(join(root, 'dist/worker.js')));
  const request = { loss: 'beale', start: [1, 1.5], optimizer: LION, options: { lr: 0.01 }, steps: 40 };
  try {
    assert.deepEqual(await client.trace(request), await engine.trace(request));
    const opened = await client.openSession({ loss: 'beale', runs: [{ optimizer: LION, options: { lr: 0.01 } }], steps: 40, breakpoints: [{ id: 'b1', condition: 'abs(m_y) > 0.05' }] });
    const update = await client.advanceSession(opened.id, { steps: 40 });
    assert.equal(update.runs[0].status, 'paused');
    assert.deepEqual(update.runs[0].pausedBy, ['b1']);
    await client.closeSession(opened.id);
  } finally {
    client.dispose();
  }
});

test('a .loss optimizer line names a .optim file: the run carries its text; a missing, refused or wrong file is an error on the path', async () => {
  const { parseLoss, dataFiles } = await loadTs('src/loss/index.ts');
  const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
  const lion = readFileSync(join(root, 'examples', 'lion.optim'), 'utf8');
  const text = 'f = x^2 + 10*y^2\noptimizer "lion.optim" lr=0.01 label="mine"\noptimizer adam lr=0.1\n';
  assert.deepEqual(dataFiles(text), ['lion.optim']);
  const parsed = parseLoss(text, { 'lion.optim': lion });
  assert.equal(parsed.ok, true, JSON.stringify(parsed.diagnostics));
  const runs = scenarioFromFile(text, parsed.loss.scenario).runs;
  assert.deepEqual(runs[0], { optimizer: lion, options: { lr: 0.01 }, label: 'mine' });
  assert.equal(runs[1].optimizer, 'adam');
  // The engine takes the loss's text alone: without files, no diagnostic (its runs come with the scenario).
  const alone = parseLoss(text);
  assert.equal(alone.ok, true);
  assert.equal(alone.loss.scenario.optimizers[0].name, 'lion.optim');
  const pathRange = { start: { line: 1, character: 10 }, end: { line: 1, character: 22 } };
  const errorOf = (files) => {
    const result = parseLoss(text, files);
    assert.equal(result.ok, false);
    assert.deepEqual(result.diagnostics[0].range, pathRange);
    return result.diagnostics[0].message;
  };
  assert.match(errorOf({}), /Cannot read the optimizer file "lion\.optim"/);
  assert.match(errorOf({ 'lion.optim': { problem: 'outside the workspace folder' } }), /outside the workspace folder/);
  assert.match(errorOf({ 'lion.optim': 'x,y\n1,2\n' }), /lion\.optim is not an optimizer/);
  assert.match(errorOf({ 'lion.optim': `${lion}${'#'.repeat(70_000)}` }), /longer than an optimizer may be \(65536 characters\)/);
});
