// A written optimizer's equations for the inspector: its rule's assignments as written, in the equation model of the
// built-ins (src/shared/optimizerEquations.ts), so that they are typeset and substituted the same way. Hessian inputs
// (hess_diag, hvp) and forms the model has no symbol for leave the rule without equations.
import type { Expr as RuleExpr } from '../parser';
import { FUNCTION_ALIASES } from '../builtins';
import type { Comparison, EquationSet, Environment, Expr, FunctionName, SymbolInfo } from '../../shared/optimizerEquations';
import { analyzeOptimizer, optimizerRuleSyntax } from './language';

class Unsupported extends Error {}

const ELEMENTWISE = new Set<FunctionName>(['sqrt', 'abs', 'sign', 'exp', 'log']);
const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'eta', 'theta', 'kappa', 'lambda', 'mu', 'nu', 'rho', 'sigma', 'tau', 'phi', 'psi', 'omega']);

/** beta1 -> \beta_1, eps -> \epsilon, exp_avg -> \mathrm{exp\_avg}. */
function texName(name: string): string {
  const [, stem, digits] = /^([A-Za-z]+?)_?(\d*)$/.exec(name) ?? [];
  const word = stem === 'eps' ? 'epsilon' : stem === 'lambd' ? 'lambda' : stem;
  if (word !== undefined && (GREEK.has(word) || word.length === 1)) {
    const base = GREEK.has(word) ? `\\${word}` : word;
    return digits ? `${base}_{${digits}}` : base;
  }
  return `\\mathrm{${name.replace(/_/g, '\\_')}}`;
}

function convert(e: RuleExpr): Expr {
  switch (e.kind) {
    case 'number': return { kind: 'num', value: e.value };
    case 'bool': return { kind: 'num', value: Number(e.value) };
    case 'name':
      if (e.prefix !== '' || e.name === 'hess_diag') throw new Unsupported();
      return { kind: 'var', name: e.name };
    case 'negate': return { kind: 'neg', arg: convert(e.operand) };
    case 'power': return { kind: 'bin', op: '^', left: convert(e.base), right: convert(e.exponent) };
    case 'chain': return e.rest.reduce<Expr>((left, { op, operand }) => {
      if (op === '%') throw new Unsupported();
      return { kind: 'bin', op, left, right: convert(operand) };
    }, convert(e.first));
    case 'compare': {
      if (e.rest.length !== 1) throw new Unsupported();
      return { kind: 'cmp', op: e.rest[0].op as Comparison, left: convert(e.first), right: convert(e.rest[0].operand) };
    }
    case 'call': return call(FUNCTION_ALIASES.get(e.name) ?? e.name, e.args.map(convert));
    default: throw new Unsupported();
  }
}

function call(name: string, args: Expr[]): Expr {
  if (ELEMENTWISE.has(name as FunctionName) && args.length === 1) return { kind: 'fn', fn: name as FunctionName, args };
  if ((name === 'max' || name === 'min') && args.length === 1) return { kind: 'reduce', op: name, arg: args[0] };
  if ((name === 'max' || name === 'min') && args.length >= 2) return args.slice(1).reduce((a, b) => ({ kind: 'fn', fn: name, args: [a, b] }), args[0]);
  if ((name === 'sum' || name === 'norm') && args.length === 1) return { kind: 'reduce', op: name, arg: args[0] };
  if (name === 'mean' && args.length === 1) return { kind: 'bin', op: '/', left: { kind: 'reduce', op: 'sum', arg: args[0] }, right: { kind: 'var', name: 'n' } };
  if (name === 'dot' && args.length === 2) return { kind: 'reduce', op: 'sum', arg: { kind: 'bin', op: '*', left: args[0], right: args[1] } };
  if (name === 'where' && args.length === 3) {
    const test: Expr = args[0].kind === 'cmp' ? args[0] : { kind: 'cmp', op: '!=', left: args[0], right: { kind: 'num', value: 0 } };
    return { kind: 'if', test, then: args[1], otherwise: args[2] };
  }
  if (name === 'lerp' && args.length === 3) {
    const [a, b, w] = args;
    return { kind: 'bin', op: '+', left: a, right: { kind: 'bin', op: '*', left: w, right: { kind: 'bin', op: '-', left: b, right: a } } };
  }
  throw new Unsupported();
}

/**
 * The equations of a written optimizer and its hyper-parameters' values with these options (the run's), or undefined
 * when the file has errors or its rule uses what the equations cannot show (the Hessian).
 */
export function writtenOptimizerEquations(source: string, options: Record<string, unknown> = {}): { set: EquationSet; hypers: Environment } | undefined {
  const syntax = optimizerRuleSyntax(source);
  const analyzed = analyzeOptimizer(source, options);
  if (!syntax || !analyzed.ok) return undefined;
  try {
    const assignments = syntax.body.map((b) => ({ target: b.target, expr: convert(b.expr) }));
    const symbols: Record<string, SymbolInfo> = { x: { tex: 'x', timed: true }, lr: { tex: '\\gamma' }, t: { tex: 't' }, n: { tex: 'n' } };
    const names = new Set([...assignments.map((a) => a.target), ...analyzed.optimizer.hypers.map((h) => h.name)]);
    for (const name of names) symbols[name] ??= { tex: texName(name) };
    for (const s of syntax.states) symbols[s.name] = { tex: texName(s.name), timed: true };
    const hypers = Object.fromEntries(analyzed.optimizer.hypers.filter((h) => h.name !== 'lr').map((h) => [h.name, h.value]));
    return { set: { title: syntax.name, assignments, symbols }, hypers };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
