// Tokens of the loss language. Newlines inside brackets are dropped, so a bracketed expression may span lines.
// ';' ends a statement, except inside '[ ]' where it separates the rows of inline data.
import { DiagnosticSink } from './diagnostics';

export type TokenKind = 'number' | 'name' | 'string' | 'symbol' | 'newline' | 'end';

export interface Token {
  kind: TokenKind;
  /** The symbol or name (without a library prefix such as `np.`), the number's source text, or a string's content. */
  text: string;
  value: number;
  /** A library prefix written before a name (`np`, `math`, `Math`, `torch`), or ''. */
  prefix: string;
  start: number;
  end: number;
}

export const LIBRARY_PREFIXES = new Set(['np', 'numpy', 'math', 'Math', 'torch']);

/** Longest first. Comparisons, logic and % are parsed everywhere but allowed only in breakpoint conditions. */
const SYMBOLS = [
  '**', '..', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '^', '(', ')', '[', ']', ',', '=', ';', '<', '>', '!',
];

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

export function tokenize(text: string, sink: DiagnosticSink): Token[] {
  const tokens: Token[] = [];
  const brackets: string[] = [];
  let i = 0;
  const push = (kind: TokenKind, tokenText: string, start: number, end: number, value = NaN, prefix = ''): void => {
    tokens.push({ kind, text: tokenText, value, prefix, start, end });
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const start = i;
    if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
    } else if (c === 10 || c === 13) {
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      if (brackets.length === 0) push('newline', '\n', start, i);
    } else if (c === 35 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      while (isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) !== 46) {
        i++;
        while (isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          while (isDigit(text.charCodeAt(j))) j++;
          i = j;
        }
      }
      const source = text.slice(start, i);
      push('number', source, start, i, Number(source));
    } else if (c === 34 /* " */) {
      // A string (run labels): one line, \" and \\ escaped.
      let content = '';
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) {
        if (text.charCodeAt(i) === 92 /* \ */ && (text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 92)) i++;
        content += text[i++];
      }
      if (text.charCodeAt(i) === 34) i++;
      else sink.error('Unterminated string: close it with " on the same line', start, i);
      push('string', content, start, i);
    } else if (isNameStart(c)) {
      while (isNamePart(text.charCodeAt(i))) i++;
      let name = text.slice(start, i);
      let prefix = '';
      if (LIBRARY_PREFIXES.has(name) && text.charCodeAt(i) === 46 && isNameStart(text.charCodeAt(i + 1))) {
        prefix = name;
        const nameStart = ++i;
        while (isNamePart(text.charCodeAt(i))) i++;
        name = text.slice(nameStart, i);
      } else {
        // A dotted name (a network's bn1.weight): one name, dots included.
        while (text.charCodeAt(i) === 46 && isNameStart(text.charCodeAt(i + 1))) {
          i++;
          while (isNamePart(text.charCodeAt(i))) i++;
        }
        name = text.slice(start, i);
      }
      push('name', name, start, i, NaN, prefix);
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (symbol === undefined) {
        const width = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
        i += width;
        sink.error(`Unexpected character '${text.slice(start, i)}'`, start, i);
        continue;
      }
      i += symbol.length;
      if (symbol === '(' || symbol === '[') brackets.push(symbol);
      else if (symbol === ')' || symbol === ']') brackets.pop();
      if (symbol === ';' && brackets.length === 0) push('newline', ';', start, i);
      else if (symbol !== ';' || brackets[brackets.length - 1] === '[') push('symbol', symbol, start, i);
      else sink.error("Unexpected ';' inside brackets", start, i);
    }
  }
  push('end', '', text.length, text.length);
  return tokens;
}
