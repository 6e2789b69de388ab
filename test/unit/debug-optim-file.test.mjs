// The debugger on a .loss whose optimizer line names a .optim file (`optimizer "lion.optim"`): the adapter
// (dist/debugAdapter.js over DAP) reads the file beside the .loss and debugs its rule, with its state by name; a file
// that cannot be read refuses the launch with the reason and the place.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { createEngine } = require('../../dist/engine.js');
const adapter = fileURLToPath(new URL('../../dist/debugAdapter.js', import.meta.url));
const lion = readFileSync(new URL('../../examples/lion.optim', import.meta.url), 'utf8');
const engine = await createEngine();
const folder = mkdtempSync(join(tmpdir(), 'optiscope-debug-optim-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const LOSS = 'f = (x - 1)^2 + 10*(y + 0.5)^2\nstart = (2, 1)\noptimizer "lion.optim" lr=0.01\nsteps = 200\n';

function write(name, text) {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

async function start() {
  const dc = new DebugClient('node', adapter, 'optiscope');
  dc.defaultTimeout = 20_000;
  await dc.start();
  const { success } = await dc.initializeRequest({ adapterID: 'optiscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  assert.ok(success);
  return dc;
}

test('a .optim file named on an optimizer line is read and debugged: its state (Lion\'s m) is the engine\'s', async () => {
  write('lion.optim', lion);
  const program = write('lion.loss', LOSS);
  const dc = await start();
  try {
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ program });
    await initialized;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'step == 25' }] });
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await launched;
    const event = await stopped;
    const { body: { threads } } = await dc.threadsRequest();
    assert.match(threads[0].name, /lion/);
    const { body: { stackFrames } } = await dc.stackTraceRequest({ threadId: event.body.threadId });
    assert.match(stackFrames[0].name, /step 25\b/);
    const { body: { result } } = await dc.evaluateRequest({ expression: 'm_y', context: 'repl', frameId: stackFrames[0].id });
    const [run] = await engine.runs({ loss: LOSS.split('\noptimizer')[0], runs: [{ optimizer: lion, options: { lr: 0.01 } }], steps: 25, recordState: true });
    const want = run.state[25 * run.stateNames.length + run.stateNames.indexOf('m_y')];
    assert.equal(Number(result), want);
    assert.notEqual(want, 0);
  } finally {
    await dc.stop();
  }
});

test('an optimizer file that is missing refuses the launch with the reason and the line', async () => {
  const program = write('missing.loss', LOSS.replace('lion.optim', 'nowhere.optim'));
  const dc = await start();
  try {
    await assert.rejects(dc.launchRequest({ program }), /line 3, column 11: Cannot read the optimizer file "nowhere\.optim"/);
    const refused = write('not-optimizer.loss', LOSS.replace('lion.optim', 'data.csv'));
    write('data.csv', 'x,y\n1,2\n');
    await assert.rejects(dc.launchRequest({ program: refused }), /data\.csv is not an optimizer/);
  } finally {
    await dc.stop();
  }
});
