// A seeded random number generator (xoshiro256**, seeded by splitmix64): the same bits everywhere.

@unmanaged
export class Rng {
  s0: u64;
  s1: u64;
  s2: u64;
  s3: u64;
}

function splitmix(state: u64): u64 {
  let z = state + 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

export function seedRng(rng: Rng, seed: u64): void {
  const step: u64 = 0x9e3779b97f4a7c15;
  rng.s0 = splitmix(seed);
  rng.s1 = splitmix(seed + step);
  rng.s2 = splitmix(seed + 2 * step);
  rng.s3 = splitmix(seed + 3 * step);
}

export function nextU64(rng: Rng): u64 {
  const result = rotl<u64>(rng.s1 * 5, 7) * 9;
  const t = rng.s1 << 17;
  rng.s2 ^= rng.s0;
  rng.s3 ^= rng.s1;
  rng.s1 ^= rng.s2;
  rng.s0 ^= rng.s3;
  rng.s2 ^= t;
  rng.s3 = rotl<u64>(rng.s3, 45);
  return result;
}

/** Uniform in [0, 1). */
export function uniform(rng: Rng): f64 {
  return <f64>(nextU64(rng) >> 11) * 1.1102230246251565e-16;
}

/** Uniform integer in [0, n), without modulo bias (Lemire's method on 32-bit draws). */
export function below(rng: Rng, n: i32): i32 {
  const bound = <u32>n;
  const threshold: u32 = (<u32>0 - bound) % bound; // 2^32 mod bound
  while (true) {
    const m = (nextU64(rng) >> 32) * <u64>bound;
    if (<u32>m >= threshold) return <i32>(m >> 32);
  }
}

/** Standard normal by the Box-Muller transform. */
export function normal(rng: Rng): f64 {
  const u = 1.0 - uniform(rng); // (0, 1]
  const v = uniform(rng);
  return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
}
