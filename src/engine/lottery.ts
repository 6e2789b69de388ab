// The lottery ticket (Frankle & Carbin 2019) and seed studies: sequences of training runs orchestrated in the engine
// (the worker), each run an ordinary engine run with a start and frozen parameters (src/shared/freeze.ts); and the
// strong ticket (Ramanujan et al. 2020): edge-popup against a random mask and the dense network.
import { stopIfCancelled } from './cancelPoints';
import { METRICS_WIDTH, type CancellableRuns, type CancelSignal, type Engine, type RunTrace } from '../shared/engineApi';
import type { EdgePopupProgress, EdgePopupRequest, EdgePopupResult } from '../shared/edgePopup';
import { networkParamGroups } from '../shared/network';
import {
  withDataLine, withWiderNetwork, type LotteryRequest, type LotteryResult, type LotteryRound, type SeedStudyRequest, type SeedStudyResult,
  type StrongTicketRequest, type StrongTicketResult, type StudyProgress,
} from '../shared/studies';
import { withNetworkOptions } from '../shared/networkEdits';
import { lossCurve } from './depthStudies';

/** The most pruning rounds and seeds one study runs. */
export const STUDY_LIMITS = { rounds: 30, seeds: 200 } as const;

/** The engine's requests a study makes; its runs stop between chunks when the signal fires. */
type StudyEngine = Pick<Engine, 'lossInfo'> & CancellableRuns;

function fail(message: string): never {
  throw new Error(message);
}

/** The last measured value of a metrics column (1: test accuracy, 0: test loss) of a run. */
function finalMetric(trace: RunTrace, column: number): number {
  const metrics = trace.metrics ?? fail('The study needs test metrics: give the data a test split (test=0.2)');
  for (let row = trace.rowCount - 1; row >= 0; row--) {
    const value = metrics[row * METRICS_WIDTH + column];
    if (!Number.isNaN(value)) return value;
  }
  return Number.NaN;
}

/** The final parameters of a run. */
function finalParams(trace: RunTrace): Float64Array {
  const width = trace.dim + 2;
  return trace.rows.subarray((trace.rowCount - 1) * width, (trace.rowCount - 1) * width + trace.dim);
}

/**
 * Prunes `fraction` of the kept weights (kept[i] = 1) with the smallest |final[i]|, per group of indices (one group per
 * layer, or all weights in one group). Ties are broken by index, so the result is reproducible.
 */
export function pruneSmallest(kept: Uint8Array, final: ArrayLike<number>, groups: number[][], fraction: number): void {
  for (const group of groups) {
    const alive = group.filter((i) => kept[i]);
    const count = Math.round(alive.length * fraction);
    alive.sort((a, b) => Math.abs(final[a]) - Math.abs(final[b]) || a - b);
    for (let k = 0; k < count; k++) kept[alive[k]] = 0;
  }
}

/**
 * Iterative magnitude pruning: train the full network, prune `prune` of the smallest remaining weights, reset the
 * survivors to their initial values and train again (the ticket), `rounds` times; each mask is also trained from a
 * random re-initialization. Pruned weights are zero and frozen. Progress after each round's two runs; the signal is
 * checked between runs.
 */
export async function lotteryTicket(
  engine: StudyEngine, request: LotteryRequest, onProgress?: (progress: StudyProgress) => void, signal?: CancelSignal,
): Promise<LotteryResult> {
  const { loss, run, steps, rounds, prune, scope } = request;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > STUDY_LIMITS.rounds) fail(`rounds is a whole number from 1 to ${STUDY_LIMITS.rounds}`);
  if (!(prune > 0 && prune < 1)) fail('prune is the fraction of the remaining weights pruned per round, between 0 and 1');
  if (scope !== 'layer' && scope !== 'global') fail("scope is 'layer' or 'global'");
  const info = await engine.lossInfo(loss);
  const network = info.network ?? fail('The lottery ticket prunes a network: the loss needs a network line');
  if (!info.data?.testCount) fail('The lottery ticket compares test results: give the data a test split (test=0.2)');
  const random = await engine.lossInfo(withNetworkOptions(loss, { seed: request.reinitSeed ?? network.seed + 1 }));
  const layers = networkParamGroups(network.widths, network.batchnorm).filter((g) => g.kind === 'weight')
    .map((g) => Array.from({ length: g.count }, (_, k) => g.start + k));
  const groups = scope === 'layer' ? layers : [layers.flat()];
  const weights = layers.flat().length;
  const metric = network.loss === 'mse' ? 'loss' : 'accuracy';
  const kept = new Uint8Array(info.dim).fill(1);
  const result: LotteryRound[] = [];
  let ticket: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    await stopIfCancelled(signal);
    const frozen: number[] = [];
    kept.forEach((k, i) => k || frozen.push(i));
    const masked = (start: number[]) => start.map((value, i) => (kept[i] ? value : 0));
    const traces = await engine.runs({
      loss,
      steps,
      recordEvery: steps, // only the start and the end are read
      runs: [
        { ...run, start: masked(info.start), freeze: frozen.length > 0 ? frozen : undefined },
        { ...run, start: masked(random.start), freeze: frozen.length > 0 ? frozen : undefined },
      ],
    }, signal);
    const column = metric === 'accuracy' ? 1 : 0;
    result.push({ remaining: (weights - frozen.length) / weights, ticket: finalMetric(traces[0], column), random: finalMetric(traces[1], column), mask: Array.from(kept) });
    ticket = Array.from(finalParams(traces[0]));
    onProgress?.({ done: 2 * (round + 1), total: 2 * (rounds + 1) });
    if (round < rounds) pruneSmallest(kept, finalParams(traces[0]), groups, prune);
  }
  return { metric, rounds: result, mask: Array.from(kept), network: { widths: network.widths, batchnorm: network.batchnorm }, ticket };
}

/** Trains the scenario from each network seed; the final training losses, with progress after each seed. */
export async function seedStudy(
  engine: StudyEngine, request: SeedStudyRequest, onProgress?: (progress: StudyProgress) => void, signal?: CancelSignal,
): Promise<SeedStudyResult> {
  const { seeds } = request;
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > STUDY_LIMITS.seeds) fail(`seeds: 1 to ${STUDY_LIMITS.seeds} network seeds`);
  const info = await engine.lossInfo(request.loss);
  if (!info.network) fail('A seed study trains a network from several seeds: the loss needs a network line');
  const losses: number[] = [];
  for (const seed of seeds) {
    await stopIfCancelled(signal);
    const [trace] = await engine.runs({ loss: withNetworkOptions(request.loss, { seed }), steps: request.steps, recordEvery: request.steps, runs: [{ ...request.run, start: undefined }] }, signal);
    losses.push(trace.rows[(trace.rowCount - 1) * (trace.dim + 2) + trace.dim]);
    onProgress?.({ done: losses.length, total: seeds.length });
  }
  return { losses };
}

/** What the strong ticket asks of an engine (the in-process engine and the worker's client both have it). */
export interface StrongTicketEngine extends CancellableRuns {
  edgePopup(request: EdgePopupRequest, onProgress?: (progress: EdgePopupProgress) => void, signal?: CancelSignal): Promise<EdgePopupResult>;
}

/**
 * Edge-popup on the request's network line (hidden widths times widen) on its data line, with He's uniform
 * initialization (the weights never change, so they need a scale at which a half-pruned relu net passes a signal);
 * then the same network from the same start trained normally. Progress: edge-popup's updates, then the dense run.
 */
export async function strongTicket(
  engine: StrongTicketEngine, request: StrongTicketRequest, onProgress?: (progress: StudyProgress) => void, signal?: CancelSignal,
): Promise<StrongTicketResult> {
  const { keep, steps, lr, widen } = request;
  if (!(widen >= 1 && widen <= 8)) fail('widen is the factor of the hidden widths, from 1 to 8');
  const loss = withNetworkOptions(withWiderNetwork(withDataLine(request.loss, request.data), widen), { init: 'kaiming_uniform', std: undefined, value: undefined });
  const popup = await engine.edgePopup({ loss, keep, steps, lr }, (p) => onProgress?.({ done: p.done, total: steps + 1 }), signal);
  await stopIfCancelled(signal);
  const [trace] = await engine.runs({ loss, steps, recordEvery: Math.max(1, Math.round(steps / 100)), metricsEvery: steps, runs: [{ ...request.run, start: undefined }] }, signal);
  onProgress?.({ done: steps + 1, total: steps + 1 });
  const test = popup.test;
  return {
    lines: loss.split('\n').filter((line) => /^\s*(data|network)\b/.test(line)).map((line) => line.trim()),
    keep,
    popup: popup.losses,
    dense: lossCurve(trace),
    accuracy: {
      randomMask: test?.accuracies[0] ?? Number.NaN,
      popup: test?.accuracies.at(-1) ?? Number.NaN,
      dense: trace.metrics ? finalMetric(trace, 1) : Number.NaN,
    },
  };
}
