// A run's every field (schedule, projection, stochastic, label) survives panel -> training session -> panel:
// a run paused by a breakpoint and continued ends where the same run without the breakpoint ends, bit for bit,
// whether the Playground (PanelSession) or the debugger (scenarioFromLoss, as the adapter opens it) started it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadTs } from './panels-bundle.mjs';

const require = createRequire(import.meta.url);
const { createEngine } = require('../../dist/engine.js');
const { TrainingSession } = await loadTs('src/session/trainingSession.ts');
const { scenarioFromLoss } = await loadTs('src/debug/adapterScenario.ts');
const { PanelSession } = await loadTs('src/panels/panelSession.ts');
const engine = await createEngine();

const STEPS = 300;
/** A Playground scenario: Adam with a cosine schedule inside a box, SGD with a step schedule and seeded noise. */
const PLAYGROUND = {
  loss: 'rosenbrock',
  start: [-1.5, 2],
  steps: STEPS,
  view: null,
  runs: [
    { optimizer: 'adam', options: { lr: 0.05 }, label: 'Adam, cosine, boxed', schedule: { type: 'cosine', T_max: STEPS, eta_min: 0.001 }, project: [[-1, 1], [-0.5, 1.5]] },
    { optimizer: 'sgd', options: { lr: 0.0005, momentum: 0.9 }, schedule: { type: 'step', step_size: 50, gamma: 0.5 }, stochastic: { noise: 0.5, seed: 3 }, project: [[-2, 2]] },
  ],
};

/** The final parameters of every run, computed by the engine in one go (no session, no breakpoint). */
async function finalParams(scenario) {
  const traces = await engine.runs({ loss: scenario.loss, lossParams: scenario.lossParams, steps: scenario.steps, runs: scenario.runs.map((r) => ({ ...r, start: scenario.start ?? undefined })) });
  return traces.map((t) => Array.from(t.rows.subarray((t.rowCount - 1) * (t.dim + 2), (t.rowCount - 1) * (t.dim + 2) + t.dim)));
}

function sessionFinalParams(session) {
  return session.positions().map((_, i) => {
    const { rows, rowCount, width } = session.trace(i);
    return Array.from(rows.subarray((rowCount - 1) * width, (rowCount - 1) * width + session.loss.dim));
  });
}

/** Without its schedule and projection a run ends elsewhere: else these tests could not tell a dropped field. */
async function assertFieldsMatter(scenario) {
  const plain = { ...scenario, runs: scenario.runs.map(({ schedule: _s, project: _p, ...rest }) => rest) };
  const [withFields, without] = [await finalParams(scenario), await finalParams(plain)];
  withFields.forEach((params, i) => assert.notDeepEqual(params, without[i], `run ${i + 1}'s schedule and projection change where it ends`));
  return withFields;
}

test('a Playground run with a schedule and a projection, paused by a panel breakpoint and continued, ends where it ends without the breakpoint', async () => {
  const expected = await assertFieldsMatter(PLAYGROUND);
  let session;
  const panel = new PanelSession(() => {}, async (scenario) => (session = await TrainingSession.open(engine, scenario)), () => engine, () => PLAYGROUND);
  try {
    await panel.setBreakpoints({ list: [{ condition: 'step == 100', enabled: true, run: null }], breakOnDivergence: true });
    assert.ok(session, 'the breakpoint started a session');
    assert.equal(session.stopped?.reason, 'breakpoint');
    assert.deepEqual(session.positions().map((p) => p.step), [100, 100]);
    assert.deepEqual(session.positions().map((p) => p.label), ['Adam, cosine, boxed', 'sgd']);
    await panel.control('continue');
    assert.deepEqual(session.positions().map((p) => p.step), [STEPS, STEPS]);
    assert.deepEqual(sessionFinalParams(session), expected);
  } finally {
    panel.dispose();
  }
});

test("the panel keeps its session while the scenario is the same, and ends it when a run's schedule, projection or label changes", async () => {
  let session;
  const panel = new PanelSession(() => {}, async (scenario) => (session = await TrainingSession.open(engine, scenario)), () => engine, () => PLAYGROUND);
  try {
    await panel.setBreakpoints({ list: [{ condition: 'step == 10', enabled: true, run: null }], breakOnDivergence: true });
    const first = session;
    // The same scenario, its keys in another order: the same session.
    await panel.scenarioChanged(JSON.parse(JSON.stringify({ ...PLAYGROUND, runs: PLAYGROUND.runs.map((r) => Object.fromEntries(Object.entries(r).reverse())) })));
    assert.equal(panel.current, first);
    const changes = [
      (r) => ({ ...r, schedule: { type: 'cosine', T_max: 100 } }),
      (r) => ({ ...r, project: [[-1, 1]] }),
      (r) => ({ ...r, label: 'renamed' }),
      (r) => ({ ...r, stochastic: { noise: 0.5, seed: 4 } }),
    ];
    for (const change of changes) {
      const before = panel.current;
      await panel.scenarioChanged({ ...PLAYGROUND, runs: [change(PLAYGROUND.runs[0]), PLAYGROUND.runs[1]] });
      assert.notEqual(panel.current, before, `a change of ${change.toString()} starts another session`);
    }
  } finally {
    panel.dispose();
  }
});

const LOSS_FILE = `# Rosenbrock, Adam with a cosine schedule in the box [-1, 1]
f = (1 - x)^2 + 100*(y - x^2)^2
start = (-1.5, 2)
optimizer adam lr=0.05 project=(-1, 1) label="Adam cosine"
schedule cosine T_max=300 eta_min=0.001
optimizer sgd lr=0.0005 momentum=0.9 noise=0.5 seed=3
schedule step step_size=50 gamma=0.5
steps = 300
`;

test('a debugger session of a .loss file with schedules and a projection, paused and continued, ends where the engine ends; the Playground showing it has the same runs', async () => {
  const scenario = scenarioFromLoss(LOSS_FILE, { runs: [], steps: 10 });
  assert.deepEqual(scenario.runs.map((r) => [r.schedule?.type, r.project]), [['cosine', [[-1, 1]]], ['step', undefined]]);
  // The Playground the debugger opens for its session (ScenarioPanel.showSession) shows the session's scenario.
  const session = await TrainingSession.open(engine, scenario);
  const panel = new PanelSession(() => {}, undefined, () => engine, () => shown);
  const shown = structuredClone(session.scenario);
  try {
    assert.deepEqual(shown.runs.map((r) => [r.label, r.schedule, r.project, r.stochastic]), [
      ['Adam cosine', { type: 'cosine', T_max: 300, eta_min: 0.001 }, [[-1, 1]], undefined],
      [scenario.runs[1].label, { type: 'step', step_size: 50, gamma: 0.5 }, undefined, { noise: 0.5, seed: 3 }],
    ]);
    const expected = await assertFieldsMatter({ ...shown, start: [-1.5, 2] });
    await panel.bind(session, false);
    await session.setBreakpoints('debugger', [{ condition: 'step == 120' }]);
    await session.continue();
    assert.equal(session.stopped?.reason, 'breakpoint');
    assert.deepEqual(session.positions().map((p) => p.step), [120, 120]);
    await panel.scenarioChanged(shown);
    assert.equal(panel.current, session, 'the panel showing the session keeps it');
    await session.continue();
    assert.deepEqual(sessionFinalParams(session), expected);
    // Its schedule edited in the panel, the Playground no longer shows the debugger's runs.
    await panel.scenarioChanged({ ...shown, runs: [{ ...shown.runs[0], schedule: { type: 'exponential', gamma: 0.99 } }, shown.runs[1]] });
    assert.equal(panel.current, undefined);
  } finally {
    panel.dispose();
    await session.dispose();
  }
});

test('the session a panel starts runs the panel\'s scenario itself: every field', async () => {
  let session;
  const panel = new PanelSession(() => {}, async (scenario) => (session = await TrainingSession.open(engine, scenario)), () => engine, () => PLAYGROUND);
  try {
    await panel.setBreakpoints({ list: [{ condition: 'step == 10', enabled: true, run: null }], breakOnDivergence: true });
    assert.deepEqual(session.scenario, PLAYGROUND);
  } finally {
    panel.dispose();
    await session?.dispose();
  }
});

test('a debug launch is checked as a panel\'s scenario is: a clear message for steps the Playground could not show', () => {
  assert.throws(() => scenarioFromLoss(LOSS_FILE, { runs: [], steps: 10 }, 0), /^Error: The debug launch's scenario is not valid: steps: expected an integer in \[1, 100000\]$/);
  assert.throws(() => scenarioFromLoss(LOSS_FILE, { runs: [], steps: 10 }, 2.5), /steps: expected an integer/);
  assert.equal(scenarioFromLoss(LOSS_FILE, { runs: [], steps: 10 }, 40).steps, 40);
});

test('a scenario\'s own breakpoints pause its session like any other source\'s', async () => {
  const session = await TrainingSession.open(engine, { ...PLAYGROUND, breakpoints: [{ condition: 'step == 7' }] });
  try {
    await session.continue();
    assert.equal(session.stopped?.reason, 'breakpoint');
    assert.deepEqual(session.positions().map((p) => p.step), [7, 7]);
    assert.deepEqual(session.breakpoints().map((b) => [b.source, b.spec.condition, b.verified]), [['scenario', 'step == 7', true]]);
  } finally {
    await session.dispose();
  }
});

test('a written optimizer in the Playground: a breakpoint on its state by name pauses it, the inspector shows its state, it ends where the engine ends it', async () => {
  const { readFileSync } = await import('node:fs');
  const lion = readFileSync(new URL('../../examples/lion.optim', import.meta.url), 'utf8');
  const scenario = { ...PLAYGROUND, runs: [{ optimizer: lion, options: { lr: 0.01 } }, { optimizer: 'adam', options: { lr: 0.05 } }] };
  const expected = await finalParams(scenario);
  let session;
  const panel = new PanelSession(() => {}, async (s) => (session = await TrainingSession.open(engine, s)), () => engine, () => scenario);
  try {
    assert.deepEqual(await panel.checkCondition('abs(m_x) > 1', 0), []);
    const [unknown] = await panel.checkCondition('abs(mm_x) > 1', 0);
    assert.match(unknown.message, /mm_x/);
    await panel.setBreakpoints({ list: [{ condition: 'abs(m_x) > 1', enabled: true, run: 0 }], breakOnDivergence: true });
    assert.equal(session.stopped?.reason, 'breakpoint');
    assert.deepEqual(session.positions().map((p) => p.label), ['lion', 'adam']);
    const paused = session.positions()[0].step;
    assert.ok(paused > 0 && paused < STEPS, `paused at ${paused}`);
    const inspected = await panel.inspect(0, paused);
    assert.ok(Math.abs(inspected.state.m_x) > 1, JSON.stringify(inspected.state));
    const before = await panel.inspect(0, paused - 1);
    assert.ok(Math.abs(before.state.m_x) <= 1, 'the first step where the condition holds');
    // The inspector's update rule: Lion's three lines as MathML per coordinate, the step and the next m substituted.
    assert.equal(before.equations.title, `lion, step ${paused - 1} → ${paused}`);
    assert.deepEqual(before.equations.coordinates.map((c) => c.param), Object.keys(before.params));
    const [, , mLine] = before.equations.coordinates[0].lines;
    assert.match(mLine.mathml, /^<span class="katex"><math/);
    assert.ok(mLine.mathml.includes(`<mn>${Number(Math.abs(inspected.state.m_x).toPrecision(6))}</mn></mrow></mstyle></mtd></mtr></mtable>`), `m after the step, as the engine records it: ${inspected.state.m_x} in ${mLine.mathml.replace(/<annotation[^]*/, '')}`);
    assert.equal((await panel.inspect(1, paused)).equations.title, `Adam, step ${paused} → ${paused + 1}`);
    await panel.setBreakpoints({ list: [], breakOnDivergence: true });
    await panel.control('continue');
    assert.deepEqual(sessionFinalParams(session), expected);
  } finally {
    panel.dispose();
  }
});
