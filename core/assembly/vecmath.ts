// f64x2 exp, expm1, tanh and cos(2 pi t) for landscape and network kernels, accurate to a few ulp.

const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const ROUND_MAGIC = 6755399441055744.0; // 2^52 + 2^51: adding it leaves an integer in the low bits

@inline function splat(v: f64): v128 {
  return f64x2.splat(v);
}

/**
 * expm1(x) per lane for x in [-708, 709] (clamped outside): with x = k ln2 + r, 2^k (e^r - 1) + (2^k - 1), so that
 * near 0 (k = 0) no 1 is added and taken away; accurate to a few ulp.
 */
@inline
export function expm1x2(x: v128): v128 {
  x = f64x2.pmin(f64x2.pmax(x, splat(-708.0)), splat(709.0));
  const k = f64x2.nearest(f64x2.mul(x, splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, splat(LN2_HI))), f64x2.mul(k, splat(LN2_LO)));
  const ki = i64x2.sub(f64x2.add(k, splat(ROUND_MAGIC)), splat(ROUND_MAGIC));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.add(f64x2.mul(f64x2.mul(expSeries(r), r), scale), f64x2.sub(scale, splat(1.0)));
}

/** tanh(x) per lane as expm1(2x) / (expm1(2x) + 2), +-1 beyond |x| = 20 (where tanh is 1 to double precision). */
@inline
export function tanh2x(x: v128): v128 {
  const e = expm1x2(f64x2.mul(x, splat(2.0)));
  const t = f64x2.div(e, f64x2.add(e, splat(2.0)));
  const big = f64x2.gt(f64x2.abs(x), splat(20.0));
  const unit = v128.bitselect(x, splat(1.0), splat(-0.0)); // copysign(1, x)
  return v128.bitselect(unit, t, big);
}

// Sum of r^k/(k+1)! for k = 0..12 by Horner's rule: e^r = 1 + r * expSeries(r), e^r - 1 = r * expSeries(r).
@inline function expSeries(r: v128): v128 {
  let p = splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), splat(0.5));
  return f64x2.add(f64x2.mul(p, r), splat(1.0));
}

// Sum of r^k/k! for k = 0..13.
@inline function expPolynomial(r: v128): v128 {
  return f64x2.add(f64x2.mul(expSeries(r), r), splat(1.0));
}

/** exp(x) per lane for x in [-708, 709]; inputs outside are clamped. */
@inline
export function exp2x(x: v128): v128 {
  x = f64x2.pmin(f64x2.pmax(x, splat(-708.0)), splat(709.0)); // pmin/pmax: one instruction each
  const k = f64x2.nearest(f64x2.mul(x, splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, splat(LN2_HI))), f64x2.mul(k, splat(LN2_LO)));
  const ki = i64x2.sub(f64x2.add(k, splat(ROUND_MAGIC)), splat(ROUND_MAGIC));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.mul(expPolynomial(r), scale);
}

// cos(t) for |t| <= pi/2 by its Taylor series to t^20 (error below 4e-15).
@inline function cosHalfPi(t2: v128): v128 {
  let p = splat(1.0 / 2432902008176640000.0);
  p = f64x2.sub(splat(1.0 / 6402373705728000.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 20922789888000.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 87178291200.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 479001600.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 3628800.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 40320.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 720.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(1.0 / 24.0), f64x2.mul(p, t2));
  p = f64x2.sub(splat(0.5), f64x2.mul(p, t2));
  return f64x2.sub(splat(1.0), f64x2.mul(p, t2));
}

/** cos(2 pi t) per lane: t is reduced exactly to u = |t - round(t)| in [0, 1/2], then cos(pi - a) = -cos(a). */
@inline
export function cosTwoPi2x(t: v128): v128 {
  const u = f64x2.abs(f64x2.sub(t, f64x2.nearest(t)));
  const far = f64x2.gt(u, splat(0.25));
  const a = v128.bitselect(f64x2.sub(splat(0.5), u), u, far); // exact: u and 1/2 - u
  const theta = f64x2.mul(a, splat(2.0 * Math.PI));
  const c = cosHalfPi(f64x2.mul(theta, theta));
  return v128.bitselect(f64x2.neg(c), c, far);
}
