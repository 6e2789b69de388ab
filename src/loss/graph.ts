// The expression DAG. Nodes are hash-consed (equal subexpressions are one node, so sharing is automatic) and
// created children-first, so node ids are a topological order: every pass is a loop, never a deep recursion.
// Builders fold constants and drop identities only where IEEE arithmetic gives the same bits (x*1, x+0, --x);
// 0*x is kept, because it is NaN for infinite x as in PyTorch.
import { BinaryImport, UnaryImport } from './builtins';

export type Comparison = 'lt' | 'le' | 'eq';

export type Node =
  | { op: 'const'; value: number; args: []; dep: false }
  | { op: 'param'; index: number; args: []; dep: true }
  | { op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max'; args: [number, number]; dep: boolean }
  /** a % b with Python's meaning (only in breakpoint conditions, never differentiated). */
  | { op: 'mod'; args: [number, number]; dep: boolean }
  | { op: 'neg' | 'sqrt' | 'abs' | 'sign' | 'sigmoid' | 'softplus' | 'relu'; args: [number]; dep: boolean }
  /** base^exponent with a constant exponent, computed as PyTorch's pow(Tensor, Scalar). */
  | { op: 'powc'; exponent: number; args: [number]; dep: boolean }
  | { op: 'call1'; fn: UnaryImport; args: [number]; dep: boolean }
  | { op: 'call2'; fn: BinaryImport; args: [number, number]; dep: boolean }
  /** (a cmp b) ? then : otherwise, with args [a, b, then, otherwise]. */
  | { op: 'select'; cmp: Comparison; args: [number, number, number, number]; dep: boolean };

type NodeBody = Node extends infer N ? (N extends Node ? Omit<N, 'dep'> : never) : never;

export class GraphTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} operations`);
  }
}

/** Above this a loss is rejected as too large (after expanding sums and differentiating). */
export const MAX_NODES = 400_000;

/** The softplus threshold PyTorch uses (beta = 1): above it softplus(a) = a. */
export const SOFTPLUS_THRESHOLD = 20;

function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** PyTorch's pow(Tensor, Scalar) shortcuts (aten Pow.cpp / PowKernel.cpp); other exponents call pow. */
export function powConst(base: number, exponent: number): number {
  switch (exponent) {
    case 0: return 1;
    case 1: return base;
    case 2: return base * base;
    case 3: return base * base * base;
    case 0.5: return Math.sqrt(base);
    case -0.5: return 1 / Math.sqrt(base);
    case -1: return 1 / base;
    case -2: return 1 / (base * base);
    default: return Math.pow(base, exponent);
  }
}

/** Exponents whose power is exact IEEE arithmetic (so it can be folded and vectorized without a call). */
export function isArithmeticExponent(exponent: number): boolean {
  return exponent === 2 || exponent === 3 || exponent === 0.5 || exponent === -0.5 || exponent === -1 || exponent === -2;
}

export function signOf(a: number): number {
  return a > 0 ? 1 : a < 0 ? -1 : 0;
}

/** Python's float %: exact, with the sign of the divisor; NaN for an infinite dividend or a zero divisor. */
export function pythonModulo(a: number, b: number): number {
  const r = a % b; // exact fmod: the sign of a
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

export function compare(cmp: Comparison, a: number, b: number): boolean {
  return cmp === 'lt' ? a < b : cmp === 'le' ? a <= b : a === b;
}

const UNARY_MATH: Record<UnaryImport, (a: number) => number> = {
  exp: Math.exp, expm1: Math.expm1, log: Math.log, log1p: Math.log1p, log2: Math.log2, log10: Math.log10,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, cbrt: Math.cbrt,
};
const BINARY_MATH: Record<BinaryImport, (a: number, b: number) => number> = {
  atan2: Math.atan2, pow: Math.pow, hypot: (a, b) => Math.hypot(a, b),
};

export class Graph {
  readonly nodes: Node[] = [];
  private readonly ids = new Map<string, number>();

  constructor(private readonly maxNodes = MAX_NODES) {}

  get size(): number {
    return this.nodes.length;
  }

  node(id: number): Node {
    return this.nodes[id];
  }

  constantValue(id: number): number | undefined {
    const node = this.nodes[id];
    return node.op === 'const' ? node.value : undefined;
  }

  private intern(body: NodeBody): number {
    const tag = body.op === 'const' ? numberKey(body.value)
      : body.op === 'param' ? body.index
      : body.op === 'powc' ? numberKey(body.exponent)
      : body.op === 'call1' || body.op === 'call2' ? body.fn
      : body.op === 'select' ? body.cmp : '';
    const key = `${body.op}|${tag}|${body.args.join(',')}`;
    const existing = this.ids.get(key);
    if (existing !== undefined) return existing;
    if (this.nodes.length >= this.maxNodes) throw new GraphTooLarge(this.maxNodes);
    const node = body as Node;
    node.dep = body.op === 'param' || (body.args as number[]).some((a) => this.nodes[a].dep);
    const id = this.nodes.length;
    this.nodes.push(node);
    this.ids.set(key, id);
    return id;
  }

  constant(value: number): number {
    return this.intern({ op: 'const', value, args: [] });
  }

  param(index: number): number {
    return this.intern({ op: 'param', index, args: [] });
  }

  add(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca + cb);
    if (ca === 0) return b;
    if (cb === 0) return a;
    return this.intern({ op: 'add', args: a < b ? [a, b] : [b, a] });
  }

  sub(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca - cb);
    if (cb === 0) return a;
    if (ca === 0) return this.neg(b);
    return this.intern({ op: 'sub', args: [a, b] });
  }

  mul(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca * cb);
    if (ca === 1) return b;
    if (cb === 1) return a;
    if (ca === -1) return this.neg(b);
    if (cb === -1) return this.neg(a);
    return this.intern({ op: 'mul', args: a < b ? [a, b] : [b, a] });
  }

  div(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca / cb);
    if (cb === 1) return a;
    if (cb === -1) return this.neg(a);
    return this.intern({ op: 'div', args: [a, b] });
  }

  neg(a: number): number {
    const node = this.nodes[a];
    if (node.op === 'const') return this.constant(-node.value);
    if (node.op === 'neg') return node.args[0];
    return this.intern({ op: 'neg', args: [a] });
  }

  /** a^b: PyTorch's pow(Tensor, Scalar) when b is a constant, else pow(Tensor, Tensor). */
  pow(a: number, b: number): number {
    const cb = this.constantValue(b);
    if (cb === undefined) return this.intern({ op: 'call2', fn: 'pow', args: [a, b] });
    if (cb === 0) return this.constant(1);
    if (cb === 1) return a;
    const ca = this.constantValue(a);
    if (ca !== undefined && isArithmeticExponent(cb)) return this.constant(powConst(ca, cb));
    return this.intern({ op: 'powc', exponent: cb, args: [a] });
  }

  mod(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(pythonModulo(ca, cb));
    return this.intern({ op: 'mod', args: [a, b] });
  }

  min(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(Math.min(ca, cb));
    return this.intern({ op: 'min', args: a < b ? [a, b] : [b, a] });
  }

  max(a: number, b: number): number {
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return this.constant(Math.max(ca, cb));
    return this.intern({ op: 'max', args: a < b ? [a, b] : [b, a] });
  }

  sqrt(a: number): number {
    const ca = this.constantValue(a);
    return ca !== undefined ? this.constant(Math.sqrt(ca)) : this.intern({ op: 'sqrt', args: [a] });
  }

  abs(a: number): number {
    const ca = this.constantValue(a);
    return ca !== undefined ? this.constant(Math.abs(ca)) : this.intern({ op: 'abs', args: [a] });
  }

  sign(a: number): number {
    const ca = this.constantValue(a);
    return ca !== undefined ? this.constant(signOf(ca)) : this.intern({ op: 'sign', args: [a] });
  }

  relu(a: number): number {
    const ca = this.constantValue(a);
    return ca !== undefined ? this.constant(Math.max(ca, 0)) : this.intern({ op: 'relu', args: [a] });
  }

  unary(op: 'sigmoid' | 'softplus', a: number): number {
    return this.intern({ op, args: [a] });
  }

  call1(fn: UnaryImport, a: number): number {
    return this.intern({ op: 'call1', fn, args: [a] });
  }

  call2(fn: BinaryImport, a: number, b: number): number {
    return fn === 'pow' ? this.pow(a, b) : this.intern({ op: 'call2', fn, args: [a, b] });
  }

  select(cmp: Comparison, a: number, b: number, then: number, otherwise: number): number {
    if (then === otherwise) return then;
    const ca = this.constantValue(a);
    const cb = this.constantValue(b);
    if (ca !== undefined && cb !== undefined) return compare(cmp, ca, cb) ? then : otherwise;
    return this.intern({ op: 'select', cmp, args: [a, b, then, otherwise] });
  }

  /** Marks the nodes the outputs depend on (ids up to the largest output). */
  reachable(outputs: number[]): Uint8Array {
    const marked = new Uint8Array(this.nodes.length);
    for (const id of outputs) marked[id] = 1;
    for (let id = this.nodes.length - 1; id >= 0; id--) {
      if (marked[id]) for (const arg of this.nodes[id].args) marked[arg] = 1;
    }
    return marked;
  }

  /** Evaluates outputs at a point with JavaScript's Math (for constants, scenario values and hover). */
  evaluate(outputs: number[], point: ArrayLike<number>): number[] {
    const needed = this.reachable(outputs);
    const values = new Float64Array(this.nodes.length);
    for (let id = 0; id < this.nodes.length; id++) {
      if (needed[id]) values[id] = this.evaluateNode(this.nodes[id], values, point);
    }
    return outputs.map((id) => values[id]);
  }

  private evaluateNode(node: Node, v: Float64Array, point: ArrayLike<number>): number {
    const args = node.args as number[];
    const a = args.length > 0 ? v[args[0]] : NaN;
    const b = args.length > 1 ? v[args[1]] : NaN;
    switch (node.op) {
      case 'const': return node.value;
      case 'param': return point[node.index];
      case 'add': return a + b;
      case 'sub': return a - b;
      case 'mul': return a * b;
      case 'div': return a / b;
      case 'mod': return pythonModulo(a, b);
      case 'min': return Math.min(a, b);
      case 'max': return Math.max(a, b);
      case 'neg': return -a;
      case 'sqrt': return Math.sqrt(a);
      case 'abs': return Math.abs(a);
      case 'sign': return signOf(a);
      case 'relu': return Math.max(a, 0);
      case 'sigmoid': return 1 / (1 + Math.exp(-a));
      case 'softplus': return a > SOFTPLUS_THRESHOLD ? a : Math.log1p(Math.exp(a));
      case 'powc': return powConst(a, node.exponent);
      case 'call1': return UNARY_MATH[node.fn](a);
      case 'call2': return BINARY_MATH[node.fn](a, b);
      case 'select': return compare(node.cmp, a, b) ? v[node.args[2]] : v[node.args[3]];
    }
  }
}
