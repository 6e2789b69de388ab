// The Playground's network controls as edits of a .loss text: each changes its own line, keeps the other lines and
// the comments, and leaves a file that parses with the network fitted to the data; the message is validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTs } from './panels-bundle.mjs';
import { loadLoss } from './loss-helpers.mjs';

const { editNetworkText, readNetworkControls, replaceRunLines, changedLines, withNetworkOptions } = await loadTs('src/shared/networkEdits.ts');
const { NETWORK_STARTERS, starterLossText } = await loadTs('src/panels/networkStarters.ts');
const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
const { parseLoss } = await loadLoss();

const spiral = starterLossText(NETWORK_STARTERS.find((s) => s.id === 'spiral'));

function edited(text, edit) {
  const result = editNetworkText(text, edit);
  assert.ok('text' in result, JSON.stringify(result));
  return result.text;
}

function parsed(text) {
  const result = parseLoss(text);
  assert.ok(result.ok, `${text}\n${JSON.stringify(result.diagnostics)}`);
  return result.loss;
}

test('each control changes only its line: the other lines and the comments stay as written', () => {
  const commented = spiral.replace(/^network (.*)$/m, 'network $1   # my net').replace('steps = 1000', '# keep this\nsteps = 1000');
  const cases = [
    [{ field: 'activation', value: 'tanh' }, /^network 2-16-16-3 activation=tanh loss=cross_entropy .*seed=1 {3}# my net$/m],
    [{ field: 'hidden', value: [32, 8, 4] }, /^network 2-32-8-4-3 activation=relu/m],
    [{ field: 'hidden', value: [] }, /^network 2-3 activation=relu/m],
    [{ field: 'init', value: 'xavier_normal' }, /init=xavier_normal /m],
    [{ field: 'batchnorm', value: true }, /batchnorm=true /m],
    [{ field: 'seed', value: 7 }, /seed=7 {3}# my net$/m],
    [{ field: 'noise', value: 0.2 }, /^data spiral arms=3 samples=300 noise=0.2 test=0.2 seed=1$/m],
    [{ field: 'samples', value: 500 }, /^data spiral arms=3 samples=500 /m],
    [{ field: 'batch', value: 8 }, /^stochastic batch=8 seed=1$/m],
  ];
  for (const [edit, expected] of cases) {
    const text = edited(commented, edit);
    assert.match(text, expected, JSON.stringify(edit));
    const change = changedLines(commented, text);
    assert.equal(change.end - change.start, 1, `${JSON.stringify(edit)} changes one line`);
    assert.equal(change.lines.length, 1);
    assert.match(text, /^# keep this$/m);
    parsed(text);
  }
});

test('another data set fits the network: inputs, outputs and loss follow its labels, its own options go', () => {
  const moons = edited(spiral, { field: 'dataset', value: 'moons' });
  assert.match(moons, /^data moons samples=300 noise=0.05 test=0.2 seed=1$/m);
  assert.deepEqual(parsed(moons).network.widths, [2, 16, 16, 2]);
  assert.equal(parsed(moons).network.loss, 'cross_entropy');
  const curve = edited(spiral, { field: 'dataset', value: 'curve' });
  assert.deepEqual([parsed(curve).network.widths, parsed(curve).network.loss], [[1, 16, 16, 1], 'mse']);
  const blobs = edited(curve, { field: 'dataset', value: 'blobs' });
  assert.deepEqual([parsed(blobs).network.widths, parsed(blobs).network.loss], [[2, 16, 16, 3], 'cross_entropy']);
  const xor = edited(blobs, { field: 'dataset', value: 'xor' });
  for (const name of ['spiral', 'moons', 'circles', 'xor', 'blobs', 'curve', 'teacher']) parsed(edited(xor, { field: 'dataset', value: name }));
  // The loss: bce takes one output, cross-entropy one per class.
  const bce = edited(moons, { field: 'loss', value: 'bce' });
  assert.deepEqual(parsed(bce).network.widths, [2, 16, 16, 1]);
  assert.deepEqual(parsed(edited(bce, { field: 'loss', value: 'cross_entropy' })).network.widths, [2, 16, 16, 2]);
});

test('batch size 0 is the full batch; a file without a stochastic line gets one; init=constant gets its value', () => {
  assert.doesNotMatch(edited(spiral, { field: 'batch', value: 0 }), /batch=/);
  const noStochastic = spiral.replace(/^stochastic.*\n/m, '');
  assert.match(edited(noStochastic, { field: 'batch', value: 16 }), /^network .*\nstochastic batch=16 seed=1$/m);
  const constant = edited(spiral, { field: 'init', value: 'constant' });
  assert.match(constant, /init=constant .*value=0\.1/);
  parsed(constant);
  assert.doesNotMatch(edited(constant, { field: 'init', value: 'lecun_normal' }), /value=/);
});

test('the controls read what the lines say; data rows and a missing network line are refused with a reason', () => {
  assert.deepEqual(readNetworkControls(spiral), {
    dataset: 'spiral', noise: 0.05, samples: 300, widths: [2, 16, 16, 3], activation: 'relu', init: 'kaiming_uniform', loss: 'cross_entropy', batchnorm: false, seed: 1, batch: 32,
  });
  const rows = 'data x1, x2, y = [0, 1, 1; 1, 0, 0; 1, 1, 1]\nnetwork 2-4-1 loss=bce';
  assert.equal(readNetworkControls(rows).dataset, undefined);
  assert.match(editNetworkText(rows, { field: 'dataset', value: 'moons' }).error, /not a generated set/);
  assert.match(editNetworkText('f = x^2', { field: 'seed', value: 1 }).error, /no network line/);
  assert.match(edited(rows, { field: 'hidden', value: [8] }), /^network 2-8-1 loss=bce$/m);
});

test('the run lines replace the optimizer and schedule lines where they were, keeping their comments; steps is set', () => {
  const text = spiral.replace('optimizer adam lr=0.01', 'optimizer adam lr=0.01  # the fast one\nschedule cosine T_max=100');
  const next = replaceRunLines(text, [['optimizer sgd lr=0.05'], ['optimizer adam lr=0.001', 'schedule step step_size=10']], 500);
  assert.match(next, /^network .*\noptimizer sgd lr=0\.05\noptimizer adam lr=0\.001 {2}# the fast one\nschedule step step_size=10\nstochastic batch=32 seed=1\nsteps = 500\n$/m);
  assert.equal(parsed(next).scenario.steps, 500);
  assert.match(replaceRunLines('f = x^2\n', [['optimizer sgd lr=0.1']], 20), /^f = x\^2\noptimizer sgd lr=0\.1\nsteps = 20\n$/);
});

test('editNetwork messages are validated: known fields and values in range only', () => {
  const message = (edit) => parseFromWebview({ type: 'editNetwork', edit });
  assert.deepEqual(message({ field: 'hidden', value: [16, 16] }), { ok: true, value: { type: 'editNetwork', edit: { field: 'hidden', value: [16, 16] } } });
  for (const bad of [{ field: 'activation', value: 'swish' }, { field: 'hidden', value: [2000] }, { field: 'seed', value: -1 }, { field: 'batch', value: 1.5 },
    { field: 'dataset', value: 'mnist' }, { field: 'noise', value: Number.NaN }, { field: 'widths', value: [2] }, null]) {
    const result = message(bad);
    assert.equal(result.ok, false, JSON.stringify(bad));
    assert.match(result.error, /^message\.edit/);
  }
});

test('withNetworkOptions sets options where they are written, adds the others, removes undefined ones, keeps the comment and the other lines', () => {
  const text = 'data moons\r\nnetwork 2-4-1 seed=3 loss=mse init=normal std=0.5  # seed=9 in a comment\r\nsteps = 2';
  assert.equal(
    withNetworkOptions(text, { seed: 7, batchnorm: false, std: undefined }),
    'data moons\r\nnetwork 2-4-1 seed=7 loss=mse init=normal batchnorm=false  # seed=9 in a comment\r\nsteps = 2',
  );
  assert.equal(withNetworkOptions('network 2-3-1 init_seed=4 activation=tanh\n', { seed: 2 }), 'network 2-3-1 init_seed=4 activation=tanh seed=2\n', 'another option ending in seed stays');
  assert.equal(withNetworkOptions('data x\nsteps = 2', { seed: 2 }), 'data x\nsteps = 2', 'no network line: unchanged');
});
