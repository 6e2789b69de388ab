// The webview's side of the channel to the extension host.
import { decodeEmbedded, EMBEDDED_SNAPSHOT_ID, PANEL_STATE_VERSION, parseDisplayOptions, parsePanelState, type DisplayOptions, type ImageFormat, type PageRequests, type PanelBreakpoints, type PlaybackAction, type RunsDataChunk, type Scenario, type SessionView, type Snapshot, type ToWebview, type TraceData, type WebviewEvent, type WebviewRequests } from '../../src/shared/protocol';
import { CancelledError, type CancelSignal } from '../../src/shared/engineApi';
import { RpcClient, RpcServer } from '../../src/shared/rpc';
import { TraceAccumulator } from '../../src/shared/traceStream';
import { afterNextFrame, newestPerFrame } from '../dom/frames';
import { Cancelled, canRecordWebm, recordAnimation, type AnimationRequest, type AnimationView, type SendPart } from '../export/exportAnimation';

interface VsCodeApi {
  /** `transfer`: ArrayBuffers in the message that move to the host instead of being copied. */
  postMessage(message: unknown, transfer?: Transferable[]): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Zoom and pan change the scenario at every frame: the host hears of it once they settle. */
const SCENARIO_DELAY_MS = 250;

export class Host {
  private readonly api = acquireVsCodeApi();
  readonly requests = new RpcClient<WebviewRequests>((message) => this.api.postMessage(message));
  /** Called when the host pushes a new snapshot (another loss, changed settings). */
  onSnapshot: (snapshot: Snapshot) => void = () => {};
  /** Draws the plot for Export: a PNG in base64 or an SVG document. */
  onRender: (format: ImageFormat) => Promise<string> = () => Promise.reject(new Error('nothing to export yet'));
  /** What Export Animation draws (set once the panel is built). */
  animationView: AnimationView | undefined;
  /** A keybinding's play / pause or step. */
  onPlayback: (action: PlaybackAction) => void = () => {};
  /** The training session the panel shows changed (null: none). */
  onSession: (session: SessionView | null) => void = () => {};
  /** The panel went out of sight; its page stays. */
  onHidden: () => void = () => {};

  /** The page had saved state when it loaded: VS Code reloaded it (the panel came back, or VS Code restarted). */
  private readonly reloaded = this.api.getState() !== undefined;
  /** The snapshot that came in a new page (a reloaded page's may be older than its scenario: not used). */
  private readonly pageSnapshot = this.reloaded ? undefined : readEmbeddedSnapshot();

  /**
   * Asks for a scenario's runs: they stream in as chunks, drawn as they arrive (once per frame, while `isNewest`;
   * only once complete unless `partial`). Resolves once every row arrived.
   */
  async runs(scenario: Scenario, gradients: boolean, isNewest: () => boolean, draw: (traces: TraceData[]) => void, partial = true): Promise<void> {
    const streamed = new TraceAccumulator();
    // Chunks that come in the same frame (a catch-up) are drawn once.
    const drawSoon = newestPerFrame((traces: TraceData[]) => isNewest() && draw(traces));
    const onProgress = (chunk: RunsDataChunk) => {
      this.mark('runs');
      const traces = streamed.add(chunk);
      if (isNewest() && (partial || streamed.done)) drawSoon(traces);
    };
    const { rowCounts } = await this.requests.request('run', { scenario, gradients: gradients || undefined }, { onProgress });
    const complete = streamed.done && rowCounts.length === streamed.traces.length && streamed.traces.every((trace, i) => trace.rowCount === rowCounts[i]);
    if (!complete) throw new Error(`the runs did not all arrive (${streamed.traces.map((t) => t.rowCount).join(', ')} of ${rowCounts.join(', ')} rows)`);
  }

  /** Asks for the snapshot (sent before the panel is built: the host answers while it is). */
  requestReady(): Promise<Snapshot> {
    return this.requests.request('ready', this.pageSnapshot ? { pageSnapshot: true } : {});
  }

  constructor() {
    this.send({ type: 'capabilities', webm: canRecordWebm() });
    window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
      const message = event.data;
      if (this.requests.receive(message) || this.answers.receive(message)) return;
      if (message.type === 'snapshot') this.onSnapshot(message.snapshot);
      else if (message.type === 'playback') this.onPlayback(message.action);
      else if (message.type === 'session') this.onSession(message.session);
      else if (message.type === 'hidden') this.onHidden();
    });
  }

  /**
   * Applies the snapshot that came in the page (a new panel: no round trip before the first paint), then the
   * handshake's answer unless it shows the same scenario. A reloaded page (it has saved state) waits for the answer:
   * its page may be older than the scenario.
   */
  start(ready: Promise<Snapshot>, apply: (snapshot: Snapshot) => void, showError: (error: unknown) => void): void {
    const embedded = this.pageSnapshot;
    if (embedded) apply(embedded);
    ready.then((snapshot) => {
      if (!embedded || JSON.stringify(snapshot.scenario) !== JSON.stringify(embedded.scenario)) apply(snapshot);
    }, showError);
  }

  /** The page's end of the host's requests (Export, Export Animation); an animation's parts are transferred. */
  private readonly answers = new RpcServer<PageRequests>((message, transfer) => this.api.postMessage(message, transfer), {
    render: async ({ format }) => ({ format, data: await this.onRender(format) }),
    animate: (request, { progress, cancel }) => this.animate(request, (data, framesDone, done) => void progress({ framesDone, done, data }), cancel),
  }, { transfer: true });

  /** The animation being exported (one at a time). */
  private animation: { cancel: CancelSignal; finished: Promise<void> } | undefined;

  private async animate(request: AnimationRequest, send: SendPart, cancel: CancelSignal): Promise<null> {
    // A cancelled export stops at its next frame: the new one starts after it.
    if (this.animation?.cancel.isCancellationRequested) await this.animation.finished;
    if (this.animation) throw new Error('another animation of this panel is being exported');
    const view = this.animationView;
    if (!view) throw new Error('nothing to export yet');
    const recording = recordAnimation(view, request, send, () => cancel.isCancellationRequested);
    const animation = { cancel, finished: recording.catch(() => undefined) };
    this.animation = animation;
    try {
      await recording;
      return null;
    } catch (error) {
      throw error instanceof Cancelled ? new CancelledError() : error;
    } finally {
      if (this.animation === animation) this.animation = undefined;
    }
  }

  send(event: WebviewEvent): void {
    this.api.postMessage(event);
  }

  /** Times (ms since the document started loading) of the steps to the first paint, for the log. */
  private readonly marks: string[] = [`script ${Math.round(performance.now())}`];

  mark(what: string): void {
    if (this.marks.length > 0 && !this.marks.some((m) => m.startsWith(`${what} `))) this.marks.push(`${what} ${Math.round(performance.now())}`);
  }

  /** The landscape and its trajectories are drawn: tells the host once the browser has produced that frame. */
  paintedAfterNextFrame(): void {
    afterNextFrame(() => this.painted());
  }

  /** The first landscape with its trajectories is on screen: tells the host, with the webview's timings (once). */
  private painted(): void {
    if (this.marks.length > 0) {
      this.mark('painted');
      this.send({ type: 'log', level: 'info', message: `first paint (ms since the webview started loading): ${this.marks.join(', ')}; ${arrivals()}` });
      this.marks.length = 0;
      const paintedAt = Date.now();
      // Readable by benchmarks and tests on the page itself (the machine's clock).
      document.documentElement.dataset.paintedAt = String(paintedAt);
      this.send({ type: 'painted', pageStarted: Math.round(performance.timeOrigin), paintedAt });
    } else this.send({ type: 'painted' });
  }

  private scenarioTimer: ReturnType<typeof setTimeout> | undefined;
  private scenario: Scenario | undefined;
  private breakpoints: PanelBreakpoints | undefined;

  /** The breakpoints saved with the panel's state (restored after a reload). */
  savedBreakpoints(): PanelBreakpoints | undefined {
    const parsed = parsePanelState(this.api.getState());
    return parsed.ok ? parsed.value.breakpoints : undefined;
  }

  saveBreakpoints(breakpoints: PanelBreakpoints): void {
    this.breakpoints = structuredClone(breakpoints);
    this.persist(this.scenario ?? (parsePanelState(this.api.getState()) as { ok: true; value: { scenario: Scenario } }).value?.scenario);
  }

  /** The inspector's equation coordinate saved with the panel's state (restored after a reload). */
  private inspectorCoordinate: string | undefined = (() => {
    const parsed = parsePanelState(this.api.getState());
    return parsed.ok ? parsed.value.inspectorCoordinate : undefined;
  })();

  get savedInspectorCoordinate(): string | undefined {
    return this.inspectorCoordinate;
  }

  saveInspectorCoordinate(param: string): void {
    this.inspectorCoordinate = param;
    this.persist(this.scenario ?? (parsePanelState(this.api.getState()) as { ok: true; value: { scenario: Scenario } }).value?.scenario);
  }

  /** The panel's state as VS Code keeps it: the scenario with the webview's own choices. */
  private persist(scenario: Scenario | undefined): void {
    if (!scenario) return;
    this.api.setState({
      version: PANEL_STATE_VERSION, scenario, display: this.display,
      ...(this.breakpoints ? { breakpoints: this.breakpoints } : {}),
      ...(this.inspectorCoordinate !== undefined ? { inspectorCoordinate: this.inspectorCoordinate } : {}),
    });
  }

  /** The display toggles saved with the panel (the defaults for a new panel or an older state). */
  private display: DisplayOptions = parseDisplayOptions((this.api.getState() as { display?: unknown } | undefined)?.display);

  get displayOptions(): DisplayOptions {
    return { ...this.display };
  }

  saveDisplay(display: DisplayOptions): void {
    this.display = { ...display };
    this.persist(this.scenario);
  }

  /**
   * Saved by VS Code for the panel serializer (after a reload), and told to the host, which answers
   * "ready" with it when the webview comes back after being hidden (zoom and pan do not go through it otherwise).
   */
  saveScenario(scenario: Scenario): void {
    this.scenario = scenario;
    this.persist(scenario);
    clearTimeout(this.scenarioTimer);
    const copy = structuredClone(scenario);
    this.scenarioTimer = setTimeout(() => this.send({ type: 'scenario', scenario: copy }), SCENARIO_DELAY_MS);
  }
}

/**
 * Requests of one kind where only the newest matters: an older request's reply, or its error, is
 * dropped once a newer one has started (request gets isNewest, for its progress).
 */
export function newestOnly(): <T>(request: (isNewest: () => boolean) => Promise<T>, use: (value: T) => void, fail: (error: unknown) => void) => Promise<void> {
  let newest = 0;
  return async (request, use, fail) => {
    const token = ++newest;
    try {
      const value = await request(() => token === newest);
      if (token === newest) use(value);
    } catch (error) {
      if (token === newest) fail(error);
    }
  };
}

/** When the page, its style sheet and its script arrived (ms since the webview started loading). */
function arrivals(): string {
  const page = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const times = page ? [`page ${Math.round(page.responseEnd)}`] : [];
  for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) times.push(`${entry.name.replace(/^.*\/|\?.*$/g, '')} ${Math.round(entry.responseEnd)}`);
  return `arrived: ${times.join(', ')}`;
}

function readEmbeddedSnapshot(): Snapshot | undefined {
  const text = document.getElementById(EMBEDDED_SNAPSHOT_ID)?.textContent;
  if (!text) return undefined;
  try {
    return decodeEmbedded(text) as Snapshot;
  } catch {
    return undefined; // the handshake brings it
  }
}
