// Noisy batch norm (Santurkar, Tsipras, Ilyas, Madry 2018, "How does batch normalization help optimization?"): after
// each BN layer, in the forwards that train (those that update a run's running statistics), each unit's outputs are
// rescaled and shifted by amounts drawn afresh at every such forward, so that the distribution the next layer sees has
// a non-zero mean and a non-unit, changing variance: with scale s, per training forward and hidden unit j,
//   c_j = exp(s N),  m_j = s N   (N standard normal)
//   out[i][j] <- c_j out[i][j] + m_j   (for every sample i of the batch).
// The generator lives after a run's running statistics (network.ts's createRunningStats), seeded from the network
// line's noise seed, so every run draws the same sequence and runs do not disturb each other.
import { Rng, seedRng, normal } from './random';
import { at, put } from './f64mem';

/** f64 slots the run's noise generator takes after its running statistics. */
export const NOISE_SLOTS: i32 = 4;

export function seedNoise(generator: usize, seed: u64): void {
  seedRng(changetype<Rng>(generator), seed);
}

/**
 * Applies one training forward's noise to a BN layer's outputs (n x w at out, in place) with the generator at
 * generator; unit j's scale and shift go to scales[j] and shifts[j], for the backward pass.
 */
export function addNoise(generator: usize, s: f64, out: usize, n: i32, w: i32, scales: usize, shifts: usize): void {
  const rng = changetype<Rng>(generator);
  for (let j = 0; j < w; j++) {
    const c = Math.exp(s * normal(rng));
    const m = s * normal(rng);
    put(scales, j, c);
    put(shifts, j, m);
    for (let i = 0; i < n; i++) {
      const k = i * w + j;
      put(out, k, c * at(out, k) + m);
    }
  }
}
