// Breakpoint conditions: loss-language expressions over a run's state (`step % 100 == 0`, `loss < 1e-6`), compiled
// together into one WebAssembly function check(ctx) -> bitmask that the engine calls after every step.
import { analyzeCondition, analyzeWatch, Condition, toDiagnostics } from './analyze';
import { Emitter, loadFrom, startModule } from './codegen';
import { Diagnostic, DiagnosticSink, LineMap } from './diagnostics';
import { Graph, GraphTooLarge } from './graph';
import { ComparisonOperator } from './parser';
import { Code, Op } from './wasm';

/** check() returns one bit per condition in an i32. */
export const MAX_CONDITIONS = 32;

export type ConditionErrors = { index: number; diagnostics: Diagnostic[] }[];

export type CompiledConditions =
  | { ok: true; wasm: Uint8Array<ArrayBuffer>; imports: string[] }
  | { ok: false; errors: ConditionErrors };

/**
 * Compiles conditions over a context of f64s (names[k] is the value at index k) to a module that imports env.memory
 * and the math functions listed in imports, and exports check(ctx: i32) -> i32: bit i is set when conditions[i]
 * holds for the f64 array at byte offset ctx. Never throws.
 */
export function compileConditions(conditions: string[], names: string[]): CompiledConditions {
  const graph = new Graph();
  const lowered: Condition[] = [];
  const errors: ConditionErrors = [];
  conditions.forEach((text, index) => {
    if (index >= MAX_CONDITIONS) {
      const message = `At most ${MAX_CONDITIONS} conditions can be checked together; this is number ${index + 1}`;
      errors.push({ index, diagnostics: [{ message, severity: 'error', range: new LineMap(text).range(0, text.length) }] });
      return;
    }
    const result = analyze(text, names, graph);
    if (result.condition) lowered.push(result.condition);
    else errors.push({ index, diagnostics: result.diagnostics });
  });
  if (errors.length > 0) return { ok: false, errors };
  try {
    return { ok: true, ...generateConditionModule(graph, lowered) };
  } catch (error) {
    const message = `Internal error in the condition compiler: ${error instanceof Error ? error.message : String(error)}`;
    const range = new LineMap('').range(0, 0);
    return { ok: false, errors: conditions.map((_, index) => ({ index, diagnostics: [{ message, severity: 'error', range }] })) };
  }
}

/** The diagnostics of one condition ([] when it compiles), for validation as the user types. Never throws. */
export function checkCondition(text: string, names: string[]): Diagnostic[] {
  return analyze(text, names, new Graph()).diagnostics;
}

/**
 * Evaluates an expression or a condition over the same names as conditions (values[k] is names[k]) with
 * JavaScript's Math, for a debugger's watch and hover. Never throws.
 */
export function evaluateExpression(text: string, names: string[], values: ArrayLike<number>):
  | { ok: true; value: number | boolean }
  | { ok: false; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  let lines: LineMap | undefined;
  try {
    lines = new LineMap(text);
    const graph = new Graph();
    const result = analyzeWatch(text, sink, lines, { names, graph });
    if (result && !sink.hasErrors) {
      if ('value' in result) return { ok: true, value: graph.evaluate([result.value], values)[0] };
      return { ok: true, value: holds(result.condition, graph, values) };
    }
  } catch (error) {
    const message = error instanceof GraphTooLarge
      ? `This expression is too large (${error.message})`
      : `Internal error in the expression evaluator: ${error instanceof Error ? error.message : String(error)}`;
    sink.error(message, 0, text.length);
  }
  return { ok: false, diagnostics: toDiagnostics(sink, lines ?? new LineMap('')) };
}

const COMPARE: Record<ComparisonOperator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
  '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** The same IEEE semantics as the compiled check(). */
function holds(condition: Condition, graph: Graph, values: ArrayLike<number>): boolean {
  const value = (id: number) => graph.evaluate([id], values)[0];
  switch (condition.kind) {
    case 'const': return condition.value;
    case 'compare': return COMPARE[condition.op](value(condition.left), value(condition.right));
    case 'isnan': return Number.isNaN(value(condition.operand));
    case 'isfinite': return Number.isFinite(value(condition.operand));
    case 'isinf': return Math.abs(value(condition.operand)) === Infinity;
    case 'and': return condition.operands.every((c) => holds(c, graph, values));
    case 'or': return condition.operands.some((c) => holds(c, graph, values));
    case 'not': return !holds(condition.operand, graph, values);
  }
}

function analyze(text: string, names: readonly string[], graph: Graph): { condition?: Condition; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  let lines: LineMap | undefined;
  try {
    lines = new LineMap(text);
    const condition = analyzeCondition(text, sink, lines, { names, graph });
    if (condition && !sink.hasErrors) return { condition, diagnostics: [] };
  } catch (error) {
    const message = error instanceof GraphTooLarge
      ? `This condition is too large to compile (${error.message})`
      : `Internal error in the condition compiler: ${error instanceof Error ? error.message : String(error)}`;
    sink.error(message, 0, text.length);
  }
  return { diagnostics: toDiagnostics(sink, lines ?? new LineMap('')) };
}

const COMPARE_OP: Record<ComparisonOperator, number> = {
  '<': Op.f64Lt, '<=': Op.f64Le, '>': Op.f64Gt, '>=': Op.f64Ge, '==': Op.f64Eq, '!=': Op.f64Ne,
};

/** The graph nodes a condition reads. */
function operandsOf(condition: Condition, into: number[]): number[] {
  switch (condition.kind) {
    case 'compare': into.push(condition.left, condition.right); break;
    case 'isnan':
    case 'isfinite':
    case 'isinf': into.push(condition.operand); break;
    case 'and':
    case 'or': for (const operand of condition.operands) operandsOf(operand, into); break;
    case 'not': operandsOf(condition.operand, into); break;
  }
  return into;
}

function generateConditionModule(graph: Graph, conditions: Condition[]): { wasm: Uint8Array<ArrayBuffer>; imports: string[] } {
  const operands: number[] = [];
  for (const condition of conditions) operandsOf(condition, operands);
  const { builder, functions, imports } = startModule(graph, operands);
  const code = new Code(1);
  const emitter = new Emitter(graph, code, 'scalar', functions, loadFrom(0));
  emitter.prepare(operands);
  if (conditions.length === 0) code.i32(0);
  conditions.forEach((condition, i) => {
    emitCondition(code, emitter, condition);
    if (i > 0) code.i32(i).op(Op.i32Shl).op(Op.i32Or);
  });
  builder.addFunction('check', ['i32'], ['i32'], code);
  return { wasm: builder.encode(), imports };
}

/** Leaves 1 (true) or 0 (false) as an i32. Comparisons are IEEE: with a NaN operand only != holds. */
function emitCondition(code: Code, emitter: Emitter, condition: Condition): void {
  switch (condition.kind) {
    case 'const':
      code.i32(condition.value ? 1 : 0);
      return;
    case 'compare':
      emitter.emit(condition.left);
      emitter.emit(condition.right);
      code.op(COMPARE_OP[condition.op]);
      return;
    case 'isnan':
      emitter.emit(condition.operand);
      emitter.emit(condition.operand);
      code.op(Op.f64Ne);
      return;
    case 'isfinite':
    case 'isinf':
      emitter.emit(condition.operand);
      code.op(Op.f64Abs).f64(Infinity).op(condition.kind === 'isfinite' ? Op.f64Lt : Op.f64Eq);
      return;
    case 'and':
    case 'or':
      condition.operands.forEach((operand, k) => {
        emitCondition(code, emitter, operand);
        if (k > 0) code.op(condition.kind === 'and' ? Op.i32And : Op.i32Or);
      });
      return;
    case 'not':
      emitCondition(code, emitter, condition.operand);
      code.op(Op.i32Eqz);
      return;
  }
}
