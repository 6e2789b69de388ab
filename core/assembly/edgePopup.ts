// Edge-popup (Ramanujan et al. 2020), the strong lottery ticket: a random network's weights stay at their start w0;
// each weight has a score s, the forward pass uses each layer's top `keep` fraction of weights by |s| (the rest zero),
// and the scores learn by straight-through gradients, dL/ds_i = dL/dw_i * w0_i (the top-k mask's derivative taken as 1).
// A network is evaluated as a full-batch training forward, as the runs' losses are.
import { at, put } from './f64mem';
import { Loss, evaluate } from './losses';

function siftDown(p: usize, root: i32, count: i32): void {
  let parent = root;
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= count) return;
    if (child + 1 < count && at(p, child + 1) > at(p, child)) child++;
    if (at(p, parent) >= at(p, child)) return;
    const t = at(p, parent);
    put(p, parent, at(p, child));
    put(p, child, t);
    parent = child;
  }
}

/** Sorts count f64s at p ascending, in place (heap sort: no allocation). */
function sortAscending(p: usize, count: i32): void {
  for (let i = count / 2 - 1; i >= 0; i--) siftDown(p, i, count);
  for (let end = count - 1; end > 0; end--) {
    const t = at(p, 0);
    put(p, 0, at(p, end));
    put(p, end, t);
    siftDown(p, 0, end);
  }
}

/**
 * Writes at masked the start with each layer's weights outside its top round(keep * n) by |score| zeroed; ties go to
 * the lower index. layer (dim f64): a weight's layer 1..layers, 0 for the other parameters (kept at their start).
 * Scratch: dim f64. Returns how many weights are kept.
 */
export function edgePopupMask(dim: i32, start: usize, scores: usize, layer: usize, layers: i32, keep: f64, masked: usize, scratch: usize): i32 {
  let keptAll = 0;
  for (let i = 0; i < dim; i++) if (at(layer, i) == 0) put(masked, i, at(start, i));
  for (let l = 1; l <= layers; l++) {
    let n = 0;
    for (let i = 0; i < dim; i++) if (at(layer, i) == <f64>l) put(scratch, n++, Math.abs(at(scores, i)));
    if (n == 0) continue;
    const k = <i32>Math.round(keep * <f64>n);
    sortAscending(scratch, n);
    const threshold = k > 0 ? at(scratch, n - k) : Infinity;
    let above = 0;
    for (let j = n - k; j < n; j++) if (at(scratch, j) > threshold) above++;
    let ties = k - above;
    for (let i = 0; i < dim; i++) {
      if (at(layer, i) != <f64>l) continue;
      const a = Math.abs(at(scores, i));
      const kept = a > threshold || (a == threshold && ties-- > 0);
      put(masked, i, kept ? at(start, i) : 0.0);
      if (kept) keptAll++;
    }
  }
  return keptAll;
}

/**
 * One edge-popup step: the masked network's loss and gradient g at masked, then scores -= lr * g * start on the weights.
 * Returns the loss before the step.
 */
export function edgePopupStep(
  loss: Loss, start: usize, scores: usize, layer: usize, layers: i32, keep: f64, lr: f64, masked: usize, g: usize, scratch: usize,
): f64 {
  const dim = loss.dim;
  edgePopupMask(dim, start, scores, layer, layers, keep, masked, scratch);
  const f = evaluate(loss, masked, g, 0);
  for (let i = 0; i < dim; i++) if (at(layer, i) != 0) put(scores, i, at(scores, i) - lr * at(g, i) * at(start, i));
  return f;
}
