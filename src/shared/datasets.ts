// The generated data sets (the `data spiral ...` line): their options and classes, for the loss language's checks
// and the Playground's network controls. The core makes the samples.

export interface GeneratorInfo {
  /** Noise's default: the std of the Gaussian added to each input (blobs: their spread; curve: to y; teacher: to its output). */
  noise: number;
  /** The set's own option (its default and bounds), passed to the core as `a`. */
  own?: { name: string; default: number; min: number; max: number; integer: boolean };
  /** Classes of the label column (0 .. classes - 1); 0: a regression target. */
  classes(a: number): number;
}

const two = (): number => 2;

export const GENERATORS = {
  spiral: { noise: 0.05, own: { name: 'arms', default: 2, min: 2, max: 10, integer: true }, classes: (a: number) => a },
  moons: { noise: 0.1, classes: two },
  circles: { noise: 0.05, own: { name: 'factor', default: 0.5, min: 0.01, max: 0.99, integer: false }, classes: two },
  xor: { noise: 0.05, classes: two },
  blobs: { noise: 0.5, own: { name: 'centers', default: 3, min: 2, max: 10, integer: true }, classes: (a: number) => a },
  curve: { noise: 0.1, classes: () => 0 },
  teacher: { noise: 0, own: { name: 'width', default: 8, min: 1, max: 64, integer: true }, classes: two },
  /** Safran & Shamir 2018: Gaussian inputs, y = the sum of relu over the first `width` inputs (an orthonormal relu teacher). */
  relu_teacher: { noise: 0, own: { name: 'width', default: 6, min: 1, max: 32, integer: true }, classes: () => 0 },
  /** Wilson et al. 2017's overparametrized linear problem: 3 + 5 x samples inputs (wilsonInputs); p: P(y = +1). */
  wilson: { noise: 0, own: { name: 'p', default: 0.75, min: 0.5, max: 1, integer: false }, classes: two },
} satisfies Record<string, GeneratorInfo>;
export type GeneratorName = keyof typeof GENERATORS;

export const GENERATOR_NAMES = Object.keys(GENERATORS) as GeneratorName[];
/** The wilson set's samples at most: its 3 + 5 x samples inputs stay within a network layer's width. */
export const MAX_WILSON_SAMPLES = 200;

/** The inputs of Wilson et al.'s set: three shared features and five of each sample's own. */
export function wilsonInputs(samples: number): number {
  return 3 + 5 * samples;
}

/** Samples of a generated set when its line does not say. */
export const DEFAULT_GENERATED_SAMPLES = 200;
/** Samples of a generated set at most. */
export const MAX_SAMPLES = 100_000;
