// Muon's options (torch.optim.Muon's names, defaults and checks), packed for core/assembly/muon.ts.
import { describeValue } from './describe';
import { pythonNumber } from './optimizers';

/** Option slots, as core/assembly/muon.ts's MUON_* constants. */
export const MuonSlot = {
  lr: 0, weight_decay: 1, momentum: 2, nesterov: 3, a: 4, b: 5, c: 6, eps: 7, ns_steps: 8, adjust: 9,
} as const;
export const MUON_SLOTS = 10;

export const MUON_DEFAULTS = {
  lr: 1e-3, weight_decay: 0.1, momentum: 0.95, nesterov: true, ns_coefficients: [3.4445, -4.775, 2.0315], eps: 1e-7,
  ns_steps: 5, adjust_lr_fn: 'original',
} as const;

/** The optimizer of the parameters Muon does not take (biases, batch norm, the last layer), as torch's docs advise. */
export const MUON_REST_DEFAULT = { optimizer: 'adamw', options: {} as Record<string, unknown> };

export interface PackedMuon {
  options: Float64Array;
  rest: { optimizer: string; options: Record<string, unknown> };
}

/** Checks Muon's options (with `rest`: {optimizer, options}) and packs them; throws naming the first problem. */
export function packMuon(options: unknown): PackedMuon {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new Error('Options for muon must be an object such as {"lr": 0.02, "rest": {"optimizer": "adamw", "options": {"lr": 0.01}}}');
  }
  const given = { ...(options ?? {}) } as Record<string, unknown>;
  const restGiven = given.rest;
  delete given.rest;
  const o: Record<string, unknown> = { ...MUON_DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(MUON_DEFAULTS, key)) {
      throw new Error(`Unknown option '${key}' for muon. Valid options: ${[...Object.keys(MUON_DEFAULTS), 'rest'].join(', ')}`);
    }
    o[key] = value;
  }
  const number = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Option '${key}' of muon must be a number, got ${describeValue(v)}`);
    return v;
  };
  const lr = number('lr');
  if (!(lr >= 0)) throw new Error(`Learning rate should be >= 0 but is: ${pythonNumber(lr)}`);
  const momentum = number('momentum');
  if (!(momentum >= 0)) throw new Error(`momentum should be >= 0 but is: ${pythonNumber(momentum)}`);
  const weightDecay = number('weight_decay');
  if (!(weightDecay >= 0)) throw new Error(`weight decay should be >= 0 but is: ${pythonNumber(weightDecay)}`);
  if (typeof o.nesterov !== 'boolean') throw new Error(`Option 'nesterov' of muon must be true or false, got ${describeValue(o.nesterov)}`);
  const coefficients = o.ns_coefficients;
  if (!Array.isArray(coefficients) || coefficients.length !== 3 || !coefficients.every((c) => typeof c === 'number' && Number.isFinite(c))) {
    throw new Error('Coefficients must be a tuple of exactly 3 values');
  }
  const steps = number('ns_steps');
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`Option 'ns_steps' of muon must be a whole number, got ${pythonNumber(steps)}`);
  if (steps >= 100) throw new Error('Number of steps must be less than 100 for computational efficiency');
  if (o.adjust_lr_fn !== 'original' && o.adjust_lr_fn !== 'match_rms_adamw') {
    throw new Error(`Adjust learning rate function ${describeValue(o.adjust_lr_fn)} is not supported`);
  }
  const packed = new Float64Array(MUON_SLOTS);
  packed[MuonSlot.lr] = lr;
  packed[MuonSlot.weight_decay] = weightDecay;
  packed[MuonSlot.momentum] = momentum;
  packed[MuonSlot.nesterov] = o.nesterov ? 1 : 0;
  [packed[MuonSlot.a], packed[MuonSlot.b], packed[MuonSlot.c]] = coefficients as number[];
  packed[MuonSlot.eps] = number('eps');
  packed[MuonSlot.ns_steps] = steps;
  packed[MuonSlot.adjust] = o.adjust_lr_fn === 'match_rms_adamw' ? 1 : 0;
  return { options: packed, rest: checkRest(restGiven) };
}

function checkRest(rest: unknown): PackedMuon['rest'] {
  if (rest === undefined) return MUON_REST_DEFAULT;
  if (rest === null || typeof rest !== 'object' || Array.isArray(rest)) {
    throw new Error('muon\'s rest must be an object such as {"optimizer": "adamw", "options": {"lr": 0.01}}');
  }
  const { optimizer = MUON_REST_DEFAULT.optimizer, options = {} } = rest as { optimizer?: unknown; options?: unknown };
  if (typeof optimizer !== 'string') throw new Error(`muon's rest.optimizer must be an optimizer name, got ${describeValue(optimizer)}`);
  if (optimizer === 'muon' || optimizer === 'newton') throw new Error(`muon's rest.optimizer cannot be ${optimizer}`);
  // L-BFGS evaluates the whole loss itself and steps every parameter: Muon's matrices would be stepped twice.
  if (optimizer.startsWith('lbfgs')) throw new Error(`muon's rest.optimizer cannot be ${optimizer} (it steps every parameter itself)`);
  return { optimizer, options: options as Record<string, unknown> };
}
