// Every limit of Optiscope, once: what the engine can serve, and what a panel's message may carry. A request past
// one is refused before any work, with a message that names the limit. The scenario model's schema uses them.

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export const LIMITS = {
  // ---- the engine ----
  /** Steps per run (the core counts steps in 32 bits). */
  maxSteps: 100_000_000,
  /**
   * Steps of a panel's scenario. Fewer than the engine's on purpose: a panel records every step of every run (with
   * the state for the inspector) and sends them to the webview, which draws and plays them back frame by frame.
   */
  panelMaxSteps: 100_000,
  /**
   * The parameter rows a panel keeps of all its runs (runs x rows x (parameters + 1) x 8 bytes), held three times: in
   * the engine, the extension host and the page. Past it the panel keeps every k-th step's parameters (the smallest k
   * that fits) and every step's loss: a 2-16-16-3 network's 2 runs of 10 000 steps would be 57 MiB of rows a copy.
   */
  panelRecordBytes: 16 * MiB,
  /** Parameters of an n-D built-in loss (lossParams.dim). Losses in the loss language have at most 128. */
  maxParams: 100_000,
  /** A panel's start point and projection box: the messages stay small (a panel draws a 2-D slice). */
  panelMaxParams: 64,
  /** Newton's method and evaluate() hold dim x dim Hessians: 8 MB each at 1000 parameters. */
  maxHessianParams: 1000,
  /**
   * A network's Hessian (inspector, debugger, evaluate) up to this many parameters: the core builds it column by column
   * from 2 x dim gradient evaluations, each a pass over the training set; beyond, a view of dim^2 numbers says little.
   */
  networkHessianParams: 50,
  /** Landscape grid points along each side (values and gradient field). */
  maxGridSide: 4096,
  /** A panel's landscape grid along each side: enough for any screen, and a message of at most 8 MiB. */
  panelMaxGrid: 1024,
  /** A panel's gradient field (arrows) along each side. */
  panelMaxGradientGrid: 128,
  /** The core's allocator serves blocks up to 1 GiB (AssemblyScript's TLSF); one run's recorded trace is one block. */
  maxBlockBytes: GiB - 64,
  /** The core's memory may grow to 3 GiB (core/asconfig.json maximumMemory), never to wasm32's 4 GiB. */
  maxWasmBytes: 3 * GiB,
  /** All recorded runs held at once (run sets, sessions, the request being served): traces, state and Newton matrices. */
  recordedBytes: 2 * GiB,
  /** Numbers trace() returns as JavaScript arrays (rows x (parameters + 1)); longer traces: recordEvery or streamRuns. */
  maxTraceValues: 10_000_000,
  /** L-BFGS's inner evaluations a run of runs/streamRuns keeps for the views (numbers: rows of parameters + 2). */
  evaluationLogValues: 262_144,
  /** Compiled losses kept for reuse (built-ins with their parameters, expressions, .loss texts), least recently used out first. */
  lossCache: { entries: 64, bytes: 64 * MiB },
  /** Compiled breakpoint conditions kept for reuse. */
  conditionCache: { entries: 256, bytes: 16 * MiB },

  // ---- a scenario ----
  /** A loss may be a whole .loss file (comments included), with its data inline (4 MiB of text). */
  lossLength: 4_194_304,
  labelLength: 120,
  /** A run's optimizer: a built-in's name, or an optimizer written in the optimizer language (a whole .optim text). */
  optimizerLength: 65_536,
  /** Runs in one scenario (one landscape per run in Compare). */
  maxRuns: 12,
  /** Options of a run, and loss parameters. */
  maxOptions: 24,
  /** Numbers in an array-valued option (betas, ...). */
  maxArray: 16,
  /** Samples per minibatch. */
  maxBatchSize: 1_000_000,
  /** A stochastic run's seed: a 31-bit integer. */
  maxSeed: 2 ** 31 - 1,
  maxBreakpoints: 32,
  conditionLength: 1000,
  /** A network loss: Linear layers, units per layer, parameters (the core's scratch memory is checked too). */
  network: { layers: 32, width: 1024, params: 500_000 },

  // ---- the panels' messages ----
  messageLength: 4000,
  /** A rendered PNG (base64) or SVG document. */
  imageLength: 64 * MiB,
  /** One part of an animation's file (a frame's bytes, or a recorder's chunk). */
  animationPartBytes: 64 * MiB,
  maxAnimationFrames: 1000,
} as const;
