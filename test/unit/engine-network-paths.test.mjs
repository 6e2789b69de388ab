// Network paths (src/engine/networkPaths.ts, core/assembly/networkPaths.ts): permutation symmetry, the linear
// assignment solver against brute force, weight matching, loss along lines and trained Bezier curves, cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();

const DATA = 'data moons samples=200 noise=0.1 test=0.2 seed=2';
const NET = '2-16-16-1 activation=tanh loss=bce init=xavier_uniform batchnorm=false';
const lossWithSeed = (seed, net = NET) => `${DATA}\nnetwork ${net} seed=${seed}`;
const LOSS = lossWithSeed(1);

/** Two nets trained by Adam (lr 0.01, 2000 full-batch steps) from the initializations of seeds 1 and 2. */
async function trainedPair(net = NET) {
  const loss = lossWithSeed(1, net);
  const starts = await Promise.all([1, 2].map(async (seed) => (await engine.lossInfo(lossWithSeed(seed, net))).start));
  const steps = 2000;
  const runs = await engine.runs({ loss, steps, recordEvery: steps, runs: starts.map((start) => ({ optimizer: 'adam', options: { lr: 0.01 }, start })) });
  return { loss, ends: runs.map((r) => Array.from(r.rows.subarray((r.rowCount - 1) * (r.dim + 2), (r.rowCount - 1) * (r.dim + 2) + r.dim))) };
}
const pair = await trainedPair();

const reversed = (n) => Array.from({ length: n }, (_, i) => n - 1 - i);
const strided = (n, k) => Array.from({ length: n }, (_, i) => (i * k) % n);
const close = (got, want, tolerance, what) => assert.ok(Math.abs(got - want) <= tolerance * (1 + Math.abs(want)), `${what}: got ${got}, want ${want}`);

test('a permuted net has the same training and test loss to 1e-12 and a higher loss at the midpoint', async () => {
  const [a] = pair.ends;
  const permuted = await engine.permuteNetwork({ loss: LOSS, params: a, permutation: [reversed(16), strided(16, 5)] });
  assert.notDeepEqual(permuted, a);
  const path = await engine.networkPath({ loss: LOSS, from: a, to: permuted, points: 3 });
  close(path.train[2], path.train[0], 1e-12, 'train loss');
  close(path.test[2], path.test[0], 1e-12, 'test loss');
  assert.equal(path.trainAccuracy[2], path.trainAccuracy[0]);
  // Measured: 2.8e-5 at both ends, 2.81 at the midpoint.
  assert.ok(path.train[1] > 100 * path.train[0], `midpoint ${path.train[1]} vs ends ${path.train[0]}`);
  assert.ok(path.barrier > 1, `barrier ${path.barrier}`);
  // The inverse permutation gives back the parameters exactly.
  const inverse = (p) => p.map((_, j) => p.indexOf(j));
  const back = await engine.permuteNetwork({ loss: LOSS, params: permuted, permutation: [inverse(reversed(16)), inverse(strided(16, 5))] });
  assert.deepEqual(back, a);
});

test('with batch norm the BN weight and bias move with their units: the same loss to 1e-12', async () => {
  const loss = lossWithSeed(3, '2-6-5-1 activation=relu loss=bce init=kaiming_uniform batchnorm=true');
  const info = await engine.lossInfo(loss);
  const [run] = await engine.runs({ loss, steps: 100, recordEvery: 100, runs: [{ optimizer: 'adam', options: { lr: 0.02 } }] });
  const x = Array.from(run.rows.subarray(run.rows.length - (info.dim + 2), run.rows.length - 2));
  const permuted = await engine.permuteNetwork({ loss, params: x, permutation: [[2, 0, 5, 1, 4, 3], [4, 3, 2, 1, 0]] });
  const path = await engine.networkPath({ loss, from: x, to: permuted, points: 2 });
  close(path.train[1], path.train[0], 1e-12, 'train loss');
  close(path.test[1], path.test[0], 1e-12, 'test loss');
  // And weight matching finds the permutation back.
  const aligned = await engine.alignNetworks({ loss, reference: x, params: permuted });
  assert.deepEqual(aligned.params, x);
});

test('the linear assignment solver finds the least cost of every permutation (brute force, n up to 6)', () => {
  const { core } = engine;
  const permutations = (n) => (n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
  const matrix = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(
    fc.constant(n),
    fc.oneof(
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n * n, maxLength: n * n }),
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n * n, maxLength: n * n }), // many ties
    ),
  ));
  fc.assert(fc.property(matrix, ([n, cost]) => {
    const costPtr = core.allocF64(n * n, cost);
    const out = core.alloc(4 * n);
    try {
      const total = core.exports.linearAssignment(n, costPtr, out);
      const assignment = Array.from(new Int32Array(core.exports.memory.buffer, out, n));
      assert.deepEqual([...assignment].sort((p, q) => p - q), [...Array(n).keys()], 'a permutation');
      const costOf = (p) => p.reduce((sum, column, row) => sum + cost[row * n + column], 0);
      close(total, costOf(assignment), 1e-12, 'the returned cost is the assignment\'s');
      const best = Math.min(...permutations(n).map(costOf));
      close(total, best, 1e-12, 'the least cost');
    } finally {
      core.release(costPtr, out);
    }
  }), { numRuns: 300, seed: 18 });
});

test('weight matching recovers a known permutation of a trained net exactly', async () => {
  const [a] = pair.ends;
  await fc.assert(fc.asyncProperty(
    fc.tuple(fc.shuffledSubarray([...Array(16).keys()], { minLength: 16 }), fc.shuffledSubarray([...Array(16).keys()], { minLength: 16 })),
    async (permutation) => {
      const permuted = await engine.permuteNetwork({ loss: LOSS, params: a, permutation });
      const aligned = await engine.alignNetworks({ loss: LOSS, reference: a, params: permuted });
      assert.deepEqual(aligned.params, a);
      assert.deepEqual(aligned.permutation.map((p, l) => p.map((k) => permutation[l][k])), [[...Array(16).keys()], [...Array(16).keys()]]);
    },
  ), { numRuns: 20, seed: 18 });
});

test('weight matching shrinks the barrier between two independently trained nets', async () => {
  const [a, b] = pair.ends;
  const before = await engine.networkPath({ loss: LOSS, from: a, to: b, points: 11 });
  const aligned = await engine.alignNetworks({ loss: LOSS, reference: a, params: b });
  const after = await engine.networkPath({ loss: LOSS, from: a, to: aligned.params, points: 11 });
  close(after.train[10], before.train[10], 1e-12, 'the aligned net has the same loss');
  // Measured: barrier 2.38 before, 0.0035 after.
  assert.ok(before.barrier > 1, `before ${before.barrier}`);
  assert.ok(after.barrier < before.barrier / 100, `after ${after.barrier}, before ${before.barrier}`);
});

test('the trained Bezier curve has a far lower maximum loss than the straight line', async () => {
  const [a, b] = pair.ends;
  const line = await engine.networkPath({ loss: LOSS, from: a, to: b, points: 21 });
  const midpoint = a.map((v, i) => (v + b[i]) / 2);
  const asCurve = await engine.networkPath({ loss: LOSS, from: a, to: b, bend: midpoint, points: 21 });
  asCurve.train.forEach((v, i) => close(v, line.train[i], 1e-9, `the curve bent at the midpoint is the line, t = ${line.t[i]}`));
  const progress = [];
  const bend = await engine.trainBend({ loss: LOSS, from: a, to: b, steps: 1000, optimizer: 'adam', options: { lr: 0.01 }, seed: 1 }, (p) => progress.push(p));
  assert.equal(bend.done, 1000);
  assert.deepEqual(progress.map((p) => p.done), Array.from({ length: 20 }, (_, i) => 50 * (i + 1)));
  const curve = await engine.networkPath({ loss: LOSS, from: a, to: b, bend: bend.bend, points: 21 });
  const lineMax = Math.max(...line.train);
  const curveMax = Math.max(...curve.train);
  // Measured: 2.385 on the line, 0.028 on the curve (seeds 1 and 2, Adam lr 0.01, 1000 steps).
  assert.ok(lineMax > 1, `line ${lineMax}`);
  assert.ok(curveMax < lineMax / 20, `curve ${curveMax}, line ${lineMax}`);
  assert.ok(curve.test.every((v) => v < 1), `test loss along the curve ${Math.max(...curve.test)}`);
});

test('trainBend stops between chunks when cancelled: in-process with the bend so far, through the worker at once', async () => {
  const [a, b] = pair.ends;
  const { CancelSource } = await loadTs('src/shared/rpc.ts');
  const signal = new CancelSource();
  const result = await engine.trainBend({ loss: LOSS, from: a, to: b, steps: 1_000_000 }, () => signal.cancel(), signal);
  assert.equal(result.done, 50);
  assert.equal(result.bend.length, a.length);
  const { EngineClient, CancelledError } = await loadTs('src/engine/engineClient.ts');
  const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const remote = new CancelSource();
    const seen = [];
    const training = client.trainBend({ loss: LOSS, from: a, to: b, steps: 1_000_000 }, (p) => {
      seen.push(p.done);
      if (seen.length === 2) remote.cancel();
    }, remote);
    await assert.rejects(training, (error) => error instanceof CancelledError);
    // The same worker answers next: it stopped training (a million steps would take minutes).
    const path = await client.networkPath({ loss: LOSS, from: a, to: b, points: 3 });
    close(path.train[0], (await engine.networkPath({ loss: LOSS, from: a, to: b, points: 3 })).train[0], 0, 'the worker\'s answer');
    assert.deepEqual(seen, [50, 100]);
  } finally {
    client.dispose();
  }
});

test('bad requests get clear messages', async () => {
  const [a, b] = pair.ends;
  await assert.rejects(engine.networkPath({ loss: 'rosenbrock', from: [0, 0], to: [1, 1] }), /networkPath is for a loss with a network line/);
  await assert.rejects(engine.networkPath({ loss: LOSS, from: a, to: b.slice(1) }), /to must be 337 finite numbers/);
  await assert.rejects(engine.networkPath({ loss: LOSS, from: a, to: b, points: 1 }), /points must be an integer from 2/);
  await assert.rejects(engine.permuteNetwork({ loss: LOSS, params: a, permutation: [reversed(16), [0, 0, ...strided(14, 3)]] }), /permutation\[1\] must hold each of 0..15 once/);
  await assert.rejects(engine.permuteNetwork({ loss: LOSS, params: a, permutation: [reversed(16)] }), /one list per hidden layer \(2\)/);
  const residual = lossWithSeed(1, '2-4-4-1 activation=tanh loss=bce residual=true');
  const { start } = await engine.lossInfo(residual);
  await assert.rejects(engine.alignNetworks({ loss: residual, reference: start, params: start }), /skip connections: use residual=false/);
  await assert.rejects(engine.trainBend({ loss: LOSS, from: a, to: b, steps: 10, optimizer: 'lbfgs' }), /first-order optimizer/);
});

test('the lessons\' path studies: the permuted copy\'s ends agree, alignment and the trained curve lower the barrier', async () => {
  const { pathStudyData } = await loadTs('src/panels/pathStudy.ts');
  const { LESSONS } = await loadTs('src/shared/lessons.ts');
  const { parseLoss } = await loadTs('src/loss/index.ts');
  const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
  const scenarioOf = (id) => {
    const lesson = LESSONS.find((l) => l.id === id);
    const parsed = parseLoss(lesson.source);
    assert.ok(parsed.ok, `${id} parses`);
    return { ...scenarioFromFile(lesson.source, parsed.loss.scenario), lesson: id };
  };
  const permutation = await pathStudyData(engine, scenarioOf('permutation-symmetry'));
  const [copy, line, aligned] = permutation.profiles;
  assert.deepEqual(permutation.profiles.map((p) => p.label), ['A → A permuted', 'A → B', 'A → B aligned']);
  close(copy.train.at(-1), copy.train[0], 1e-12, 'the permuted copy\'s loss');
  assert.equal(copy.t.length, 25);
  // Measured (the lesson as shipped): the same numbers as the tests above, 2.38 before alignment, 0.0035 after.
  assert.ok(copy.barrier > 1 && line.barrier > 1, `barriers ${copy.barrier}, ${line.barrier}`);
  assert.ok(aligned.barrier < line.barrier / 100, `aligned ${aligned.barrier}`);
  assert.match(permutation.notes.join(' '), /A and A permuted: training loss 2\.81e-5 and 2\.81e-5 \(difference \d\.\de-(1[3-9]|2\d)\)/);
  const progress = [];
  const modes = await pathStudyData(engine, scenarioOf('mode-connectivity'), (p) => progress.push(p.done));
  const [straight, curve] = modes.profiles;
  assert.ok(Math.max(...curve.train) < Math.max(...straight.train) / 20, `curve ${Math.max(...curve.train)}, line ${Math.max(...straight.train)}`);
  assert.equal(progress.at(-1), 1000);
  await assert.rejects(pathStudyData(engine, { ...scenarioOf('mode-connectivity'), lesson: 'gd-newton' }), /has no path study/);
});

test('the page\'s pathStudy request: a scenario passes with its known fields, a bad one is refused naming the field', async () => {
  const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
  const scenario = { loss: LOSS, start: null, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: 2000, view: null, lesson: 'mode-connectivity' };
  assert.deepEqual(parseFromWebview({ type: 'pathStudy', requestId: 3, scenario: { ...scenario, junk: 1 } }).value, { type: 'pathStudy', requestId: 3, scenario });
  const missing = parseFromWebview({ type: 'pathStudy', requestId: 4 });
  assert.equal(missing.ok, false);
  assert.match(missing.error, /^message\.scenario/);
  const bad = parseFromWebview({ type: 'pathStudy', requestId: 5, scenario: { ...scenario, steps: -1 } });
  assert.equal(bad.ok, false);
  assert.match(bad.error, /message\.scenario\.steps/);
});

test('any permutation of any plain or batch-norm net keeps its loss to 1e-12 (property)', async () => {
  const shuffled = (n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n });
  const net = fc.record({
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    activation: fc.constantFrom('tanh', 'relu', 'sigmoid', 'leaky_relu'),
    batchnorm: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1000 }),
  }).chain((spec) => fc.tuple(fc.constant(spec), fc.tuple(...spec.hidden.map(shuffled))));
  await fc.assert(fc.asyncProperty(net, async ([{ hidden, activation, batchnorm, seed }, permutation]) => {
    const loss = `data moons samples=40 noise=0.1 test=0.25 seed=3\nnetwork 2-${hidden.join('-')}-1 activation=${activation} loss=bce batchnorm=${batchnorm} seed=${seed}`;
    const { start } = await engine.lossInfo(loss);
    const permuted = await engine.permuteNetwork({ loss, params: start, permutation });
    const path = await engine.networkPath({ loss, from: start, to: permuted, points: 2 });
    close(path.train[1], path.train[0], 1e-12, 'train loss');
    close(path.test[1], path.test[0], 1e-12, 'test loss');
  }), { numRuns: 40, seed: 18 });
});
