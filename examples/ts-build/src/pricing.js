// The fixed-point Black-Scholes pricer (pricing.md: PRC-1..PRC-9, PRC-11's delta).
// Every step is a BigInt operation whose rounding the spec states: every division
// rounds down (floor), so `floorDiv` is used wherever a numerator can be negative.
// Gamma, vega and theta (PRC-11) are analytics no observable value reads: left out.

import { floorDiv, isqrtFloor, max, min, BPS, SECONDS_PER_YEAR } from "./num.js";

/** PRC-1: the pricer's scale (wad). */
export const ONE = 10n ** 18n;
/** PRC-4: the guard scale of the normal distribution function. */
const GUARD = 10n ** 36n;
/** PRC-2: floor(ln 2 * 10**36). */
const LN2_E36 = 693_147_180_559_945_309_417_232_121_458_176_568n;
/** PRC-4: floor(10**36 / sqrt(2 pi)). */
const INV_SQRT_2PI_E36 = 398_942_280_401_432_677_939_946_059_934_381_868n;
/** PRC-4: |x| >= 9 gives N(x) = ONE or 0. */
const CDF_CUTOFF = 9n * ONE;

/** PRC-2: e^(x / one) * one at scale `one` (10**18 or 10**36).
 * @param {bigint} x @param {bigint} one */
function expFixed(x, one) {
  const ln2 = LN2_E36 / (GUARD / one);
  const k = floorDiv(2n * x + ln2, 2n * ln2);
  const r = x - k * ln2;
  let total = one;
  let term = one;
  for (let n = 1n; term !== 0n; n++) {
    term = floorDiv(term * r, n * one);
    total += term;
  }
  return k >= 0n ? total << k : total >> -k; // BigInt >> is a floor shift
}

/** PRC-2 at wad. @param {bigint} x */
const expWad = (x) => expFixed(x, ONE);

/** @param {bigint} x x > 0 @returns {bigint} */
function bitLength(x) {
  return BigInt(x.toString(2).length);
}

/** PRC-3: ln(x) at wad, x > 0 in wad (x = m 2^k, m in [ONE, 2 ONE); 2 atanh series).
 * @param {bigint} x */
function lnWad(x) {
  const ln2 = LN2_E36 / (GUARD / ONE);
  /** @param {bigint} k */
  const shifted = (k) => (k >= 0n ? x >> k : x << -k);
  let k = bitLength(x) - bitLength(ONE);
  let m = shifted(k);
  while (m >= 2n * ONE) m = shifted(++k);
  while (m < ONE) m = shifted(--k);
  const z = ((m - ONE) * ONE) / (m + ONE);
  const z2 = (z * z) / ONE;
  let series = 0n;
  let power = z;
  for (let n = 1n; power !== 0n; n += 2n) {
    series += power / n;
    power = (power * z2) / ONE;
  }
  return k * ln2 + 2n * series;
}

/** PRC-4: the normal distribution function N(x) in wad (Marsaglia's series at GUARD).
 * @param {bigint} x */
function normalCdfWad(x) {
  if (x >= CDF_CUTOFF) return ONE;
  if (x <= -CDF_CUTOFF) return 0n;
  const scale = GUARD / ONE;
  const g = (x < 0n ? -x : x) * scale;
  const g2 = (g * g) / GUARD;
  const pdf = (expFixed(-(g2 / 2n), GUARD) * INV_SQRT_2PI_E36) / GUARD;
  let term = (pdf * g) / GUARD;
  let series = term;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * g2) / ((2n * n + 1n) * GUARD);
    series += term;
  }
  const upper = GUARD / 2n + series;
  return x >= 0n ? min(upper, GUARD) / scale : max(GUARD - upper, 0n) / scale;
}

/**
 * PRC-6: one option's inputs; the ledger's rate is zero (PRC-12).
 * @typedef {{ spot: bigint, strike: bigint, vol: bigint, seconds: bigint }} Inputs
 */

/** PRC-8: an option with no time left or no volatility is worth its intrinsic value.
 * @param {Inputs} i */
const hasTimeValue = (i) => i.seconds > 0n && i.vol > 0n;

/** PRC-7 at rate zero: d1, d2 (rT = 0, e^(-rT) = ONE, so K e^(-rT) = K ONE).
 * @param {Inputs} i */
function terms(i) {
  const year = BPS * BPS * SECONDS_PER_YEAR;
  const volRootT = isqrtFloor((i.vol * i.vol * i.seconds * ONE * ONE) / year);
  const halfVar = (i.vol * i.vol * i.seconds * ONE) / (2n * year);
  const logMoneyness = lnWad(i.spot * ONE) - lnWad(i.strike * ONE);
  const d1 = floorDiv((logMoneyness + halfVar) * ONE, volRootT);
  return { d1, d2: d1 - volRootT };
}

/** PRC-7: K e^(-rT) at rate zero: exp_wad(0) = ONE, so K * ONE (also when t <= 0).
 * @param {Inputs} i */
function discountedStrike(i) {
  return i.strike * expWad(0n);
}

/** @type {Map<string, bigint>} */
const memo = new Map();

/** PRC-8: a call's or a put's value in wad value units, memoized (the function is pure,
 * so the cache changes only how fast it answers).
 * @param {"call" | "put"} kind @param {Inputs} i */
export function optionWad(kind, i) {
  const key = `${kind} ${i.spot} ${i.strike} ${i.vol} ${i.seconds}`;
  let v = memo.get(key);
  if (v === undefined) {
    if (memo.size > 1 << 16) memo.clear();
    v = priced(kind, i);
    memo.set(key, v);
  }
  return v;
}

/** PRC-8, PRC-9: a call's or a put's value in wad value units, clamped to its bounds.
 * @param {"call" | "put"} kind @param {Inputs} i */
function priced(kind, i) {
  const spot = i.spot * ONE;
  const kd = discountedStrike(i);
  if (kind === "call") {
    const lower = max(spot - kd, 0n);
    if (!hasTimeValue(i)) return lower;
    const t = terms(i);
    const value = i.spot * normalCdfWad(t.d1) - (kd * normalCdfWad(t.d2)) / ONE;
    return min(max(value, lower), spot);
  }
  const lower = max(kd - spot, 0n);
  if (!hasTimeValue(i)) return lower;
  const t = terms(i);
  const value = (kd * normalCdfWad(-t.d2)) / ONE - i.spot * normalCdfWad(-t.d1);
  return min(max(value, lower), kd);
}

/** PRC-11: delta of one lot in wad: call N(d1), put N(d1) - ONE; with no time value the
 * step of the discounted payoff.
 * @param {"call" | "put"} kind @param {Inputs} i */
export function deltaWad(kind, i) {
  if (!hasTimeValue(i)) {
    const kd = discountedStrike(i);
    if (kind === "call") return i.spot * ONE > kd ? ONE : 0n;
    return i.spot * ONE < kd ? -ONE : 0n;
  }
  const n1 = normalCdfWad(terms(i).d1);
  return kind === "call" ? n1 : n1 - ONE;
}
