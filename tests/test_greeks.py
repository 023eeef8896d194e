"""Tests of the Greeks (RISK-9, PRC-11): the integer Greeks of the pricer against textbook
worked examples and against the float formulas of tests/float_greeks.py (the cross-check,
no second source of truth), and the portfolio aggregation across spokes.

Tolerances: textbook figures are printed to 3-4 decimals, so each check allows half a
unit in the last printed digit; the float cross-check agrees to 1e-9 (relative for
gamma, vega and theta).
"""

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from model import State
from model.greeks import market_greeks, portfolio_greeks
from model.pricing import ONE, Greeks, Inputs, greeks_wad
from spec.actions import AdvanceTime, SendReport, Trade
from spec.bounds import SECONDS_PER_YEAR
from spec.params import Params
from tests.float_greeks import option_greeks, vega_theta
from tests.helpers import credited, deliver_all, funded, priced, run, stale, traded

HALF_YEAR = SECONDS_PER_YEAR // 2
MONTH = 2_592_000


def real(x: int) -> float:
    """A wad integer as a float, for comparison with printed figures."""
    return x / ONE


def test_hulls_pricing_example_call_delta_is_n_of_d1() -> None:
    """RISK-9, PRC-11.  Hull, Options, Futures, and Other Derivatives, Example 15.6:
    S0 = 42, K = 40, r = 10%, sigma = 20%, T = 0.5, d1 = 0.7693: call delta
    N(0.7693) = 0.7791, put delta 0.7791 - 1."""
    i = Inputs(42, 40, 2_000, HALF_YEAR, 1_000)
    assert real(greeks_wad("call", i).delta) == pytest.approx(0.7791, abs=5e-5)
    assert real(greeks_wad("put", i).delta) == pytest.approx(0.7791 - 1, abs=5e-5)


def test_hulls_delta_and_gamma_example() -> None:
    """RISK-9, PRC-11.  Hull, the 'Greek letters' chapter's running example (a bank's short
    call on a non-dividend stock): S0 = 49, K = 50, r = 5%, sigma = 20%, T = 20 weeks =
    0.3846 gives call delta 0.522, gamma 0.066, vega 12.1 (per 1.00 of volatility) and
    theta -4.31 per year."""
    g = greeks_wad("call", Inputs(49, 50, 2_000, 12_128_746, 500))  # 0.3846 years
    assert real(g.delta) == pytest.approx(0.522, abs=5e-4)
    assert real(g.gamma) == pytest.approx(0.066, abs=5e-4)
    assert real(g.vega) == pytest.approx(12.1, abs=5e-2)
    assert real(g.theta) == pytest.approx(-4.31, abs=5e-3)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["call", "put"]),
    st.integers(100, 100_000),
    st.integers(50, 200),
    st.integers(1_000, 20_000),
    st.integers(86_400, 2 * SECONDS_PER_YEAR),
    st.integers(0, 1_000),
)
def test_integer_greeks_agree_with_the_float_cross_check(
    kind: str, spot: int, moneyness: int, vol: int, seconds: int, rate: int
) -> None:
    """PRC-11: delta within 1e-9, gamma, vega and theta within 1e-9 relative (plus 1e-12
    absolute) of the float formulas, over strikes from half to twice the spot."""
    strike = spot * moneyness // 100
    i = Inputs(spot, strike, vol, seconds, rate)
    g = greeks_wad(kind, i)
    args = (kind, spot, strike, vol / 10_000, seconds / SECONDS_PER_YEAR, rate / 10_000)
    f = option_greeks(*args)
    vega, theta = vega_theta(*args)
    event("in the money" if (spot > strike) == (kind == "call") else "out of the money")
    assert real(g.delta) == pytest.approx(f.delta, abs=1e-9)
    assert real(g.gamma) == pytest.approx(f.gamma, rel=1e-9, abs=1e-12)
    assert real(g.vega) == pytest.approx(vega, rel=1e-9, abs=1e-12)
    assert real(g.theta) == pytest.approx(theta, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    "i",
    [Inputs(42, 40, 2_000, HALF_YEAR, 1_000), Inputs(2_000, 1_800, 8_000, MONTH)],
)
def test_call_and_put_greeks_are_related_by_parity(i: Inputs) -> None:
    """PRC-11, PRC-9: call delta - put delta = 1 exactly (both come from N(d1)); the
    gammas and vegas are equal."""
    call, put = greeks_wad("call", i), greeks_wad("put", i)
    assert call.delta - put.delta == ONE
    assert call.gamma == put.gamma > 0
    assert call.vega == put.vega > 0


def test_at_or_past_expiry_delta_is_the_intrinsic_step() -> None:
    """RISK-9, PRC-11, PRC-13: with no time left the option is its intrinsic value: delta
    steps at the strike, the other Greeks are 0."""
    assert greeks_wad("call", Inputs(2_100, 2_000, 8_000, 0)) == Greeks(ONE, 0, 0, 0)
    assert greeks_wad("call", Inputs(1_900, 2_000, 8_000, -1)) == Greeks(0, 0, 0, 0)
    assert greeks_wad("put", Inputs(1_700, 1_800, 8_000, 0)) == Greeks(-ONE, 0, 0, 0)
    assert greeks_wad("put", Inputs(1_900, 1_800, 8_000, 0)) == Greeks(0, 0, 0, 0)


def test_a_perpetual_has_delta_one_per_lot_and_no_gamma(params: Params) -> None:
    """RISK-9: a perpetual moves one for one with its underlying."""
    perp = next(m for m in params.markets if m.kind == "perp")
    assert market_greeks(params, perp, 2_000, 0) == Greeks(ONE, 0, 0, 0)


# --- portfolio Greeks across spokes ------------------------------------------------


def book(genesis: State, trades: list[tuple[str, str, int, int]]) -> State:
    """alice (100 000 USD, 20 000 credit on each spoke) makes `trades`
    (spoke, market, qty, price) at ETH 2000, and the hub has every report."""
    state = funded(priced(genesis), usd=100_000)
    for spoke in ("arb", "base"):
        state = credited(state, "alice", spoke, 20_000)
    for spoke, market, qty, price in trades:
        state = traded(state, spoke, "alice", market, qty, price)
    return state


def test_a_long_call_and_a_short_call_on_two_spokes_net_to_nothing(genesis: State) -> None:
    """RISK-9, RISK-8: the hub aggregates across venues: +1 call on arb and -1 call on base
    have opposite Greeks, whose sum is zero."""
    state = book(genesis, [("arb", "ETH-C-2000", 1, 100), ("base", "ETH-C-2000", -1, 100)])
    assert portfolio_greeks(state, "alice")["ETH"] == Greeks(0, 0, 0, 0)


def test_portfolio_greeks_add_up_the_positions_on_every_spoke(genesis: State) -> None:
    """RISK-9: 3 perps on arb and -2 calls on base: delta 3 - 2 x N(d1), gamma -2 x gamma of
    one call (ETH 2000, sigma 80%, 30 days to expiry, r = 0)."""
    state = book(genesis, [("arb", "ETH-PERP", 3, 2_000), ("base", "ETH-C-2000", -2, 100)])
    one_call = greeks_wad("call", Inputs(2_000, 2_000, 8_000, MONTH))
    greeks = portfolio_greeks(state, "alice")["ETH"]
    assert greeks == Greeks(
        3 * ONE - 2 * one_call.delta, -2 * one_call.gamma, -2 * one_call.vega, -2 * one_call.theta
    )
    assert 0.5 < real(one_call.delta) < 0.6  # at the money, r = 0: N(sigma sqrt(T) / 2)


def test_portfolio_greeks_use_only_what_the_hub_has_been_told(genesis: State) -> None:
    """RISK-9, HUB-REP-2: an unreported trade does not count yet."""
    state = book(genesis, [])
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000))
    assert portfolio_greeks(state, "alice") == {}
    state = deliver_all(run(state, SendReport(spoke="arb", account="alice")))
    assert portfolio_greeks(state, "alice") == {"ETH": Greeks(ONE, 0, 0, 0)}


def test_portfolio_greeks_without_a_price_are_none(genesis: State) -> None:
    """RISK-9, ORA-5: no price, no Greeks for that underlying."""
    state = stale(book(genesis, [("arb", "ETH-PERP", 1, 2_000)]))
    assert portfolio_greeks(state, "alice") == {"ETH": None}


def test_portfolio_greeks_past_expiry_are_the_intrinsic_step(genesis: State) -> None:
    """RISK-9: past the options' expiry an in-the-money call counts as one unit of delta and an
    out-of-the-money put as none; no gamma."""
    state = book(genesis, [("arb", "ETH-C-2000", 1, 0), ("base", "ETH-P-1800", 1, 0)])
    state = priced(run(state, AdvanceTime(seconds=2_592_000)), eth=2_100)
    assert portfolio_greeks(state, "alice") == {"ETH": Greeks(ONE, 0, 0, 0)}


def test_an_account_without_positions_has_no_greeks(genesis: State) -> None:
    """RISK-9: nothing held, nothing to report."""
    assert portfolio_greeks(genesis, "bob") == {}
