// Frozen coordinates of a run (frozen parameter groups, pruning masks): the run loop zeroes their gradient and, after
// every optimizer's step, writes back the values they had when frozen. For the per-coordinate optimizers (SGD,
// momentum, AdaGrad, RMSProp, Adam, ...) that is PyTorch's requires_grad=False on those coordinates; for any optimizer
// it is torch's "restore the masked values after each step" (weight decay or momentum cannot move them, and the state
// an optimizer keeps for a frozen coordinate never reaches the others).
import { at, put } from './f64mem';

@unmanaged
export class Frozen {
  count: i32;
  indices: usize; // count i32 coordinates
  values: usize; // count f64: their values when frozen
}

/** The coordinates where mask (dim f64) is non-zero, with their values in x; null when none is. */
export function createFrozen(mask: usize, x: usize, dim: i32): Frozen | null {
  let count = 0;
  for (let i = 0; i < dim; i++) if (at(mask, i) != 0) count++;
  if (count == 0) return null;
  const frozen = changetype<Frozen>(heap.alloc(offsetof<Frozen>()));
  frozen.count = count;
  frozen.indices = heap.alloc(<usize>count << 2);
  frozen.values = heap.alloc(<usize>count << 3);
  let k = 0;
  for (let i = 0; i < dim; i++) {
    if (at(mask, i) == 0) continue;
    store<i32>(frozen.indices + (<usize>k << 2), i);
    put(frozen.values, k, at(x, i));
    k++;
  }
  return frozen;
}

export function freeFrozen(frozen: Frozen): void {
  heap.free(frozen.indices);
  heap.free(frozen.values);
  heap.free(changetype<usize>(frozen));
}

@inline function indexAt(frozen: Frozen, k: i32): i32 {
  return load<i32>(frozen.indices + (<usize>k << 2));
}

/** A frozen coordinate has no gradient (torch: grad None, read as 0). */
export function zeroFrozenGradient(frozen: Frozen, g: usize): void {
  for (let k = 0; k < frozen.count; k++) put(g, indexAt(frozen, k), 0.0);
}

/** Writes the frozen values back into x (after a step). */
export function restoreFrozen(frozen: Frozen, x: usize): void {
  for (let k = 0; k < frozen.count; k++) put(x, indexAt(frozen, k), at(frozen.values, k));
}
