// One step of each optimizer, following torch.optim's single-tensor (foreach=False) code path in float64.
import { at, put, allocF64 } from './f64mem';
import {
  OPT_SGD, OPT_ADAGRAD, OPT_RMSPROP, OPT_ADAM, OPT_ADADELTA, OPT_ADAMAX, OPT_NADAM, OPT_RADAM, OPT_NEWTON,
  O_LR, O_MOMENTUM, O_BETA1, O_BETA2, O_ALPHA, O_EPS, O_WEIGHT_DECAY, O_DAMPENING, O_LR_DECAY,
  O_INITIAL_ACCUMULATOR, O_MOMENTUM_DECAY, O_DAMPING, O_NESTEROV, O_AMSGRAD, O_CENTERED, O_MAXIMIZE,
  O_DECOUPLED, OPT_RPROP, OPT_ASGD, OPT_ADAFACTOR, O_ETAMINUS, O_ETAPLUS, O_STEP_SIZE_MIN, O_STEP_SIZE_MAX,
  O_LAMBD, O_T0, OPT_CUSTOM, O_BETA1_UNITY_STEP, O_BETA2_UNITY_STEP,
} from './layout';
import { CustomOptimizer, customStep } from './customOptimizer';
import { adafactorStep } from './adafactor';
import { pyMax } from './pyfloat';


/**
 * The optimizer's working memory: three state vectors, two scalars, and Newton's scratch. Vectors
 * (like x and g) are padded to an even length with zeros, so every update runs on f64x2 pairs; a
 * zero pad lane stays zero (or harmlessly NaN) and is never read as a parameter.
 */
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
  // Memory of its own for an optimizer that needs more (LBFGS: lbfgs.ts), or 0.
  extra: usize;
  // An optimizer written in the optimizer language (customOptimizer.ts), or 0.
  custom: usize;
  // A network's parameter tensors (tensors.ts) for an optimizer that steps each on its own (Adafactor), or 0.
  tensors: usize;
}

/** A state with its three vectors (padded length, zeroed) and no Newton, L-BFGS or written-optimizer memory. */
export function createOptimizerState(padded: i32): OptimizerState {
  const state = changetype<OptimizerState>(heap.alloc(offsetof<OptimizerState>()));
  state.s0 = allocF64(padded);
  state.s1 = allocF64(padded);
  state.s2 = allocF64(padded);
  state.matrix = 0;
  state.solution = 0;
  state.extra = 0;
  state.custom = 0;
  return state;
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
  } else if (optimizer == OPT_RPROP) {
    const lr = at(options, O_LR);
    for (let i = 0; i < dim; i++) put(state.s1, i, lr); // step_size
  } else if (optimizer == OPT_ASGD) {
    state.scalar0 = at(options, O_LR); // eta
    state.scalar1 = 1.0; // mu
  }
}

@inline function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 3), v);
}
@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}
@inline function add(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}
@inline function sub(a: v128, b: v128): v128 {
  return f64x2.sub(a, b);
}
@inline function mul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}
@inline function div(a: v128, b: v128): v128 {
  return f64x2.div(a, b);
}
@inline function sqrt(a: v128): v128 {
  return f64x2.sqrt(a);
}

// torch.lerp for a scalar weight: start + w * (end - start), or end - (end - start) * (1 - w) when w >= 0.5.
@inline function lerp(start: v128, end: v128, w: f64): v128 {
  return w < 0.5 ? add(start, mul(splat(w), sub(end, start))) : sub(end, mul(sub(end, start), splat(1.0 - w)));
}

// a * b + c * d, the shape of torch's mul_(a).addcmul_/add_(..., value=c).
@inline function decay(avg: v128, rate: f64, rest: f64, term: v128): v128 {
  return add(mul(avg, splat(rate)), mul(splat(rest), term));
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
    case OPT_RPROP: rprop(dim, options, state, x, g); break;
    case OPT_ASGD: asgd(dim, options, state, x, g, step, lr); break;
    case OPT_ADAFACTOR: adafactorStep(dim, options, state.tensors, state.s0, state.s1, state.s2, x, g, step, lr); break;
    case OPT_CUSTOM: {
      const scalars = changetype<usize>(state) + offsetof<OptimizerState>('scalar0'); // scalar1 follows it
      customStep(changetype<CustomOptimizer>(state.custom), dim, x, g, h, scalars, step, lr, state.tensors);
      break;
    }
    default: return false;
  }
  return true;
}

// The gradient as torch's optimizers see it: negated for maximize, plus weight decay (if coupled).
@inline function effectiveGrad(g: v128, x: v128, maximize: bool, wd: f64): v128 {
  const grad = maximize ? f64x2.neg(g) : g;
  return wd != 0 ? add(grad, mul(splat(wd), x)) : grad;
}

// Decoupled weight decay (AdamW and friends): x * (1 - lr * wd).
@inline function decoupledDecay(x: v128, decoupled: bool, lr: f64, wd: f64): v128 {
  return decoupled ? mul(x, splat(1.0 - lr * wd)) : x;
}

@inline function maximizing(o: usize): bool {
  return at(o, O_MAXIMIZE) != 0;
}

function sgd(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const momentum = at(o, O_MOMENTUM);
  const dampening = at(o, O_DAMPENING);
  const nesterov = at(o, O_NESTEROV) != 0;
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  for (let i = 0; i < dim; i += 2) {
    const xi = ld(x, i);
    let grad = effectiveGrad(ld(g, i), xi, maximize, wd);
    if (momentum != 0) {
      const buf = step == 1 ? grad : decay(ld(s.s0, i), momentum, 1.0 - dampening, grad);
      st(s.s0, i, buf);
      grad = nesterov ? add(grad, mul(splat(momentum), buf)) : buf;
    }
    st(x, i, add(xi, mul(splat(-lr), grad)));
  }
}

function adagrad(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const clr = lr / (1.0 + <f64>(step - 1) * at(o, O_LR_DECAY));
  const eps = splat(at(o, O_EPS));
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  for (let i = 0; i < dim; i += 2) {
    const xi = ld(x, i);
    const grad = effectiveGrad(ld(g, i), xi, maximize, wd);
    const sum = add(ld(s.s0, i), mul(grad, grad));
    st(s.s0, i, sum);
    st(x, i, add(xi, mul(splat(-clr), div(grad, add(sqrt(sum), eps)))));
  }
}

function rmsprop(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, lr: f64): void {
  const alpha = at(o, O_ALPHA);
  const eps = splat(at(o, O_EPS));
  const momentum = at(o, O_MOMENTUM);
  const centered = at(o, O_CENTERED) != 0;
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  for (let i = 0; i < dim; i += 2) {
    const xi = ld(x, i);
    const grad = effectiveGrad(ld(g, i), xi, maximize, wd);
    const squareAvg = decay(ld(s.s0, i), alpha, 1.0 - alpha, mul(grad, grad));
    st(s.s0, i, squareAvg);
    let avg: v128;
    if (centered) {
      const gradAvg = lerp(ld(s.s1, i), grad, 1.0 - alpha);
      st(s.s1, i, gradAvg);
      avg = sqrt(add(squareAvg, mul(splat(-1.0), mul(gradAvg, gradAvg))));
    } else {
      avg = sqrt(squareAvg);
    }
    avg = add(avg, eps);
    if (momentum > 0) {
      const buf = add(mul(ld(s.s2, i), splat(momentum)), div(grad, avg));
      st(s.s2, i, buf);
      st(x, i, add(xi, mul(splat(-lr), buf)));
    } else {
      st(x, i, add(xi, mul(splat(-lr), div(grad, avg))));
    }
  }
}

// torch's moment updates shared by the Adam family: exp_avg.lerp_(grad, 1 - beta1) into s0 and
// exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2) into s1.
@inline function updateMoments(s: OptimizerState, i: i32, grad: v128, beta1: f64, beta2: f64): void {
  st(s.s0, i, lerp(ld(s.s0, i), grad, 1.0 - beta1));
  st(s.s1, i, decay(ld(s.s1, i), beta2, 1.0 - beta2, mul(grad, grad)));
}

// 1 - beta^t as torch computes it (Python's float pow); from the step packOptimizer found (unityStep) it is 1.0
// exactly, and the pow is skipped.
@inline function biasCorrection(beta: f64, t: f64, unityStep: f64): f64 {
  return unityStep > 0 && t >= unityStep ? 1.0 : 1.0 - Math.pow(beta, t);
}

// Adam, AMSGrad and AdamW (decoupled weight decay).
function adam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = splat(at(o, O_EPS));
  const decoupled = at(o, O_DECOUPLED) != 0;
  const amsgrad = at(o, O_AMSGRAD) != 0;
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection1 = biasCorrection(beta1, t, at(o, O_BETA1_UNITY_STEP));
  const biasCorrection2 = biasCorrection(beta2, t, at(o, O_BETA2_UNITY_STEP));
  const stepSize = splat(-(lr / biasCorrection1));
  const biasCorrection2Sqrt = splat(Math.sqrt(biasCorrection2));
  for (let i = 0; i < dim; i += 2) {
    const xi = decoupledDecay(ld(x, i), decoupled, lr, wd);
    const grad = effectiveGrad(ld(g, i), xi, maximize, decoupled ? 0 : wd);
    updateMoments(s, i, grad, beta1, beta2);
    const expAvg = ld(s.s0, i);
    const expAvgSq = ld(s.s1, i);
    let second = expAvgSq;
    if (amsgrad) {
      second = f64x2.max(ld(s.s2, i), expAvgSq);
      st(s.s2, i, second);
    }
    const denom = add(div(sqrt(second), biasCorrection2Sqrt), eps);
    st(x, i, add(xi, mul(stepSize, div(expAvg, denom))));
  }
}

function adadelta(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, lr: f64): void {
  const rho = at(o, O_ALPHA);
  const eps = splat(at(o, O_EPS));
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  for (let i = 0; i < dim; i += 2) {
    const xi = ld(x, i);
    const grad = effectiveGrad(ld(g, i), xi, maximize, wd);
    const squareAvg = decay(ld(s.s0, i), rho, 1.0 - rho, mul(grad, grad));
    st(s.s0, i, squareAvg);
    const std = sqrt(add(squareAvg, eps));
    const accDelta = ld(s.s1, i);
    const delta = mul(div(sqrt(add(accDelta, eps)), std), grad);
    st(s.s1, i, decay(accDelta, rho, 1.0 - rho, mul(delta, delta)));
    st(x, i, add(xi, mul(splat(-lr), delta)));
  }
}

function adamax(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = splat(at(o, O_BETA2));
  const eps = splat(at(o, O_EPS));
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  const clr = splat(-(lr / biasCorrection(beta1, <f64>step, at(o, O_BETA1_UNITY_STEP))));
  for (let i = 0; i < dim; i += 2) {
    const xi = ld(x, i);
    const grad = effectiveGrad(ld(g, i), xi, maximize, wd);
    const expAvg = lerp(ld(s.s0, i), grad, 1.0 - beta1);
    const expInf = f64x2.max(mul(ld(s.s1, i), beta2), add(f64x2.abs(grad), eps));
    st(s.s0, i, expAvg);
    st(s.s1, i, expInf);
    st(x, i, add(xi, mul(clr, div(expAvg, expInf))));
  }
}

function nadam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = splat(at(o, O_EPS));
  const momentumDecay = at(o, O_MOMENTUM_DECAY);
  const decoupled = at(o, O_DECOUPLED) != 0;
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection2 = splat(biasCorrection(beta2, t, at(o, O_BETA2_UNITY_STEP)));
  const mu = beta1 * (1.0 - 0.5 * Math.pow(0.96, t * momentumDecay));
  const muNext = beta1 * (1.0 - 0.5 * Math.pow(0.96, (t + 1.0) * momentumDecay));
  const muProduct = s.scalar0 * mu;
  s.scalar0 = muProduct;
  const muProductNext = muProduct * muNext;
  const gradCoefficient = splat(-lr * (1.0 - mu) / (1.0 - muProduct));
  const avgCoefficient = splat(-lr * muNext / (1.0 - muProductNext));
  for (let i = 0; i < dim; i += 2) {
    const xi = decoupledDecay(ld(x, i), decoupled, lr, wd);
    const grad = effectiveGrad(ld(g, i), xi, maximize, decoupled ? 0 : wd);
    updateMoments(s, i, grad, beta1, beta2);
    const expAvg = ld(s.s0, i);
    const expAvgSq = ld(s.s1, i);
    const denom = add(sqrt(div(expAvgSq, biasCorrection2)), eps);
    const moved = add(xi, mul(gradCoefficient, div(grad, denom)));
    st(x, i, add(moved, mul(avgCoefficient, div(expAvg, denom))));
  }
}

function radam(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const beta1 = at(o, O_BETA1);
  const beta2 = at(o, O_BETA2);
  const eps = splat(at(o, O_EPS));
  const decoupled = at(o, O_DECOUPLED) != 0;
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  const t = <f64>step;
  const biasCorrection1 = splat(biasCorrection(beta1, t, at(o, O_BETA1_UNITY_STEP)));
  const biasCorrection2 = 1.0 - Math.pow(beta2, t);
  const rhoInf = 2.0 / (1.0 - beta2) - 1.0;
  const rhoT = rhoInf - 2.0 * t * Math.pow(beta2, t) / biasCorrection2;
  const rectified = rhoT > 5.0;
  const rect = splat(rectified
    ? Math.sqrt((rhoT - 4.0) * (rhoT - 2.0) * rhoInf / ((rhoInf - 4.0) * (rhoInf - 2.0) * rhoT))
    : 0.0);
  const biasCorrection2Sqrt = splat(Math.sqrt(biasCorrection2));
  for (let i = 0; i < dim; i += 2) {
    const xi = decoupledDecay(ld(x, i), decoupled, lr, wd);
    const grad = effectiveGrad(ld(g, i), xi, maximize, decoupled ? 0 : wd);
    updateMoments(s, i, grad, beta1, beta2);
    const expAvg = ld(s.s0, i);
    const expAvgSq = ld(s.s1, i);
    let update = mul(div(expAvg, biasCorrection1), splat(lr));
    if (rectified) {
      const adaptive = div(biasCorrection2Sqrt, add(sqrt(expAvgSq), eps));
      update = mul(mul(update, adaptive), rect);
    }
    st(x, i, add(xi, mul(splat(-1.0), update)));
  }
}

// torch.sign: -1, 0 or 1 (NaN stays NaN).
@inline function sign(v: f64): f64 {
  return v > 0 ? 1.0 : v < 0 ? -1.0 : v;
}

// s0: prev (the last gradient, zeroed where its sign flipped), s1: step_size (starts at lr; the lr of later
// steps, and so a schedule, does not change it, as in torch).
function rprop(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize): void {
  const etaminus = at(o, O_ETAMINUS);
  const etaplus = at(o, O_ETAPLUS);
  const stepSizeMin = at(o, O_STEP_SIZE_MIN);
  const stepSizeMax = at(o, O_STEP_SIZE_MAX);
  const maximize = maximizing(o);
  for (let i = 0; i < dim; i++) {
    let grad = maximize ? -at(g, i) : at(g, i);
    const agreement = sign(grad * at(s.s0, i));
    const factor = agreement > 0 ? etaplus : agreement < 0 ? etaminus : agreement == 0 ? 1.0 : agreement;
    // clamp_(min, max): NaN stays NaN
    const scaled = at(s.s1, i) * factor;
    const stepSize = scaled != scaled ? scaled : Math.min(Math.max(scaled, stepSizeMin), stepSizeMax);
    put(s.s1, i, stepSize);
    if (factor == etaminus) grad = 0;
    put(x, i, at(x, i) + -1.0 * sign(grad) * stepSize);
    put(s.s0, i, grad);
  }
}

// s0: ax (the averaged iterate); scalar0: eta, scalar1: mu, as torch keeps them (set for the next step).
function asgd(dim: i32, o: usize, s: OptimizerState, x: usize, g: usize, step: i32, lr: f64): void {
  const lambd = at(o, O_LAMBD);
  const alpha = at(o, O_ALPHA);
  const t0 = at(o, O_T0);
  const maximize = maximizing(o);
  const wd = at(o, O_WEIGHT_DECAY);
  const eta = s.scalar0;
  const mu = s.scalar1;
  const shrink = 1.0 - lambd * eta;
  for (let i = 0; i < dim; i++) {
    let grad = maximize ? -at(g, i) : at(g, i);
    if (wd != 0) grad = grad + wd * at(x, i);
    const xi = at(x, i) * shrink + -eta * grad;
    put(x, i, xi);
    const ax = at(s.s0, i);
    put(s.s0, i, mu != 1.0 ? ax + (xi - ax) * mu : xi);
  }
  const t = <f64>step;
  s.scalar0 = lr / Math.pow(1.0 + lambd * lr * t, alpha);
  s.scalar1 = 1.0 / pyMax(1.0, t - t0);
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
