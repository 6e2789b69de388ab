// Data-backed losses (generated samples and one sample's loss; losses.ts takes the mean over samples) and online losses.
import { at, put } from './f64mem';
import { Rng, seedRng, normal, uniform } from './random';
import { LOSS_LINEAR_REGRESSION, LOSS_LOGISTIC_REGRESSION, LOSS_REDDI, LOSS_REDDI_STOCHASTIC } from './layout';

export function sampleWidth(kind: i32): i32 {
  return kind == LOSS_LOGISTIC_REGRESSION ? 3 : 2;
}

/**
 * Writes count samples for a data-backed loss, reproducibly from seed.
 * Linear regression: x ~ N(0, 1), y = 2x - 1 + noise * N(0, 1).
 * Logistic regression: label = +-1 with equal odds, (x1, x2) ~ N(label * (1, 0.5), I) scaled by spread.
 */
export function generateSamples(kind: i32, count: i32, seed: u64, noise: f64, out: usize): void {
  const rng = changetype<Rng>(heap.alloc(offsetof<Rng>()));
  seedRng(rng, seed);
  const width = sampleWidth(kind);
  for (let i = 0; i < count; i++) {
    const s = out + (<usize>(i * width) << 3);
    if (kind == LOSS_LINEAR_REGRESSION) {
      const x = normal(rng);
      put(s, 0, x);
      put(s, 1, 2.0 * x - 1.0 + noise * normal(rng));
    } else {
      const label = uniform(rng) < 0.5 ? -1.0 : 1.0;
      put(s, 0, label * 1.0 + noise * normal(rng));
      put(s, 1, label * 0.5 + noise * normal(rng));
      put(s, 2, label);
    }
  }
  heap.free(changetype<usize>(rng));
}

// softplus(t) = log(1 + exp(t)), without overflow
@inline function softplus(t: f64): f64 {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** Adds weight * (per-sample loss, gradient, Hessian) at x for sample s; returns weight * loss. */
export function addSample(kind: i32, x: usize, s: usize, weight: f64, g: usize, h: usize): f64 {
  if (kind == LOSS_LINEAR_REGRESSION) {
    const xi = at(s, 0);
    const r = at(x, 0) * xi + at(x, 1) - at(s, 1);
    if (g) {
      put(g, 0, at(g, 0) + weight * 2.0 * r * xi);
      put(g, 1, at(g, 1) + weight * 2.0 * r);
    }
    if (h) {
      put(h, 0, at(h, 0) + weight * 2.0 * xi * xi);
      put(h, 1, at(h, 1) + weight * 2.0 * xi);
      put(h, 2, at(h, 2) + weight * 2.0 * xi);
      put(h, 3, at(h, 3) + weight * 2.0);
    }
    return weight * r * r;
  }
  // logistic: log(1 + exp(-label * w.x))
  const a = at(s, 0), b = at(s, 1), label = at(s, 2);
  const z = label * (at(x, 0) * a + at(x, 1) * b);
  const p = 1.0 / (1.0 + Math.exp(z)); // sigmoid(-z)
  if (g) {
    put(g, 0, at(g, 0) - weight * p * label * a);
    put(g, 1, at(g, 1) - weight * p * label * b);
  }
  if (h) {
    const c = weight * p * (1.0 - p);
    put(h, 0, at(h, 0) + c * a * a);
    put(h, 1, at(h, 1) + c * a * b);
    put(h, 2, at(h, 2) + c * a * b);
    put(h, 3, at(h, 3) + c * b * b);
  }
  return weight * softplus(-z);
}

/** The expected loss of the online problem: the mean of f_t over t. */
export function onlineExpected(kind: i32, c: f64, delta: f64, x: usize, g: usize, h: usize): f64 {
  const slope = kind == LOSS_REDDI ? (c - 2.0) / 3.0 : delta;
  if (g) put(g, 0, slope);
  if (h) put(h, 0, 0.0);
  return slope * at(x, 0);
}

/** The gradient of f_t, the loss revealed at step t (1-based). */
export function onlineGradient(kind: i32, c: f64, delta: f64, step: i32, rng: Rng): f64 {
  if (kind == LOSS_REDDI) return step % 3 == 1 ? c : -1.0;
  return uniform(rng) < (1.0 + delta) / (c + 1.0) ? c : -1.0;
}

export function isOnline(kind: i32): bool {
  return kind == LOSS_REDDI || kind == LOSS_REDDI_STOCHASTIC;
}
