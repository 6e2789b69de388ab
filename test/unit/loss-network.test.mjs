// The network line of the loss language: what it means, and a diagnostic with a range for each kind of mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLoss, rangesAreValid } from './loss-helpers.mjs';

const { parseLoss, compileLoss } = await loadLoss();

const DATA = 'data x1, x2, y = [0, 1, 1; 1, 0, 0; 1, 1, 1]';

/** The first error of text as [message, line, startChar, endChar] (0-based; the range is on one line). */
function firstError(text) {
  const result = parseLoss(text);
  assert.equal(result.ok, false, `${text} should not parse`);
  assert.ok(rangesAreValid(text, result.diagnostics), JSON.stringify(result.diagnostics));
  const d = result.diagnostics.find((x) => x.severity === 'error');
  assert.equal(d.range.start.line, d.range.end.line);
  return [d.message, d.range.start.line, d.range.start.character, d.range.end.character];
}

test('a network line: widths, options with defaults, parameters named in PyTorch order', () => {
  const result = parseLoss(`${DATA}\nnetwork 2-3-1 activation=relu loss=bce init=xavier_normal seed=4 batchnorm=true residual=false`);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  const { network, params, dim } = result.loss;
  assert.deepEqual(network, { widths: [2, 3, 1], activation: 'relu', loss: 'bce', batchnorm: true, residual: false, init: 'xavier_normal', scale: Number.NaN, seed: 4 });
  assert.equal(dim, 6 + 3 + 3 + 3 + 3 + 1);
  assert.deepEqual(params, [
    'W1[1,1]', 'W1[1,2]', 'W1[2,1]', 'W1[2,2]', 'W1[3,1]', 'W1[3,2]', 'b1[1]', 'b1[2]', 'b1[3]',
    'bn1.weight[1]', 'bn1.weight[2]', 'bn1.weight[3]', 'bn1.bias[1]', 'bn1.bias[2]', 'bn1.bias[3]', 'W2[1,1]', 'W2[1,2]', 'W2[1,3]', 'b2[1]',
  ]);
  const defaults = parseLoss(`${DATA}\nnetwork 2-8-1`);
  assert.ok(defaults.ok);
  assert.deepEqual(defaults.loss.network, { widths: [2, 8, 1], activation: 'tanh', loss: 'mse', batchnorm: false, residual: false, init: 'default', scale: Number.NaN, seed: 0 });
  assert.equal(parseLoss(`${DATA}\nnetwork 2-4-1 init=normal`).loss.network.scale, 1);
  assert.equal(parseLoss(`${DATA}\nnetwork 2-4-1 init=uniform std=0.1*2`).loss.network.scale, 0.2);
  const classes = parseLoss('data a, b, label = [0, 1, 2; 1, 0, 0]\nnetwork 2-5-3 loss=cross_entropy\noptimizer adam lr=0.01\nstochastic batch=2');
  assert.ok(classes.ok, JSON.stringify(classes.diagnostics));
  assert.deepEqual(classes.loss.scenario.stochastic, { batchSize: 2 });
});

test('bad widths get a diagnostic on the widths', () => {
  const line = 1;
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-0-1`), ['A layer width is a whole number from 1 to 1024, got 0', line, 10, 11]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-2.5-1`), ['A layer width is a whole number from 1 to 1024, got 2.5', line, 10, 13]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-2000-1`), ['A layer width is a whole number from 1 to 1024, got 2000', line, 10, 14]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2`), ['A network needs at least an input and an output width, as in: network 2-8-1', line, 8, 9]);
  assert.deepEqual(firstError(`${DATA}\nnetwork activation=tanh`), ["Expected a layer width, found 'activation'; widths are joined by '-', as in: network 2-8-1", line, 8, 18]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-`), ["Expected a layer width, found the end of the input; widths are joined by '-', as in: network 2-8-1", line, 12, 12]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 3-8-1`), ['The data has 3 columns; this network needs 4 (3 inputs and 1 target, in that order)', line, 8, 13]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-2`), ['The data has 3 columns; this network needs 4 (2 inputs and 2 targets, in that order)', line, 8, 13]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-1000-1000-1`), ['This network has 1005001 parameters; at most 500000', line, 8, 21]);
  assert.deepEqual(firstError(`${DATA}\nnetwork ${Array(34).fill(2).join('-')}`)[0], 'At most 32 Linear layers (33 widths)');
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-4-2 loss=bce`), ['loss=bce needs one output (the logit), got 2: end the widths with 1', line, 8, 13]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-4-1 loss=cross_entropy`), ['loss=cross_entropy needs an output per class (at least 2)', line, 8, 13]);
});

test('unknown activations, losses, inits and options are named, with a suggestion and the choices', () => {
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 activation=tahn`),
    ["Unknown activation 'tahn'. Did you mean 'tanh'? Choose one of tanh, relu, sigmoid, linear, leaky_relu, gelu", 1, 25, 29]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 loss=crossentropy`),
    ["Unknown network loss 'crossentropy'. Did you mean 'cross_entropy'? Choose one of mse, bce, cross_entropy", 1, 19, 31]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 init=glorot`)[0].startsWith("Unknown initialization 'glorot'."), true);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 activaton=relu`),
    ["Unknown network option 'activaton'. Did you mean 'activation'? The options are activation, loss, batchnorm, residual, init, std, value, seed, bn_noise, noise_seed", 1, 14, 23]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 batchnorm=1`), ['batchnorm is true or false', 1, 24, 25]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 seed=-1`), ['seed is a whole number >= 0, got -1', 1, 19, 21]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 init=constant`), ['init=constant needs the value, as in: init=constant value=0.1', 1, 19, 27]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 init=xavier_normal std=2`), ['std is for init=normal or init=uniform, not init=xavier_normal', 1, 19, 32]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 init=normal std=-1`), ['std is a number >= 0, got -1', 1, 30, 32]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1 seed=1 seed=2`), ["Option 'seed' is given twice", 1, 21, 25]);
});

test('a network needs fitting data and stands alone as the loss', () => {
  assert.deepEqual(firstError('network 2-8-1'), ['A network trains on data: add a data line, as in: data x1, x2, y = [0, 1, 1; 1, 0, 1]', 0, 0, 13]);
  assert.deepEqual(firstError('data x1, x2, y = [0, 1, 2; 1, 0, 0]\nnetwork 2-4-1 loss=bce'), ['Sample 1: the target of loss=bce is 0 or 1, got 2', 1, 0, 22]);
  assert.deepEqual(firstError('data x1, x2, y = [0, 1, 1; 1, 0, 3]\nnetwork 2-4-3 loss=cross_entropy'),
    ['Sample 2: the target of loss=cross_entropy is a class index from 0 to 2, got 3', 1, 0, 32]);
  assert.deepEqual(firstError('data x1, x2, y = [0, 1, 1]\nnetwork 2-4-1 batchnorm=true'), ['Batch norm needs at least 2 samples (a batch of 1 has no variance)', 1, 0, 28]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1\nf = x1^2`), ['A file either defines a network or writes a loss (formula or builtin), not both', 2, 0, 8]);
  assert.deepEqual(firstError(`${DATA}\nnetwork 2-8-1\nnetwork 2-4-1`), ['A file holds one network', 2, 0, 13]);
  assert.deepEqual(firstError(`params w\n${DATA}\nnetwork 2-8-1`)[0], "A network's parameters are its weights and biases (W1[i,j], b1[i], ...): remove the params line");
  assert.deepEqual(firstError('f = x^2\nnetwork = 3'), ["'network' is a keyword", 1, 0, 7]);
});

test('compileLoss leaves a network to the engine, with a diagnostic on the network line', () => {
  const result = compileLoss(`${DATA}\nnetwork 2-8-1`);
  assert.equal(result.ok, false);
  assert.match(result.diagnostics[0].message, /^This file defines a network: the engine computes it/);
  assert.deepEqual(result.diagnostics[0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 13 } });
});
