// The inspector's equations for one run at one step: the optimizer's update (optimizerEquations.ts) with the recorded
// values substituted (equationTex.ts), typeset by katex as MathML (no styles, no fonts: Chromium draws MathML itself,
// which a strict CSP allows). Built on the host for the panel's inspector and the debugger; the webview only shows
// the markup after checking it.
import katex from 'katex';
import type { StepState } from '../shared/engineApi';
import type { RunConfig } from '../shared/scenarioModel';
import { isOptimizerSource } from '../shared/scenario';
import { writtenOptimizerEquations } from '../loss/optim/equations';
import { packOptimizer } from '../engine/optimizers';
import { builtinEquations, optionValues, READS_STATE_AFTER_STEP, type EquationSet, type Environment } from '../shared/optimizerEquations';
import { equationLines, stepEnvironment, type EquationBlock, type EquationLine, type InspectorEquations } from '../shared/equationTex';

/** Coordinates typeset per step: a network's first ones (the rest read the same equations). */
export const EQUATION_COORDINATES = 6;

export function mathml(tex: string): string {
  return katex.renderToString(tex, { output: 'mathml', displayMode: true, throwOnError: false, strict: 'ignore' });
}

type Run = Pick<RunConfig, 'optimizer' | 'options'>;
type Shown = Omit<StepState, 'hessian'>;

/**
 * A run's equations and, when a step follows `state`, the values of that step: a built-in's with its options as the
 * engine resolves them (PyTorch's defaults), a written optimizer's from its rule. Undefined when there are none to show
 * (a rule that reads the Hessian, options the engine refuses).
 */
function prepare(run: Run, state: Shown): { set: EquationSet; env?: Environment } | undefined {
  let set: EquationSet | undefined;
  let options: Record<string, unknown>;
  if (isOptimizerSource(run.optimizer)) {
    const written = writtenOptimizerEquations(run.optimizer, run.options);
    if (!written) return undefined;
    ({ set, hypers: options } = written);
  } else {
    try {
      options = packOptimizer(run.optimizer, run.options).resolved;
    } catch {
      options = run.options; // not one of packOptimizer's (Muon): its equations take no options
    }
    set = builtinEquations(run.optimizer, options);
  }
  if (!set) return undefined;
  if (!state.next || !state.effectiveStep) return { set };
  const params = Object.keys(state.params);
  const effectiveStep = state.effectiveStep;
  const env = stepEnvironment({
    params,
    x: params.map((p) => state.params[p]),
    g: params.map((p) => state.grad[p]),
    state: READS_STATE_AFTER_STEP.has(run.optimizer) ? state.next.state : state.state,
    step: state.step + 1,
    lr: state.next.lr,
    options: optionValues(options),
    effectiveStep: params.map((p) => effectiveStep[p]),
  });
  return { set, env };
}

/** The lines with coordinate k's values, or the symbolic lines and why there are no values. */
function linesAt(set: EquationSet, env: Environment | undefined, k: number): { lines: EquationLine[]; message?: string } {
  if (!env) return { lines: equationLines(set), message: 'The run ends here: no step follows to substitute.' };
  try {
    return { lines: equationLines(set, env, k) };
  } catch (error) {
    // a written rule's states beyond the recorded ones have no values to substitute
    return { lines: equationLines(set), message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * { equations } for the Playground's inspector: MathML per coordinate shown; {} when there are none. katex takes a few
 * milliseconds a line, so the lines are typeset one per turn of the event loop: the extension host stays responsive.
 */
export async function runEquations(run: Run, state: Shown): Promise<{ equations?: InspectorEquations }> {
  const prepared = prepare(run, state);
  if (!prepared) return {};
  const { set, env } = prepared;
  const params = Object.keys(state.params).slice(0, EQUATION_COORDINATES);
  const coordinates = (env ? params : ['']).map((param, k) => ({ param, ...linesAt(set, env, k) }));
  const message = coordinates.find((c) => c.message)?.message;
  const shown = coordinates.slice(0, message ? 1 : undefined);
  const typeset: InspectorEquations['coordinates'] = [];
  for (const { param, lines } of shown) typeset.push({ param: message ? '' : param, lines: await blocks(lines) });
  return {
    equations: {
      title: env ? `${set.title}, step ${state.step} → ${state.step + 1}` : set.title,
      coordinates: typeset,
      ...(message ? { message } : {}),
    },
  };
}

/** The debugger's text of the same: one LaTeX line per assignment, with the first coordinate's values. */
export function runEquationText(run: Run, state: Shown): { title: string; lines: string[] } | undefined {
  const prepared = prepare(run, state);
  if (!prepared) return undefined;
  const { lines, message } = linesAt(prepared.set, prepared.env, 0);
  return { title: prepared.set.title, lines: [...lines.map((l) => l.tex), ...(message ? [message] : [])] };
}

async function blocks(lines: EquationLine[]): Promise<EquationBlock[]> {
  const typeset: EquationBlock[] = [];
  for (const l of lines) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    typeset.push({ mathml: mathml(l.display), ...(l.note ? { note: l.note } : {}) });
  }
  return typeset;
}
