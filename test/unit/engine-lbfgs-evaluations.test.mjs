// L-BFGS's inner evaluations in runs and streamRuns (bounded by LIMITS.evaluationLogValues), through the panels' stream
// (plotted [step, a, b] triples, carried by the last slice of a chunk and appended by the accumulator) to the points
// the landscape draws faint up to the current step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { plottedEvaluations } = await loadTs('src/panels/runStream.ts');
const { TraceAccumulator, sliceChunk } = await loadTs('src/shared/traceStream.ts');
const { evaluationPoints } = await loadTs('webview/runs/traces.ts');

const rosenbrock = ([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const LOSS = 'f = (1 - x)^2 + 100*(y - x^2)^2\nstart = (-1.5, 2)';

for (const optimizer of ['lbfgs', 'lbfgs_strong_wolfe']) {
  test(`${optimizer}: the logged points are the points it evaluated, func_evals - 1 per step (its first is the row before)`, async () => {
    const steps = 12;
    const [run] = await engine.runs({ loss: LOSS, runs: [{ optimizer, options: { lr: 1, max_iter: 5 } }], steps, recordState: true });
    const width = run.dim + 2;
    const rows = run.evaluations;
    assert.ok(rows instanceof Float64Array);
    const count = rows.length / width;
    const funcEvals = (t) => run.state[t * run.stateNames.length + run.stateNames.indexOf('func_evals')];
    assert.equal(count, funcEvals(run.rowCount - 1) - (run.rowCount - 1), 'every evaluation but each step\'s first');
    for (let t = 1; t < run.rowCount; t++) {
      const inStep = [];
      for (let r = 0; r < count; r++) if (rows[r * width] === t) inStep.push(Array.from(rows.subarray(r * width + 1, (r + 1) * width)));
      assert.equal(inStep.length, funcEvals(t) - funcEvals(t - 1) - 1, `step ${t}`);
      // each logged loss is the loss at its logged point
      for (const [x, y, f] of inStep) assert.ok(Math.abs(f - rosenbrock([x, y])) <= 1e-12 * (1 + Math.abs(f)), `step ${t}: f(${x}, ${y})`);
    }
    // the line search ends where it evaluated: some step's new parameters are its last evaluation (plain L-BFGS skips
    // the evaluation after its last iteration, as torch does: the next step makes it)
    const last = (t) => Array.from(run.rows.subarray(t * width, t * width + run.dim));
    if (optimizer === 'lbfgs_strong_wolfe') assert.ok([...Array(run.rowCount - 1).keys()].some((k) => {
      const t = k + 1;
      for (let r = count - 1; r >= 0; r--) if (rows[r * width] === t) return rows[r * width + 1] === last(t)[0] && rows[r * width + 2] === last(t)[1];
      return false;
    }));
    // the same as trace()'s evaluations
    const traced = await engine.trace({ loss: LOSS, optimizer, options: { lr: 1, max_iter: 5 }, steps });
    assert.deepEqual(traced.evaluations.flat(), Array.from(rows));
  });
}

test('streamRuns carries each chunk\'s new evaluations; together they are runs()\' evaluations; other optimizers have none', async () => {
  const request = { loss: LOSS, runs: [{ optimizer: 'lbfgs', options: { lr: 1, max_iter: 4 } }, { optimizer: 'adam' }], steps: 300 };
  const [whole, adam] = await engine.runs(request);
  assert.equal(adam.evaluations, undefined);
  const parts = [];
  let chunks = 0;
  await engine.streamRuns(request, (chunk) => {
    chunks++;
    parts.push(...chunk.traces[0].evaluations);
    assert.equal(chunk.traces[1].evaluations, undefined);
  });
  assert.ok(chunks > 1);
  assert.ok(whole.evaluations.length > 0);
  assert.deepEqual(parts, Array.from(whole.evaluations));
});

test('the panels\' stream: plotted triples on the last slice, appended across chunks, drawn up to the current step', () => {
  // rows of [step, x, y, loss] (2-D) and [step, x, loss] (1-D)
  assert.deepEqual(Array.from(plottedEvaluations(new Float64Array([1, 0.5, 0.25, 9, 2, 0.1, 0.2, 8]), 2)), [1, 0.5, 0.25, 2, 0.1, 0.2]);
  assert.deepEqual(Array.from(plottedEvaluations(new Float64Array([3, 0.5, 7]), 1)), [3, 0.5, 7]);
  const trace = (from, rowCount, evaluations) => ({
    label: 'l', optimizer: 'lbfgs', dim: 2, rowCount, status: 'running', stoppedAt: rowCount - 1, from,
    rows: new Float64Array((rowCount - from) * 4).fill(1), ...(evaluations && { evaluations: new Float64Array(evaluations) }),
  });
  const slices = [...sliceChunk({ done: false, traces: [trace(0, 40, [1, 0, 0, 2, 1, 1])] }, 16)];
  assert.ok(slices.length > 2);
  assert.deepEqual(slices.map((s) => s.traces[0].evaluations && Array.from(s.traces[0].evaluations)), [...Array(slices.length - 1).fill(undefined), [1, 0, 0, 2, 1, 1]]);
  const accumulator = new TraceAccumulator();
  accumulator.add({ done: false, traces: [trace(0, 10, [1, 0, 0])] });
  accumulator.add({ done: false, traces: [trace(10, 20)] });
  const [kept] = accumulator.add({ done: true, traces: [trace(20, 30, [12, 2, 2, 25, 3, 3])] });
  assert.deepEqual(Array.from(kept.evaluations), [1, 0, 0, 12, 2, 2, 25, 3, 3]);
  assert.deepEqual(Array.from(accumulator.copies()[0].evaluations), [1, 0, 0, 12, 2, 2, 25, 3, 3]);
  // a stream sent again from row 0 (a worker restart) starts them again
  const [again] = accumulator.add({ done: false, traces: [trace(0, 5, [1, 9, 9])] });
  assert.deepEqual(Array.from(again.evaluations), [1, 9, 9]);
  // the landscape's points: steps up to the current one, in pixels, thinned, non-finite left out
  const toPixel = (x, y) => [10 * x, 10 * y];
  const drawn = { evaluations: new Float64Array([1, 0, 0, 1, 0.01, 0, 2, 1, NaN, 2, 1, 1, 3, 5, 5]) };
  assert.deepEqual(evaluationPoints(drawn, 2, toPixel), [[0, 0], [10, 10]]);
  assert.deepEqual(evaluationPoints(drawn, 3, toPixel), [[0, 0], [10, 10], [50, 50]]);
  assert.deepEqual(evaluationPoints({}, 3, toPixel), []);
});
