// Python's float min and max, as torch's optimizers compute their scalars in Python.

// Python's min and max of two floats: the first argument unless the second is strictly beyond it.
@inline export function pyMin(a: f64, b: f64): f64 {
  return b < a ? b : a;
}
@inline export function pyMax(a: f64, b: f64): f64 {
  return b > a ? b : a;
}
