// One step of each optimizer, following torch.optim's single-tensor (foreach=False) code path in float64.
import {
  OPT_SGD, OPT_ADAGRAD, OPT_RMSPROP, OPT_ADAM, OPT_ADADELTA, OPT_ADAMAX, OPT_NADAM, OPT_RADAM, OPT_NEWTON,
  O_LR, O_MOMENTUM, O_BETA1, O_BETA2, O_ALPHA, O_EPS, O_WEIGHT_DECAY, O_DAMPENING, O_LR_DECAY,
  O_INITIAL_ACCUMULATOR, O_MOMENTUM_DECAY, O_DAMPING, O_NESTEROV, O_AMSGRAD, O_CENTERED, O_MAXIMIZE,
  O_DECOUPLED,
} from './layout';

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** The optimizer's working memory: three state vectors of dim, two scalars, and scratch. */
@unmanaged
export class OptimizerState {
  s0: usize;
  s1: usize;
  s2: usize;
  scalar0: f64;
  scalar1: f64;
  // Newton: the (dim x dim) system and a solution vector.
  matrix: usize;
  solution: usize;
}

export function initState(optimizer: i32, dim: i32, options: usize, state: OptimizerState): void {
  const bytes = <usize>dim << 3;
  memory.fill(state.s0, 0, bytes);
  memory.fill(state.s1, 0, bytes);
  memory.fill(state.s2, 0, bytes);
  state.scalar0 = 0;
  state.scalar1 = 0;
  if (optimizer == OPT_ADAGRAD) {
    const init = at(options, O_INITIAL_ACCUMULATOR);
    for (let i = 0; i < dim; i++) put(state.s0, i, init);
  } else if (optimizer == OPT_NADAM) {
    state.scalar0 = 1.0; // mu_product
  }
}

// torch.lerp for a scalar weight: start + w * (end - start), or end - (end - start) * (1 - w) when w >= 0.5.
@inline function lerp(start: f64, end: f64, w: f64): f64 {
  return w < 0.5 ? start + w * (end - start) : end - (end - start) * (1.0 - w);
}

/**
 * Moves x one step. g holds the gradient at x (it is not modified); h the Hessian (Newton only).
 * step is the 1-based step number; lr the learning rate for this step. Returns false when the step
 * cannot be taken (Newton's system is singular).
 */
export function optimizerStep(
  optimizer: i32, dim: i32, options: usize, state: OptimizerState,
  x: usize, g: usize, h: usize, step: i32, lr: f64,
): bool {
  switch (optimizer) {
    case OPT_SGD: sgd(dim, options, state, x, g, step, lr); break;
    case OPT_ADAGRAD: adagrad(dim, options, state, x, g, step, lr); break;
    case OPT_RMSPROP: rmsprop(dim, options, state, x, g, lr); break;
    case OPT_ADAM: adam(dim, options, state, x, g, step, lr); break;
    case OPT_ADADELTA: adadelta(dim, options, state, x, g, lr); break;
    case OPT_ADAMAX: adamax(dim, options, state, x, g, step, lr); break;
    case OPT_NADAM: nadam(dim, options, state, x, g, step, lr); break;
    case OPT_RADAM: radam(dim, options, state, x, g, step, lr); break;
    case OPT_NEWTON: return newton(dim, options, state, x, g, h, lr);
    default: return false;
  }
  return true;
}

// The gradient as torch's optimizers see it: negated for maximize, plus weight decay unless decoupled.
@inline function effectiveGrad(options: usize, x: usize, g: usize, i: i32, coupledDecay: bool): f64 {
  let grad = at(g, i);
  if (at(options, O_MAXIMIZE) != 0) grad = -grad;
  const wd = at(options, O_WEIGHT_DECAY);
  if (coupledDecay && wd != 0) grad = grad + wd * at(x, i);
  return grad;
}

function sgd(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const momentum = at(o, O_MOMENTUM);
  const dampening = at(o, O_DAMPENING);
  const nesterov = at(o, O_NESTEROV) != 0;
  for (let i = 0; i < dim; i++) {
    let grad = effectiveGrad(o, x, g, i, true);
    if (momentum != 0) {
      let buf = at(s.s0, i);
      buf = step == 1 ? grad : buf * momentum + (1.0 - dampening) * grad;
      put(s.s0, i, buf);
      grad = nesterov ? grad + momentum * buf : buf;
    }
    put(x, i, at(x, i) + -lr * grad);
  }
}

function adagrad(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const clr = lr / (1.0 + <f64>(step - 1) * at(o, O_LR_DECAY));
  const eps = at(o, O_EPS);
  for (let i = 0; i < dim; i++) {
    const grad = effectiveGrad(o, x, g, i, true);
    const sum = at(s.s0, i) + grad * grad;
    put(s.s0, i, sum);
    put(x, i, at(x, i) + -clr * (grad / (Math.sqrt(sum) + eps)));
  }
}

function rmsprop(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, lr: f64): void {
  const alpha = at(o, O_ALPHA);
  const eps = at(o, O_EPS);
  const momentum = at(o, O_MOMENTUM);
  const centered = at(o, O_CENTERED) != 0;
  for (let i = 0; i < dim; i++) {
    const grad = effectiveGrad(o, x, g, i, true);
    const squareAvg = at(s.s0, i) * alpha + (1.0 - alpha) * (grad * grad);
    put(s.s0, i, squareAvg);
    let avg: f64;
    if (centered) {
      const gradAvg = lerp(at(s.s1, i), grad, 1.0 - alpha);
      put(s.s1, i, gradAvg);
      avg = Math.sqrt(squareAvg + -1.0 * (gradAvg * gradAvg));
    } else {
      avg = Math.sqrt(squareAvg);
    }
    avg = avg + eps;
    if (momentum > 0) {
      const buf = at(s.s2, i) * momentum + grad / avg;
      put(s.s2, i, buf);
      put(x, i, at(x, i) + -lr * buf);
    } else {
      put(x, i, at(x, i) + -lr * (grad / avg));
    }
  }
}

// Adam, AMSGrad and AdamW (decoupled weight decay).
function adam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = at(o, O_EPS);
  const decoupled = at(o, O_DECOUPLED) != 0;
  const amsgrad = at(o, O_AMSGRAD) != 0;
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection1 = 1.0 - Math.pow(beta1, t);
  const biasCorrection2 = 1.0 - Math.pow(beta2, t);
  const stepSize = lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  for (let i = 0; i < dim; i++) {
    if (decoupled) put(x, i, at(x, i) * (1.0 - lr * wd));
    const grad = effectiveGrad(o, x, g, i, !decoupled);
    const expAvg = lerp(at(s.s0, i), grad, 1.0 - beta1);
    const expAvgSq = at(s.s1, i) * beta2 + (1.0 - beta2) * (grad * grad);
    put(s.s0, i, expAvg);
    put(s.s1, i, expAvgSq);
    let second = expAvgSq;
    if (amsgrad) {
      second = Math.max(at(s.s2, i), expAvgSq);
      put(s.s2, i, second);
    }
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps;
    put(x, i, at(x, i) + -stepSize * (expAvg / denom));
  }
}

function adadelta(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, lr: f64): void {
  const rho = at(o, O_ALPHA);
  const eps = at(o, O_EPS);
  for (let i = 0; i < dim; i++) {
    const grad = effectiveGrad(o, x, g, i, true);
    const squareAvg = at(s.s0, i) * rho + (1.0 - rho) * (grad * grad);
    put(s.s0, i, squareAvg);
    const std = Math.sqrt(squareAvg + eps);
    const delta = Math.sqrt(at(s.s1, i) + eps) / std * grad;
    put(s.s1, i, at(s.s1, i) * rho + (1.0 - rho) * (delta * delta));
    put(x, i, at(x, i) + -lr * delta);
  }
}

function adamax(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = at(o, O_EPS);
  const clr = lr / (1.0 - Math.pow(beta1, <f64>step));
  for (let i = 0; i < dim; i++) {
    const grad = effectiveGrad(o, x, g, i, true);
    const expAvg = lerp(at(s.s0, i), grad, 1.0 - beta1);
    const expInf = Math.max(at(s.s1, i) * beta2, Math.abs(grad) + eps);
    put(s.s0, i, expAvg);
    put(s.s1, i, expInf);
    put(x, i, at(x, i) + -clr * (expAvg / expInf));
  }
}

function nadam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = at(o, O_EPS);
  const momentumDecay = at(o, O_MOMENTUM_DECAY);
  const decoupled = at(o, O_DECOUPLED) != 0;
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection2 = 1.0 - Math.pow(beta2, t);
  const mu = beta1 * (1.0 - 0.5 * Math.pow(0.96, t * momentumDecay));
  const muNext = beta1 * (1.0 - 0.5 * Math.pow(0.96, (t + 1.0) * momentumDecay));
  const muProduct = s.scalar0 * mu;
  s.scalar0 = muProduct;
  const muProductNext = muProduct * muNext;
  const gradCoefficient = -lr * (1.0 - mu) / (1.0 - muProduct);
  const avgCoefficient = -lr * muNext / (1.0 - muProductNext);
  for (let i = 0; i < dim; i++) {
    if (decoupled) put(x, i, at(x, i) * (1.0 - lr * wd));
    const grad = effectiveGrad(o, x, g, i, !decoupled);
    const expAvg = lerp(at(s.s0, i), grad, 1.0 - beta1);
    const expAvgSq = at(s.s1, i) * beta2 + (1.0 - beta2) * (grad * grad);
    put(s.s0, i, expAvg);
    put(s.s1, i, expAvgSq);
    const denom = Math.sqrt(expAvgSq / biasCorrection2) + eps;
    let xi = at(x, i) + gradCoefficient * (grad / denom);
    xi = xi + avgCoefficient * (expAvg / denom);
    put(x, i, xi);
  }
}

function radam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = at(o, O_EPS);
  const decoupled = at(o, O_DECOUPLED) != 0;
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection1 = 1.0 - Math.pow(beta1, t);
  const biasCorrection2 = 1.0 - Math.pow(beta2, t);
  const rhoInf = 2.0 / (1.0 - beta2) - 1.0;
  const rhoT = rhoInf - 2.0 * t * Math.pow(beta2, t) / biasCorrection2;
  const rectified = rhoT > 5.0;
  const rect = rectified
    ? Math.sqrt((rhoT - 4.0) * (rhoT - 2.0) * rhoInf / ((rhoInf - 4.0) * (rhoInf - 2.0) * rhoT))
    : 0.0;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  for (let i = 0; i < dim; i++) {
    if (decoupled) put(x, i, at(x, i) * (1.0 - lr * wd));
    const grad = effectiveGrad(o, x, g, i, !decoupled);
    const expAvg = lerp(at(s.s0, i), grad, 1.0 - beta1);
    const expAvgSq = at(s.s1, i) * beta2 + (1.0 - beta2) * (grad * grad);
    put(s.s0, i, expAvg);
    put(s.s1, i, expAvgSq);
    const corrected = expAvg / biasCorrection1;
    let update = corrected * lr;
    if (rectified) {
      const adaptive = biasCorrection2Sqrt / (Math.sqrt(expAvgSq) + eps);
      update = update * adaptive * rect;
    }
    put(x, i, at(x, i) + -1.0 * update);
  }
}

// x <- x - lr * (H + damping I)^-1 g, by Gaussian elimination with partial pivoting.
function newton(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, h: usize, lr: f64): bool {
  const damping = at(o, O_DAMPING);
  const a = s.matrix;
  const b = s.solution;
  const n = dim;
  memory.copy(a, h, <usize>(n * n) << 3);
  for (let i = 0; i < n; i++) {
    put(a, i * n + i, at(a, i * n + i) + damping);
    put(b, i, at(g, i));
  }
  for (let k = 0; k < n; k++) {
    let pivot = k;
    let best = Math.abs(at(a, k * n + k));
    for (let r = k + 1; r < n; r++) {
      const v = Math.abs(at(a, r * n + k));
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (!(best > 0) || !isFinite(best)) return false;
    if (pivot != k) {
      for (let c = 0; c < n; c++) {
        const tmp = at(a, k * n + c);
        put(a, k * n + c, at(a, pivot * n + c));
        put(a, pivot * n + c, tmp);
      }
      const tb = at(b, k);
      put(b, k, at(b, pivot));
      put(b, pivot, tb);
    }
    const akk = at(a, k * n + k);
    for (let r = k + 1; r < n; r++) {
      const factor = at(a, r * n + k) / akk;
      if (factor == 0) continue;
      for (let c = k; c < n; c++) put(a, r * n + c, at(a, r * n + c) - factor * at(a, k * n + c));
      put(b, r, at(b, r) - factor * at(b, k));
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let sum = at(b, k);
    for (let c = k + 1; c < n; c++) sum -= at(a, k * n + c) * at(b, c);
    const v = sum / at(a, k * n + k);
    if (!isFinite(v)) return false;
    put(b, k, v);
  }
  for (let i = 0; i < n; i++) put(x, i, at(x, i) - lr * at(b, i));
  return true;
}
