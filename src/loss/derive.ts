// Exact derivatives by reverse accumulation on the DAG (what PyTorch's autograd does numerically, done here
// symbolically): one backward sweep gives the gradient, one sweep per gradient entry gives a Hessian row.
// Each rule follows PyTorch's derivatives.yaml, including its choices at non-smooth points.
import { Graph, SOFTPLUS_THRESHOLD } from './graph';

const LN2 = 0.6931471805599453;
const LN10 = 2.302585092994046;

/** d(output)/d(param i) for each parameter; null where the output does not depend on it. */
export function gradientOf(graph: Graph, output: number, dim: number): (number | null)[] {
  const result: (number | null)[] = new Array(dim).fill(null);
  const node = graph.node(output);
  if (!node.dep) return result;
  const adjoint = new Map<number, number>([[output, graph.constant(1)]]);
  const accumulate = (child: number, contribution: number): void => {
    const previous = adjoint.get(child);
    adjoint.set(child, previous === undefined ? contribution : graph.add(previous, contribution));
  };
  for (let id = output; id >= 0; id--) {
    if (adjoint.size === 0) break;
    const A = adjoint.get(id);
    if (A === undefined) continue;
    adjoint.delete(id);
    const n = graph.node(id);
    if (n.op === 'param') {
      if (n.index < dim) result[n.index] = A; // higher indices are data (constants for the derivative)
      continue;
    }
    const args = n.args as number[];
    const a = args[0];
    const b = args[1];
    const wantA = graph.node(a)?.dep ?? false;
    const wantB = b !== undefined && graph.node(b).dep;
    const g = graph;
    switch (n.op) {
      case 'const':
        break;
      case 'add':
        if (wantA) accumulate(a, A);
        if (wantB) accumulate(b, A);
        break;
      case 'sub':
        if (wantA) accumulate(a, A);
        if (wantB) accumulate(b, g.neg(A));
        break;
      case 'mul':
        if (wantA) accumulate(a, g.mul(A, b));
        if (wantB) accumulate(b, g.mul(A, a));
        break;
      case 'div':
        if (wantA) accumulate(a, g.div(A, b));
        if (wantB) accumulate(b, g.mul(g.neg(A), g.div(g.div(a, b), b)));
        break;
      case 'neg':
        accumulate(a, g.neg(A));
        break;
      case 'powc':
        accumulate(a, g.mul(A, g.mul(g.constant(n.exponent), g.pow(a, g.constant(n.exponent - 1)))));
        break;
      case 'sqrt':
        accumulate(a, g.div(A, g.mul(g.constant(2), id)));
        break;
      case 'abs':
        accumulate(a, g.mul(A, g.sign(a)));
        break;
      case 'sign':
        break;
      case 'mod':
        throw new Error('% is not differentiable here: it is only allowed in breakpoint conditions');
      case 'relu':
        accumulate(a, g.select('le', a, g.constant(0), g.constant(0), A));
        break;
      case 'sigmoid':
        accumulate(a, g.mul(g.mul(A, g.sub(g.constant(1), id)), id));
        break;
      case 'softplus': {
        const z = g.call1('exp', a);
        accumulate(a, g.select('lt', g.constant(SOFTPLUS_THRESHOLD), a, A, g.div(g.mul(A, z), g.add(z, g.constant(1)))));
        break;
      }
      case 'min':
      case 'max': {
        // torch.minimum / torch.maximum: the losing side gets 0, a tie gives half to each.
        const shared = g.select('eq', a, b, g.div(A, g.constant(2)), A);
        const zero = g.constant(0);
        const [aLoses, bLoses] = n.op === 'max' ? [[a, b], [b, a]] : [[b, a], [a, b]];
        if (wantA) accumulate(a, g.select('lt', aLoses[0], aLoses[1], zero, shared));
        if (wantB) accumulate(b, g.select('lt', bLoses[0], bLoses[1], zero, shared));
        break;
      }
      case 'select': {
        const [left, right, then, otherwise] = n.args;
        const zero = g.constant(0);
        if (graph.node(then).dep) accumulate(then, g.select(n.cmp, left, right, A, zero));
        if (graph.node(otherwise).dep) accumulate(otherwise, g.select(n.cmp, left, right, zero, A));
        break;
      }
      case 'call1':
        accumulate(a, unaryPartial(g, n.fn, a, id, A));
        break;
      case 'call2': {
        const one = g.constant(1);
        const zero = g.constant(0);
        if (n.fn === 'atan2') {
          const recip = g.div(one, g.add(g.mul(a, a), g.mul(b, b)));
          if (wantA) accumulate(a, g.mul(g.mul(A, b), recip));
          if (wantB) accumulate(b, g.mul(g.mul(A, g.neg(a)), recip));
        } else if (n.fn === 'hypot') {
          if (wantA) accumulate(a, g.div(g.mul(A, a), id));
          if (wantB) accumulate(b, g.div(g.mul(A, b), id));
        } else {
          if (wantA) accumulate(a, g.select('eq', b, zero, zero, g.mul(A, g.mul(b, g.pow(a, g.sub(b, one))))));
          if (wantB) {
            const resultLog = g.mul(id, g.call1('log', a));
            accumulate(b, g.mul(A, g.select('eq', a, zero, g.select('le', zero, b, zero, resultLog), resultLog)));
          }
        }
        break;
      }
    }
  }
  return result;
}

function unaryPartial(g: Graph, fn: string, a: number, result: number, A: number): number {
  const one = g.constant(1);
  const rsqrtOneMinusSquare = (): number => g.div(one, g.sqrt(g.add(g.mul(g.neg(a), a), one)));
  switch (fn) {
    case 'exp': return g.mul(A, result);
    case 'expm1': return g.mul(A, g.add(result, one));
    case 'log': return g.div(A, a);
    case 'log1p': return g.div(A, g.add(a, one));
    case 'log2': return g.div(A, g.mul(a, g.constant(LN2)));
    case 'log10': return g.div(A, g.mul(a, g.constant(LN10)));
    case 'sin': return g.mul(A, g.call1('cos', a));
    case 'cos': return g.mul(A, g.neg(g.call1('sin', a)));
    case 'tan': return g.mul(A, g.add(one, g.pow(result, g.constant(2))));
    case 'asin': return g.mul(A, rsqrtOneMinusSquare());
    case 'acos': return g.mul(A, g.neg(rsqrtOneMinusSquare()));
    case 'atan': return g.div(A, g.add(g.mul(a, a), one));
    case 'sinh': return g.mul(A, g.call1('cosh', a));
    case 'cosh': return g.mul(A, g.call1('sinh', a));
    case 'tanh': return g.mul(A, g.sub(one, g.mul(result, result)));
    case 'cbrt': return g.div(A, g.mul(g.constant(3), g.mul(result, result)));
    default: throw new Error(`no derivative rule for ${fn}`);
  }
}

/** Row-major dim x dim Hessian entries (null = structurally zero), each row the gradient of a gradient entry. */
export function hessianOf(graph: Graph, gradient: (number | null)[]): (number | null)[] {
  const dim = gradient.length;
  const entries: (number | null)[] = [];
  for (const entry of gradient) {
    if (entry === null) entries.push(...new Array<null>(dim).fill(null));
    else entries.push(...gradientOf(graph, entry, dim));
  }
  return entries;
}
