// Typesets an optimizer's equations (optimizerEquations.ts) as LaTeX: each line symbolically, then with the values of
// one step at one coordinate substituted, then its value. The values come from the recorded step and the equations'
// evaluation (never from the webview); katex turns the lines into MathML for the inspector.
import { evaluate, runAssignments, type EquationSet, type Environment, type Expr, type Value } from './optimizerEquations';

/** What one step reads: the point, gradient and state before it (row t), the step number t+1 and its lr. */
export interface StepValues {
  params: string[];
  x: number[];
  g: number[];
  /** The state recorded at row t by its names (exp_avg_x, mu_product, ...); row t+1's for READS_STATE_AFTER_STEP. */
  state: Record<string, number>;
  /** The 1-based number of the step taken from row t. */
  step: number;
  lr: number;
  /** The options by the equations' names (optionValues). */
  options: Environment;
  /** x_{t+1} - x_t: Newton's direction is read from it (its solve is the core's). */
  effectiveStep?: number[];
}

/** The environment of a step: per-coordinate state vectors gathered from their <name>_<param> entries. */
export function stepEnvironment(values: StepValues): Environment {
  const env: Environment = { ...values.options, x: values.x, g: values.g, t: values.step, lr: values.lr, n: values.x.length };
  const vectors = new Map<string, number[]>();
  const index = new Map(values.params.map((p, k) => [p, k]));
  // <name>_<param>: the longest suffix after an underscore that is a parameter (a network has thousands)
  const coordinate = (key: string) => {
    for (let at = key.indexOf('_'); at > 0; at = key.indexOf('_', at + 1)) {
      const k = index.get(key.slice(at + 1));
      if (k !== undefined) return k;
    }
    return -1;
  };
  for (const [key, value] of Object.entries(values.state)) {
    const k = coordinate(key);
    if (k < 0) {
      // a scalar state named as a step value (L-BFGS's step length t) is kept beside it
      env[Object.hasOwn(env, key) ? `${key}_state` : key] = value;
      continue;
    }
    const name = key.slice(0, -values.params[k].length - 1);
    if (!vectors.has(name)) vectors.set(name, values.x.map(() => 0));
    vectors.get(name)![k] = value;
  }
  for (const [name, vector] of vectors) env[name] = vector;
  if (values.effectiveStep) {
    env.direction = values.effectiveStep.map((d) => -d / values.lr);
    env.step_total = values.effectiveStep;
  }
  return env;
}

export interface EquationLine {
  /** LaTeX: the assignment, symbolic and (with values) substituted, with its value. */
  tex: string;
  /** The same, aligned on '=' in rows (symbolic, substituted, value) for a narrow inspector. */
  display: string;
  note?: string;
}

const COMPARISON_TEX: Record<string, string> = { '>': '>', '<': '<', '>=': '\\ge', '<=': '\\le', '==': '=', '!=': '\\ne' };
const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 3, '^': 4 };

/** A number as a student reads it: 6 significant digits, powers of ten as \times 10^{k}. */
export function texNumber(value: number): string {
  if (Number.isNaN(value)) return '\\mathrm{NaN}';
  if (!Number.isFinite(value)) return value > 0 ? '\\infty' : '-\\infty';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const text = Number(value.toPrecision(6)).toString();
  const [mantissa, exponent] = value.toExponential(5).split('e');
  if (!text.includes('e') && Math.abs(value) >= 1e-4) return text;
  return `${mantissa.replace(/\.?0+$/, '')}\\times 10^{${Number(exponent)}}`;
}

interface Context {
  set: EquationSet;
  /** Names assigned so far (a state read after its assignment is the new one, subscript t). */
  assigned: Set<string>;
  /** With values: the environment before this line, and the coordinate shown. */
  env?: Environment;
  coordinate: number;
}

function symbol(name: string, ctx: Context, isTarget = false): string {
  const info = ctx.set.symbols[name] ?? { tex: `\\mathrm{${name.replace(/_/g, '\\_')}}` };
  if (name === 'g') return 'g_t';
  if (!info.timed) return info.tex;
  return `${info.tex}_{${isTarget || ctx.assigned.has(name) ? 't' : 't-1'}}`;
}

function at(value: Value, k: number): number {
  return typeof value === 'number' ? value : value[k];
}

function paren(tex: string): string {
  return `\\left(${tex}\\right)`;
}

function tex(e: Expr, ctx: Context, parent = 0): string {
  switch (e.kind) {
    case 'num': return texNumber(e.value);
    case 'var': {
      if (!ctx.env) return symbol(e.name, ctx);
      const v = texNumber(at(evaluate(e, ctx.env), ctx.coordinate));
      return v.startsWith('-') || v.includes('times') ? paren(v) : v;
    }
    case 'neg': {
      const inner = `-${tex(e.arg, ctx, 2)}`;
      return parent > 0 ? paren(inner) : inner;
    }
    case 'bin': {
      const p = PRECEDENCE[e.op];
      let out: string;
      if (e.op === '*' && e.left.kind === 'var' && e.right.kind === 'var' && e.left.name === e.right.name) {
        out = `{${tex(e.left, ctx, 5)}}^{2}`; // g·g reads as g²
      } else if (e.op === '/') out = `\\frac{${tex(e.left, ctx)}}{${tex(e.right, ctx)}}`;
      else if (e.op === '^') out = `{${tex(e.left, ctx, 5)}}^{${tex(e.right, ctx)}}`;
      else {
        const right = tex(e.right, ctx, e.op === '-' ? p + 1 : p);
        const op = e.op === '*' ? (ctx.env || /^[\d-]/.test(right) ? ' \\cdot ' : '\\,') : ` ${e.op} `;
        out = `${tex(e.left, ctx, p)}${op}${right}`;
      }
      return p < parent ? paren(out) : out;
    }
    case 'fn': {
      const args = e.args.map((a) => tex(a, ctx));
      switch (e.fn) {
        case 'sqrt': return `\\sqrt{${args[0]}}`;
        case 'abs': return `\\left|${args[0]}\\right|`;
        case 'sign': return `\\operatorname{sign}${paren(args[0])}`;
        case 'max': return `\\max${paren(args.join(',\\ '))}`;
        case 'min': return `\\min${paren(args.join(',\\ '))}`;
        case 'clamp': return `\\operatorname{clamp}${paren(args.join(',\\ '))}`;
        case 'exp': return `\\exp${paren(args[0])}`;
        case 'log': return `\\log${paren(args[0])}`;
      }
      break;
    }
    case 'reduce': {
      if (ctx.env) return texNumber(at(evaluate(e, ctx.env), 0));
      const arg = tex(e.arg, ctx);
      return e.op === 'norm' ? `\\lVert ${arg}\\rVert` : e.op === 'sum' ? `\\sum_i ${paren(arg)}` : `\\${e.op}_i ${paren(arg)}`;
    }
    case 'cmp': return `${tex(e.left, ctx, 1)} ${COMPARISON_TEX[e.op]} ${tex(e.right, ctx, 1)}`;
    case 'if': {
      if (ctx.env) {
        const taken = at(evaluate(e.test, ctx.env), ctx.coordinate) ? e.then : e.otherwise;
        return tex(taken, ctx, parent);
      }
      return `\\begin{cases} ${tex(e.then, ctx)} & \\text{if } ${tex(e.test, ctx)} \\\\ ${tex(e.otherwise, ctx)} & \\text{otherwise} \\end{cases}`;
    }
  }
  return '';
}

/**
 * The equations' lines: symbolic, and with `env` the same line with the values before it at coordinate `coordinate`
 * substituted and its value (the line's evaluation over every coordinate, shown at that one).
 */
export function equationLines(set: EquationSet, env?: Environment, coordinate = 0): EquationLine[] {
  const assigned = new Set<string>();
  const values = env ? runAssignments(set, env).values : [];
  let before = env ? { ...env } : undefined;
  const lines = set.assignments.map((a, i): EquationLine => {
    const symbolic = tex(a.expr, { set, assigned, coordinate });
    const lhs = symbol(a.target, { set, assigned, coordinate }, true);
    let line = `${lhs} = ${symbolic}`;
    let display = `${lhs} &= ${symbolic}`;
    if (before) {
      const substituted = tex(a.expr, { set, assigned, env: before, coordinate });
      const value = texNumber(at(values[i], coordinate));
      const shown = substituted === value || substituted === symbolic ? [value] : [substituted, value];
      line += shown.map((part) => ` = ${part}`).join('');
      display += shown.map((part) => ` \\\\ &= ${part}`).join('');
      before = { ...before, [a.target]: values[i] };
    }
    assigned.add(a.target);
    return { tex: line, display: `\\begin{aligned}${display}\\end{aligned}`, ...(a.note ? { note: a.note } : {}) };
  });
  return [...(set.notes ?? []).map((n) => ({ tex: n, display: n })), ...lines];
}

/** What the inspector shows (typeset on the host by src/session/inspectorEquations.ts). */
export interface EquationBlock {
  /** MathML: a <math> element. */
  mathml: string;
  note?: string;
}

export interface InspectorEquations {
  title: string;
  /** Per coordinate shown: its name and the lines with its values substituted. */
  coordinates: { param: string; lines: EquationBlock[] }[];
  /** Why the values are missing (the run's last row: no step follows it). */
  message?: string;
}
