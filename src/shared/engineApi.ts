// The engine's public types: used by the headless entry, the worker, the host and the webviews.
import type { LotteryRequest, LotteryResult, SeedStudyRequest, SeedStudyResult, StudyProgress } from './studies';
import type { EdgePopupProgress, EdgePopupRequest, EdgePopupResult } from './edgePopup';
import type { BatchnormStudyRequest, BatchnormStudyResult, NetworkSmoothnessRequest, SmoothnessPoint } from './batchnorm';
import type { BreakpointSpec, RunConfig, Scenario, StochasticSpec } from './scenarioModel';
import type { NetworkSpec } from './network';
import type {
  BendProgress, BendRequest, BendResult, NetworkAlignRequest, NetworkAlignResult, NetworkPathRequest, NetworkPathResult, NetworkPermuteRequest,
} from './networkPaths';
import type {
  NetworkLandscapeProgress, NetworkLandscapeRequest, NetworkLandscapeResult, NetworkSharpnessRequest, NetworkSharpnessResult,
} from './networkLandscape';

export type RunStatus =
  | 'running' // not finished yet (a paused or streaming run)
  | 'completed' // reached max steps
  | 'converged' // gradient norm fell below stop.gradTol
  | 'out_of_bounds' // left stop.bounds
  | 'diverged' // a non-finite parameter, loss or gradient
  | 'singular' // Newton's system could not be solved
  | 'paused'; // a breakpoint was hit; the run can go on

export type { BreakpointSpec, ScheduleSpec, StochasticSpec, StopSpec } from './scenarioModel';

/**
 * What the engine runs: a scenario (src/shared/scenarioModel.ts) as it is; its view, chart axis and lesson are the
 * panels' and ignored here. The start may be left out: a run's own start wins over the scenario's (null or absent:
 * the loss's default start).
 */
export type RunsRequest = Pick<Scenario, 'loss' | 'lossParams' | 'steps' | 'stop'> & {
  start?: Scenario['start'];
  runs: RunSpec[];
  /** Conditions (strings or specs): the run pauses at the first step where one holds (status 'paused'). */
  breakpoints?: (string | BreakpointSpec)[];
  /** Also record the gradient and the optimizer's state at every step (for the inspector). */
  recordState?: boolean;
  /**
   * Keep the row of every k-th step only (row 0, the steps that are multiples of k, and the run's last row), for long
   * runs: row r is step r*k, the last row the step where the run stopped (a diverged run: its last finite step).
   * Default 1: every step. Not with breakpoints.
   */
  recordEvery?: number;
  /**
   * Measure the metrics (RunTrace.metrics) every k-th step, a multiple of recordEvery (step 0 and the last step always).
   * Default: the smallest k at which measuring costs at most about one training forward pass per step (k = 1 when the
   * evaluated samples are no more than a step's batch), and 1 when a breakpoint's condition reads a metric.
   */
  metricsEvery?: number;
  /**
   * With recordEvery above 1: also record every step's loss and gradient norm (RunTrace.losses, 16 bytes a step), so
   * that the loss curve stays exact while the parameters are kept every k-th step.
   */
  stepLosses?: boolean;
};

/**
 * Values per row of RunTrace.metrics: test loss, test accuracy, train accuracy. Test metrics are on the data's test split
 * (LossInfo.data.testCount); for networks in eval mode (batch norm with the run's running statistics); accuracies for
 * bce and cross_entropy networks only (the training samples' in eval mode). NaN where not measured or not defined.
 */
export const METRICS_WIDTH = 3;

/** A scenario's run as the engine takes it: options may be left out (the defaults), and the engine checks them itself. */
export type RunSpec = Omit<RunConfig, 'options'> & { options?: Record<string, unknown> };

/** One run, its fields beside the request's (Engine.trace, the headless API). */
export type TraceRequest = Omit<RunsRequest, 'runs' | 'recordState'> & RunSpec;

export interface TraceResult {
  /** steps+1 rows of [...params, loss] (fewer when the run stopped early, or with recordEvery); row 0 is the start. */
  trajectory: number[][];
  status: RunStatus;
  /** The step at which the run stopped (diverged, converged, ...), or the number of steps done. */
  stoppedAt: number;
  /** One gradient norm per trajectory row. */
  gradNorm: number[];
  /** With status 'paused': the indices of the breakpoints that paused the run. */
  pausedBy?: number[];
  /**
   * L-BFGS only: the loss evaluations inside its steps (inner iterations, line-search trials) as rows of
   * [step, ...params, loss], in order; a step's first evaluation, at the row before, is not repeated.
   */
  evaluations?: number[][];
  /** ASGD only: its averaged iterate ax after each trajectory row's step (row 0: torch's zeros; ax = x until t0). */
  averaged?: number[][];
  /**
   * Losses with a test split, and bce / cross_entropy networks: one value per trajectory row (NaN where not measured; see
   * RunsRequest.metricsEvery and METRICS_WIDTH), as RunTrace.metrics' columns.
   */
  testLoss?: number[];
  testAccuracy?: number[];
  trainAccuracy?: number[];
}

export interface RunTrace {
  label: string;
  optimizer: string;
  dim: number;
  /** Rows of [...params, loss, gradNorm], row-major: (rows) x (dim + 2). */
  rows: Float64Array;
  rowCount: number;
  /** The request's recordEvery (1: a row per step). */
  recordEvery: number;
  status: RunStatus;
  stoppedAt: number;
  /** With recordState: rows of [...grad, ...state], (rowCount) x stateWidth. */
  state?: Float64Array;
  stateNames?: string[];
  /**
   * L-BFGS: the loss evaluations inside its steps so far (inner iterations, line-search trials; a step's first, at the
   * row before, is not repeated) as rows of [step, ...params, loss], (dim + 2) each; at most LIMITS.evaluationLogValues
   * numbers (the first ones).
   */
  evaluations?: Float64Array;
  /** With status 'paused': the breakpoints that paused it; hits: each breakpoint's hit count. */
  pausedBy?: number[];
  hits?: number[];
  /**
   * Losses with a test split, and bce / cross_entropy networks: rows of [test loss, test accuracy, train accuracy], one per trace row,
   * (rowCount) x METRICS_WIDTH; NaN where not measured (every metricsEvery-th step) or not defined.
   */
  metrics?: Float64Array;
  /** The steps between measured metrics rows' steps (see RunsRequest.metricsEvery). */
  metricsEvery?: number;
  /** With RunsRequest.stepLosses and recordEvery > 1: [loss, gradNorm] of every step from 0 (stoppedAt + 1 pairs; a diverged run: its finite steps). */
  losses?: Float64Array;
  /**
   * Networks with batch norm: the running statistics (running means, then variances, runningWidth = 2 x the hidden
   * units) the run held at each row's step, what eval mode at that step uses: (rowCount) x runningWidth.
   */
  running?: Float64Array;
  runningWidth?: number;
}

/** The rows one run added since the previous chunk of a stream (see Engine.streamRuns). */
export interface TraceChunk extends Omit<RunTrace, 'rows' | 'state' | 'metrics' | 'evaluations' | 'losses' | 'running'> {
  /** The index of the first row in rows: rows [from, rowCount) of the whole trace. */
  from: number;
  /** (rowCount - from) x (dim + 2), a copy. */
  rows: Float64Array;
  /** With recordState: the state of the same rows. */
  state?: Float64Array;
  /** The metrics of the same rows (see RunTrace.metrics). */
  metrics?: Float64Array;
  /** The running statistics of the same rows (see RunTrace.running). */
  running?: Float64Array;
  /** L-BFGS: the evaluations logged since the previous chunk (see RunTrace.evaluations), a copy. */
  evaluations?: Float64Array;
  /** The per-step losses (RunTrace.losses) of steps [lossFrom, lossFrom + losses.length / 2), a copy. */
  losses?: Float64Array;
  lossFrom?: number;
}

/** One step of a streamed run set: every run's new rows; done on the last one. */
export interface RunsChunk {
  traces: TraceChunk[];
  done: boolean;
}

export interface LandscapeRequest {
  loss: string;
  lossParams?: Record<string, number>;
  x: [number, number];
  y: [number, number];
  size: [number, number];
  /** Also compute the gradient field on a coarser grid of this size. */
  gradientSize?: [number, number];
  /** For n-D losses: the values of the other parameters (the slice shown is params 0 and 1). */
  base?: number[];
}

export interface LandscapeResult {
  /** nx*ny loss values, row-major with y outer: values[j*nx + i] = f(x_i, y_j). */
  values: Float64Array;
  min: number;
  max: number;
  /** With gradientSize: gx, gy interleaved, row-major with y outer. */
  gradient?: Float64Array;
}

/** A network's outputs over a grid of inputs (Engine.networkOutput): the decision regions or the fitted curve. */
export interface NetworkOutputRequest {
  /** A network loss (a .loss text with a network line). */
  loss: string;
  /** The network's parameters (LossInfo.params order). */
  params: number[];
  /** The first input's range; the second's for a network of two inputs. */
  x: [number, number];
  y?: [number, number];
  /** Grid points along x and y (y: 1 for a network of one input). */
  size: [number, number];
  /** Batch norm's running statistics (running means, then variances, per hidden unit); absent: the identity (mean 0, variance 1). */
  stats?: number[];
}

export interface NetworkOutputResult {
  /**
   * One value per grid point, row-major with y outer: mse the first output; bce the probability of class 1;
   * cross_entropy the predicted class (the largest output).
   */
  values: Float64Array;
  /** cross_entropy: the predicted class's softmax probability per point; bce: max(p, 1 - p); mse: absent. */
  confidence?: Float64Array;
  /** The output count (cross_entropy: the classes). */
  outputs: number;
}

/** A network's per-layer statistics at one or more parameter vectors (Engine.networkLayerStats). */
export interface NetworkLayerStatsRequest {
  /** A network loss (a .loss text with a network line). */
  loss: string;
  /** Parameter vectors (LossInfo.params order), e.g. one run's at a few recorded steps; at most 64. */
  params: number[][];
  /** Equal-width bins of each layer's weight histogram (2 to 200; default 20). */
  bins?: number;
}

/**
 * One Linear layer's statistics over the training samples, from one full-batch training step's forward and backward in
 * train mode (batch norm with the batch's statistics; running statistics untouched). Stds are biased (over their count).
 */
export interface NetworkLayerStats {
  /** Over samples x units of a hidden layer's activation outputs (after batch norm and the activation); the last layer's logits. */
  activationMean: number;
  activationStd: number;
  /** Of d(mean training loss)/dz, z the layer's Linear output (before batch norm and the activation), over samples x units. */
  gradientMean: number;
  gradientStd: number;
  /** The weight matrix's (not the bias's) finite values: [min, max] (one value v: [v - 0.5, v + 0.5]), and their counts in equal bins over it. */
  weightRange: [number, number];
  weightCounts: number[];
}

export interface NetworkLayerStatsResult {
  /** Per request.params entry, in order: the mean training loss there and each Linear layer's statistics (layer 1 first). */
  points: { loss: number; layers: NetworkLayerStats[] }[];
}

export interface LossInfo {
  name: string;
  title: string;
  formula: string;
  dim: number;
  /** Parameter names, e.g. ['x', 'y']. */
  params: string[];
  domain: { x: [number, number]; y: [number, number] };
  start: number[];
  minima: { point: number[]; value: number }[];
  /** Adjustable built-in parameters and their defaults. */
  lossParams?: Record<string, number>;
  /** Data-backed losses: the number of samples and their columns (see Engine.samples). */
  data?: {
    /** The training samples: the loss is their mean, minibatches are drawn from them. */
    count: number;
    /** The test split's samples (a data line's test=), after the training ones in Engine.samples; absent: none. */
    testCount?: number;
    columns: string[];
    /**
     * How a run's parameters read as a model over the samples: 'line' y = p1*x + p2 (linear regression),
     * 'boundary' p1*x1 + p2*x2 = 0 (logistic regression). Absent (a per-sample loss of a .loss file): no model drawn.
     */
    model?: 'line' | 'boundary';
  };
  /** The loss in the loss language (what a .loss file can say), where it can be said. */
  expression?: string;
  /** Stochastic steps every run on this loss takes unless its own stochastic says otherwise (per field): a .loss file's stochastic line. */
  stochastic?: StochasticSpec;
  /** Online losses change with the step; runs are projected onto this box unless they say otherwise. */
  online?: { projection: [number, number][] };
  /** A network (a .loss file's network line): its widths, activation, loss, batch norm, residual, init and seed. */
  network?: NetworkSpec;
  note?: string;
}

export interface OptimizerInfo {
  name: string;
  title: string;
  /** PyTorch option names with their defaults. */
  defaults: Record<string, number | boolean | number[]>;
  /** Options without a default to edit (torch's None: L-BFGS's max_eval, line_search_fn), by the type they take: kept when a run gives them. */
  optional?: Record<string, 'number' | 'string'>;
  /** A written optimizer's .optim text (a run's `optimizer` is this text); absent for built-ins. */
  source?: string;
  /** Where a written optimizer comes from (a workspace path, or the shipped example's name), for pickers. */
  file?: string;
}

/** A run set kept in the engine between requests (for stepping, pausing and inspecting); see SessionRequest. */
export interface SessionRequest extends Omit<RunsRequest, 'recordState' | 'breakpoints' | 'recordEvery'> {
  breakpoints?: SessionBreakpoint[];
}

/** A session's breakpoint: its id carries its hit counts over when the list changes. */
export interface SessionBreakpoint extends BreakpointSpec {
  id: string;
}

export interface SessionAdvance {
  /** The runs to advance (indices); default: all. Paused ones are resumed first. */
  runs?: number[];
  /** At most this many steps each; they stop earlier at a breakpoint or their end. */
  steps: number;
}

/** What changed in one run: rows [from, rowCount) of its trace and state trace, and its status. */
export interface SessionRunUpdate {
  status: RunStatus;
  /** The engine's step: the last row, or for a diverged run the step whose values were not finite. */
  stoppedAt: number;
  rowCount: number;
  from: number;
  /** (rowCount - from) rows of [...params, loss, gradNorm]. */
  rows: Float64Array;
  /** (rowCount - from) rows of stateNames. */
  state: Float64Array;
  /** (rowCount - from) rows of metrics (see RunTrace.metrics), when the loss has them. */
  metrics?: Float64Array;
  /** With batch norm: (rowCount - from) rows of running statistics, runningWidth each (see RunTrace.running). */
  running?: Float64Array;
  runningWidth?: number;
  /** L-BFGS: the evaluations logged since the previous update (see RunTrace.evaluations). */
  evaluations?: Float64Array;
  /** Ids of the breakpoints that paused the run (status 'paused'). */
  pausedBy: string[];
  /** Hit counts by breakpoint id. */
  hits: Record<string, number>;
}

export interface SessionUpdate {
  id: number;
  runs: SessionRunUpdate[];
}

export interface SessionOpened extends SessionUpdate {
  loss: LossInfo;
  /** Per run: label, optimizer, the state trace's column names, and the names conditions can use. */
  info: { label: string; optimizer: string; stateNames: string[]; conditionNames: string[] }[];
  steps: number;
}

/** A cache of compiled losses or conditions. */
export interface CacheUsage {
  entries: number;
  /** Estimated bytes of the entries kept (the key's text, compiled code and core memory). */
  bytes: number;
  /** Entries out of the cache that runs still use (freed with those runs). */
  retained: number;
}

/** What the engine holds (WasmEngine.memory()), for logs and tests. */
export interface EngineMemory {
  /** The core's WebAssembly memory (it never shrinks). */
  wasmBytes: number;
  /** Recorded runs held: open run sets and sessions (at most LIMITS.recordedBytes). */
  recordedBytes: number;
  runSets: number;
  sessions: number;
  /** The reusable landscape buffer. */
  landscapeBytes: number;
  losses: CacheUsage;
  conditions: CacheUsage;
  /** Linked steps of optimizers written in the optimizer language. */
  optimizers: CacheUsage;
}

/**
 * Runs a study may stop: the in-process engine's stop between chunks when the signal fires (a study in the worker);
 * the worker client's end the worker.
 */
export interface CancellableRuns {
  runs(request: RunsRequest, signal?: CancelSignal): Promise<RunTrace[]>;
}

export interface Engine {
  trace(request: TraceRequest): Promise<TraceResult>;
  landscape(request: LandscapeRequest): Promise<LandscapeResult>;
  runs(request: RunsRequest): Promise<RunTrace[]>;
  /**
   * The runs of a request in chunks, as they are computed: a small first chunk (the first steps, at once),
   * then bigger ones, until every run stopped or reached the steps, or the signal is cancelled (checked between chunks).
   */
  streamRuns(request: RunsRequest, onChunk: (chunk: RunsChunk) => void | Promise<void>, signal?: CancelSignal): Promise<void>;
  losses(): LossInfo[];
  optimizers(): OptimizerInfo[];
  /** Metadata for a built-in name or an expression. Rejects with the first diagnostic for a bad loss. */
  lossInfo(loss: string, lossParams?: Record<string, number>): Promise<LossInfo>;
  /**
   * The samples of a data-backed loss: rows of LossInfo.data.columns, row-major; the first data.count rows are the
   * training samples, the next data.testCount (if any) the test split.
   */
  samples(loss: string, lossParams?: Record<string, number>): Promise<Float64Array>;
  /** A network's outputs (eval mode) over a grid of its inputs, at given parameters. */
  networkOutput(request: NetworkOutputRequest): Promise<NetworkOutputResult>;
  /** The loss (train and test) along the line or Bezier curve between two parameter vectors (src/shared/networkPaths.ts). */
  networkPath(request: NetworkPathRequest): Promise<NetworkPathResult>;
  /** Trains a Bezier curve's bend; progress per chunk, cancel between chunks (the bend so far). */
  trainBend(request: BendRequest, onProgress?: (progress: BendProgress) => void | Promise<void>, signal?: CancelSignal): Promise<BendResult>;
  /** The parameters with their hidden units permuted (the same function). */
  permuteNetwork(request: NetworkPermuteRequest): Promise<number[]>;
  /** Weight matching: params permuted to be most like reference. */
  alignNetworks(request: NetworkAlignRequest): Promise<NetworkAlignResult>;
  /** A network's per-layer statistics (activations, gradients, weight histograms) at a few parameter vectors. */
  networkLayerStats(request: NetworkLayerStatsRequest): Promise<NetworkLayerStatsResult>;
  /** A network's loss on a plane of parameters around a centre (src/shared/networkLandscape.ts); cancel between rows. */
  networkLandscape(
    request: NetworkLandscapeRequest, onProgress?: (progress: NetworkLandscapeProgress) => void, signal?: CancelSignal,
  ): Promise<NetworkLandscapeResult>;
  /** Sharpness at a point: the Hessian's top eigenvalue and the loss increase within a filter-normalized ball. */
  networkSharpness(request: NetworkSharpnessRequest): Promise<NetworkSharpnessResult>;
  /** Santurkar et al.'s loss variation and gradient change along the gradient at each parameter vector (src/shared/batchnorm.ts). */
  networkSmoothness(request: NetworkSmoothnessRequest): Promise<SmoothnessPoint[]>;
  /** Edge-popup (Ramanujan et al. 2020): a random network's top-k subnetwork found by training scores (src/shared/edgePopup.ts). */
  edgePopup(request: EdgePopupRequest, onProgress?: (progress: EdgePopupProgress) => void, signal?: CancelSignal): Promise<EdgePopupResult>;
}

/** One step of one run as the inspector and the debugger show it. */
export interface StepState {
  run: number;
  step: number;
  params: Record<string, number>;
  loss: number;
  gradNorm: number;
  /** The learning rate of the step that led here (step 0: of the first step). */
  lr: number;
  /** The gradient at this point, by parameter. */
  grad: Record<string, number>;
  /** The optimizer's state after this step, by PyTorch's names per coordinate (exp_avg_x, ...). */
  state: Record<string, number>;
  /** x_{t+1} - x_t by parameter (absent at the end of a run). */
  effectiveStep?: Record<string, number>;
  /** The step to the next row (absent at the end of a run): its learning rate and the state after it (the inspector's equations). */
  next?: { lr: number; state: Record<string, number> };
  /** Row-major Hessian of the loss at this point, and its eigenvalues (ascending). */
  hessian: number[];
  hessianEigenvalues: number[];
}

/** Cancels a request: VS Code's CancellationToken has this shape. */
export interface CancelSignal {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** How a cancelled request rejects (the name survives bundling: callers may test error.name). */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** What the engine worker answers: the Engine, a point's derivatives, sessions and its memory. */
export interface WorkerEngine extends Engine {
  /** The loss, its gradient and its row-major Hessian at a point. */
  evaluate(loss: string, point: number[], lossParams?: Record<string, number>): Promise<{ value: number; gradient: number[]; hessian: number[] }>;
  openSession(request: SessionRequest): Promise<SessionOpened>;
  advanceSession(id: number, advance: SessionAdvance): Promise<SessionUpdate>;
  setSessionBreakpoints(id: number, breakpoints: SessionBreakpoint[]): Promise<SessionUpdate>;
  closeSession(id: number): Promise<void>;
  memory(): EngineMemory;
}

/** The worker's methods that are asked with their arguments and answered with a value (losses and optimizers are known on the host). */
type AskedMethods = Exclude<keyof WorkerEngine, 'losses' | 'optimizers' | 'streamRuns' | 'trainBend' | 'networkLandscape' | 'edgePopup'>;

/**
 * The engine worker's method map (src/shared/rpc.ts), derived from WorkerEngine: each method's arguments travel as
 * `args`; streamRuns's chunks are its progress (its callback and signal stay on the host).
 */
export type EngineRequests = {
  [K in AskedMethods]: { params: { args: Parameters<WorkerEngine[K]> }; reply: Awaited<ReturnType<WorkerEngine[K]>> };
} & {
  streamRuns: { params: { args: [RunsRequest] }; reply: void; progress: RunsChunk };
  trainBend: { params: { args: [BendRequest] }; reply: BendResult; progress: BendProgress };
  networkLandscape: { params: { args: [NetworkLandscapeRequest] }; reply: NetworkLandscapeResult; progress: NetworkLandscapeProgress };
  edgePopup: { params: { args: [EdgePopupRequest] }; reply: EdgePopupResult; progress: EdgePopupProgress };
  // Studies (src/engine/lottery.ts): sequences of runs in the worker, with progress and cancel.
  lottery: { params: { args: [LotteryRequest] }; reply: LotteryResult; progress: StudyProgress };
  seedStudy: { params: { args: [SeedStudyRequest] }; reply: SeedStudyResult; progress: StudyProgress };
  batchnormStudy: { params: { args: [BatchnormStudyRequest] }; reply: BatchnormStudyResult; progress: StudyProgress };
};
