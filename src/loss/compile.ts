// compileLoss: text -> a WebAssembly module with value, grad, hess (and row for 2-D losses), or diagnostics.
import { parseLoss, Scenario } from './analyze';
import type { CompiledLossSource, DataFiles } from './analyze';
import type { LossData } from './data';
import { generateLossModule } from './codegen';
import { Diagnostic } from './diagnostics';
import { differentiate } from './evaluate';
import { GraphTooLarge } from './graph';

export interface CompiledLoss {
  ok: true;
  dim: number;
  params: string[];
  /**
   * The module: imports env.memory and math.<name> for each name in imports; exports value, grad, hess (and row when
   * dim is 2 and there is no data). With data, the input array holds the parameters, then at f64 slot DATA_OFFSET a sample.
   */
  wasm: Uint8Array<ArrayBuffer>;
  imports: string[];
  hasRow: boolean;
  scenario: Scenario;
  formula: string;
  warnings: Diagnostic[];
  source: CompiledLossSource;
  /** A per-sample loss's samples: the loss is the mean of the module's function over them. */
  data?: LossData;
}

export type CompileResult = CompiledLoss | { ok: false; diagnostics: Diagnostic[] };

export function compileLoss(text: string, files?: DataFiles): CompileResult {
  const parsed = parseLoss(text, files);
  if (!parsed.ok) return parsed;
  const loss = parsed.loss;
  if (loss.scenario.builtin) {
    const { name } = loss.scenario.builtin;
    return { ok: false, diagnostics: [{ message: `This file names the built-in loss '${name}': the engine takes it by name ('${name}' with lossParams); Visualize opens it`, severity: 'error', range: loss.range }] };
  }
  if (loss.network) {
    return { ok: false, diagnostics: [{ message: "This file defines a network: the engine computes it from the file's text (engine.trace, Visualize), not from a compiled formula", severity: 'error', range: loss.range }] };
  }
  try {
    const { gradient, hessian = [] } = differentiate(loss, true);
    const module = generateLossModule({ graph: loss.graph, root: loss.root, dim: loss.dim, gradient, hessian, row: loss.dim === 2 && !loss.data });
    return {
      ok: true, dim: loss.dim, params: loss.params, wasm: module.wasm, imports: module.imports, hasRow: module.hasRow,
      scenario: loss.scenario, formula: loss.formula, warnings: loss.warnings, source: loss, data: loss.data,
    };
  } catch (error) {
    const message = error instanceof GraphTooLarge
      ? `This loss is too large to compile: its Hessian needs ${error.message}`
      : `Internal error in the loss compiler: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, diagnostics: [{ message, severity: 'error', range: loss.range }] };
  }
}
