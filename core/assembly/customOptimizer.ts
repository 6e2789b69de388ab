// Optimizers written in the optimizer language: a compiled step function in the core's table (src/loss/optim), and
// its state vectors. The first three are the run's state slots s0..s2 (recorded, and read by breakpoints); more are
// kept here.
import { allocF64, put } from './f64mem';
import { Rng, seedRng, nextU64 } from './random';

/** The state vectors a compiled step receives (src/loss/optim MAX_STATES). */
export const CUSTOM_MAX_STATES: i32 = 8;

@unmanaged
export class CustomOptimizer {
  stepFn: i32;
  count: i32;
  // CUSTOM_MAX_STATES pointers (usize each); those past count point at s2, which such a step never reads
  pointers: usize;
  // The Hessian's diagonal (padded), for a rule that reads hess_diag or hvp, or 0.
  hessDiag: usize;
  // Padded vectors of scratch: two per Hessian-vector product (v, then H v), one per per-layer reduction; or 0.
  scratch: usize;
  // rademacher(): the step's random signs (padded) and their generator, or 0.
  random: usize;
  rng: usize;
}

@inline function pointerAt(c: CustomOptimizer, k: i32): usize {
  return load<usize>(c.pointers + (<usize>k << alignof<usize>()));
}

/**
 * count states (at most CUSTOM_MAX_STATES) with initial values at inits (count f64s), over padded coordinates; the
 * first three are the run's state slots s0, s1, s2.
 */
export function createCustomOptimizer(
  stepFn: i32, count: i32, inits: usize, padded: i32, s0: usize, s1: usize, s2: usize, hessian: bool, scratchVectors: i32,
  randomSeed: f64,
): CustomOptimizer {
  const c = changetype<CustomOptimizer>(heap.alloc(offsetof<CustomOptimizer>()));
  c.hessDiag = hessian ? allocF64(<usize>padded) : 0;
  c.scratch = scratchVectors > 0 ? allocF64(<usize>scratchVectors * <usize>padded) : 0;
  c.random = randomSeed >= 0 ? allocF64(<usize>padded) : 0;
  c.rng = 0;
  if (randomSeed >= 0) {
    c.rng = heap.alloc(offsetof<Rng>());
    seedRng(changetype<Rng>(c.rng), <u64>randomSeed);
  }
  c.stepFn = stepFn;
  c.count = min(count, CUSTOM_MAX_STATES);
  c.pointers = heap.alloc(<usize>CUSTOM_MAX_STATES << alignof<usize>());
  for (let k = 0; k < CUSTOM_MAX_STATES; k++) {
    const p = k == 0 ? s0 : k == 1 ? s1 : k == 2 ? s2 : k < c.count ? allocF64(<usize>padded) : 0;
    store<usize>(c.pointers + (<usize>k << alignof<usize>()), p ? p : s2);
    if (k < c.count) {
      const v = load<f64>(inits + (<usize>k << 3));
      for (let i = 0; i < padded; i++) put(p, i, v);
    }
  }
  return c;
}

export function freeCustomOptimizer(c: CustomOptimizer): void {
  for (let k = 3; k < c.count; k++) heap.free(pointerAt(c, k));
  heap.free(c.pointers);
  if (c.hessDiag) heap.free(c.hessDiag);
  if (c.scratch) heap.free(c.scratch);
  if (c.random) heap.free(c.random);
  if (c.rng) heap.free(c.rng);
  heap.free(changetype<usize>(c));
}

/**
 * h: the (dim x dim) Hessian at x when the rule reads hess_diag or hvp; scalars: the state's two scalar slots; tensors:
 * the layers its per-layer reductions run over (tensors.ts).
 */
export function customStep(c: CustomOptimizer, dim: i32, x: usize, g: usize, h: usize, scalars: usize, step: i32, lr: f64, tensors: usize): void {
  if (c.hessDiag) for (let i = 0; i < dim; i++) put(c.hessDiag, i, load<f64>(h + ((<usize>i * <usize>dim + <usize>i) << 3)));
  if (c.random) drawSigns(changetype<Rng>(c.rng), c.random, dim);
  call_indirect<void>(
    <u32>c.stepFn, x, g, dim, <f64>step, lr, c.hessDiag, c.hessDiag ? h : 0, c.scratch, scalars,
    pointerAt(c, 0), pointerAt(c, 1), pointerAt(c, 2), pointerAt(c, 3),
    pointerAt(c, 4), pointerAt(c, 5), pointerAt(c, 6), pointerAt(c, 7), tensors, c.random,
  );
}

// n independent signs, -1 or 1 with equal chance: the bits of one 64-bit draw per 64 coordinates, lowest first.
function drawSigns(rng: Rng, out: usize, n: i32): void {
  let bits: u64 = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 63) == 0) bits = nextU64(rng);
    put(out, i, (bits & 1) != 0 ? 1.0 : -1.0);
    bits >>= 1;
  }
}
