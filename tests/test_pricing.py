"""The fixed-point pricer (PRC-1..PRC-11): each approximation within its stated error bound
against mpmath at 50 digits over the declared input domain, the no-arbitrage bounds and
put-call parity as laws, and published Black-Scholes figures."""

from collections.abc import Callable

import mpmath
import pytest
from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from model.pricing import (
    ONE,
    Inputs,
    call_wad,
    exp_wad,
    ln_wad,
    normal_cdf_wad,
    normal_pdf_wad,
    option_wad,
    put_wad,
    sqrt_wad,
    terms,
)
from model.valuation import mark_wad, market_volatility
from spec.bounds import MAX_PRICE, MAX_SECONDS, MAX_VOLATILITY_BPS, SECONDS_PER_YEAR
from spec.examples import example_params
from spec.params import MarketParams

mpmath.mp.dps = 50
LAWS = settings(max_examples=300, deadline=None)


def mp(x: int) -> mpmath.mpf:
    """A wad integer as the real it stands for."""
    return mpmath.mpf(x) / ONE


# --- PRC-2..PRC-5: the elementary functions ---------------------------------------------


@LAWS
@given(st.integers(-42 * ONE, 42 * ONE))
def test_exp_is_within_its_bound(x: int) -> None:
    """PRC-2: |exp_wad(x) - e^x ONE| <= 1e-16 e^x ONE + 1 on [-42, 42]."""
    exact = mpmath.exp(mp(x)) * ONE
    event("x < 0" if x < 0 else "x >= 0")
    assert abs(exp_wad(x) - exact) <= mpmath.mpf("1e-16") * exact + 1


def test_exp_at_the_edges_and_known_points() -> None:
    """PRC-2: exact at 0; e^1 to 17 digits; the domain's ends within the bound."""
    assert exp_wad(0) == ONE
    assert abs(exp_wad(ONE) - 2_718_281_828_459_045_235) <= 30
    for x in (-42 * ONE, 42 * ONE, 1, -1):
        exact = mpmath.exp(mp(x)) * ONE
        assert abs(exp_wad(x) - exact) <= mpmath.mpf("1e-16") * exact + 1


@LAWS
@given(st.integers(1, 10**31))
def test_ln_is_within_its_bound(x: int) -> None:
    """PRC-3: |ln_wad(x) - ln(x) ONE| <= 100 for x in [1e-18, 1e13]."""
    event("x < 1" if x < ONE else "x >= 1")
    assert abs(ln_wad(x) - mpmath.log(mp(x)) * ONE) <= 100


def test_ln_at_the_edges() -> None:
    """PRC-3: ln 1 = 0 exactly; ln 2 is the declared constant; the domain's ends."""
    assert ln_wad(ONE) == 0
    assert ln_wad(2 * ONE) == 693_147_180_559_945_309
    for x in (1, 10**31):
        assert abs(ln_wad(x) - mpmath.log(mp(x)) * ONE) <= 100


@LAWS
@given(st.integers(-12 * ONE, 12 * ONE))
def test_normal_cdf_and_pdf_are_within_their_bounds(x: int) -> None:
    """PRC-4: |N(x) - N_true(x) ONE| <= 2 and |N'(x) - N'_true(x) ONE| <= 8, on both sides of
    the cut-off at |x| = 9."""
    event("beyond the cut-off" if abs(x) >= 9 * ONE else "series")
    assert abs(normal_cdf_wad(x) - mpmath.ncdf(mp(x)) * ONE) <= 2
    assert abs(normal_pdf_wad(x) - mpmath.npdf(mp(x)) * ONE) <= 8
    assert 0 <= normal_cdf_wad(x) <= ONE


def test_normal_cdf_at_the_edges() -> None:
    """PRC-4: N(0) = 1/2 exactly; N(1) = 0.841344746068542948...; the cut-off's two sides."""
    assert normal_cdf_wad(0) == ONE // 2
    assert normal_cdf_wad(ONE) == 841_344_746_068_542_948
    for x in (9 * ONE - 1, 9 * ONE, -9 * ONE, -9 * ONE + 1):
        assert abs(normal_cdf_wad(x) - mpmath.ncdf(mp(x)) * ONE) <= 2


@LAWS
@given(st.integers(0, 10**40))
def test_sqrt_is_the_exact_floor(x: int) -> None:
    """PRC-5: sqrt_wad(x) = floor(sqrt(x / ONE) ONE): error below one."""
    root = sqrt_wad(x)
    assert root * root <= x * ONE < (root + 1) ** 2


# --- PRC-8..PRC-10: prices ------------------------------------------------------------------

prices = st.integers(1, MAX_PRICE)
vols = st.integers(1, MAX_VOLATILITY_BPS)
times = st.integers(1, MAX_SECONDS)
rates = st.integers(0, 10_000)


@st.composite
def inputs(draw: st.DrawFn) -> Inputs:
    """The declared domain of PRC-6 with time value; strikes near the spot as often as not,
    so that the interesting (at-the-money) region is reached, not only the clamps."""
    spot = draw(prices)
    near = draw(st.booleans())
    if near:
        strike = min(max(1, spot + draw(st.integers(-spot // 2, spot))), MAX_PRICE)
    else:
        strike = draw(prices)
    return Inputs(spot, strike, draw(vols), draw(times), draw(rates))


def exact_price(kind: str, i: Inputs) -> mpmath.mpf:
    """Black-Scholes at 50 digits, clamped to the bounds of PRC-9, in value units."""
    s, k = mpmath.mpf(i.spot), mpmath.mpf(i.strike)
    t = mpmath.mpf(i.seconds) / SECONDS_PER_YEAR
    sigma, r = mpmath.mpf(i.vol_bps) / 10_000, mpmath.mpf(i.rate_bps) / 10_000
    kd = k * mpmath.exp(-r * t)
    d1 = (mpmath.log(s / k) + (r + sigma**2 / 2) * t) / (sigma * mpmath.sqrt(t))
    d2 = d1 - sigma * mpmath.sqrt(t)
    if kind == "call":
        value = s * mpmath.ncdf(d1) - kd * mpmath.ncdf(d2)
        return min(max(value, s - kd, 0), s)
    value = kd * mpmath.ncdf(-d2) - s * mpmath.ncdf(-d1)
    return min(max(value, kd - s, 0), kd)


def error_bound(i: Inputs) -> mpmath.mpf:
    """PRC-10: 1e-16 (S + K) value units."""
    return mpmath.mpf("1e-16") * (i.spot + i.strike)


@LAWS
@given(st.sampled_from(["call", "put"]), inputs())
def test_a_price_is_within_its_bound(kind: str, i: Inputs) -> None:
    """PRC-10: |price - BS_true ONE| <= 1e-16 (S + K) ONE over the whole domain of PRC-6."""
    exact = exact_price(kind, i)
    intrinsic = max(i.spot - i.strike, 0) if kind == "call" else max(i.strike - i.spot, 0)
    event("time value above 1" if exact - intrinsic > 1 else "price at a clamp or near it")
    error = abs(mp(option_wad(kind, i)) - exact)
    target(float(error / error_bound(i)), label="error / bound")
    assert error <= error_bound(i)


@LAWS
@given(inputs())
def test_prices_respect_the_no_arbitrage_bounds_and_parity(i: Inputs) -> None:
    """PRC-9: 0 <= call <= S, 0 <= put <= K e^(-rT) <= K, and call - put = S - K e^(-rT)
    within the two prices' error bounds."""
    call, put = call_wad(i), put_wad(i)
    spot = i.spot * ONE
    kd = mpmath.mpf(i.strike) * mpmath.exp(
        -mpmath.mpf(i.rate_bps * i.seconds) / 10_000 / SECONDS_PER_YEAR
    )
    event("put above intrinsic" if put > max(kd * ONE - spot, 0) + ONE else "put at intrinsic")
    assert 0 <= call <= spot
    assert 0 <= put <= i.strike * ONE
    parity = mp(call - put) - (i.spot - kd)
    assert abs(parity) <= 2 * error_bound(i) + mpmath.mpf("1e-16") * kd + mpmath.mpf(2) / ONE


@pytest.mark.parametrize("seconds", [0, -1, -SECONDS_PER_YEAR])
def test_with_no_time_left_an_option_is_its_intrinsic_value(seconds: int) -> None:
    """PRC-8, PRC-13: at or past expiry (and at zero volatility) the value is intrinsic."""
    assert call_wad(Inputs(2_100, 2_000, 8_000, seconds)) == 100 * ONE
    assert put_wad(Inputs(2_100, 2_000, 8_000, seconds)) == 0
    assert put_wad(Inputs(1_700, 1_800, 8_000, seconds)) == 100 * ONE
    assert call_wad(Inputs(2_100, 2_000, 0, 86_400)) == 100 * ONE


# --- published figures ------------------------------------------------------------------------

HALF_YEAR = SECONDS_PER_YEAR // 2
QUARTER = SECONDS_PER_YEAR // 4


def in_cents(value: Callable[[Inputs], int], i: Inputs) -> float:
    """A price in value units, to compare with a figure printed to the cent."""
    return value(i) / ONE


def test_hulls_worked_example() -> None:
    """PRC-8.  Hull, Options, Futures, and Other Derivatives, the Black-Scholes-Merton
    chapter's worked example (Example 15.6 in the 8th edition): S0 = 42, K = 40, r = 10%,
    sigma = 20%, T = 0.5 gives call 4.76 and put 0.81 (printed to the cent)."""
    i = Inputs(42, 40, 2_000, HALF_YEAR, 1_000)
    assert in_cents(call_wad, i) == pytest.approx(4.76, abs=5e-3)
    assert in_cents(put_wad, i) == pytest.approx(0.81, abs=5e-3)


def test_hulls_end_of_chapter_problems() -> None:
    """PRC-8.  Hull, same chapter's problems (15.12 and 15.13 in the 8th edition): a call
    with S = 52, K = 50, r = 12%, sigma = 30%, three months is worth 5.06; a put with
    S = 69, K = 70, r = 5%, sigma = 35%, six months is worth 6.40."""
    assert in_cents(call_wad, Inputs(52, 50, 3_000, QUARTER, 1_200)) == pytest.approx(
        5.06, abs=5e-3
    )
    assert in_cents(put_wad, Inputs(69, 70, 3_500, HALF_YEAR, 500)) == pytest.approx(6.40, abs=5e-3)


def test_a_zero_rate_at_the_money_call() -> None:
    """PRC-8, PRC-12 (the ledger's zero rate).  At the money with r = 0 Black-Scholes has
    the closed form S (2 N(sigma sqrt T / 2) - 1): S = 100, sigma = 20%, one year gives
    7.9656; Brenner and Subrahmanyam's published approximation 0.4 S sigma sqrt T
    (Financial Analysts Journal, 1988) gives 8.0, within 0.5%."""
    value = in_cents(call_wad, Inputs(100, 100, 2_000, SECONDS_PER_YEAR))
    closed_form = 100 * (2 * mpmath.ncdf(mpmath.mpf("0.1")) - 1)
    assert abs(value - closed_form) < 1e-12
    assert value == pytest.approx(8.0, rel=5e-3)


def test_hulls_d1_and_d2() -> None:
    """PRC-1, PRC-6, PRC-7.  Hull, Example 15.6: S0 = 42, K = 40, r = 10%, sigma = 20%,
    T = 0.5 gives d1 = 0.7693 and d2 = 0.6278 (printed to 4 decimals); the terms are wad
    integers and sigma sqrt T is the exact floor of 0.2 x sqrt(0.5) x 10**18."""
    t = terms(Inputs(42, 40, 2_000, HALF_YEAR, 1_000))
    assert t.d1 / ONE == pytest.approx(0.7693, abs=5e-5)
    assert t.d2 / ONE == pytest.approx(0.6278, abs=5e-5)
    assert t.vol_root_t == 141_421_356_237_309_504  # floor(0.2 sqrt(0.5) 1e18)
    assert t.d1 - t.d2 == t.vol_root_t


def test_a_market_may_declare_its_own_volatility() -> None:
    """PRC-12, PAR-2: an option market's own volatility_bps prices it instead of its
    underlying's; a perpetual may not declare one."""
    params = example_params()
    call = next(m for m in params.markets if m.id == "ETH-C-3000")
    skewed = call.model_copy(update={"volatility_bps": 10_000})
    assert market_volatility(params, call) == 8_000
    assert market_volatility(params, skewed) == 10_000
    assert mark_wad(params, skewed, 2_000, 0) > mark_wad(params, call, 2_000, 0)
    with pytest.raises(ValueError, match="no volatility of its own"):
        MarketParams(
            id="X", underlying="ETH", kind="perp", im_bps=1, mm_bps=1, volatility_bps=5_000
        )
