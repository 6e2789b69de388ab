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
import { MUON_DEFAULTS, packMuon } from '../engine/muon';
import { muonMatrixShapes } from '../engine/muonNames';
import { builtinEquations, muonEnvironment, optionValues, READS_STATE_AFTER_STEP, type EquationSet, type Environment } from '../shared/optimizerEquations';
import { equationLines, stepEnvironment, type EquationBlock, type EquationLine, type InspectorEquations } from '../shared/equationTex';

/** Coordinates typeset per step: a network's first ones (the rest read the same equations). */
export const EQUATION_COORDINATES = 6;

export function mathml(tex: string): string {
  return katex.renderToString(tex, { output: 'mathml', displayMode: true, throwOnError: false, strict: 'ignore' });
}

type Run = Pick<RunConfig, 'optimizer' | 'options'>;
type Shown = Omit<StepState, 'hessian'>;

/** The equations of a run at a step: per coordinate its set and, when a step follows, that step's values. */
interface Prepared {
  title: string;
  at(k: number): { set: EquationSet; env?: Environment };
  /** The coordinates typeset (indices into the parameters). */
  shown: number[];
}

function stepValues(state: Shown, options: Record<string, unknown>, afterStep: boolean): Environment | undefined {
  if (!state.next || !state.effectiveStep) return undefined;
  const params = Object.keys(state.params);
  const effectiveStep = state.effectiveStep;
  return stepEnvironment({
    params,
    x: params.map((p) => state.params[p]),
    g: params.map((p) => state.grad[p]),
    state: afterStep ? state.next.state : state.state,
    step: state.step + 1,
    lr: state.next.lr,
    options: optionValues(options),
    effectiveStep: params.map((p) => effectiveStep[p]),
  });
}

const first = (count: number) => Array.from({ length: Math.min(count, EQUATION_COORDINATES) }, (_, k) => k);

/**
 * A run's equations and, when a step follows `state`, the values of that step: a built-in's with its options as the
 * engine resolves them (PyTorch's defaults), a written optimizer's from its rule, Muon's on its matrices beside its rest
 * optimizer's. Undefined when there are none to show (a rule that reads the Hessian, options the engine refuses).
 */
function prepare(run: Run, state: Shown): Prepared | undefined {
  const count = Object.keys(state.params).length;
  if (run.optimizer === 'muon') return prepareMuon(run, state);
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
      return undefined;
    }
    set = builtinEquations(run.optimizer, options);
  }
  if (!set) return undefined;
  const found = { set, env: stepValues(state, options, READS_STATE_AFTER_STEP.has(run.optimizer)) };
  return { title: set.title, at: () => found, shown: first(count) };
}

/** Muon's equations on its matrices' coordinates, its rest optimizer's on the others (the first of them shown too). */
function prepareMuon(run: Run, state: Shown): Prepared | undefined {
  let restOptions: Record<string, unknown>;
  let restName: string;
  try {
    const { rest } = packMuon(run.options);
    restName = rest.optimizer;
    restOptions = packOptimizer(rest.optimizer, rest.options).resolved;
  } catch {
    return undefined;
  }
  const { rest: _, ...given } = (run.options ?? {}) as Record<string, unknown>;
  const options: Record<string, unknown> = { ...MUON_DEFAULTS, ...given };
  const muonSet = builtinEquations('muon', options);
  const restSet = builtinEquations(restName, restOptions);
  if (!muonSet || !restSet) return undefined;
  const params = Object.keys(state.params);
  const shapes = muonMatrixShapes(params);
  const restEnv = stepValues(state, restOptions, READS_STATE_AFTER_STEP.has(restName));
  const base = stepValues(state, options, false);
  const muonEnv = base && muonEnvironment(base, shapes, {
    lr: Number(options.lr), weight_decay: Number(options.weight_decay), adjust_lr_fn: String(options.adjust_lr_fn), restLr: Number(restOptions.lr ?? 1),
  });
  const matrices = first(shapes.filter(Boolean).length);
  const other = shapes.findIndex((s) => !s);
  const shown = other < 0 ? matrices : [...matrices.slice(0, EQUATION_COORDINATES - 1), other];
  return {
    title: `Muon, ${restSet.title} for the other parameters`,
    at: (k) => (shapes[k] ? { set: muonSet, env: muonEnv } : { set: restSet, env: restEnv }),
    shown,
  };
}

/** The lines with coordinate k's values, or the symbolic lines and why there are no values. */
function linesAt({ set, env }: { set: EquationSet; env?: Environment }, k: number): { lines: EquationLine[]; message?: string } {
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
  const params = Object.keys(state.params);
  const hasValues = prepared.at(prepared.shown[0] ?? 0).env !== undefined;
  const coordinates = (hasValues ? prepared.shown : [0]).map((k) => ({ param: params[k] ?? '', ...linesAt(prepared.at(k), k) }));
  const message = coordinates.find((c) => c.message)?.message;
  const shown = coordinates.slice(0, message ? 1 : undefined);
  const typeset: InspectorEquations['coordinates'] = [];
  for (const { param, lines } of shown) typeset.push({ param: message ? '' : param, lines: await blocks(lines) });
  return {
    equations: {
      title: hasValues ? `${prepared.title}, step ${state.step} → ${state.step + 1}` : prepared.title,
      coordinates: typeset,
      ...(message ? { message } : {}),
    },
  };
}

/** The debugger's text of the same: one LaTeX line per assignment, with the first coordinate's values. */
export function runEquationText(run: Run, state: Shown): { title: string; lines: string[] } | undefined {
  const prepared = prepare(run, state);
  if (!prepared) return undefined;
  const k = prepared.shown[0] ?? 0;
  const { lines, message } = linesAt(prepared.at(k), k);
  return { title: prepared.title, lines: [...lines.map((l) => l.tex), ...(message ? [message] : [])] };
}

async function blocks(lines: EquationLine[]): Promise<EquationBlock[]> {
  const typeset: EquationBlock[] = [];
  for (const l of lines) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    typeset.push({ mathml: mathml(l.display), ...(l.note ? { note: l.note } : {}) });
  }
  return typeset;
}
