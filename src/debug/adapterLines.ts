// Where a .loss file's runs are: the line of each `optimizer` statement (run i is the i-th one) and of the loss.
import { DiagnosticSink, LineMap } from '../loss/diagnostics';
import { parseStatements } from '../loss/parser';

export interface LossLines {
  /** 0-based line of each optimizer statement, in file order (= run order). */
  optimizers: number[];
  /** 0-based line of the loss statement, if any. */
  loss?: number;
}

export function lossLines(text: string): LossLines {
  const lines = new LineMap(text);
  const statements = parseStatements(text, new DiagnosticSink());
  const optimizers = statements.filter((s) => s.kind === 'optimizer').map((s) => lines.position(s.start).line);
  const loss = statements.find((s) => s.kind === 'loss');
  return { optimizers, loss: loss ? lines.position(loss.start).line : undefined };
}

/** The runs a line breakpoint applies to: its optimizer's run, every run on the loss line, or none (with the reason). */
export function runsAtLine(lines: LossLines, line: number, runCount: number): { runs: number[] } | { message: string } {
  const run = lines.optimizers.indexOf(line);
  if (run >= 0 && run < runCount) return { runs: [run] };
  if (line === lines.loss) return { runs: Array.from({ length: runCount }, (_, i) => i) };
  return {
    message: lines.optimizers.length > 0
      ? 'Put line breakpoints on an optimizer line (it pauses that run) or on the loss line (every run).'
      : 'Put line breakpoints on the loss line: it pauses every run. Optimizer lines (optimizer adam lr=0.05) pause one run each.',
  };
}
