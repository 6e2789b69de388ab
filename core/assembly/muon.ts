// Muon (torch.optim.Muon, PyTorch 2.9+) on a network's weight matrices, beside another optimizer for the rest.
//
// torch's _single_tensor_muon: buf.lerp_(grad, 1 - momentum); update = grad.lerp(buf, momentum) (nesterov) or buf;
// Newton-Schulz orthogonalization of the update in bfloat16 (torch casts to bfloat16 and each operation rounds to it;
// matrix products accumulate in float32; the addmm form matches torch 2.13's numbers, checked against its golden run); param.mul_(1 - lr * weight_decay); param.add_(update, alpha=-adjusted_lr).
// The run steps the other parameters with its own optimizer; Muon computes its matrices' new values first (from the
// parameters before that step) and writes them after it.
import { allocZeroedF64, at, put } from './f64mem';
import { Network, weightOffset, width } from './network';

// Option slots (f64 each), packed by src/engine/muon.ts.
export const MUON_LR: i32 = 0;
export const MUON_WEIGHT_DECAY: i32 = 1;
export const MUON_MOMENTUM: i32 = 2;
export const MUON_NESTEROV: i32 = 3;
export const MUON_A: i32 = 4;
export const MUON_B: i32 = 5;
export const MUON_C: i32 = 6;
export const MUON_EPS: i32 = 7;
export const MUON_NS_STEPS: i32 = 8;
export const MUON_ADJUST: i32 = 9; // 0: "original", 1: "match_rms_adamw"
export const MUON_SLOTS: i32 = 10;

@unmanaged
export class Muon {
  count: i32; // matrices: the weights of every Linear but the last
  offsets: usize; // i32 per matrix: its first parameter
  rows: usize; // i32 per matrix: out features
  cols: usize; // i32 per matrix: in features
  total: i32; // their parameters
  options: usize; // MUON_SLOTS f64
  momentum: usize; // total f64: the momentum buffers
  next: usize; // total f64: the matrices' values after this step
  x: usize; // scratch: the matrix being orthogonalized (largest matrix)
  product: usize; // scratch: a product of its shape
  gram: usize; // scratch: min(rows, cols)^2, three of them
  update: usize;
  square: usize;
}

@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

export function createMuon(net: Network, options: usize): Muon {
  const m = changetype<Muon>(heap.alloc(offsetof<Muon>()));
  const count = net.layers - 1;
  m.count = count;
  m.offsets = heap.alloc(<usize>max(count, 1) << 2);
  m.rows = heap.alloc(<usize>max(count, 1) << 2);
  m.cols = heap.alloc(<usize>max(count, 1) << 2);
  let total = 0;
  let largest = 0;
  let side = 0;
  for (let k = 0; k < count; k++) {
    const rows = width(net, k + 1);
    const cols = width(net, k);
    store<i32>(m.offsets + (<usize>k << 2), weightOffset(net, k + 1));
    store<i32>(m.rows + (<usize>k << 2), rows);
    store<i32>(m.cols + (<usize>k << 2), cols);
    total += rows * cols;
    largest = max(largest, rows * cols);
    side = max(side, min(rows, cols));
  }
  m.total = total;
  m.options = heap.alloc(<usize>MUON_SLOTS << 3);
  memory.copy(m.options, options, <usize>MUON_SLOTS << 3);
  m.momentum = allocZeroedF64(total);
  m.next = allocZeroedF64(total);
  m.x = allocZeroedF64(largest);
  m.product = allocZeroedF64(largest);
  m.gram = allocZeroedF64(side * side);
  m.update = allocZeroedF64(side * side);
  m.square = allocZeroedF64(side * side);
  return m;
}

export function freeMuon(m: Muon): void {
  heap.free(m.offsets);
  heap.free(m.rows);
  heap.free(m.cols);
  heap.free(m.options);
  heap.free(m.momentum);
  heap.free(m.next);
  heap.free(m.x);
  heap.free(m.product);
  heap.free(m.gram);
  heap.free(m.update);
  heap.free(m.square);
  heap.free(changetype<usize>(m));
}

/** float32 to bfloat16, round to nearest even (c10::BFloat16's conversion), as an f64. */
@inline function bf16(v: f32): f64 {
  if (v != v) return NaN;
  const bits = reinterpret<u32>(v);
  const rounded = (bits + (((bits >> 16) & 1) + 0x7fff)) & 0xffff0000;
  return <f64>reinterpret<f32>(rounded);
}

/** An f64 to bfloat16 in one rounding (to nearest even), as torch's .bfloat16() of a float64 tensor. */
@inline function toBf16(v: f64): f64 {
  if (v != v) return NaN;
  const bits = reinterpret<u64>(v);
  const rounded = (bits + (((bits >> 45) & 1) + 0xfffffffffff)) & 0xffffe00000000000;
  return reinterpret<f64>(rounded);
}

// c = a @ b^T (transposeB) or a @ b, accumulated in float32 (bfloat16 products are exact in it), not rounded: a is
// n x k, b is k x m (transposeB: m x k).
function matmul(a: usize, b: usize, c: usize, n: i32, k: i32, m: i32, transposeB: bool): void {
  const whole = k - k % 4;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      // torch's cpublas sum: four partial sums over p mod 4, the rest into the first, then the partials in order.
      let s0: f32 = 0;
      let s1: f32 = 0;
      let s2: f32 = 0;
      let s3: f32 = 0;
      for (let p = 0; p < whole; p += 4) {
        s0 += <f32>(at(a, i * k + p) * (transposeB ? at(b, j * k + p) : at(b, p * m + j)));
        s1 += <f32>(at(a, i * k + p + 1) * (transposeB ? at(b, j * k + p + 1) : at(b, (p + 1) * m + j)));
        s2 += <f32>(at(a, i * k + p + 2) * (transposeB ? at(b, j * k + p + 2) : at(b, (p + 2) * m + j)));
        s3 += <f32>(at(a, i * k + p + 3) * (transposeB ? at(b, j * k + p + 3) : at(b, (p + 3) * m + j)));
      }
      for (let p = whole; p < k; p++) s0 += <f32>(at(a, i * k + p) * (transposeB ? at(b, j * k + p) : at(b, p * m + j)));
      put(c, i * m + j, <f64>(((s0 + s1) + s2) + s3));
    }
  }
}

// torch.addmm(input, m1, m2, beta, alpha) in bfloat16 given the float32 product m1 @ m2: input = round_bf16(beta * input
// + alpha * product) in float32 with beta and alpha as float32 (torch's opmath for bfloat16), beta * input fused into
// the addition (one rounding, as the compiled cpublas kernel does: only this order matches torch 2.13's golden case 35).
function addmmInto(input: usize, product: usize, beta: f64, alpha: f64, count: i32): void {
  const b = <f32>beta;
  const a = <f32>alpha;
  for (let i = 0; i < count; i++) {
    put(input, i, bf16(<f32>(<f64>b * at(input, i) + <f64>(a * <f32>at(product, i)))));
  }
}

// The squared Frobenius norm of bfloat16 values, accumulated in float32 (torch's norm of a small bfloat16 tensor).
function sumOfSquares(x: usize, count: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < count; i++) {
    const v = <f32>at(x, i);
    sum += v * v;
  }
  return sum;
}

/**
 * torch's _zeropower_via_newtonschulz on the rows x cols matrix at m.x (bfloat16 values held as f64), in place, with
 * torch 2.10+'s addmm form: gram = X X^T; gram_update = addmm(gram, gram, gram, beta=b, alpha=c);
 * X = addmm(X, gram_update, X, beta=a). The caller passes the wide orientation (rows <= cols).
 */
function newtonSchulz(m: Muon, rows: i32, cols: i32): void {
  const o = m.options;
  const count = rows * cols;
  const sum = sumOfSquares(m.x, count);
  const norm = <f32>max(bf16(<f32>Math.sqrt(<f64>sum)), toBf16(at(o, MUON_EPS)));
  for (let i = 0; i < count; i++) put(m.x, i, bf16(<f32>at(m.x, i) / norm));
  const steps = <i32>at(o, MUON_NS_STEPS);
  const g = m.gram;
  const u = m.update;
  const r2 = rows * rows;
  for (let step = 0; step < steps; step++) {
    matmul(m.x, m.x, g, rows, cols, rows, true);
    for (let i = 0; i < r2; i++) put(g, i, bf16(<f32>at(g, i)));
    memory.copy(u, g, <usize>r2 << 3);
    matmul(g, g, m.square, rows, rows, rows, false);
    addmmInto(u, m.square, at(o, MUON_B), at(o, MUON_C), r2);
    matmul(u, m.x, m.product, rows, rows, cols, false);
    addmmInto(m.x, m.product, at(o, MUON_A), 1.0, count);
  }
}

// torch.lerp(start, end, weight) for a scalar weight.
@inline function lerp(start: f64, end: f64, w: f64): f64 {
  return w < 0.5 ? start + w * (end - start) : end - (end - start) * (1.0 - w);
}

/**
 * Computes the Muon matrices' values after this step into m.next from the parameters x and gradient g (before the
 * run's other optimizer moves x). lrScale: the schedule's factor on the learning rate this step.
 */
export function muonPrepare(m: Muon, x: usize, g: usize, lrScale: f64): void {
  const o = m.options;
  const momentum = at(o, MUON_MOMENTUM);
  const nesterov = at(o, MUON_NESTEROV) != 0;
  const lr = at(o, MUON_LR) * lrScale;
  const decay = 1.0 - lr * at(o, MUON_WEIGHT_DECAY);
  let base = 0;
  for (let k = 0; k < m.count; k++) {
    const offset = i32At(m.offsets, k);
    const rows = i32At(m.rows, k);
    const cols = i32At(m.cols, k);
    const tall = rows > cols;
    // The update, cast to bfloat16, in the wide orientation.
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const e = i * cols + j;
        const grad = at(g, offset + e);
        const buf = lerp(at(m.momentum, base + e), grad, 1.0 - momentum);
        put(m.momentum, base + e, buf);
        const update = nesterov ? lerp(grad, buf, momentum) : buf;
        put(m.x, tall ? j * rows + i : e, toBf16(update));
      }
    }
    if (tall) newtonSchulz(m, cols, rows);
    else newtonSchulz(m, rows, cols);
    const ratio = at(o, MUON_ADJUST) == 1 ? 0.2 * Math.sqrt(<f64>max(rows, cols)) : Math.sqrt(Math.max(1.0, <f64>rows / <f64>cols));
    const adjusted = lr * ratio;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const e = i * cols + j;
        const orth = at(m.x, tall ? j * rows + i : e);
        put(m.next, base + e, at(x, offset + e) * decay + -adjusted * orth);
      }
    }
    base += rows * cols;
  }
}

/** Writes the matrices' new values (from muonPrepare) into x, over what the other optimizer wrote there. */
export function muonApply(m: Muon, x: usize): void {
  let base = 0;
  for (let k = 0; k < m.count; k++) {
    const size = i32At(m.rows, k) * i32At(m.cols, k);
    memory.copy(x + (<usize>i32At(m.offsets, k) << 3), m.next + (<usize>base << 3), <usize>size << 3);
    base += size;
  }
}

/**
 * Writes the momentum buffers over a copy of the run's first state vector (dim f64 at dest, one slot per parameter):
 * the recorded state and breakpoint context show torch's momentum_buffer at the matrices' coordinates.
 */
export function muonMomentumInto(m: Muon, dest: usize): void {
  let base = 0;
  for (let k = 0; k < m.count; k++) {
    const size = i32At(m.rows, k) * i32At(m.cols, k);
    memory.copy(dest + (<usize>i32At(m.offsets, k) << 3), m.momentum + (<usize>base << 3), <usize>size << 3);
    base += size;
  }
}
