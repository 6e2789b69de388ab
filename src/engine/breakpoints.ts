// Breakpoints for runs: hit conditions, the names a condition can use, and linking compiled checks.
import type { BreakpointSpec } from '../shared/engineApi';
import { HitMode } from './layout';
import { excerpt } from './describe';
import { packOptimizer, stateScalarNames, stateVectorNames } from './optimizers';
import { compileCustomOptimizer, isOptimizerSource } from './customOptimizers';
import { adafactorVectorNames } from './adafactorNames';
import { muonVectorNames } from './muonNames';
import { packMuon } from './muon';

/** Compiles conditions over a context (names[k] at f64 index k) to a module exporting check(ctx) -> bitmask. */
export type ConditionCompiler = (conditions: string[], names: string[]) =>
  | { ok: true; wasm: Uint8Array<ArrayBuffer> }
  | { ok: false; errors: { index: number; diagnostics: { message: string; range: { start: { line: number; character: number } } }[] }[] };

export interface StateNames {
  /** One name per gradient coordinate, e.g. grad_x. */
  grad: string[];
  /** The three state vectors' names per coordinate ('' for an unused slot), e.g. exp_avg_x. */
  vectors: string[][];
  /** The optimizer's two scalars, e.g. mu_product, or ASGD's eta and mu ('' when unused). */
  scalars: [string, string];
}

export function stateNames(params: string[], vectors: [string, string, string], scalar: string, secondScalar = ''): StateNames {
  return {
    grad: params.map((p) => `grad_${p}`),
    vectors: vectors.map((v) => params.map((p) => (v ? `${v}_${p}` : ''))),
    scalars: [scalar, secondScalar],
  };
}

/** The state names of an optimizer with these options (resolved: packOptimizer's defaults filled in). */
export function optimizerStateNames(params: string[], optimizer: string, resolved: Parameters<typeof stateVectorNames>[1]): StateNames {
  const [scalar, secondScalar] = stateScalarNames(optimizer);
  const factored = optimizer === 'adafactor' ? adafactorVectorNames(params) : undefined;
  if (factored) return { ...stateNames(params, ['', '', ''], scalar, secondScalar), vectors: factored };
  return stateNames(params, stateVectorNames(optimizer, resolved), scalar, secondScalar);
}

/** A Muon run's state names: Muon's momentum_buffer on its matrices, the rest optimizer's (packed) state elsewhere. */
export function muonStateNames(params: string[], rest: string, restResolved: Parameters<typeof stateVectorNames>[1]): StateNames {
  const names = optimizerStateNames(params, rest, restResolved);
  return { ...names, vectors: muonVectorNames(params, names.vectors) };
}

/**
 * An optimizer written in the optimizer language: its first three states (the core's recorded slots) per coordinate,
 * m_x, ..., and its scalar states.
 */
export function customStateNames(params: string[], states: { name: string }[], scalars: { name: string }[] = []): StateNames {
  const [s0 = '', s1 = '', s2 = ''] = states.map((s) => s.name);
  const [scalar = '', secondScalar = ''] = scalars.map((s) => s.name);
  return stateNames(params, [s0, s1, s2], scalar, secondScalar);
}

const statesOf = ({ states, scalars }: { states: { name: string }[]; scalars: { name: string }[] }) => [states, scalars] as const;

/**
 * The names a condition can use for a run of this optimizer, a built-in's name or an optimizer written in the optimizer
 * language (throws for an unknown optimizer, a text that does not compile, or bad options).
 */
export function conditionNamesFor(params: string[], optimizer: string, options: Record<string, unknown> | undefined): string[] {
  if (isOptimizerSource(optimizer)) return contextNames(params, customStateNames(params, ...statesOf(compileCustomOptimizer(optimizer, options))));
  if (optimizer === 'muon') {
    const { rest } = packMuon(options);
    return contextNames(params, muonStateNames(params, rest.optimizer, packOptimizer(rest.optimizer, rest.options).resolved));
  }
  return contextNames(params, optimizerStateNames(params, optimizer, packOptimizer(optimizer, options).resolved));
}

/** The metrics a condition can read (NaN where the loss has none: a condition on them is false). */
export const METRIC_NAMES = ['test_loss', 'test_accuracy', 'train_accuracy'] as const;

/** The names of the context a condition reads, in core order (run.ts contextSize/fillContext). */
export function contextNames(params: string[], state: StateNames): string[] {
  const unused = (name: string, slot: string) => name || `_unused_${slot}`;
  return [
    'step', 'loss', 'gradnorm', 'lr',
    ...params,
    ...state.grad,
    ...state.vectors.flatMap((names, v) => names.map((n, i) => unused(n, `${v}_${i}`))),
    unused(state.scalars[0], 'scalar'),
    unused(state.scalars[1], 'scalar1'),
    ...METRIC_NAMES,
  ];
}

export function normalizeBreakpoints(breakpoints: unknown): BreakpointSpec[] {
  if (breakpoints === undefined) return [];
  if (!Array.isArray(breakpoints)) throw new Error('breakpoints must be a list of conditions such as ["loss < 1e-6"]');
  return breakpoints.map((b, i) => {
    const spec = typeof b === 'string' ? { condition: b } : b;
    if (spec === null || typeof spec !== 'object' || typeof spec.condition !== 'string' || spec.condition.trim() === '') {
      throw new Error(`breakpoints[${i}] needs a condition such as "loss < 1e-6"`);
    }
    return spec as BreakpointSpec;
  });
}

/** VS Code's hit count text: '5' or '== 5' (the 5th hit), '>= 5' (from the 5th on), '% 5' (every 5th). */
export function parseHitCondition(text: string | undefined): { mode: number; target: number } {
  if (text === undefined || text.trim() === '') return { mode: HitMode.always, target: 0 };
  const match = /^\s*(==|>=|%)?\s*(\d+)\s*$/.exec(text);
  const target = match ? Number(match[2]) : NaN;
  if (!match || target < 1 || target > 2 ** 31 - 1) {
    throw new Error(`Invalid hit condition '${excerpt(text)}': use a count such as 5, '>= 5' or '% 5'`);
  }
  const mode = match[1] === '>=' ? HitMode.atLeast : match[1] === '%' ? HitMode.multiple : HitMode.equal;
  return { mode, target };
}

/** Compiles the conditions or throws an Error naming the breakpoint, its problem and where. */
export function compileOrThrow(compile: ConditionCompiler, breakpoints: BreakpointSpec[], names: string[]): Uint8Array<ArrayBuffer> {
  const result = compile(breakpoints.map((b) => b.condition), names);
  if (result.ok) return result.wasm;
  const { index, diagnostics } = result.errors[0];
  const { message, range } = diagnostics[0];
  throw new Error(`Invalid breakpoint condition '${excerpt(breakpoints[index].condition)}' (column ${range.start.character + 1}): ${excerpt(message, 300)}`);
}
