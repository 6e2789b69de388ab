// Compiles a lowered optimizer rule to a WebAssembly module exporting
//   step(x, g, n, t, lr, hess_diag, hessian, scratch, scalars, s0, ..., s7, layers, random)
// (pointers to f64 vectors padded to an even length; n coordinates; t the step; lr this step's learning rate; hess_diag
// and hessian (row-major n x n) 0 unless the rule reads them; scratch: two padded vectors per hvp, then one per
// per-layer reduction; scalars: the two f64s of the scalar states; layers: the core's tensor table, i32 count then
// per layer start, rows, columns, matrix flag: core/assembly/tensors.ts; random: the step's random signs, a padded
// vector the core draws, 0 unless the rule reads rademacher()).
// The stages come first, in the order the rule wrote them: a reduction is a scalar loop over the n coordinates, in
// order; a per-layer reduction is such a loop over each layer's coordinates, its value stored at each of them; hvp(v)
// stores v (an f64x2 loop) and multiplies the Hessian by it (a scalar row-by-row loop). Then one loop over
// coordinate pairs (f64x2) computes the new x and states from the old ones (all loaded before any is stored). Values
// that do not change from coordinate to coordinate are computed once, before their loop; the scalar states' new values
// are stored last.
import { Emitter, startModule } from '../codegen';
import { Graph } from '../graph';
import { Code, Op, SimdOp, ValueType } from '../wasm';
import {
  LoweredRule, MAX_STATES, PARAM_G, PARAM_HESS_DIAG, PARAM_LAYER, PARAM_LR, PARAM_RANDOM, PARAM_SCALAR_STATE, PARAM_STATE, PARAM_T, PARAM_X, SCALAR_BASE,
} from './language';

const LOCAL_X = 0;
const LOCAL_G = 1;
const LOCAL_N = 2;
const LOCAL_T = 3;
const LOCAL_LR = 4;
const LOCAL_HESS_DIAG = 5;
const LOCAL_HESSIAN = 6;
const LOCAL_SCRATCH = 7;
const LOCAL_SCALARS = 8;
const LOCAL_STATE = 9;
const LOCAL_LAYERS = LOCAL_STATE + MAX_STATES;
const LOCAL_RANDOM = LOCAL_LAYERS + 1;
/** Bytes per layer in the core's tensor table (start, rows, columns, matrix flag: i32 each), after its i32 count. */
const LAYER_BYTES = 16;

export const STEP_PARAMS: ValueType[] = ['i32', 'i32', 'i32', 'f64', 'f64', 'i32', 'i32', 'i32', 'i32', ...Array<ValueType>(MAX_STATES).fill('i32'), 'i32', 'i32'];

function vectorFlags(graph: Graph): Uint8Array {
  const flags = new Uint8Array(graph.size);
  for (let id = 0; id < graph.size; id++) {
    const node = graph.node(id);
    flags[id] = node.op === 'param' ? (node.index < SCALAR_BASE ? 1 : 0) : (node.args as number[]).some((a) => flags[a]) ? 1 : 0;
  }
  return flags;
}

export function generateOptimizerModule(rule: LoweredRule): { wasm: Uint8Array<ArrayBuffer>; imports: string[] } {
  const { graph, stages } = rule;
  const outputs: { id: number; pointer: number }[] = [];
  if (rule.x !== graph.param(PARAM_X)) outputs.push({ id: rule.x, pointer: LOCAL_X });
  rule.states.forEach((id, k) => {
    if (id !== graph.param(PARAM_STATE + k)) outputs.push({ id, pointer: LOCAL_STATE + k });
  });
  const scalarInputs = rule.scalars.map((_, k) => graph.param(PARAM_SCALAR_STATE + k));
  const scalarOutputs = rule.scalars.map((id, k) => ({ id, offset: 8 * k })).filter(({ id }, k) => id !== scalarInputs[k]);
  const { builder, functions, imports } = startModule(graph, [...outputs.map((o) => o.id), ...stages.map((s) => s.term), ...scalarOutputs.map((o) => o.id)]);
  const code = new Code(STEP_PARAMS.length);
  // The local holding each vector input's pointer: x, g, hess_diag, the random signs, the states, then each stage's result.
  const pointers = new Map<number, number>([[PARAM_X, LOCAL_X], [PARAM_G, LOCAL_G], [PARAM_HESS_DIAG, LOCAL_HESS_DIAG], [PARAM_RANDOM, LOCAL_RANDOM]]);
  for (let k = 0; k < MAX_STATES; k++) pointers.set(PARAM_STATE + k, LOCAL_STATE + k);
  const vector = vectorFlags(graph);
  const scalarEnv = new Map<number, number>([[graph.param(PARAM_T), LOCAL_T], [graph.param(PARAM_LR), LOCAL_LR]]);
  scalarInputs.forEach((id, k) => {
    const local = code.addLocal('f64');
    code.local(Op.localGet, LOCAL_SCALARS).memory(Op.f64Load, 8 * k).local(Op.localSet, local);
    scalarEnv.set(id, local);
  });
  const i = code.addLocal('i32');
  /** The byte address of coordinate i of the vector whose pointer is in a local. */
  const address = (pointer: number): void => {
    code.local(Op.localGet, pointer).local(Op.localGet, i).i32(3).op(Op.i32Shl).op(Op.i32Add);
  };

  /**
   * A loop over the coordinates (pairs of them in vector mode) computing ids; `use` consumes each id's value. bounds:
   * locals holding the first coordinate and the end (default 0 and n).
   */
  const loop = (mode: 'scalar' | 'vector', ids: number[], use: (emit: () => void, k: number) => void, bounds?: [number, number]): void => {
    const reachable = graph.reachable(ids);
    const invariant = new Set<number>();
    const hoist = (id: number): void => {
      if (!vector[id] && graph.node(id).op !== 'const') invariant.add(id);
    };
    for (let id = 0; id < graph.size; id++) if (reachable[id] && vector[id]) for (const a of graph.node(id).args as number[]) hoist(a);
    for (const id of ids) hoist(id);
    const prelude = new Emitter(graph, code, 'scalar', functions, () => {
      throw new Error('a scalar input outside the environment');
    }, new Map(scalarEnv));
    prelude.prepare([...invariant]);
    const env = new Map<number, number>();
    for (const id of invariant) {
      const local = code.addLocal(mode === 'vector' ? 'v128' : 'f64');
      prelude.emit(id);
      if (mode === 'vector') code.simd(SimdOp.f64x2Splat);
      code.local(Op.localSet, local);
      env.set(id, local);
    }
    if (bounds) code.local(Op.localGet, bounds[0]);
    else code.i32(0);
    code.local(Op.localSet, i);
    code.begin(Op.block).begin(Op.loop);
    code.local(Op.localGet, i).local(Op.localGet, bounds ? bounds[1] : LOCAL_N).op(Op.i32GeS).branch(Op.brIf, 1);
    // Every input is loaded before the first store, so that an output never reads a value stored this iteration.
    for (let id = 0; id < graph.size; id++) {
      const node = graph.node(id);
      if (!reachable[id] || node.op !== 'param' || node.index >= SCALAR_BASE) continue;
      const local = code.addLocal(mode === 'vector' ? 'v128' : 'f64');
      address(pointers.get(node.index)!);
      if (mode === 'vector') code.memory(SimdOp.v128Load, 0, true);
      else code.memory(Op.f64Load, 0);
      code.local(Op.localSet, local);
      env.set(id, local);
    }
    const emitter = new Emitter(graph, code, mode, functions, () => {
      throw new Error('an input outside the environment');
    }, env);
    emitter.prepare(ids);
    ids.forEach((id, k) => use(() => emitter.emit(id), k));
    code.local(Op.localGet, i).i32(mode === 'vector' ? 2 : 1).op(Op.i32Add).local(Op.localSet, i);
    code.branch(Op.br, 0).op(Op.end).op(Op.end);
  };

  const hvpVectors = hvpScratch(code, rule.hvps);
  const layerVectors = Array.from({ length: rule.layerReductions }, (_, k) => scratchVector(code, 2 * rule.hvps + k));
  for (const stage of stages) {
    if (stage.kind === 'layer') {
      perLayer(code, (total, bounds) => {
        code.f64(startOf(stage.combine)).local(Op.localSet, total);
        loop('scalar', [stage.term], (emit) => {
          code.local(Op.localGet, total);
          emit();
          code.op(combineOp(stage.combine)).local(Op.localSet, total);
        }, bounds);
        finish(code, stage.finish, total, () => code.local(Op.localGet, bounds[1]).local(Op.localGet, bounds[0]).op(Op.i32Sub));
      }, layerVectors[stage.index]);
      pointers.set(PARAM_LAYER + stage.index, layerVectors[stage.index]);
      continue;
    }
    if (stage.kind === 'hvp') {
      const [v, product] = hvpVectors[stage.index];
      loop('vector', [stage.term], (emit) => {
        address(v);
        emit();
        code.memory(SimdOp.v128Store, 0, true);
      });
      matrixVector(code, v, product);
      pointers.set((graph.node(stage.result) as { index: number }).index, product);
      continue;
    }
    const reduction = stage;
    const total = code.addLocal('f64');
    code.f64(startOf(reduction.combine)).local(Op.localSet, total);
    loop('scalar', [reduction.term], (emit) => {
      code.local(Op.localGet, total);
      emit();
      code.op(combineOp(reduction.combine)).local(Op.localSet, total);
    });
    finish(code, reduction.finish, total, () => code.local(Op.localGet, LOCAL_N));
    scalarEnv.set(stage.result, total);
  }

  if (outputs.length > 0) {
    loop('vector', outputs.map((o) => o.id), (emit, k) => {
      address(outputs[k].pointer);
      emit();
      code.memory(SimdOp.v128Store, 0, true);
    });
  }
  if (scalarOutputs.length > 0) {
    const emitter = new Emitter(graph, code, 'scalar', functions, () => {
      throw new Error('a scalar input outside the environment');
    }, new Map(scalarEnv));
    emitter.prepare(scalarOutputs.map((o) => o.id));
    for (const { id, offset } of scalarOutputs) {
      code.local(Op.localGet, LOCAL_SCALARS);
      emitter.emit(id);
      code.memory(Op.f64Store, offset);
    }
  }
  builder.addFunction('step', STEP_PARAMS, [], code);
  return { wasm: builder.encode(), imports };
}

/** A local pointing at scratch vector k: scratch + k * padded f64s. */
function scratchVector(code: Code, k: number): number {
  const local = code.addLocal('i32');
  // (n + 1) & ~1 coordinates of 8 bytes
  code.local(Op.localGet, LOCAL_N).i32(1).op(Op.i32Add).i32(-2).op(Op.i32And).i32(3).op(Op.i32Shl);
  code.i32(k).op(Op.i32Mul).local(Op.localGet, LOCAL_SCRATCH).op(Op.i32Add).local(Op.localSet, local);
  return local;
}

/** Locals pointing at each hvp's two scratch vectors (v, then H v): scratch vectors 2k and 2k + 1. */
function hvpScratch(code: Code, count: number): [number, number][] {
  return Array.from({ length: count }, (_, k) => [scratchVector(code, 2 * k), scratchVector(code, 2 * k + 1)]);
}

const startOf = (combine: 'add' | 'max' | 'min'): number => (combine === 'add' ? 0 : combine === 'max' ? -Infinity : Infinity);
const combineOp = (combine: 'add' | 'max' | 'min'): number => (combine === 'add' ? Op.f64Add : combine === 'max' ? Op.f64Max : Op.f64Min);

/** Turns a reduction's total into its value: mean divides by the count (an i32 that `count` pushes), norm takes the root. */
function finish(code: Code, how: 'none' | 'mean' | 'sqrt', total: number, count: () => void): void {
  if (how === 'mean') {
    code.local(Op.localGet, total);
    count();
    code.op(Op.f64ConvertI32S).op(Op.f64Div).local(Op.localSet, total);
  } else if (how === 'sqrt') {
    code.local(Op.localGet, total).op(Op.f64Sqrt).local(Op.localSet, total);
  }
}

/**
 * For each layer of the tensor table: `reduce` leaves the reduction over its coordinates [start, end) in total (given
 * the locals holding start and end); the total is then stored at each of them in result.
 */
function perLayer(code: Code, reduce: (total: number, bounds: [number, number]) => void, result: number): void {
  const [layer, entry, start, end, i] = [code.addLocal('i32'), code.addLocal('i32'), code.addLocal('i32'), code.addLocal('i32'), code.addLocal('i32')];
  const total = code.addLocal('f64');
  code.i32(0).local(Op.localSet, layer);
  code.begin(Op.block).begin(Op.loop);
  code.local(Op.localGet, layer).local(Op.localGet, LOCAL_LAYERS).loadI32(0).op(Op.i32GeS).branch(Op.brIf, 1);
  code.local(Op.localGet, LOCAL_LAYERS).local(Op.localGet, layer).i32(LAYER_BYTES).op(Op.i32Mul).op(Op.i32Add).local(Op.localSet, entry);
  code.local(Op.localGet, entry).loadI32(4).local(Op.localSet, start);
  code.local(Op.localGet, entry).loadI32(8).local(Op.localGet, entry).loadI32(12).op(Op.i32Mul);
  code.local(Op.localGet, start).op(Op.i32Add).local(Op.localSet, end);
  reduce(total, [start, end]);
  code.local(Op.localGet, start).local(Op.localSet, i);
  code.begin(Op.block).begin(Op.loop);
  code.local(Op.localGet, i).local(Op.localGet, end).op(Op.i32GeS).branch(Op.brIf, 1);
  code.local(Op.localGet, result).local(Op.localGet, i).i32(3).op(Op.i32Shl).op(Op.i32Add);
  code.local(Op.localGet, total).memory(Op.f64Store, 0);
  code.local(Op.localGet, i).i32(1).op(Op.i32Add).local(Op.localSet, i).branch(Op.br, 0);
  code.op(Op.end).op(Op.end);
  code.local(Op.localGet, layer).i32(1).op(Op.i32Add).local(Op.localSet, layer).branch(Op.br, 0);
  code.op(Op.end).op(Op.end);
}

/** product[i] = sum over k in order of hessian[i*n + k] * v[k], for i < n. */
function matrixVector(code: Code, v: number, product: number): void {
  const [i, k, row] = [code.addLocal('i32'), code.addLocal('i32'), code.addLocal('i32')];
  const total = code.addLocal('f64');
  const at = (pointer: number, index: number): void => {
    code.local(Op.localGet, pointer).local(Op.localGet, index).i32(3).op(Op.i32Shl).op(Op.i32Add);
  };
  code.i32(0).local(Op.localSet, i).local(Op.localGet, LOCAL_HESSIAN).local(Op.localSet, row);
  code.begin(Op.block).begin(Op.loop);
  code.local(Op.localGet, i).local(Op.localGet, LOCAL_N).op(Op.i32GeS).branch(Op.brIf, 1);
  code.f64(0).local(Op.localSet, total).i32(0).local(Op.localSet, k);
  code.begin(Op.block).begin(Op.loop);
  code.local(Op.localGet, k).local(Op.localGet, LOCAL_N).op(Op.i32GeS).branch(Op.brIf, 1);
  code.local(Op.localGet, total);
  at(row, k);
  code.memory(Op.f64Load, 0);
  at(v, k);
  code.memory(Op.f64Load, 0);
  code.op(Op.f64Mul).op(Op.f64Add).local(Op.localSet, total);
  code.local(Op.localGet, k).i32(1).op(Op.i32Add).local(Op.localSet, k).branch(Op.br, 0);
  code.op(Op.end).op(Op.end);
  at(product, i);
  code.local(Op.localGet, total).memory(Op.f64Store, 0);
  code.local(Op.localGet, row).local(Op.localGet, LOCAL_N).i32(3).op(Op.i32Shl).op(Op.i32Add).local(Op.localSet, row);
  code.local(Op.localGet, i).i32(1).op(Op.i32Add).local(Op.localSet, i).branch(Op.br, 0);
  code.op(Op.end).op(Op.end);
}
