// Generated data sets for networks, seeded by the core's RNG: rows of inputs, then a class index (or a target).
import { put } from './f64mem';
import { Rng, seedRng, normal, uniform } from './random';
import {
  DATASET_SPIRAL, DATASET_MOONS, DATASET_CIRCLES, DATASET_XOR, DATASET_BLOBS, DATASET_CURVE, DATASET_TEACHER, DATASET_WILSON, DATASET_RELU_TEACHER,
} from './layout';

const TWO_PI = 2.0 * Math.PI;
/** Blob centers lie on a circle of this radius. */
const BLOB_RADIUS = 3.0;

/** Columns of a generated row: the inputs and the label (the teacher: b inputs; the curve: one). */
export function datasetColumns(kind: i32, b: i32): i32 {
  if (kind == DATASET_CURVE) return 2;
  return kind == DATASET_TEACHER || kind == DATASET_WILSON || kind == DATASET_RELU_TEACHER ? b + 1 : 3;
}

/**
 * Writes count rows at out, reproducibly from seed. Classification sets give sample i the class i mod classes (so the
 * classes are balanced, and every tail of the rows, such as a test split, nearly so); noise is the std of Gaussian noise
 * added to each input (the blobs' spread; the teacher: added to its output before the threshold; the curve: to y).
 */
export function generateDataset(kind: i32, count: i32, seed: u64, noise: f64, a: f64, b: i32, out: usize): void {
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  const columns = datasetColumns(kind, b);
  // The teacher's weights: b inputs -> width tanh units -> 1 output, N(0, 1/fan_in), drawn first.
  const width = kind == DATASET_TEACHER ? <i32>a : 0;
  const teacher = width > 0 ? heap.alloc(<usize>(width * b + width) << 3) : 0;
  for (let i = 0; i < width * b; i++) put(teacher, i, normal(rng) / Math.sqrt(<f64>b));
  for (let j = 0; j < width; j++) put(teacher, width * b + j, normal(rng) / Math.sqrt(<f64>width));
  for (let i = 0; i < count; i++) {
    const row = out + (<usize>(i * columns) << 3);
    let x1 = 0.0;
    let x2 = 0.0;
    let label = 0.0;
    if (kind == DATASET_SPIRAL) {
      const arms = <i32>a;
      const k = i % arms;
      const r = uniform(rng);
      const t = TWO_PI * <f64>k / <f64>arms + 1.75 * TWO_PI * r;
      x1 = r * Math.cos(t);
      x2 = r * Math.sin(t);
      label = <f64>k;
    } else if (kind == DATASET_MOONS) {
      const k = i % 2;
      const t = Math.PI * uniform(rng);
      x1 = k == 0 ? Math.cos(t) : 1.0 - Math.cos(t);
      x2 = k == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      label = <f64>k;
    } else if (kind == DATASET_CIRCLES) {
      const k = i % 2;
      const t = TWO_PI * uniform(rng);
      const r = k == 0 ? 1.0 : a;
      x1 = r * Math.cos(t);
      x2 = r * Math.sin(t);
      label = <f64>k;
    } else if (kind == DATASET_XOR) {
      // class 1: both inputs of one sign (x1 x2 > 0); class 0: of opposite signs
      const k = i % 2;
      const s1 = uniform(rng) < 0.5 ? -1.0 : 1.0;
      const s2 = k == 1 ? s1 : -s1;
      x1 = s1 * uniform(rng);
      x2 = s2 * uniform(rng);
      label = <f64>k;
    } else if (kind == DATASET_BLOBS) {
      const centers = <i32>a;
      const k = i % centers;
      const t = TWO_PI * <f64>k / <f64>centers;
      x1 = BLOB_RADIUS * Math.cos(t);
      x2 = BLOB_RADIUS * Math.sin(t);
      label = <f64>k;
    } else if (kind == DATASET_RELU_TEACHER) {
      // Safran & Shamir (2018): Gaussian inputs, y = sum of relu(w_j . x) over orthonormal w_j (the first unit vectors).
      let y = 0.0;
      for (let c = 0; c < b; c++) {
        const x = normal(rng);
        put(row, c, x);
        if (c < <i32>a && x > 0) y += x;
      }
      put(row, b, y + noise * normal(rng));
      continue;
    } else if (kind == DATASET_WILSON) {
      wilsonRow(row, i, b, uniform(rng) < a);
      continue;
    } else if (kind == DATASET_CURVE) {
      const x = 2.0 * uniform(rng) - 1.0;
      put(row, 0, x);
      put(row, 1, Math.sin(3.0 * x) + noise * normal(rng));
      continue;
    } else {
      for (let c = 0; c < b; c++) put(row, c, normal(rng));
      let output = 0.0;
      for (let j = 0; j < width; j++) {
        let z = 0.0;
        for (let c = 0; c < b; c++) z += load<f64>(teacher + (<usize>(j * b + c) << 3)) * load<f64>(row + (<usize>c << 3));
        output += load<f64>(teacher + (<usize>(width * b + j) << 3)) * Math.tanh(z);
      }
      put(row, b, output + noise * normal(rng) > 0 ? 1.0 : 0.0);
      continue;
    }
    put(row, 0, x1 + noise * normal(rng));
    put(row, 1, x2 + noise * normal(rng));
    put(row, 2, label);
  }
  if (teacher) heap.free(teacher);
  heap.free(changetype<usize>(rng));
}

/**
 * Wilson et al. (2017, section 3.3): y = +-1; x1 = y, x2 = x3 = 1 (features every sample shares), and sample i's own
 * block of five features from column 3 + 5i: its first one set when y = +1, all five when y = -1. Only the first
 * feature tells the classes apart on new samples (whose blocks no other sample has). The label column: 1 for y = +1.
 */
function wilsonRow(row: usize, i: i32, inputs: i32, positive: bool): void {
  for (let c = 0; c <= inputs; c++) put(row, c, 0.0);
  put(row, 0, positive ? 1.0 : -1.0);
  put(row, 1, 1.0);
  put(row, 2, 1.0);
  const first = 3 + 5 * i;
  const own = positive ? 1 : 5;
  for (let c = first; c < first + own && c < inputs; c++) put(row, c, 1.0);
  put(row, inputs, positive ? 1.0 : 0.0);
}

/**
 * Writes count rows of a set defined by a formula at out: inputs values each uniform in [lo, hi) (ranges: lo, hi pairs),
 * then the label, the compiled expression at the row's inputs (a table index): with condition, a breakpoint-style
 * check(ctx) -> bitmask whose bit 0 gives the class 1 or 0; else a loss module's value(x) -> f64.
 */
export function generateFormulaDataset(inputs: i32, ranges: usize, count: i32, seed: u64, fn: i32, condition: bool, out: usize): void {
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  for (let i = 0; i < count; i++) {
    const row = out + (<usize>(i * (inputs + 1)) << 3);
    for (let c = 0; c < inputs; c++) {
      const lo = load<f64>(ranges + (<usize>(2 * c) << 3));
      const hi = load<f64>(ranges + (<usize>(2 * c + 1) << 3));
      put(row, c, lo + (hi - lo) * uniform(rng));
    }
    const label = condition ? <f64>(call_indirect<i32>(<u32>fn, row) & 1) : call_indirect<f64>(<u32>fn, row);
    put(row, inputs, label);
  }
  heap.free(changetype<usize>(rng));
}
