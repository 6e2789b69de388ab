// The "optiscope" debug type in a real extension host: F5 on a .loss file, a function breakpoint on the loss,
// the paused run's state through the debug session, stepping back and forth, and the Playground showing the run.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, until, webviewTabs } from './wait';
import { createEngine } from '../../src/engine/index';

const ROSENBROCK = `# Rosenbrock's banana
f = (1 - x)^2 + 100*(y - x^2)^2
start = (-1.5, 2)
optimizer adam lr=0.05
steps = 3000
`;

interface Message {
  type: string;
  event?: string;
  body?: Record<string, unknown>;
}

/** Every message the adapters of type optiscope send to the editor. */
const sent: Message[] = [];

async function variablesOf(session: vscode.DebugSession, threadId: number): Promise<{ frame: { name: string; line: number }; values: Record<string, number> }> {
  const { stackFrames } = await session.customRequest('stackTrace', { threadId });
  const frame = stackFrames[0];
  const { scopes } = await session.customRequest('scopes', { frameId: frame.id });
  const { variables } = await session.customRequest('variables', { variablesReference: scopes[0].variablesReference });
  return { frame, values: Object.fromEntries(variables.map((v: { name: string; value: string }) => [v.name, Number(v.value)])) };
}

function stops(): Message[] {
  return sent.filter((m) => m.type === 'event' && m.event === 'stopped');
}

describe('debugging a .loss file', () => {
  let program: vscode.Uri;
  let tracker: vscode.Disposable;

  before(async () => {
    program = vscode.Uri.joinPath(await activatedWorkspace(), 'rosenbrock.loss');
    await vscode.workspace.fs.writeFile(program, new TextEncoder().encode(ROSENBROCK));
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('optiscope', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (message: Message) => void sent.push(message) }),
    });
  });

  after(() => tracker.dispose());

  afterEach(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await until(() => vscode.debug.activeDebugSession, (s) => s === undefined, 'the debug session to end');
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    sent.length = 0;
  });

  it('F5 on the open .loss file (no launch.json) stops Adam where the loss first drops below 1e-3, with m and v', async function () {
    this.timeout(90_000);
    const engine = await createEngine();
    const { stoppedAt } = await engine.trace({ loss: ROSENBROCK, optimizer: 'adam', options: { lr: 0.05 }, steps: 3000, breakpoints: ['loss < 1e-3'] });
    const [run] = await engine.runs({ loss: ROSENBROCK, runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: stoppedAt + 1, recordState: true });
    const stateAt = (step: number, name: string) => run.state![step * run.stateNames!.length + run.stateNames!.indexOf(name)];

    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('loss < 1e-3')]);
    await vscode.window.showTextDocument(program);
    await vscode.commands.executeCommand('workbench.action.debug.start');
    const session = await until(() => vscode.debug.activeDebugSession, (s) => s?.type === 'optiscope', 'an optiscope debug session', 20_000);
    assert.equal(session!.configuration.program, program.fsPath);
    const stop = (await until(stops, (list) => list.length > 0, 'the run to stop', 20_000))[0];
    assert.equal(stop.body!.reason, 'breakpoint');
    const threadId = stop.body!.threadId as number;

    const { frame, values } = await variablesOf(session!, threadId);
    assert.match(frame.name, new RegExp(`step ${stoppedAt}\\b`));
    assert.equal(frame.line, 4, 'the frame is the optimizer line');
    assert.ok(values.loss < 1e-3);
    for (const name of ['exp_avg_x', 'exp_avg_y', 'exp_avg_sq_x', 'exp_avg_sq_y']) assert.equal(values[name], stateAt(stoppedAt, name), name);
    const { result } = await session!.customRequest('evaluate', { expression: 'exp_avg_sq_y * 2', frameId: undefined, context: 'repl' });
    assert.equal(Number(result), 2 * stateAt(stoppedAt, 'exp_avg_sq_y'));

    // The Playground shows the same run.
    await until(() => webviewTabs('optiscope.playground').length, (n) => n === 1, 'the Playground bound to the session');

    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    await until(stops, (list) => list.length === 2, 'the step to stop');
    assert.match((await variablesOf(session!, threadId)).frame.name, new RegExp(`step ${stoppedAt + 1}\\b`));
    await vscode.commands.executeCommand('workbench.action.debug.stepBack');
    await until(stops, (list) => list.length === 3, 'the step back to stop');
    const back = await variablesOf(session!, threadId);
    assert.match(back.frame.name, new RegExp(`step ${stoppedAt}\\b`));
    assert.equal(back.values.exp_avg_x, stateAt(stoppedAt, 'exp_avg_x'));

    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await until(() => vscode.debug.activeDebugSession, (s) => s === undefined, 'the run to end', 20_000);
  });

  it('a line breakpoint on the optimizer line with a hit count pauses every 100th step; an invalid condition is unverified', async () => {
    const line = new vscode.Location(program, new vscode.Position(3, 0));
    const bad = new vscode.Location(program, new vscode.Position(1, 0));
    vscode.debug.addBreakpoints([
      new vscode.SourceBreakpoint(line, true, undefined, '% 100'),
      new vscode.SourceBreakpoint(bad, true, 'lose < 1'),
    ]);
    await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'optiscope', request: 'launch', name: 'Debug training run', program: program.fsPath });
    const stop = (await until(stops, (list) => list.length > 0, 'the run to stop', 20_000))[0];
    const session = vscode.debug.activeDebugSession!;
    assert.match((await variablesOf(session, stop.body!.threadId as number)).frame.name, /step 100\b/);
    const verification = sent.filter((m) => m.type === 'response' && (m as { command?: string }).command === 'setBreakpoints').at(-1) as unknown as { body: { breakpoints: { verified: boolean; message?: string }[] } };
    const invalid = verification.body.breakpoints.find((b) => !b.verified);
    assert.ok(invalid, 'the breakpoint with the invalid condition is unverified');
    assert.match(invalid.message ?? '', /lose/);
  });
});
