// Optimizers written in the optimizer language (`.optim` files): see src/loss/README.md.
import type { Diagnostic } from '../diagnostics';
import type { OptimizerInfo } from '../../shared/engineApi';
import { LIMITS } from '../../shared/limits';
import { analyzeOptimizer, isOptimizerSource } from './language';
import { generateOptimizerModule } from './optimizerModule';

export { isOptimizerSource, OptionError, MAX_STATES, VISIBLE_STATES, INPUTS, REDUCTIONS, RULE_FUNCTIONS } from './language';

export interface CompiledOptimizer {
  ok: true;
  /** The name on the `optimizer` line. */
  name: string;
  /** Every hyper-parameter's value for this run (defaults, then options), by name. */
  hypers: Record<string, number>;
  /** The learning rate before the schedule: hyper lr's value (or the option), else 1e-3. */
  lr: number;
  /** The per-coordinate states in declaration order with their initial values; the core passes them to step() as s0, s1, ... */
  states: { name: string; initial: number }[];
  /** The scalar states (the core's two scalar slots), in declaration order. */
  scalars: { name: string; initial: number }[];
  wasm: Uint8Array<ArrayBuffer>;
  /** The math functions the module imports as `math.<name>`. */
  imports: string[];
  /** Whether the rule reads hess_diag or hvp: the run evaluates the loss's Hessian before each step. */
  usesHessian: boolean;
  /** The vectors of scratch the core keeps for it: two per Hessian-vector product, one per per-layer reduction. */
  scratchVectors: number;
  /** When the rule reads rademacher(): the seed of the core's draws (option `seed`). */
  randomSeed?: number;
  warnings: Diagnostic[];
}

/**
 * Compiles an optimizer file with these options (hyper-parameter values by name; PyTorch's `betas` sets beta1 and beta2)
 * to a module exporting step(x, g, n, t, lr, hess_diag, hessian, scratch, scalars, s0, ..., s7). Returns diagnostics for a file that does not compile; throws
 * an OptionError for options that do not fit it.
 */
export function compileOptimizer(text: string, options?: Record<string, unknown>): CompiledOptimizer | { ok: false; diagnostics: Diagnostic[] } {
  const analyzed = analyzeOptimizer(text, options);
  if (!analyzed.ok) return analyzed;
  const { name, hypers, states, lr, rule, seed } = analyzed.optimizer;
  const { wasm, imports } = generateOptimizerModule(rule);
  return {
    ok: true, name, lr, wasm, imports, warnings: analyzed.warnings, usesHessian: rule.usesHessian, scratchVectors: 2 * rule.hvps + rule.layerReductions, ...(rule.usesRandom && { randomSeed: seed }),
    hypers: Object.fromEntries(hypers.map((h) => [h.name, h.value])),
    states: states.filter((s) => !s.scalar).map((s) => ({ name: s.name, initial: s.initial })),
    scalars: states.filter((s) => s.scalar).map((s) => ({ name: s.name, initial: s.initial })),
  };
}

/** The diagnostics of an optimizer file ([] when it compiles), for the editor as the user types. Never throws. */
export function checkOptimizer(text: string): Diagnostic[] {
  const analyzed = analyzeOptimizer(text);
  return analyzed.ok ? analyzed.warnings : analyzed.diagnostics;
}

/**
 * A written optimizer as the pickers list it: its name, its hyper-parameters with their defaults (lr always: the
 * schedule and Tune learning rates set it), and its text, which a run carries as its `optimizer`. Undefined for a
 * text that does not compile (its editor shows why) or that is longer than a run may carry.
 */
export function writtenOptimizerInfo(text: string, file?: string): OptimizerInfo | undefined {
  if (text.length > LIMITS.optimizerLength) return undefined;
  const analyzed = analyzeOptimizer(text);
  if (!analyzed.ok) return undefined;
  const { name, hypers, lr } = analyzed.optimizer;
  const defaults: OptimizerInfo['defaults'] = { lr };
  for (const h of hypers) defaults[h.name] = h.value;
  return { name, title: `written in ${file ?? 'the optimizer language'}`, defaults, source: text, ...(file !== undefined && { file }) };
}

/** The built-ins and the listed written optimizers, plus the written ones these runs carry that are not listed (an edited file, a CodeLens). */
export function withRunOptimizers(optimizers: OptimizerInfo[], runs: readonly { optimizer: string }[] | undefined): OptimizerInfo[] {
  const added: OptimizerInfo[] = [];
  for (const { optimizer } of runs ?? []) {
    if (!isOptimizerSource(optimizer) || [...optimizers, ...added].some((o) => o.source === optimizer)) continue;
    const info = writtenOptimizerInfo(optimizer);
    if (info) added.push(info);
  }
  return added.length > 0 ? [...optimizers, ...added] : optimizers;
}
