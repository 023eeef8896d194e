"""Deterministic fixed-point Black-Scholes (PRC-1..PRC-12).

Every function here is pure and computes in integers only, with each division's
rounding specified, so that an implementation in any language with big (or
256-bit) integers gets the same integers.  Numbers are fixed point at scale
`ONE = 10**18` ("wad", as in the on-chain libraries solstat, Lyra's
BlackScholes.sol and PRBMath), except the normal distribution function, which
computes at `GUARD = 10**36` and rounds once to wad (PRC-4).

Why 10**18: marks are value units per lot and a price is at most 10**12
(BND-2); at 18 decimals the pricer's error (PRC-10) stays below 10**-3 value
units at the largest price, so the integer mark is off by at most one unit.

Every `//` below is floor division (towards minus infinity), as in PRC-1.
"""

from dataclasses import dataclass
from functools import lru_cache
from math import isqrt

from spec.bounds import BPS, SECONDS_PER_YEAR

ONE = 10**18
"""PRC-1: the fixed-point scale of the pricer (wad)."""

GUARD = 10**36
"""PRC-4: the scale the normal distribution function computes at."""

LN2_E36 = 693_147_180_559_945_309_417_232_121_458_176_568
"""PRC-2: floor(ln 2 * 10**36)."""

INV_SQRT_2PI_E36 = 398_942_280_401_432_677_939_946_059_934_381_868
"""PRC-4: floor(10**36 / sqrt(2 pi))."""

CDF_CUTOFF = 9 * ONE
"""PRC-4: beyond |x| = 9, N(x) is within 1.2e-19 of 0 or 1 and is taken as 0 or ONE."""


def exp_fixed(x: int, one: int) -> int:
    """PRC-2: e^(x / one) * one, for x at scale `one` (10**18 or 10**36).

    Range reduction x = k ln2 + r with k the nearest integer to x / ln2 (ties up)
    and |r| <= ln2 / 2; the Taylor series of e^r, each term rounded down, summed
    until a term is zero; then times 2^k (a left shift, or a right shift rounding
    down).
    """
    ln2 = LN2_E36 // (GUARD // one)
    k = (2 * x + ln2) // (2 * ln2)
    r = x - k * ln2
    total = one
    term = one
    n = 1
    while term != 0:
        term = term * r // (n * one)
        total += term
        n += 1
    return total << k if k >= 0 else total >> -k


def exp_wad(x: int) -> int:
    """PRC-2: e^x at wad scale (x and the result in wad)."""
    return exp_fixed(x, ONE)


def ln_wad(x: int) -> int:
    """PRC-3: ln(x) at wad scale, for x > 0 in wad.

    x = m * 2^k with m in [1, 2) (m rounded down when x is shifted right); then
    ln m = 2 atanh(z) with z = (m - 1) / (m + 1) in [0, 1/3), z rounded down, by
    the series z + z^3/3 + z^5/5 + ..., each term rounded down, until a term is
    zero; ln x = k ln2 + ln m.

    pre: x > 0
    """
    ln2 = LN2_E36 // (GUARD // ONE)
    # x shifted to the bit length of ONE lies in [2^59, 2^60), as ONE does: below 2 * ONE,
    # and if below ONE, twice it is in [2^60, 2 * ONE).  So one shift up at most.
    k = x.bit_length() - ONE.bit_length()
    m = x >> k if k >= 0 else x << -k
    if m < ONE:
        k -= 1
        m = x >> k if k >= 0 else x << -k
    z = (m - ONE) * ONE // (m + ONE)
    z2 = z * z // ONE
    series = 0
    power = z
    n = 1
    while power != 0:
        series += power // n
        power = power * z2 // ONE
        n += 2
    return k * ln2 + 2 * series


def sqrt_wad(x: int) -> int:
    """PRC-5: floor(sqrt(x)) at wad scale, for x >= 0 in wad: isqrt(x * ONE), exact."""
    return isqrt(x * ONE)


def normal_pdf_wad(x: int) -> int:
    """PRC-4: the standard normal density N'(x) = e^(-x^2/2) / sqrt(2 pi), in wad."""
    x2 = x * x // ONE
    return exp_wad(-(x2 // 2)) * (INV_SQRT_2PI_E36 // ONE) // ONE


def normal_cdf_wad(x: int) -> int:
    """PRC-4: the standard normal distribution function N(x), in wad.

    For 0 <= x < 9, at scale GUARD: N(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...)
    (Marsaglia's series, all terms positive), phi(x) = e^(-x^2/2) / sqrt(2 pi), each
    product and term rounded down, summed until a term is zero; the result rounded
    down to wad.  For x < 0, N(x) = ONE - N(-x) computed at GUARD before the
    rounding.  N(x) = ONE for x >= 9 and 0 for x <= -9.

    post: 0 <= __return__ <= 10**18
    """
    if x >= CDF_CUTOFF:
        return ONE
    if x <= -CDF_CUTOFF:
        return 0
    scale = GUARD // ONE
    g = abs(x) * scale
    g2 = g * g // GUARD
    pdf = exp_fixed(-(g2 // 2), GUARD) * INV_SQRT_2PI_E36 // GUARD
    term = pdf * g // GUARD
    series = term
    n = 1
    while term != 0:
        term = term * g2 // ((2 * n + 1) * GUARD)
        series += term
        n += 1
    upper = GUARD // 2 + series
    return min(upper, GUARD) // scale if x >= 0 else max(GUARD - upper, 0) // scale


# --- Black-Scholes ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inputs:
    """PRC-6: one option's inputs: spot and strike in value units, volatility and rate in
    bps a year, time to expiry in seconds."""

    spot: int
    strike: int
    vol_bps: int
    seconds: int
    rate_bps: int = 0


@dataclass(frozen=True, slots=True)
class Terms:
    """PRC-7: the shared terms of one evaluation, in wad: d1, d2, sigma sqrt(T),
    sqrt(T), the discounted strike K e^(-rT) (wad value units)."""

    d1: int
    d2: int
    vol_root_t: int
    root_t: int
    discounted_strike: int


def has_time_value(i: Inputs) -> bool:
    """PRC-8: an option with no time left or no volatility is worth its intrinsic value."""
    return i.seconds > 0 and i.vol_bps > 0


def terms(i: Inputs) -> Terms:
    """PRC-7: d1 = (ln S - ln K + rT + sigma^2 T / 2) / (sigma sqrt T), d2 = d1 - sigma sqrt T.

    sigma sqrt T = isqrt(floor(vol^2 * t * ONE^2 / (BPS^2 * Y))), exact floor;
    rT and sigma^2 T / 2 are single floor divisions of exact products; the
    division by sigma sqrt T rounds down.

    pre: has_time_value(i)
    """
    year = BPS * BPS * SECONDS_PER_YEAR
    vol_root_t = isqrt(i.vol_bps * i.vol_bps * i.seconds * ONE * ONE // year)
    root_t = isqrt(i.seconds * ONE * ONE // SECONDS_PER_YEAR)
    rate_t = i.rate_bps * i.seconds * ONE // (BPS * SECONDS_PER_YEAR)
    half_var = i.vol_bps * i.vol_bps * i.seconds * ONE // (2 * year)
    log_moneyness = ln_wad(i.spot * ONE) - ln_wad(i.strike * ONE)
    d1 = (log_moneyness + rate_t + half_var) * ONE // vol_root_t
    discounted = i.strike * exp_wad(-rate_t)
    return Terms(d1, d1 - vol_root_t, vol_root_t, root_t, discounted)


def discounted_strike_wad(i: Inputs) -> int:
    """PRC-7: K e^(-rT) in wad value units (K with no time left)."""
    if i.seconds <= 0:
        return i.strike * ONE
    return i.strike * exp_wad(-(i.rate_bps * i.seconds * ONE // (BPS * SECONDS_PER_YEAR)))


def call_wad(i: Inputs) -> int:
    """PRC-8: the Black-Scholes call, S N(d1) - K e^(-rT) N(d2), in wad value units.

    Each product is rounded down; the result is clamped to
    [max(S - K e^(-rT), 0), S], the no-arbitrage bounds (PRC-9).
    """
    spot = i.spot * ONE
    kd = discounted_strike_wad(i)
    lower = max(spot - kd, 0)
    if not has_time_value(i):
        return lower
    t = terms(i)
    value = i.spot * normal_cdf_wad(t.d1) - kd * normal_cdf_wad(t.d2) // ONE
    return min(max(value, lower), spot)


def put_wad(i: Inputs) -> int:
    """PRC-8: the Black-Scholes put, K e^(-rT) N(-d2) - S N(-d1), in wad value units.

    Each product is rounded down; clamped to [max(K e^(-rT) - S, 0), K e^(-rT)].
    """
    spot = i.spot * ONE
    kd = discounted_strike_wad(i)
    lower = max(kd - spot, 0)
    if not has_time_value(i):
        return lower
    t = terms(i)
    value = kd * normal_cdf_wad(-t.d2) // ONE - i.spot * normal_cdf_wad(-t.d1)
    return min(max(value, lower), kd)


@lru_cache(maxsize=1 << 16)
def option_wad(kind: str, i: Inputs) -> int:
    """PRC-8: a call's or a put's value (`kind` "call" or "put"), in wad value units.

    Memoized: the function is pure, so the cache changes only how fast it answers.
    """
    return call_wad(i) if kind == "call" else put_wad(i)


# --- Greeks (PRC-11) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Greeks:
    """PRC-11: the sensitivities of one lot, in wad: delta (lots of underlying), gamma
    (per value unit of price), vega (value units per 1.00 of volatility), theta (value
    units per year)."""

    delta: int
    gamma: int
    vega: int
    theta: int


def intrinsic_delta(kind: str, i: Inputs) -> int:
    """PRC-11: with no time value, delta is the step of the (discounted) payoff."""
    kd = discounted_strike_wad(i)
    if kind == "call":
        return ONE if i.spot * ONE > kd else 0
    return -ONE if i.spot * ONE < kd else 0


@lru_cache(maxsize=1 << 16)
def greeks_wad(kind: str, i: Inputs) -> Greeks:
    """PRC-11: Black-Scholes Greeks of one lot from the pricer's own terms.

    delta: call N(d1), put N(d1) - ONE; gamma: phi(d1) / (S sigma sqrt T);
    vega: S phi(d1) sqrt T; theta: -S phi(d1) sigma / (2 sqrt T) -/+ r K e^(-rT)
    N(+/-d2) (call/put).  Each product and quotient rounded down.  With no time
    value: delta the step, the others 0.
    """
    if not has_time_value(i):
        return Greeks(intrinsic_delta(kind, i), 0, 0, 0)
    t = terms(i)
    pdf = normal_pdf_wad(t.d1)
    n1 = normal_cdf_wad(t.d1)
    delta = n1 if kind == "call" else n1 - ONE
    gamma = pdf * ONE // (i.spot * t.vol_root_t)
    vega = i.spot * pdf * t.root_t // ONE
    vol = i.vol_bps * ONE // BPS
    decay = i.spot * pdf * vol // (2 * t.root_t)
    rate = i.rate_bps * ONE // BPS
    if kind == "call":
        carry = -(rate * t.discounted_strike // ONE * normal_cdf_wad(t.d2) // ONE)
    else:
        carry = rate * t.discounted_strike // ONE * normal_cdf_wad(-t.d2) // ONE
    return Greeks(delta, gamma, vega, -decay + carry)
