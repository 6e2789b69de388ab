// Per-layer statistics of a network at given parameters (the initialization lesson's picture): the mean and std of each
// layer's activations and of the loss's gradient with respect to its pre-activations, and a histogram of its weights.
//
// One full-batch training step's forward and backward (network.ts's networkMean) over the training samples in train
// mode: batch norm normalizes with the batch's statistics, as a full-batch step does, and running statistics are
// left alone. Per Linear layer l (1..L):
// - activations: a hidden layer's activation outputs (after BN and the activation, before a skip's sum); the last
//   layer's outputs (the logits);
// - gradients: d(mean loss)/dz for z the layer's Linear output (before BN and the activation), as backward has it;
// - std: over all samples x units of the layer, biased (divided by their count);
// - weights: W_l only (not biases), in `bins` equal bins over [min, max] of its finite weights (a single value v:
//   [v - 0.5, v + 0.5]); a weight equal to max counts in the last bin; non-finite weights are not counted.
import { allocZeroedF64, at, put } from './f64mem';
import { Network, networkMean, setGradientCopies, setRunningTarget, width } from './network';

/** Values per layer before its bin counts: activation mean, std, gradient mean, std, weight range lo, hi. */
export const LAYER_STAT_HEAD = 6;

/** Writes mean, then std (biased), of count values at p to out[0], out[1]. */
function meanStd(p: usize, count: i32, out: usize): void {
  let mean = 0.0;
  for (let i = 0; i < count; i++) mean += at(p, i);
  mean /= <f64>count;
  let squares = 0.0;
  for (let i = 0; i < count; i++) {
    const d = at(p, i) - mean;
    squares += d * d;
  }
  put(out, 0, mean);
  put(out, 1, Math.sqrt(squares / <f64>count));
}

/** Writes lo, hi, then bins counts of the finite values among count at p, to out. */
export function histogram(p: usize, count: i32, bins: i32, out: usize): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = at(p, i);
    if (!isFinite(v)) continue;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  if (lo > hi) {
    lo = NaN;
    hi = NaN;
  } else if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  put(out, 0, lo);
  put(out, 1, hi);
  const counts = out + 16;
  for (let b = 0; b < bins; b++) put(counts, b, 0.0);
  const scale = <f64>bins / (hi - lo);
  for (let i = 0; i < count; i++) {
    const v = at(p, i);
    if (!isFinite(v)) continue;
    const b = min(bins - 1, <i32>Math.floor((v - lo) * scale));
    put(counts, b, at(counts, b) + 1.0);
  }
}

/**
 * The statistics of every layer of net at parameters x (dim values) over its first count samples (rows of columns):
 * per layer LAYER_STAT_HEAD + bins values at out (see the file's comment). Returns the mean training loss.
 */
export function layerStats(net: Network, dim: i32, samples: usize, columns: i32, count: i32, x: usize, bins: i32, out: usize): f64 {
  const layers = net.layers;
  const copies = heap.alloc(<usize>layers << 2);
  for (let l = 1; l <= layers; l++) store<usize>(copies + (<usize>(l - 1) << 2), allocZeroedF64(count * width(net, l)));
  const g = allocZeroedF64(dim);
  setRunningTarget(0);
  setGradientCopies(copies);
  const loss = networkMean(net, dim, samples, columns, 0, 0, count, x, g, 0);
  setGradientCopies(0);
  const stride = <usize>(LAYER_STAT_HEAD + bins) << 3;
  for (let l = 1; l <= layers; l++) {
    const w = width(net, l);
    const o = out + <usize>(l - 1) * stride;
    // The last layer's act is its z: the logits.
    meanStd(load<usize>(net.act + (<usize>(l - 1) << 2)), count * w, o);
    const copy = load<usize>(copies + (<usize>(l - 1) << 2));
    meanStd(copy, count * w, o + 16);
    const weights = x + (<usize>load<i32>(net.weightAt + (<usize>(l - 1) << 2)) << 3);
    histogram(weights, w * width(net, l - 1), bins, o + 32);
    heap.free(copy);
  }
  heap.free(copies);
  heap.free(g);
  return loss;
}
