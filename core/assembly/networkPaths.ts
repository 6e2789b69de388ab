// Paths between two networks' parameters: the loss along a line or a quadratic Bezier curve, training the curve's bend
// (Garipov et al. 2018), permuting hidden units, and weight matching (Ainsworth et al. 2022) by linear assignment.
import { Loss, evaluate } from './losses';
import { Network, networkEvalLoss, evalAccuracy, width } from './network';
import { OptimizerState, createOptimizerState, initState, optimizerStep } from './optimizers';
import { Rng, seedRng, uniform } from './random';
import { at, put, allocF64 } from './f64mem';
import { O_LR, OPTION_SLOTS } from './layout';

@inline function offsetAt(table: usize, l: i32): i32 {
  return load<i32>(table + (<usize>(l - 1) << 2));
}

/**
 * out = theta(t): the line (1 - t) a + t b when c is 0, else the quadratic Bezier curve
 * (1 - t)^2 a + 2 t (1 - t) c + t^2 b.
 */
function curvePoint(dim: i32, a: usize, b: usize, c: usize, t: f64, out: usize): void {
  if (!c) {
    for (let i = 0; i < dim; i++) put(out, i, (1.0 - t) * at(a, i) + t * at(b, i));
    return;
  }
  const wa = (1.0 - t) * (1.0 - t);
  const wc = 2.0 * t * (1.0 - t);
  const wb = t * t;
  for (let i = 0; i < dim; i++) put(out, i, wa * at(a, i) + wc * at(c, i) + wb * at(b, i));
}

/**
 * The loss profile at n evenly spaced t in [0, 1] (c: the bend, or 0 for the line): per point, 4 f64 at out: the
 * training loss, the test loss, the training accuracy, the test accuracy (NaN: no test split, or mse). Batch norm, if
 * any, normalizes with each set's own statistics (train mode), as the curve papers do before re-estimating them.
 */
export function curveProfile(loss: Loss, a: usize, b: usize, c: usize, n: i32, out: usize): void {
  const net = changetype<Network>(loss.network);
  const dim = loss.dim;
  const theta = allocF64(dim);
  for (let i = 0; i < n; i++) {
    const t = n > 1 ? <f64>i / <f64>(n - 1) : 0.0;
    curvePoint(dim, a, b, c, t, theta);
    put(out, 4 * i, networkEvalLoss(net, loss.samples, loss.columns, 0, loss.sampleCount, theta, 0));
    put(out, 4 * i + 2, evalAccuracy);
    if (loss.testCount > 0) {
      put(out, 4 * i + 1, networkEvalLoss(net, loss.samples, loss.columns, loss.sampleCount, loss.testCount, theta, 0));
      put(out, 4 * i + 3, evalAccuracy);
    } else {
      put(out, 4 * i + 1, NaN);
      put(out, 4 * i + 3, NaN);
    }
  }
  heap.free(theta);
}

/** Trains the bend c of the curve from a to b: the state of one training, advanced in chunks. */
@unmanaged
export class BendTrainer {
  loss: Loss;
  a: usize;
  b: usize;
  c: usize; // padded to an even length: the optimizers work on f64x2 pairs
  theta: usize;
  g: usize;
  gc: usize;
  optimizer: i32;
  options: usize;
  state: OptimizerState;
  rng: Rng;
  step: i32;
}

/** A trainer of the bend, starting at c (copied, as a, b and the OPTION_SLOTS options are); seed draws the t's. */
export function createBendTrainer(loss: Loss, a: usize, b: usize, c: usize, optimizer: i32, options: usize, seed: u64): BendTrainer {
  const dim = loss.dim;
  const padded = (dim + 1) & ~1;
  const trainer = changetype<BendTrainer>(heap.alloc(offsetof<BendTrainer>()));
  trainer.loss = loss;
  trainer.a = allocF64(dim);
  trainer.b = allocF64(dim);
  trainer.c = allocF64(padded);
  memory.copy(trainer.a, a, <usize>dim << 3);
  memory.copy(trainer.b, b, <usize>dim << 3);
  memory.copy(trainer.c, c, <usize>dim << 3);
  trainer.theta = allocF64(dim);
  trainer.g = allocF64(padded);
  trainer.gc = allocF64(padded);
  trainer.optimizer = optimizer;
  trainer.options = allocF64(OPTION_SLOTS);
  memory.copy(trainer.options, options, <usize>OPTION_SLOTS << 3);
  trainer.state = createOptimizerState(padded);
  initState(optimizer, padded, trainer.options, trainer.state);
  trainer.rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(trainer.rng, seed);
  trainer.step = 0;
  return trainer;
}

/**
 * steps steps of the optimizer on c, each at one t drawn uniformly from [0, 1]: the gradient of L(theta(t)) with
 * respect to c is 2 t (1 - t) grad L(theta(t)), an unbiased estimate of the gradient of the loss's mean along the curve.
 * Returns the mean of the sampled losses.
 */
export function advanceBend(trainer: BendTrainer, steps: i32): f64 {
  const loss = trainer.loss;
  const dim = loss.dim;
  const padded = (dim + 1) & ~1;
  const lr = at(trainer.options, O_LR);
  let total = 0.0;
  for (let s = 0; s < steps; s++) {
    const t = uniform(trainer.rng);
    curvePoint(dim, trainer.a, trainer.b, trainer.c, t, trainer.theta);
    total += evaluate(loss, trainer.theta, trainer.g, 0);
    const weight = 2.0 * t * (1.0 - t);
    for (let i = 0; i < dim; i++) put(trainer.gc, i, weight * at(trainer.g, i));
    trainer.step++;
    optimizerStep(trainer.optimizer, padded, trainer.options, trainer.state, trainer.c, trainer.gc, 0, trainer.step, lr);
  }
  return steps > 0 ? total / <f64>steps : NaN;
}

export function freeBendTrainer(trainer: BendTrainer): void {
  heap.free(trainer.a);
  heap.free(trainer.b);
  heap.free(trainer.c);
  heap.free(trainer.theta);
  heap.free(trainer.g);
  heap.free(trainer.gc);
  heap.free(trainer.options);
  heap.free(trainer.state.s0);
  heap.free(trainer.state.s1);
  heap.free(trainer.state.s2);
  heap.free(changetype<usize>(trainer.state));
  heap.free(changetype<usize>(trainer.rng));
  heap.free(changetype<usize>(trainer));
}

// Reorders the rows (unit j takes unit perm[j]'s) of a rows x columns block in place, through scratch.
function permuteRows(block: usize, rows: i32, columns: i32, perm: usize, scratch: usize): void {
  const count = rows * columns;
  memory.copy(scratch, block, <usize>count << 3);
  for (let j = 0; j < rows; j++) {
    const from = load<i32>(perm + (<usize>j << 2));
    memory.copy(block + (<usize>(j * columns) << 3), scratch + (<usize>(from * columns) << 3), <usize>columns << 3);
  }
}

// Reorders the columns (column j takes column perm[j]'s) of a rows x columns block in place, through scratch.
function permuteColumns(block: usize, rows: i32, columns: i32, perm: usize, scratch: usize): void {
  const count = rows * columns;
  memory.copy(scratch, block, <usize>count << 3);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) put(block, r * columns + j, at(scratch, r * columns + load<i32>(perm + (<usize>j << 2))));
  }
}

/**
 * out = x with each hidden layer's units reordered: perms holds, per hidden layer in order, its width's indices (unit j
 * of the result is unit perms[j] of x): the rows of W_l, b_l and BN's weight and bias, and the columns of W_{l+1}. The
 * function the network computes is unchanged (not with skip connections, which tie a layer's units to its input's).
 */
export function permuteHidden(net: Network, dim: i32, x: usize, perms: usize, out: usize): void {
  if (out != x) memory.copy(out, x, <usize>dim << 3);
  let largest = 0;
  for (let l = 1; l <= net.layers; l++) largest = max(largest, width(net, l) * width(net, l - 1));
  const scratch = allocF64(largest);
  let perm = perms;
  for (let l = 1; l < net.layers; l++) {
    const w = width(net, l);
    permuteRows(out + (<usize>offsetAt(net.weightAt, l) << 3), w, width(net, l - 1), perm, scratch);
    permuteRows(out + (<usize>offsetAt(net.biasAt, l) << 3), w, 1, perm, scratch);
    const bn = offsetAt(net.bnAt, l);
    if (bn >= 0) permuteRows(out + (<usize>bn << 3), w, 1, perm, scratch); // the weight, then ...
    if (bn >= 0) permuteRows(out + (<usize>(bn + w) << 3), w, 1, perm, scratch); // ... the bias
    permuteColumns(out + (<usize>offsetAt(net.weightAt, l + 1) << 3), width(net, l + 1), w, perm, scratch);
    perm += <usize>w << 2;
  }
  heap.free(scratch);
}

/**
 * The linear assignment of an n x n cost matrix (row-major f64): the permutation (assignment[row] = column, i32 at
 * assignment) of least total cost, which it returns. The Hungarian method with potentials (Jonker-Volgenant's
 * shortest augmenting paths), O(n^3).
 */
export function linearAssignment(n: i32, cost: usize, assignment: usize): f64 {
  // 1-based work arrays: potentials u (rows), v (columns); rowOf[column]: its row (0: none); way: the path back.
  const u = allocF64(n + 1);
  const v = allocF64(n + 1);
  const least = allocF64(n + 1);
  const rowOf = heap.alloc(<usize>(n + 1) << 2);
  const way = heap.alloc(<usize>(n + 1) << 2);
  const used = heap.alloc(<usize>(n + 1));
  memory.fill(rowOf, 0, <usize>(n + 1) << 2);
  for (let i = 1; i <= n; i++) {
    store<i32>(rowOf, i); // column 0 holds the row being placed
    let column = 0;
    for (let j = 0; j <= n; j++) put(least, j, Infinity);
    memory.fill(used, 0, <usize>(n + 1));
    do {
      store<u8>(used + <usize>column, 1);
      const row = load<i32>(rowOf + (<usize>column << 2));
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= n; j++) {
        if (load<u8>(used + <usize>j)) continue;
        const reduced = at(cost, (row - 1) * n + (j - 1)) - at(u, row) - at(v, j);
        if (reduced < at(least, j)) {
          put(least, j, reduced);
          store<i32>(way + (<usize>j << 2), column);
        }
        if (at(least, j) < delta) {
          delta = at(least, j);
          next = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (load<u8>(used + <usize>j)) {
          const r = load<i32>(rowOf + (<usize>j << 2));
          put(u, r, at(u, r) + delta);
          put(v, j, at(v, j) - delta);
        } else {
          put(least, j, at(least, j) - delta);
        }
      }
      column = next;
    } while (load<i32>(rowOf + (<usize>column << 2)) != 0);
    // Augment along the path back to column 0.
    do {
      const previous = load<i32>(way + (<usize>column << 2));
      store<i32>(rowOf + (<usize>column << 2), load<i32>(rowOf + (<usize>previous << 2)));
      column = previous;
    } while (column != 0);
  }
  let total = 0.0;
  for (let j = 1; j <= n; j++) {
    const row = load<i32>(rowOf + (<usize>j << 2));
    store<i32>(assignment + (<usize>(row - 1) << 2), j - 1);
    total += at(cost, (row - 1) * n + (j - 1));
  }
  heap.free(u);
  heap.free(v);
  heap.free(least);
  heap.free(rowOf);
  heap.free(way);
  heap.free(used);
  return total;
}

@inline function permAt(perm: usize, i: i32): i32 {
  return perm ? load<i32>(perm + (<usize>i << 2)) : i;
}

/**
 * Weight matching (Ainsworth, Hayase, Srinivasa 2022): the permutations of b's hidden units (perms, laid out as
 * permuteHidden reads them) that make its weights most similar to a's: sum over units j of the inner products of unit
 * j's incoming weights, bias, BN parameters and outgoing weights in a with those of its match in b. The first sweep
 * matches layer by layer from the inputs on incoming weights only (the next layer is not matched yet; this finds an
 * exact permutation of a exactly); then coordinate descent: each sweep solves every hidden layer's linear assignment
 * in order with the other layers' permutations fixed, keeping a new one only when it raises the similarity; stops
 * after a sweep without change or maxSweeps. Returns the sweeps.
 */
export function matchWeights(net: Network, a: usize, b: usize, perms: usize, maxSweeps: i32): i32 {
  const layers = net.layers;
  let units = 0;
  let widest = 0;
  for (let l = 1; l < layers; l++) {
    units += width(net, l);
    widest = max(widest, width(net, l));
  }
  for (let l = 1, k = 0; l < layers; l++) for (let j = 0; j < width(net, l); j++, k++) store<i32>(perms + (<usize>k << 2), j);
  const cost = allocF64(widest * widest);
  const assigned = heap.alloc(<usize>max(widest, 1) << 2);
  let sweeps = 0;
  let changed = true;
  while ((changed || sweeps == 1) && sweeps < maxSweeps) {
    changed = false;
    sweeps++;
    let perm = perms;
    for (let l = 1; l < layers; l++) {
      const w = width(net, l);
      const wIn = width(net, l - 1);
      const wOut = width(net, l + 1);
      const previous: usize = l > 1 ? perm - (<usize>wIn << 2) : 0;
      const following: usize = l + 1 < layers ? perm + (<usize>w << 2) : 0;
      const weights = <usize>offsetAt(net.weightAt, l) << 3;
      const bias = <usize>offsetAt(net.biasAt, l) << 3;
      const outgoing = <usize>offsetAt(net.weightAt, l + 1) << 3;
      const bn = offsetAt(net.bnAt, l);
      // cost[j][k] = -(similarity of a's unit j and b's unit k), b's neighbours already permuted.
      for (let j = 0; j < w; j++) {
        for (let k = 0; k < w; k++) {
          let s = at(a + bias, j) * at(b + bias, k);
          for (let i = 0; i < wIn; i++) s += at(a + weights, j * wIn + i) * at(b + weights, k * wIn + permAt(previous, i));
          if (sweeps > 1) for (let m = 0; m < wOut; m++) s += at(a + outgoing, m * w + j) * at(b + outgoing, permAt(following, m) * w + k);
          if (bn >= 0) s += at(a, bn + j) * at(b, bn + k) + at(a, bn + w + j) * at(b, bn + w + k);
          put(cost, j * w + k, -s);
        }
      }
      let before = 0.0;
      for (let j = 0; j < w; j++) before += at(cost, j * w + load<i32>(perm + (<usize>j << 2)));
      const after = linearAssignment(w, cost, assigned);
      if (sweeps == 1 || after < before - 1e-12 * (1.0 + Math.abs(before))) {
        memory.copy(perm, assigned, <usize>w << 2);
        changed = true;
      }
      perm += <usize>w << 2;
    }
  }
  heap.free(cost);
  heap.free(assigned);
  return sweeps;
}
