// Engine.edgePopup: the strong lottery ticket's score training (the core's edgePopup.ts does the math; this file
// checks the request and moves numbers in and out of the core's memory).
import type { LossInfo } from '../shared/engineApi';
import type { EdgePopupRequest, EdgePopupResult } from '../shared/edgePopup';
import { networkParamGroups } from '../shared/network';
import type { Core } from './core';
import { describeValue } from './describe';

/** Score updates per request at most: the loop runs in the worker without yielding. */
export const MAX_EDGE_POPUP_STEPS = 20_000;

function fail(message: string): never {
  throw new Error(message);
}

/** Trains the scores of the network's weights (initial scores: |scoreStart|); the start's weights never change. */
export function edgePopupTrain(core: Core, handle: number, info: LossInfo, scoreStart: readonly number[], request: EdgePopupRequest): EdgePopupResult {
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
  const start = core.allocF64(dim, info.start);
  const scores = core.allocF64(dim, scoreStart.map(Math.abs));
  const layer = core.allocF64(dim, layerOf);
  const masked = core.allocF64(dim);
  const g = core.allocF64(dim);
  const scratch = core.allocF64(dim);
  const ones = core.allocF64(dim, new Float64Array(dim).fill(1));
  try {
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) losses.push(core.exports.edgePopupTrainStep(handle, start, scores, layer, layers, keep, lr, masked, g, scratch));
    // The mask: the subnetwork of a network of ones.
    const kept = core.exports.edgePopupMasked(dim, ones, scores, layer, layers, keep, g, scratch);
    const mask = Array.from(core.f64(g, dim));
    core.exports.edgePopupMasked(dim, start, scores, layer, layers, keep, masked, scratch);
    losses.push(core.exports.lossEvaluate(handle, masked, 0, 0));
    return { losses, mask, params: Array.from(core.f64(masked, dim)), kept: kept / weights };
  } finally {
    core.release(start, scores, layer, masked, g, scratch, ones);
  }
}
