// Reading and writing f64 arrays in linear memory by element index.

@inline export function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline export function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// Plain loops: for the short vectors of one step they beat memory.copy/fill, which V8 calls out for.
@inline export function copyF64(to: usize, from: usize, count: i32): void {
  for (let i = 0; i < count; i++) put(to, i, at(from, i));
}

/** count zeroed f64s (at least one); count in usize: dim*dim overflows i32 from dim 46341. */
export function allocF64(count: usize): usize {
  const bytes = max(count, 1) << 3;
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

@inline export function zeroF64(p: usize, count: i32): void {
  for (let i = 0; i < count; i++) put(p, i, 0.0);
}

/** count f64s (at least one), zeroed. Free with heap.free. */
export function allocZeroedF64(count: i32): usize {
  const bytes = <usize>max(count, 1) << 3;
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}
