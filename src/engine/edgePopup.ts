// Engine.edgePopup: the strong lottery ticket's score training (the core's edgePopup.ts does the math; this file
// checks the request and moves numbers in and out of the core's memory).
import { stopIfCancelled } from './cancelPoints';
import type { CancelSignal, LossInfo } from '../shared/engineApi';
import { EDGE_POPUP_CHUNK, type EdgePopupProgress, type EdgePopupRequest, type EdgePopupResult } from '../shared/edgePopup';
import { networkParamGroups } from '../shared/network';
import type { Core } from './core';
import { describeValue } from './describe';

/** Score updates per request at most. */
export const MAX_EDGE_POPUP_STEPS = 20_000;

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Trains the scores of the network's weights (initial scores: |scoreStart|); the start's weights never change. Between
 * chunks of EDGE_POPUP_CHUNK updates: progress, the test metrics, a yield to the event loop and the cancel check.
 */
export async function edgePopupTrain(
  core: Core, handle: number, info: LossInfo, scoreStart: readonly number[], request: EdgePopupRequest,
  onProgress?: (progress: EdgePopupProgress) => void, signal?: CancelSignal,
): Promise<EdgePopupResult> {
  const network = info.network ?? fail('edgePopup is for a loss with a network line');
  const { keep, steps, lr } = request;
  if (!(typeof keep === 'number' && keep > 0 && keep <= 1)) fail(`keep is the fraction of weights kept, in (0, 1], got ${describeValue(keep)}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_EDGE_POPUP_STEPS) fail(`steps is a whole number from 1 to ${MAX_EDGE_POPUP_STEPS}, got ${describeValue(steps)}`);
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) fail(`lr must be a number > 0, got ${describeValue(lr)}`);
  const { dim } = info;
  const layerOf = new Float64Array(dim);
  let layers = 0;
  for (const group of networkParamGroups(network.widths, network.batchnorm)) {
    if (group.kind !== 'weight') continue;
    layerOf.fill(group.layer, group.start, group.start + group.count);
    layers = Math.max(layers, group.layer);
  }
  const weights = layerOf.reduce((n, l) => n + (l > 0 ? 1 : 0), 0);
  // Eval mode needs BN's running statistics, which score training has none of: no test metrics with batch norm.
  const testCount = network.batchnorm ? 0 : info.data?.testCount ?? 0;
  const test: Required<EdgePopupResult>['test'] = { steps: [], losses: [], accuracies: [] };
  const start = core.allocF64(dim, info.start);
  const scores = core.allocF64(dim, scoreStart.map(Math.abs));
  const layer = core.allocF64(dim, layerOf);
  const masked = core.allocF64(dim);
  const g = core.allocF64(dim);
  const scratch = core.allocF64(dim);
  const ones = core.allocF64(dim, new Float64Array(dim).fill(1));
  const measureTest = (step: number): void => {
    if (testCount === 0) return;
    core.exports.edgePopupMasked(dim, start, scores, layer, layers, keep, masked, scratch);
    test.steps.push(step);
    test.losses.push(core.exports.networkEvalLoss(handle, info.data!.count, testCount, masked, 0));
    test.accuracies.push(core.exports.networkEvalAccuracy());
  };
  try {
    const losses: number[] = [];
    measureTest(0);
    for (let done = 0; done < steps;) {
      const chunk = Math.min(EDGE_POPUP_CHUNK, steps - done);
      for (let k = 0; k < chunk; k++) losses.push(core.exports.edgePopupTrainStep(handle, start, scores, layer, layers, keep, lr, masked, g, scratch));
      done += chunk;
      measureTest(done);
      onProgress?.({ done, total: steps });
      if (done < steps) {
        // The pointers stay valid across the yield (no view of core memory is held).
        await stopIfCancelled(signal);
      }
    }
    // The mask: the subnetwork of a network of ones.
    const kept = core.exports.edgePopupMasked(dim, ones, scores, layer, layers, keep, g, scratch);
    const mask = Array.from(core.f64(g, dim));
    core.exports.edgePopupMasked(dim, start, scores, layer, layers, keep, masked, scratch);
    losses.push(core.exports.lossEvaluate(handle, masked, 0, 0));
    return { losses, mask, params: Array.from(core.f64(masked, dim)), kept: kept / weights, ...(testCount > 0 ? { test } : {}) };
  } finally {
    core.release(start, scores, layer, masked, g, scratch, ones);
  }
}
