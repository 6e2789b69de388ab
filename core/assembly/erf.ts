// The error function and the exact GELU (torch.nn.GELU(approximate='none'): x/2 (1 + erf(x/sqrt 2))) with its
// derivative as torch's backward writes it, for the networks' activation (network.ts).

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126; // M_2_SQRTPI
const SQRT1_2: f64 = 0.7071067811865476; // M_SQRT1_2
/** torch's kAlpha in GeluBackward: 1/sqrt(2 pi). */
const GELU_PDF: f64 = TWO_OVER_SQRT_PI * SQRT1_2 * 0.5;
/** erfc(6) < 2.2e-17: past it erf is +-1 in f64. */
const ERF_SATURATES: f64 = 6.0;

/**
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum over n >= 0 of (2x^2)^n x / (1 3 5 ... (2n+1)): every term positive, so the sum has
 * no cancellation; a few ulp over the whole range (at most about 130 terms, near |x| = 6).
 */
export function erf(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax == 0.0) return x;
  if (ax >= ERF_SATURATES) return x > 0 ? 1.0 : -1.0;
  const twoX2 = 2.0 * ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 400; n++) {
    term *= twoX2 / <f64>(2 * n + 1);
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  const r = Math.min(TWO_OVER_SQRT_PI * Math.exp(-ax * ax) * sum, 1.0);
  return x < 0 ? -r : r;
}

export function gelu(x: f64): f64 {
  return 0.5 * x * (1.0 + erf(x * SQRT1_2));
}

/** d gelu / dx = Phi(x) + x phi(x), as torch's GeluBackward computes it. */
export function geluSlope(x: f64): f64 {
  const cdf = 0.5 * (1.0 + erf(x * SQRT1_2));
  const pdf = GELU_PDF * Math.exp(-0.5 * x * x);
  return cdf + x * pdf;
}
