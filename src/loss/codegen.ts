// Compiles a loss DAG with its gradient and Hessian to a WebAssembly module (see README.md for the contract), and
// provides the expression emission that condition modules share. Each function is straight-line code: nodes used
// more than once (or deep in a tree) are computed once into locals, in id order (a topological order); locals are
// reused once their last reader has run.
import { BINARY_IMPORTS, BinaryImport, UNARY_IMPORTS, UnaryImport } from './builtins';
import { Comparison, Graph, isArithmeticExponent, Node, SOFTPLUS_THRESHOLD } from './graph';
import { Code, ModuleBuilder, Op, SimdOp, ValueType } from './wasm';

/** A node emitted inline no deeper than this; deeper trees go through locals (bounds recursion and stack use). */
const MAX_INLINE_DEPTH = 32;

type Mode = 'scalar' | 'vector';

export interface LossModuleSpec {
  graph: Graph;
  root: number;
  dim: number;
  gradient: (number | null)[];
  hessian: (number | null)[];
  /** Export row() (2-D losses without data). */
  row: boolean;
}

export interface LossModule {
  wasm: Uint8Array<ArrayBuffer>;
  /** The math functions the module imports as `math.<name>`. */
  imports: string[];
  /** Whether the module exports row() (2-D losses without data). */
  hasRow: boolean;
}

/** How many times an op reads each operand when emitted (the power shortcuts and composites read it more than once). */
function operandReads(node: Node): number {
  if (node.op === 'powc') return node.exponent === 2 || node.exponent === -2 ? 2 : node.exponent === 3 ? 3 : 1;
  if (node.op === 'sign') return 2;
  if (node.op === 'softplus') return 3;
  return 1;
}

/** The functions a node's emission calls: math imports, or 'mod' (a helper defined in the module). */
function functionsOf(node: Node): string[] {
  switch (node.op) {
    case 'call1':
    case 'call2': return [node.fn];
    case 'mod': return ['mod'];
    case 'sigmoid': return ['exp'];
    case 'softplus': return ['exp', 'log1p'];
    case 'powc': return isArithmeticExponent(node.exponent) ? [] : ['pow'];
    default: return [];
  }
}

export interface ModuleStart {
  builder: ModuleBuilder;
  /** Function indices by name: the math imports, then the module's own helpers. */
  functions: Map<string, number>;
  /** The math functions imported as `math.<name>`. */
  imports: string[];
}

/** A module importing env.memory and the math functions the outputs need, with the helpers they call defined. */
export function startModule(graph: Graph, outputs: number[]): ModuleStart {
  const reachable = graph.reachable(outputs);
  const used = new Set<string>();
  for (let id = 0; id < graph.size; id++) if (reachable[id]) for (const name of functionsOf(graph.node(id))) used.add(name);
  const builder = new ModuleBuilder();
  builder.importMemory('env', 'memory');
  const functions = new Map<string, number>();
  for (const name of UNARY_IMPORTS) if (used.has(name)) functions.set(name, builder.importFunction('math', name, ['f64'], ['f64']));
  for (const name of BINARY_IMPORTS) if (used.has(name)) functions.set(name, builder.importFunction('math', name, ['f64', 'f64'], ['f64']));
  const imports = [...functions.keys()];
  if (used.has('mod')) functions.set('mod', builder.addFunction(undefined, ['f64', 'f64'], ['f64'], pythonModuloFunction()));
  return { builder, functions, imports };
}

/** Emits parameter k as the f64 at byte offset 8k of the array whose address is in local `pointer`. */
export function loadFrom(pointer: number): (code: Code, index: number) => void {
  return (code, index) => {
    code.local(Op.localGet, pointer).memory(Op.f64Load, 8 * index);
  };
}

export function generateLossModule(spec: LossModuleSpec): LossModule {
  const { graph, root, gradient, hessian, row } = spec;
  const present = (ids: (number | null)[]): number[] => ids.filter((id): id is number => id !== null);
  const { builder, functions, imports } = startModule(graph, [root, ...present(gradient), ...present(hessian)]);
  const loadParam = loadFrom(0);
  const storeAll = (code: Code, emitter: Emitter, pointer: number, ids: (number | null)[]): void => {
    ids.forEach((id, k) => {
      if (id === null) return;
      code.local(Op.localGet, pointer);
      emitter.emit(id);
      code.memory(Op.f64Store, 8 * k);
    });
  };

  // value(x) -> f64
  {
    const code = new Code(1);
    const emitter = new Emitter(graph, code, 'scalar', functions, loadParam);
    emitter.prepare([root]);
    emitter.emit(root);
    builder.addFunction('value', ['i32'], ['f64'], code);
  }
  // grad(x, g) -> f64
  {
    const code = new Code(2);
    const emitter = new Emitter(graph, code, 'scalar', functions, loadParam);
    emitter.prepare([root, ...present(gradient)]);
    storeZeros(code, 1, gradient);
    storeAll(code, emitter, 1, gradient);
    emitter.emit(root);
    builder.addFunction('grad', ['i32', 'i32'], ['f64'], code);
  }
  // hess(x, g, h) -> f64
  {
    const code = new Code(3);
    const emitter = new Emitter(graph, code, 'scalar', functions, loadParam);
    emitter.prepare([root, ...present(gradient), ...present(hessian)]);
    storeZeros(code, 1, gradient);
    storeZeros(code, 2, hessian);
    storeAll(code, emitter, 1, gradient);
    storeAll(code, emitter, 2, hessian);
    emitter.emit(root);
    builder.addFunction('hess', ['i32', 'i32', 'i32'], ['f64'], code);
  }
  if (row) builder.addFunction('row', ['f64', 'f64', 'f64', 'i32', 'i32'], [], rowFunction(graph, root, functions));
  return { wasm: builder.encode(), imports, hasRow: row };
}

/**
 * mod(a, b): Python's a % b, exact. r = fmod(|a|, |b|) by subtracting |b|*2^k for decreasing k (each subtraction is
 * exact); the result is r, or |b| - r when a and b differ in sign, with the sign of b. NaN for infinite a or zero b.
 */
function pythonModuloFunction(): Code {
  const [a, b] = [0, 1];
  const code = new Code(2);
  const [r, y, t] = [code.addLocal('f64'), code.addLocal('f64'), code.addLocal('f64')];
  code.local(Op.localGet, b).op(Op.f64Abs).local(Op.localSet, y);
  code.local(Op.localGet, a).op(Op.f64Abs).local(Op.localTee, r).f64(Infinity).op(Op.f64Lt);
  code.local(Op.localGet, y).f64(0).op(Op.f64Gt).op(Op.i32And).op(Op.i32Eqz);
  code.begin(Op.if).f64(NaN).op(Op.return).op(Op.end);
  code.local(Op.localGet, r).local(Op.localGet, y).op(Op.f64Ge).begin(Op.if);
  // t = the largest y*2^k <= r (doubling is exact; an overflow to inf ends it)
  code.local(Op.localGet, y).local(Op.localSet, t);
  code.begin(Op.loop);
  code.local(Op.localGet, t).local(Op.localGet, t).op(Op.f64Add).local(Op.localGet, r).op(Op.f64Le).begin(Op.if);
  code.local(Op.localGet, t).local(Op.localGet, t).op(Op.f64Add).local(Op.localSet, t).branch(Op.br, 1);
  code.op(Op.end).op(Op.end);
  // r -= t where r >= t, halving t down to y (r < 2t throughout, so r - t is exact)
  code.begin(Op.loop);
  code.local(Op.localGet, r).local(Op.localGet, t).op(Op.f64Sub).local(Op.localGet, r);
  code.local(Op.localGet, r).local(Op.localGet, t).op(Op.f64Ge).op(Op.select).local(Op.localSet, r);
  code.local(Op.localGet, t).local(Op.localGet, y).op(Op.f64Ne).begin(Op.if);
  code.local(Op.localGet, t).f64(0.5).op(Op.f64Mul).local(Op.localSet, t).branch(Op.br, 1);
  code.op(Op.end).op(Op.end);
  code.op(Op.end);
  // copysign((a < 0) == (b < 0) || r == 0 ? r : y - r, b)
  code.local(Op.localGet, r).local(Op.localGet, y).local(Op.localGet, r).op(Op.f64Sub);
  code.local(Op.localGet, a).f64(0).op(Op.f64Lt).local(Op.localGet, b).f64(0).op(Op.f64Lt).op(Op.i32Eq);
  code.local(Op.localGet, r).f64(0).op(Op.f64Eq).op(Op.i32Or).op(Op.select);
  code.local(Op.localGet, b).op(Op.f64Copysign);
  return code;
}

/** Zero-fills an output array when some of its entries are structural zeros. */
function storeZeros(code: Code, pointer: number, ids: (number | null)[]): void {
  if (!ids.includes(null)) return;
  code.local(Op.localGet, pointer).i32(0).i32(8 * ids.length).memoryFill();
}

/**
 * row(x0, dx, y, n, out): out[i] = f(x0 + i*dx, y) for i < n. Nodes that do not depend on x are computed once,
 * before the loop; the loop evaluates two points per iteration in f64x2 lanes; an odd last point runs in scalar code.
 */
function rowFunction(graph: Graph, root: number, functions: Map<string, number>): Code {
  const [x0, dx, y, n, out] = [0, 1, 2, 3, 4];
  const code = new Code(5);
  const reachable = graph.reachable([root]);
  const dependsOnX = new Uint8Array(graph.size);
  for (let id = 0; id <= root; id++) {
    if (!reachable[id]) continue;
    const node = graph.node(id);
    dependsOnX[id] = node.op === 'param' ? (node.index === 0 ? 1 : 0) : (node.args as number[]).some((a) => dependsOnX[a]) ? 1 : 0;
  }
  const invariant = new Set<number>();
  const addInvariant = (id: number): void => {
    if (!dependsOnX[id] && graph.node(id).op !== 'const') invariant.add(id);
  };
  for (let id = 0; id <= root; id++) if (reachable[id] && dependsOnX[id]) for (const a of graph.node(id).args as number[]) addInvariant(a);
  addInvariant(root);
  const yParam = graph.param(1);

  // Before the loop: the x-independent values, in scalar locals and splatted into vector locals.
  const scalarEnv = new Map<number, number>([[yParam, y]]);
  const prelude = new Emitter(graph, code, 'scalar', functions, () => undefined, scalarEnv);
  prelude.prepare([...invariant]);
  const vectorEnv = new Map<number, number>();
  for (const id of invariant) {
    const vector = code.addLocal('v128');
    prelude.emit(id);
    code.simd(SimdOp.f64x2Splat).local(Op.localSet, vector);
    vectorEnv.set(id, vector);
  }

  const i = code.addLocal('i32');
  const x0v = code.addLocal('v128');
  const dxv = code.addLocal('v128');
  const iv = code.addLocal('v128');
  const xv = code.addLocal('v128');
  const xs = code.addLocal('f64');
  const xParam = graph.param(0);
  vectorEnv.set(xParam, xv);
  code.local(Op.localGet, x0).simd(SimdOp.f64x2Splat).local(Op.localSet, x0v);
  code.local(Op.localGet, dx).simd(SimdOp.f64x2Splat).local(Op.localSet, dxv);
  code.v128Pair(0, 1).local(Op.localSet, iv);
  const address = (): void => {
    code.local(Op.localGet, out).local(Op.localGet, i).i32(3).op(Op.i32Shl).op(Op.i32Add);
  };

  code.begin(Op.block).begin(Op.loop);
  code.local(Op.localGet, i).i32(1).op(Op.i32Add).local(Op.localGet, n).op(Op.i32GeS).branch(Op.brIf, 1);
  code.local(Op.localGet, x0v).local(Op.localGet, iv).local(Op.localGet, dxv).simd(SimdOp.f64x2Mul).simd(SimdOp.f64x2Add).local(Op.localSet, xv);
  const vector = new Emitter(graph, code, 'vector', functions, () => undefined, vectorEnv);
  vector.prepare([root]);
  address();
  vector.emit(root);
  code.memory(SimdOp.v128Store, 0, true);
  code.local(Op.localGet, iv).v128Splat(2).simd(SimdOp.f64x2Add).local(Op.localSet, iv);
  code.local(Op.localGet, i).i32(2).op(Op.i32Add).local(Op.localSet, i);
  code.branch(Op.br, 0).op(Op.end).op(Op.end);

  code.local(Op.localGet, i).local(Op.localGet, n).op(Op.i32LtS).begin(Op.if);
  code.local(Op.localGet, x0).local(Op.localGet, i).op(Op.f64ConvertI32S).local(Op.localGet, dx).op(Op.f64Mul).op(Op.f64Add).local(Op.localSet, xs);
  const tail = new Emitter(graph, code, 'scalar', functions, () => undefined, new Map([...scalarEnv, [xParam, xs]]));
  tail.prepare([root]);
  address();
  tail.emit(root);
  code.memory(Op.f64Store, 0).op(Op.end);
  return code;
}

const SCALAR_BINARY = { add: Op.f64Add, sub: Op.f64Sub, mul: Op.f64Mul, div: Op.f64Div, min: Op.f64Min, max: Op.f64Max } as const;
const VECTOR_BINARY = {
  add: SimdOp.f64x2Add, sub: SimdOp.f64x2Sub, mul: SimdOp.f64x2Mul, div: SimdOp.f64x2Div, min: SimdOp.f64x2Min, max: SimdOp.f64x2Max,
} as const;
const SCALAR_COMPARE: Record<Comparison, number> = { lt: Op.f64Lt, le: Op.f64Le, eq: Op.f64Eq };
const VECTOR_COMPARE: Record<Comparison, number> = { lt: SimdOp.f64x2Lt, le: SimdOp.f64x2Le, eq: SimdOp.f64x2Eq };

/** Emits nodes of one graph into one function body, in scalar (f64) or vector (f64x2) form. */
export class Emitter {
  private readonly type: ValueType;
  private readonly freeLocals: number[] = [];
  private laneTemps: [number, number] | undefined;

  /**
   * @param functions function indices by name (see startModule)
   * @param param emits a parameter node not found in env (scalar functions load it from memory)
   * @param env nodes already computed, by local index
   */
  constructor(
    private readonly graph: Graph,
    private readonly code: Code,
    private readonly mode: Mode,
    private readonly functions: Map<string, number>,
    private readonly param: (code: Code, index: number) => void,
    private readonly env = new Map<number, number>(),
  ) {
    this.type = mode === 'scalar' ? 'f64' : 'v128';
  }

  /** Computes into locals every node the outputs read more than once (or deep in a tree), in id order. */
  prepare(outputs: number[]): void {
    const graph = this.graph;
    const needed = new Uint8Array(graph.size);
    const reads = new Uint32Array(graph.size);
    for (const id of outputs) {
      needed[id] = 1;
      reads[id] += 2;
    }
    for (let id = graph.size - 1; id >= 0; id--) {
      if (!needed[id] || this.env.has(id)) continue;
      const node = graph.node(id);
      const times = operandReads(node);
      for (const a of node.args as number[]) {
        needed[a] = 1;
        reads[a] += times;
      }
    }
    const depth = new Uint16Array(graph.size);
    const materialized: number[] = [];
    const isMaterialized = new Uint8Array(graph.size);
    for (let id = 0; id < graph.size; id++) {
      if (!needed[id] || this.env.has(id)) continue;
      const node = graph.node(id);
      if (node.op === 'const') continue;
      let d = 1;
      for (const a of node.args as number[]) if (!isMaterialized[a] && !this.env.has(a)) d = Math.max(d, depth[a] + 1);
      depth[id] = d;
      if (reads[id] > 1 || d > MAX_INLINE_DEPTH) {
        isMaterialized[id] = 1;
        materialized.push(id);
        depth[id] = 0;
      }
    }
    // Last reader of each materialized node, by position in `materialized` (outputs read it at the end).
    const lastRead = new Map<number, number>();
    const position = new Map<number, number>();
    materialized.forEach((id, p) => position.set(id, p));
    const visit = (id: number, p: number, top: boolean): void => {
      if (!top && (isMaterialized[id] || this.env.has(id))) {
        if (isMaterialized[id]) lastRead.set(id, Math.max(lastRead.get(id) ?? -1, p));
        return;
      }
      for (const a of graph.node(id).args as number[]) visit(a, p, false);
    };
    materialized.forEach((id, p) => visit(id, p, true));
    for (const id of outputs) {
      if (isMaterialized[id]) lastRead.set(id, Infinity);
      else visit(id, Infinity, true);
    }
    const release: number[][] = materialized.map(() => []);
    for (const [id, p] of lastRead) if (p !== Infinity) release[p].push(id);
    materialized.forEach((id, p) => {
      this.emit(id);
      for (const done of release[p]) {
        this.freeLocals.push(this.env.get(done)!);
        this.env.delete(done);
      }
      const local = this.freeLocals.pop() ?? this.code.addLocal(this.type);
      this.code.local(Op.localSet, local);
      this.env.set(id, local);
    });
  }

  emit(id: number): void {
    const local = this.env.get(id);
    if (local !== undefined) {
      this.code.local(Op.localGet, local);
      return;
    }
    const node = this.graph.node(id);
    const code = this.code;
    const vector = this.mode === 'vector';
    const args = node.args as number[];
    const a = args[0];
    const constant = (value: number): void => {
      if (vector) code.v128Splat(value);
      else code.f64(value);
    };
    const simple = (scalarOp: number, vectorOp: number): void => {
      if (vector) code.simd(vectorOp);
      else code.op(scalarOp);
    };
    switch (node.op) {
      case 'const':
        constant(node.value);
        return;
      case 'param':
        this.param(code, node.index);
        return;
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
      case 'min':
      case 'max':
        this.emit(a);
        this.emit(args[1]);
        simple(SCALAR_BINARY[node.op], VECTOR_BINARY[node.op]);
        return;
      case 'neg':
        this.emit(a);
        simple(Op.f64Neg, SimdOp.f64x2Neg);
        return;
      case 'sqrt':
        this.emit(a);
        simple(Op.f64Sqrt, SimdOp.f64x2Sqrt);
        return;
      case 'abs':
        this.emit(a);
        simple(Op.f64Abs, SimdOp.f64x2Abs);
        return;
      case 'relu':
        this.emit(a);
        constant(0);
        simple(Op.f64Max, SimdOp.f64x2Max);
        return;
      case 'sign':
        // (0 < a) ? 1 : ((a < 0) ? -1 : 0)
        constant(1);
        constant(-1);
        constant(0);
        this.emit(a);
        constant(0);
        this.select('lt');
        constant(0);
        this.emit(a);
        this.select('lt');
        return;
      case 'sigmoid':
        constant(1);
        constant(1);
        this.emit(a);
        simple(Op.f64Neg, SimdOp.f64x2Neg);
        this.callImport(['exp']);
        simple(Op.f64Add, SimdOp.f64x2Add);
        simple(Op.f64Div, SimdOp.f64x2Div);
        return;
      case 'softplus':
        // (threshold < a) ? a : log1p(exp(a))
        this.emit(a);
        this.emit(a);
        this.callImport(['exp', 'log1p']);
        constant(SOFTPLUS_THRESHOLD);
        this.emit(a);
        this.select('lt');
        return;
      case 'powc':
        this.power(a, node.exponent);
        return;
      case 'call1':
        this.emit(a);
        this.callImport([node.fn]);
        return;
      case 'call2':
      case 'mod':
        this.emit(a);
        this.emit(args[1]);
        this.callBinary(node.op === 'mod' ? 'mod' : node.fn);
        return;
      case 'select':
        this.emit(args[2]);
        this.emit(args[3]);
        this.emit(a);
        this.emit(args[1]);
        this.select(node.cmp);
        return;
    }
  }

  /** [then, otherwise, left, right] -> (left cmp right) ? then : otherwise. */
  private select(cmp: Comparison): void {
    if (this.mode === 'vector') this.code.simd(VECTOR_COMPARE[cmp]).simd(SimdOp.v128Bitselect);
    else this.code.op(SCALAR_COMPARE[cmp]).op(Op.select);
  }

  /** PyTorch's pow(Tensor, Scalar): x*x for 2, x*x*x for 3, sqrt for 0.5, ...; pow() otherwise. */
  private power(base: number, exponent: number): void {
    const vector = this.mode === 'vector';
    const op = (scalarOp: number, vectorOp: number): void => {
      if (vector) this.code.simd(vectorOp);
      else this.code.op(scalarOp);
    };
    const one = (): void => {
      if (vector) this.code.v128Splat(1);
      else this.code.f64(1);
    };
    const mul = (): void => op(Op.f64Mul, SimdOp.f64x2Mul);
    const div = (): void => op(Op.f64Div, SimdOp.f64x2Div);
    const sqrt = (): void => op(Op.f64Sqrt, SimdOp.f64x2Sqrt);
    switch (exponent) {
      case 2: this.emit(base); this.emit(base); mul(); return;
      case 3: this.emit(base); this.emit(base); mul(); this.emit(base); mul(); return;
      case 0.5: this.emit(base); sqrt(); return;
      case -0.5: one(); this.emit(base); sqrt(); div(); return;
      case -1: one(); this.emit(base); div(); return;
      case -2: one(); this.emit(base); this.emit(base); mul(); div(); return;
    }
    this.emit(base);
    if (!vector) {
      this.code.f64(exponent).call(this.functions.get('pow')!);
      return;
    }
    const [t] = this.temps();
    this.code.local(Op.localSet, t);
    for (const lane of [0, 1]) {
      this.code.local(Op.localGet, t).simd(SimdOp.f64x2ExtractLane).lane(lane).f64(exponent).call(this.functions.get('pow')!);
      this.finishLane(lane);
    }
  }

  /** Applies imported (f64)->f64 functions, in order, to the value on the stack (per lane in vector mode). */
  private callImport(names: UnaryImport[]): void {
    const calls = (): void => {
      for (const name of names) this.code.call(this.functions.get(name)!);
    };
    if (this.mode === 'scalar') {
      calls();
      return;
    }
    const [t] = this.temps();
    this.code.local(Op.localSet, t);
    for (const lane of [0, 1]) {
      this.code.local(Op.localGet, t).simd(SimdOp.f64x2ExtractLane).lane(lane);
      calls();
      this.finishLane(lane);
    }
  }

  /** Applies an (f64, f64)->f64 function to the two values on the stack (per lane in vector mode). */
  private callBinary(name: BinaryImport | 'mod'): void {
    const index = this.functions.get(name)!;
    if (this.mode === 'scalar') {
      this.code.call(index);
      return;
    }
    const [ta, tb] = this.temps();
    this.code.local(Op.localSet, tb).local(Op.localSet, ta);
    for (const lane of [0, 1]) {
      this.code.local(Op.localGet, ta).simd(SimdOp.f64x2ExtractLane).lane(lane);
      this.code.local(Op.localGet, tb).simd(SimdOp.f64x2ExtractLane).lane(lane);
      this.code.call(index);
      this.finishLane(lane);
    }
  }

  /** After lane 0's scalar result: splat it; after lane 1's: put it in lane 1. */
  private finishLane(lane: number): void {
    if (lane === 0) this.code.simd(SimdOp.f64x2Splat);
    else this.code.simd(SimdOp.f64x2ReplaceLane).lane(1);
  }

  /** Two vector temporaries, live only inside one per-lane call sequence (operands are complete before they are set). */
  private temps(): [number, number] {
    this.laneTemps ??= [this.code.addLocal('v128'), this.code.addLocal('v128')];
    return this.laneTemps;
  }
}
