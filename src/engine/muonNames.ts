// Muon's recorded state on a network: torch's momentum_buffer for the hidden layers' weight matrices (the core writes
// it over the first state vector there: core/assembly/muon.ts muonMomentumInto), the rest optimizer's state elsewhere.
import { groupParamNames } from '../shared/network';

/** The shape [rows, cols] of the Muon matrix each parameter belongs to (undefined: the rest optimizer steps it). */
export function muonMatrixShapes(params: readonly string[]): ([number, number] | undefined)[] {
  const groups = groupParamNames(params) ?? [];
  const weights = groups.filter((g) => /^W\d+$/.test(g.name));
  // every Linear's weight but the last, as core/assembly/muon.ts takes them
  const last = weights.at(-1)?.name;
  const shapes = new Map<string, [number, number]>();
  for (const { name, members } of weights) {
    if (name === last) continue;
    const shape = /\[(\d+),(\d+)\]$/.exec(members.at(-1)!); // row-major: the last member is [out, in]
    if (shape) shapes.set(name, [Number(shape[1]), Number(shape[2])]);
  }
  return params.map((p) => shapes.get(/^W\d+/.exec(p)?.[0] ?? ''));
}

/** The three state vectors' names per coordinate: momentum_buffer_<param> on Muon's matrices, the rest's elsewhere. */
export function muonVectorNames(params: readonly string[], rest: string[][]): string[][] {
  const shapes = muonMatrixShapes(params);
  return rest.map((names, v) => names.map((name, i) => (shapes[i] ? (v === 0 ? `momentum_buffer_${params[i]}` : '') : name)));
}
