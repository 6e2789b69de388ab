// Stochastic and online views of runs (no 'vscode' import: unit-tested in node, shared with the webview):
// samples seen per step, the average regret of online runs, the linear-scaling-rule preset.
import type { LossInfo, StochasticSpec } from './engineApi';
import type { RunConfig, TraceData } from './protocol';

/** A run's stochastic settings as the engine takes them: the loss's (a `stochastic` line), each overridden by the run's own. */
export function effectiveStochastic(run: Pick<RunConfig, 'stochastic'> | undefined, loss: Pick<LossInfo, 'stochastic'> | undefined): StochasticSpec {
  return { ...loss?.stochastic, ...run?.stochastic };
}

/** Samples a run's step sees: its batch size, or every sample for a full batch; 1 for a loss without data. */
export function samplesPerStep(run: RunConfig | undefined, loss: Pick<LossInfo, 'data' | 'stochastic'>): number {
  const count = loss.data?.count ?? 1;
  const batch = effectiveStochastic(run, loss).batchSize ?? 0;
  return batch > 0 ? Math.min(batch, count) : count;
}

/**
 * The online losses' f_t coefficient (f_t(x) = c_t x): Reddi et al.'s cycle C, -1, -1 (t is 1-based). The
 * stochastic problem draws its f_t in the engine; its regret is taken against the expected loss instead.
 */
function reddiCoefficient(t: number, C: number): number {
  return t % 3 === 1 ? C : -1;
}

export interface RegretSeries {
  /** averageRegret[T - 1] = R_T / T for T = 1 .. rows - 1. */
  averageRegret: number[];
  /** The best fixed point in hindsight after the last step. */
  best: number;
  /** 'exact': the revealed f_t; 'expected': the expected loss E f_t (the draws stay in the engine). */
  kind: 'exact' | 'expected';
}

/**
 * Average regret R_T / T of a 1-D online run: R_T = sum_{t<=T} f_t(x_t) - min_x sum_{t<=T} f_t(x), the minimum
 * over the projection box [lo, hi], where x_t (row t-1) is the point played before f_t is revealed.
 * Undefined for a loss that is not one of the online problems.
 */
export function averageRegret(trace: TraceData, loss: Pick<LossInfo, 'name' | 'lossParams' | 'online'>, box?: [number, number]): RegretSeries | undefined {
  const [lo, hi] = box ?? loss.online?.projection[0] ?? [-1, 1];
  const params = loss.lossParams ?? {};
  const coefficient =
    loss.name === 'reddi' ? (t: number) => reddiCoefficient(t, params.C ?? 3) : loss.name === 'reddi_stochastic' ? () => params.delta ?? 0.02 : undefined;
  if (!coefficient || trace.dim !== 1) return undefined;
  const width = trace.dim + 2;
  const averageRegret: number[] = [];
  let played = 0;
  let sum = 0;
  for (let t = 1; t < trace.rowCount; t++) {
    const c = coefficient(t);
    played += c * trace.rows[(t - 1) * width];
    sum += c;
    averageRegret.push((played - Math.min(sum * lo, sum * hi)) / t);
  }
  return { averageRegret, best: sum > 0 ? lo : hi, kind: loss.name === 'reddi' ? 'exact' : 'expected' };
}

/**
 * The linear scaling rule (Goyal et al. 2017) as runs: batch sizes B, kB, k^2 B with learning rates lr, k lr,
 * k^2 lr, then kB and k^2 B at the unscaled lr for contrast. Every run has the same optimizer, options and seed.
 */
export function scalingRuleRuns(base: RunConfig, batch: number, k: number): RunConfig[] {
  const lr = typeof base.options.lr === 'number' ? base.options.lr : 0.01;
  const seed = base.stochastic?.seed ?? 1;
  const run = (factor: number, scaled: boolean): RunConfig => ({
    ...base,
    options: { ...base.options, lr: scaled ? lr * factor : lr },
    stochastic: { ...base.stochastic, batchSize: batch * factor, seed },
    label: `B=${batch * factor}, lr=${Number((scaled ? lr * factor : lr).toPrecision(6))}${factor > 1 ? (scaled ? ' (scaled)' : ' (unscaled)') : ''}`,
  });
  return [run(1, true), run(k, true), run(k * k, true), run(k, false), run(k * k, false)];
}

/** Loss at a given number of samples seen: the run's row at step floor(samples / perStep). */
export function lossAtSamples(trace: TraceData, perStep: number, samples: number): number {
  const row = Math.min(trace.rowCount - 1, Math.floor(samples / perStep));
  return trace.rows[row * (trace.dim + 2) + trace.dim];
}
