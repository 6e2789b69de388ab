// Adafactor's recorded state on a network, named as torch names it: row_var and col_var for a weight matrix, variance
// for a vector tensor (the core's layout: core/assembly/adafactor.ts).
import { groupParamNames } from '../shared/network';

/**
 * The names of the three state vectors per coordinate (s0, s1, s2), or undefined when the parameters are not a
 * network's (one vector: variance per coordinate). A weight W [out, in] keeps row_var_W[i] in the first out coordinates
 * of its span in s0 and col_var_W[j] in the first in coordinates of its span in s2; the rest of the span is unused ('').
 */
export function adafactorVectorNames(params: readonly string[]): string[][] | undefined {
  const groups = groupParamNames(params);
  if (!groups) return undefined;
  const s0: string[] = [];
  const s2: string[] = [];
  for (const { name, members } of groups) {
    const shape = /^W\d+\[(\d+),(\d+)\]$/.exec(members.at(-1)!); // row-major: the last member is [out, in]
    if (!shape) {
      s0.push(...members.map((p) => `variance_${p}`));
      s2.push(...members.map(() => ''));
      continue;
    }
    const [rows, cols] = [Number(shape[1]), Number(shape[2])];
    s0.push(...members.map((_, k) => (k < rows ? `row_var_${name}[${k + 1}]` : '')));
    s2.push(...members.map((_, k) => (k < cols ? `col_var_${name}[${k + 1}]` : '')));
  }
  return [s0, params.map(() => ''), s2];
}
