// A lesson's study of paths between two trained networks (Lesson.paths): the networks trained and every profile
// computed in the engine; the page only draws the numbers.
import type { CancelSignal, RunTrace } from '../shared/engineApi';
import { findLesson } from '../shared/lessons';
import { withNetworkOptions } from '../shared/networkEdits';
import type { NetworkPathResult, PathProfile, PathStudyData } from '../shared/networkPaths';
import type { Scenario } from '../shared/protocol';
import type { PanelEngine } from './scenarioRuns';
import { PANEL_NETWORK_SHARPNESS } from '../shared/networkLandscape';

function lastParams(run: RunTrace): number[] {
  const width = run.dim + 2;
  return Array.from(run.rows.subarray((run.rowCount - 1) * width, (run.rowCount - 1) * width + run.dim));
}

const profile = (label: string, path: NetworkPathResult): PathProfile =>
  ({ label, t: path.t, train: path.train, ...(path.test && { test: path.test }), barrier: path.barrier });

const short = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toPrecision(3));

/** The study of the scenario's lesson: nets A (the file's) and B (seed study.seed) trained by the file's first run. */
export async function pathStudyData(
  engine: PanelEngine, scenario: Scenario, onProgress?: (progress: { done: number; steps: number }) => void, cancel?: CancelSignal,
): Promise<PathStudyData> {
  const study = findLesson(scenario.lesson)?.paths;
  if (!study) throw new Error(`The lesson ${scenario.lesson ?? '(none)'} has no path study`);
  const { loss } = scenario;
  const info = await engine.lossInfo(loss);
  const spec = info.network;
  if (!spec) throw new Error('The lesson\'s .loss file needs a network line');
  const run = scenario.runs[0];
  if (!run) throw new Error('The lesson\'s .loss file needs an optimizer line');
  const startB = (await engine.lossInfo(withNetworkOptions(loss, { seed: study.seed }))).start;
  const steps = Math.max(1, scenario.steps);
  const traces = await engine.runs({ loss, steps, recordEvery: steps, runs: [{ ...run, start: info.start }, { ...run, start: startB }] }, cancel);
  const [a, b] = traces.map(lastParams);
  const path = (to: number[], bend?: number[]) => engine.networkPath({ loss, from: a, to, bend, points: study.points });
  const notes = [`Net A: training loss ${short(traces[0].rows[(traces[0].rowCount - 1) * (info.dim + 2) + info.dim])}; net B (seed ${study.seed}): ${short(traces[1].rows[(traces[1].rowCount - 1) * (info.dim + 2) + info.dim])}.`];
  const sharpnessAt = (center: number[]) =>
    engine.networkSharpness({ loss, center, radius: PANEL_NETWORK_SHARPNESS.radius, samples: PANEL_NETWORK_SHARPNESS.samples, seed: 1 }, cancel);
  const sharpness = { a: await sharpnessAt(a), b: await sharpnessAt(b) };
  notes.push(`Sharpness (top Hessian eigenvalue; largest loss increase within a filter-normalized ball of radius ${PANEL_NETWORK_SHARPNESS.radius}): `
    + `A ${short(sharpness.a.topEigenvalue)}, ${short(sharpness.a.ballIncrease)}; B ${short(sharpness.b.topEigenvalue)}, ${short(sharpness.b.ballIncrease)}.`);
  const line = await path(b);
  if (study.kind === 'permutation') {
    // Each hidden layer's units in reverse order.
    const permutation = spec.widths.slice(1, -1).map((w) => Array.from({ length: w }, (_, j) => w - 1 - j));
    const permuted = await engine.permuteNetwork({ loss, params: a, permutation });
    const copy = await path(permuted);
    const aligned = await engine.alignNetworks({ loss, reference: a, params: b });
    const matched = await path(aligned.params);
    const ends = Math.abs(copy.train[0] - copy.train[copy.train.length - 1]);
    notes.push(
      `A and A permuted: training loss ${short(copy.train[0])} and ${short(copy.train[copy.train.length - 1])} (difference ${ends.toExponential(1)}); barrier ${short(copy.barrier)}.`,
      `A → B: barrier ${short(line.barrier)}; after weight matching (${aligned.sweeps} sweeps): ${short(matched.barrier)}.`,
    );
    return { profiles: [profile('A → A permuted', copy), profile('A → B', line), profile('A → B aligned', matched)], notes, sharpness };
  }
  const bendSteps = study.bendSteps ?? 1000;
  const bend = await engine.trainBend(
    { loss, from: a, to: b, steps: bendSteps, optimizer: 'adam', options: { lr: study.bendLr ?? 0.01 }, seed: 1 },
    (progress) => onProgress?.({ done: progress.done, steps: progress.steps }), cancel,
  );
  const curve = await path(b, bend.bend);
  const most = (p: NetworkPathResult) => short(Math.max(...p.train));
  notes.push(`Largest training loss on the line ${most(line)}, on the curve ${most(curve)} (bend trained ${bend.done} steps by Adam).`);
  return { profiles: [profile('A → B line', line), profile('A → B curve', curve)], notes, sharpness };
}
