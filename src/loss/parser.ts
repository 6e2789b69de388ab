// Recursive-descent parser: tokens -> statements with expression trees. One error per statement; parsing resumes
// at the next line. Chains of + - and * / %, comparisons, and/or are kept flat so that long ones do not make deep trees.
// Precedence, loosest first: or, and, not, comparisons, + -, * / %, unary minus, power.
import { DiagnosticSink } from './diagnostics';
import { Token, tokenize } from './lexer';

export const MAX_NESTING = 200;

interface Span {
  start: number;
  end: number;
}

export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';
const COMPARISON_OPERATORS: readonly string[] = ['<', '<=', '>', '>=', '==', '!='];

export type Expr =
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'name'; name: string; prefix: string })
  | (Span & { kind: 'index'; name: string; nameEnd: number; index: Expr; column?: Expr })
  | (Span & { kind: 'call'; name: string; prefix: string; nameEnd: number; args: Expr[] })
  | (Span & { kind: 'reduce'; op: 'sum' | 'prod'; variable: string; variableStart: number; variableEnd: number; from: Expr; to: Expr; body: Expr })
  | (Span & { kind: 'negate'; operand: Expr })
  | (Span & { kind: 'power'; base: Expr; exponent: Expr })
  | (Span & { kind: 'chain'; first: Expr; rest: { op: '+' | '-' | '*' | '/' | '%'; opStart: number; operand: Expr }[] })
  // Condition-only forms (a loss rejects them): true/false, comparisons (a < b < c means a < b and b < c), logic.
  | (Span & { kind: 'bool'; value: boolean })
  | (Span & { kind: 'compare'; first: Expr; rest: { op: ComparisonOperator; opStart: number; opEnd: number; operand: Expr }[] })
  | (Span & { kind: 'logic'; op: 'and' | 'or'; opStart: number; opEnd: number; operands: Expr[] })
  | (Span & { kind: 'not'; opEnd: number; operand: Expr });

export interface Name extends Span {
  name: string;
}

/** A parameter reference in a scenario line: `w1` or `x[2]`. */
export interface ParamRef extends Span {
  name: string;
  index?: Expr;
}

export type OptionValue =
  | (Span & { kind: 'expr'; expr: Expr })
  | (Span & { kind: 'tuple'; items: Expr[] })
  | (Span & { kind: 'bool'; value: boolean })
  | (Span & { kind: 'string'; value: string });

export type Statement =
  | (Span & { kind: 'loss'; expr: Expr; assigned: boolean })
  | (Span & { kind: 'define'; target: Name; expr: Expr })
  | (Span & { kind: 'params'; entries: { name: Name; size?: Expr }[] })
  | (Span & { kind: 'domain'; entries: { target?: ParamRef; low: Expr; high: Expr }[] })
  | (Span & { kind: 'points'; which: 'start' | 'minima'; points: OptionValue[] })
  | (Span & { kind: 'steps'; expr: Expr })
  /**
   * `optimizer NAME k=v ...`, `schedule NAME k=v ...` (the optimizer line above's lr schedule), `builtin NAME k=v ...` (a
   * built-in loss). `optimizer "lion.optim" lr=1e-4` names a written optimizer's file: `file`, and `name` holds its path.
   */
  | (Span & { kind: 'optimizer' | 'schedule' | 'builtin'; name: Name; options: { name: Name; value: OptionValue }[]; file?: Span & { path: string } })
  | (Span & { kind: 'stochastic'; keyword: Span; options: { name: Name; value: OptionValue }[] })
  /** `record every=10`: the panels keep every 10th step's parameters (every step's loss). */
  | (Span & { kind: 'record'; keyword: Span; options: { name: Name; value: OptionValue }[] })
  /** `data x, y = [rows]`, `data "file.csv"` or a generated set `data spiral arms=3`; options (test=...) after the rows, file or generator. */
  | (Span & {
    kind: 'data'; keyword: Span; names: Name[]; rows?: DataRow[]; file?: Span & { path: string }; generator?: Name;
    formula?: DataFormula; options: { name: Name; value: OptionValue }[]; broken?: boolean;
  })
  /** `network 2-8-1 activation=tanh ...`: the widths (inputs to outputs) and the options. */
  | (Span & { kind: 'network'; keyword: Span; widths: (Span & { value: number })[]; options: { name: Name; value: OptionValue }[]; broken?: boolean });

/** A set defined by a formula, `data x1 in [-1, 1], x2 in [-1, 1], y = x2 > sin(3*x1)`: inputs' ranges, the label's expression. */
export interface DataFormula {
  ranges: { name: Name; low: Expr; high: Expr }[];
  target: Name;
  expr: Expr;
}

/** A row of inline data: its numbers and where it is. */
export interface DataRow extends Span {
  values: number[];
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

export const LOSS_NAMES = new Set(['f', 'loss']);

const KEYWORD_OPERATORS = new Set(['and', 'or', 'not']);
const BOOLEAN_WORDS = new Map([['true', true], ['false', false], ['True', true], ['False', false]]);
/** Words the expression grammar reserves; they cannot name parameters or constants. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([...KEYWORD_OPERATORS, ...BOOLEAN_WORDS.keys()]);

export function parseStatements(text: string, sink: DiagnosticSink): Statement[] {
  return new Parser(tokenize(text, sink), sink).parseFile();
}

/** A breakpoint condition: one expression; undefined when the text is empty or does not parse (errors are in sink). */
export function parseCondition(text: string, sink: DiagnosticSink): Expr | undefined {
  return new Parser(tokenize(text, sink), sink).parseSingleExpression();
}

/**
 * One expression from a slice of tokens (the optimizer language splits its lines itself); undefined when the slice is empty
 * or does not parse (errors are in sink).
 */
export function parseExpressionTokens(tokens: Token[], sink: DiagnosticSink): Expr | undefined {
  const at = tokens.length > 0 ? tokens[tokens.length - 1].end : 0;
  return new Parser([...tokens, { kind: 'end', text: '', value: NaN, prefix: '', start: at, end: at }], sink).parseSingleExpression();
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the input';
  if (token.kind === 'newline') return 'the end of the line';
  if (token.kind === 'string') return 'a string';
  return `'${token.prefix ? token.prefix + '.' : ''}${token.text}'`;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly sink: DiagnosticSink,
  ) {}

  parseFile(): Statement[] {
    const statements: Statement[] = [];
    while (this.peek().kind !== 'end' && !this.sink.full) {
      if (this.peek().kind === 'newline') {
        this.pos++;
        continue;
      }
      try {
        this.depth = 0;
        statements.push(this.parseStatement());
        const next = this.peek();
        if (next.kind !== 'newline' && next.kind !== 'end') throw this.unexpectedAfterStatement(next);
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        this.sink.error(error.message, error.start, error.end);
        while (this.peek().kind !== 'newline' && this.peek().kind !== 'end') this.pos++;
      }
    }
    return statements;
  }

  parseSingleExpression(): Expr | undefined {
    this.skipNewlines();
    if (this.peek().kind === 'end') return undefined;
    try {
      const expr = this.parseExpression();
      const lineEnds = this.skipNewlines();
      const next = this.peek();
      if (next.kind === 'end') return expr;
      if (lineEnds) throw this.error("A condition is a single expression: combine conditions with 'and' or 'or'", next);
      if (this.isSymbol('=')) throw this.error("Use '==' to compare ('=' is not a comparison)", next);
      throw this.unexpectedAfterStatement(next);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.sink.error(error.message, error.start, error.end);
      return undefined;
    }
  }

  /** Skips line ends (and ';'); returns whether there were any. */
  private skipNewlines(): boolean {
    const start = this.pos;
    while (this.peek().kind === 'newline') this.pos++;
    return this.pos > start;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.pos++;
    return token;
  }

  private isSymbol(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'symbol' && token.text === text;
  }

  private isWord(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'name' && token.prefix === '' && token.text === text;
  }

  private error(message: string, token: Token): ParseError {
    return new ParseError(message, token.start, token.end);
  }

  private expectSymbol(text: string, what: string): Token {
    if (!this.isSymbol(text)) throw this.error(`Expected '${text}' ${what}, found ${describe(this.peek())}`, this.peek());
    return this.next();
  }

  private expectName(what: string): Name {
    const token = this.peek();
    if (token.kind !== 'name' || token.prefix) throw this.error(`Expected ${what}, found ${describe(token)}`, token);
    this.pos++;
    return { name: token.text, start: token.start, end: token.end };
  }

  private unexpectedAfterStatement(token: Token): ParseError {
    const previous = this.tokens[this.pos - 1];
    if (token.kind === 'symbol' && (token.text === ')' || token.text === ']')) {
      return this.error(`Unmatched '${token.text}'`, token);
    }
    if (previous && (token.kind === 'name' || token.kind === 'number' || this.isSymbol('('))) {
      const left = previous.kind === 'number' ? previous.text : 'a';
      const right = token.kind === 'name' ? token.text : token.kind === 'number' ? token.text : '(...)';
      return this.error(`Missing operator before ${describe(token)} (write ${left}*${right} for a product)`, token);
    }
    return this.error(`Unexpected ${describe(token)}`, token);
  }

  private parseStatement(): Statement {
    const first = this.peek();
    if (first.kind === 'name' && !first.prefix) {
      const keyword = first.text;
      const assigns = this.isSymbol('=', 1);
      if (keyword === 'params' && !assigns) return this.parseParams();
      if (keyword === 'domain' && !assigns) return this.parseDomain();
      if ((keyword === 'optimizer' || keyword === 'schedule' || keyword === 'builtin') && !assigns) return this.parseNamed(keyword);
      if ((keyword === 'stochastic' || keyword === 'record') && !assigns) {
        this.next();
        const options = this.parseOptions();
        return { kind: keyword, keyword: first, options, start: first.start, end: this.tokens[this.pos - 1].end };
      }
      if (keyword === 'data' && !assigns) return this.parseData();
      if (keyword === 'network' && !assigns) return this.parseNetwork();
      if (assigns) {
        this.pos += 2;
        if (keyword === 'start' || keyword === 'minimum' || keyword === 'minima') {
          const points = [this.parseValue()];
          while (this.isSymbol(',')) {
            this.next();
            points.push(this.parseValue());
          }
          const which = keyword === 'start' ? 'start' : 'minima';
          return { kind: 'points', which, points, start: first.start, end: this.tokens[this.pos - 1].end };
        }
        const expr = this.parseExpression();
        if (keyword === 'steps') return { kind: 'steps', expr, start: first.start, end: expr.end };
        if (LOSS_NAMES.has(keyword)) return { kind: 'loss', expr, assigned: true, start: first.start, end: expr.end };
        return { kind: 'define', target: { name: keyword, start: first.start, end: first.end }, expr, start: first.start, end: expr.end };
      }
    }
    const expr = this.parseExpression();
    return { kind: 'loss', expr, assigned: false, start: expr.start, end: expr.end };
  }

  /** `params w1, w2, b` or `params x[10]`. */
  private parseParams(): Statement {
    const keyword = this.next();
    const entries: { name: Name; size?: Expr }[] = [];
    do {
      if (entries.length > 0) this.next();
      const name = this.expectName('a parameter name');
      let size: Expr | undefined;
      if (this.isSymbol('[')) {
        this.next();
        size = this.parseExpression();
        this.expectSymbol(']', 'after the vector size');
      }
      entries.push({ name, size });
    } while (this.isSymbol(','));
    return { kind: 'params', entries, start: keyword.start, end: this.tokens[this.pos - 1].end };
  }

  /** `domain x in [-2, 2], y in [-1, 3]` or `domain [-2, 2]` for both axes. */
  private parseDomain(): Statement {
    const keyword = this.next();
    const entries: { target?: ParamRef; low: Expr; high: Expr }[] = [];
    do {
      if (entries.length > 0) this.next();
      let target: ParamRef | undefined;
      if (!this.isSymbol('[') && !this.isSymbol('(')) {
        const name = this.expectName("a parameter name or '['");
        target = { ...name };
        if (this.isSymbol('[')) {
          this.next();
          target.index = this.parseExpression();
          target.end = this.expectSymbol(']', 'after the index').end;
        }
        if (!this.isWord('in')) throw this.error(`Expected 'in' after '${name.name}', as in: domain x in [-2, 2]`, this.peek());
        this.next();
      }
      const open = this.peek();
      if (!this.isSymbol('[') && !this.isSymbol('(')) throw this.error(`Expected an interval such as [-2, 2], found ${describe(open)}`, open);
      this.next();
      const low = this.parseExpression();
      this.expectSymbol(',', 'between the interval bounds');
      const high = this.parseExpression();
      this.expectSymbol(open.text === '[' ? ']' : ')', 'to close the interval');
      entries.push({ target, low, high });
    } while (this.isSymbol(','));
    return { kind: 'domain', entries, start: keyword.start, end: this.tokens[this.pos - 1].end };
  }

  /** `optimizer adam lr=0.05 betas=(0.9, 0.999)`, `schedule cosine T_max=100`, `builtin reddi C=3`; commas between options are optional. */
  private parseNamed(kind: 'optimizer' | 'schedule' | 'builtin'): Statement {
    const keyword = this.next();
    const example = { optimizer: 'an optimizer name or a .optim file in quotes, as in: optimizer adam lr=0.01 or optimizer "lion.optim"', schedule: 'a schedule name, as in: schedule cosine T_max=100', builtin: 'a built-in loss name, as in: builtin reddi C=3' };
    if (kind === 'optimizer' && this.peek().kind === 'string') {
      const token = this.next();
      const file = { path: token.text, start: token.start, end: token.end };
      const options = this.parseOptions();
      return { kind, name: { name: file.path, start: file.start, end: file.end }, file, options, start: keyword.start, end: this.tokens[this.pos - 1].end };
    }
    const name = this.expectName(example[kind]);
    const options = this.parseOptions();
    return { kind, name, options, start: keyword.start, end: this.tokens[this.pos - 1].end };
  }

  /** `name=value` pairs to the end of the line (after the keyword or optimizer name); commas are optional. */
  private parseOptions(): { name: Name; value: OptionValue }[] {
    const options: { name: Name; value: OptionValue }[] = [];
    while (this.peek().kind !== 'newline' && this.peek().kind !== 'end') {
      if (options.length > 0 && this.isSymbol(',')) this.next();
      const option = this.expectName('an option name, as in lr=0.01');
      this.expectSymbol('=', `after '${option.name}'`);
      options.push({ name: option, value: this.parseValue() });
    }
    return options;
  }

  /** `network 2-8-8-1 activation=tanh loss=mse`: widths joined by '-', then options. */
  private parseNetwork(): Statement {
    const keyword = this.next();
    const widths: (Span & { value: number })[] = [];
    try {
      do {
        if (widths.length > 0) this.next();
        const token = this.peek();
        if (token.kind !== 'number') throw this.error(`Expected a layer width, found ${describe(token)}; widths are joined by '-', as in: network 2-8-1`, token);
        this.next();
        widths.push({ value: token.value, start: token.start, end: token.end });
      } while (this.isSymbol('-'));
      const options = this.parseOptions();
      return { kind: 'network', keyword, widths, options, start: keyword.start, end: this.tokens[this.pos - 1].end };
    } catch (error) {
      // Keep the statement (the file still defines a network: no default parameters); skip the rest of the line.
      if (!(error instanceof ParseError)) throw error;
      this.sink.error(error.message, error.start, error.end);
      while (this.peek().kind !== 'end' && this.peek().kind !== 'newline') this.pos++;
      return { kind: 'network', keyword, widths, options: [], broken: true, start: keyword.start, end: this.tokens[this.pos - 1].end };
    }
  }

  /**
   * `data "points.csv"`, `data x, y = "points.csv"`, `data x, y = [1, 2; 3, 4]` (rows end with ';') or a generated set
   * `data spiral arms=3 samples=300`; options such as test=0.2 follow.
   */
  private parseData(): Statement {
    const keyword = this.next();
    const names: Name[] = [];
    const file = (): Span & { path: string } => {
      const token = this.next();
      return { path: token.text, start: token.start, end: token.end };
    };
    const withOptions = (statement: Statement & { kind: 'data' }): Statement => {
      const options = this.parseOptions();
      return options.length > 0 ? { ...statement, options, end: this.tokens[this.pos - 1].end } : statement;
    };
    if (this.peek().kind === 'string') {
      const source = file();
      return withOptions({ kind: 'data', keyword, names, file: source, options: [], start: keyword.start, end: source.end });
    }
    if (this.peek().kind === 'name' && this.isWord('in', 1)) return withOptions(this.parseDataFormula(keyword));
    // A generator's name: a name followed by its options or the end of the line (column names take ',' or '=').
    if (this.peek().kind === 'name' && !this.isSymbol(',', 1) && !this.isSymbol('=', 1)) {
      const generator = this.expectName('a data set');
      return withOptions({ kind: 'data', keyword, names, generator, options: [], start: keyword.start, end: generator.end });
    }
    do {
      if (names.length > 0) this.next();
      names.push(this.expectName('a column name or a file name in quotes, as in: data x, y = [1, 2; 3, 4] or data "points.csv"'));
    } while (this.isSymbol(','));
    this.expectSymbol('=', 'after the column names, then the rows in [ ] or a file name in quotes');
    if (this.peek().kind === 'string') {
      const source = file();
      return withOptions({ kind: 'data', keyword, names, file: source, options: [], start: keyword.start, end: source.end });
    }
    const open = this.expectSymbol('[', 'before the rows (or a file name in quotes), as in [1, 2; 3, 4]');
    const rows: DataRow[] = [];
    try {
      while (!this.isSymbol(']')) {
        const values: number[] = [];
        const first = this.peek();
        while (!this.isSymbol(';') && !this.isSymbol(']')) {
          if (values.length > 0) this.expectSymbol(',', "between the values of a row (';' ends a row)");
          values.push(this.dataNumber());
        }
        if (values.length > 0) rows.push({ values, start: first.start, end: this.tokens[this.pos - 1].end });
        if (this.isSymbol(';')) this.next();
      }
    } catch (error) {
      // Keep the column names (uses in the loss stay known); skip the rest of the rows.
      if (!(error instanceof ParseError)) throw error;
      const closed = this.tokens.slice(this.pos).some((t) => t.kind === 'symbol' && t.text === ']');
      if (closed) this.sink.error(error.message, error.start, error.end);
      else this.sink.error("Missing ']' to close these data rows", open.start, open.end);
      while (!this.isSymbol(']') && this.peek().kind !== 'end' && this.peek().kind !== 'newline') this.pos++;
      if (this.isSymbol(']')) this.next();
      return { kind: 'data', keyword, names, rows, options: [], broken: true, start: keyword.start, end: this.tokens[this.pos - 1].end };
    }
    const close = this.next();
    return withOptions({ kind: 'data', keyword, names, rows, options: [], start: keyword.start, end: close.end });
  }

  /** `x1 in [-1, 1], x2 in [-1, 1], y = x2 > sin(3*x1)`: the label's expression runs to the first option (name=). */
  private parseDataFormula(keyword: Span): Statement & { kind: 'data' } {
    const ranges: DataFormula['ranges'] = [];
    while (this.peek().kind === 'name' && this.isWord('in', 1)) {
      const name = this.expectName('an input name');
      this.next();
      this.expectSymbol('[', `after '${name.name} in', as in: ${name.name} in [-1, 1]`);
      const low = this.parseExpression();
      this.expectSymbol(',', 'between the bounds of the range');
      const high = this.parseExpression();
      this.expectSymbol(']', 'to close the range');
      ranges.push({ name, low, high });
      this.expectSymbol(',', "after an input's range, then the next input or the label, as in: data x1 in [-1, 1], y = x1 > 0");
    }
    const target = this.expectName('the label column and its expression, as in: y = x2 > sin(3*x1)');
    this.expectSymbol('=', `after '${target.name}', then the label's expression`);
    let end = this.pos;
    const stops = (i: number): boolean => {
      const token = this.tokens[i];
      if (token.kind === 'newline' || token.kind === 'end') return true;
      const next = this.tokens[i + 1];
      return token.kind === 'name' && next.kind === 'symbol' && next.text === '=';
    };
    while (!stops(end)) end++;
    if (end === this.pos) throw this.error(`Expected the label's expression after '${target.name} =', as in: ${target.name} = x2 > sin(3*x1)`, this.peek());
    const expr = parseExpressionTokens(this.tokens.slice(this.pos, end), this.sink);
    this.pos = end;
    const names = [...ranges.map((r) => r.name), target];
    const last = this.tokens[end - 1].end;
    if (!expr) return { kind: 'data', keyword, names, options: [], broken: true, start: keyword.start, end: last };
    return { kind: 'data', keyword, names, formula: { ranges, target, expr }, options: [], start: keyword.start, end: last };
  }

  /** A number with an optional sign. */
  private dataNumber(): number {
    const sign = this.isSymbol('-') ? -1 : 1;
    if (this.isSymbol('-') || this.isSymbol('+')) this.next();
    const token = this.peek();
    if (token.kind !== 'number') {
      throw this.error(`Data values must be numbers, found ${describe(token)}`, token);
    }
    this.next();
    return sign * token.value;
  }

  /** An expression, a tuple `(a, b)` / `[a, b]`, true/false, or a string in double quotes. */
  private parseValue(): OptionValue {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return { kind: 'string', value: token.text, start: token.start, end: token.end };
    }
    if (token.kind === 'name' && !token.prefix && /^(true|false|True|False)$/.test(token.text)) {
      this.next();
      return { kind: 'bool', value: token.text.toLowerCase() === 'true', start: token.start, end: token.end };
    }
    if (this.isSymbol('(') || this.isSymbol('[')) {
      const close = token.text === '(' ? ')' : ']';
      const save = this.pos;
      this.next();
      const items = [this.parseExpression()];
      if (this.isSymbol(',') || token.text === '[') {
        while (this.isSymbol(',')) {
          this.next();
          if (this.isSymbol(close)) break;
          items.push(this.parseExpression());
        }
        const end = this.expectSymbol(close, 'to close the list').end;
        return { kind: 'tuple', items, start: token.start, end };
      }
      this.pos = save;
    }
    const expr = this.parseExpression();
    return { kind: 'expr', expr, start: expr.start, end: expr.end };
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) {
      throw this.error(`Expression nested too deeply (more than ${MAX_NESTING} levels)`, this.peek());
    }
  }

  parseExpression(): Expr {
    this.enter();
    const expr = this.parseLogic('or');
    this.depth--;
    return expr;
  }

  /** `a or b or ...` (also `||`), whose operands are `a and b and ...` (also `&&`). */
  private parseLogic(op: 'and' | 'or'): Expr {
    const operand = (): Expr => (op === 'or' ? this.parseLogic('and') : this.parseNot());
    const isOperator = (): boolean => (op === 'or' ? this.isWord('or') || this.isSymbol('||') : this.isWord('and') || this.isSymbol('&&'));
    const first = operand();
    if (!isOperator()) return first;
    const operator = this.peek();
    const operands = [first];
    while (isOperator()) {
      this.next();
      operands.push(operand());
    }
    const end = operands[operands.length - 1].end;
    return { kind: 'logic', op, opStart: operator.start, opEnd: operator.end, operands, start: first.start, end };
  }

  /** `not a` / `!a` binds looser than comparisons: `not x < 1` is `not (x < 1)`. */
  private parseNot(): Expr {
    if (!this.isWord('not') && !this.isSymbol('!')) return this.parseComparison();
    const operator = this.next();
    this.enter();
    const operand = this.parseNot();
    this.depth--;
    return { kind: 'not', opEnd: operator.end, operand, start: operator.start, end: operand.end };
  }

  private parseComparison(): Expr {
    const first = this.parseSum();
    const rest: { op: ComparisonOperator; opStart: number; opEnd: number; operand: Expr }[] = [];
    while (this.peek().kind === 'symbol' && COMPARISON_OPERATORS.includes(this.peek().text)) {
      const operator = this.next();
      rest.push({ op: operator.text as ComparisonOperator, opStart: operator.start, opEnd: operator.end, operand: this.parseSum() });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest, start: first.start, end: rest[rest.length - 1].operand.end };
  }

  private parseSum(): Expr {
    const first = this.parseTerm();
    const rest: { op: '+' | '-'; opStart: number; operand: Expr }[] = [];
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const operator = this.next();
      rest.push({ op: operator.text as '+' | '-', opStart: operator.start, operand: this.parseTerm() });
    }
    return rest.length === 0 ? first : { kind: 'chain', first, rest, start: first.start, end: rest[rest.length - 1].operand.end };
  }

  private parseTerm(): Expr {
    const first = this.parseUnary();
    const rest: { op: '*' | '/' | '%'; opStart: number; operand: Expr }[] = [];
    while (this.isSymbol('*') || this.isSymbol('/') || this.isSymbol('%')) {
      const operator = this.next();
      rest.push({ op: operator.text as '*' | '/' | '%', opStart: operator.start, operand: this.parseUnary() });
    }
    return rest.length === 0 ? first : { kind: 'chain', first, rest, start: first.start, end: rest[rest.length - 1].operand.end };
  }

  /** Unary minus binds looser than a power, as in Python: -x^2 = -(x^2), 2^-x = 2^(-x). */
  private parseUnary(): Expr {
    if (this.isSymbol('-') || this.isSymbol('+')) {
      const sign = this.next();
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return sign.text === '+' ? operand : { kind: 'negate', operand, start: sign.start, end: operand.end };
    }
    return this.parsePower();
  }

  /** `^` and `**` are the same operator, right-associative. */
  private parsePower(): Expr {
    const base = this.parsePrimary();
    if (!this.isSymbol('^') && !this.isSymbol('**')) return base;
    this.next();
    this.enter();
    const exponent = this.parseUnary();
    this.depth--;
    return { kind: 'power', base, exponent, start: base.start, end: exponent.end };
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    if (token.kind === 'string') {
      // Reported, then read as 0 so the rest of the statement is still checked (code pasted with strings in it).
      this.sink.error('Text in double quotes is only for run labels (optimizer ... label="...") and data files (data "points.csv")', token.start, token.end);
      this.next();
      return { kind: 'number', value: 0, start: token.start, end: token.end };
    }
    if (token.kind === 'number') {
      this.next();
      return { kind: 'number', value: token.value, start: token.start, end: token.end };
    }
    if (token.kind === 'name') {
      if (!token.prefix && KEYWORD_OPERATORS.has(token.text)) throw this.error(`Expected an expression before '${token.text}'`, token);
      this.next();
      if (this.isSymbol('(')) return this.parseCall(token);
      if (this.isSymbol('[')) {
        this.next();
        const index = this.parseExpression();
        let column: Expr | undefined;
        if (this.isSymbol(',')) {
          this.next();
          column = this.parseExpression();
        }
        const close = this.expectSymbol(']', 'after the index');
        return { kind: 'index', name: token.text, nameEnd: token.end, index, column, start: token.start, end: close.end };
      }
      if (!token.prefix && BOOLEAN_WORDS.has(token.text)) return { kind: 'bool', value: BOOLEAN_WORDS.get(token.text)!, start: token.start, end: token.end };
      return { kind: 'name', name: token.text, prefix: token.prefix, start: token.start, end: token.end };
    }
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.parseExpression();
      if (!this.isSymbol(')')) {
        const found = this.peek();
        if (found.kind === 'end' || found.kind === 'newline') throw this.error("Missing ')' for this '('", token);
        throw this.error(`Expected ')' to close '(', found ${describe(found)}`, found);
      }
      const close = this.next();
      return { ...inner, start: token.start, end: close.end };
    }
    if (token.kind === 'end' || token.kind === 'newline') {
      const previous = this.tokens[this.pos - 1];
      const at = previous ?? token;
      throw new ParseError(`Expected an expression after ${previous ? describe(previous) : 'this'}`, at.start, at.end);
    }
    throw this.error(`Expected a number, a name or '(', found ${describe(token)}`, token);
  }

  private parseCall(name: Token): Expr {
    const open = this.next();
    if (!name.prefix && (name.text === 'sum' || name.text === 'prod') && this.peek().kind === 'name' && this.isSymbol('=', 1)) {
      return this.parseReduce(name);
    }
    const args: Expr[] = [];
    if (!this.isSymbol(')')) {
      args.push(this.parseExpression());
      while (this.isSymbol(',')) {
        this.next();
        args.push(this.parseExpression());
      }
    }
    if (!this.isSymbol(')')) {
      const found = this.peek();
      if (found.kind === 'end' || found.kind === 'newline') throw this.error(`Missing ')' to close '${name.text}('`, open);
      throw this.error(`Expected ',' or ')' in the arguments of '${name.text}', found ${describe(found)}`, found);
    }
    const close = this.next();
    return { kind: 'call', name: name.text, prefix: name.prefix, nameEnd: name.end, args, start: name.start, end: close.end };
  }

  /** `sum(i = 1..n, body)` and `prod(i = 1..n, body)`; the bounds are inclusive. */
  private parseReduce(name: Token): Expr {
    const variable = this.next();
    this.next();
    const from = this.parseExpression();
    this.expectSymbol('..', `between the bounds, as in ${name.text}(i = 1..n, ...)`);
    const to = this.parseExpression();
    this.expectSymbol(',', `after the range of '${variable.text}'`);
    const body = this.parseExpression();
    const close = this.expectSymbol(')', `to close '${name.text}('`);
    return {
      kind: 'reduce', op: name.text as 'sum' | 'prod', variable: variable.text, variableStart: variable.start, variableEnd: variable.end,
      from, to, body, start: name.start, end: close.end,
    };
  }
}
