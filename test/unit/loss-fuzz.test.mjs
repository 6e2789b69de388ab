// Property test: 100 000+ random and mutated inputs each give a compiled loss or diagnostics with valid ranges,
// never an exception or an internal error (deep nesting and very long inputs included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadLoss, mulberry32, rangesAreValid, SMOOTH_EXPRESSIONS } from './loss-helpers.mjs';

const { compileLoss } = await loadLoss();
const golden = JSON.parse(readFileSync(new URL('../fixtures/pytorch-optimizers.json', import.meta.url), 'utf8'));

const SEEDS = [
  ...SMOOTH_EXPRESSIONS,
  ...new Set(golden.cases.map((c) => c.expression)),
  'n = 5\nparams x[n]\nf = sum(i = 1..n-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)\nstart = 0\nsteps = 10',
  'params w1, w2, b\nloss = softplus(-(w1*2 + w2 - b)) + 0.01*(w1^2 + w2^2)\nstart = (1, -1, 0)',
  'a = 1\nb = 100\nf = (a - x)^2 + b*(y - x^2)^2 # rosenbrock\ndomain x in [-2, 2], y in [-1, 3]\nstart = (-1.5, 2), (1, -1)\nminimum = (1, 1)\noptimizer adam lr=0.05 betas=(0.9, 0.999)\noptimizer sgd lr=1e-3, momentum=0.9\nsteps = 200',
  'x**2 + 3*np.sin(y)',
  'params x[3]\nprod(i = 1..3, x[i]) + sum(i, 1, 3, max(x[i], 0))',
];

const VOCABULARY = [
  'x', 'y', 'z', 'a', 'i', 'n', 'w', 'x[1]', 'x[i]', 'x[i+1]', '1', '0', '2.5', '1e-3', '1e309', '.5', 'pi', 'e',
  '+', '-', '*', '/', '^', '**', '(', ')', '[', ']', ',', '=', '..', ';', '\n', '\r\n', ' ', '#', '.', '@', 'é', '😀',
  'sin', 'cos', 'exp', 'log', 'sqrt', 'abs', 'max', 'min', 'pow', 'atan2', 'hypot', 'sigmoid', 'softplus', 'relu', 'sign',
  'np.', 'math.', 'torch.', 'Math.PI', 'sum', 'prod', 'sum(i = 1..3, ', 'f =', 'loss =', 'params', 'params x[3]', 'domain',
  'domain x in [-1, 1]', 'start =', 'start = (1, 2)', 'minima =', 'optimizer', 'optimizer adam lr=0.1', 'steps =', 'true', 'in',
];

function randomTokens(random) {
  const count = 1 + Math.floor(random() * 24);
  let text = '';
  for (let k = 0; k < count; k++) text += VOCABULARY[Math.floor(random() * VOCABULARY.length)] + (random() < 0.3 ? ' ' : '');
  return text;
}

function mutate(text, random) {
  const edits = 1 + Math.floor(random() * 4);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(random() * (text.length + 1));
    const length = Math.floor(random() * 6);
    const choice = random();
    if (choice < 0.3) text = text.slice(0, at) + text.slice(at + length);
    else if (choice < 0.6) text = text.slice(0, at) + VOCABULARY[Math.floor(random() * VOCABULARY.length)] + text.slice(at);
    else if (choice < 0.8) text = text.slice(0, at) + text.slice(at, at + length).repeat(2) + text.slice(at + length);
    else text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(at + 1);
  }
  return text;
}

function check(text) {
  const result = compileLoss(text);
  if (result.ok) {
    assert.ok(result.wasm instanceof Uint8Array && result.wasm.length > 8 && result.dim === result.params.length, text);
  } else {
    assert.ok(result.diagnostics.length > 0, `no diagnostics for ${JSON.stringify(text)}`);
    assert.ok(rangesAreValid(text, result.diagnostics), `bad range for ${JSON.stringify(text)}: ${JSON.stringify(result.diagnostics)}`);
  }
  const internal = (result.ok ? result.warnings : result.diagnostics).find((d) => d.message.startsWith('Internal error'));
  assert.equal(internal, undefined, `${JSON.stringify(text)}: ${internal?.message}`);
  return result;
}

test('100 000 random and mutated inputs compile or give valid diagnostics', () => {
  const random = mulberry32(2024);
  const started = performance.now();
  let compiled = 0;
  let validated = 0;
  const total = 100_000;
  for (let k = 0; k < total; k++) {
    const text = k % 3 === 0 ? randomTokens(random) : mutate(SEEDS[Math.floor(random() * SEEDS.length)], random);
    const result = check(text);
    if (result.ok) {
      compiled++;
      if (compiled % 200 === 1) {
        assert.ok(WebAssembly.validate(result.wasm), `invalid module for ${JSON.stringify(text)}`);
        validated++;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`# fuzz: ${total} inputs (${compiled} compiled, ${validated} modules validated) in ${seconds.toFixed(1)} s`);
  assert.ok(compiled > 1000, `only ${compiled} inputs compiled: the generator is too destructive`);
});

test('adversarial inputs: deep nesting, long lines, huge sums, many lines', () => {
  const started = performance.now();
  const inputs = [
    '('.repeat(200_000),
    '('.repeat(50_000) + 'x' + ')'.repeat(50_000),
    'sin('.repeat(10_000) + 'x' + ')'.repeat(10_000),
    '-'.repeat(100_000) + 'x',
    '2^'.repeat(50_000) + 'x',
    'x' + '*x'.repeat(20_000),
    'x' + ' + sin(x*y)'.repeat(5_000),
    Array.from({ length: 5_000 }, (_, i) => `a${i} = ${i === 0 ? 'x' : `a${i - 1}*y + 1`}`).join('\n') + '\nf = a4999',
    'params x[1000]\nsum(i = 1..1000, x[i]^2)',
    'params x[30]\nsum(i = 1..30, sum(j = 1..30, x[i]*x[j]*sin(x[i] - x[j])))',
    'sum(i = 1..1000000000, x)',
    'sum(i = 1..2000, sum(j = 1..2000, x*i + j))',
    'x'.repeat(1_000_000),
    '#'.repeat(1_000_000) + '\nx',
    '\n'.repeat(200_000) + 'sni(x)',
    'sni(x) + '.repeat(10_000) + 'x',
    '1e999999 * x - 1e-999999',
    'y'.padStart(300_000, ' '),
  ];
  for (const text of inputs) {
    check(text);
  }
  console.log(`# adversarial: ${inputs.length} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
