// Frozen parameters of a run: a named group of a network's tensors, or a list of parameter indices (a pruning mask).
// The core's run loop keeps frozen coordinates at their start values (core/assembly/frozen.ts).
import { networkParamGroups, type NetworkSpec, type ParamGroup } from './network';

/**
 * weights: every Linear weight matrix; biases: every Linear bias; linear: both (only batch norm's gamma and beta
 * train: Frankle et al. 2020); bn: batch norm's gamma and beta.
 */
export const FREEZE_GROUPS = ['weights', 'biases', 'linear', 'bn'] as const;
export type FreezeGroup = (typeof FREEZE_GROUPS)[number];
/** A run's frozen parameters: a group name, or parameter indices (0-based, in model.parameters() order). */
export type FreezeSpec = FreezeGroup | number[];

const GROUP_KINDS: Record<FreezeGroup, ParamGroup['kind'][]> = {
  weights: ['weight'],
  biases: ['bias'],
  linear: ['weight', 'bias'],
  bn: ['bn.weight', 'bn.bias'],
};

/** The mask (1: frozen) of dim parameters, or a message saying why the spec does not fit the loss. */
export function frozenMask(freeze: FreezeSpec, dim: number, network: Pick<NetworkSpec, 'widths' | 'batchnorm'> | undefined): Float64Array | string {
  const mask = new Float64Array(dim);
  if (Array.isArray(freeze)) {
    for (const index of freeze) {
      if (!Number.isInteger(index) || index < 0 || index >= dim) return `freeze: parameter index ${index} is not in [0, ${dim - 1}]`;
      mask[index] = 1;
    }
    return mask;
  }
  if (!network) return `freeze="${freeze}" names a network's parameter group: the loss needs a network line (or give parameter indices)`;
  if (freeze === 'bn' && !network.batchnorm) return 'freeze="bn": this network has no batch norm (add batchnorm=true to the network line)';
  const kinds = GROUP_KINDS[freeze];
  for (const group of networkParamGroups(network.widths, network.batchnorm)) {
    if (kinds.includes(group.kind)) mask.fill(1, group.start, group.start + group.count);
  }
  return mask;
}
