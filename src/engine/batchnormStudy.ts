// The batch norm lesson's study, in the engine worker: a .loss file has one network line, so the runs with and
// without batch norm (and with noisy BN) are variants of the lesson's file, trained here; then Santurkar et al.'s
// smoothness along the gradient at points of the small learning rate's paths (the core's smoothness.ts).
import { stopIfCancelled } from './cancelPoints';
import type { CancellableRuns, CancelSignal, Engine, RunTrace } from '../shared/engineApi';
import { withNetworkOptions } from '../shared/networkEdits';
import type { BatchnormStudyRequest, BatchnormStudyResult, SmoothnessPoint } from '../shared/batchnorm';
import type { StudyProgress } from '../shared/studies';
import { lossCurve } from './depthStudies';

/** The engine's requests the study makes; its runs stop between chunks when the signal fires. */
type StudyEngine = Pick<Engine, 'lossInfo' | 'networkSmoothness' | 'networkLayerStats'> & CancellableRuns;

/** Recorded points of the noisy run evaluated without the noise, at most (a networkLayerStats request's limit). */
const CLEAN_POINTS = 64;

function fail(message: string): never {
  throw new Error(message);
}

/** `count` recorded parameter vectors spread over the run, from the start to the end. */
function pathPoints(trace: RunTrace, count: number): { steps: number[]; params: number[][] } {
  const width = trace.dim + 2;
  const rows = [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (trace.rowCount - 1)) / Math.max(1, count - 1))))];
  return {
    steps: rows.map((r) => Math.min(r * trace.recordEvery, trace.stoppedAt)),
    params: rows.map((r) => Array.from(trace.rows.subarray(r * width, r * width + trace.dim))),
  };
}

export async function batchnormStudy(
  engine: StudyEngine, request: BatchnormStudyRequest, onProgress?: (progress: StudyProgress) => void, signal?: CancelSignal,
): Promise<BatchnormStudyResult> {
  const { loss, run, steps, lrs, every, noise, points, etaMax } = request;
  if (!Array.isArray(lrs) || lrs.length === 0 || lrs.length > 4 || !lrs.every((lr) => lr > 0)) fail('lrs: 1 to 4 learning rates > 0');
  if (!(noise >= 0)) fail('noise is noisy BN\'s scale, >= 0 (0: no noisy run)');
  if (!Number.isInteger(points) || points < 2 || points > 32) fail('points is a whole number from 2 to 32');
  const info = await engine.lossInfo(loss);
  if (!info.network) fail('The batch norm study varies a network: the loss needs a network line');
  const variants: { label: string; loss: string; lr: number }[] = [];
  for (const bn of [false, true]) {
    const clean = withNetworkOptions(loss, { batchnorm: bn, bn_noise: 0 });
    for (const lr of lrs) variants.push({ label: `${bn ? 'BN' : 'no BN'}, lr ${lr}`, loss: clean, lr });
  }
  if (noise > 0) {
    const lr = lrs[lrs.length - 1];
    variants.push({ label: `noisy BN ${noise}, lr ${lr}`, loss: withNetworkOptions(loss, { batchnorm: true, bn_noise: noise }), lr });
  }
  const total = variants.length + 2;
  const result: BatchnormStudyResult = { labels: [], steps: [], losses: [], smoothness: { labels: [], steps: [], points: [] } };
  const traces: RunTrace[] = [];
  for (const variant of variants) {
    await stopIfCancelled(signal);
    // Each variant's own initialization (the network line's seed): without BN there are fewer parameters.
    const [trace] = await engine.runs({ loss: variant.loss, steps, recordEvery: every, runs: [{ ...run, start: undefined, options: { ...run.options, lr: variant.lr } }] }, signal);
    traces.push(trace);
    const curve = lossCurve(trace);
    result.labels.push(variant.label);
    result.steps.push(curve.steps);
    result.losses.push(curve.losses);
    onProgress?.({ done: traces.length, total });
  }
  if (noise > 0) {
    // The noisy run's recorded losses are those of its noisy forwards; the same network without the noise:
    const noisy = traces[traces.length - 1];
    const path = pathPoints(noisy, Math.min(noisy.rowCount, CLEAN_POINTS));
    const stats = await engine.networkLayerStats({ loss: variants[variants.length - 1].loss, params: path.params, bins: 2 });
    result.labels.push(`${variants[variants.length - 1].label} (noise off)`);
    result.steps.push(path.steps);
    result.losses.push(stats.points.map((p) => p.loss));
  }
  // The small rate's paths without (variant 0) and with BN (variant lrs.length).
  for (const k of [0, lrs.length]) {
    await stopIfCancelled(signal);
    const path = pathPoints(traces[k], points);
    const measured: SmoothnessPoint[] = await engine.networkSmoothness({ loss: variants[k].loss, params: path.params, etaMax });
    result.smoothness.labels.push(k === 0 ? 'no BN' : 'BN');
    result.smoothness.steps.push(path.steps);
    result.smoothness.points.push(measured);
    onProgress?.({ done: traces.length + result.smoothness.labels.length, total });
  }
  return result;
}
