// Diagnostics with 0-based line/character ranges (UTF-16 code units, as VS Code counts them).

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  message: string;
  severity: Severity;
  range: Range;
}

/** A diagnostic located by character offsets into the source text. */
export interface OffsetDiagnostic {
  message: string;
  severity: Severity;
  start: number;
  end: number;
}

export const MAX_DIAGNOSTICS = 100;

/** Converts offsets to positions; a line break is \r\n, \n or a lone \r. */
export class LineMap {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (c === 10 || c === 13) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(clamped, this.lineEnd(lo)) - this.lineStarts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** 1-based line number of an offset, for messages. */
  lineNumber(offset: number): number {
    return this.position(offset).line + 1;
  }

  private lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    const next = this.lineStarts[line + 1];
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }
}

/** Collects diagnostics, drops duplicates of the same range and message, and stops at MAX_DIAGNOSTICS. */
export class DiagnosticSink {
  readonly items: OffsetDiagnostic[] = [];
  private readonly seen = new Set<string>();

  error(message: string, start: number, end: number): void {
    this.add({ message, severity: 'error', start, end });
  }

  warning(message: string, start: number, end: number): void {
    this.add({ message, severity: 'warning', start, end });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  get full(): boolean {
    return this.items.length >= MAX_DIAGNOSTICS;
  }

  private add(d: OffsetDiagnostic): void {
    const key = `${d.start}:${d.end}:${d.message}`;
    if (this.full || this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }
}

/** The closest candidate within edit distance 2 (case-insensitive match first; typos only in names of 3+ letters). */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const allowTypos = name.length >= 3;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.max(1, Math.floor(name.length / 2)));
  for (const candidate of candidates) {
    if (candidate === name) continue;
    if (candidate.toLowerCase() === lower) return candidate;
    if (!allowTypos) continue;
    if (Math.abs(candidate.length - name.length) > bestDistance) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function editDistance(a: string, b: string): number {
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      row.push(d);
    }
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length];
}
