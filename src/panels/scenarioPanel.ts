// A panel showing one scenario, driven by its webview over src/protocol.ts: the Playground (one landscape with
// every run) or Compare (one landscape per run, a metrics table).
import * as vscode from 'vscode';
import type { Engine, RunSpec, RunsRequest, RunTrace } from '../engine/api';
import type { CancelSignal } from '../engine/engineClient';
import {
  MessageHandler,
  parseFromWebview,
  parsePanelState,
  type FromWebview,
  type ImageFormat,
  type PlaybackAction,
  type RenderedImage,
  type LandscapeData,
  type LandscapeQuery,
  type Reply,
  type RunsData,
  type Scenario,
  type Snapshot,
  type ToWebview,
} from '../protocol';
import { parseLoss } from '../loss/index';
import { Disposable } from './dispose';
import { scenarioLossFile, trajectoriesCsv, trajectoriesJson, type ExportFormat } from './export';
import { runLabel, scenarioKey } from './scenario';
import type { RunningStatus } from './status';
import { rateOutcome, searchRate } from './tune';
import { panelSettings } from './settings';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface PanelKind {
  viewType: string;
  view: 'playground' | 'compare';
  /** Title prefix, e.g. "Playground: Rosenbrock". */
  name: string;
}

export const PLAYGROUND: PanelKind = { viewType: 'optiscope.playground', view: 'playground', name: 'Playground' };
export const COMPARE: PanelKind = { viewType: 'optiscope.compare', view: 'compare', name: 'Compare' };

export interface PanelServices {
  extensionUri: vscode.Uri;
  /** The engine, started on first use; long requests can be cancelled. */
  engine: () => Engine & { runs(request: RunsRequest, cancel?: CancelSignal): Promise<RunTrace[]> };
  log: vscode.LogOutputChannel;
  /** The status-bar item while the engine computes. */
  status?: RunningStatus;
  /** Asks the user for a loss and returns a fresh scenario for it (undefined when cancelled). */
  pickScenario: () => Promise<Scenario | undefined>;
}

/** What the engine needs of a run besides its start and label. */
function runSpec(run: Scenario['runs'][number]): RunSpec {
  return { optimizer: run.optimizer, options: run.options, stochastic: run.stochastic, schedule: run.schedule, project: run.project };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ScenarioPanel extends Disposable {
  /** At most one panel of each kind: opening another scenario reuses it. */
  private static readonly current = new Map<string, ScenarioPanel>();

  static active(kind: PanelKind): ScenarioPanel | undefined {
    return ScenarioPanel.current.get(kind.viewType);
  }

  /** The panel in front: the active one, else the Playground, else Compare. */
  static focused(): ScenarioPanel | undefined {
    const panels = [...ScenarioPanel.current.values()];
    return panels.find((p) => p.panel.active) ?? ScenarioPanel.active(PLAYGROUND) ?? ScenarioPanel.active(COMPARE);
  }

  static createOrShow(kind: PanelKind, services: PanelServices, scenario: Scenario): ScenarioPanel {
    const openedAt = Date.now();
    const existing = ScenarioPanel.active(kind);
    if (existing) {
      existing.panel.reveal();
      existing.openedAt = openedAt;
      void existing.load(scenario);
      return existing;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(kind.viewType, `Optiscope ${kind.name}`, column, webviewOptions(services.extensionUri));
    const created = new ScenarioPanel(kind, panel, services, scenario);
    created.openedAt = openedAt;
    return created;
  }

  static revive(kind: PanelKind, panel: vscode.WebviewPanel, services: PanelServices, scenario: Scenario): ScenarioPanel {
    ScenarioPanel.active(kind)?.dispose();
    return new ScenarioPanel(kind, panel, services, scenario);
  }

  private openedAt: number | undefined;

  private constructor(
    private readonly kind: PanelKind,
    readonly panel: vscode.WebviewPanel,
    private readonly services: PanelServices,
    private scenario: Scenario,
  ) {
    super();
    ScenarioPanel.current.set(kind.viewType, this);
    this.register(panel);
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('optiscope.panels')) void this.pushSnapshot();
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'optiscope.svg');
    this.updateTitle();
    this.prefetch();
    panel.webview.html = webviewHtml(panel.webview, services.extensionUri, kind.view, panel.title);
  }

  /** Engine work started while the webview loads; its first requests for the same scenario use it. */
  private prefetched: { key: string; snapshot: Promise<Snapshot>; runs: Promise<RunsData> } | undefined;

  private prefetch(): void {
    const snapshot = this.snapshot();
    const runs = this.run(this.scenario);
    // A failure reaches the webview when it asks; until then it is not unhandled.
    snapshot.catch(() => undefined);
    runs.catch(() => undefined);
    this.prefetched = { key: scenarioKey(this.scenario), snapshot, runs };
  }

  get currentScenario(): Scenario {
    return this.scenario;
  }

  override dispose(): void {
    if (ScenarioPanel.active(this.kind) === this) ScenarioPanel.current.delete(this.kind.viewType);
    for (const waiting of this.renders.values()) waiting.reject(new Error('the panel was closed'));
    this.renders.clear();
    super.dispose();
  }

  get view(): PanelKind['view'] {
    return this.kind.view;
  }

  private nextRenderId = 1;
  private readonly renders = new Map<number, { resolve: (data: string) => void; reject: (error: Error) => void }>();

  /** The webview draws its plot as a PNG (base64) or an SVG document. */
  private render(format: ImageFormat): Promise<string> {
    const requestId = this.nextRenderId++;
    return new Promise((resolve, reject) => {
      this.renders.set(requestId, { resolve, reject });
      this.post({ type: 'render', requestId, format });
    });
  }

  private settleRender(message: RenderedImage): void {
    const waiting = this.renders.get(message.inReplyTo);
    if (!waiting) return;
    this.renders.delete(message.inReplyTo);
    if ('error' in message) waiting.reject(new Error(message.error));
    else waiting.resolve(message.data);
  }

  /**
   * Searches each run's learning rate in the engine (one `runs` call of candidate rates per run, and one more
   * decade while the best is at an edge: searchRate) and shows every run at its best rate. Runs without a numeric `lr`, or whose every candidate diverged, keep theirs.
   */
  async tuneLearningRates(cancel: CancelSignal, progress: (done: number, total: number, label: string) => void): Promise<Scenario> {
    const engine = this.services.engine();
    const scenario = structuredClone(this.scenario);
    const loss = await engine.lossInfo(scenario.loss, scenario.lossParams);
    const best = loss.minima.length > 0 ? Math.min(...loss.minima.map((m) => m.value)) : undefined;
    const optimizers = engine.optimizers();
    const start = scenario.start ?? undefined;
    for (const [index, run] of scenario.runs.entries()) {
      const lr = run.options.lr;
      progress(index, scenario.runs.length, runLabel(run, optimizers));
      if (typeof lr !== 'number' || !(lr > 0)) continue;
      const evaluate = async (rates: number[]) => {
        const traces = await this.tracked(
          rates.length,
          engine.runs(
            {
              loss: scenario.loss,
              lossParams: scenario.lossParams,
              steps: scenario.steps,
              runs: rates.map((rate) => ({ ...runSpec(run), options: { ...run.options, lr: rate }, start })),
            },
            cancel,
          ),
        );
        return traces.map((trace, k) => rateOutcome(rates[k], trace, best));
      };
      const { best: chosen } = await searchRate(lr, evaluate);
      if (chosen) run.options = { ...run.options, lr: chosen.lr };
    }
    progress(scenario.runs.length, scenario.runs.length, '');
    if (!this.isDisposed) await this.load(scenario);
    return scenario;
  }

  private tracked<T>(runs: number, work: Promise<T>): Promise<T> {
    return this.services.status ? this.services.status.track(runs, work) : work;
  }

  /** Play / pause or one step, as the panel's own keys do (the keybindings' commands). */
  playback(action: PlaybackAction): void {
    this.post({ type: 'playback', action });
  }

  /** The file Export writes for this panel's scenario. */
  async exportData(format: ExportFormat): Promise<Uint8Array> {
    const encode = (text: string) => new TextEncoder().encode(text);
    if (format === 'png') return Uint8Array.from(atob(await this.render('png')), (c) => c.charCodeAt(0));
    if (format === 'svg') return encode(await this.render('svg'));
    const engine = this.services.engine();
    const scenario = this.scenario;
    const loss = await engine.lossInfo(scenario.loss, scenario.lossParams);
    if (format === 'loss') {
      const builtin = engine.losses().some((l) => l.name === scenario.loss);
      const text = scenarioLossFile(scenario, loss, builtin);
      const parsed = parseLoss(text);
      if (!parsed.ok) throw new Error(`${loss.title} cannot be written as a .loss file: ${parsed.diagnostics[0]?.message ?? 'it does not parse'}`);
      return encode(text);
    }
    const { traces } = await this.run(scenario);
    const optimizers = engine.optimizers();
    const runs = traces.map((trace, i) => ({ label: runLabel(scenario.runs[i], optimizers), options: scenario.runs[i].options, trace }));
    return encode(format === 'csv' ? trajectoriesCsv(runs, loss.params) : trajectoriesJson(scenario, loss, runs));
  }

  /** Shows another scenario in this panel. */
  async load(scenario: Scenario): Promise<void> {
    this.scenario = scenario;
    this.updateTitle();
    this.prefetch();
    await this.pushSnapshot();
  }

  /** The loss's title: a built-in's at once, a custom loss's (its formula) once the engine has compiled it. */
  private updateTitle(loss = this.services.engine().losses().find((l) => l.name === this.scenario.loss)): void {
    const title = loss?.title ?? this.scenario.loss.split('\n')[0].slice(0, 60);
    this.panel.title = `${this.kind.name}: ${title}`;
  }

  private post(message: ToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private async pushSnapshot(): Promise<void> {
    try {
      this.post({ type: 'snapshot', snapshot: await this.currentSnapshot() });
    } catch (error) {
      this.services.log.error(`${this.kind.name}: ${errorText(error)}`);
    }
  }

  private currentSnapshot(): Promise<Snapshot> {
    const prefetched = this.prefetched;
    return prefetched?.key === scenarioKey(this.scenario) ? prefetched.snapshot : this.snapshot();
  }

  private async snapshot(): Promise<Snapshot> {
    const engine = this.services.engine();
    const scenario = this.scenario;
    const { loss: lossName, lossParams, view } = scenario;
    const loss = await engine.lossInfo(lossName, lossParams);
    if (lossName === this.scenario.loss) this.updateTitle(loss);
    const settings = panelSettings();
    const { x, y } = view ?? loss.domain;
    const resolution = settings.gridResolution;
    const [landscape, samples] = await Promise.all([
      this.landscape({ loss: lossName, lossParams, x, y, size: [resolution, resolution] }),
      loss.data ? engine.samples(lossName, lossParams).then((values) => values.slice()) : undefined,
    ]);
    return { scenario, loss, optimizers: engine.optimizers(), settings, landscape, ...(samples && { samples }) };
  }

  private receive(raw: unknown): void {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.services.log.warn(`${this.kind.name}: ignored an invalid message (${parsed.error})`);
      return;
    }
    const message = parsed.value;
    this.services.log.trace(`${this.kind.name} <- ${message.type}`);
    const reply = (r: Reply) => this.post(r);
    switch (message.type) {
      case 'ready':
        void MessageHandler.answer(reply, message.requestId, () => this.currentSnapshot());
        break;
      case 'landscape':
        void MessageHandler.answer(reply, message.requestId, () => this.landscape(message.query));
        break;
      case 'run': {
        this.scenario = message.scenario;
        const prefetched = this.prefetched;
        this.prefetched = undefined;
        const runs = prefetched?.key === scenarioKey(message.scenario) ? prefetched.runs : this.run(message.scenario);
        void MessageHandler.answer(reply, message.requestId, () => runs);
        break;
      }
      default:
        this.handleEvent(message);
    }
  }

  private handleEvent(message: Exclude<FromWebview, { requestId: number }>): void {
    switch (message.type) {
      case 'pickLoss':
        void this.services.pickScenario().then((scenario) => scenario && this.load(scenario));
        break;
      case 'export':
        void vscode.commands.executeCommand('optiscope.export', { panel: this.kind.view });
        break;
      case 'tune':
        void vscode.commands.executeCommand('optiscope.tuneLearningRates', { panel: this.kind.view });
        break;
      case 'rendered':
        this.settleRender(message);
        break;
      case 'openCompare':
        ScenarioPanel.createOrShow(COMPARE, this.services, { ...message.scenario, view: null });
        break;
      case 'scenario':
        this.scenario = message.scenario;
        break;
      case 'painted':
        if (this.openedAt !== undefined) this.services.log.info(`${this.kind.name}: first paint ${Date.now() - this.openedAt} ms after the command`);
        this.openedAt = undefined;
        break;
      case 'log':
        if (message.level === 'error') this.services.log.error(`${this.kind.name} webview: ${message.message}`);
        else this.services.log.info(`${this.kind.name} webview: ${message.message}`);
        break;
    }
  }

  private async landscape(query: LandscapeQuery): Promise<LandscapeData> {
    const result = await this.services.engine().landscape(query);
    // A copy of exactly the grid: never post a view on (possibly shared) engine memory.
    return { ...query, values: result.values.slice(0, query.size[0] * query.size[1]), min: result.min, max: result.max };
  }

  private async run(scenario: Scenario): Promise<RunsData> {
    const start = scenario.start ?? undefined;
    const traces = await this.tracked(
      scenario.runs.length,
      this.services.engine().runs({
        loss: scenario.loss,
        lossParams: scenario.lossParams,
        steps: scenario.steps,
        runs: scenario.runs.map((run) => ({ ...runSpec(run), label: run.label, start })),
      }),
    );
    return {
      traces: traces.map((trace) => ({
        label: trace.label,
        optimizer: trace.optimizer,
        dim: trace.dim,
        rows: trace.rows.slice(0, trace.rowCount * (trace.dim + 2)),
        rowCount: trace.rowCount,
        status: trace.status,
        stoppedAt: trace.stoppedAt,
      })),
    };
  }
}

/** Restores panels of one kind after a reload; a panel whose saved state is invalid is closed. */
export class ScenarioPanelSerializer implements vscode.WebviewPanelSerializer {
  constructor(
    private readonly kind: PanelKind,
    private readonly services: PanelServices,
  ) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = parsePanelState(state);
    if (!parsed.ok) {
      this.services.log.warn(`${this.kind.name}: could not restore a panel (${parsed.error})`);
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.services.extensionUri);
    ScenarioPanel.revive(this.kind, panel, this.services, parsed.value.scenario);
  }
}
