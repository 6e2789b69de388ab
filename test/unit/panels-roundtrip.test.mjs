// Property tests (fast-check): every field of a panel scenario and its runs (a network's init seed too) survives
//   panel -> training session (the engine's request) -> panel (the scenario model is the session's: no translation),
//   Export as .loss -> the file parsed and opened again (scenarioLossFile -> parseLoss -> scenarioFromFile),
//   Export as JSON -> the document's scenario read back.
// The .loss format writes a run's defaults as nothing (no `schedule constant`, no `replacement=false`, ...):
// those runs come back without the field, which runs the same; `canonicalRun` says which. It writes one
// projection box for all parameters (`project=(lo, hi)`): a per-parameter box is not in the file format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
const { parseScenario } = await loadTs('src/shared/scenarioModel.ts');
const { scenarioLossFile, trajectoriesJson } = await loadTs('src/shared/export.ts');
const { scenarioFromFile } = await loadTs('src/loss/launch.ts');
const { parseLoss } = await loadTs('src/loss/analyze.ts');
const engine = await createEngine();

/** Finite doubles; -0 is written "0" (the same run), so it is generated as 0. */
const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
const positive = fc.double({ min: 1e-9, max: 1e6, noNaN: true });
const count = fc.integer({ min: 1, max: 100_000 });
const range = fc.tuple(number, number).filter(([lo, hi]) => lo < hi);

const options = fc.record(
  { lr: positive, momentum: number, weight_decay: number, eps: positive, nesterov: fc.boolean(), betas: fc.tuple(number, number), custom: fc.array(number, { minLength: 2, maxLength: 4 }) },
  { requiredKeys: ['lr'], noNullPrototype: true },
);
const schedule = fc.oneof(
  fc.constant({ type: 'constant' }),
  fc.record({ type: fc.constant('step'), step_size: count, gamma: positive }, { requiredKeys: ['type', 'step_size'], noNullPrototype: true }),
  fc.record({ type: fc.constant('exponential'), gamma: positive }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('cosine'), T_max: count, eta_min: positive }, { requiredKeys: ['type', 'T_max'], noNullPrototype: true }),
  fc.record({ type: fc.constant('linear'), start_factor: positive, end_factor: positive, total_iters: count }, { requiredKeys: ['type'], noNullPrototype: true }),
  fc.constant({ type: 'inverse_sqrt' }),
);
const stochastic = fc.record(
  { batchSize: fc.integer({ min: 0, max: 1000 }), replacement: fc.boolean(), noise: fc.double({ min: 0, max: 10, noNaN: true }), seed: fc.nat() },
  { requiredKeys: [], noNullPrototype: true },
);
/** One line of any printable text (a .loss label is one line: Export joins lines). */
const label = fc.string({ minLength: 1, unit: 'grapheme' }).filter((s) => !/[\r\n\u2028\u2029]/.test(s));

/** A network's initialization seed (a network loss's runs only: the .loss test of a formula leaves it out). */
const initSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

function run(project, withInitSeed = true) {
  return fc.record(
    {
      optimizer: fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'newton'), options, label, schedule, stochastic, project,
      ...(withInitSeed ? { initSeed } : {}),
    },
    { requiredKeys: ['optimizer', 'options'], noNullPrototype: true },
  );
}

function scenario(project, withInitSeed = true) {
  return fc.record({
    loss: fc.constant('f = (1 - x)^2 + 100*(y - x^2)^2'),
    start: fc.option(fc.tuple(number, number), { nil: null }),
    steps: count,
    view: fc.option(fc.record({ x: range, y: range }, { noNullPrototype: true }), { nil: null }),
    runs: fc.array(run(project, withInitSeed), { minLength: 1, maxLength: 5 }),
  }, { noNullPrototype: true });
}

const anyBox = fc.array(range, { minLength: 1, maxLength: 2 });

/**
 * The run as a .loss file gives it back: a constant schedule and an empty stochastic object are written as nothing.
 * A stochastic 0 or false stays (batch=0, replacement=false, noise=0: it overrides the file's stochastic line).
 */
function canonicalRun(r) {
  const out = { ...r };
  if (out.schedule?.type === 'constant') delete out.schedule;
  if (out.stochastic && Object.keys(out.stochastic).length === 0) delete out.stochastic;
  return out;
}

/** An engine that opens any session at once (row 0 only) and keeps the request it got. */
function recordingEngine() {
  const requests = [];
  return {
    requests,
    async openSession(request) {
      requests.push(request);
      const runs = request.runs.map(() => ({ status: 'paused', stoppedAt: 0, rowCount: 1, from: 0, rows: new Float64Array(4), state: new Float64Array(0), pausedBy: [], hits: {} }));
      const info = request.runs.map((r) => ({ label: r.label ?? r.optimizer, optimizer: r.optimizer, stateNames: [], conditionNames: [] }));
      return { id: 1, runs, info, steps: request.steps, loss: { dim: 2, params: ['x', 'y'] } };
    },
    async closeSession() {},
  };
}

test('panel -> training session -> panel keeps every field of the scenario and its runs', async () => {
  await fc.assert(
    fc.asyncProperty(scenario(anyBox), async (s) => {
      // The webview's message, validated as the host reads it; the session the panel starts; the panel that shows it.
      const parsed = parseScenario(structuredClone(s));
      assert.ok(parsed.ok, parsed.error);
      const engine = recordingEngine();
      const session = await TrainingSession.open(engine, parsed.value);
      assert.deepEqual({ ...engine.requests[0], breakpoints: undefined }, { ...s, breakpoints: undefined }, 'the engine gets every field');
      assert.deepEqual(structuredClone(session.scenario), s, 'a panel showing the session gets every field');
      await session.dispose();
    }),
  );
});

test('Export as .loss, parsed and opened again, gives the same runs, start, steps and domain', async () => {
  const loss = await engine.lossInfo('f = (1 - x)^2 + 100*(y - x^2)^2');
  fc.assert(
    fc.property(scenario(fc.array(range, { minLength: 1, maxLength: 1 }), false), (s) => {
      const file = scenarioLossFile(s, loss, false);
      const parsed = parseLoss(file);
      assert.ok(parsed.ok, `the exported file parses:\n${file}\n${JSON.stringify(parsed.diagnostics)}`);
      const draft = scenarioFromFile(file, parsed.loss.scenario);
      assert.deepEqual(draft.runs, s.runs.map(canonicalRun));
      assert.equal(draft.steps, s.steps);
      assert.deepEqual(parsed.loss.scenario.start, [s.start ?? loss.start]);
      assert.deepEqual(parsed.loss.scenario.domain, s.view ?? loss.domain);
    }),
    { numRuns: 300 },
  );
});

test('Export as .loss of a network scenario, parsed and opened again, gives the same runs (init seeds too) and steps', async () => {
  const text = 'data moons samples=20 seed=2\nnetwork 2-3-2 loss=cross_entropy seed=1';
  const loss = await engine.lossInfo(text);
  const netRun = fc.record(
    { optimizer: fc.constantFrom('sgd', 'adam', 'adamw'), options, label, schedule, stochastic, project: fc.array(range, { minLength: 1, maxLength: 1 }), initSeed },
    { requiredKeys: ['optimizer', 'options'], noNullPrototype: true },
  );
  fc.assert(
    fc.property(fc.array(netRun, { minLength: 1, maxLength: 4 }), count, (runs, steps) => {
      const s = { loss: text, start: null, steps, view: null, runs };
      const file = scenarioLossFile(s, loss, false);
      const parsed = parseLoss(file);
      assert.ok(parsed.ok, `the exported file parses:\n${file}\n${JSON.stringify(parsed.diagnostics)}`);
      const draft = scenarioFromFile(file, parsed.loss.scenario);
      assert.deepEqual(draft.runs, runs.map(canonicalRun));
      assert.equal(draft.steps, steps);
      assert.deepEqual(parsed.loss.scenario.start, [], 'the network line draws the start');
    }),
    { numRuns: 200 },
  );
});

test('Export as JSON carries the scenario as it was: read back and checked by the schema, it is the same', async () => {
  const loss = await engine.lossInfo('f = (1 - x)^2 + 100*(y - x^2)^2');
  fc.assert(
    fc.property(scenario(anyBox), (s) => {
      const imported = parseScenario(JSON.parse(trajectoriesJson(s, loss, [])).scenario);
      assert.ok(imported.ok, imported.error);
      assert.deepEqual(imported.value, s);
    }),
  );
});
