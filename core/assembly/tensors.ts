// A network's parameter tensors as PyTorch sees them (model.parameters()), for optimizers that work per tensor.
import { Network, width, weightOffset } from './network';

// A table of i32: the tensor count, then per tensor its first parameter, rows, columns and whether it is a matrix
// (a Linear weight [out, in], factored by Adafactor even when a side is 1; biases and BN parameters are vectors).
export const TENSOR_FIELDS: i32 = 4;

@inline export function tensorCount(table: usize): i32 {
  return load<i32>(table);
}
@inline export function tensorField(table: usize, k: i32, field: i32): i32 {
  return load<i32>(table + (<usize>(1 + k * TENSOR_FIELDS + field) << 2));
}

function setTensor(table: usize, k: i32, start: i32, rows: i32, cols: i32, matrix: bool): void {
  const p = table + (<usize>(1 + k * TENSOR_FIELDS) << 2);
  store<i32>(p, start);
  store<i32>(p, rows, 4);
  store<i32>(p, cols, 8);
  store<i32>(p, matrix ? 1 : 0, 12);
}

/** The tensors of a network: per Linear layer W and b, then (hidden layers with batch norm) BN weight and bias. Free with heap.free. */
export function parameterTensors(net: Network): usize {
  const withBn = net.batchnorm != 0 ? net.layers - 1 : 0;
  const count = 2 * net.layers + 2 * withBn;
  const table = heap.alloc(<usize>(1 + count * TENSOR_FIELDS) << 2);
  store<i32>(table, count);
  let k = 0;
  for (let l = 1; l <= net.layers; l++) {
    const out = width(net, l);
    const w = weightOffset(net, l);
    setTensor(table, k++, w, out, width(net, l - 1), true);
    setTensor(table, k++, w + out * width(net, l - 1), out, 1, false);
    const bn = load<i32>(net.bnAt + (<usize>(l - 1) << 2));
    if (bn >= 0) {
      setTensor(table, k++, bn, out, 1, false);
      setTensor(table, k++, bn + out, out, 1, false);
    }
  }
  return table;
}

/** One tensor: the whole parameter vector of n (a loss that is not a network). Free with heap.free. */
export function wholeVector(n: i32): usize {
  const table = heap.alloc(<usize>(1 + TENSOR_FIELDS) << 2);
  store<i32>(table, 1);
  setTensor(table, 0, 0, n, 1, false);
  return table;
}
