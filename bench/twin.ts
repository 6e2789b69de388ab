// Plain TypeScript twins of the core's kernels: the baseline the benchmark compares against.
// Not used by the extension (optimizers live in the AssemblyScript core only).

export function rosenbrockGrid(x0: number, x1: number, y0: number, y1: number, nx: number, ny: number, out: Float64Array): void {
  const dx = (x1 - x0) / (nx - 1);
  const dy = (y1 - y0) / (ny - 1);
  for (let j = 0; j < ny; j++) {
    const y = y0 + j * dy;
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * dx;
      const u = 1 - x;
      const v = y - x * x;
      out[j * nx + i] = u * u + 100 * (v * v);
    }
  }
}

export function ackleyGrid(x0: number, x1: number, y0: number, y1: number, nx: number, ny: number, out: Float64Array): void {
  const dx = (x1 - x0) / (nx - 1);
  const dy = (y1 - y0) / (ny - 1);
  for (let j = 0; j < ny; j++) {
    const y = y0 + j * dy;
    const cy = Math.cos(2 * Math.PI * y);
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * dx;
      const r = Math.sqrt(0.5 * (x * x + y * y));
      out[j * nx + i] = -20 * Math.exp(-0.2 * r) - Math.exp(0.5 * (Math.cos(2 * Math.PI * x) + cy)) + Math.E + 20;
    }
  }
}

/** Adam on 2-D rosenbrock, recording [x, y, loss, gradNorm] for every step. */
export function adamRosenbrock2d(start: [number, number], lr: number, steps: number, trace: Float64Array): void {
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  let x = start[0];
  let y = start[1];
  let m0 = 0, m1 = 0, v0 = 0, v1 = 0;
  for (let k = 0; k <= steps; k++) {
    const u = 1 - x;
    const w = y - x * x;
    const g0 = -2 * u - 400 * x * w;
    const g1 = 200 * w;
    trace[4 * k] = x;
    trace[4 * k + 1] = y;
    trace[4 * k + 2] = u * u + 100 * (w * w);
    trace[4 * k + 3] = Math.sqrt(g0 * g0 + g1 * g1);
    if (k === steps) break;
    const t = k + 1;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    const stepSize = lr / bc1;
    m0 += (1 - beta1) * (g0 - m0);
    m1 += (1 - beta1) * (g1 - m1);
    v0 = v0 * beta2 + (1 - beta2) * (g0 * g0);
    v1 = v1 * beta2 + (1 - beta2) * (g1 * g1);
    x += -stepSize * (m0 / (Math.sqrt(v0) / bc2Sqrt + eps));
    y += -stepSize * (m1 / (Math.sqrt(v1) / bc2Sqrt + eps));
  }
}

/** Adam on an n-D quadratic 0.5 * sum w_i x_i^2, recording [x..., loss, gradNorm] per step. */
export function adamQuadratic(start: Float64Array, weights: Float64Array, lr: number, steps: number, trace: Float64Array): void {
  const n = start.length;
  const width = n + 2;
  const x = start.slice();
  const g = new Float64Array(n);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  for (let k = 0; k <= steps; k++) {
    let s = 0;
    let sq = 0;
    const row = k * width;
    for (let i = 0; i < n; i++) {
      const gi = weights[i] * x[i];
      g[i] = gi;
      s += weights[i] * (x[i] * x[i]);
      sq += gi * gi;
      trace[row + i] = x[i];
    }
    trace[row + n] = 0.5 * s;
    trace[row + n + 1] = Math.sqrt(sq);
    if (k === steps) break;
    const t = k + 1;
    const stepSize = lr / (1 - Math.pow(0.9, t));
    const bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, t));
    for (let i = 0; i < n; i++) {
      m[i] += 0.1 * (g[i] - m[i]);
      v[i] = v[i] * 0.999 + 0.001 * (g[i] * g[i]);
      x[i] += -stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + 1e-8));
    }
  }
}

/**
 * A tanh MLP (widths[0] inputs, hidden layers, one output) trained with Adam on the mean squared error over all n
 * samples (rows of inputs then the target), parameters in PyTorch's order; records [params, loss, gradNorm] per step
 * as the core does. Flat Float64Arrays, preallocated, no allocation per step.
 */
export function adamMlp(data: Float64Array, n: number, widths: number[], start: Float64Array, lr: number, steps: number, trace: Float64Array): void {
  const layers = widths.length - 1;
  const dim = start.length;
  const x = Float64Array.from(start);
  const g = new Float64Array(dim);
  const m = new Float64Array(dim);
  const v = new Float64Array(dim);
  const { wAt, bAt } = layerOffsets(widths);
  const acts = widths.map((w) => new Float64Array(n * w)); // acts[0]: inputs, acts[l]: layer l's outputs
  const deltas = [new Float64Array(n * Math.max(...widths)), new Float64Array(n * Math.max(...widths))];
  const inputs = widths[0];
  const columns = inputs + 1;
  for (let s = 0; s < n; s++) for (let i = 0; i < inputs; i++) acts[0][s * inputs + i] = data[s * columns + i];
  const evaluate = (): number => {
    for (let l = 1; l <= layers; l++) {
      const wIn = widths[l - 1];
      const w = widths[l];
      const input = acts[l - 1];
      const out = acts[l];
      const wo = wAt[l - 1];
      const bo = bAt[l - 1];
      for (let s = 0; s < n; s++) {
        for (let j = 0; j < w; j++) {
          let z = x[bo + j];
          for (let i = 0; i < wIn; i++) z += x[wo + j * wIn + i] * input[s * wIn + i];
          out[s * w + j] = l < layers ? Math.tanh(z) : z;
        }
      }
    }
    g.fill(0);
    let loss = 0;
    let delta = deltas[0];
    const output = acts[layers];
    for (let s = 0; s < n; s++) {
      const r = output[s] - data[s * columns + inputs];
      loss += (r * r) / n;
      delta[s] = (2 * r) / n;
    }
    for (let l = layers; l >= 1; l--) {
      const wIn = widths[l - 1];
      const w = widths[l];
      const input = acts[l - 1];
      const wo = wAt[l - 1];
      const bo = bAt[l - 1];
      const next = deltas[l % 2 === layers % 2 ? 1 : 0];
      for (let s = 0; s < n; s++) {
        for (let j = 0; j < w; j++) {
          const d = delta[s * w + j];
          g[bo + j] += d;
          for (let i = 0; i < wIn; i++) g[wo + j * wIn + i] += d * input[s * wIn + i];
        }
      }
      if (l === 1) break;
      for (let s = 0; s < n; s++) {
        for (let i = 0; i < wIn; i++) {
          let sum = 0;
          for (let j = 0; j < w; j++) sum += x[wo + j * wIn + i] * delta[s * w + j];
          const a = input[s * wIn + i];
          next[s * wIn + i] = sum * (1 - a * a);
        }
      }
      delta = next;
    }
    return loss;
  };
  const width = dim + 2;
  const record = (row: number, loss: number): void => {
    let sq = 0;
    for (let i = 0; i < dim; i++) {
      trace[row * width + i] = x[i];
      sq += g[i] * g[i];
    }
    trace[row * width + dim] = loss;
    trace[row * width + dim + 1] = Math.sqrt(sq);
  };
  record(0, evaluate());
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  for (let k = 1; k <= steps; k++) {
    const bc1 = 1 - beta1 ** k;
    const bc2 = Math.sqrt(1 - beta2 ** k);
    for (let i = 0; i < dim; i++) {
      const gi = g[i];
      m[i] += (gi - m[i]) * (1 - beta1);
      v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
      x[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2 + eps));
    }
    record(k, evaluate());
  }
}

/** Each Linear layer's weight and bias offsets in a flat MLP parameter vector (PyTorch's order). */
function layerOffsets(widths: number[]): { wAt: number[]; bAt: number[] } {
  const wAt: number[] = [];
  const bAt: number[] = [];
  let offset = 0;
  for (let l = 1; l < widths.length; l++) {
    wAt.push(offset);
    offset += widths[l] * widths[l - 1];
    bAt.push(offset);
    offset += widths[l];
  }
  return { wAt, bAt };
}

/**
 * The twin of a filter-normalized network slice (core/assembly/networkLandscape.ts): the directions' weight rows
 * rescaled to the centre's neuron norms (biases zeroed), then the mean cross-entropy of a tanh MLP over n samples
 * (rows of inputs, label) at every grid point theta + a d1 + b d2, b outer, into out.
 */
export function filterNormalizedSlice(
  data: Float64Array, n: number, widths: number[], theta: Float64Array, raw1: Float64Array, raw2: Float64Array,
  a0: number, a1: number, b0: number, b1: number, nx: number, ny: number, out: Float64Array,
): void {
  const layers = widths.length - 1;
  const dim = theta.length;
  const { wAt, bAt } = layerOffsets(widths);
  const directions = [Float64Array.from(raw1), Float64Array.from(raw2)];
  for (const d of directions) {
    for (let l = 0; l < layers; l++) {
      const wIn = widths[l];
      for (let j = 0; j < widths[l + 1]; j++) {
        const p = wAt[l] + j * wIn;
        let want = 0;
        let has = 0;
        for (let i = 0; i < wIn; i++) {
          want += theta[p + i] * theta[p + i];
          has += d[p + i] * d[p + i];
        }
        const scale = has > 0 ? Math.sqrt(want / has) : 0;
        for (let i = 0; i < wIn; i++) d[p + i] *= scale;
        d[bAt[l] + j] = 0;
      }
    }
  }
  const x = new Float64Array(dim);
  const acts = widths.map((w) => new Float64Array(w));
  const inputs = widths[0];
  const columns = inputs + 1;
  const k = widths[layers];
  for (let jb = 0; jb < ny; jb++) {
    const b = b0 + ((b1 - b0) * jb) / (ny - 1);
    for (let ia = 0; ia < nx; ia++) {
      const a = a0 + ((a1 - a0) * ia) / (nx - 1);
      for (let i = 0; i < dim; i++) x[i] = theta[i] + a * directions[0][i] + b * directions[1][i];
      let loss = 0;
      for (let s = 0; s < n; s++) {
        for (let i = 0; i < inputs; i++) acts[0][i] = data[s * columns + i];
        for (let l = 1; l <= layers; l++) {
          const wIn = widths[l - 1];
          const input = acts[l - 1];
          const output = acts[l];
          for (let j = 0; j < widths[l]; j++) {
            let z = x[bAt[l - 1] + j];
            const row = wAt[l - 1] + j * wIn;
            for (let i = 0; i < wIn; i++) z += x[row + i] * input[i];
            output[j] = l < layers ? Math.tanh(z) : z;
          }
        }
        const logits = acts[layers];
        let top = -Infinity;
        for (let c = 0; c < k; c++) top = Math.max(top, logits[c]);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(logits[c] - top);
        loss += top + Math.log(sum) - logits[data[s * columns + inputs]];
      }
      out[jb * nx + ia] = loss / n;
    }
  }
}
