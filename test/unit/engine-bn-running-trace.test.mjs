// Batch norm's running statistics recorded per trace row (RunTrace.running): each row's are what a run stopped at that
// step holds (runRunningStats), networkOutput with them is eval mode at that step, and they stream like the rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { TraceAccumulator, sliceChunk } = await loadTs('src/shared/traceStream.ts');
const { RunStream } = await loadTs('src/panels/runStream.ts');
const { runningAt } = await loadTs('webview/runs/traces.ts');
const engine = await createEngine();

const data = [[0.5, -1, 0.3], [1.5, 0.2, -0.7], [-0.4, 0.8, 1.1], [0.9, -0.3, 0.4], [-1.2, 1.4, -0.2], [0.1, 0.6, -0.5]];
const dataLine = `data x1, x2, y = [${data.map((r) => r.join(', ')).join('; ')}]`;
// 2-3-1 with batch norm: W1 (3x2) 0..5, b1 6..8, BN weight 9..11, BN bias 12..14, W2 15..17, b2 18.
const net231 = `${dataLine}\nnetwork 2-3-1 activation=tanh loss=mse batchnorm=true init=xavier_uniform seed=5`;
const width = 6;

/** The row's step: r * recordEvery, the last row the step where the run stopped. */
const stepOf = (trace, r) => (r === trace.rowCount - 1 ? trace.stoppedAt : r * trace.recordEvery);
const rowOf = (trace, r) => Array.from(trace.running.subarray(r * trace.runningWidth, (r + 1) * trace.runningWidth));

async function heldAfter(request, step) {
  const set = await engine.startRuns({ ...request, steps: step });
  try {
    set.advance(step);
    return Array.from(set.runningStats(0));
  } finally {
    set.dispose();
  }
}

for (const [name, loss, recordEvery] of [
  ['full batch, every step', net231, 1],
  ['minibatches, every 3rd step', `${net231}\nstochastic batch=2 seed=3`, 3],
  ['two hidden layers', `${dataLine}\nnetwork 2-4-3-1 activation=relu loss=mse batchnorm=true seed=2\nstochastic batch=3 seed=1`, 2],
]) {
  test(`${name}: each row's running statistics are those a run stopped at its step holds`, async () => {
    const request = { loss, runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 8, recordEvery };
    const [trace] = await engine.runs(request);
    const info = await engine.lossInfo(loss);
    const units = info.network.widths.slice(1, -1).reduce((a, b) => a + b, 0);
    assert.equal(trace.runningWidth, 2 * units);
    assert.equal(trace.running.length, trace.rowCount * 2 * units);
    for (let r = 0; r < trace.rowCount; r++) {
      assert.deepEqual(rowOf(trace, r), await heldAfter(request, stepOf(trace, r)), `row ${r} (step ${stepOf(trace, r)})`);
    }
    // They move as the run trains (not the initial 0 and 1 throughout).
    assert.notDeepEqual(rowOf(trace, trace.rowCount - 1), [...Array(units).fill(0), ...Array(units).fill(1)]);
  });
}

test('no batch norm: no running statistics recorded', async () => {
  const [trace] = await engine.runs({ loss: `${dataLine}\nnetwork 2-3-1 loss=mse batchnorm=false`, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 3 });
  assert.equal(trace.running, undefined);
  assert.equal(trace.runningWidth, undefined);
});

test('networkOutput with a row\'s statistics is eval mode at that step (by hand, and the run set\'s eval loss)', async () => {
  const request = { loss: net231, runs: [{ optimizer: 'sgd', options: { lr: 0.2 } }], steps: 6 };
  const [trace] = await engine.runs(request);
  const dim = trace.dim;
  for (const r of [2, trace.rowCount - 1]) {
    const p = Array.from(trace.rows.subarray(r * (dim + 2), r * (dim + 2) + dim));
    const stats = rowOf(trace, r);
    const forward = (x1, x2) => p[18] + [0, 1, 2].reduce((sum, j) => {
      const z = p[6 + j] + p[2 * j] * x1 + p[2 * j + 1] * x2;
      return sum + p[15 + j] * Math.tanh((p[9 + j] * (z - stats[j])) / Math.sqrt(stats[3 + j] + 1e-5) + p[12 + j]);
    }, 0);
    const out = await engine.networkOutput({ loss: net231, params: p, x: [-1, 1], y: [-2, 2], size: [3, 2], stats });
    const identity = await engine.networkOutput({ loss: net231, params: p, x: [-1, 1], y: [-2, 2], size: [3, 2] });
    for (let q = 0; q < 6; q++) {
      const want = forward(-1 + (q % 3), -2 + 4 * Math.floor(q / 3));
      assert.ok(Math.abs(out.values[q] - want) <= 1e-12 * (1 + Math.abs(want)), `row ${r} point ${q}: ${out.values[q]} vs ${want}`);
      assert.ok(Math.abs(identity.values[q] - want) > 1e-9, 'the identity statistics give another output');
    }
    // The same statistics make the run set's eval-mode loss at that step (the test metrics' path).
    const set = await engine.startRuns({ ...request, steps: stepOf(trace, r) });
    try {
      set.advance(stepOf(trace, r));
      const evalLoss = await set.evalLoss(0);
      const mean = data.reduce((s, [x1, x2, y]) => s + (forward(x1, x2) - y) ** 2, 0) / data.length;
      assert.ok(Math.abs(evalLoss - mean) <= 1e-12, `eval loss ${evalLoss} vs ${mean}`);
    } finally {
      set.dispose();
    }
  }
  await assert.rejects(engine.networkOutput({ loss: net231, params: Array(19).fill(0), x: [-1, 1], y: [-1, 1], size: [2, 2], stats: [0, 1] }), /stats/);
});

test('streaming: chunks (sliced small, and through the host\'s RunStream) rebuild the one-shot runs\' statistics', async () => {
  const request = {
    loss: `${net231}\nstochastic batch=2 seed=1`,
    runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }, { optimizer: 'adam', options: { lr: 0.02 } }],
    steps: 300,
    recordEvery: 2,
  };
  const whole = await engine.runs(request);
  const grown = new TraceAccumulator();
  const sliced = new TraceAccumulator();
  await engine.streamRuns(request, (chunk) => {
    grown.add(chunk);
    for (const part of sliceChunk(chunk, 40)) sliced.add(part);
  });
  const stream = new RunStream((onChunk, cancel) => engine.streamRuns(request, onChunk, cancel));
  const hosted = await stream.result;
  for (const traces of [grown.traces, sliced.traces, hosted.traces]) {
    whole.forEach((trace, i) => {
      assert.equal(traces[i].runningWidth, width);
      assert.deepEqual(traces[i].running, trace.running);
    });
  }
});

test('the page picks the shown row\'s statistics (runningAt), none without batch norm', async () => {
  const [trace] = await engine.runs({ loss: net231, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 4 });
  for (let r = 0; r < trace.rowCount; r++) assert.deepEqual(runningAt(trace, r), rowOf(trace, r));
  const [plain] = await engine.runs({ loss: `${dataLine}\nnetwork 2-3-1 loss=mse batchnorm=false`, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps: 2 });
  assert.equal(runningAt(plain, 1), undefined);
});

test('a Playground breakpoint session: the paused view carries each row\'s statistics, as the one-shot run records them', async () => {
  const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
  const { PanelSession } = await loadTs('src/panels/panelSession.ts');
  const scenario = { loss: net231, steps: 10, view: null, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }] };
  const posted = [];
  const panel = new PanelSession((message) => posted.push(message), async (s) => TrainingSession.open(engine, s), () => engine, () => scenario);
  try {
    await panel.setBreakpoints({ list: [{ condition: 'step == 4', enabled: true, run: 0 }], breakOnDivergence: true });
    const view = posted.filter((m) => m.type === 'session' && m.session).map((m) => m.session).at(-1);
    assert.match(view.banner, /Paused at step 4/);
    const [paused] = view.traces;
    const [whole] = await engine.runs({ loss: net231, runs: scenario.runs, steps: 4 });
    assert.equal(paused.runningWidth, width);
    assert.deepEqual(paused.running, whole.running);
  } finally {
    panel.dispose();
  }
});

test('memory: the recorded statistics count in the run set\'s recorded bytes (runningWidth numbers a row)', async () => {
  const held = async (steps) => {
    const before = engine.memory().recordedBytes;
    const set = await engine.startRuns({ loss: net231, runs: [{ optimizer: 'sgd', options: { lr: 0.1 } }], steps });
    try {
      return engine.memory().recordedBytes - before;
    } finally {
      set.dispose();
    }
  };
  const dim = 19;
  // 1000 more rows, each of [...params, loss, gradNorm] and the running statistics (an mse network: no metrics).
  assert.equal((await held(1001)) - (await held(1)), 1000 * (dim + 2 + width) * 8);
});
