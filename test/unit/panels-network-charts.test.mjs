// A network's charts in the panels: metrics streamed to the webview with their rows, the train/test curves and
// Compare's test columns read from them, the rows layer statistics are asked at and their curves, and the
// networkLayerStats message's validation, and a training session's metrics; through the engine where the numbers come
// from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { TraceAccumulator, sliceChunk } = await loadTs('src/shared/traceStream.ts');
const { metricPoints, hasMetric, lastMetric, TEST_LOSS, TEST_ACCURACY, TRAIN_ACCURACY } = await loadTs('webview/runs/traceMetrics.ts');
const { lossCurves, accuracyCurves } = await loadTs('webview/charts/networkCurves.ts');
const { valueAtStep } = await loadTs('webview/charts/curveChart.ts');
const { statsRows, statsRowCount, layerCurves, layerColor, STATS_ROWS } = await loadTs('webview/network/layerStats.ts');
const { parseFromWebview } = await loadTs('src/shared/protocol.ts');

const loss = 'data moons samples=200 noise=0.1 test=0.25 seed=1\nnetwork 2-8-1 activation=tanh loss=bce init=xavier_uniform seed=2';
const scenario = { loss, steps: 60, metricsEvery: 10, runs: [{ optimizer: 'adam', options: { lr: 0.05 } }, { optimizer: 'sgd', options: { lr: 0.5 } }] };

/** The engine's streamed chunks as the host hands them on (runStream.ts keeps metrics beside the rows). */
async function streamedTraces() {
  const accumulator = new TraceAccumulator();
  const chunks = [];
  await engine.streamRuns(scenario, (chunk) => chunks.push(chunk));
  for (const chunk of chunks) {
    const forWebview = {
      done: chunk.done,
      traces: chunk.traces.map(({ label, optimizer, dim, rows, rowCount, status, stoppedAt, from, metrics }) => ({ label, optimizer, dim, rows, rowCount, status, stoppedAt, from, ...(metrics && { metrics }) })),
    };
    // In slices of a few rows each, as the host posts them.
    for (const part of sliceChunk(forWebview, 200)) accumulator.add(part);
  }
  return accumulator.traces;
}

test('metrics stream to the webview with their rows: every 10th step measured, the same values as a whole run', async () => {
  const traces = await streamedTraces();
  const whole = await engine.runs(scenario);
  assert.equal(traces.length, 2);
  traces.forEach((trace, i) => {
    assert.equal(trace.metrics.length, 3 * trace.rowCount);
    assert.deepEqual(Array.from(trace.metrics), Array.from(whole[i].metrics.subarray(0, 3 * whole[i].rowCount)));
    assert.deepEqual(metricPoints(trace, TEST_LOSS).map(([row]) => row), [0, 10, 20, 30, 40, 50, 60]);
    for (const [, accuracy] of metricPoints(trace, TEST_ACCURACY)) assert.ok(accuracy >= 0 && accuracy <= 1);
  });
  assert.ok(hasMetric(traces, TRAIN_ACCURACY));
  // Adam learns the moons: its test accuracy at the end beats the start's.
  assert.ok(lastMetric(traces[0], TEST_ACCURACY) > metricPoints(traces[0], TEST_ACCURACY)[0][1]);
  assert.equal(lastMetric({ ...traces[0], metrics: undefined }, TEST_LOSS), undefined);
});

test('curves: per run the train loss (each row) solid and the test loss dashed; accuracy train and test', async () => {
  const traces = await streamedTraces();
  const names = (i) => `run ${i}`;
  const losses = lossCurves(traces, names);
  assert.deepEqual(losses.map((c) => [c.name, c.dashed]), [['run 0 train', false], ['run 0 test', true], ['run 1 train', false], ['run 1 test', true]]);
  assert.equal(losses[0].points.length, traces[0].rowCount);
  assert.equal(losses[0].points[5][1], traces[0].rows[5 * (traces[0].dim + 2) + traces[0].dim], 'the row\'s loss');
  assert.equal(losses[1].points.length, 7);
  assert.equal(losses[0].color, losses[1].color, 'a run\'s curves share its colour');
  assert.notEqual(losses[0].color, losses[2].color);
  const accuracy = accuracyCurves(traces, names);
  assert.deepEqual(accuracy.map((c) => c.name), ['run 0 train', 'run 0 test', 'run 1 train', 'run 1 test']);
  // Without a test split: only the training loss, no accuracy for mse.
  const plain = { ...traces[0], metrics: undefined };
  assert.deepEqual(lossCurves([plain], names).map((c) => c.name), ['run 0 train']);
  assert.deepEqual(accuracyCurves([plain], names), []);
});

test('valueAtStep: a curve measured every k steps holds its last value between measurements', () => {
  const points = [[0, 1], [10, 0.5], [20, 0.25]];
  assert.equal(valueAtStep(points, 0), 1);
  assert.equal(valueAtStep(points, 15), 0.5);
  assert.equal(valueAtStep(points, 20), 0.25);
  assert.equal(valueAtStep(points, 99), 0.25);
  assert.equal(valueAtStep(points, -1), undefined);
  assert.equal(valueAtStep([], 3), undefined);
});

test('statsRows: multiples of a power-of-two stride, the last row and the row shown; stable as a run grows', () => {
  assert.deepEqual(statsRows(1001, 500, 5), [0, 256, 500, 512, 768, 1000]);
  assert.deepEqual(statsRows(3, 1, 12), [0, 1, 2]);
  assert.deepEqual(statsRows(1, 0), [0]);
  assert.deepEqual(statsRows(10, 50, 2), [0, 8, 9], 'the row shown is within the run');
  assert.ok(statsRows(100_000, 77).length <= 12 + 2);
  // A streaming run: the rows of a shorter run (but its last) are among a longer one's, or the stride doubled.
  for (let count = 2; count < 3000; count += 37) {
    const before = statsRows(count, 0).slice(0, -1);
    const after = new Set(statsRows(count + 37, 0));
    const kept = before.filter((r) => after.has(r));
    assert.ok(kept.length >= Math.floor(before.length / 2), `rows kept from ${count} to ${count + 37} rows`);
  }
});

test('statsRowCount: a small network gets every row over the run, a big one fewer (the row shown at least)', () => {
  assert.equal(statsRowCount(371, 240), STATS_ROWS);
  assert.equal(statsRowCount(161_201, 1000), 1);
  assert.ok(statsRowCount(20_000, 500) > 1 && statsRowCount(20_000, 500) < STATS_ROWS);
  assert.equal(statsRowCount(371, 0), STATS_ROWS);
});

test('layer statistics from the engine at the rows asked: curves per layer, std solid and mean dashed', async () => {
  const [trace] = await streamedTraces();
  const rows = statsRows(trace.rowCount, 25, 4);
  const params = rows.map((row) => Array.from(trace.rows.subarray(row * (trace.dim + 2), row * (trace.dim + 2) + trace.dim)));
  const result = await engine.networkLayerStats({ loss, params });
  const curves = layerCurves(rows, result, 'gradient');
  assert.deepEqual(curves.map((c) => [c.name, c.dashed]), [['layer 1 std', false], ['layer 1 mean', true], ['layer 2 std', false], ['layer 2 mean', true]]);
  assert.deepEqual(curves[0].points.map(([row]) => row), rows);
  assert.deepEqual(curves[0].points.map(([, v]) => v), result.points.map((p) => p.layers[0].gradientStd));
  assert.equal(curves[0].color, layerColor(1));
  assert.match(layerColor(1), /^var\(--vscode-charts-blue/);
  const activations = layerCurves(rows, result, 'activation');
  assert.deepEqual(activations[3].points.map(([, v]) => v), result.points.map((p) => p.layers[1].activationMean));
  // Each point's training loss is the row's full-batch loss (Adam's steps here are full batch).
  result.points.forEach((point, i) => assert.ok(Math.abs(point.loss - trace.rows[rows[i] * (trace.dim + 2) + trace.dim]) < 1e-12));
});

test('the networkLayerStats message is validated', () => {
  const parsed = parseFromWebview({ type: 'networkLayerStats', requestId: 3, query: { loss, params: [[1, 2], [3, 4]], bins: 12 } });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.query, { loss, params: [[1, 2], [3, 4]], bins: 12 });
  const bad = (query, why) => {
    const result = parseFromWebview({ type: 'networkLayerStats', requestId: 3, query });
    assert.ok(!result.ok, JSON.stringify(query));
    assert.match(result.error, why);
  };
  bad({ loss, params: [] }, /message\.query\.params/);
  bad({ loss, params: [[1, 'x']] }, /message\.query\.params\[0\]\[1\]/);
  bad({ loss, params: Array.from({ length: 65 }, () => [1]) }, /1 to 64 parameter lists/);
  bad({ loss, params: [[1]], bins: 1 }, /message\.query\.bins/);
  bad({ loss: 7, params: [[1]] }, /message\.query\.loss/);
});

test('a training session keeps the metrics beside its rows: a paused network still shows its test curves', async () => {
  const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
  const sessionScenario = { loss, steps: 60, runs: [scenario.runs[0]] };
  const [free] = await engine.runs(sessionScenario);
  const session = await TrainingSession.open(engine, sessionScenario);
  try {
    await session.setBreakpoints('panel', [{ condition: 'step == 30' }]);
    await session.continue();
    const { rowCount, metrics } = session.trace(0);
    assert.equal(rowCount, 31);
    assert.equal(metrics.length, 3 * 31);
    assert.deepEqual(Array.from(metrics), Array.from(free.metrics.subarray(0, 3 * 31)));
    assert.ok(metricPoints({ rowCount, metrics }, TEST_LOSS).length >= 2, 'test losses measured up to the pause');
  } finally {
    session.dispose();
  }
});
