// The Playground's loss along a line (webview/network/networkLinePanel.ts): the networkLine message validated, answered
// by the host with the engine worker's profile (Engine.networkPath with extend), whose t = 0 and t = 1 values are the
// runs' own losses at the line's ends, and the caption showing the engine's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const engine = await createEngine();
const { EngineClient } = await loadTs('src/engine/engineClient.ts');
const { startNodeWorker } = await loadTs('src/engine/nodeWorker.ts');
const { parseFromWebview } = await loadTs('src/shared/protocol.ts');
const { PANEL_NETWORK_LINE } = await loadTs('src/shared/networkPaths.ts');
const { networkLineData } = await loadTs('src/panels/scenarioRuns.ts');
const { lineCaption } = await loadTs('webview/network/networkLinePanel.ts');

const loss = 'data moons samples=200 noise=0.1 test=0.2 seed=2\nnetwork 2-8-1 activation=tanh loss=bce seed=1';
const STEPS = 200;
// Two runs, as a user's file has them; metricsEvery 1: the test loss at every row (no batch norm: eval mode = train mode).
const runs = await engine.runs({
  loss, steps: STEPS, metricsEvery: 1,
  runs: [{ optimizer: 'adam', options: { lr: 0.05 } }, { optimizer: 'sgd', options: { lr: 0.5, momentum: 0.9 } }],
});
const width = runs[0].dim + 2;
const paramsAt = (run, row) => Array.from(run.rows.subarray(row * width, row * width + run.dim));
const trainAt = (run, row) => run.rows[row * width + run.dim];
const testAt = (run, row) => run.metrics[row * 3];
const close = (got, want, tolerance, what) => assert.ok(Math.abs(got - want) <= tolerance * (1 + Math.abs(want)), `${what}: got ${got}, want ${want}`);

test('the networkLine message is validated: bad vectors, lengths, points and extent are refused with a clear message', () => {
  const from = paramsAt(runs[0], 0);
  const to = paramsAt(runs[0], STEPS);
  const good = { loss, from, to, points: PANEL_NETWORK_LINE.points, extend: PANEL_NETWORK_LINE.extend };
  const ok = parseFromWebview({ type: 'networkLine', requestId: 3, query: good });
  assert.ok(ok.ok, ok.error);
  assert.deepEqual(ok.value.query, good);
  const refused = (query, pattern) => {
    const parsed = parseFromWebview({ type: 'networkLine', requestId: 3, query });
    assert.equal(parsed.ok, false, JSON.stringify(query).slice(0, 200));
    assert.match(parsed.error, /message\.query/);
    assert.match(parsed.error, pattern);
    return parsed.error;
  };
  console.log(`# a shorter 'to': ${refused({ ...good, to: to.slice(1) }, /from and to of the same length/)}`);
  refused({ ...good, from: [...from.slice(1), Number.NaN] }, /from/);
  refused({ ...good, to: [...to.slice(1), Infinity] }, /to/);
  refused({ ...good, from: [], to: [] }, /from/);
  refused({ ...good, from: new Array(500_001).fill(0), to: new Array(500_001).fill(0) }, /from/);
  refused({ ...good, points: PANEL_NETWORK_LINE.maxPoints + 1 }, /points/);
  refused({ ...good, points: 1 }, /points/);
  refused({ ...good, points: 10.5 }, /points/);
  refused({ ...good, extend: -0.1 }, /extend/);
  refused({ ...good, extend: 2 }, /extend/);
  refused({ ...good, loss: 7 }, /loss/);
});

test('the engine refuses an extent out of range, or past the ends of a Bezier curve', async () => {
  const from = paramsAt(runs[0], 0);
  const to = paramsAt(runs[0], STEPS);
  await assert.rejects(engine.networkPath({ loss, from, to, extend: 1.5 }), /extend must be a number from 0 to 1, got 1\.5/);
  await assert.rejects(engine.networkPath({ loss, from, to, extend: Number.NaN }), /extend must be a number from 0 to 1/);
  await assert.rejects(engine.networkPath({ loss, from, to, bend: from, extend: 0.25 }), /extend is for the straight line/);
});

test('the host answers with the worker\'s profile: the ends are the runs\' own losses, the segment the plain path\'s', async () => {
  const client = new EngineClient(() => startNodeWorker(fileURLToPath(new URL('../../dist/worker.js', import.meta.url))));
  try {
    const [a, b] = runs;
    const lines = [
      { what: 'run 1: start -> end', from: [a, 0], to: [a, STEPS] },
      { what: 'run 1\'s end -> run 2\'s end', from: [a, STEPS], to: [b, STEPS] },
    ];
    for (const { what, from: [fromRun, fromRow], to: [toRun, toRow] } of lines) {
      const query = { loss, from: paramsAt(fromRun, fromRow), to: paramsAt(toRun, toRow), points: PANEL_NETWORK_LINE.points, extend: PANEL_NETWORK_LINE.extend };
      const parsed = parseFromWebview({ type: 'networkLine', requestId: 9, query });
      assert.ok(parsed.ok, parsed.error);
      const reply = await networkLineData(client, parsed.value.query);
      assert.deepEqual(reply, await engine.networkPath(query), `${what}: the worker computes what the engine does`);
      // 41 points on [0, 1] and 10 past each end (a quarter of the segment at its spacing).
      assert.equal(reply.t.length, 61);
      assert.equal(reply.t[0], -0.25);
      assert.equal(reply.t[60], 1.25);
      const start = reply.t.indexOf(0);
      const end = reply.t.indexOf(1);
      assert.deepEqual([start, end], [10, 50]);
      // t = 0 and t = 1 are the runs' own losses there (their trace rows, the test metrics, evaluate).
      close(reply.train[start], trainAt(fromRun, fromRow), 1e-12, `${what}: train at t=0`);
      close(reply.train[end], trainAt(toRun, toRow), 1e-12, `${what}: train at t=1`);
      close(reply.train[start], (await engine.evaluate(loss, query.from)).value, 1e-12, `${what}: train at t=0 vs evaluate`);
      close(reply.train[end], (await engine.evaluate(loss, query.to)).value, 1e-12, `${what}: train at t=1 vs evaluate`);
      close(reply.test[start], testAt(fromRun, fromRow), 1e-12, `${what}: test at t=0`);
      close(reply.test[end], testAt(toRun, toRow), 1e-12, `${what}: test at t=1`);
      // The segment is exactly the plain line's profile; the barrier is over the segment only.
      const plain = await engine.networkPath({ loss, from: query.from, to: query.to, points: PANEL_NETWORK_LINE.points });
      assert.deepEqual(reply.train.slice(start, end + 1), plain.train);
      assert.deepEqual(reply.test.slice(start, end + 1), plain.test);
      assert.equal(reply.barrier, plain.barrier);
      const segment = (values) => values.slice(start, end + 1);
      assert.equal(reply.testBarrier, Math.max(0, Math.max(...segment(reply.test)) - Math.max(reply.test[start], reply.test[end])));
      // A point past the start is the loss there (its parameters rounded differently: 1e-9).
      const before = query.from.map((v, i) => v - 0.25 * (query.to[i] - v));
      close(reply.train[0], (await engine.evaluate(loss, before)).value, 1e-9, `${what}: train at t=-0.25`);
      const caption = lineCaption(reply);
      const shown = (v) => (v === 0 ? '0' : v.toPrecision(4));
      assert.ok(caption.includes(`train barrier ${shown(reply.barrier)}, test barrier ${shown(reply.testBarrier)}`), caption);
      assert.ok(caption.includes(`train loss ${shown(reply.train[start])} at t=0, ${shown(reply.train[end])} at t=1`), caption);
      assert.ok(caption.includes(`test loss ${shown(reply.test[start])} at t=0, ${shown(reply.test[end])} at t=1`), caption);
      console.log(`# ${what}: train ${reply.train[start]} -> ${reply.train[end]}, barrier ${reply.barrier}, test barrier ${reply.testBarrier}; ` +
        `at t=-0.25 ${reply.train[0]}, t=1.25 ${reply.train[60]}, max on the segment ${Math.max(...segment(reply.train))}`);
    }
    // The start -> end line of a trained run descends: the end's loss is far below the start's.
    const descent = await networkLineData(client, { loss, from: paramsAt(a, 0), to: paramsAt(a, STEPS), points: 41, extend: 0.25 });
    assert.ok(descent.train[50] < 0.5 * descent.train[10], `${descent.train[10]} -> ${descent.train[50]}`);
  } finally {
    client.dispose();
  }
});
