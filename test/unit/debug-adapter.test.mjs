// The Optiscope debug adapter over the Debug Adapter Protocol: dist/debugAdapter.js as its own process (stdio),
// driven by @vscode/debugadapter-testsupport's DebugClient. Expected numbers come from the engine (dist/engine.js).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { createEngine } = require('../../dist/engine.js');
const adapter = fileURLToPath(new URL('../../dist/debugAdapter.js', import.meta.url));
const engine = await createEngine();
const folder = mkdtempSync(join(tmpdir(), 'optiscope-debug-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const ROSENBROCK = `# Rosenbrock's banana
f = (1 - x)^2 + 100*(y - x^2)^2
start = (-1.5, 2)
optimizer adam lr=0.05
steps = 3000
`;
const ADAM_LINE = 4; // 1-based, as the client counts

function writeLoss(name, text) {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** The engine's own answer: the step where a condition first holds, and the recorded state there. */
async function engineStop(text, optimizer, options, condition, steps) {
  const { status, stoppedAt } = await engine.trace({ loss: text, optimizer, options, steps, breakpoints: [condition] });
  assert.equal(status, 'paused', `the engine pauses on ${condition}`);
  return stoppedAt;
}

async function engineState(text, optimizer, options, step) {
  const [run] = await engine.runs({ loss: text, runs: [{ optimizer, options }], steps: step, recordState: true });
  const width = run.dim + 2;
  const state = Object.fromEntries(run.stateNames.map((name, k) => [name, run.state[step * run.stateNames.length + k]]).filter(([name]) => name));
  return { x: run.rows[step * width], y: run.rows[step * width + 1], loss: run.rows[step * width + 2], gradnorm: run.rows[step * width + 3], ...state };
}

/** Starts the adapter, launches program with the breakpoints set by configure, and returns the client. */
async function launch(program, configure = async () => {}, args = {}) {
  const dc = new DebugClient('node', adapter, 'optiscope');
  dc.defaultTimeout = 20_000;
  await dc.start();
  try {
    const initialized = dc.waitForEvent('initialized');
    const capabilities = await dc.initializeRequest({ adapterID: 'optiscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const launched = dc.launchRequest({ program, ...args });
    await initialized;
    await configure(dc);
    await dc.configurationDoneRequest();
    await launched;
    return { dc, capabilities: capabilities.body };
  } catch (error) {
    await dc.stop(); // a refused launch must not leave the adapter running
    throw error;
  }
}

async function topFrame(dc, threadId) {
  const { body } = await dc.stackTraceRequest({ threadId });
  return body.stackFrames[0];
}

async function variables(dc, frameId) {
  const { body } = await dc.scopesRequest({ frameId });
  const { body: { variables: list } } = await dc.variablesRequest({ variablesReference: body.scopes[0].variablesReference });
  return Object.fromEntries(list.map((v) => [v.name, Number(v.value)]));
}

test('Adam on Rosenbrock stops where the loss first drops below 1e-3; m and v are the engine\'s; step, step back, continue', async () => {
  const program = writeLoss('rosenbrock.loss', ROSENBROCK);
  const expectedStep = await engineStop(ROSENBROCK, 'adam', { lr: 0.05 }, 'loss < 1e-3', 3000);
  assert.equal(expectedStep, 914, 'the issue\'s number');
  const { dc, capabilities } = await launch(program, async (client) => {
    const { body } = await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'loss < 1e-3' }] });
    assert.equal(body.breakpoints[0].verified, true);
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    assert.equal(capabilities.supportsStepBack, true);
    assert.deepEqual(capabilities.exceptionBreakpointFilters.map((f) => [f.filter, f.default]), [['divergence', true]]);
    const event = await dc.firstStop;
    assert.equal(event.body.reason, 'breakpoint');
    const { body: { threads } } = await dc.threadsRequest();
    assert.equal(threads.length, 1);
    assert.match(threads[0].name, /adam/);
    const frame = await topFrame(dc, event.body.threadId);
    assert.match(frame.name, new RegExp(`step ${expectedStep}\\b`));
    assert.equal(frame.line, ADAM_LINE);
    assert.equal(frame.source.path, program);

    const expected = await engineState(ROSENBROCK, 'adam', { lr: 0.05 }, expectedStep);
    const shown = await variables(dc, frame.id);
    assert.equal(shown.step, expectedStep);
    for (const name of ['x', 'y', 'loss', 'gradnorm', 'exp_avg_x', 'exp_avg_y', 'exp_avg_sq_x', 'exp_avg_sq_y', 'grad_x', 'grad_y']) {
      assert.equal(shown[name], expected[name], name);
    }
    assert.ok(shown.loss < 1e-3);
    // The update rule with the step's values: Adam's lines, the bias correction at t = 915, and x_{915} as the engine's.
    const { body: { scopes } } = await dc.scopesRequest({ frameId: frame.id });
    assert.deepEqual(scopes.map((s) => s.name), [`Step ${expectedStep}`, 'Hessian', 'Update rule']);
    const { body: { variables: rule } } = await dc.variablesRequest({ variablesReference: scopes[2].variablesReference });
    assert.equal(rule[0].value, 'Adam');
    assert.ok(rule.some((v) => v.value.startsWith('\\hat\\beta_1 = 1 - {\\beta_1}^{t} = 1 - {0.9}^{915}')), rule.map((v) => v.value).join('\n'));
    const { x: nextX } = await engineState(ROSENBROCK, 'adam', { lr: 0.05 }, expectedStep + 1);
    assert.ok(rule.at(-1).value.endsWith(` = ${Number(nextX.toPrecision(6))}`), `${rule.at(-1).value} ends with x at step ${expectedStep + 1}: ${nextX}`);

    const { body: evaluated } = await dc.evaluateRequest({ expression: 'exp_avg_x * 2', frameId: frame.id, context: 'repl' });
    assert.equal(Number(evaluated.result), expected.exp_avg_x * 2);

    const afterStep = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: event.body.threadId });
    assert.equal((await afterStep).body.reason, 'step');
    const next = await topFrame(dc, event.body.threadId);
    assert.match(next.name, new RegExp(`step ${expectedStep + 1}\\b`));
    const stepped = await variables(dc, next.id);
    assert.equal(stepped.exp_avg_x, (await engineState(ROSENBROCK, 'adam', { lr: 0.05 }, expectedStep + 1)).exp_avg_x);

    const afterBack = dc.waitForEvent('stopped');
    await dc.stepBackRequest({ threadId: event.body.threadId });
    await afterBack;
    const back = await topFrame(dc, event.body.threadId);
    assert.match(back.name, new RegExp(`step ${expectedStep}\\b`));
    assert.equal((await variables(dc, back.id)).exp_avg_x, expected.exp_avg_x);

    // The loss stays below 1e-3: the breakpoint does not fire again, the run ends.
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: event.body.threadId });
    await terminated;
  } finally {
    await dc.stop();
  }
});

test('a line breakpoint on an optimizer line honours its condition and hit count; two optimizers are two threads', async () => {
  const text = ROSENBROCK.replace('steps = 3000', 'optimizer sgd lr=0.001 momentum=0.9\nsteps = 300');
  const program = writeLoss('two.loss', text);
  let lines;
  const { dc } = await launch(program, async (client) => {
    ({ body: { breakpoints: lines } } = await client.setBreakpointsRequest({
      source: { path: program },
      breakpoints: [{ line: ADAM_LINE + 1, hitCondition: '% 100' }, { line: 3 }],
    }));
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    assert.equal(lines[0].verified, true);
    assert.equal(lines[1].verified, false, 'a start line pauses nothing');
    assert.match(lines[1].message, /optimizer line/);
    const { body: { threads } } = await dc.threadsRequest();
    assert.deepEqual(threads.map((t) => t.name.split(' ')[0]), ['adam', 'sgd']);
    const event = await dc.firstStop;
    assert.equal(event.body.reason, 'breakpoint');
    assert.equal(event.body.threadId, threads[1].id);
    assert.match((await topFrame(dc, threads[1].id)).name, /step 100\b/);
    const second = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: threads[1].id });
    await second;
    assert.match((await topFrame(dc, threads[1].id)).name, /step 200\b/);

    // A condition on the same line instead: it is checked at every step of that run, as in a loop.
    const { body } = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: ADAM_LINE + 1, condition: 'step % 7 == 3' }] });
    assert.equal(body.breakpoints[0].verified, true);
    const expected = Array.from({ length: 14 }, (_, k) => 201 + k).filter((s) => s % 7 === 3);
    for (const step of expected) {
      const next = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: threads[1].id });
      await next;
      assert.match((await topFrame(dc, threads[1].id)).name, new RegExp(`step ${step}\\b`));
    }
  } finally {
    await dc.stop();
  }
});

test('a run with a cosine schedule and a projection, paused at a breakpoint and continued, is where the engine puts it', async () => {
  const text = `f = (1 - x)^2 + 100*(y - x^2)^2
start = (-1.5, 2)
optimizer adam lr=0.05 project=(-1, 1)
schedule cosine T_max=300 eta_min=0.001
steps = 300
`;
  const program = writeLoss('scheduled.loss', text);
  const run = { optimizer: 'adam', options: { lr: 0.05 }, schedule: { type: 'cosine', T_max: 300, eta_min: 0.001 }, project: [[-1, 1]] };
  const final = async (spec) => {
    const [trace] = await engine.runs({ loss: text, runs: [spec], steps: 300 });
    return [trace.rows[300 * 4], trace.rows[300 * 4 + 1]];
  };
  const expected = await final(run);
  assert.notDeepEqual(expected, await final({ optimizer: 'adam', options: { lr: 0.05 } }), 'the schedule and the box change where Adam ends');
  const { dc } = await launch(program, async (client) => {
    await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step == 120' }, { name: 'step == 300' }] });
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    const event = await dc.firstStop;
    assert.match((await topFrame(dc, event.body.threadId)).name, /step 120\b/);
    const last = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: event.body.threadId });
    await last;
    const frame = await topFrame(dc, event.body.threadId);
    assert.match(frame.name, /step 300\b/);
    const shown = await variables(dc, frame.id);
    assert.deepEqual([shown.x, shown.y], expected);
  } finally {
    await dc.stop();
  }
});

test('an invalid condition is an unverified breakpoint with the reason, and the other breakpoints still work', async () => {
  const program = writeLoss('invalid.loss', ROSENBROCK);
  let result;
  const { dc } = await launch(program, async (client) => {
    ({ body: { breakpoints: result } } = await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'lose < 1' }, { name: 'step == 7' }] }));
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    assert.equal(result[0].verified, false);
    assert.match(result[0].message, /lose/);
    assert.match(result[0].message, /Did you mean 'loss'/);
    assert.equal(result[1].verified, true);
    const event = await dc.firstStop;
    assert.match((await topFrame(dc, event.body.threadId)).name, /step 7\b/);
  } finally {
    await dc.stop();
  }
});

test('divergence pauses as an exception (on by default); without the filter the run just ends', async () => {
  const text = 'f = x^4 + y^4\nstart = (2, 2)\noptimizer sgd lr=1\nsteps = 100\n';
  const program = writeLoss('diverge.loss', text);
  const { stoppedAt } = await engine.trace({ loss: text, optimizer: 'sgd', options: { lr: 1 }, steps: 100 });
  const { status } = await engine.trace({ loss: text, optimizer: 'sgd', options: { lr: 1 }, steps: 100 });
  assert.equal(status, 'diverged');
  const { dc } = await launch(program, async (client) => {
    await client.setExceptionBreakpointsRequest({ filters: ['divergence'] });
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    const event = await dc.firstStop;
    assert.equal(event.body.reason, 'exception');
    assert.match(event.body.text, /diverged/);
    const frame = await topFrame(dc, event.body.threadId);
    assert.match(frame.name, /step \d+/);
    const step = Number(/step (\d+)/.exec(frame.name)[1]);
    assert.ok(step <= stoppedAt, `paused at the last finite step (${step}, diverged at ${stoppedAt})`);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: event.body.threadId });
    await terminated;
  } finally {
    await dc.stop();
  }

  const off = await launch(program, async (client) => {
    await client.setExceptionBreakpointsRequest({ filters: [] });
    client.ended = client.waitForEvent('terminated');
    client.stops = 0;
    client.on('stopped', () => client.stops++);
  });
  try {
    await off.dc.ended;
    assert.equal(off.dc.stops, 0);
  } finally {
    await off.dc.stop();
  }
});

test('stop on entry, continue to a breakpoint, evaluate in the console, restart stops at the entry again', async () => {
  const program = writeLoss('entry.loss', ROSENBROCK);
  const { dc } = await launch(program, async (client) => {
    await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step == 20' }] });
    client.firstStop = client.waitForEvent('stopped');
  }, { stopOnEntry: true });
  try {
    const entry = await dc.firstStop;
    assert.equal(entry.body.reason, 'entry');
    assert.match((await topFrame(dc, entry.body.threadId)).name, /step 0\b/);
    const atBreakpoint = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: entry.body.threadId });
    assert.equal((await atBreakpoint).body.reason, 'breakpoint');
    assert.match((await topFrame(dc, entry.body.threadId)).name, /step 20\b/);
    const { body: evaluated } = await dc.evaluateRequest({ expression: 'loss', context: 'repl' });
    assert.equal(Number(evaluated.result), (await engineState(ROSENBROCK, 'adam', { lr: 0.05 }, 20)).loss);
    const { success, message } = await dc.evaluateRequest({ expression: 'exp_avg_z', context: 'repl' }).catch((e) => ({ success: false, message: e.message }));
    assert.equal(success, false);
    assert.match(message, /exp_avg_z/);

    const restarted = dc.waitForEvent('stopped');
    await dc.restartRequest({});
    const again = await restarted;
    assert.equal(again.body.reason, 'entry');
    assert.match((await topFrame(dc, again.body.threadId)).name, /step 0\b/);
  } finally {
    await dc.stop();
  }
});

test('a .loss naming a built-in with per-run minibatch keys (as the lessons write) debugs with the engine\'s stochastic steps', async () => {
  const text = `builtin linear_regression samples=64 seed=1
params w, b
start = (4.5, 1.5)
optimizer sgd lr=0.02 batch=8 seed=3
steps = 50
`;
  const program = writeLoss('minibatch.loss', text);
  const { dc } = await launch(program, async (client) => {
    await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step == 7' }] });
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    const stop = await dc.firstStop;
    assert.equal(stop.body.reason, 'breakpoint');
    const frame = await topFrame(dc, stop.body.threadId);
    assert.match(frame.name, /step 7\b/);
    const [run] = await engine.runs({
      loss: 'linear_regression', lossParams: { samples: 64, seed: 1 }, steps: 7,
      runs: [{ optimizer: 'sgd', options: { lr: 0.02 }, start: [4.5, 1.5], stochastic: { batchSize: 8, seed: 3 } }],
    });
    const width = run.dim + 2;
    const shown = await variables(dc, frame.id);
    assert.equal(shown.w, run.rows[7 * width]);
    assert.equal(shown.b, run.rows[7 * width + 1]);
    const [fullBatch] = await engine.runs({ loss: 'linear_regression', lossParams: { samples: 64, seed: 1 }, steps: 7, runs: [{ optimizer: 'sgd', options: { lr: 0.02 }, start: [4.5, 1.5] }] });
    assert.notEqual(shown.w, fullBatch.rows[7 * width], 'the minibatch keys reached the engine');
  } finally {
    await dc.stop();
  }
});

test('a network: the Variables view groups parameters, gradients and state by tensor (W1, b1, W2, b2); a 13-parameter net has its Hessian scope (and its update rule)', async () => {
  const text = `data x1, x2, y = [0, 0, 0; 1, 1, 1; -1, 0.5, 1; 0.5, -1, 0]
network 2-3-1 activation=tanh loss=bce batchnorm=false seed=2
optimizer adam lr=0.05
steps = 50
`;
  const program = writeLoss('network.loss', text);
  const { dc } = await launch(program, async (client) => {
    await client.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step == 7' }] });
    client.firstStop = client.waitForEvent('stopped');
  });
  try {
    const event = await dc.firstStop;
    const frame = await topFrame(dc, event.body.threadId);
    const { body: { scopes } } = await dc.scopesRequest({ frameId: frame.id });
    assert.deepEqual(scopes.map((s) => s.name), ['Step 7', 'Hessian', 'Update rule']);
    const { body: { variables: hessian } } = await dc.variablesRequest({ variablesReference: scopes[1].variablesReference });
    assert.equal(hessian.filter((v) => v.name.startsWith('eigenvalue')).length, 13);
    assert.equal(hessian.filter((v) => v.name.startsWith('H[')).length, 13 * 13);
    const { body: { variables: top } } = await dc.variablesRequest({ variablesReference: scopes[0].variablesReference });
    const groups = top.filter((v) => v.variablesReference > 0);
    assert.deepEqual(groups.map((g) => [g.name, g.value]), [['W1', '6 parameters'], ['b1', '3 parameters'], ['W2', '3 parameters'], ['b2', '1 parameter']]);
    assert.deepEqual(top.filter((v) => v.variablesReference === 0).map((v) => v.name).slice(0, 4), ['step', 'loss', 'gradnorm', 'lr']);
    const [run] = await engine.runs({ loss: text, runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 7, recordState: true });
    const width = run.dim + 2;
    const { body: { variables: w1 } } = await dc.variablesRequest({ variablesReference: groups[0].variablesReference });
    const shown = Object.fromEntries(w1.map((v) => [v.name, Number(v.value)]));
    // W1[2,1] is parameter 2 (row 2, column 1 of a 3x2 matrix); its gradient and Adam's moments sit beside it.
    assert.equal(shown['W1[2,1]'], run.rows[7 * width + 2]);
    const stateAt = (name) => run.state[7 * run.stateNames.length + run.stateNames.indexOf(name)];
    for (const name of ['grad_W1[2,1]', 'exp_avg_W1[2,1]', 'exp_avg_sq_W1[2,1]']) assert.equal(shown[name], stateAt(name), name);
    assert.ok(!Object.keys(shown).some((name) => name.includes('b1')), 'only W1 in the W1 group');
    const evaluateName = w1.find((v) => v.name === 'W1[2,1]').evaluateName;
    const { body: evaluated } = await dc.evaluateRequest({ expression: `${evaluateName} * 2`, frameId: frame.id, context: 'repl' });
    assert.equal(Number(evaluated.result), run.rows[7 * width + 2] * 2);
  } finally {
    await dc.stop();
  }
});
