// A panel scenario's engine work (the scenario is the engine's request as it is; the tuning's candidate runs), its
// runs streamed or at once, its landscape and its snapshot. No 'vscode': the panel passes the engine and settings in.
import { CancelledError, METRICS_WIDTH, type CancelSignal, type Engine, type LossInfo, type RunsRequest, type RunTrace } from '../shared/engineApi';
import type { LandscapeData, LandscapeQuery, NetworkOutputData, NetworkOutputQuery, PanelSettings, RunsData, Scenario, Snapshot, TraceData } from '../shared/protocol';
import { withRunOptimizers } from '../loss/optim';
import { runLabel } from '../shared/scenario';
import { rateOutcome, searchRate } from './tune';
import { RunStream } from './runStream';
import { panelRecordEvery } from '../shared/recording';
import type { NetworkSharpnessQuery, NetworkSharpnessResult } from '../shared/networkLandscape';
import type { NetworkLineQuery, NetworkPathResult } from '../shared/networkPaths';

/** The engine as a panel uses it: long runs can be cancelled. */
export type PanelEngine = Engine & {
  runs(request: RunsRequest, cancel?: CancelSignal): Promise<RunTrace[]>;
  networkSharpness(request: NetworkSharpnessQuery, cancel?: CancelSignal): Promise<NetworkSharpnessResult>;
};

/** Shows work in the status bar while it runs (runs: how many). */
export type Tracked = <T>(runs: number, work: Promise<T>) => Promise<T>;

/** The snapshot's landscape grid: coarse, so that the first paint is quick; the webview asks for its exact grid next. */
const SNAPSHOT_GRID = 64;

/** The scenario's runs, streamed by the engine in chunks (the status bar shows them while they run). */
export function startStream(engine: PanelEngine, tracked: Tracked, scenario: Scenario, gradients = false): RunStream {
  // ASGD's averaged iterate is state: recorded to be drawn beside its trajectory.
  const request: RunsRequest = { ...scenario, recordState: gradients || scenario.runs.some((run) => run.optimizer === 'asgd') || undefined };
  const stream = new RunStream(async (onChunk, cancel) => {
    // Past the panel's budget only every k-th step's parameters are kept, and every step's loss beside them.
    const { dim } = await engine.lossInfo(scenario.loss, scenario.lossParams);
    const recordEvery = panelRecordEvery(scenario, dim);
    return engine.streamRuns({ ...request, recordEvery, ...(recordEvery > 1 && { stepLosses: true }) }, onChunk, cancel);
  });
  tracked(scenario.runs.length, stream.result).catch(() => undefined);
  return stream;
}

/** The scenario's runs at once (for Export), each a copy of exactly its rows. */
export async function runsAtOnce(engine: PanelEngine, tracked: Tracked, scenario: Scenario): Promise<RunsData> {
  // Export writes every step: the panel's recordEvery is not its.
  const { recordEvery: _recordEvery, ...everyStep } = scenario;
  const traces = await tracked(scenario.runs.length, engine.runs(everyStep));
  return {
    traces: traces.map(({ label, optimizer, dim, rows, rowCount, status, stoppedAt, metrics }): TraceData => ({
      label, optimizer, dim, rows: rows.slice(0, rowCount * (dim + 2)), rowCount, status, stoppedAt, ...(metrics && { metrics: metrics.slice(0, rowCount * METRICS_WIDTH) }),
    })),
  };
}

export async function landscapeData(engine: PanelEngine, query: LandscapeQuery): Promise<LandscapeData> {
  const result = await engine.landscape(query);
  // A copy of exactly the grid: never post a view on (possibly shared) engine memory.
  const data: LandscapeData = { ...query, values: result.values.slice(0, query.size[0] * query.size[1]), min: result.min, max: result.max };
  if (query.gradientSize && result.gradient) data.gradient = result.gradient.slice(0, 2 * query.gradientSize[0] * query.gradientSize[1]);
  return data;
}

/** A network's outputs over its input plane at one run's parameters (the Playground's decision regions or curve). */
export async function networkOutputData(engine: PanelEngine, query: NetworkOutputQuery): Promise<NetworkOutputData> {
  const result = await engine.networkOutput(query);
  return { ...query, ...result };
}

/** Sharpness at a network run's shown step, as the engine computes it (in its worker). */
export function networkSharpnessData(engine: PanelEngine, query: NetworkSharpnessQuery, cancel?: CancelSignal): Promise<NetworkSharpnessResult> {
  return engine.networkSharpness(query, cancel);
}

/**
 * The train and test loss along the line between two of a network run's parameter vectors, past both ends by
 * query.extend, as the engine computes it (in its worker; quick, so not cancelled: that would restart the worker).
 */
export function networkLineData(engine: PanelEngine, query: NetworkLineQuery): Promise<NetworkPathResult> {
  const { loss, from, to, points, extend } = query;
  return engine.networkPath({ loss, from, to, points, extend });
}

/** Everything the page needs to draw a scenario but its runs; onLoss gets the loss's metadata as soon as it is known (the title). */
export async function scenarioSnapshot(engine: PanelEngine, scenario: Scenario, settings: PanelSettings, onLoss: (loss: LossInfo) => void): Promise<Snapshot> {
  const { loss: lossName, lossParams, view } = scenario;
  const loss = await engine.lossInfo(lossName, lossParams);
  onLoss(loss);
  const { x, y } = view ?? loss.domain;
  const resolution = Math.min(settings.gridResolution, SNAPSHOT_GRID);
  const [landscape, samples] = await Promise.all([
    // A network's page shows its output over the input plane, not a 2-D slice of its parameters.
    loss.network ? undefined : landscapeData(engine, { loss: lossName, lossParams, x, y, size: [resolution, resolution] }),
    loss.data ? engine.samples(lossName, lossParams).then((values) => values.slice()) : undefined,
  ]);
  return { scenario, loss, optimizers: withRunOptimizers(engine.optimizers(), scenario.runs), settings, ...(landscape && { landscape }), ...(samples && { samples }) };
}

/**
 * Searches each run's learning rate in the engine (one `runs` call of candidate rates per run, and one more decade
 * while the best is at an edge: searchRate); returns the scenario with every run at its best rate. Runs without a
 * numeric `lr`, or whose every candidate diverged, keep theirs.
 */
export async function tuneLearningRates(
  engine: PanelEngine,
  tracked: Tracked,
  current: Scenario,
  cancel: CancelSignal,
  progress: (done: number, total: number, label: string) => void,
): Promise<Scenario> {
  const scenario = structuredClone(current);
  const loss = await engine.lossInfo(scenario.loss, scenario.lossParams);
  const best = loss.minima.length > 0 ? Math.min(...loss.minima.map((m) => m.value)) : undefined;
  const optimizers = withRunOptimizers(engine.optimizers(), scenario.runs);
  // Without a known minimum only the final loss counts: a network's candidates then record their first and last rows
  // alone (12 runs of every step of a 2-16-16-3 net over 10 000 steps would be 360 MB of rows).
  const recordEvery = best === undefined ? Math.max(1, scenario.steps) : 1;
  // The candidates run to the end: the scenario's breakpoints are not theirs to pause at.
  const { breakpoints: _breakpoints, ...candidates } = scenario;
  for (const [index, run] of scenario.runs.entries()) {
    const lr = run.options.lr;
    progress(index, scenario.runs.length, runLabel(run, optimizers));
    if (typeof lr !== 'number' || !(lr > 0)) continue;
    const evaluate = async (rates: number[]) => {
      // Between the engine's calls too: an engine in this thread (tests, the CLI) cannot stop a call it has begun.
      if (cancel.isCancellationRequested) throw new CancelledError();
      const traces = await tracked(
        rates.length,
        engine.runs(
          { ...candidates, runs: rates.map((rate) => ({ ...run, options: { ...run.options, lr: rate } })), recordEvery },
          cancel,
        ),
      );
      return traces.map((trace, k) => rateOutcome(rates[k], trace, best));
    };
    const { best: chosen } = await searchRate(lr, evaluate);
    if (chosen) run.options = { ...run.options, lr: chosen.lr };
  }
  progress(scenario.runs.length, scenario.runs.length, '');
  return scenario;
}
