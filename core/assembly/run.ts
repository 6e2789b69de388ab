// A run: one optimizer from one start on one loss, advanced in chunks and recorded step by step.
import { at, put, copyF64 } from './f64mem';
import { Loss, evaluate } from './losses';
import { OptimizerState, initState, optimizerStep } from './optimizers';
import { scheduledLr } from './schedules';
import {
  OPT_NEWTON, O_LR, OPTION_SLOTS, SCHEDULE_SLOTS, STATE_VECTORS, STATE_SCALARS,
  STATUS_RUNNING, STATUS_COMPLETED, STATUS_CONVERGED, STATUS_OUT_OF_BOUNDS, STATUS_DIVERGED, STATUS_SINGULAR,
} from './layout';

function allocF64(count: i32): usize {
  const p = heap.alloc(<usize>max(count, 1) << 3);
  memory.fill(p, 0, <usize>max(count, 1) << 3);
  return p;
}

@unmanaged
export class Run {
  loss: Loss;
  dim: i32;
  optimizer: i32;
  maxSteps: i32;
  step: i32; // steps taken
  status: i32;
  rows: i32; // trace rows written
  recordState: i32;
  options: usize; // OPTION_SLOTS f64
  schedule: usize; // SCHEDULE_SLOTS f64
  lr: f64; // the learning rate of the last step (schedules are recursive)
  gradTol: f64; // < 0: off
  bounds: usize; // 2*dim f64 (lo, hi pairs) or 0
  x: usize;
  g: usize;
  h: usize; // dim*dim, Newton only
  state: OptimizerState;
  trace: usize; // (maxSteps+1) rows of [x..., loss, gradNorm]
  stateTrace: usize; // with recordState: (maxSteps+1) rows of stateWidth
}

/** Row width of the trace: parameters, loss, gradient norm. */
export function traceWidth(dim: i32): i32 {
  return dim + 2;
}
/** Row width of the state trace: gradient, three state vectors, the learning rate and two scalars. */
export function stateWidth(dim: i32): i32 {
  return dim * (1 + STATE_VECTORS) + 1 + STATE_SCALARS;
}

/** Options and schedule are copied; start has dim entries. The start is evaluated and recorded as row 0. */
export function createRun(
  loss: Loss, optimizer: i32, options: usize, schedule: usize, start: usize, maxSteps: i32,
  gradTol: f64, bounds: usize, recordState: bool,
): Run {
  const dim = loss.dim;
  const run = changetype<Run>(heap.alloc(offsetof<Run>()));
  run.loss = loss;
  run.dim = dim;
  run.optimizer = optimizer;
  run.maxSteps = maxSteps;
  run.step = 0;
  run.status = STATUS_RUNNING;
  run.rows = 0;
  run.recordState = recordState ? 1 : 0;
  run.options = allocF64(OPTION_SLOTS);
  memory.copy(run.options, options, <usize>OPTION_SLOTS << 3);
  run.schedule = allocF64(SCHEDULE_SLOTS);
  memory.copy(run.schedule, schedule, <usize>SCHEDULE_SLOTS << 3);
  run.lr = at(options, O_LR);
  run.gradTol = gradTol;
  run.bounds = 0;
  if (bounds) {
    run.bounds = allocF64(2 * dim);
    memory.copy(run.bounds, bounds, <usize>(2 * dim) << 3);
  }
  const padded = (dim + 1) & ~1; // optimizers work on f64x2 pairs
  run.x = allocF64(padded);
  memory.copy(run.x, start, <usize>dim << 3);
  run.g = allocF64(padded);
  run.h = optimizer == OPT_NEWTON ? allocF64(dim * dim) : 0;
  const state = changetype<OptimizerState>(heap.alloc(offsetof<OptimizerState>()));
  state.s0 = allocF64(padded);
  state.s1 = allocF64(padded);
  state.s2 = allocF64(padded);
  state.matrix = optimizer == OPT_NEWTON ? allocF64(dim * dim) : 0;
  state.solution = optimizer == OPT_NEWTON ? allocF64(dim) : 0;
  run.state = state;
  initState(optimizer, padded, run.options, state);
  run.trace = heap.alloc(<usize>((maxSteps + 1) * traceWidth(dim)) << 3);
  run.stateTrace = recordState ? heap.alloc(<usize>((maxSteps + 1) * stateWidth(dim)) << 3) : 0;
  recordCurrent(run);
  return run;
}

export function freeRun(run: Run): void {
  const s = run.state;
  heap.free(s.s0);
  heap.free(s.s1);
  heap.free(s.s2);
  if (s.matrix) heap.free(s.matrix);
  if (s.solution) heap.free(s.solution);
  heap.free(changetype<usize>(s));
  heap.free(run.options);
  heap.free(run.schedule);
  if (run.bounds) heap.free(run.bounds);
  heap.free(run.x);
  heap.free(run.g);
  if (run.h) heap.free(run.h);
  heap.free(run.trace);
  if (run.stateTrace) heap.free(run.stateTrace);
  heap.free(changetype<usize>(run));
}

// Evaluates loss and gradient at run.x and appends a row, or ends the run when a value is not finite.
function recordCurrent(run: Run): void {
  const dim = run.dim;
  const f = evaluate(run.loss, run.x, run.g, 0);
  let sq = 0.0;
  let finite = isFinite(f);
  for (let i = 0; i < dim; i++) {
    const gi = at(run.g, i);
    sq += gi * gi;
    finite = finite && isFinite(at(run.x, i)) && isFinite(gi);
  }
  const gradNorm = Math.sqrt(sq);
  if (!finite || !isFinite(gradNorm)) {
    run.status = STATUS_DIVERGED;
    return;
  }
  const width = traceWidth(dim);
  const row = run.trace + (<usize>(run.rows * width) << 3);
  copyF64(row, run.x, dim);
  put(row, dim, f);
  put(row, dim + 1, gradNorm);
  if (run.recordState) recordState(run);
  run.rows++;
  if (run.gradTol >= 0 && gradNorm <= run.gradTol) {
    run.status = STATUS_CONVERGED;
  } else if (run.bounds && outOfBounds(run)) {
    run.status = STATUS_OUT_OF_BOUNDS;
  } else if (run.step >= run.maxSteps) {
    run.status = STATUS_COMPLETED;
  }
}

function recordState(run: Run): void {
  const dim = run.dim;
  const bytes = <usize>dim << 3;
  let p = run.stateTrace + (<usize>(run.rows * stateWidth(dim)) << 3);
  copyF64(p, run.g, dim);
  p += bytes;
  copyF64(p, run.state.s0, dim);
  p += bytes;
  copyF64(p, run.state.s1, dim);
  p += bytes;
  copyF64(p, run.state.s2, dim);
  p += bytes;
  put(p, 0, run.lr);
  put(p, 1, run.state.scalar0);
  put(p, 2, run.state.scalar1);
}

function outOfBounds(run: Run): bool {
  for (let i = 0; i < run.dim; i++) {
    const v = at(run.x, i);
    if (v < at(run.bounds, 2 * i) || v > at(run.bounds, 2 * i + 1)) return true;
  }
  return false;
}

/** Takes up to `steps` steps; returns the run's status (STATUS_RUNNING while it can go on). */
export function advance(run: Run, steps: i32): i32 {
  for (let k = 0; k < steps && run.status == STATUS_RUNNING; k++) {
    const epoch = run.step;
    const lr = scheduledLr(run.schedule, epoch, run.lr, at(run.options, O_LR));
    run.lr = lr;
    if (run.optimizer == OPT_NEWTON) evaluate(run.loss, run.x, run.g, run.h);
    const ok = optimizerStep(run.optimizer, run.dim, run.options, run.state, run.x, run.g, run.h, epoch + 1, lr);
    if (!ok) {
      run.status = STATUS_SINGULAR;
      break;
    }
    run.step = epoch + 1;
    recordCurrent(run);
  }
  return run.status;
}
