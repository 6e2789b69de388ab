// The panels in a real extension host: commands open and reuse the Playground, the serializer restores or closes it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, measureEventLoop, until, webviewTabs } from './wait';
import { getEngineClient } from '../../src/engine/client';
import { COMPARE, PLAYGROUND, ScenarioPanel, ScenarioPanelSerializer, type PanelServices } from '../../src/panels/scenarioPanel';
import { decodeEmbedded, EMBEDDED_SNAPSHOT_ID, type RunConfig, type RunsData, type Scenario, type Snapshot } from '../../src/shared/protocol';

const playgroundTabs = () => webviewTabs(PLAYGROUND.viewType);
const compareTabs = () => webviewTabs(COMPARE.viewType);

describe('panels', () => {
  let extension: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found);
    await found.activate();
    extension = found;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Open Playground with a loss name opens one panel and reuses it for the next loss', async () => {
    await vscode.commands.executeCommand('optiscope.openPlayground', 'rosenbrock');
    const [first] = await until(playgroundTabs, (tabs) => tabs.length === 1, 'the Playground tab');
    assert.equal(first.label, 'Playground: Rosenbrock');

    await vscode.commands.executeCommand('optiscope.openPlayground', 'beale');
    const tabs = await until(playgroundTabs, (t) => t.length === 1 && t[0].label !== 'Playground: Rosenbrock', 'the retitled tab');
    assert.match(tabs[0].label, /^Playground: Beale/);
  });

  it("Compare Optimizers opens a Compare panel with the open Playground's scenario", async () => {
    await vscode.commands.executeCommand('optiscope.openPlayground', 'himmelblau');
    await until(playgroundTabs, (tabs) => tabs.length === 1, 'the Playground tab');
    await vscode.commands.executeCommand('optiscope.compareOptimizers');
    const [tab] = await until(compareTabs, (tabs) => tabs.length === 1, 'the Compare tab');
    assert.equal(tab.label, "Compare: Himmelblau's function");
  });

  describe('serializer', () => {
    const context = { extensionUri: vscode.Uri.file('/'), subscriptions: [] as vscode.Disposable[] };
    let services: PanelServices;
    const warnings: string[] = [];

    before(() => {
      context.extensionUri = extension.extensionUri;
      const log = { trace() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
      const engine = getEngineClient(context as unknown as vscode.ExtensionContext);
      services = {
        extensionUri: extension.extensionUri,
        engine: () => engine,
        log: log as unknown as vscode.LogOutputChannel,
        pickScenario: async () => undefined,
      };
    });

    after(() => {
      for (const disposable of context.subscriptions) disposable.dispose();
    });

    /** A panel as VS Code hands it to a serializer: already loaded (with a placeholder page here). */
    async function newPanel(): Promise<vscode.WebviewPanel> {
      const panel = vscode.window.createWebviewPanel(PLAYGROUND.viewType, 'restoring', vscode.ViewColumn.Active, { enableScripts: true });
      const loaded = new Promise((resolve) => panel.webview.onDidReceiveMessage(resolve));
      panel.webview.html = '<!DOCTYPE html><script>acquireVsCodeApi().postMessage("loaded")</script>';
      await loaded;
      return panel;
    }

    it('restores a panel from valid state with a strict CSP and local resource roots', async () => {
      const panel = await newPanel();
      const scenario = { loss: 'himmelblau', start: [1, 1], runs: [{ optimizer: 'adam', options: { lr: 0.1 } }], steps: 50, view: null };
      await new ScenarioPanelSerializer(PLAYGROUND, services).deserializeWebviewPanel(panel, { version: 1, scenario });
      assert.equal(panel.title, "Playground: Himmelblau's function");
      const html = panel.webview.html;
      const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9]{32}'/);
      assert.doesNotMatch(csp, /unsafe-(eval|inline)/);
      assert.doesNotMatch(html, /style="/);
      // The toolkit's components: a second script of the extension's, which the page loads with its nonce.
      assert.match(html, /data-components="[^"]*\/dist\/components\.js"/);
      const roots = (panel.webview.options.localResourceRoots ?? []).map((uri) => uri.path.split('/').pop());
      assert.deepEqual(roots, ['dist', 'media']);
      assert.equal(panel.webview.options.enableScripts, true);
      panel.dispose();
    });

    it('a new panel gets its first snapshot in the page (a nonce\'d JSON script), under the same strict CSP', async () => {
      const scenario = { loss: 'rosenbrock', start: [-1.5, 2], runs: [{ optimizer: 'adam', options: { lr: 0.05 } }], steps: 40, view: null };
      const shown = ScenarioPanel.createOrShow(PLAYGROUND, services, scenario);
      const html = await until(() => shown.panel.webview.html, (text) => text.length > 0, 'the page');
      const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce);
      const embedded = new RegExp(`<script nonce="${nonce}" type="application/json" id="${EMBEDDED_SNAPSHOT_ID}">([^<]*)</script>`).exec(html);
      assert.ok(embedded, 'the snapshot is in the page');
      const snapshot = decodeEmbedded(embedded[1]) as Snapshot;
      assert.deepEqual(snapshot.scenario, scenario);
      assert.equal(snapshot.loss.name, 'rosenbrock');
      assert.ok(snapshot.landscape && snapshot.landscape.values instanceof Float64Array && snapshot.landscape.values.length === snapshot.landscape.size[0] * snapshot.landscape.size[1]);
      shown.panel.dispose();
    });

    /** The services, with the info lines the panel logs and the engine work it tracks kept for the test. */
    function measuredServices(): { measured: PanelServices; infos: string[]; tracked: Promise<unknown>[] } {
      const tracked: Promise<unknown>[] = [];
      const infos: string[] = [];
      const measured: PanelServices = {
        ...services,
        log: { ...services.log, trace() {}, info: (line: string) => infos.push(line), error() {}, warn() {} } as unknown as vscode.LogOutputChannel,
        status: { track: <T>(_runs: number, work: Promise<T>) => (tracked.push(work), work) } as unknown as PanelServices['status'],
      };
      return { measured, infos, tracked };
    }

    /** The page of bench/minimal-webview (one small script that shows a word): ms from creating it to its first frame, and to the page starting. */
    async function minimalWebviewPaint(): Promise<{ paintedMs: number; pageMs: number }> {
      const media = vscode.Uri.joinPath(extension.extensionUri, 'bench', 'minimal-webview', 'media');
      const start = Date.now();
      const panel = vscode.window.createWebviewPanel('optiscope.minimalWebview', 'minimal', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media] });
      const painted = new Promise<{ pageStarted: number; paintedAt: number }>((resolve) => panel.webview.onDidReceiveMessage(resolve));
      const nonce = Math.random().toString(36).slice(2);
      const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'show.js'));
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'"></head><body><script nonce="${nonce}" src="${script}"></script></body></html>`;
      const { pageStarted, paintedAt } = await painted;
      panel.dispose();
      return { paintedMs: paintedAt - start, pageMs: pageStarted - start };
    }

    it('a new Playground paints its landscape and runs; its time and a minimal webview\'s are printed (desktop: node test/runTest.mjs)', async function () {
      this.timeout(120_000);
      const scenario: Scenario = { loss: 'rosenbrock', start: [-1.5, 2], runs: [{ optimizer: 'sgd', options: { lr: 0.001, momentum: 0.9 } }, { optimizer: 'adam', options: { lr: 0.05 } }], steps: 300, view: null };
      const playground: number[] = [];
      const minimal: number[] = [];
      // Alternated, so that both see the same warm-up.
      for (let round = 0; round < 3; round++) {
        const { measured, infos } = measuredServices();
        const shown = ScenarioPanel.createOrShow(PLAYGROUND, measured, scenario);
        const [line] = await until(() => infos.filter((l) => /first paint \d+ ms after the command/.test(l)), (lines) => lines.length > 0, 'the first paint', 50_000);
        console.log(`new Playground: ${line}`);
        // The page itself reported the frame (with its clock), after VS Code started it.
        const at = (stage: string) => Number(new RegExp(`${stage} (\\d+)`).exec(line)?.[1]);
        assert.ok(at('page loading') >= 0 && at('painted in the page') > at('page loading'), line);
        playground.push(at('painted in the page'));
        shown.panel.dispose();
        const probe = await minimalWebviewPaint();
        assert.ok(probe.pageMs >= 0 && probe.paintedMs > probe.pageMs, JSON.stringify(probe));
        console.log(`a minimal webview (one small script): page started ${probe.pageMs} ms, painted ${probe.paintedMs} ms after it was created`);
        minimal.push(probe.paintedMs);
      }
      console.log(`first paint, ms after opening (3 rounds): new Playground ${playground.join(', ')}; a minimal webview ${minimal.join(', ')}`);
    });

    it('8 runs x 10 000 steps stream into a Playground: every step arrives; the host\'s event-loop delay is measured', async function () {
      this.timeout(120_000);
      const { measured, infos, tracked } = measuredServices();
      const optimizers = ['sgd', 'sgd', 'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adam'];
      const options: RunConfig['options'][] = [{ lr: 0.0005 }, { lr: 0.0005, momentum: 0.9 }, { lr: 0.0005, momentum: 0.9, nesterov: true }, { lr: 0.5 }, { lr: 0.005 }, { lr: 0.02 }, { lr: 0.02 }, { lr: 0.02, amsgrad: true }];
      const scenario: Scenario = { loss: '(1 - x)^2 + 100*(y - x^2)^2', start: [-1.5, 2], runs: optimizers.map((optimizer, i) => ({ optimizer, options: options[i] })), steps: 10_000, view: null };
      const loop = measureEventLoop();
      const shown = ScenarioPanel.createOrShow(PLAYGROUND, measured, scenario);
      const [stream] = await until(() => tracked, (works) => works.length > 0, 'the stream');
      const runs = (await stream) as RunsData;
      await until(() => infos, (lines) => lines.some((line) => /first paint/.test(line)), 'the first paint', 60_000);
      const delayMs = loop.stop();
      console.log(`extension host event-loop delay (beyond the 1 ms sampling interval) while 8 x 10 000 steps streamed into the Playground: ${JSON.stringify(delayMs)}`);
      assert.deepEqual(runs.traces.map((trace) => trace.rowCount), optimizers.map(() => 10_001));
      assert.ok(runs.traces.every((trace) => trace.status === 'completed'));
      shown.panel.dispose();
    });

    it('closes a panel whose saved state is invalid or from another version', async () => {
      for (const state of [undefined, { version: 99, scenario: {} }, { version: 1, scenario: { loss: 3 } }]) {
        const panel = await newPanel();
        let disposed = false;
        panel.onDidDispose(() => (disposed = true));
        await new ScenarioPanelSerializer(PLAYGROUND, services).deserializeWebviewPanel(panel, state);
        assert.equal(disposed, true, JSON.stringify(state));
      }
      assert.equal(warnings.length, 3);
    });

    it('restores a panel whose saved state has only a damaged display field, with the default display', async () => {
      warnings.length = 0;
      const scenario = { loss: 'himmelblau', start: [1, 1], runs: [{ optimizer: 'adam', options: { lr: 0.1 } }], steps: 50, view: null };
      const panel = await newPanel();
      let disposed = false;
      panel.onDidDispose(() => (disposed = true));
      await new ScenarioPanelSerializer(PLAYGROUND, services).deserializeWebviewPanel(panel, { version: 1, scenario, display: { landscape: '4d', gradientField: 'yes' } });
      assert.equal(disposed, false);
      assert.equal(panel.title, "Playground: Himmelblau's function");
      assert.deepEqual(warnings, ['Playground: the saved display options were damaged; the panel shows the defaults']);
      panel.dispose();
    });
  });
});
