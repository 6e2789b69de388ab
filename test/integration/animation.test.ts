// Export Animation in a real extension host with a real webview: cancel stops at once and writes nothing, a closed
// panel ends the export with a message, bad settings write nothing (the e2e test exports the GIFs themselves).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedWorkspace, EXTENSION_ID, measureEventLoop, until, webviewTabs } from './wait';
import { getEngineClient } from '../../src/engine/client';
import { PLAYGROUND, ScenarioPanel, type PanelServices } from '../../src/panels/scenarioPanel';
import type { Scenario } from '../../src/shared/protocol';

const scenario: Scenario = { loss: 'rosenbrock', start: [-1.5, 2], runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 300, view: null };
/** Every third step: more frames than an export gets through before the test cancels it. */
const manySteps = Array.from({ length: 101 }, (_, i) => 3 * i);

describe('export animation', () => {
  let services: PanelServices;
  const infos: string[] = [];
  let folder: vscode.Uri;

  before(async () => {
    folder = vscode.Uri.joinPath(await activatedWorkspace(), 'animations');
    await vscode.workspace.fs.createDirectory(folder);
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const context = { extensionUri: extension.extensionUri, subscriptions: [] as vscode.Disposable[] };
    const engine = getEngineClient(context as unknown as vscode.ExtensionContext);
    const log = { trace() {}, info: (line: string) => infos.push(line), error() {}, warn() {} };
    services = { extensionUri: extension.extensionUri, engine: () => engine, log: log as unknown as vscode.LogOutputChannel, pickScenario: async () => undefined };
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** A Playground of this test's own, once its landscape and runs are on screen. */
  async function paintedPanel(): Promise<ScenarioPanel> {
    infos.length = 0;
    const panel = ScenarioPanel.createOrShow(PLAYGROUND, services, scenario);
    await until(() => infos.some((line) => /first paint \d+ ms/.test(line)), Boolean, 'the first paint', 60_000);
    return panel;
  }

  const exists = async (uri: vscode.Uri) => vscode.workspace.fs.stat(uri).then(() => true, () => false);

  it('cancel rejects at once, no frame comes after it, and the panel exports again right after', async function () {
    this.timeout(120_000);
    const panel = await paintedPanel();
    const source = new vscode.CancellationTokenSource();
    let framesAfterCancel = 0;
    const cancelled = panel.animate({ format: 'gif', steps: manySteps, fps: 15, width: 200 }, source.token, (framesDone) => {
      if (source.token.isCancellationRequested) framesAfterCancel++;
      else if (framesDone >= 2) source.cancel();
    });
    await assert.rejects(cancelled, (error: Error) => error.name === 'CancelledError');
    assert.equal(framesAfterCancel, 0);
    // The page stopped the cancelled export: a new one is not refused as "being exported".
    let progressCalls = 0;
    const loop = measureEventLoop();
    const started = Date.now();
    const bytes = await panel.animate({ format: 'gif', steps: manySteps.slice(0, 21), fps: 10, width: 640 }, new vscode.CancellationTokenSource().token, () => progressCalls++);
    const { maxMs } = loop.stop();
    // Measured, not asserted (speed goals live in the bench): the host only collects the parts.
    console.log(`21 frames at 640 px: ${bytes.length} bytes in ${Date.now() - started} ms; the host's event loop delay at most ${maxMs} ms`);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), 'GIF89a');
    assert.equal(bytes[bytes.length - 1], 0x3b, 'the trailer ends the file');
    assert.equal(progressCalls, 21, 'one part per frame');
    assert.equal(bytes[6] | (bytes[7] << 8), 640, 'the width asked for');
  });

  it('closing the panel during an export rejects it with "the panel was closed"', async function () {
    this.timeout(120_000);
    const panel = await paintedPanel();
    const animation = panel.animate({ format: 'gif', steps: manySteps, fps: 15, width: 200 }, new vscode.CancellationTokenSource().token, (framesDone) => {
      if (framesDone === 1) panel.dispose();
    });
    await assert.rejects(animation, /the panel was closed/);
    await assert.rejects(panel.animate({ format: 'gif', steps: [0], fps: 15 }, new vscode.CancellationTokenSource().token, () => {}), /the panel was closed/);
  });

  it('the command says what is wrong with bad settings or a missing panel and writes nothing; good ones write the file', async function () {
    this.timeout(120_000);
    const uri = vscode.Uri.joinPath(folder, 'rosenbrock.gif');
    const run = (settings: Record<string, unknown>) => vscode.commands.executeCommand<{ frames: number; bytes: number } | undefined>('optiscope.exportAnimation', { format: 'gif', uri, ...settings });
    const shown: string[] = [];
    const window = vscode.window as unknown as Record<'showErrorMessage' | 'showInformationMessage', unknown>;
    const originals = { error: vscode.window.showErrorMessage, info: vscode.window.showInformationMessage };
    window.showErrorMessage = window.showInformationMessage = async (message: string) => {
      shown.push(message);
      return undefined;
    };
    try {
      assert.equal(await run({}), undefined);
      assert.deepEqual(shown.splice(0), ['Optiscope: open a Playground or Compare panel first, then export its animation.']);
      await vscode.commands.executeCommand('optiscope.openPlayground', 'rosenbrock');
      await until(() => webviewTabs(PLAYGROUND.viewType), (tabs) => tabs.length === 1, 'the Playground');
      const steps = vscode.workspace.getConfiguration('optiscope.panels').get<number>('steps')!;
      const cases: [Record<string, unknown>, string][] = [
        [{ width: 0 }, 'The width must be a whole number of pixels from 16 to 1920 (got 0).'],
        [{ width: 'wide' }, 'The width must be a whole number of pixels from 16 to 1920 (got NaN).'],
        [{ fps: 0 }, 'The frame rate must be from 1 to 50 frames per second (got 0).'],
        [{ fps: 200 }, 'The frame rate must be from 1 to 50 frames per second (got 200).'],
        [{ from: 50, to: 10 }, 'The step range 50–10 is empty: its first step is after its last.'],
        [{ to: steps + 1 }, `The step range 0–${steps + 1} is outside the run's steps 0–${steps}.`],
        [{ frames: 0 }, 'The number of frames must be a whole number from 1 to 1000 (got 0).'],
      ];
      for (const [bad, message] of cases) {
        assert.equal(await run({ panel: 'playground', ...bad }), undefined, JSON.stringify(bad));
        assert.deepEqual(shown.splice(0), [`Optiscope: ${message}`]);
        assert.equal(await exists(uri), false, `nothing written for ${JSON.stringify(bad)}`);
      }
    } finally {
      window.showErrorMessage = originals.error;
      window.showInformationMessage = originals.info;
    }
    const written = await until(() => run({ panel: 'playground', width: 100, fps: 10, from: 0, to: 300, frames: 4 }), (result) => result !== undefined, 'an export of the open panel', 60_000);
    assert.equal(written?.frames, 4);
    assert.equal((await vscode.workspace.fs.readFile(uri)).length, written?.bytes);
  });
});
