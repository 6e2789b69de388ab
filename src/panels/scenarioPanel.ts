// A panel showing one scenario, driven by its webview over src/shared/protocol.ts: the Playground (one landscape with
// every run) or Compare (one landscape per run, a metrics table).
import * as vscode from 'vscode';
import type { CancelSignal, Engine, RunsChunk, RunsRequest, RunTrace } from '../shared/engineApi';
import { CancelledError } from '../engine/engineClient';
import type { AnimationFormat } from '../shared/animation';
import {
  encodeEmbedded,
  MessageHandler,
  parseFromWebview,
  parsePanelState,
  type AnimationPart,
  type FromWebview,
  type ImageFormat,
  type PlaybackAction,
  type RenderedImage,
  type LandscapeData,
  type LandscapeQuery,
  type Reply,
  type RunsData,
  type RunsDataChunk,
  type Scenario,
  type Snapshot,
  type ToWebview,
  type TraceData,
  type TraceDataChunk,
} from '../shared/protocol';
import { parseLoss } from '../loss/index';
import { Disposable } from './dispose';
import { scenarioLossFile, trajectoriesCsv, trajectoriesJson, type ExportFormat } from '../shared/export';
import { plottedGradient, runLabel, scenarioKey } from '../shared/scenario';
import type { RunningStatus } from './status';
import { rateOutcome, searchRate } from './tune';
import { panelSettings } from './settings';
import { panelOptions, webviewHtml, webviewOptions } from './webviewHtml';
import { CancelSource, catchUpChunks, Paced, sliceChunk, TraceAccumulator } from '../shared/traceStream';
import { PanelSession } from './panelSession';
import type { TrainingSession } from '../session/trainingSession';

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
  /** Starts a training session (for breakpoints); without it the panel has none. */
  startSession?: (scenario: Scenario) => Promise<TrainingSession>;
}

/**
 * One streamed run set for a webview request: chunks are kept until a request takes the stream, then go to it in
 * slices of at most SLICE_VALUES numbers, one per macrotask and one in flight (a long task would stall every
 * extension in the host).
 */
class RunStream {
  private listener: ((chunk: RunsDataChunk) => void | PromiseLike<unknown>) | undefined;
  private readonly paced = new Paced<RunsDataChunk>((chunk) => this.listener?.(chunk));
  private readonly accumulator = new TraceAccumulator();
  private readonly source = new CancelSource();
  /** Every run's whole trace once the stream ended (views on the stream's buffers: never posted). */
  readonly result: Promise<RunsData>;

  constructor(start: (onChunk: (chunk: RunsChunk) => void, cancel: CancelSource) => Promise<void>) {
    this.result = start((chunk) => this.receive(chunk), this.source).then(() => ({ traces: this.accumulator.traces }));
    this.result.catch(() => undefined); // a failure reaches the request that takes the stream
  }

  private receive(chunk: RunsChunk): void {
    const forWebview: RunsDataChunk = {
      done: chunk.done,
      traces: chunk.traces.map(({ label, optimizer, dim, rows, rowCount, status, stoppedAt, from, state, stateNames }) => {
        const part: TraceDataChunk = { label, optimizer, dim, rows, rowCount, status, stoppedAt, from };
        // Recorded state (the step arrows): each row's gradient, its plotted components.
        if (state && stateNames) part.grad = plottedGradient(state, stateNames.length, rowCount - from, dim);
        return part;
      }),
    };
    this.accumulator.add(forWebview);
    if (this.listener) this.paced.push(sliceChunk(forWebview, SLICE_VALUES));
  }

  /** The runs as far as they have come; undefined before the first chunk. */
  soFar(): RunsData | undefined {
    return this.accumulator.traces.length > 0 ? { traces: this.accumulator.copies() } : undefined;
  }

  /** The runs so far, then each new chunk, go to listener (in slices: the first is drawn at once). */
  attach(listener: (chunk: RunsDataChunk) => void | PromiseLike<unknown>): void {
    this.listener = listener;
    if (this.accumulator.traces.length > 0) this.paced.push(catchUpChunks(this.accumulator.traces, this.accumulator.done, SLICE_VALUES));
  }

  /** Resolves once the listener has had every chunk received so far. */
  delivered(): Promise<void> {
    return this.paced.drained();
  }

  cancel(): void {
    this.listener = undefined;
    this.paced.clear();
    this.source.cancel();
  }
}

/** The snapshot's landscape grid: coarse, so that the first paint is quick; the webview asks for its exact grid next. */
const SNAPSHOT_GRID = 64;
/** How long a new page waits for its first snapshot to come in the HTML (the webview itself loads meanwhile). */
const EMBED_WAIT_MS = 250;
/** The most trajectory numbers in a page (800 KB; a few ms to encode). */
const MESSAGE_MAX_VALUES = 100_000;
/** The most trajectory numbers in one streamed message (256 KB): each message is one short task of the host's. */
const SLICE_VALUES = 32_768;

function concatenate(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
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

  /** invokedAt: when the command started (Date.now()), for the first-paint time in the log. */
  static createOrShow(kind: PanelKind, services: PanelServices, scenario: Scenario, invokedAt = Date.now()): ScenarioPanel {
    const existing = ScenarioPanel.active(kind);
    if (existing) {
      existing.panel.reveal();
      existing.startPaintTimer(invokedAt);
      void existing.load(scenario);
      return existing;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(kind.viewType, `Optiscope ${kind.name}`, column, panelOptions(services.extensionUri));
    return new ScenarioPanel(kind, panel, services, scenario, invokedAt);
  }

  static revive(kind: PanelKind, panel: vscode.WebviewPanel, services: PanelServices, scenario: Scenario): ScenarioPanel {
    ScenarioPanel.active(kind)?.dispose();
    return new ScenarioPanel(kind, panel, services, scenario);
  }

  /** From the command to the webview's first paint: when it started, and what happened when (ms after it). */
  private paintTimer: { start: number; marks: string[] } | undefined;

  private startPaintTimer(start: number): void {
    this.paintTimer = { start, marks: [] };
    this.markPaint('panel');
  }

  private markPaint(what: string): void {
    const timer = this.paintTimer;
    if (timer && !timer.marks.some((mark) => mark.startsWith(`${what} `))) timer.marks.push(`${what} ${Date.now() - timer.start}`);
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

  private constructor(
    private readonly kind: PanelKind,
    readonly panel: vscode.WebviewPanel,
    private readonly services: PanelServices,
    private scenario: Scenario,
    invokedAt?: number,
  ) {
    super();
    if (invokedAt !== undefined) this.startPaintTimer(invokedAt);
    ScenarioPanel.current.set(kind.viewType, this);
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
    this.prefetch();
    // A revived page has saved state and asks through the handshake; a new one gets its first snapshot in the page.
    if (invokedAt === undefined) this.setPage(undefined);
    else void this.setPageWithSnapshot();
  }

  /** The page with the first snapshot in it when the engine has it within EMBED_WAIT_MS (else the handshake brings it). */
  private async setPageWithSnapshot(): Promise<void> {
    const waited = new Promise<undefined>((resolve) => setTimeout(resolve, EMBED_WAIT_MS));
    const snapshot = await Promise.race([this.currentSnapshot().catch(() => undefined), waited]);
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
    if (snapshot) this.markPaint('page with snapshot');
  }

  /** Engine work started while the webview loads; its first requests for the same scenario use it. */
  private prefetched: { key: string; snapshot: Promise<Snapshot>; runs: RunStream } | undefined;
  /** The stream the webview's newest "run" request shows; a newer request cancels it. */
  private stream: RunStream | undefined;

  private prefetch(): void {
    const snapshot = this.snapshot();
    // A failure reaches the webview when it asks; until then it is not unhandled.
    snapshot.catch(() => undefined);
    if (this.prefetched && this.prefetched.runs !== this.stream) this.prefetched.runs.cancel();
    this.prefetched = { key: scenarioKey(this.scenario), snapshot, runs: this.startStream(this.scenario) };
  }

  get currentScenario(): Scenario {
    return this.scenario;
  }

  override dispose(): void {
    if (ScenarioPanel.active(this.kind) === this) ScenarioPanel.current.delete(this.kind.viewType);
    for (const waiting of [...this.renders.values(), ...this.animations.values()]) waiting.reject(new Error('the panel was closed'));
    this.renders.clear();
    this.animations.clear();
    this.stream?.cancel();
    this.prefetched?.runs.cancel();
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

  /** Whether the page can record WebM (it says so once loaded); undefined until it has. */
  get canRecordWebm(): boolean | undefined {
    return this.webm;
  }

  private webm: boolean | undefined;
  private readonly animations = new Map<number, { receive: (part: AnimationPart) => void; reject: (error: Error) => void }>();

  /**
   * The webview draws a frame at each step and encodes them (see webview/exportAnimation.ts); the file's bytes
   * arrive frame by frame as transferred buffers, and only collecting them happens here. Resolves with the whole
   * file; cancel rejects at once (a CancelledError) and tells the webview to stop.
   */
  animate(
    request: { format: AnimationFormat; steps: number[]; width?: number; fps: number },
    cancel: CancelSignal,
    progress: (framesDone: number) => void,
  ): Promise<Uint8Array> {
    if (this.isDisposed) return Promise.reject(new Error('the panel was closed'));
    if (cancel.isCancellationRequested) return Promise.reject(new CancelledError());
    // A hidden page has no layout to draw from.
    if (!this.panel.visible) this.panel.reveal(undefined, true);
    const requestId = this.nextRenderId++;
    const parts: Uint8Array[] = [];
    return new Promise((resolve, reject) => {
      const finish = () => {
        this.animations.delete(requestId);
        subscription?.dispose();
      };
      const subscription = cancel.onCancellationRequested(() => {
        finish();
        this.post({ type: 'cancelAnimation', requestId });
        reject(new CancelledError());
      });
      this.animations.set(requestId, {
        receive: (part) => {
          if ('error' in part) {
            finish();
            reject(part.error === 'cancelled' ? new CancelledError() : new Error(part.error));
            return;
          }
          parts.push(part.data);
          progress(part.framesDone);
          if (!part.done) return;
          finish();
          resolve(concatenate(parts));
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      this.post({ type: 'animate', requestId, ...request });
    });
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
    for (const [index, run] of scenario.runs.entries()) {
      const lr = run.options.lr;
      progress(index, scenario.runs.length, runLabel(run, optimizers));
      if (typeof lr !== 'number' || !(lr > 0)) continue;
      const evaluate = async (rates: number[]) => {
        const traces = await this.tracked(
          rates.length,
          engine.runs(
            {
              ...scenario,
              runs: rates.map((rate) => ({ ...run, options: { ...run.options, lr: rate } })),
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
    void this.postAndWait(message);
  }

  /** Resolves when the page has the message (false: it is gone). */
  private postAndWait(message: ToWebview): Thenable<boolean> {
    return this.isDisposed ? Promise.resolve(false) : this.panel.webview.postMessage(message);
  }

  private async pushSnapshot(): Promise<void> {
    try {
      this.post({ type: 'snapshot', snapshot: await this.currentSnapshot() });
    } catch (error) {
      this.services.log.error(`${this.kind.name}: ${errorText(error)}`);
    }
  }

  /** withRuns: false when the page will not use them (copying the runs so far is whole-trace work). */
  private async currentSnapshot(withRuns = true): Promise<Snapshot> {
    const prefetched = this.prefetched;
    if (prefetched?.key !== scenarioKey(this.scenario)) return this.snapshot();
    const snapshot = await prefetched.snapshot;
    const runs = withRuns ? prefetched.runs.soFar() : undefined;
    return runs ? { ...snapshot, runs } : snapshot;
  }

  private async snapshot(): Promise<Snapshot> {
    const engine = this.services.engine();
    const scenario = this.scenario;
    const { loss: lossName, lossParams, view } = scenario;
    const loss = await engine.lossInfo(lossName, lossParams);
    if (lossName === this.scenario.loss) this.updateTitle(loss);
    const settings = panelSettings();
    const { x, y } = view ?? loss.domain;
    const resolution = Math.min(settings.gridResolution, SNAPSHOT_GRID);
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
        this.markPaint('ready');
        void MessageHandler.answer(reply, message.requestId, async () => {
          const snapshot = await this.currentSnapshot(!message.pageSnapshot);
          this.markPaint('snapshot');
          return message.pageSnapshot ? { ...snapshot, runs: undefined } : snapshot;
        }).then(() => this.debugSession?.refresh());
        break;
      case 'checkCondition':
        void MessageHandler.answer(reply, message.requestId, () => this.requireSession().checkCondition(message.condition, message.run));
        break;
      case 'inspect':
        void MessageHandler.answer(reply, message.requestId, () => this.requireSession().inspect(message.run, message.step));
        break;
      case 'landscape':
        void MessageHandler.answer(reply, message.requestId, () => this.landscape(message.query));
        break;
      case 'run': {
        this.scenario = message.scenario;
        void this.debugSession?.scenarioChanged(message.scenario).catch((error) => this.services.log.error(`${this.kind.name}: ${errorText(error)}`));
        const prefetched = this.prefetched;
        this.prefetched = undefined;
        // The step arrows need each row's gradient: runs that record their state (not the prefetched ones).
        const gradients = message.gradients === true;
        const stream = !gradients && prefetched?.key === scenarioKey(message.scenario) ? prefetched.runs : this.startStream(message.scenario, gradients);
        if (prefetched && prefetched.runs !== stream) prefetched.runs.cancel();
        if (this.stream !== stream) this.stream?.cancel();
        this.stream = stream;
        const { requestId } = message;
        this.markPaint('run');
        stream.attach((chunk) => {
          this.markPaint('chunk');
          return this.postAndWait({ type: 'progress', inReplyTo: requestId, body: chunk });
        });
        // The chunks brought every row: the reply only says how many.
        void MessageHandler.answer(reply, requestId, async () => {
          const { traces } = await stream.result;
          await stream.delivered();
          return { rowCounts: traces.map((trace) => trace.rowCount) };
        });
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
      case 'exportAnimation':
        void vscode.commands.executeCommand('optiscope.exportAnimation', { panel: this.kind.view });
        break;
      case 'tune':
        void vscode.commands.executeCommand('optiscope.tuneLearningRates', { panel: this.kind.view });
        break;
      case 'sweep':
        void vscode.commands.executeCommand('optiscope.compareValues', { panel: this.kind.view });
        break;
      case 'rendered':
        this.settleRender(message);
        break;
      case 'capabilities':
        this.webm = message.webm;
        break;
      case 'animation':
        this.animations.get(message.inReplyTo)?.receive(message);
        break;
      case 'openCompare':
        ScenarioPanel.createOrShow(COMPARE, this.services, { ...message.scenario, view: null });
        break;
      case 'scenario':
        this.scenario = message.scenario;
        break;
      case 'breakpoints':
        void this.debugSession?.setBreakpoints(message.breakpoints).catch((error) => this.services.log.error(`${this.kind.name}: breakpoints: ${errorText(error)}`));
        break;
      case 'debug':
        void this.debugSession?.control(message.action, message.step, message.count).catch((error) => this.services.log.error(`${this.kind.name}: ${message.action}: ${errorText(error)}`));
        break;
      case 'painted':
        if (this.paintTimer) {
          const { start, marks } = this.paintTimer;
          // The page's own clock is the machine's: when VS Code started loading the page, and when it painted.
          if (message.pageStarted !== undefined) marks.push(`page loading ${message.pageStarted - start}`);
          if (message.paintedAt !== undefined) marks.push(`painted in the page ${message.paintedAt - start}`);
          const at = (mark: string) => Number(mark.slice(mark.lastIndexOf(' ') + 1));
          marks.sort((a, b) => at(a) - at(b));
          this.services.log.info(`${this.kind.name}: first paint ${Date.now() - start} ms after the command (ms after it: ${marks.join(', ')})`);
        }
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

  private async landscape(query: LandscapeQuery): Promise<LandscapeData> {
    const result = await this.services.engine().landscape(query);
    // A copy of exactly the grid: never post a view on (possibly shared) engine memory.
    const data: LandscapeData = { ...query, values: result.values.slice(0, query.size[0] * query.size[1]), min: result.min, max: result.max };
    if (query.gradientSize && result.gradient) data.gradient = result.gradient.slice(0, 2 * query.gradientSize[0] * query.gradientSize[1]);
    return data;
  }

  /** The scenario's runs, streamed by the engine in chunks (the status bar shows them while they run). */
  private startStream(scenario: Scenario, gradients = false): RunStream {
    const engine = this.services.engine();
    const request: RunsRequest = { ...scenario, recordState: gradients || undefined };
    const stream = new RunStream((onChunk, cancel) => engine.streamRuns(request, onChunk, cancel));
    this.tracked(scenario.runs.length, stream.result).catch(() => undefined);
    return stream;
  }

  /** The scenario's runs at once (for Export). */
  private async run(scenario: Scenario): Promise<RunsData> {
    const traces = await this.tracked(scenario.runs.length, this.services.engine().runs(scenario));
    return {
      traces: traces.map(({ label, optimizer, dim, rows, rowCount, status, stoppedAt }): TraceData => ({ label, optimizer, dim, rows: rows.slice(0, rowCount * (dim + 2)), rowCount, status, stoppedAt })),
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
    if ((state as { display?: unknown }).display !== undefined && parsed.value.display === undefined) {
      this.services.log.warn(`${this.kind.name}: the saved display options were damaged; the panel shows the defaults`);
    }
    panel.webview.options = webviewOptions(this.services.extensionUri);
    ScenarioPanel.revive(this.kind, panel, this.services, parsed.value.scenario);
  }
}
