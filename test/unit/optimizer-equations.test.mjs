// The inspector's update equations (src/shared/optimizerEquations.ts): for every built-in, the equations evaluated
// with the values recorded at a random step of a golden case reproduce the engine's next parameters to 1e-12; the
// typeset lines substitute those values; MathML comes out of katex for the webview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { loadTs } from './panels-bundle.mjs';
import { mulberry32 as random } from './loss-helpers.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const equations = await loadTs('src/shared/optimizerEquations.ts');
const tex = await loadTs('src/shared/equationTex.ts');
const written = await loadTs('src/loss/optim/equations.ts');
const inspector = await loadTs('src/session/inspectorEquations.ts');
const engine = await createEngine();
const defaults = Object.fromEntries(engine.optimizers().map((o) => [o.name, o.defaults]));
const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const cases = [...fixture('pytorch-optimizers.json').cases, ...fixture('pytorch-more-optimizers.json').cases];

/** The run's recorded values at row `row`, as the host hands them to the equations (TrainingSession.inspect's shape). */
async function recorded(c, params) {
  const [run] = await engine.runs({ loss: c.expression, start: c.start, steps: c.steps, recordState: true, runs: [{ optimizer: c.optimizer, options: c.options }] });
  const dim = params.length;
  const width = run.stateNames.length;
  const row = (r) => ({
    x: Array.from(run.rows.subarray(r * (dim + 2), r * (dim + 2) + dim)),
    state: Object.fromEntries(run.stateNames.map((n, k) => [n, run.state[r * width + k]])),
  });
  return { run, row };
}

function stepValues(c, params, before, after) {
  const gradients = new Set(params.map((p) => `grad_${p}`));
  const { lr, ...state } = Object.fromEntries(Object.entries(before.state).filter(([n]) => !gradients.has(n)));
  return {
    params,
    x: before.x,
    g: params.map((p) => before.state[`grad_${p}`]),
    state,
    step: before.step + 1,
    lr: after.state.lr,
    options: equations.optionValues({ ...defaults[c.optimizer], ...c.options }),
    effectiveStep: after.x.map((v, k) => v - before.x[k]),
  };
}

const close = (got, want, tolerance) => Math.abs(got - want) <= tolerance * (1 + Math.abs(want));

for (const [index, c] of cases.entries()) {
  const name = `${c.name} (${c.optimizer} ${JSON.stringify(c.options)})`;
  if (c.optimizer.startsWith('lbfgs')) continue; // below: L-BFGS's inner iterations are the core's
  test(`the equations of ${name} reproduce the next parameters at a random step`, async () => {
    const { params } = await engine.lossInfo(c.expression);
    const { run, row } = await recorded(c, params);
    // a seeded random step: the same on every run, different per case
    const t = 1 + Math.floor(random(index + 1)() * (run.rowCount - 2));
    const before = { ...row(t), step: t };
    const after = row(t + 1);
    const set = equations.builtinEquations(c.optimizer, { ...defaults[c.optimizer], ...c.options });
    assert.ok(set, `${c.optimizer} has equations`);
    const env = tex.stepEnvironment(stepValues(c, params, before, after));
    const { after: result } = equations.runAssignments(set, env);
    params.forEach((p, k) => {
      assert.ok(close(result.x[k], after.x[k], 1e-12), `${name} step ${t + 1}, ${p}: equations ${result.x[k]}, engine ${after.x[k]}`);
    });
    // The state the equations compute is the state the engine records after the step.
    for (const [key, value] of Object.entries(after.state)) {
      if (key === 'lr' || params.some((p) => key === `grad_${p}`)) continue;
      const base = params.find((p) => key.endsWith(`_${p}`));
      const computed = base ? result[key.slice(0, -base.length - 1)]?.[params.indexOf(base)] : result[key];
      if (computed === undefined) continue;
      assert.ok(close(computed, value, 1e-12), `${name} step ${t + 1}, ${key}: equations ${computed}, engine ${value}`);
    }
    if (c.optimizer === 'newton') {
      // The direction p is read from the recorded step; it solves (H + delta I) p = g at x_t.
      const { hessian, gradient } = await engine.evaluate(c.expression, before.x);
      const damping = c.options.damping ?? 0;
      params.forEach((_, i) => {
        const lhs = params.reduce((s, __, j) => s + (hessian[i * params.length + j] + (i === j ? damping : 0)) * env.direction[j], 0);
        assert.ok(close(lhs, gradient[i], 1e-9), `${name}: (H + δI)p = ${lhs}, g = ${gradient[i]}`);
      });
    }
    const lines = tex.equationLines(set, env, 0);
    for (const line of [...lines, ...tex.equationLines(set)]) {
      assert.doesNotMatch(inspector.mathml(line.display), /katex-error/, `${name}: katex typesets ${line.display}`);
    }
    const last = lines.findLast((l) => l.tex.startsWith('x_{t} = ')).tex;
    assert.match(last, /^x_\{t\} = /, `${name}: the last line moves x`);
    assert.ok(last.endsWith(tex.texNumber(after.x[0])) || close(Number(last.split(' = ').at(-1)), after.x[0], 1e-5), `${name}: shows x_{t+1}: ${last}`);
  });
}

for (const c of cases.filter((c) => c.optimizer.startsWith('lbfgs'))) {
  test(`L-BFGS ${c.name}: the lines show the recorded direction, step length and whole step`, async () => {
    const { params } = await engine.lossInfo(c.expression);
    const { run, row } = await recorded(c, params);
    const set = equations.builtinEquations(c.optimizer, { ...defaults[c.optimizer], ...c.options });
    const t = 1 + Math.floor(random(c.steps)() * (run.rowCount - 2));
    const before = { ...row(t), step: t };
    const after = row(t + 1);
    // The equations read the state recorded after the step: its last inner iteration's direction and length.
    const env = tex.stepEnvironment({ ...stepValues(c, params, before, after), state: stepValues(c, params, after, after).state });
    const { after: result } = equations.runAssignments(set, env);
    params.forEach((p, k) => assert.ok(close(result.x[k], after.x[k], 1e-12), `${c.name} step ${t + 1}, ${p}`));
    const lines = tex.equationLines(set, env, 1).map((l) => l.tex);
    assert.ok(lines.some((l) => l.startsWith('p = ') && l.endsWith(tex.texNumber(after.state[`d_${params[1]}`]))), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('\\alpha = ') && l.endsWith(tex.texNumber(after.state.t))), lines.join('\n'));
  });
}

test('Adam at step 914 shows m, v, both bias corrections and the effective step, substituted', () => {
  const set = equations.builtinEquations('adam', { ...defaults.adam });
  const env = tex.stepEnvironment({
    params: ['x', 'y'], x: [0.5, -1], g: [0.25, 2], state: { exp_avg_x: 0.1, exp_avg_y: -0.2, exp_avg_sq_x: 0.01, exp_avg_sq_y: 0.04 },
    step: 914, lr: 1e-3, options: equations.optionValues({ ...defaults.adam }),
  });
  const lines = tex.equationLines(set, env, 0).map((l) => l.tex);
  const m = 0.9 * 0.1 + 0.1 * 0.25;
  assert.equal(lines[0], `m_{t} = \\beta_1\\,m_{t-1} + \\left(1 - \\beta_1\\right)\\,g_t = 0.9 \\cdot 0.1 + \\left(1 - 0.9\\right) \\cdot 0.25 = ${tex.texNumber(m)}`);
  assert.match(lines[1], /^v_\{t\} = .* = 0\.999 \\cdot 0\.01 \+ /);
  assert.match(lines[2], /^\\hat\\beta_1 = 1 - \{\\beta_1\}\^\{t\} = 1 - \{0\.9\}\^\{914\} = 1$/);
  assert.match(lines[3], /^\\hat\\beta_2 = 1 - \{\\beta_2\}\^\{t\} = 1 - \{0\.999\}\^\{914\} = 0\.59/);
  assert.ok(lines.some((l) => l.startsWith('\\Delta = ')), 'the effective step');
  assert.match(lines.at(-1), /^x_\{t\} = x_\{t-1\} - \\Delta = 0\.5 - /);
});

test('an unknown optimizer has no equations; L-BFGS and Newton say what the core computes', () => {
  assert.equal(equations.builtinEquations('nope', {}), undefined);
  for (const name of ['lbfgs', 'lbfgs_strong_wolfe', 'newton']) {
    const set = equations.builtinEquations(name, {});
    assert.ok(set.notes.length > 0, `${name} notes`);
  }
});

test('every built-in the engine lists has equations', () => {
  for (const { name } of engine.optimizers()) assert.ok(equations.builtinEquations(name, { ...defaults[name] }), name);
});

for (const [file, options] of [['lion.optim', { lr: 1e-3 }], ['adam.optim', { lr: 0.05, amsgrad: true }], ['rmsprop.optim', {}]]) {
  test(`the equations generated from examples/${file} reproduce the engine's next parameters and state`, async () => {
    const source = readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');
    const { set, hypers } = written.writtenOptimizerEquations(source, options);
    for (const c of cases.filter((c) => c.optimizer === 'adam').slice(0, 3)) {
      const { params } = await engine.lossInfo(c.expression);
      const [run] = await engine.runs({ loss: c.expression, start: c.start, steps: 60, recordState: true, runs: [{ optimizer: source, options }] });
      const width = run.stateNames.length;
      const row = (r) => ({
        x: Array.from(run.rows.subarray(r * (params.length + 2), r * (params.length + 2) + params.length)),
        state: Object.fromEntries(run.stateNames.map((n, k) => [n, run.state[r * width + k]]).filter(([n]) => n)),
      });
      const t = 1 + Math.floor(random(c.start.length + file.length)() * (run.rowCount - 2));
      const before = { ...row(t), step: t };
      const after = row(t + 1);
      const env = tex.stepEnvironment({ ...stepValues(c, params, before, after), options: equations.optionValues(hypers) });
      const { after: result } = equations.runAssignments(set, env);
      params.forEach((p, k) => assert.ok(close(result.x[k], after.x[k], 1e-12), `${file} on ${c.name} step ${t + 1}, ${p}: equations ${result.x[k]}, engine ${after.x[k]}`));
      for (const [key, value] of Object.entries(after.state)) {
        const base = params.find((p) => key.endsWith(`_${p}`) && key !== `grad_${p}`);
        if (!base) continue;
        const computed = result[key.slice(0, -base.length - 1)][params.indexOf(base)];
        assert.ok(close(computed, value, 1e-12), `${file} step ${t + 1}, ${key}: equations ${computed}, engine ${value}`);
      }
    }
  });
}

test('a rule that reads the Hessian, or a file with errors, has no equations', () => {
  const sophia = readFileSync(new URL('../../examples/sophia.optim', import.meta.url), 'utf8');
  assert.equal(written.writtenOptimizerEquations(sophia), undefined);
  assert.equal(written.writtenOptimizerEquations('optimizer broken\nupdate\n  x = x - lr*'), undefined);
});

test('the inspector gets MathML for each coordinate, with the step\'s values, and a symbolic set at the run\'s end', async () => {
  const state = {
    run: 0, step: 913, params: { x: 0.5, y: -1 }, loss: 1, gradNorm: 2, lr: 1e-3, grad: { x: 0.25, y: 2 },
    state: { exp_avg_x: 0.1, exp_avg_y: -0.2, exp_avg_sq_x: 0.01, exp_avg_sq_y: 0.04 },
    effectiveStep: { x: -1e-3, y: 1e-3 }, next: { lr: 1e-3, state: {} }, hessianEigenvalues: [],
  };
  const { equations: shown } = await inspector.runEquations({ optimizer: 'adam', options: { lr: 1e-3 } }, state);
  assert.equal(shown.title, 'Adam, step 913 → 914');
  assert.deepEqual(shown.coordinates.map((c) => c.param), ['x', 'y']);
  for (const { lines } of shown.coordinates) {
    for (const { mathml } of lines) {
      assert.match(mathml, /^<span class="katex"><math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML" display="block">/);
      assert.doesNotMatch(mathml, /\sstyle=|katex-error/);
    }
  }
  assert.match(shown.coordinates[1].lines[0].mathml, /<mn>0\.2<\/mn>/, "y's exp_avg substituted");
  assert.match(shown.coordinates[0].lines[2].mathml, /<mn>914<\/mn>/, 'the step number in the bias correction');
  const { equations: last } = await inspector.runEquations({ optimizer: 'adam', options: {} }, { ...state, effectiveStep: undefined, next: undefined });
  assert.match(last.message, /no step follows/);
  assert.deepEqual(await inspector.runEquations({ optimizer: readFileSync(new URL('../../examples/sophia.optim', import.meta.url), 'utf8'), options: {} }, state), {});
});

// ---- Muon: its momentum buffer recorded on the weight matrices, its rest optimizer's state elsewhere ----

const mlp = fixture('pytorch-mlp-training.json').cases.filter((c) => c.optimizer === 'muon');
const { muonMatrixShapes } = await loadTs('src/engine/muonNames.ts');
const { conditionNamesFor } = await loadTs('src/engine/breakpoints.ts');

function networkLoss(c) {
  const { layers, activation, loss, batchnorm } = c.network;
  const rows = c.data.rows.map((r) => r.join(', ')).join('; ');
  return `data ${c.data.columns.join(', ')} = [${rows}]\nnetwork ${layers.join('-')} activation=${activation} loss=${loss} batchnorm=${batchnorm}`;
}

/** A number rounded to bfloat16 (nearest even; through float32 first, close enough for a reference). */
function bf16(v) {
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
  return new Float32Array(new Uint32Array([(bits + (((bits >>> 16) & 1) + 0x7fff)) & 0xffff0000]).buffer)[0];
}

/**
 * torch's Newton–Schulz quintic (_zeropower_via_newtonschulz) written from its documentation: each tensor rounded to
 * bfloat16 as torch's are (a plain reference; the core's accumulates products as torch's kernels do).
 */
function newtonSchulz(matrix, rows, cols, steps = 5, [a, b, c] = [3.4445, -4.775, 2.0315], eps = 1e-7) {
  const tall = rows > cols;
  const [n, m] = tall ? [cols, rows] : [rows, cols];
  let x = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => bf16(tall ? matrix[j * cols + i] : matrix[i * cols + j])));
  const norm = Math.max(bf16(Math.sqrt(x.flat().reduce((s, v) => s + v * v, 0))), bf16(eps));
  x = x.map((r) => r.map((v) => bf16(v / norm)));
  const mul = (p, q) => p.map((r) => q[0].map((_, j) => r.reduce((s, v, k) => s + v * q[k][j], 0)));
  for (let s = 0; s < steps; s++) {
    const gram = mul(x, x[0].map((_, j) => x.map((r) => r[j]))).map((r) => r.map(bf16));
    const square = mul(gram, gram);
    const update = gram.map((r, i) => r.map((v, j) => bf16(b * v + c * square[i][j])));
    const product = mul(update, x);
    x = x.map((r, i) => r.map((v, j) => bf16(a * v + product[i][j])));
  }
  return Array.from({ length: rows * cols }, (_, e) => (tall ? x[e % cols][Math.floor(e / cols)] : x[Math.floor(e / cols)][e % cols]));
}

for (const [index, c] of mlp.entries()) {
  test(`Muon ${c.name}: the equations reproduce the next parameters and states; O is Newton–Schulz of the update`, async () => {
    const loss = networkLoss(c);
    const options = { ...c.options, rest: c.rest };
    const { params } = await engine.lossInfo(loss);
    const [run] = await engine.runs({ loss, start: c.start, steps: c.steps, recordState: true, runs: [{ optimizer: 'muon', options }] });
    const width = run.stateNames.length;
    const row = (r) => ({
      x: Array.from(run.rows.subarray(r * (params.length + 2), r * (params.length + 2) + params.length)),
      state: Object.fromEntries(run.stateNames.map((n, k) => [n, run.state[r * width + k]]).filter(([n]) => n)),
    });
    const shapes = muonMatrixShapes(params);
    const matrices = params.filter((_, k) => shapes[k]);
    assert.ok(matrices.length > 0 && matrices.length < params.length, 'Muon takes some parameters, the rest optimizer the others');
    // The recorded names: momentum_buffer on the matrices only, the rest optimizer's state on the others only.
    for (const [k, p] of params.entries()) {
      assert.equal(run.stateNames.includes(`momentum_buffer_${p}`), Boolean(shapes[k]), `momentum_buffer_${p}`);
      assert.equal(run.stateNames.includes(`exp_avg_${p}`), !shapes[k], `exp_avg_${p}`);
    }
    assert.ok(run.stateNames.every((n, k) => n === '' || run.stateNames.indexOf(n) === k), 'names are unique');
    // Row 0: torch's zero buffers, before the first step.
    assert.ok(matrices.every((p) => row(0).state[`momentum_buffer_${p}`] === 0));
    const t = 1 + Math.floor(random(index + 101)() * (run.rowCount - 2));
    const before = { ...row(t), step: t };
    const after = row(t + 1);
    const muonOptions = { lr: 1e-3, weight_decay: 0.1, momentum: 0.95, nesterov: true, ns_steps: 5, adjust_lr_fn: 'original', ...c.options };
    const restOptions = { ...defaults[c.rest.optimizer], ...c.rest.options };
    const muonSet = equations.builtinEquations('muon', muonOptions);
    const restSet = equations.builtinEquations(c.rest.optimizer, restOptions);
    const base = tex.stepEnvironment({ ...stepValues(c, params, before, after), options: equations.optionValues(muonOptions) });
    const muonEnv = equations.muonEnvironment(base, shapes, { ...muonOptions, restLr: restOptions.lr });
    const restEnv = tex.stepEnvironment({ ...stepValues(c, params, before, after), options: equations.optionValues(restOptions) });
    const muonResult = equations.runAssignments(muonSet, muonEnv).after;
    const restResult = equations.runAssignments(restSet, restEnv).after;
    params.forEach((p, k) => {
      const result = shapes[k] ? muonResult : restResult;
      assert.ok(close(result.x[k], after.x[k], 1e-12), `${c.name} step ${t + 1}, ${p}: equations ${result.x[k]}, engine ${after.x[k]}`);
    });
    for (const [key, value] of Object.entries(after.state)) {
      const k = params.findIndex((p) => key.endsWith(`_${p}`) && key !== `grad_${p}`);
      if (k < 0) continue;
      const name = key.slice(0, -params[k].length - 1);
      const computed = (shapes[k] ? muonResult : restResult)[name][k];
      assert.ok(close(computed, value, 1e-12), `${c.name} step ${t + 1}, ${key}: equations ${computed}, engine ${value}`);
    }
    // Per matrix: O read back from the step is the reference Newton–Schulz of the equations' update U (relative
    // Frobenius distance; only the read-back's rounding differs).
    const frobenius = (v) => Math.sqrt(v.reduce((s, e) => s + e * e, 0));
    const distance = (p, q) => frobenius(p.map((v, e) => v - q[e])) / frobenius(q);
    for (let offset = 0; offset < params.length;) {
      const shape = shapes[offset];
      if (!shape) {
        offset++;
        continue;
      }
      const size = shape[0] * shape[1];
      const got = muonEnv.orthogonalized.slice(offset, offset + size);
      const expected = newtonSchulz(muonResult.update.slice(offset, offset + size), ...shape);
      assert.ok(distance(got, expected) < 1e-9, `${c.name} ${params[offset]}: O differs from float64 Newton–Schulz by ${distance(got, expected)}`);
      offset += size;
    }
    // The typeset lines: B, U and O at the first matrix coordinate, the rest optimizer's at a bias.
    const lines = tex.equationLines(muonSet, muonEnv, 0).map((l) => l.tex);
    assert.ok(lines[0].startsWith('B_{t} = ') && lines[0].endsWith(tex.texNumber(after.state[`momentum_buffer_${params[0]}`])), lines[0]);
    assert.ok(lines.some((l) => l.startsWith('O_{t} = \\mathrm{NS}_{5}\\left(U\\right) = ')), lines.join('\n'));
    assert.match(lines.at(-1), /^x_\{t\} = /);
    for (const line of tex.equationLines(muonSet, muonEnv, 0)) assert.doesNotMatch(inspector.mathml(line.display), /katex-error/, line.display);
  });
}

test('Muon in the inspector: its lines on the matrices, the rest optimizer\'s on the first other parameter', async () => {
  const c = mlp[0];
  const loss = networkLoss(c);
  const { params } = await engine.lossInfo(loss);
  const [run] = await engine.runs({ loss, start: c.start, steps: 4, recordState: true, runs: [{ optimizer: 'muon', options: { ...c.options, rest: c.rest } }] });
  const width = run.stateNames.length;
  const x = (r) => run.rows.subarray(r * (params.length + 2), r * (params.length + 2) + params.length);
  const named = (r, prefix) => Object.fromEntries(run.stateNames.map((n, k) => [n, run.state[r * width + k]]).filter(([n]) => n.startsWith(prefix)));
  const state = {
    run: 0, step: 2, params: Object.fromEntries(params.map((p, k) => [p, x(2)[k]])), loss: 1, gradNorm: 1, lr: c.rest.options.lr,
    grad: Object.fromEntries(params.map((p) => [p, named(2, 'grad_')[`grad_${p}`]])),
    state: Object.fromEntries(Object.entries(named(2, '')).filter(([n]) => !n.startsWith('grad_') && n !== 'lr')),
    effectiveStep: Object.fromEntries(params.map((p, k) => [p, x(3)[k] - x(2)[k]])), next: { lr: c.rest.options.lr, state: {} }, hessianEigenvalues: [],
  };
  const { equations: shown } = await inspector.runEquations({ optimizer: 'muon', options: { ...c.options, rest: c.rest } }, state);
  assert.equal(shown.title, 'Muon, AdamW for the other parameters, step 2 → 3');
  const names = shown.coordinates.map((co) => co.param);
  assert.equal(names.length, 6);
  assert.ok(names.slice(0, 5).every((p) => p.startsWith('W1[')), names.join(', '));
  assert.equal(names[5], 'b1[1]');
  assert.match(shown.coordinates[0].lines[0].mathml, /<mi>B<\/mi>/);
  assert.match(shown.coordinates[5].lines.map((l) => l.mathml).join(''), /<mi>m<\/mi>/, "AdamW's first moment on b1[1]");
  const text = inspector.runEquationText({ optimizer: 'muon', options: { ...c.options, rest: c.rest } }, state);
  assert.ok(text.lines.some((l) => l.startsWith('O_{t} = ')), text.lines.join('\n'));
});

test('breakpoints read Muon\'s momentum buffer by its PyTorch name', async () => {
  const c = mlp[0];
  const loss = networkLoss(c);
  const options = { ...c.options, rest: c.rest };
  const { params } = await engine.lossInfo(loss);
  const names = conditionNamesFor(params, 'muon', options);
  assert.ok(names.includes('momentum_buffer_W1[1,1]') && names.includes('exp_avg_b1[1]') && !names.includes('exp_avg_W1[1,1]'));
  const [run] = await engine.runs({ loss, start: c.start, steps: 6, recordState: true, runs: [{ optimizer: 'muon', options }] });
  const at = (r) => run.state[r * run.stateNames.length + run.stateNames.indexOf('momentum_buffer_W1[1,1]')];
  const threshold = at(4);
  assert.notEqual(threshold, at(3));
  const result = await engine.trace({ loss, start: c.start, optimizer: 'muon', options, steps: 6, breakpoints: [`momentum_buffer_W1[1,1] == ${threshold}`] });
  assert.equal(result.status, 'paused');
  assert.equal(result.stoppedAt, 4);
});
