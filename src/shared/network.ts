// A network loss's description and its parameters' names, for the loss language, the engine and the pages.
import { LIMITS } from './limits';

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'leaky_relu', 'gelu'] as const;
export const NETWORK_LOSSES = ['mse', 'bce', 'cross_entropy'] as const;
export const INIT_SCHEMES = [
  'default', 'zeros', 'constant', 'normal', 'uniform', 'lecun_normal', 'lecun_uniform', 'xavier_normal', 'xavier_uniform',
  'kaiming_normal', 'kaiming_uniform',
] as const;

/** Linear layers at most, units per layer at most, parameters at most (LIMITS.network). */
export const NETWORK_LIMITS = LIMITS.network;

export interface NetworkSpec {
  /** Layer widths: inputs, hidden layers, outputs. */
  widths: number[];
  activation: (typeof ACTIVATIONS)[number];
  loss: (typeof NETWORK_LOSSES)[number];
  batchnorm: boolean;
  residual: boolean;
  init: (typeof INIT_SCHEMES)[number];
  /** The std of init=normal / uniform, the value of init=constant. */
  scale: number;
  seed: number;
  /** Noisy batch norm's scale (Santurkar et al. 2018; core/assembly/bnNoise.ts), absent or 0: off; and its seed. */
  bnNoise?: number;
  bnNoiseSeed?: number;
}

/** The parameter count of widths, in PyTorch's model.parameters() order (see networkParamNames). */
export function networkParamCount(widths: readonly number[], batchnorm: boolean): number {
  let count = 0;
  for (let l = 1; l < widths.length; l++) {
    count += widths[l] * widths[l - 1] + widths[l];
    if (batchnorm && l < widths.length - 1) count += 2 * widths[l];
  }
  return count;
}

/**
 * The parameters' names in model.parameters() order: per Linear layer l (1-based) `Wl[i,j]` (row i = output unit,
 * column j = input, 1-based, row-major) and `bl[i]`; after a hidden Linear with batch norm, `bnl.weight[i]`, `bnl.bias[i]`.
 */
export function networkParamNames(widths: readonly number[], batchnorm: boolean): string[] {
  const names: string[] = [];
  for (let l = 1; l < widths.length; l++) {
    for (let i = 1; i <= widths[l]; i++) for (let j = 1; j <= widths[l - 1]; j++) names.push(`W${l}[${i},${j}]`);
    for (let i = 1; i <= widths[l]; i++) names.push(`b${l}[${i}]`);
    if (batchnorm && l < widths.length - 1) {
      for (let i = 1; i <= widths[l]; i++) names.push(`bn${l}.weight[${i}]`);
      for (let i = 1; i <= widths[l]; i++) names.push(`bn${l}.bias[${i}]`);
    }
  }
  return names;
}

/** The columns a network's data needs: the inputs, then the targets (mse: one per output; bce, cross_entropy: one). */
export function networkTargets(spec: Pick<NetworkSpec, 'widths' | 'loss'>): number {
  return spec.loss === 'mse' ? spec.widths[spec.widths.length - 1] : 1;
}

/** One parameter tensor of a network: W1, b1, bn1.weight, ... at [start, start + count) of the flat parameters. */
export interface ParamGroup {
  name: string;
  /** The Linear layer (1-based) it belongs to. */
  layer: number;
  kind: 'weight' | 'bias' | 'bn.weight' | 'bn.bias';
  start: number;
  count: number;
  /** [rows, columns]: a weight matrix [out, in]; a vector [units, 1]. */
  shape: [number, number];
}

/** The network's parameter tensors in model.parameters() order (the order and names of networkParamNames). */
export function networkParamGroups(widths: readonly number[], batchnorm: boolean): ParamGroup[] {
  const groups: ParamGroup[] = [];
  let start = 0;
  const add = (name: string, layer: number, kind: ParamGroup['kind'], shape: [number, number]) => {
    groups.push({ name, layer, kind, start, count: shape[0] * shape[1], shape });
    start += shape[0] * shape[1];
  };
  for (let l = 1; l < widths.length; l++) {
    add(`W${l}`, l, 'weight', [widths[l], widths[l - 1]]);
    add(`b${l}`, l, 'bias', [widths[l], 1]);
    if (batchnorm && l < widths.length - 1) {
      add(`bn${l}.weight`, l, 'bn.weight', [widths[l], 1]);
      add(`bn${l}.bias`, l, 'bn.bias', [widths[l], 1]);
    }
  }
  return groups;
}

/** The tensor a parameter name (`W1[2,1]`, `bn1.weight[3]`) belongs to: its name without the index, or undefined. */
export function paramGroupName(param: string): string | undefined {
  return /^((?:W|b)\d+|bn\d+\.(?:weight|bias))\[/.exec(param)?.[1];
}

/**
 * A network's parameter names grouped by tensor, in order ([{ name: 'W1', members: ['W1[1,1]', ...] }, ...]); undefined
 * when the names are not a network's (a 2-D loss's x, y).
 */
export function groupParamNames(names: readonly string[]): { name: string; members: string[] }[] | undefined {
  const groups: { name: string; members: string[] }[] = [];
  for (const param of names) {
    const group = paramGroupName(param);
    if (group === undefined) return undefined;
    if (groups.at(-1)?.name !== group) groups.push({ name: group, members: [] });
    groups.at(-1)!.members.push(param);
  }
  return groups.length > 0 ? groups : undefined;
}

/**
 * A tensor's factored state keys (Adafactor's row_var_W1[2], col_var_W1[1]: one per row or column of the tensor, not
 * per parameter) among keys.
 */
export function factorKeys(keys: readonly string[], tensor: string): string[] {
  const suffix = new RegExp(`_${tensor.replace(/[.[\]]/g, '\\$&')}\\[\\d+\\]$`);
  return keys.filter((key) => suffix.test(key));
}
