// Losses written in the loss language, compiled for the core (src/loss does the compiling).
import type { LossInfo } from '../shared/engineApi';
import type { CompiledExpression } from './engine';
import { BUILTIN_LOSSES } from './losses';
import { compileLoss, DATA_OFFSET, parseLoss } from '../loss/index';
import type { CompiledLossSource } from '../loss/index';
import { closestName } from '../loss/diagnostics';
import { excerpt } from './describe';

const DEFAULT_RANGE: [number, number] = [-3, 3];

/** Compiles an expression (or a whole .loss file) or throws an Error naming its first problem and where. */
export async function compileExpression(text: string): Promise<CompiledExpression> {
  if (/^[ \t]*network\b/m.test(text)) {
    const parsed = parseLoss(text);
    if (parsed.ok && parsed.loss.network) return networkExpression(text, parsed.loss);
  }
  const compiled = compileLoss(text);
  if (!compiled.ok) {
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/.test(text);
    if (identifier) {
      const suggestion = closestName(text, Object.keys(BUILTIN_LOSSES));
      throw new Error(`Unknown loss '${excerpt(text)}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Built-in losses: ${Object.keys(BUILTIN_LOSSES).join(', ')}`);
    }
    const first = compiled.diagnostics.find((d) => d.severity === 'error') ?? compiled.diagnostics[0];
    const { line, character } = first.range.start;
    throw new Error(`Invalid loss at line ${line + 1}, column ${character + 1}: ${excerpt(first.message, 300)}`);
  }
  const { scenario, dim, params, data } = compiled;
  const x = scenario.domain.x ?? DEFAULT_RANGE;
  const y = scenario.domain.y ?? DEFAULT_RANGE;
  const start = scenario.start[0] ?? params.map((_, i) => {
    const [lo, hi] = i % 2 === 0 ? x : y;
    return lo + (i % 2 === 0 ? 0.2 : 0.8) * (hi - lo);
  });
  const info: LossInfo = {
    name: text,
    title: compiled.formula.length > 60 ? `${compiled.formula.slice(0, 57)}...` : compiled.formula,
    // A per-sample loss says what it is the mean of, as the built-in regressions do.
    formula: data ? `mean over ${data.count} samples (${data.columns.join(', ')}) of ${compiled.formula}` : compiled.formula,
    dim,
    params,
    domain: { x, y },
    start,
    minima: scenario.minima,
  };
  if (data) info.data = { count: data.count, columns: data.columns, ...(data.testCount > 0 ? { testCount: data.testCount } : {}) };
  if (scenario.stochastic) info.stochastic = scenario.stochastic;
  return { info, wasm: compiled.wasm, data: data && { ...data, offset: DATA_OFFSET } };
}

/** A network's widths as written, three or more equal hidden widths in a row as one (2-16×20-2 for 20 of 16). */
export function widthsLabel(widths: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < widths.length; ) {
    let end = i + 1;
    while (end < widths.length - 1 && i > 0 && widths[end] === widths[i]) end++;
    const count = end - i;
    parts.push(...(count >= 3 ? [`${widths[i]}×${count}`] : widths.slice(i, end).map(String)));
    i = end;
  }
  return parts.join('-');
}

/** A network line's loss: the core computes it over the data (no compiled module). start is empty unless the file gives one. */
function networkExpression(text: string, source: CompiledLossSource): CompiledExpression {
  const { network, data, scenario } = source;
  if (!network || !data) throw new Error('A network needs its data');
  const shape = `${widthsLabel(network.widths)} ${network.activation} network`;
  const info: LossInfo = {
    name: text,
    title: `${shape}, ${network.loss}`,
    formula: `mean over ${data.count} samples (${data.columns.join(', ')}) of ${network.loss} of a ${shape}`,
    dim: source.dim,
    params: source.params,
    domain: { x: scenario.domain.x ?? DEFAULT_RANGE, y: scenario.domain.y ?? DEFAULT_RANGE },
    start: scenario.start[0] ?? [],
    minima: [],
    data: { count: data.count, columns: data.columns, ...(data.testCount > 0 ? { testCount: data.testCount } : {}) },
    network,
  };
  if (scenario.stochastic) info.stochastic = scenario.stochastic;
  return { info, data: { ...data, offset: 0 } };
}
