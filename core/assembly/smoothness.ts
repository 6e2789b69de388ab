// Santurkar et al. (2018)'s smoothness measures of a loss at a point x along its gradient direction g = grad L(x):
// over step sizes eta_k = etaMax k / count (k = 1..count), the variation of the loss, max - min of L(x - eta_k g)
// (with L(x) itself), and the largest change of the gradient, max ||grad L(x - eta_k g) - g||. A network is evaluated as
// a full-batch training forward (batch norm with the batch's statistics; no noise, no running statistics).
import { at, put } from './f64mem';
import { Loss, evaluate } from './losses';

/**
 * Writes at out: the loss variation, the largest gradient change, ||g||; returns L(x). Scratch: g0, point and g, dim
 * f64 each.
 */
export function gradientDirectionVariation(loss: Loss, x: usize, etaMax: f64, count: i32, g0: usize, point: usize, g: usize, out: usize): f64 {
  const dim = loss.dim;
  const f0 = evaluate(loss, x, g0, 0);
  let lo = f0;
  let hi = f0;
  let change = 0.0;
  let norm = 0.0;
  for (let i = 0; i < dim; i++) norm += at(g0, i) * at(g0, i);
  for (let k = 1; k <= count; k++) {
    const eta = etaMax * <f64>k / <f64>count;
    for (let i = 0; i < dim; i++) put(point, i, at(x, i) - eta * at(g0, i));
    const f = evaluate(loss, point, g, 0);
    lo = min(lo, f);
    hi = max(hi, f);
    let sq = 0.0;
    for (let i = 0; i < dim; i++) {
      const d = at(g, i) - at(g0, i);
      sq += d * d;
    }
    change = max(change, Math.sqrt(sq));
  }
  put(out, 0, hi - lo);
  put(out, 1, change);
  put(out, 2, Math.sqrt(norm));
  return f0;
}
