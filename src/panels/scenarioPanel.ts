// A panel showing one scenario, driven by its webview over src/shared/protocol.ts and src/shared/rpc.ts: the
// Playground (one landscape with every run) or Compare (one landscape per run, a metrics table). This file is the
// panel's lifecycle and its messages; the engine work is in scenarioRuns.ts and prefetch.ts, the run stream in
// runStream.ts, exports in pageExport.ts, the first-paint log in paintTimer.ts.
import * as vscode from 'vscode';
import type { CancelSignal, LossInfo } from '../shared/engineApi';
import {
  encodeEmbedded,
  parseFromWebview,
  parsePanelState,
  type FromWebview,
  type PageRequests,
  type PlaybackAction,
  type RunsDataChunk,
  type Scenario,
  type Snapshot,
  type ToWebview,
  type WebviewRequests,
} from '../shared/protocol';
import { RpcServer, type Handlers } from '../shared/rpc';
import { catchUpChunks } from '../shared/traceStream';
import type { ExportFormat } from '../shared/export';
import { Disposable } from './dispose';
import type { RunningStatus } from './status';
import { panelSettings } from './settings';
import { panelOptions, webviewHtml, webviewOptions } from './webviewHtml';
import { PanelSession } from './panelSession';
import type { TrainingSession } from '../session/trainingSession';
import { exportFile, PageDrawing } from './pageExport';
import { PaintTimer } from './paintTimer';
import { Prefetch } from './prefetch';
import { pathStudyData } from './pathStudy';
import { hasStudies, lessonStudy } from './lessonStudies';
import { landscapeData, networkLineData, networkOutputData, networkSharpnessData, runsAtOnce, scenarioSnapshot, startStream, tuneLearningRates, type PanelEngine } from './scenarioRuns';
import { SourceDocument } from './sourceDocument';

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
  engine: () => PanelEngine;
  log: vscode.LogOutputChannel;
  /** The status-bar item while the engine computes. */
  status?: RunningStatus;
  /** Asks the user for a loss and returns a fresh scenario for it (undefined when cancelled). */
  pickScenario: () => Promise<Scenario | undefined>;
  /** Starts a training session (for breakpoints); without it the panel has none. */
  startSession?: (scenario: Scenario) => Promise<TrainingSession>;
  /** A .loss document's scenario (its data files read); throws with the first problem when it does not parse. */
  documentScenario?: (document: vscode.TextDocument) => Promise<Scenario>;
}

/** How long a new page waits for its first snapshot to come in the HTML (the webview itself loads meanwhile). */
const EMBED_WAIT_MS = 250;
/** The most trajectory numbers in a page (800 KB; a few ms to encode). */
const MESSAGE_MAX_VALUES = 100_000;

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

  /**
   * invokedAt: when the command started (Date.now()), for the first-paint time in the log. source: the .loss document
   * the scenario came from (the Playground's controls edit it, and the panel follows its edits).
   */
  static createOrShow(kind: PanelKind, services: PanelServices, scenario: Scenario, invokedAt = Date.now(), source?: vscode.TextDocument): ScenarioPanel {
    const existing = ScenarioPanel.active(kind);
    if (existing) {
      existing.panel.reveal();
      existing.paintTimer = new PaintTimer(invokedAt);
      existing.source.follow(source);
      void existing.load(scenario);
      return existing;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(kind.viewType, `Optiscope ${kind.name}`, column, panelOptions(services.extensionUri));
    const created = new ScenarioPanel(kind, panel, services, scenario, invokedAt);
    created.source.follow(source);
    return created;
  }

  static revive(kind: PanelKind, panel: vscode.WebviewPanel, services: PanelServices, scenario: Scenario): ScenarioPanel {
    ScenarioPanel.active(kind)?.dispose();
    return new ScenarioPanel(kind, panel, services, scenario);
  }

  /** Opens (or reveals) the Playground showing this session; its controls drive the session too. */
  static showSession(services: PanelServices, session: TrainingSession): ScenarioPanel {
    const existing = ScenarioPanel.active(PLAYGROUND);
    const panel = existing?.debugSession?.current === session ? existing : ScenarioPanel.createOrShow(PLAYGROUND, services, structuredClone(session.scenario));
    panel.panel.reveal(undefined, true);
    void panel.debugSession?.bind(session, false).catch((error) => services.log.error(`Playground: ${errorText(error)}`));
    return panel;
  }

  /** The Playground's training session (breakpoints, stepping, the inspector). */
  readonly debugSession: PanelSession | undefined;
  /** From the command to the webview's first paint (none for a revived panel, or once painted). */
  private paintTimer: PaintTimer | undefined;
  private readonly prefetch = new Prefetch(
    (scenario) => this.snapshot(scenario),
    (scenario, gradients) => startStream(this.services.engine(), this.tracked, scenario, gradients),
  );
  /** The webview's requests, answered here. */
  private readonly answers = new RpcServer<WebviewRequests>((message) => this.postAndWait(message), this.webviewHandlers());
  /** What the page draws for Export and Export Animation. */
  private readonly drawing = new PageDrawing((message) => this.post(message));
  private webm: boolean | undefined;
  /** The .loss document the scenario came from, if any: control edits go there, and its edits re-run the panel. */
  private readonly source: SourceDocument;
  /** Engine work, shown in the status bar while it runs. */
  private readonly tracked = <T>(runs: number, work: Promise<T>): Promise<T> => (this.services.status ? this.services.status.track(runs, work) : work);

  private constructor(
    private readonly kind: PanelKind,
    readonly panel: vscode.WebviewPanel,
    private readonly services: PanelServices,
    private scenario: Scenario,
    invokedAt?: number,
  ) {
    super();
    if (invokedAt !== undefined) this.paintTimer = new PaintTimer(invokedAt);
    ScenarioPanel.current.set(kind.viewType, this);
    this.source = new SourceDocument(services, () => this.scenario, (next) => this.load(next));
    this.register(this.source);
    if (kind.view === 'playground') {
      const debugSession = new PanelSession((m) => this.post(m), services.startSession, services.engine, () => this.scenario);
      this.debugSession = debugSession;
      this.register({ dispose: () => debugSession.dispose() });
    }
    this.register(panel);
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.post({ type: 'hidden' });
      }),
    );
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('optiscope.panels')) void this.pushSnapshot();
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'optiscope.svg');
    this.updateTitle();
    this.prefetch.start(this.scenario);
    // A revived page has saved state and asks through the handshake; a new one gets its first snapshot in the page.
    if (invokedAt === undefined) this.setPage(undefined);
    else void this.setPageWithSnapshot();
  }

  /** The page with the first snapshot in it when the engine has it within EMBED_WAIT_MS (else the handshake brings it). */
  private async setPageWithSnapshot(): Promise<void> {
    const waited = new Promise<undefined>((resolve) => setTimeout(resolve, EMBED_WAIT_MS));
    const snapshot = await Promise.race([this.prefetch.snapshot(this.scenario).catch(() => undefined), waited]);
    if (this.isDisposed) return;
    // Of long runs, the page gets their first steps (encoding them all would hold the host): the stream brings the rest.
    const runs = snapshot?.runs;
    const values = runs?.traces.reduce((sum, trace) => sum + trace.rows.length, 0) ?? 0;
    if (snapshot && runs && values > MESSAGE_MAX_VALUES) {
      const first: RunsDataChunk = catchUpChunks(runs.traces, false, MESSAGE_MAX_VALUES).next().value;
      this.setPage({ ...snapshot, runs: { traces: first.traces.map(({ from: _from, ...trace }) => trace) } });
    } else this.setPage(snapshot);
  }

  private setPage(snapshot: Snapshot | undefined): void {
    this.panel.webview.html = webviewHtml(this.panel.webview, this.services.extensionUri, this.kind.view, this.panel.title, snapshot && encodeEmbedded(snapshot));
    if (snapshot) this.paintTimer?.mark('page with snapshot');
  }

  get currentScenario(): Scenario {
    return this.scenario;
  }

  get view(): PanelKind['view'] {
    return this.kind.view;
  }

  /** Whether the page can record WebM (it says so once loaded); undefined until it has. */
  get canRecordWebm(): boolean | undefined {
    return this.webm;
  }

  override dispose(): void {
    if (ScenarioPanel.active(this.kind) === this) ScenarioPanel.current.delete(this.kind.viewType);
    this.drawing.close();
    this.prefetch.dispose();
    super.dispose();
  }

  /** The page draws a frame at each step and encodes them: see PageDrawing.animate. */
  animate(request: PageRequests['animate']['params'], cancel: CancelSignal, progress: (framesDone: number) => void): Promise<Uint8Array> {
    if (this.isDisposed) return Promise.reject(new Error('the panel was closed'));
    // A hidden page has no layout to draw from.
    if (!cancel.isCancellationRequested && !this.panel.visible) this.panel.reveal(undefined, true);
    return this.drawing.animate(request, cancel, progress);
  }

  /** Searches each run's learning rate (scenarioRuns.ts) and shows the scenario at the rates found. */
  async tuneLearningRates(cancel: CancelSignal, progress: (done: number, total: number, label: string) => void): Promise<Scenario> {
    const scenario = await tuneLearningRates(this.services.engine(), this.tracked, this.scenario, cancel, progress);
    if (!this.isDisposed) await this.load(scenario);
    return scenario;
  }

  /** Play / pause or one step, as the panel's own keys do (the keybindings' commands). */
  playback(action: PlaybackAction): void {
    this.post({ type: 'playback', action });
  }

  /** The file Export writes for this panel's scenario. */
  exportData(format: ExportFormat): Promise<Uint8Array> {
    const engine = this.services.engine();
    const render = (image: 'png' | 'svg') => this.drawing.render(image);
    return exportFile(format, { engine, scenario: this.scenario, render, runs: (scenario) => runsAtOnce(engine, this.tracked, scenario) });
  }

  /** Shows another scenario in this panel. */
  async load(scenario: Scenario): Promise<void> {
    this.scenario = scenario;
    this.updateTitle();
    this.prefetch.start(scenario);
    // A breakpoint session of the scenario shown before (another data set or network) no longer fits.
    void this.debugSession?.scenarioChanged(scenario).catch((error) => this.services.log.error(`${this.kind.name}: ${errorText(error)}`));
    await this.pushSnapshot();
  }

  /** The loss's title: a built-in's at once, a custom loss's (its formula) once the engine has compiled it. */
  private updateTitle(loss: LossInfo | undefined = this.services.engine().losses().find((l) => l.name === this.scenario.loss)): void {
    const title = loss?.title ?? this.scenario.loss.split('\n')[0].slice(0, 60);
    this.panel.title = `${this.kind.name}: ${title}`;
  }

  private post(message: ToWebview): void {
    void this.postAndWait(message);
  }

  /** Resolves when the page has the message (false: it is gone). */
  private postAndWait(message: ToWebview): Thenable<boolean> {
    return this.isDisposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private async pushSnapshot(): Promise<void> {
    try {
      this.post({ type: 'snapshot', snapshot: await this.prefetch.snapshot(this.scenario) });
    } catch (error) {
      this.services.log.error(`${this.kind.name}: ${errorText(error)}`);
    }
  }

  private snapshot(scenario: Scenario): Promise<Snapshot> {
    // The title follows the loss once it is known, unless the panel shows another scenario by then.
    return scenarioSnapshot(this.services.engine(), scenario, panelSettings(), (loss) => scenario.loss === this.scenario.loss && this.updateTitle(loss));
  }

  private receive(raw: unknown): void {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.services.log.warn(`${this.kind.name}: ignored an invalid message (${parsed.error})`);
      return;
    }
    const message = parsed.value;
    this.services.log.trace(`${this.kind.name} <- ${message.type}`);
    if (message.type === 'reply' || message.type === 'progress') this.drawing.receive(message);
    else if ('requestId' in message) {
      const answered = this.answers.receive(message);
      // The session's view goes after the snapshot it is drawn over.
      if (message.type === 'ready') void answered?.then(() => this.debugSession?.refresh());
    } else this.handleEvent(message);
  }

  /** The answers to the webview's requests (WebviewRequests). */
  private webviewHandlers(): Handlers<WebviewRequests> {
    return {
      ready: async ({ pageSnapshot }) => {
        this.paintTimer?.mark('ready');
        const snapshot = await this.prefetch.snapshot(this.scenario, !pageSnapshot);
        this.paintTimer?.mark('snapshot');
        return pageSnapshot ? { ...snapshot, runs: undefined } : snapshot;
      },
      checkCondition: ({ condition, run }) => this.requireSession().checkCondition(condition, run),
      inspect: ({ run, step }) => this.requireSession().inspect(run, step),
      landscape: ({ query }) => landscapeData(this.services.engine(), query),
      networkOutput: ({ query }) => networkOutputData(this.services.engine(), query),
      pathStudy: ({ scenario }, { progress, cancel }) => pathStudyData(this.services.engine(), scenario, (p) => void progress(p), cancel),
      networkLayerStats: ({ query }) => this.services.engine().networkLayerStats(query),
      networkLandscape: async ({ query }, { cancel }) => {
        const { directions: _vectors, ...result } = await this.services.engine().networkLandscape(query, undefined, cancel);
        return { ...result, loss: query.loss, kind: query.directions.kind };
      },
      networkSharpness: ({ query }, { cancel }) => networkSharpnessData(this.services.engine(), query, cancel),
      networkLine: ({ query }) => networkLineData(this.services.engine(), query),
      study: ({ lesson }, { progress, cancel }) => {
        const engine = this.services.engine();
        if (!hasStudies(engine)) throw new Error('Lesson studies run in the engine worker, which this window has not started');
        return lessonStudy(engine, lesson, this.scenario, (p) => void progress(p), cancel);
      },
      run: async ({ scenario, gradients }, { progress }) => {
        this.scenario = scenario;
        void this.source.runsChanged(scenario).catch((error) => this.services.log.error(`${this.kind.name}: ${errorText(error)}`));
        void this.debugSession?.scenarioChanged(scenario).catch((error) => this.services.log.error(`${this.kind.name}: ${errorText(error)}`));
        const stream = this.prefetch.take(scenario, gradients === true);
        this.paintTimer?.mark('run');
        stream.attach((chunk) => {
          this.paintTimer?.mark('chunk');
          return progress(chunk);
        });
        // The chunks brought every row: the reply only says how many.
        const { traces } = await stream.result;
        await stream.delivered();
        return { rowCounts: traces.map((trace) => trace.rowCount) };
      },
    };
  }

  private handleEvent(message: Exclude<FromWebview, { requestId: number } | { inReplyTo: number }>): void {
    switch (message.type) {
      case 'pickLoss':
        void this.services.pickScenario().then((scenario) => scenario && this.load(scenario));
        break;
      case 'export':
      case 'exportAnimation':
      case 'sweep':
      case 'tune': {
        const command = { export: 'optiscope.export', exportAnimation: 'optiscope.exportAnimation', sweep: 'optiscope.compareValues', tune: 'optiscope.tuneLearningRates' }[message.type];
        void vscode.commands.executeCommand(command, { panel: this.kind.view });
        break;
      }
      case 'capabilities':
        this.webm = message.webm;
        break;
      case 'openCompare':
        ScenarioPanel.createOrShow(COMPARE, this.services, { ...message.scenario, view: null });
        break;
      case 'scenario':
        this.scenario = message.scenario;
        break;
      case 'editNetwork':
        void this.source.editNetwork(message.edit).catch((error) => {
          this.services.log.error(`${this.kind.name}: ${errorText(error)}`);
          void vscode.window.showErrorMessage(`Optiscope: ${errorText(error)}`);
        });
        break;
      case 'breakpoints':
        void this.debugSession?.setBreakpoints(message.breakpoints).catch((error) => this.services.log.error(`${this.kind.name}: breakpoints: ${errorText(error)}`));
        break;
      case 'debug':
        void this.debugSession?.control(message.action, message.step, message.count).catch((error) => this.services.log.error(`${this.kind.name}: ${message.action}: ${errorText(error)}`));
        break;
      case 'painted':
        if (this.paintTimer) this.services.log.info(`${this.kind.name}: ${this.paintTimer.painted(message)}`);
        this.paintTimer = undefined;
        break;
      case 'log':
        if (message.level === 'error') this.services.log.error(`${this.kind.name} webview: ${message.message}`);
        else this.services.log.info(`${this.kind.name} webview: ${message.message}`);
        break;
    }
  }

  private requireSession(): PanelSession {
    if (!this.debugSession) throw new Error(`${this.kind.name} has no breakpoints`);
    return this.debugSession;
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
    if ((state as { display?: unknown }).display !== undefined && parsed.value.display === undefined) {
      this.services.log.warn(`${this.kind.name}: the saved display options were damaged; the panel shows the defaults`);
    }
    panel.webview.options = webviewOptions(this.services.extensionUri);
    ScenarioPanel.revive(this.kind, panel, this.services, parsed.value.scenario);
  }
}
