// Export as a PyTorch script: the expression translation (each function against a table, and its values through a
// numpy stand-in for torch against the engine's own evaluation), and whole scripts from the engine's runs (formula,
// data, generated data, networks, every optimizer, schedules, minibatches), each compiled by python3 -m py_compile.
// torch is not installed here, so no script is run against torch itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const pytorchExport = await loadTs('src/loss/pytorchExport.ts');
const { torchExpression, torchScheduler } = pytorchExport;
const { parseLoss, evaluateLoss } = await loadTs('src/loss/index.ts');
const { exportFile } = await loadTs('src/panels/pageExport.ts');

const engine = await createEngine();
const dir = mkdtempSync(join(tmpdir(), 'optiscope-py-'));
const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

function compiles(name, script) {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, script);
  if (hasPython) execFileSync('python3', ['-m', 'py_compile', file]); // throws with Python's message
}

function translate(formula) {
  const parsed = parseLoss(`f = ${formula}`);
  assert.ok(parsed.ok, formula);
  return torchExpression(parsed.loss.graph, parsed.loss.root, (i) => `p[${i}]`);
}

// Every function of the language, as written, and what the torch code reads.
const TABLE = [
  ['sin(x)', 'torch.sin(p[0])'],
  ['cos(x)', 'torch.cos(p[0])'],
  ['tan(x)', 'torch.tan(p[0])'],
  ['asin(x)', 'torch.asin(p[0])'],
  ['acos(x)', 'torch.acos(p[0])'],
  ['atan(x)', 'torch.atan(p[0])'],
  ['atan2(x, y)', 'torch.atan2(p[0], p[1])'],
  ['sinh(x)', 'torch.sinh(p[0])'],
  ['cosh(x)', 'torch.cosh(p[0])'],
  ['tanh(x)', 'torch.tanh(p[0])'],
  ['exp(x)', 'torch.exp(p[0])'],
  ['expm1(x)', 'torch.expm1(p[0])'],
  ['log(x)', 'torch.log(p[0])'],
  ['log1p(x)', 'torch.log1p(p[0])'],
  ['log2(x)', 'torch.log2(p[0])'],
  ['log10(x)', 'torch.log10(p[0])'],
  ['sqrt(x)', 'torch.sqrt(p[0])'],
  ['cbrt(x)', '_cbrt(p[0])'],
  ['abs(x)', 'torch.abs(p[0])'],
  ['sign(x)', 'torch.sign(p[0])'],
  ['min(x, y)', 'torch.minimum(p[0], p[1])'],
  ['max(x, 0)', 'torch.maximum(p[0], _t(0.0))'],
  ['min(x, y, 1)', 'torch.minimum(_t(1.0), torch.minimum(p[0], p[1]))'],
  ['pow(x, y)', 'torch.pow(p[0], p[1])'],
  ['hypot(x, y)', 'torch.hypot(p[0], p[1])'],
  ['sigmoid(x)', 'torch.sigmoid(p[0])'],
  ['softplus(x)', 'torch.nn.functional.softplus(p[0])'],
  ['relu(x)', 'torch.relu(p[0])'],
  ['x^2', '(p[0] ** 2.0)'],
  ['x**-0.5', '(p[0] ** -0.5)'],
  ['-x^2 + y', '((-(p[0] ** 2.0)) + p[1])'],
  ['2^x', 'torch.pow(_t(2.0), p[0])'],
  ['np.sin(x) * math.pi', '(torch.sin(p[0]) * 3.141592653589793)'],
  ['x - 1.5 / y', '(p[0] - (1.5 / p[1]))'],
];

test('each function of the loss language translates to its torch function', () => {
  for (const [formula, expected] of TABLE) {
    const { lines, result } = translate(formula);
    assert.deepEqual(lines, [], formula);
    assert.equal(result, expected, formula);
  }
});

test('a subexpression used twice becomes one variable; sums expand; a constant loss is a tensor', () => {
  const shared = translate('(x - y^2)^2 + sin(x - y^2)');
  assert.equal(shared.lines.length, 1);
  assert.match(shared.lines[0], /^v\d+ = \(p\[0\] - \(p\[1\] \*\* 2\.0\)\)$/);
  assert.match(shared.result, /^\(\(v\d+ \*\* 2\.0\) \+ torch\.sin\(v\d+\)\)$/);
  const parsed = parseLoss('params x[3]\nf = sum(i = 1..2, 100*(x[i+1] - x[i]^2)^2)');
  const summed = torchExpression(parsed.loss.graph, parsed.loss.root, (i) => `p[${i}]`);
  assert.equal(summed.result, '((100.0 * ((p[1] - (p[0] ** 2.0)) ** 2.0)) + (100.0 * ((p[2] - (p[1] ** 2.0)) ** 2.0)))');
});

// A stand-in for the part of torch the translated expressions call, on numpy float64 (numpy, not torch: it checks
// that the translation computes the formula, not torch's last bits).
const NUMPY_TORCH = `
import numpy as np
float64 = np.float64
def tensor(v, dtype=None): return np.asarray(v, dtype=np.float64)
for _name in ['sin','cos','tan','sinh','cosh','tanh','exp','expm1','log','log1p','log2','log10','sqrt','abs','sign',
              'minimum','maximum','where','hypot']:
    globals()[_name] = getattr(np, _name)
asin, acos, atan, atan2, pow = np.arcsin, np.arccos, np.arctan, np.arctan2, np.power
def sigmoid(a): return 1 / (1 + np.exp(-a))
def relu(a): return np.maximum(a, 0.0)
class nn:
    class functional:
        @staticmethod
        def softplus(a): return np.where(a > 20, a, np.log1p(np.exp(np.minimum(a, 20))))
`;

test('the translated expressions compute what the engine computes (numpy stand-in for torch)', { skip: !hasPython }, () => {
  const shim = join(dir, 'shim');
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'torch.py'), NUMPY_TORCH);
  const point = [0.3, 0.7];
  const formulas = [...TABLE.map(([f]) => f), '(1 - x)^2 + 100*(y - x^2)^2', '(x - y^2)^2 + sin(x - y^2)'];
  const program = ['import torch', 'def _t(v): return torch.tensor(v)', 'def _cbrt(a): return torch.sign(a) * torch.abs(a) ** (1.0 / 3.0)', 'p = [0.3, 0.7]'];
  for (const [i, formula] of formulas.entries()) {
    const { lines, result } = translate(formula);
    program.push(`def f${i}():`, ...lines.map((l) => `    ${l}`), `    return float(${result})`, `print(repr(f${i}()))`);
  }
  const file = join(dir, 'expressions.py');
  writeFileSync(file, program.join('\n'));
  const values = execFileSync('python3', [file], { env: { ...process.env, PYTHONPATH: shim } }).toString().trim().split('\n').map(Number);
  for (const [i, formula] of formulas.entries()) {
    const expected = evaluateLoss(parseLoss(`f = ${formula}`).loss, point).value;
    const tolerance = 1e-14 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(values[i] - expected) <= tolerance, `${formula}: python ${values[i]}, engine ${expected}`);
  }
});

test('schedules map to torch.optim.lr_scheduler', () => {
  assert.equal(torchScheduler({ type: 'constant' }, 'opt'), undefined);
  assert.equal(torchScheduler({ type: 'step', step_size: 100, gamma: 0.5 }, 'opt'), 'torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)');
  assert.equal(torchScheduler({ type: 'exponential', gamma: 0.99 }, 'opt'), 'torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)');
  assert.equal(torchScheduler({ type: 'cosine', T_max: 300, eta_min: 0 }, 'opt'), 'torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300.0, eta_min=0.0)');
  assert.equal(
    torchScheduler({ type: 'linear', start_factor: 0.1, end_factor: 1, total_iters: 50 }, 'opt'),
    'torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=50)',
  );
  assert.equal(torchScheduler({ type: 'inverse_sqrt' }, 'opt'), 'torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / math.sqrt(epoch + 1))');
});

/** The script Export writes for a scenario, through the panel's export with the engine's runs. */
async function exported(scenario) {
  const runs = async (s) => ({ traces: await engine.runs(s) });
  const bytes = await exportFile('py', { engine, scenario, render: async () => '', runs });
  return new TextDecoder().decode(bytes);
}

const ALL_OPTIMIZERS = [
  ['sgd', { lr: 0.001, momentum: 0.9, nesterov: true }, 'torch.optim.SGD([p], lr=0.001, momentum=0.9, dampening=0, weight_decay=0, nesterov=True, maximize=False)'],
  ['momentum', { lr: 0.001 }, 'torch.optim.SGD([p], lr=0.001, momentum=0.9, dampening=0, weight_decay=0, maximize=False)'],
  ['nesterov', { lr: 0.001 }, 'torch.optim.SGD([p], lr=0.001, momentum=0.9, weight_decay=0, maximize=False, nesterov=True)'],
  ['adam', { lr: 0.05, betas: [0.8, 0.9] }, 'torch.optim.Adam([p], lr=0.05, betas=(0.8, 0.9), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False, decoupled_weight_decay=False)'],
  ['amsgrad', { lr: 0.01 }, 'torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False, amsgrad=True)'],
  ['adamw', { lr: 0.01 }, 'torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False, maximize=False)'],
  ['rmsprop', { lr: 0.01, centered: true }, 'torch.optim.RMSprop([p], lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=True, maximize=False)'],
  ['adagrad', { lr: 0.1 }, 'torch.optim.Adagrad([p], lr=0.1, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False)'],
  ['adadelta', {}, 'torch.optim.Adadelta([p], lr=1, rho=0.9, eps=0.000001, weight_decay=0, maximize=False)'],
  ['adamax', {}, 'torch.optim.Adamax([p], '],
  ['nadam', {}, 'torch.optim.NAdam([p], '],
  ['radam', {}, 'torch.optim.RAdam([p], '],
  ['rprop', {}, 'torch.optim.Rprop([p], lr=0.01, etas=(0.5, 1.2), step_sizes=(0.000001, 50), maximize=False)'],
  ['asgd', {}, 'torch.optim.ASGD([p], lr=0.01, lambd=0.0001, alpha=0.75, t0=1000000, weight_decay=0, maximize=False)'],
  ['adafactor', {}, 'torch.optim.Adafactor([p], lr=0.01, beta2_decay=-0.8, eps=(2.220446049250313e-16, 0.001), d=1, weight_decay=0, maximize=False)'],
  ['lbfgs', { lr: 0.5 }, 'torch.optim.LBFGS([p], lr=0.5, max_iter=20, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100)'],
  ['lbfgs_strong_wolfe', {}, "line_search_fn=\"strong_wolfe\")"],
  ['newton', { damping: 0.1 }, 'Newton([p], lr=1, damping=0.1)'],
];

test('a 2-D formula: every optimizer with its options, the start, the steps and Optiscope\'s losses', async () => {
  const scenario = {
    loss: '(1 - x)^2 + 100*(y - x^2)^2',
    start: [-1.5, 2],
    runs: ALL_OPTIMIZERS.map(([optimizer, options]) => ({ optimizer, options })),
    steps: 5,
  };
  const script = await exported(scenario);
  for (const [name, , constructor] of ALL_OPTIMIZERS) assert.ok(script.includes(constructor), `${name}: ${constructor}\n${script.split('\n').filter((l) => l.includes('optimizer = ')).join('\n')}`);
  assert.ok(script.includes('STEPS = 5'));
  assert.ok(script.includes('start = torch.tensor((-1.5, 2.0), dtype=torch.float64)'));
  assert.match(script, /def loss_of\(d, p=None\):\n {4}"""f = .*"""\n {4}return \(\(\(\(1\.0 - p\[0\]\) \*\* 2\.0\) \+ \(100\.0 \* \(\(p\[1\] - \(p\[0\] \*\* 2\.0\)\) \*\* 2\.0\)\)\)\)\.mean\(\)/);
  // L-BFGS and Newton evaluate the loss themselves: a closure; the others call it once and step.
  assert.match(script, /def run_16\(\):[\s\S]*?optimizer\.step\(closure\)/);
  assert.match(script, /def run_1\(\):[\s\S]*?closure\(\)\n {8}optimizer\.step\(\)/);
  assert.ok(script.includes('class Newton(torch.optim.Optimizer):'));
  // Optiscope's own losses, to compare with, start at the loss of the start: (1 + 1.5)^2 + 100*(2 - 2.25)^2.
  assert.match(script, /EXPECTED = \[\n {4}\[12\.5, /);
  compiles('formula', script);
});

test('schedules, projection and a built-in loss written out as its formula', async () => {
  const script = await exported({
    loss: 'rosenbrock',
    start: [0.5, 0.5],
    runs: [
      { optimizer: 'sgd', options: { lr: 0.001 }, schedule: { type: 'cosine', T_max: 10, eta_min: 0 }, project: [[-1, 1], [-2, 2]] },
      { optimizer: 'adam', options: { lr: 0.01 }, schedule: { type: 'step', step_size: 2, gamma: 0.5 } },
    ],
    steps: 4,
  });
  assert.ok(script.includes('scheduler_1 = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10.0, eta_min=0.0)'));
  assert.ok(script.includes('scheduler_1 = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)'));
  assert.ok(script.includes('p.copy_(torch.clamp(p, torch.tensor((-1, -2), dtype=torch.float64), torch.tensor((1, 2), dtype=torch.float64)))'));
  assert.match(script, /\*\* 2\.0/);
  compiles('builtin', script);
});

test('a built-in without a formula is refused with its name', async () => {
  await assert.rejects(() => exported({ loss: 'reddi', runs: [{ optimizer: 'adam', options: {} }], steps: 3 }), /reddi/);
});

test('data rows inline, minibatches from a seeded torch.Generator, gradient noise', async () => {
  const loss = 'params w, b\ndata xi, yi = [1, 2.1; 2, 3.9; 3, 6.2; 4, 8.1]\nf = (w*xi + b - yi)^2\nstart = (0, 0)';
  const script = await exported({
    loss,
    runs: [
      { optimizer: 'sgd', options: { lr: 0.01 }, stochastic: { batchSize: 2, seed: 3 } },
      { optimizer: 'sgd', options: { lr: 0.01 }, stochastic: { batchSize: 2, replacement: true, seed: 4, noise: 0.1 } },
      { optimizer: 'adam', options: { lr: 0.01 } },
    ],
    steps: 3,
  });
  assert.ok(script.includes('    [1.0, 2.1],\n    [2.0, 3.9],\n    [3.0, 6.2],\n    [4.0, 8.1],'));
  assert.ok(script.includes('TRAIN = DATA[:4]'));
  assert.match(script, /return \(\(\(\(\(p\[0\] \* d\[:, 0\]\) \+ p\[1\]\) - d\[:, 1\]\) \*\* 2\.0\)\)\.mean\(\)/);
  assert.ok(script.includes('generator = torch.Generator().manual_seed(3)\n    batches = epochs(2, generator)'));
  assert.ok(script.includes('torch.randint(0, TRAIN.shape[0], (2,), generator=generator)'));
  assert.ok(script.includes('q.grad += 0.1 * torch.randn(q.shape, dtype=torch.float64, generator=generator)'));
  assert.ok(script.includes("the sampling order differs from Optiscope's"));
  compiles('data', script);
});

test('a generated data set is written out as the engine generated it, with its test split', async () => {
  const loss = 'data spiral arms=2 samples=40 noise=0.05 test=0.25 seed=1\nnetwork 2-4-1 activation=tanh loss=bce';
  const info = await engine.lossInfo(loss);
  const samples = await engine.samples(loss);
  const script = await exported({ loss, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: 2 });
  const block = script.slice(script.indexOf('DATA = torch.tensor(['), script.indexOf('], dtype=torch.float64)'));
  const rows = block.split('\n').filter((l) => /^ {4}\[/.test(l));
  assert.equal(rows.length, samples.length / info.data.columns.length);
  assert.equal(rows[0], `    [${Array.from(samples.slice(0, 3), (v) => (Number.isInteger(v) ? `${v}.0` : String(v))).join(', ')}],`);
  assert.ok(script.includes(`TRAIN = DATA[:${info.data.count}]`));
  compiles('generated', script);
});

test('networks: each activation and loss, batch norm, residual, the initialized parameters', async () => {
  const activations = { tanh: 'nn.Tanh()', relu: 'nn.ReLU()', sigmoid: 'nn.Sigmoid()', linear: 'nn.Identity()', leaky_relu: 'nn.LeakyReLU(0.01)' };
  const losses = {
    mse: ['nn.MSELoss()', 'data x1, x2, y = [0, 0, 0; 0, 1, 1; 1, 0, 1; 1, 1, 0]', 'criterion(model(inputs), targets)'],
    bce: ['nn.BCEWithLogitsLoss()', 'data x1, x2, y = [0, 0, 0; 0, 1, 1; 1, 0, 1; 1, 1, 0]', 'criterion(model(inputs), targets)'],
    cross_entropy: ['nn.CrossEntropyLoss()', 'data x1, x2, y = [0, 0, 0; 0, 1, 1; 1, 0, 1; 1, 1, 0]', 'criterion(model(inputs), targets[:, 0].long())'],
  };
  for (const [activation, module] of Object.entries(activations)) {
    for (const [lossName, [criterion, data, call]] of Object.entries(losses)) {
      const outputs = lossName === 'cross_entropy' ? 2 : 1;
      const loss = `${data}\nnetwork 2-3-3-${outputs} activation=${activation} loss=${lossName} batchnorm=true residual=true seed=2`;
      const [trace] = await engine.runs({ loss, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 1 });
      const script = await exported({ loss, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 1 });
      assert.ok(script.includes(`self.activation = ${module} if hidden else None`), activation);
      assert.ok(script.includes(`criterion = ${criterion}`), lossName);
      assert.ok(script.includes(`    return ${call}`), lossName);
      assert.ok(script.includes('if hidden and True else None'), 'batch norm');
      assert.ok(script.includes('self.residual = hidden and True and fan_in == fan_out'), 'residual');
      assert.ok(script.includes(`WIDTHS = (2, 3, 3, ${outputs})`));
      const start = Array.from(trace.rows.subarray(0, trace.dim));
      assert.ok(script.includes(`start = torch.tensor((${start.map((v) => (Number.isInteger(v) ? `${v}.0` : String(v))).join(', ')}), dtype=torch.float64)`));
      assert.ok(script.includes('torch.nn.utils.vector_to_parameters(start, model.parameters())'));
      if (activation === 'tanh' && lossName === 'mse') compiles('network', script);
    }
  }
});

test('noisy batch norm (bn_noise) is written out with its scale and seed; without it the network has no noise', async () => {
  const loss = 'data moons samples=20 test=0.25\nnetwork 2-3-3-2 loss=cross_entropy batchnorm=true bn_noise=0.2 noise_seed=7';
  const noisy = await exported({ loss, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 2 });
  assert.match(noisy, /^BN_NOISE = 0\.2$/m);
  assert.match(noisy, /^NOISE_GENERATOR = torch\.Generator\(\)\.manual_seed\(7\)$/m);
  assert.match(noisy, /out = torch\.exp\(BN_NOISE \* draws\[:, 0\]\) \* out \+ BN_NOISE \* draws\[:, 1\]/);
  compiles('network-bn-noise', noisy);
  const plain = await exported({ loss: loss.replace(' bn_noise=0.2 noise_seed=7', ''), runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 2 });
  assert.ok(!plain.includes('BN_NOISE'), 'no noise without bn_noise');
});

test('Muon steps the hidden weight matrices, its rest the other parameters, one schedule on both', async () => {
  const loss = 'data x1, x2, y = [0, 0, 0; 0, 1, 1; 1, 0, 1; 1, 1, 0]\nnetwork 2-4-4-1 activation=tanh loss=mse';
  const script = await exported({
    loss,
    runs: [{ optimizer: 'muon', options: { lr: 0.02, rest: { optimizer: 'adam', options: { lr: 0.005 } } }, schedule: { type: 'exponential', gamma: 0.9 } }],
    steps: 3,
  });
  assert.ok(script.includes('hidden_weights = [layer.linear.weight for layer in list(model)[:-1]]'));
  assert.match(script, /muon = torch\.optim\.Muon\(hidden_weights, lr=0\.02[^\n]*\)/);
  assert.doesNotMatch(script, /Muon\([^\n]*rest=/);
  assert.match(script, /rest_optimizer = torch\.optim\.Adam\(rest, lr=0\.005, /);
  assert.ok(script.includes('scheduler_1 = torch.optim.lr_scheduler.ExponentialLR(muon, gamma=0.9)'));
  assert.ok(script.includes('scheduler_2 = torch.optim.lr_scheduler.ExponentialLR(rest_optimizer, gamma=0.9)'));
  compiles('muon', script);
});

test('a written (.optim) optimizer: a torch.optim.Optimizer subclass from its rule (LAMB\'s per-layer norms included)', async () => {
  const adam = readFileSync(new URL('../../examples/adam.optim', import.meta.url), 'utf8');
  const lamb = readFileSync(new URL('../../examples/lamb.optim', import.meta.url), 'utf8');
  const script = await exported({
    loss: 'x^2 + 3*y^2',
    start: [1, 1],
    runs: [{ optimizer: adam, options: { lr: 0.1 } }, { optimizer: lamb, options: { lr: 0.1 } }],
    steps: 3,
  });
  assert.ok(script.includes('class Written1(torch.optim.Optimizer):'));
  assert.ok(script.includes('st["exp_avg"] = torch.full_like(x, 0.0)'));
  assert.ok(script.includes('t = _t(float(st["step"]))'));
  assert.match(script, /torch\.pow\(_t\(0\.999\), t\)/);
  assert.match(script, /st\["exp_avg"\] = torch\.broadcast_to\(v\d+, x\.shape\)\.clone\(\)/);
  assert.ok(script.includes('optimizer = Written1([p], lr=0.1)'));
  // LAMB: norm_layer(x) and norm_layer(r) over each parameter tensor, before the loop that moves x
  assert.ok(script.includes('class Written2(torch.optim.Optimizer):'));
  assert.ok(script.includes('work[i]["layer_0"] = torch.broadcast_to(torch.sqrt(torch.sum(torch.broadcast_to((x ** 2.0), x.shape))), x.shape)'), script);
  assert.match(script, /layer_1 = work\[i\]\["layer_1"\]\n[^]*torch\.where\(_t\(0\.0\) < layer_0, torch\.where\(_t\(0\.0\) < layer_1, \(layer_0 \/ layer_1\)/);
  assert.ok(!script.includes('NotImplementedError'));
  compiles('written', script);
});

/** The class of run 1 of a formula loss's script with this rule. */
async function writtenClass(rule, loss = 'x^2 + 3*y^2', options = {}) {
  const script = await exported({ loss, start: loss.includes('network') ? undefined : [1, 1], runs: [{ optimizer: rule, options }], steps: 2 });
  return script;
}

test('written rules: reductions over every coordinate take a pass over all parameters first, in the rule\'s order', async () => {
  const rule = 'optimizer normalized\nhyper lr = 0.1\nupdate\n  s = norm(g)\n  x = x - lr*g/(s + mean(abs(x)) + max(g) - min(g))\n';
  const script = await writtenClass(rule);
  // each reduction: an accumulator, a loop over every parameter, then its finish (sqrt, / the coordinate count)
  assert.match(script, /reduction_0 = _t\(0\.0\)\n {12}for i, x in enumerate\(params\):\n[^]*reduction_0 = reduction_0 \+ torch\.sum\(torch\.broadcast_to\(\(g \*\* 2\.0\), x\.shape\)\)\n {12}reduction_0 = torch\.sqrt\(reduction_0\)/);
  assert.match(script, /reduction_1 = reduction_1 \/ sum\(x\.numel\(\) for x in params\)/);
  assert.match(script, /reduction_2 = _t\(float\("-inf"\)\)[^]*reduction_2 = torch\.maximum\(reduction_2, torch\.max\(/);
  assert.match(script, /reduction_3 = _t\(float\("inf"\)\)[^]*reduction_3 = torch\.minimum\(reduction_3, torch\.min\(/);
  // x moves only after every parameter's new value is known (a reduction reads x before the step)
  assert.match(script, /updates\.append\(\(x, new_x\)\)\n {12}for x, new_x in updates:\n {16}x\.copy_\(new_x\)/);
  compiles('written-reductions', script);
  const network = await writtenClass(readFileSync(new URL('../../examples/lars.optim', import.meta.url), 'utf8'), 'data x1, y = [0, 1; 1, 2; 2, 2]\nnetwork 1-3-1 activation=tanh loss=mse');
  assert.match(network, /optimizer = Written1\(model\.parameters\(\)/);
  assert.match(network, /work\[i\]\["layer_\d"\] = torch\.broadcast_to\(torch\.sqrt\(torch\.sum\(/);
  compiles('written-network', network);
});

test('written rules: rademacher() from a seeded torch.Generator, hess_diag and hvp(v) from torch.autograd.functional', async () => {
  const adahessian = await writtenClass(readFileSync(new URL('../../examples/adahessian.optim', import.meta.url), 'utf8'), 'x^2 + 3*y^2', { seed: 7 });
  assert.ok(adahessian.includes('self.generator = torch.Generator().manual_seed(7)'));
  assert.ok(adahessian.includes('work[i]["random"] = torch.randint(0, 2, x.shape, generator=self.generator).to(torch.float64) * 2 - 1'));
  assert.ok(adahessian.includes('work[i]["hvp_0"] = torch.autograd.functional.hvp(lambda v: loss_of(TRAIN, v), x.detach().clone(), torch.broadcast_to(random, x.shape).clone())[1]'));
  assert.match(adahessian, /# rademacher\(\): torch's random signs from the seed, not Optiscope's draws/);
  compiles('written-adahessian', adahessian);
  const sophia = await writtenClass(readFileSync(new URL('../../examples/sophia.optim', import.meta.url), 'utf8'));
  assert.ok(sophia.includes('work[i]["hess_diag"] = torch.diagonal(torch.autograd.functional.hessian(lambda v: loss_of(TRAIN, v), x.detach().clone()))'));
  assert.match(sophia, /hess_diag = work\[i\]\["hess_diag"\]/);
  assert.match(sophia, /torch\.remainder\(\(t - 1\.0\), _t\(10\.0\)\)/, 'Python\'s % (the language\'s) as torch.remainder');
  assert.doesNotMatch(sophia, /self\.generator/);
  compiles('written-sophia', sophia);
});

test('a written rule reading the Hessian on a network is not exported, and the script says why', () => {
  const { unexportedReason } = pytorchExport;
  const sophia = readFileSync(new URL('../../examples/sophia.optim', import.meta.url), 'utf8');
  assert.match(unexportedReason(sophia, {}, true), /hess_diag and hvp need the Hessian, which Optiscope computes for formula losses only/);
  assert.equal(unexportedReason(sophia, {}, false), undefined);
  assert.equal(unexportedReason('optimizer broken\nupdate\n  x = x - lr*', {}, false), 'the optimizer file has errors');
});

test('the CLI writes the script of a .loss file\'s runs: node dist/cli.js export-py --loss FILE.loss', () => {
  const file = join(dir, 'cli.loss');
  writeFileSync(file, 'f = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)\noptimizer adam lr=0.05\nschedule cosine T_max=20\noptimizer lbfgs_strong_wolfe\nsteps = 20\n');
  const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
  const script = execFileSync('node', [cli, 'export-py', '--loss', file]).toString();
  assert.ok(script.includes('STEPS = 20'));
  assert.ok(script.includes('scheduler_1 = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20.0, eta_min=0.0)'));
  assert.ok(script.includes('line_search_fn="strong_wolfe")'));
  compiles('cli', script);
});

test('a run with freeze: the frozen gradient coordinates are zeroed and their values written back after each step', async () => {
  const formula = await exported({ loss: '(1 - x)^2 + 100*(y - x^2)^2', start: [-1.5, 2], runs: [{ optimizer: 'adam', options: { lr: 0.01 }, freeze: [1] }], steps: 3 });
  assert.match(formula, /frozen = torch\.tensor\(\(1,\), dtype=torch\.long\)\n {4}frozen_values = p\.detach\(\)\.clone\(\)/);
  assert.match(formula, /value\.backward\(\)\n {12}p\.grad\[frozen\] = 0\n {12}return value/);
  assert.match(formula, /optimizer\.step\(\)\n {8}with torch\.no_grad\(\):\n {12}p\[frozen\] = frozen_values\[frozen\]/);
  compiles('formula-freeze', formula);
  const network = await exported({
    loss: 'data moons samples=20 test=0.25\nnetwork 2-3-2 loss=cross_entropy batchnorm=true', runs: [{ optimizer: 'sgd', options: { lr: 0.1 }, freeze: 'linear' }], steps: 2,
  });
  // W1 (6), b1 (3), then bn1.weight and bn1.bias (3 each, trained), then W2 (6) and b2 (2)
  assert.ok(network.includes(`frozen = torch.tensor((${[0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 20, 21, 22].join(', ')}), dtype=torch.long)`), network);
  assert.match(network, /flat\[frozen\] = frozen_values\[frozen\]/);
  compiles('network-freeze', network);
});
