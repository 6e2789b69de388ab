// Recording at network scale: a panel keeps every k-th step's parameters (k from LIMITS.panelRecordBytes) and every
// step's loss and gradient norm; the losses equal a k = 1 run's exactly, stream in chunks and slices, and the page maps
// a step to the latest recorded row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { budgetRecordEvery, panelRecordEvery, recordedBytes } = await loadTs('src/shared/recording.ts');
const { LIMITS } = await loadTs('src/shared/limits.ts');
const { TraceAccumulator, catchUpChunks, sliceChunk } = await loadTs('src/shared/traceStream.ts');
const { rowAtStep, stepOfRow, longestRun, seriesLength, lossAtStep, gradNormAtStep, paramsAt, shownStepLabel } = await loadTs('webview/runs/traces.ts');

const MiB = 2 ** 20;
const SPIRAL = 'data spiral arms=3 samples=300 noise=0.05 test=0.2 seed=1\n'
  + 'network 2-16-16-3 activation=relu loss=cross_entropy init=kaiming_uniform batchnorm=false seed=1';
const spiralRuns = [
  { optimizer: 'sgd', options: { lr: 0.1, momentum: 0.9 }, stochastic: { batchSize: 32, seed: 1 } },
  { optimizer: 'adam', options: { lr: 0.01 }, stochastic: { batchSize: 32, seed: 1 } },
];

test('the budget: a 2-16-16-3 net x 2 runs x 10 000 steps gets the smallest k that fits; 2-D losses keep k = 1', () => {
  const dim = 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3;
  assert.equal(dim, 371);
  const before = recordedBytes(2, 10_000, dim, 1);
  const k = budgetRecordEvery(2, 10_000, dim);
  const after = recordedBytes(2, 10_000, dim, k);
  assert.ok(before > 56 * MiB, `every step: ${(before / MiB).toFixed(1)} MiB`);
  assert.ok(after <= LIMITS.panelRecordBytes, `k = ${k}: ${(after / MiB).toFixed(1)} MiB`);
  assert.ok(recordedBytes(2, 10_000, dim, k - 1) > LIMITS.panelRecordBytes, 'the smallest k that fits');
  assert.equal(k, 4);
  // 2-D losses: every step of 12 runs of 50 000 steps, or 4 runs of the panel's most steps
  assert.equal(budgetRecordEvery(12, 50_000, 2), 1);
  assert.equal(budgetRecordEvery(4, LIMITS.panelMaxSteps, 2), 1);
  // a budget too small for even two rows a run keeps the first and last rows
  assert.equal(budgetRecordEvery(2, 1000, 371, 10), 1000);
  // breakpoints keep every step (a run may pause at any one); a scenario's own recordEvery wins otherwise
  const scenario = { runs: spiralRuns, steps: 10_000 };
  assert.equal(panelRecordEvery(scenario, dim), 4);
  assert.equal(panelRecordEvery({ ...scenario, recordEvery: 25 }, dim), 25);
  assert.equal(panelRecordEvery({ ...scenario, recordEvery: 25, breakpoints: ['loss < 0.1'] }, dim), 1);
});

test('the spiral net at the k of 10 000 steps: rows every k-th step, every step\'s loss equal to a k = 1 run\'s, streamed', async () => {
  const engine = await createEngine();
  const every = budgetRecordEvery(spiralRuns.length, 10_000, 371);
  const steps = 3001; // fewer steps than the budget's case (a shared machine), ending between multiples of k
  const base = { loss: SPIRAL, steps, runs: spiralRuns };
  const whole = await engine.runs(base);
  const thinned = await engine.runs({ ...base, recordEvery: every, stepLosses: true });
  assert.equal(thinned[0].rowCount, Math.ceil(steps / every) + 1);
  thinned.forEach((trace, i) => {
    const full = whole[i];
    const width = full.dim + 2;
    assert.equal(trace.recordEvery, every);
    assert.equal(trace.losses.length, 2 * (steps + 1));
    for (let s = 0; s <= steps; s++) {
      assert.equal(trace.losses[2 * s], full.rows[s * width + full.dim], `run ${i} step ${s} loss`);
      assert.equal(trace.losses[2 * s + 1], full.rows[s * width + full.dim + 1], `run ${i} step ${s} gradient norm`);
    }
    for (let r = 0; r < trace.rowCount; r++) {
      const step = Math.min(r * every, steps);
      assert.deepEqual(trace.rows.subarray(r * width, (r + 1) * width), full.rows.subarray(step * width, (step + 1) * width));
    }
  });

  // Streamed: the chunks' losses add up to the same, and so do slices of them (the host's messages) and a catch-up.
  const streamed = new TraceAccumulator();
  const sliced = new TraceAccumulator();
  let chunks = 0;
  await engine.streamRuns({ ...base, recordEvery: every, stepLosses: true }, (chunk) => {
    chunks++;
    streamed.add(chunk);
    for (const slice of sliceChunk(chunk, 4096)) sliced.add(slice);
  });
  assert.ok(chunks >= 3, `${chunks} chunks`);
  const caughtUp = new TraceAccumulator();
  for (const slice of catchUpChunks(streamed.traces, true, 4096)) caughtUp.add(slice);
  for (const grown of [streamed, sliced, caughtUp]) {
    grown.traces.forEach((trace, i) => {
      assert.deepEqual(trace.losses, thinned[i].losses);
      assert.deepEqual(trace.rows, thinned[i].rows);
    });
  }
});

test('the page: a step maps to the latest recorded row, the last row to the step where a run stopped', async () => {
  const engine = await createEngine();
  // 1003 steps at k = 10: rows at 0, 10, ..., 1000 and 1003; SGD on Rosenbrock diverges (its last row: its last finite step).
  const request = { loss: 'rosenbrock', steps: 1003, runs: [{ optimizer: 'adam', options: { lr: 0.02 } }, { optimizer: 'sgd', options: { lr: 0.01 } }] };
  const full = await engine.runs(request);
  for (const every of [10, 7]) {
    const traces = await engine.runs({ ...request, recordEvery: every, stepLosses: true });
    traces.forEach((trace, i) => {
      const reference = full[i];
      const lastFinite = reference.rowCount - 1;
      assert.equal(seriesLength(trace), lastFinite + 1, `run ${i}: every finite step's loss`);
      assert.equal(stepOfRow(trace, trace.rowCount - 1), lastFinite);
      for (let step = 0; step <= lastFinite + 5; step++) {
        const row = rowAtStep(trace, step);
        const shown = stepOfRow(trace, row);
        const latest = Math.min(step, lastFinite);
        // the latest recorded step at or before the step: the next row's is later
        assert.ok(shown <= latest && (row === trace.rowCount - 1 || stepOfRow(trace, row + 1) > latest), `run ${i} k ${every} step ${step}: row ${row}`);
        assert.deepEqual(paramsAt(trace, row), paramsAt(reference, shown));
        if (step <= lastFinite) {
          assert.equal(lossAtStep(trace, step), lossAtStep(reference, step));
          assert.equal(gradNormAtStep(trace, step), gradNormAtStep(reference, step));
        }
      }
    });
    assert.equal(longestRun(traces), longestRun(full));
    assert.equal(traces[1].status, 'diverged');
    assert.equal(shownStepLabel(traces[0], 15), every === 10 ? 'step 10 (parameters kept every 10 steps)' : 'step 14 (parameters kept every 7 steps)');
    assert.equal(shownStepLabel(traces[0], 2 * every), `step ${2 * every}`);
  }
  // k = 1 traces (no losses) map as before: a row per step
  assert.equal(rowAtStep(full[0], 500), 500);
  assert.equal(stepOfRow(full[0], 500), 500);
});

test('the engine refuses recordEvery above 1 with breakpoints; stepLosses at k = 1 adds nothing', async () => {
  const engine = await createEngine();
  await assert.rejects(engine.runs({ loss: 'rosenbrock', steps: 100, recordEvery: 10, stepLosses: true, breakpoints: ['loss < 1'], runs: [{ optimizer: 'adam' }] }), /breakpoints/);
  // stepLosses with k = 1 adds nothing: the rows have every step
  const [trace] = await engine.runs({ loss: 'rosenbrock', steps: 100, stepLosses: true, runs: [{ optimizer: 'adam' }] });
  assert.equal(trace.losses, undefined);
});

test('.loss: `record every=k` reaches the scenario; bad options get diagnostics with ranges; the engine reads the file as before', async () => {
  const { parseLoss } = await loadTs('src/loss/index.ts');
  const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
  const { parseScenarioDraft, parseScenario } = await loadTs('src/shared/scenarioModel.ts');
  const text = `${SPIRAL}\noptimizer adam lr=0.01\nrecord every=25`;
  const parsed = parseLoss(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.diagnostics[0].message);
  const draft = scenarioFromFile(text, parsed.loss.scenario);
  assert.equal(draft.recordEvery, 25);
  assert.equal(parseScenarioDraft(draft).recordEvery, 25);
  assert.match(parseScenario({ loss: 'x', runs: [{ optimizer: 'sgd', options: {} }], steps: 10, recordEvery: 0 }).error, /recordEvery/);
  const engine = await createEngine();
  const [trace] = await engine.runs({ loss: text, steps: 50, recordEvery: 25, stepLosses: true, runs: [{ optimizer: 'adam' }] });
  // Export as .loss writes the scenario's own line once (the text's is replaced), and it reads back
  const { scenarioLossFile } = await loadTs('src/shared/export.ts');
  const bowl = 'f = x^2 + 3*y^2\nrecord every=25';
  const exported = scenarioLossFile({ loss: bowl, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: 50, recordEvery: 10 }, await engine.lossInfo(bowl), false);
  assert.equal(exported.match(/^record /gm).length, 1);
  const reparsed = parseLoss(exported);
  assert.ok(reparsed.ok, reparsed.ok ? '' : reparsed.diagnostics[0].message);
  assert.equal(scenarioFromFile(exported, reparsed.loss.scenario).recordEvery, 10);
  assert.equal(trace.rowCount, 3);
  assert.equal(trace.losses.length, 2 * 51);
  const bad = (line) => {
    const result = parseLoss(`f = x^2\n${line}`);
    assert.equal(result.ok, false, line);
    const [d] = result.diagnostics;
    return [d.message, line.slice(d.range.start.character, d.range.end.character)];
  };
  assert.deepEqual(bad('record each=5'), ["Unknown option 'each': the record line takes every=k (keep every k-th step's parameters)", 'each']);
  assert.deepEqual(bad('record every=2.5'), ['every is a whole number of steps from 1 to 100000, got 2.5', '2.5']);
  assert.deepEqual(bad('record every=0'), ['every is a whole number of steps from 1 to 100000, got 0', '0']);
  assert.equal(bad('record')[1], 'record');
  assert.equal(bad('record every=2\nrecord every=3')[0], 'A file holds one record line');
});

test('the panel\'s stream: k from the budget for a big loss, the scenario\'s own k, k = 1 with breakpoints; losses reach the host\'s traces', async () => {
  const { startStream } = await loadTs('src/panels/scenarioRuns.ts');
  const engine = await createEngine();
  const tracked = (_runs, work) => work;
  const streamed = async (scenario) => (await startStream(engine, tracked, scenario).result).traces;
  // 5000 parameters x 1000 steps: 40 MB of rows a run, over the budget
  const big = { loss: 'sphere', lossParams: { dim: 5000 }, runs: [{ optimizer: 'adam', options: { lr: 0.01 } }], steps: 1000 };
  const every = budgetRecordEvery(1, 1000, 5000);
  assert.ok(every > 1);
  const [thinned] = await streamed(big);
  assert.equal(thinned.recordEvery, every);
  assert.equal(thinned.rowCount, Math.ceil(1000 / every) + 1);
  assert.ok(thinned.rowCount * 5001 * 8 <= LIMITS.panelRecordBytes);
  assert.equal(seriesLength(thinned), 1001);
  const [own] = await streamed({ ...big, recordEvery: 100 });
  assert.equal(own.rowCount, 11);
  assert.equal(own.losses.length, 2 * 1001);
  assert.deepEqual(own.losses, thinned.losses);
  const [paused] = await streamed({ ...big, steps: 30, recordEvery: 100, breakpoints: ['step == 1000'] });
  assert.equal(paused.rowCount, 31);
  assert.equal(paused.losses, undefined);
  const [small] = await streamed({ loss: 'rosenbrock', runs: [{ optimizer: 'adam' }], steps: 500 });
  assert.equal(small.rowCount, 501);
  assert.equal(small.recordEvery, undefined);
});
