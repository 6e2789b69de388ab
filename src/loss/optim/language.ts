// The optimizer language (`.optim` files): hyper-parameters with defaults, per-coordinate state with initial values,
// and an update rule, written with the loss language's lexer, expression parser, diagnostics and expression graph.
// The rule is lowered to one graph over the step's inputs (x, g and the state before the step, t, lr) and the results
// of its stages (reductions over coordinates, Hessian-vector products); optimizerModule.ts compiles that graph to
// WebAssembly.
import { CONSTANTS, FUNCTION_ALIASES, FUNCTIONS } from '../builtins';
import { applyFunction } from '../functions';
import { closestName, Diagnostic, DiagnosticSink, LineMap } from '../diagnostics';
import { Graph, GraphTooLarge } from '../graph';
import { Token, tokenize } from '../lexer';
import { Expr, parseExpressionTokens, RESERVED_WORDS } from '../parser';
import { toDiagnostics } from '../analyze';
import { isOptimizerSource } from '../../shared/scenario';
import { LIMITS } from '../../shared/limits';

/** The core passes this many state vector pointers to a compiled step (core/assembly/customOptimizer.ts). */
export const MAX_STATES = 8;
/** Scalar states (one value per run: the core's two scalar slots). */
export const MAX_SCALAR_STATES = 2;
/** State vectors the core records and breakpoints read (its three state slots). */
export const VISIBLE_STATES = 3;
export const MAX_REDUCTIONS = 64;
/** Hessian-vector products per rule (each holds two vectors of scratch in the core). */
export const MAX_HVPS = 4;
/** Per-layer reductions per rule (each holds one vector of scratch in the core). */
export const MAX_LAYER_REDUCTIONS = 16;
/** Graph parameter indices: vectors below SCALAR_BASE (x, g, the states, hess_diag, hvp results), scalars from it (t, lr, reductions). */
export const SCALAR_BASE = 1000;
export const PARAM_X = 0;
export const PARAM_G = 1;
export const PARAM_STATE = 2;
export const PARAM_HESS_DIAG = PARAM_STATE + MAX_STATES;
export const PARAM_HVP = PARAM_HESS_DIAG + 1;
export const PARAM_LAYER = PARAM_HVP + MAX_HVPS;
/** rademacher(): the step's random vector of signs (the core draws it). */
export const PARAM_RANDOM = PARAM_LAYER + MAX_LAYER_REDUCTIONS;
/** The random vector's seed when a run sets none (option `seed`). */
export const DEFAULT_SEED = 0;
export const PARAM_T = SCALAR_BASE;
export const PARAM_LR = SCALAR_BASE + 1;
export const PARAM_REDUCTION = SCALAR_BASE + 2;
export const PARAM_SCALAR_STATE = PARAM_REDUCTION + MAX_REDUCTIONS;
/** The learning rate's default when the file declares no `hyper lr`. */
export const DEFAULT_LR = 1e-3;

const KEYWORDS = new Set(['optimizer', 'hyper', 'state', 'scalar', 'update']);
/** Names of the step's inputs, with what they are (for messages and hover). */
export const INPUTS: ReadonlyMap<string, string> = new Map([
  ['x', 'the parameters (assign x to move them)'],
  ['g', 'the gradient at x (read-only; negated when the run sets maximize)'],
  ['t', 'the step number, 1 on the first step (read-only)'],
  ['lr', "the learning rate of this step, after the schedule (its default is 'hyper lr = ...')"],
  ['hess_diag', "the diagonal of the loss's exact Hessian at x (full batch; read-only)"],
]);
/** Reductions over coordinates (one scalar from a per-coordinate expression) and the functions of the rule. */
export const REDUCTIONS: ReadonlyMap<string, string> = new Map([
  ['sum', 'sum(v): the sum of v over the coordinates, in order'],
  ['mean', 'mean(v): sum(v) / the number of coordinates'],
  ['norm', 'norm(v): sqrt(sum(v^2)), the 2-norm over the coordinates'],
  ['dot', 'dot(a, b): sum(a*b)'],
  ['max', 'max(v): the largest coordinate of v (NaN if any is NaN); max(a, b, ...) is element-wise'],
  ['min', 'min(v): the smallest coordinate of v (NaN if any is NaN); min(a, b, ...) is element-wise'],
]);
/**
 * Reductions over each layer (a network's parameter tensor: W1, b1, bn1.weight, ...; for another loss all parameters):
 * a per-coordinate value, the reduction over the coordinate's layer.
 */
export const LAYER_REDUCTIONS: ReadonlyMap<string, string> = new Map([
  ['sum_layer', "sum_layer(v): at each coordinate, the sum of v over its layer (a network's tensor: W1, b1, ...)"],
  ['mean_layer', 'mean_layer(v): at each coordinate, sum_layer(v) / the size of its layer'],
  ['norm_layer', 'norm_layer(v): at each coordinate, sqrt(sum_layer(v^2)), the 2-norm over its layer (LAMB, LARS)'],
  ['dot_layer', 'dot_layer(a, b): at each coordinate, sum_layer(a*b)'],
  ['max_layer', 'max_layer(v): at each coordinate, the largest value of v in its layer'],
  ['min_layer', 'min_layer(v): at each coordinate, the smallest value of v in its layer'],
]);
export const HVP_DOC = "hvp(v): the loss's exact full-batch Hessian at x times the per-coordinate vector v";
export const RULE_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['where', 'where(condition, a, b): a where the condition holds, else b (torch.where); the condition is a comparison or a hyper-parameter (true when not 0)'],
  ['lerp', 'lerp(a, b, w): torch.lerp, a + w*(b - a) for w < 0.5, else b - (b - a)*(1 - w)'],
  ['hvp', HVP_DOC],
  ['rademacher', "rademacher(): a per-coordinate vector of random signs, -1 or 1 with equal chance, drawn again each step (every use in a step reads the same draw; option 'seed', default 0); z*hvp(z) estimates hess_diag (Hutchinson)"],
]);

export interface Declared {
  name: string;
  start: number;
  end: number;
}
export interface HyperDeclaration extends Declared {
  /** The default value. */
  value: number;
}
export interface StateDeclaration extends Declared {
  /** The initial value of every coordinate (before step 1). */
  initial: number;
  /** One value for the run (`scalar` line) instead of one per coordinate. */
  scalar: boolean;
}

/**
 * One stage: a value computed over all coordinates before the loop that reads it. A reduction is scalar j's node
 * (PARAM_REDUCTION + j), a Hessian-vector product the vector PARAM_HVP + k; stages come in creation order, so each
 * reads only earlier ones.
 */
export type Stage =
  | { kind: 'reduce'; combine: 'add' | 'max' | 'min'; term: number; finish: 'none' | 'mean' | 'sqrt'; result: number }
  | { kind: 'hvp'; term: number; result: number; index: number }
  | { kind: 'layer'; combine: 'add' | 'max' | 'min'; term: number; finish: 'none' | 'mean' | 'sqrt'; result: number; index: number };

/** A rule lowered to a graph: the new x and states (ids), and the stages they read. */
export interface LoweredRule {
  graph: Graph;
  /** The node of x after the step (PARAM_X's node when x is not assigned). */
  x: number;
  /** Each (per-coordinate) state's node after the step. */
  states: number[];
  /** Each scalar state's node after the step. */
  scalars: number[];
  stages: Stage[];
  /** Whether the rule reads hess_diag or hvp (the run then evaluates the Hessian before each step). */
  usesHessian: boolean;
  /** How many Hessian-vector products it takes. */
  hvps: number;
  /** How many per-layer reductions it takes. */
  layerReductions: number;
  /** Whether the rule reads rademacher() (the core draws the step's signs). */
  usesRandom: boolean;
}

export interface OptimizerDefinition {
  name: string;
  hypers: HyperDeclaration[];
  states: StateDeclaration[];
  /** The learning rate's default (hyper lr, or DEFAULT_LR). */
  lr: number;
  rule: LoweredRule;
  /** The seed of rademacher()'s draws (option `seed`). */
  seed: number;
}

export type OptimizerResult = { ok: true; optimizer: OptimizerDefinition; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** Whether a text is an optimizer in this language rather than a built-in optimizer's name (src/shared: the panels ask too). */
export { isOptimizerSource };

interface Assignment extends Declared {
  expr: Expr;
}
interface Syntax {
  name?: Declared;
  hypers: (Declared & { expr: Expr })[];
  states: (Declared & { expr: Expr; scalar: boolean })[];
  update?: Declared;
  body: Assignment[];
}

function splitLines(tokens: Token[]): Token[][] {
  const lines: Token[][] = [];
  let line: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'newline' || token.kind === 'end') {
      if (line.length > 0) lines.push(line);
      line = [];
    } else {
      line.push(token);
    }
  }
  return lines;
}

/** Splits at commas outside brackets. */
function splitCommas(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'symbol' && (token.text === '(' || token.text === '[')) depth++;
    else if (token.kind === 'symbol' && (token.text === ')' || token.text === ']')) depth--;
    if (depth === 0 && token.kind === 'symbol' && token.text === ',') parts.push([]);
    else parts[parts.length - 1].push(token);
  }
  return parts;
}

const isWord = (token: Token | undefined, word?: string): boolean =>
  token !== undefined && token.kind === 'name' && token.prefix === '' && (word === undefined || token.text === word);
const isAssign = (token: Token | undefined): boolean => token !== undefined && token.kind === 'symbol' && token.text === '=';

function parseSyntax(text: string, sink: DiagnosticSink): Syntax {
  const syntax: Syntax = { hypers: [], states: [], body: [] };
  const assignment = (tokens: Token[], example: string): (Declared & { expr: Expr }) | undefined => {
    const [name, equals] = tokens;
    if (!isWord(name) || !isAssign(equals)) {
      const at = tokens[isWord(name) ? 1 : 0] ?? tokens[0];
      sink.error(`Expected a name and '=', as in: ${example}`, at.start, at.end);
      return undefined;
    }
    if (tokens.length === 2) {
      sink.error(`Expected a value after '${name.text} ='`, equals.start, equals.end);
      return undefined;
    }
    const expr = parseExpressionTokens(tokens.slice(2), sink);
    return expr && { name: name.text, start: name.start, end: name.end, expr };
  };
  for (const line of splitLines(tokenize(text, sink))) {
    const first = line[0];
    const keyword = isWord(first) && KEYWORDS.has(first.text) && !isAssign(line[1]) ? first.text : undefined;
    if (keyword === 'optimizer') {
      const name = line[1];
      if (syntax.name) sink.error('A file declares one optimizer: this is a second optimizer line', first.start, line[line.length - 1].end);
      else if (!isWord(name)) sink.error('Expected the optimizer\'s name, as in: optimizer lion', first.start, first.end);
      else if (line.length > 2) sink.error(`Unexpected ${line[2].text || 'text'} after the optimizer's name`, line[2].start, line[line.length - 1].end);
      else syntax.name = { name: name.text, start: name.start, end: name.end };
    } else if (keyword === 'hyper' || keyword === 'state' || keyword === 'scalar') {
      const example = keyword === 'hyper' ? 'hyper beta1 = 0.9, eps = 1e-8' : keyword === 'state' ? 'state m = 0, v = 0' : 'scalar mu_product = 1';
      if (line.length === 1) sink.error(`Expected declarations after '${keyword}', as in: ${example}`, first.start, first.end);
      for (const part of line.length > 1 ? splitCommas(line.slice(1)) : []) {
        if (part.length === 0) {
          sink.error(`Expected a declaration between commas, as in: ${example}`, first.start, line[line.length - 1].end);
          continue;
        }
        const declared = assignment(part, example);
        if (declared && keyword === 'hyper') syntax.hypers.push(declared);
        else if (declared) syntax.states.push({ ...declared, scalar: keyword === 'scalar' });
      }
    } else if (keyword === 'update') {
      if (syntax.update) sink.error("A file has one 'update' block: this is a second one", first.start, first.end);
      syntax.update ??= { name: 'update', start: first.start, end: first.end };
      if (line.length > 1) {
        const statement = assignment(line.slice(1), 'update x = x - lr*g');
        if (statement) syntax.body.push(statement);
      }
    } else if (syntax.update) {
      const statement = assignment(line, 'm = beta*m + (1 - beta)*g');
      if (statement) syntax.body.push(statement);
    } else {
      sink.error("Expected 'optimizer', 'hyper', 'state', 'scalar' or 'update' (the rule's lines come after 'update')", first.start, line[line.length - 1].end);
    }
  }
  if (!syntax.name) sink.error('An optimizer file starts with its name, as in: optimizer lion', 0, 0);
  if (!syntax.update) sink.error("The rule is missing: add an 'update' line and, below it, assignments such as x = x - lr*g", 0, 0);
  else if (syntax.body.length === 0) sink.error("The 'update' block is empty: assign x below it, as in x = x - lr*g", syntax.update.start, syntax.update.end);
  return syntax;
}

interface Value {
  id: number;
}

/** Lowers expressions to the graph; `vector` says whether a node differs from coordinate to coordinate. */
class Lowering {
  readonly graph = new Graph();
  private readonly vectorFlags: number[] = [];
  readonly stages: Stage[] = [];
  private reductions = 0;
  private hvps = 0;
  private layerReductions = 0;
  private readonly stageIds = new Map<string, number>();
  /** Names bound now (inputs, states, locals in the rule; hyper-parameters and constants everywhere). */
  readonly bound = new Map<string, Value>();
  /** Names declared or assigned later (offset of that line), for "used before" messages. */
  readonly later = new Map<string, { start: number; what: string }>();
  /** Whether the rule is being lowered (reductions and the step's inputs are available). */
  rule = false;

  constructor(private readonly sink: DiagnosticSink, private readonly lines: LineMap) {}

  isVector(id: number): boolean {
    const graph = this.graph;
    for (let k = this.vectorFlags.length; k < graph.size; k++) {
      const node = graph.node(k);
      this.vectorFlags.push(node.op === 'param' ? (node.index < SCALAR_BASE ? 1 : 0) : (node.args as number[]).some((a) => this.vectorFlags[a]) ? 1 : 0);
    }
    return this.vectorFlags[id] === 1;
  }

  private invalid(): number {
    return this.graph.constant(NaN);
  }

  lower(e: Expr): number {
    const g = this.graph;
    switch (e.kind) {
      case 'number': return g.constant(e.value);
      case 'bool':
        if (!this.rule) return g.constant(e.value ? 1 : 0);
        this.sink.error('true and false are values of hyper-parameters; in the rule write 1 or 0', e.start, e.end);
        return this.invalid();
      case 'name': return this.lowerName(e.name, e.prefix, e.start, e.end);
      case 'index':
        this.sink.error('An update works on every coordinate at once, so coordinates are not indexed: combine them with sum, mean, norm, dot or max', e.start, e.end);
        return this.invalid();
      case 'reduce':
        this.sink.error(`A reduction over the coordinates takes one expression, as in ${e.op === 'sum' ? 'sum(g^2)' : 'sum(log(abs(g)))'}; there is no index`, e.start, e.end);
        return this.invalid();
      case 'negate': return g.neg(this.lower(e.operand));
      case 'power': return g.pow(this.lower(e.base), this.lower(e.exponent));
      case 'chain': {
        let acc = this.lower(e.first);
        for (const { op, operand } of e.rest) {
          const b = this.lower(operand);
          acc = op === '+' ? g.add(acc, b) : op === '-' ? g.sub(acc, b) : op === '*' ? g.mul(acc, b) : op === '/' ? g.div(acc, b) : g.mod(acc, b);
        }
        return acc;
      }
      case 'compare':
      case 'logic':
      case 'not':
        this.sink.error('A comparison is a condition: use it inside where(...), as in where(t == 1, g, m)', e.start, e.end);
        return this.invalid();
      case 'call': return this.lowerCall(e);
    }
  }

  private lowerName(name: string, prefix: string, start: number, end: number): number {
    const later = prefix === '' ? this.later.get(name) : undefined;
    if (later && later.start > start) {
      this.sink.error(`'${name}' is used before it is ${later.what} (line ${this.lines.lineNumber(later.start)}): move that line up`, start, end);
      return this.invalid();
    }
    const value = prefix === '' ? this.bound.get(name) : undefined;
    if (value) return value.id;
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) return this.graph.constant(constant);
    if (!this.rule && INPUTS.has(name)) {
      this.sink.error(`'${name}' is ${INPUTS.get(name)}: it exists only in the rule, below 'update'`, start, end);
      return this.invalid();
    }
    const suggestion = closestName(name, [...this.bound.keys(), ...CONSTANTS.keys()]);
    const shown = prefix ? `${prefix}.${name}` : name;
    this.sink.error(`Unknown name '${shown}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, start, end);
    return this.invalid();
  }

  private lowerCall(e: Expr & { kind: 'call' }): number {
    const g = this.graph;
    const name = FUNCTION_ALIASES.get(e.name) ?? e.name;
    const count = e.args.length;
    const arity = (least: number, most = least): boolean => {
      if (count >= least && count <= most) return true;
      const takes = most === Infinity ? `at least ${least}` : least === most ? `${least}` : `${least} to ${most}`;
      this.sink.error(`'${e.name}' takes ${takes} argument${least === 1 && most === 1 ? '' : 's'}, got ${count}`, e.start, e.end);
      return false;
    };
    if (name === 'rademacher') {
      if (!arity(0)) return this.invalid();
      if (this.rule) return g.param(PARAM_RANDOM);
      this.sink.error("'rademacher' draws random signs each step: it is only available in the rule, below 'update'", e.start, e.nameEnd);
      return this.invalid();
    }
    if (name === 'where') return arity(3) ? this.lowerWhere(e.args[0], this.lower(e.args[1]), this.lower(e.args[2])) : this.invalid();
    if (name === 'lerp') {
      if (!arity(3)) return this.invalid();
      const [a, b, w] = e.args.map((arg) => this.lower(arg));
      const span = g.sub(b, a);
      return g.select('lt', w, g.constant(0.5), g.add(a, g.mul(w, span)), g.sub(b, g.mul(span, g.sub(g.constant(1), w))));
    }
    const reduction = REDUCTIONS.has(name) && (name === 'dot' || count === 1 || (name !== 'max' && name !== 'min'));
    if (reduction || name === 'hvp' || LAYER_REDUCTIONS.has(name)) return this.lowerStage(e, name);
    const info = FUNCTIONS.get(name);
    if (!info || name === 'sum' || name === 'prod') {
      const suggestion = closestName(e.name, [...FUNCTIONS.keys(), ...REDUCTIONS.keys(), ...LAYER_REDUCTIONS.keys(), ...RULE_FUNCTIONS.keys()].filter((f) => f !== 'prod'));
      const message = this.bound.has(e.name) ? `'${e.name}' is not a function (write ${e.name}*(...) for a product)`
        : `Unknown function '${e.prefix ? `${e.prefix}.` : ''}${e.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`;
      this.sink.error(message, e.start, e.nameEnd);
      for (const arg of e.args) this.lower(arg);
      return this.invalid();
    }
    if (!arity(info.minArgs, info.maxArgs)) return this.invalid();
    return applyFunction(this.graph, name, e.args.map((arg) => this.lower(arg)));
  }

  /** where(condition, a, b): the condition is one comparison, or a value that holds when not 0. */
  private lowerWhere(condition: Expr, then: number, otherwise: number): number {
    const g = this.graph;
    if (condition.kind === 'compare') {
      if (condition.rest.length > 1) {
        this.sink.error('where takes one comparison (a < b), not a chain', condition.start, condition.end);
        return this.invalid();
      }
      const left = this.lower(condition.first);
      const { op, operand } = condition.rest[0];
      const right = this.lower(operand);
      switch (op) {
        case '<': return g.select('lt', left, right, then, otherwise);
        case '<=': return g.select('le', left, right, then, otherwise);
        case '>': return g.select('lt', right, left, then, otherwise);
        case '>=': return g.select('le', right, left, then, otherwise);
        case '==': return g.select('eq', left, right, then, otherwise);
        case '!=': return g.select('eq', left, right, otherwise, then);
      }
    }
    if (condition.kind === 'logic' || condition.kind === 'not') {
      this.sink.error('where takes one comparison: nest where(...) for and/or', condition.start, condition.end);
      return this.invalid();
    }
    return g.select('eq', this.lower(condition), g.constant(0), otherwise, then);
  }

  /** A reduction over the coordinates or over each layer, or hvp(v). */
  private lowerStage(e: Expr & { kind: 'call' }, name: string): number {
    const g = this.graph;
    const perLayer = LAYER_REDUCTIONS.has(name);
    if (!this.rule) {
      const what = name === 'hvp' ? 'multiplies by the Hessian at x' : perLayer ? 'reduces over each layer' : 'reduces over the coordinates';
      this.sink.error(`'${name}' ${what}: it is only available in the rule, below 'update'`, e.start, e.nameEnd);
      return this.invalid();
    }
    const base = perLayer ? name.slice(0, -'_layer'.length) : name;
    const wanted = base === 'dot' ? 2 : 1;
    if (e.args.length !== wanted) {
      this.sink.error(`'${name}' over the ${perLayer ? 'layer' : 'coordinates'} takes ${wanted === 1 ? 'one expression' : 'two expressions'}, got ${e.args.length}`, e.start, e.end);
      return this.invalid();
    }
    const args = e.args.map((arg) => this.lower(arg));
    const scalarAt = args.findIndex((id) => !this.isVector(id));
    if (scalarAt >= 0) {
      // (an argument that is already wrong, lowered to NaN, has its own message)
      if (!Number.isNaN(g.constantValue(args[scalarAt]) ?? 0)) {
        const what = name === 'hvp' ? 'multiplies the Hessian by a per-coordinate vector'
          : `reduces a per-coordinate value over ${perLayer ? 'each layer' : 'the coordinates'}`;
        this.sink.error(`'${name}' ${what}, but this is the same for every coordinate (it reads none of x, g or the state)`,
          e.args[scalarAt].start, e.args[scalarAt].end);
      }
      return this.invalid();
    }
    if (name === 'hvp') {
      const key = `hvp|${args[0]}`;
      const existing = this.stageIds.get(key);
      if (existing !== undefined) return existing;
      if (this.hvps >= MAX_HVPS) {
        this.sink.error(`At most ${MAX_HVPS} Hessian-vector products per rule`, e.start, e.end);
        return this.invalid();
      }
      const result = g.param(PARAM_HVP + this.hvps);
      this.stages.push({ kind: 'hvp', term: args[0], result, index: this.hvps++ });
      this.stageIds.set(key, result);
      return result;
    }
    const term = base === 'dot' ? g.mul(args[0], args[1]) : base === 'norm' ? g.pow(args[0], g.constant(2)) : args[0];
    const combine = base === 'max' || base === 'min' ? base : 'add';
    const finish = base === 'mean' ? 'mean' : base === 'norm' ? 'sqrt' : 'none';
    const key = `${perLayer ? 'layer|' : ''}${combine}|${finish}|${term}`;
    const existing = this.stageIds.get(key);
    if (existing !== undefined) return existing;
    if (perLayer) {
      if (this.layerReductions >= MAX_LAYER_REDUCTIONS) {
        this.sink.error(`At most ${MAX_LAYER_REDUCTIONS} per-layer reductions per rule`, e.start, e.end);
        return this.invalid();
      }
      const result = g.param(PARAM_LAYER + this.layerReductions);
      this.stages.push({ kind: 'layer', combine, term, finish, result, index: this.layerReductions++ });
      this.stageIds.set(key, result);
      return result;
    }
    if (this.reductions >= MAX_REDUCTIONS) {
      this.sink.error(`At most ${MAX_REDUCTIONS} reductions per rule`, e.start, e.end);
      return this.invalid();
    }
    const result = g.param(PARAM_REDUCTION + this.reductions++);
    this.stages.push({ kind: 'reduce', combine, term, finish, result });
    this.stageIds.set(key, result);
    return result;
  }
}

/** The names a hyper-parameter or state may not take. */
function refusedName(name: string): string | undefined {
  if (name === 'g') return "'g' is the gradient: it is read-only";
  if (name === 'hess_diag') return "'hess_diag' is the Hessian's diagonal: it is read-only";
  if (name === 'x') return "'x' is the parameters: assign it in the rule, it is not declared";
  if (name === 't') return "'t' is the step number: it is read-only";
  if (KEYWORDS.has(name) || RESERVED_WORDS.has(name)) return `'${name}' is a reserved word`;
  if (FUNCTIONS.has(name) || REDUCTIONS.has(name) || LAYER_REDUCTIONS.has(name) || RULE_FUNCTIONS.has(name) || FUNCTION_ALIASES.has(name)) return `'${name}' is a function: choose another name`;
  if (CONSTANTS.has(name)) return `'${name}' is a constant: choose another name`;
  return undefined;
}

/**
 * Parses and lowers an optimizer file. options override the hyper-parameters' defaults (by name; `betas` sets beta1
 * and beta2 as in PyTorch); values are numbers or true/false. Never throws.
 */
export function analyzeOptimizer(text: string, options: Record<string, unknown> = {}): OptimizerResult {
  const sink = new DiagnosticSink();
  const lines = new LineMap(text);
  try {
    const syntax = parseSyntax(text, sink);
    const lowering = new Lowering(sink, lines);
    const seen = new Map<string, string>();
    const declare = (d: Declared, what: string): boolean => {
      const refused = refusedName(d.name) ?? (what === 'state' && d.name === 'lr' ? "'lr' is the learning rate: declare its default with hyper lr = ..." : undefined);
      if (refused) {
        sink.error(refused, d.start, d.end);
        return false;
      }
      const before = seen.get(d.name);
      if (before) {
        sink.error(`'${d.name}' is already declared as a ${before}`, d.start, d.end);
        return false;
      }
      seen.set(d.name, what);
      return true;
    };
    const overrides = resolveOptions(syntax.hypers.map((h) => h.name), options);
    for (const s of syntax.states) lowering.later.set(s.name, { start: s.start, what: 'declared' });
    const hypers: HyperDeclaration[] = [];
    for (const h of syntax.hypers) {
      if (!declare(h, 'hyper-parameter')) continue;
      const id = lowering.lower(h.expr);
      const value = overrides.get(h.name) ?? lowering.graph.evaluate([id], [])[0];
      hypers.push({ name: h.name, start: h.start, end: h.end, value });
      // (in the rule, lr is this step's learning rate instead of its default)
      lowering.bound.set(h.name, { id: lowering.graph.constant(value) });
    }
    const states: StateDeclaration[] = [];
    for (const s of syntax.states) {
      lowering.later.delete(s.name);
      if (!declare(s, 'state')) continue;
      const initial = lowering.graph.evaluate([lowering.lower(s.expr)], [])[0];
      states.push({ name: s.name, start: s.start, end: s.end, initial, scalar: s.scalar });
    }
    for (const [scalar, most] of [[false, MAX_STATES], [true, MAX_SCALAR_STATES]] as const) {
      const kind = states.filter((s) => s.scalar === scalar);
      const what = scalar ? 'scalar states' : 'states';
      if (kind.length > most) sink.error(`At most ${most} ${what} per optimizer, this one has ${kind.length}`, kind[most].start, kind[most].end);
    }
    // maximize (every built-in's option, default false): the rule sees the negated gradient as g, as torch's maximize=True
    const maximize = (hypers.find((h) => h.name === 'maximize')?.value ?? overrides.get('maximize') ?? 0) !== 0;
    const rule = lowerRule(lowering, syntax, states, sink, maximize);
    if (sink.hasErrors || !syntax.name) return { ok: false, diagnostics: toDiagnostics(sink, lines) };
    const lr = hypers.find((h) => h.name === 'lr')?.value ?? overrides.get('lr') ?? DEFAULT_LR;
    const seed = hypers.find((h) => h.name === 'seed')?.value ?? overrides.get('seed') ?? DEFAULT_SEED;
    if (rule.usesRandom && !(Number.isInteger(seed) && seed >= 0 && seed <= LIMITS.maxSeed)) {
      throw new OptionError(`Option 'seed' must be an integer from 0 to ${LIMITS.maxSeed}, got ${seed}`);
    }
    return { ok: true, optimizer: { name: syntax.name.name, hypers, states, lr, rule, seed }, warnings: toDiagnostics(sink, lines) };
  } catch (error) {
    if (error instanceof OptionError) throw error;
    const message = error instanceof GraphTooLarge ? `This rule is too large to compile (${error.message})`
      : `Internal error in the optimizer compiler: ${error instanceof Error ? error.message : String(error)}`;
    sink.error(message, 0, text.length);
    return { ok: false, diagnostics: toDiagnostics(sink, lines) };
  }
}

function lowerRule(lowering: Lowering, syntax: Syntax, states: StateDeclaration[], sink: DiagnosticSink, maximize: boolean): LoweredRule {
  const g = lowering.graph;
  lowering.rule = true;
  const xInput = g.param(PARAM_X);
  lowering.bound.set('x', { id: xInput });
  lowering.bound.set('g', { id: maximize ? g.neg(g.param(PARAM_G)) : g.param(PARAM_G) });
  lowering.bound.set('t', { id: g.param(PARAM_T) });
  lowering.bound.set('lr', { id: g.param(PARAM_LR) });
  lowering.bound.set('hess_diag', { id: g.param(PARAM_HESS_DIAG) });
  const vectors = states.filter((s) => !s.scalar);
  const scalars = states.filter((s) => s.scalar);
  const stateInputs = vectors.map((s, k) => g.param(PARAM_STATE + k));
  const scalarInputs = scalars.map((s, k) => g.param(PARAM_SCALAR_STATE + k));
  vectors.forEach((s, k) => lowering.bound.set(s.name, { id: stateInputs[k] }));
  scalars.forEach((s, k) => lowering.bound.set(s.name, { id: scalarInputs[k] }));
  const stateIndex = new Map(vectors.map((s, k) => [s.name, k]));
  const scalarIndex = new Map(scalars.map((s, k) => [s.name, k]));
  // a state declared below the rule's first lines: uses above its declaration are errors
  for (const s of states) if (syntax.update && s.start > syntax.update.start) lowering.later.set(s.name, { start: s.start, what: 'declared' });
  const hyperNames = new Set(syntax.hypers.map((h) => h.name));
  for (const statement of syntax.body) {
    if (!lowering.bound.has(statement.name) && !lowering.later.has(statement.name)) {
      lowering.later.set(statement.name, { start: statement.start, what: 'assigned' });
    }
  }
  const newStates = [...stateInputs];
  const newScalars = [...scalarInputs];
  let x = xInput;
  let assignsX = false;
  for (const statement of syntax.body) {
    const { name, start, end } = statement;
    if (lowering.later.get(name)?.start === start) lowering.later.delete(name);
    const value = lowering.lower(statement.expr);
    let refused: string | undefined;
    if (name === 'g' || name === 't' || name === 'hess_diag') refused = `'${name}' is ${INPUTS.get(name)}: give the new value another name`;
    else if (name === 'lr') refused = "'lr' is this step's learning rate (read-only): give the new value another name";
    else if (hyperNames.has(name)) refused = `'${name}' is a hyper-parameter (a constant): give the new value another name`;
    else if (scalarIndex.has(name) && lowering.isVector(value)) {
      refused = `'${name}' is a scalar state: give it a value that is the same for every coordinate (a reduction such as sum(...), or t, lr, ...)`;
    } else if (name !== 'x' && !stateIndex.has(name) && !scalarIndex.has(name)) refused = refusedName(name);
    if (refused) {
      sink.error(refused, start, end);
      continue;
    }
    lowering.bound.set(name, { id: value });
    if (name === 'x') {
      x = value;
      assignsX = true;
    }
    const k = stateIndex.get(name);
    if (k !== undefined) newStates[k] = value;
    const j = scalarIndex.get(name);
    if (j !== undefined) newScalars[j] = value;
  }
  if (syntax.update && syntax.body.length > 0 && !assignsX) {
    sink.error("The rule never moves the parameters: assign x, as in x = x - lr*g", syntax.update.start, syntax.update.end);
  }
  const stages = lowering.stages;
  const reads = g.reachable([x, ...newStates, ...newScalars, ...stages.map((s) => s.term)]);
  const hvps = stages.filter((s) => s.kind === 'hvp').length;
  const layerReductions = stages.filter((s) => s.kind === 'layer').length;
  return {
    graph: g, x, states: newStates, scalars: newScalars, stages, usesHessian: reads[g.param(PARAM_HESS_DIAG)] === 1 || hvps > 0, hvps, layerReductions,
    usesRandom: reads[g.param(PARAM_RANDOM)] === 1,
  };
}

/** A run's options that do not fit the optimizer (an unknown name, a value that is not a number). */
export class OptionError extends Error {}

function resolveOptions(declared: string[], options: Record<string, unknown>): Map<string, number> {
  const resolved = new Map<string, number>();
  const valid = [...['lr', 'maximize', 'seed'].filter((name) => !declared.includes(name)), ...declared];
  const set = (name: string, value: unknown): void => {
    if (typeof value === 'boolean') resolved.set(name, value ? 1 : 0);
    else if (typeof value === 'number' && !Number.isNaN(value)) resolved.set(name, value);
    else throw new OptionError(`Option '${name}' must be a number or true/false, got ${JSON.stringify(value) ?? String(value)}`);
  };
  for (const [key, value] of Object.entries(options)) {
    if (key === 'betas' && !declared.includes('betas') && declared.includes('beta1') && declared.includes('beta2')) {
      if (!Array.isArray(value) || value.length !== 2) throw new OptionError(`Option 'betas' must be a pair of numbers such as [0.9, 0.999], got ${JSON.stringify(value)}`);
      set('beta1', value[0]);
      set('beta2', value[1]);
      continue;
    }
    if (!valid.includes(key)) {
      const suggestion = closestName(key, valid);
      throw new OptionError(`Unknown option '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} This optimizer's options: ${valid.join(', ')}`);
    }
    set(key, value);
  }
  return resolved;
}

/** The rule as written, for the inspector's equations (src/loss/optim/equations.ts); undefined when the file has errors. */
export function optimizerRuleSyntax(text: string): { name: string; states: { name: string; scalar: boolean }[]; body: { target: string; expr: Expr }[] } | undefined {
  const sink = new DiagnosticSink();
  const syntax = parseSyntax(text, sink);
  if (sink.hasErrors || !syntax.name) return undefined;
  return { name: syntax.name.name, states: syntax.states.map((s) => ({ name: s.name, scalar: s.scalar })), body: syntax.body.map((b) => ({ target: b.name, expr: b.expr })) };
}
