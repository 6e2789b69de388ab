// Optimizers written in the optimizer language, compiled for the core (src/loss/optim does the compiling).
import { compileOptimizer, isOptimizerSource, OptionError } from '../loss/optim/index';
import { excerpt } from './describe';
import { OptimizerId, OptionSlot, OPTION_SLOTS } from './layout';
import type { PackedOptimizer } from './optimizers';

export { isOptimizerSource };

/** What the engine needs of a compiled optimizer. */
export interface CompiledCustomOptimizer {
  name: string;
  lr: number;
  hypers: Record<string, number>;
  states: { name: string; initial: number }[];
  scalars: { name: string; initial: number }[];
  wasm: Uint8Array<ArrayBuffer>;
  usesHessian: boolean;
  scratchVectors: number;
  randomSeed?: number;
}

/** Turns an optimizer's text and a run's options into a module; throws an Error naming the first problem and where. */
export type OptimizerCompiler = (text: string, options: Record<string, unknown> | undefined) => CompiledCustomOptimizer;

export const compileCustomOptimizer: OptimizerCompiler = (text, options) => {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error('Options for an optimizer must be an object such as {"lr": 0.01}');
  }
  let compiled: ReturnType<typeof compileOptimizer>;
  try {
    compiled = compileOptimizer(text, options);
  } catch (error) {
    if (error instanceof OptionError) throw new Error(error.message, { cause: error });
    throw error;
  }
  if (!compiled.ok) {
    const first = compiled.diagnostics.find((d) => d.severity === 'error') ?? compiled.diagnostics[0];
    const { line, character } = first.range.start;
    throw new Error(`Invalid optimizer at line ${line + 1}, column ${character + 1}: ${excerpt(first.message, 300)}`);
  }
  return compiled;
};

/** The core's option slots of a compiled optimizer: only lr (its schedule's base); the other values are compiled in. */
export function packCustom(compiled: CompiledCustomOptimizer): PackedOptimizer {
  const options = new Float64Array(OPTION_SLOTS);
  options[OptionSlot.lr] = compiled.lr;
  return { id: OptimizerId.custom, options, resolved: { ...compiled.hypers, lr: compiled.lr } };
}
