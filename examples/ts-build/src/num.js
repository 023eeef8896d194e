// Numbers (NUM-1..NUM-3): exact integer arithmetic on BigInt, every division rounding
// against the account. No float reaches any value here.

export const BPS = 10_000n;
export const MAX_AMOUNT = 10n ** 18n; // BND-1
export const MAX_QTY = 10n ** 6n; // BND-3
export const SECONDS_PER_YEAR = 31_536_000n;

/** Floor division for d > 0 (BigInt `/` truncates toward zero).
 * @param {bigint} n @param {bigint} d */
export function floorDiv(n, d) {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** NUM-2: ceil_div(n, d) = -((-n) // d) for d > 0.
 * @param {bigint} n @param {bigint} d */
export function ceilDiv(n, d) {
  return -floorDiv(-n, d);
}

/** NUM-1: a share of a value the account owns, rounded down.
 * @param {bigint} v @param {bigint} bps */
export function bpsDown(v, bps) {
  return floorDiv(v * bps, BPS);
}

/** NUM-2: a share of a value the account owes, rounded up.
 * @param {bigint} v @param {bigint} bps */
export function bpsUp(v, bps) {
  return ceilDiv(v * bps, BPS);
}

/** @param {bigint} a @param {bigint} b */
export const min = (a, b) => (a < b ? a : b);
/** @param {bigint} a @param {bigint} b */
export const max = (a, b) => (a > b ? a : b);
/** @param {bigint} a */
export const abs = (a) => (a < 0n ? -a : a);
/** @param {bigint} a */
export const sign = (a) => (a > 0n ? 1n : a < 0n ? -1n : 0n);

/** PRC-5, PRC-7: the greatest r >= 0 with r * r <= n (Newton on BigInt).
 * @param {bigint} n */
export function isqrtFloor(n) {
  if (n <= 0n) return 0n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/** RISK-6: the least r >= 0 with r * r >= n.
 * @param {bigint} n */
export function isqrtCeil(n) {
  const x = isqrtFloor(n);
  return x * x === n ? x : x + 1n;
}
