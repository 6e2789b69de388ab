// Gradient and Hessian nodes of a parsed loss, and their evaluation in JavaScript (for hover and tests).
import { meanOverData } from './analyze';
import type { CompiledLossSource } from './analyze';
import { gradientOf, hessianOf } from './derive';

export interface LossDerivatives {
  /** One node per parameter; null where the loss does not depend on it. */
  gradient: (number | null)[];
  /** Row-major dim x dim nodes; null for structural zeros. Only with withHessian. */
  hessian?: (number | null)[];
}

export interface LossEvaluation {
  value: number;
  gradient: number[];
  hessian?: number[];
}

const cache = new WeakMap<CompiledLossSource, LossDerivatives>();

/** Differentiates once per loss (adding the derivative nodes to loss.graph). Throws GraphTooLarge past the node limit. */
export function differentiate(loss: CompiledLossSource, withHessian = false): LossDerivatives {
  let derivatives = cache.get(loss);
  if (!derivatives) {
    derivatives = { gradient: gradientOf(loss.graph, loss.root, loss.dim) };
    cache.set(loss, derivatives);
  }
  if (withHessian && !derivatives.hessian) derivatives.hessian = hessianOf(loss.graph, derivatives.gradient);
  return derivatives;
}

/** Value, gradient and (withHessian) row-major Hessian at a point, computed with JavaScript's Math (means over the data, if any). */
export function evaluateLoss(loss: CompiledLossSource, point: ArrayLike<number>, withHessian = false): LossEvaluation {
  const { gradient, hessian = [] } = differentiate(loss, withHessian);
  const zero = loss.graph.constant(0);
  const outputs = [loss.root, ...gradient, ...hessian].map((id) => id ?? zero);
  const values = loss.data ? meanOverData(loss.graph, outputs, point, loss.data) : loss.graph.evaluate(outputs, point);
  const dim = loss.dim;
  return {
    value: values[0],
    gradient: values.slice(1, 1 + dim),
    hessian: withHessian ? values.slice(1 + dim) : undefined,
  };
}
