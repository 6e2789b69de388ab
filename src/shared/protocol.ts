// The message protocol between the extension host and the panel webviews (its requests go through src/shared/rpc.ts).
// Imported by both sides: no 'vscode' or DOM imports here.
import * as v from 'valibot';
import { NetworkLineQuerySchema, type NetworkLineQuery, type NetworkPathResult, type PathStudyData } from './networkPaths';
import type { LossInfo, NetworkLayerStatsRequest, NetworkLayerStatsResult, NetworkOutputRequest, NetworkOutputResult, OptimizerInfo, RunTrace, StepState } from './engineApi';
import type { InspectorEquations } from './equationTex';
import type { AnimationFormat } from './animation';
import type { StudyData, StudyProgress } from './studies';
import type { CancelMessage, ProgressMessage, ReplyMessage, RequestMessage } from './rpc';
import { LIMITS } from './limits';
import {
  NetworkLandscapeQuerySchema, NetworkSharpnessQuerySchema, type NetworkLandscapeData, type NetworkLandscapeQuery, type NetworkSharpnessQuery, type NetworkSharpnessResult,
} from './networkLandscape';
import { PanelBreakpointsSchema, ScenarioSchema, validate, type PanelBreakpoints, type Parsed, type Range, type Scenario } from './scenarioModel';
import { NetworkEditSchema, type NetworkEdit } from './networkEdits';

export {
  SCHEDULE_FIELDS, SCHEDULE_TYPES, type OptionValue, type PanelBreakpoint, type PanelBreakpoints, type Range, type RunConfig, type Scenario,
} from './scenarioModel';
export { LIMITS } from './limits';

export const PANEL_STATE_VERSION = 1;

/** How the Playground draws its scenario (webview-only toggles, saved with the panel's state). */
export interface DisplayOptions {
  /** The landscape as a 2-D heatmap or a 3-D surface. */
  landscape: '2d' | '3d';
  /** Arrows of the descent direction over the landscape. */
  gradientField: boolean;
  /** Each run's gradient and update vector at the current step. */
  stepArrows: boolean;
}

export const DEFAULT_DISPLAY: DisplayOptions = { landscape: '2d', gradientField: false, stepArrows: false };

export interface PanelState {
  version: typeof PANEL_STATE_VERSION;
  scenario: Scenario;
  /** Added later (optional, so older saved states still restore). */
  breakpoints?: PanelBreakpoints;
  /** Absent in states saved before the display toggles existed. */
  display?: DisplayOptions;
  /** The parameter whose values the inspector's equations show (kept across a reload). */
  inspectorCoordinate?: string;
}

export type DebugAction = 'continue' | 'step' | 'stepBack' | 'runTo' | 'restart' | 'pause' | 'stop';

/** The training session the panel shows (src/session/trainingSession.ts), as the webview draws it. */
export interface SessionView {
  running: boolean;
  /** The banner, e.g. "Paused at step 914: loss < 1e-3 (adam)"; empty while running. */
  banner: string;
  /** The step the panel shows (the stopped runs' step). */
  step: number;
  positions: { label: string; step: number; engineStep: number; status: string }[];
  /** The run the inspector shows first (the one that stopped). */
  focusRun: number;
  /** In the order of the panel's list: whether the engine checks it, why not, and its hits over all runs. */
  breakpoints: { verified: boolean; message?: string; hits: number }[];
  traces: TraceData[];
}

/** What the inspector shows for a run at a step: TrainingSession.inspect's state with the run's label. */
export interface InspectorData extends Omit<StepState, 'hessian'> {
  label: string;
  /** The optimizer's update with this step's values, typeset on the host (src/session/inspectorEquations.ts). */
  equations?: InspectorEquations;
}

export interface PanelSettings {
  gridResolution: number;
  /** Playback speed in steps per second. */
  animationSpeed: number;
}

export interface Snapshot {
  scenario: Scenario;
  loss: LossInfo;
  optimizers: OptimizerInfo[];
  settings: PanelSettings;
  /**
   * The landscape over the scenario's view (or the loss's domain), so the first paint needs no round trip: a
   * coarse grid, quick to draw; the webview asks for the grid that fits its size next.
   */
  landscape?: LandscapeData;
  /**
   * A data-backed loss's samples: rows of loss.data.columns, row-major (a copy): loss.data.count training rows, then
   * loss.data.testCount test rows.
   */
  samples?: Float64Array;
  /** The scenario's runs as far as the engine has computed them, drawn with the first paint; "run" goes on from there. */
  runs?: RunsData;
}

export interface LandscapeQuery {
  loss: string;
  lossParams?: Record<string, number>;
  x: Range;
  y: Range;
  size: [number, number];
  /** Also the gradient field on a coarser grid of this size (over the same extent). */
  gradientSize?: [number, number];
}

export interface LandscapeData extends LandscapeQuery {
  /** size[0]*size[1] values, row-major with y outer (a copy, never a view on wasm memory). */
  values: Float64Array;
  min: number;
  max: number;
  /** With gradientSize: (df/dx, df/dy) interleaved, row-major with y outer. */
  gradient?: Float64Array;
}

/** A network's outputs over its input plane at one run's parameters (Engine.networkOutput; with batch norm: the row's running statistics). */
export type NetworkOutputQuery = NetworkOutputRequest;

/** The answer: the query with its grid of values (copies). */
export type NetworkOutputData = NetworkOutputQuery & NetworkOutputResult;

/** A network's per-layer statistics at a few of one run's parameter vectors (Engine.networkLayerStats). */
export type NetworkLayerStatsQuery = NetworkLayerStatsRequest;

/** One run's trace as the webview gets it (a copy, never a view on wasm memory). */
export type TraceData = Pick<RunTrace, 'label' | 'optimizer' | 'dim' | 'rows' | 'rowCount' | 'status' | 'stoppedAt'> & {
  /** Row r holds step r * recordEvery (the last row: the step where the run stopped); absent: 1, a row per step. */
  recordEvery?: number;
  /** With recordEvery > 1: [loss, gradNorm] of every step from 0 (RunTrace.losses). In a chunk: steps from lossFrom on. */
  losses?: Float64Array;
  lossFrom?: number;
  /** When asked for: the gradient's first two components at every row, rowCount x 2 (the plotted parameters). */
  grad?: Float64Array;
  /** ASGD: its averaged iterate ax at every row, rowCount x 2 (the plotted parameters), drawn as a second, dashed trajectory. */
  averaged?: Float64Array;
  /** Losses with a test split and classifying networks: rows of [test loss, test accuracy, train accuracy] (RunTrace.metrics). */
  metrics?: Float64Array;
  /** Networks with batch norm: each row's running statistics, rowCount x runningWidth (RunTrace.running): the output view's eval mode. */
  running?: Float64Array;
  runningWidth?: number;
  /**
   * L-BFGS: the loss evaluations inside its steps as [step, a, b] triples, (a, b) the plotted point (the first two
   * parameters; a 1-D loss: the parameter and the loss), drawn as faint points. In a chunk: those since the last chunk.
   */
  evaluations?: Float64Array;
};

export interface RunsData {
  traces: TraceData[];
}

/** A run's rows [from, rowCount) while its runs stream in (and their gradients, rows x 2, when asked for). */
export type TraceDataChunk = TraceData & { from: number };

/** Sent as the "run" request's progress before its reply: every run's new rows; done on the last one. */
export interface RunsDataChunk {
  traces: TraceDataChunk[];
  done: boolean;
}

/** Requests the webview makes, each with the type of the host's reply. */
export interface WebviewRequests {
  /** pageSnapshot: the page came with its first snapshot, so the answer leaves out the runs (the run stream brings them). */
  ready: { params: { pageSnapshot?: boolean }; reply: Snapshot };
  landscape: { params: { query: LandscapeQuery }; reply: LandscapeData };
  /**
   * Progress: the runs stream in as RunsDataChunks (the last one done), then the reply says how many rows each run has
   * (the chunks brought them all). `gradients`: each row's gradient too, in the chunks (the step arrows).
   */
  run: { params: { scenario: Scenario; gradients?: boolean }; reply: { rowCounts: number[] }; progress: RunsDataChunk };
  /** Diagnostics of a breakpoint condition as it is typed ([] when it is fine). */
  checkCondition: { params: { condition: string; run: number | null }; reply: { message: string; severity: 'error' | 'warning'; start: number; end: number }[] };
  inspect: { params: { run: number; step: number }; reply: InspectorData };
  networkOutput: { params: { query: NetworkOutputQuery }; reply: NetworkOutputData };
  /** A lesson's path study (Lesson.paths) for this scenario; progress: the bend's training steps. */
  pathStudy: { params: { scenario: Scenario }; reply: PathStudyData; progress: { done: number; steps: number } };
  networkLayerStats: { params: { query: NetworkLayerStatsQuery }; reply: NetworkLayerStatsResult };
  /** A network's loss on a plane (PCA of the runs' paths, or random filter-normalized directions), the paths on it. */
  networkLandscape: { params: { query: NetworkLandscapeQuery }; reply: NetworkLandscapeData };
  /** Sharpness at a run's shown step: the Hessian's top eigenvalue and the loss increase within a filter-normalized ball. */
  networkSharpness: { params: { query: NetworkSharpnessQuery }; reply: NetworkSharpnessResult };
  /** The train and test loss along the line between two of the runs' parameter vectors (Engine.networkPath). */
  networkLine: { params: { query: NetworkLineQuery }; reply: NetworkPathResult };
  /** The open lesson's study (lottery ticket, seeds) on its current .loss text: progress after each run. */
  study: { params: { lesson: string }; reply: StudyData; progress: StudyProgress };
}

export type WebviewRequest = RequestMessage<WebviewRequests>;

export type WebviewEvent =
  | { type: 'pickLoss' }
  /** The first landscape with its trajectories is on screen. */
  /** The first paint of a snapshot; the first of a page also says when (epoch ms) the page started loading and painted. */
  | { type: 'painted'; pageStarted?: number; paintedAt?: number }
  /** Show this scenario side by side, one landscape per run. */
  | { type: 'openCompare'; scenario: Scenario }
  /** The webview's scenario changed (start, view, runs): the host answers the next "ready" with it. */
  | { type: 'scenario'; scenario: Scenario }
  | { type: 'log'; level: 'info' | 'error'; message: string }
  /** The Export button: the host asks for a format and a file. */
  | { type: 'export' }
  /** The Export Animation button: the host asks for a format, settings and a file. */
  | { type: 'exportAnimation' }
  /** The Tune learning rates button. */
  | { type: 'tune' }
  /** The breakpoints list changed: the host checks them in the engine (starting a session when needed). */
  | { type: 'breakpoints'; breakpoints: PanelBreakpoints }
  /** A control of the paused session; step (runTo) or count (step). */
  | { type: 'debug'; action: DebugAction; step?: number; count?: number }
  /** The Compare values button: the host asks for a run, an option and its values. */
  | { type: 'sweep' }
  /** What the page can record (sent once it is mounted): WebM needs MediaRecorder and canvas.captureStream. */
  | { type: 'capabilities'; webm: boolean }
  /** A network control changed: the host edits the loss text's line (the .loss file's, when the panel has one). */
  | { type: 'editNetwork'; edit: NetworkEdit };

export type ImageFormat = 'png' | 'svg';

/** The plot as a PNG (base64) or an SVG document. */
export interface RenderedImage {
  format: ImageFormat;
  data: string;
}

/**
 * A part of an animation's file: its bytes as they are encoded, in order (transferred, not copied into JSON);
 * framesDone counts the frames drawn so far; the part with done ends the file.
 */
export interface AnimationPart {
  framesDone: number;
  done: boolean;
  data: Uint8Array;
}

/** Requests the host makes of the page (Export, Export Animation), answered by the page: the other direction of WebviewRequests. */
export interface PageRequests {
  render: { params: { format: ImageFormat }; reply: RenderedImage };
  /**
   * A frame at each step (increasing), `width` px wide (undefined: the view's, at most 640), encoded: the file comes as
   * progress, the reply (null) ends it. Cancel stops it at its next frame.
   */
  animate: { params: { format: AnimationFormat; steps: number[]; width?: number; fps: number }; reply: null; progress: AnimationPart };
}

/** The page's answers to PageRequests, as the validator lets them through. */
export type PageAnswer =
  | { type: 'reply'; inReplyTo: number; body: RenderedImage | null }
  | { type: 'reply'; inReplyTo: number; error: string; cancelled?: true }
  | { type: 'progress'; inReplyTo: number; body: AnimationPart };

/** Webview -> host. */
export type FromWebview = WebviewRequest | WebviewEvent | PageAnswer;

/** Host -> webview. */
export type ToWebview =
  | ReplyMessage
  | ProgressMessage
  | { type: 'snapshot'; snapshot: Snapshot }
  | RequestMessage<PageRequests>
  | CancelMessage
  /** A keybinding: play / pause, or one step forward or back. */
  | { type: 'playback'; action: PlaybackAction }
  /** The training session shown, or null when there is none. */
  | { type: 'session'; session: SessionView | null }
  /** The panel went out of sight (it keeps its page): playback pauses. */
  | { type: 'hidden' };

export type PlaybackAction = 'toggle' | 'forward' | 'back';

// ---- Runtime validation of what the host receives ----

export { parseRuns, type Parsed } from './scenarioModel';

class Invalid extends Error {}

function fail(path: string, expected: string): never {
  throw new Invalid(`${path}: expected ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'an object');
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number');
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(path, `an integer in [${min}, ${max}]`);
  return value;
}

function string(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength) fail(path, `a string of at most ${maxLength} characters`);
  return value;
}

function numbers(value: unknown, path: string, maxLength: number): number[] {
  if (!Array.isArray(value) || value.length > maxLength) fail(path, `an array of at most ${maxLength} numbers`);
  return value.map((item, i) => finite(item, `${path}[${i}]`));
}

function range(value: unknown, path: string): Range {
  const [lo, hi] = numbers(value, path, 2);
  if (!(lo < hi)) fail(path, 'a range [lo, hi] with lo < hi');
  return [lo, hi];
}

/** A value checked by one of the model's schemas (the same messages: path, then what was expected). */
function checked<S extends v.GenericSchema>(schema: S, value: unknown, path: string): v.InferOutput<S> {
  const parsed = validate(schema, value, path);
  if (!parsed.ok) throw new Invalid(parsed.error);
  return parsed.value;
}

function scenario(value: unknown, path: string): Scenario {
  return checked(ScenarioSchema, value, path);
}

function landscapeQuery(value: unknown, path: string): LandscapeQuery {
  const q = record(value, path);
  const [nx, ny] = numbers(q.size, `${path}.size`, 2);
  const parsed: LandscapeQuery = {
    loss: string(q.loss, `${path}.loss`, LIMITS.lossLength),
    x: range(q.x, `${path}.x`),
    y: range(q.y, `${path}.y`),
    size: [integer(nx, `${path}.size[0]`, 2, LIMITS.panelMaxGrid), integer(ny, `${path}.size[1]`, 2, LIMITS.panelMaxGrid)],
  };
  if (q.gradientSize !== undefined) {
    const [gx, gy] = numbers(q.gradientSize, `${path}.gradientSize`, 2);
    parsed.gradientSize = [integer(gx, `${path}.gradientSize[0]`, 2, LIMITS.panelMaxGradientGrid), integer(gy, `${path}.gradientSize[1]`, 2, LIMITS.panelMaxGradientGrid)];
  }
  if (q.lossParams !== undefined) parsed.lossParams = checked(ScenarioSchema.entries.lossParams, q.lossParams, `${path}.lossParams`);
  return parsed;
}

function networkOutputQuery(value: unknown, path: string): NetworkOutputQuery {
  const q = record(value, path);
  const [nx, ny] = numbers(q.size, `${path}.size`, 2);
  const parsed: NetworkOutputQuery = {
    loss: string(q.loss, `${path}.loss`, LIMITS.lossLength),
    params: numbers(q.params, `${path}.params`, LIMITS.network.params),
    x: range(q.x, `${path}.x`),
    size: [integer(nx, `${path}.size[0]`, 2, LIMITS.panelMaxGrid), integer(ny, `${path}.size[1]`, 1, LIMITS.panelMaxGrid)],
  };
  if (q.y !== undefined) parsed.y = range(q.y, `${path}.y`);
  if (q.stats !== undefined) parsed.stats = numbers(q.stats, `${path}.stats`, 2 * LIMITS.network.layers * LIMITS.network.width);
  return parsed;
}

/** Parameter vectors of a layer statistics query at most (the engine's limit). */
const MAX_STATS_POINTS = 64;

function networkLayerStatsQuery(value: unknown, path: string): NetworkLayerStatsQuery {
  const q = record(value, path);
  if (!Array.isArray(q.params) || q.params.length === 0 || q.params.length > MAX_STATS_POINTS) fail(`${path}.params`, `1 to ${MAX_STATS_POINTS} parameter lists`);
  const parsed: NetworkLayerStatsQuery = {
    loss: string(q.loss, `${path}.loss`, LIMITS.lossLength),
    params: q.params.map((p, i) => numbers(p, `${path}.params[${i}]`, LIMITS.network.params)),
  };
  if (q.bins !== undefined) parsed.bins = integer(q.bins, `${path}.bins`, 2, 200);
  return parsed;
}

function panelBreakpoints(value: unknown, path: string): PanelBreakpoints {
  return checked(PanelBreakpointsSchema, value, path);
}

function renderedImage(value: unknown, path: string): RenderedImage {
  const image = record(value, path);
  if (image.format !== 'png' && image.format !== 'svg') fail(`${path}.format`, "'png' or 'svg'");
  const data = string(image.data, `${path}.data`, LIMITS.imageLength);
  if (image.format === 'png' && !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) fail(`${path}.data`, 'a PNG in base64');
  if (image.format === 'svg' && !data.startsWith('<svg')) fail(`${path}.data`, 'an SVG document');
  return { format: image.format, data };
}

function animationPart(value: unknown, path: string): AnimationPart {
  const part = record(value, path);
  if (!(part.data instanceof Uint8Array) || part.data.length > LIMITS.animationPartBytes) fail(`${path}.data`, `a Uint8Array of at most ${LIMITS.animationPartBytes} bytes`);
  if (typeof part.done !== 'boolean') fail(`${path}.done`, 'a boolean');
  return { framesDone: integer(part.framesDone, `${path}.framesDone`, 0, LIMITS.maxAnimationFrames), done: part.done, data: part.data };
}

const DEBUG_ACTIONS: readonly DebugAction[] = ['continue', 'step', 'stepBack', 'runTo', 'restart', 'pause', 'stop'];

function parse<T>(read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.message };
    throw error;
  }
}

/** Validates a message from a webview; the result holds only known, well-formed fields. */
export function parseFromWebview(raw: unknown): Parsed<FromWebview> {
  return parse<FromWebview>(() => {
    const message = record(raw, 'message');
    const type = message.type;
    const requestId = () => integer(message.requestId, 'message.requestId', 1, Number.MAX_SAFE_INTEGER);
    switch (type) {
      case 'ready': {
        if (message.pageSnapshot !== undefined && typeof message.pageSnapshot !== 'boolean') fail('message.pageSnapshot', 'a boolean');
        return message.pageSnapshot ? { type, requestId: requestId(), pageSnapshot: true } : { type, requestId: requestId() };
      }
      case 'landscape':
        return { type, requestId: requestId(), query: landscapeQuery(message.query, 'message.query') };
      case 'run': {
        const parsed: Extract<FromWebview, { type: 'run' }> = { type, requestId: requestId(), scenario: scenario(message.scenario, 'message.scenario') };
        if (message.gradients !== undefined) {
          if (typeof message.gradients !== 'boolean') fail('message.gradients', 'a boolean');
          parsed.gradients = message.gradients;
        }
        return parsed;
      }
      case 'checkCondition':
        return {
          type, requestId: requestId(),
          condition: string(message.condition, 'message.condition', LIMITS.conditionLength),
          run: message.run === null ? null : integer(message.run, 'message.run', 0, LIMITS.maxRuns - 1),
        };
      case 'networkOutput':
        return { type, requestId: requestId(), query: networkOutputQuery(message.query, 'message.query') };
      case 'pathStudy':
        return { type, requestId: requestId(), scenario: scenario(message.scenario, 'message.scenario') };
      case 'networkLayerStats':
        return { type, requestId: requestId(), query: networkLayerStatsQuery(message.query, 'message.query') };
      case 'networkLandscape':
        return { type, requestId: requestId(), query: checked(NetworkLandscapeQuerySchema, message.query, 'message.query') };
      case 'networkSharpness':
        return { type, requestId: requestId(), query: checked(NetworkSharpnessQuerySchema, message.query, 'message.query') };
      case 'networkLine':
        return { type, requestId: requestId(), query: checked(NetworkLineQuerySchema, message.query, 'message.query') };
      case 'study':
        return { type, requestId: requestId(), lesson: string(message.lesson, 'message.lesson', LIMITS.labelLength) };
      case 'inspect':
        return { type, requestId: requestId(), run: integer(message.run, 'message.run', 0, LIMITS.maxRuns - 1), step: integer(message.step, 'message.step', 0, LIMITS.panelMaxSteps) };
      case 'breakpoints':
        return { type, breakpoints: panelBreakpoints(message.breakpoints, 'message.breakpoints') };
      case 'debug': {
        if (!DEBUG_ACTIONS.includes(message.action as DebugAction)) fail('message.action', DEBUG_ACTIONS.join(', '));
        const parsed: FromWebview = { type, action: message.action as DebugAction };
        if (message.step !== undefined) parsed.step = integer(message.step, 'message.step', 0, LIMITS.panelMaxSteps);
        if (message.count !== undefined) parsed.count = integer(message.count, 'message.count', 1, LIMITS.panelMaxSteps);
        return parsed;
      }
      case 'painted': {
        const parsed: FromWebview = { type };
        if (message.pageStarted !== undefined) parsed.pageStarted = integer(message.pageStarted, 'message.pageStarted', 0, Number.MAX_SAFE_INTEGER);
        if (message.paintedAt !== undefined) parsed.paintedAt = integer(message.paintedAt, 'message.paintedAt', 0, Number.MAX_SAFE_INTEGER);
        return parsed;
      }
      case 'pickLoss':
      case 'export':
      case 'exportAnimation':
      case 'tune':
      case 'sweep':
        return { type };
      case 'reply': {
        const inReplyTo = integer(message.inReplyTo, 'message.inReplyTo', 1, Number.MAX_SAFE_INTEGER);
        if (message.error !== undefined) {
          const error = string(message.error, 'message.error', LIMITS.messageLength);
          return message.cancelled === true ? { type, inReplyTo, error, cancelled: true } : { type, inReplyTo, error };
        }
        // The page answers render with an image and animate with null (its file came as progress).
        return { type, inReplyTo, body: message.body === null ? null : renderedImage(message.body, 'message.body') };
      }
      case 'progress':
        return { type, inReplyTo: integer(message.inReplyTo, 'message.inReplyTo', 1, Number.MAX_SAFE_INTEGER), body: animationPart(message.body, 'message.body') };
      case 'capabilities':
        if (typeof message.webm !== 'boolean') fail('message.webm', 'a boolean');
        return { type, webm: message.webm };
      case 'openCompare':
      case 'scenario':
        return { type, scenario: scenario(message.scenario, 'message.scenario') };
      case 'editNetwork': {
        const edit = validate(NetworkEditSchema, message.edit, 'message.edit');
        if (!edit.ok) throw new Invalid(edit.error);
        return { type, edit: edit.value };
      }
      case 'log': {
        if (message.level !== 'info' && message.level !== 'error') fail('message.level', "'info' or 'error'");
        return { type, level: message.level, message: string(message.message, 'message.message', LIMITS.messageLength) };
      }
      default:
        return fail('message.type', 'one of ready, landscape, run, checkCondition, inspect, networkOutput, networkLayerStats, networkLandscape, networkSharpness, networkLine, pathStudy, study, breakpoints, debug, pickLoss, painted, export, exportAnimation, tune, sweep, reply, progress, capabilities, openCompare, scenario, editNetwork, log');
    }
  });
}

/** Validates saved webview state (the serializer's input); an invalid display field is left out. */
/** A parameter name's length that a saved state keeps (a network's are like W12[100,100]). */
const MAX_COORDINATE_NAME = 200;

export function parsePanelState(raw: unknown): Parsed<PanelState> {
  return parse(() => {
    const state = record(raw, 'state');
    if (state.version !== PANEL_STATE_VERSION) fail('state.version', String(PANEL_STATE_VERSION));
    const parsed: PanelState = { version: PANEL_STATE_VERSION, scenario: scenario(state.scenario, 'state.scenario') };
    if (state.breakpoints !== undefined) parsed.breakpoints = panelBreakpoints(state.breakpoints, 'state.breakpoints');
    // A damaged display field is dropped (the panel shows the defaults) rather than costing the whole panel.
    const display = state.display === undefined ? undefined : parse(() => displayOptions(state.display, 'state.display'));
    if (display?.ok) parsed.display = display.value;
    const coordinate = state.inspectorCoordinate;
    if (typeof coordinate === 'string' && coordinate.length <= MAX_COORDINATE_NAME) parsed.inspectorCoordinate = coordinate; // else dropped
    return parsed;
  });
}

function displayOptions(value: unknown, path: string): DisplayOptions {
  const d = record(value, path);
  const flag = (key: 'gradientField' | 'stepArrows') => {
    if (d[key] === undefined) return DEFAULT_DISPLAY[key];
    if (typeof d[key] !== 'boolean') fail(`${path}.${key}`, 'a boolean');
    return d[key];
  };
  if (d.landscape !== undefined && d.landscape !== '2d' && d.landscape !== '3d') fail(`${path}.landscape`, "'2d' or '3d'");
  return { landscape: (d.landscape as DisplayOptions['landscape'] | undefined) ?? DEFAULT_DISPLAY.landscape, gradientField: flag('gradientField'), stepArrows: flag('stepArrows') };
}

/** The display toggles of a saved state; the defaults when absent or invalid (an older or damaged state). */
export function parseDisplayOptions(raw: unknown): DisplayOptions {
  const parsed = parse(() => displayOptions(raw, 'display'));
  return parsed.ok ? parsed.value : { ...DEFAULT_DISPLAY };
}

// ---- the first snapshot, embedded in the webview's HTML (a nonce'd JSON script: no round trip before the first paint) ----

export const EMBEDDED_SNAPSHOT_ID = 'initial-snapshot';

const BASE64 = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Base64 of bytes, in one pass over a byte buffer (btoa over a string of char codes is ten times slower). */
function base64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = BASE64[n >> 18];
    out[o++] = BASE64[(n >> 12) & 63];
    out[o++] = BASE64[(n >> 6) & 63];
    out[o++] = BASE64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = BASE64[n >> 18];
    out[o++] = BASE64[(n >> 12) & 63];
    out[o++] = i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : 61; // '='
    out[o] = 61;
  }
  return new TextDecoder().decode(out);
}

/** JSON for a <script type="application/json">: Float64Arrays as base64 of their bytes, and no "<" (so no "</script>"). */
export function encodeEmbedded(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => (v instanceof Float64Array ? { $float64: base64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) } : v));
  return json.replace(/</g, '\\u003c');
}

export function decodeEmbedded(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || typeof (v as { $float64?: unknown }).$float64 !== 'string') return v;
    const binary = atob((v as { $float64: string }).$float64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Float64Array(bytes.buffer);
  });
}
