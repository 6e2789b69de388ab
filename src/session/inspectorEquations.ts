// The inspector's equations for one run at one step: the optimizer's update (optimizerEquations.ts) with the recorded
// values substituted (equationTex.ts), typeset by katex as MathML (no styles, no fonts: Chromium draws MathML itself,
// which a strict CSP allows). Built on the host for the panel's inspector and the debugger; the webview only shows
// the markup after checking it.
import katex from 'katex';
import type { OptimizerInfo, StepState } from '../shared/engineApi';
import type { RunConfig } from '../shared/scenarioModel';
import { isOptimizerSource } from '../shared/scenario';
import { writtenOptimizerEquations } from '../loss/optim/equations';
import { builtinEquations, optionValues, READS_STATE_AFTER_STEP, type EquationSet } from '../shared/optimizerEquations';
import { equationLines, stepEnvironment, type EquationBlock, type EquationLine, type InspectorEquations } from '../shared/equationTex';

/** Coordinates typeset per step: a network's first ones (the rest read the same equations). */
export const EQUATION_COORDINATES = 6;

export function mathml(tex: string): string {
  return katex.renderToString(tex, { output: 'mathml', displayMode: true, throwOnError: false, strict: 'ignore' });
}

/**
 * The equations of the step from `state` to the next row, for a built-in (its options as the run gives them, and the
 * picker's defaults) or an equation set built elsewhere (a written optimizer's).
 */
export function inspectorEquations(
  optimizer: string | EquationSet, options: Record<string, unknown>, state: Omit<StepState, 'hessian'>,
): InspectorEquations | undefined {
  const set = typeof optimizer === 'string' ? builtinEquations(optimizer, options) : optimizer;
  if (!set) return undefined;
  const params = Object.keys(state.params);
  const shown = params.slice(0, EQUATION_COORDINATES);
  const symbolic = (message: string): InspectorEquations => ({ title: set.title, coordinates: [{ param: '', lines: blocks(equationLines(set)) }], message });
  if (!state.next || !state.effectiveStep) return symbolic('The run ends here: no step follows to substitute.');
  const afterStep = typeof optimizer === 'string' && READS_STATE_AFTER_STEP.has(optimizer);
  const env = stepEnvironment({
    params,
    x: params.map((p) => state.params[p]),
    g: params.map((p) => state.grad[p]),
    state: afterStep ? state.next.state : state.state,
    step: state.step + 1,
    lr: state.next.lr,
    options: optionValues(options),
    effectiveStep: params.map((p) => state.effectiveStep![p]),
  });
  try {
    return {
      title: `${set.title}, step ${state.step} → ${state.step + 1}`,
      coordinates: shown.map((param, k) => ({ param, lines: blocks(equationLines(set, env, k)) })),
    };
  } catch (error) {
    // a written rule's state beyond the recorded ones has no values to substitute
    return symbolic(error instanceof Error ? error.message : String(error));
  }
}

function blocks(lines: EquationLine[]): EquationBlock[] {
  return lines.map((l) => ({ mathml: mathml(l.display), ...(l.note ? { note: l.note } : {}) }));
}

/** { equations } for the run at this step, or {} when its optimizer has none to show (a rule reading the Hessian). */
export function runEquations(run: Pick<RunConfig, 'optimizer' | 'options'>, optimizers: OptimizerInfo[], state: Omit<StepState, 'hessian'>): { equations?: InspectorEquations } {
  let equations: InspectorEquations | undefined;
  if (isOptimizerSource(run.optimizer)) {
    const written = writtenOptimizerEquations(run.optimizer, run.options);
    equations = written && inspectorEquations(written.set, written.hypers, state);
  } else {
    const defaults = optimizers.find((o) => o.name === run.optimizer)?.defaults ?? {};
    equations = inspectorEquations(run.optimizer, { ...defaults, ...run.options }, state);
  }
  return equations ? { equations } : {};
}
