"""Tests of the Greeks analytics (RISK-9): Black-Scholes prices, Delta and Gamma against
textbook worked examples, and the portfolio aggregation across spokes.

Tolerances: textbook figures are printed to 2 decimals (prices) or 3-4 decimals (d1,
Greeks), so each check allows half a unit in the last printed digit; identities
(put-call parity, equal gammas) hold to 1e-9.
"""

from math import exp

import pytest

from model import State
from model.greeks import (
    Greeks,
    call_price,
    d1_d2,
    market_greeks,
    option_greeks,
    portfolio_greeks,
    put_price,
)
from spec.actions import AdvanceTime, SendReport, Trade
from spec.bounds import SECONDS_PER_YEAR
from spec.params import Params
from tests.helpers import credited, deliver_all, funded, priced, run, stale, traded


def test_hulls_pricing_example() -> None:
    """RISK-9.  Hull, Options, Futures, and Other Derivatives, the Black-Scholes-Merton
    chapter's worked example: S0=42, K=40, r=10%, sigma=20%, T=0.5 gives d1=0.7693,
    d2=0.6278, call 4.76, put 0.81."""
    d1, d2 = d1_d2(42, 40, 0.20, 0.5, 0.10)
    assert d1 == pytest.approx(0.7693, abs=5e-5)
    assert d2 == pytest.approx(0.6278, abs=5e-5)
    assert call_price(42, 40, 0.20, 0.5, 0.10) == pytest.approx(4.76, abs=5e-3)
    assert put_price(42, 40, 0.20, 0.5, 0.10) == pytest.approx(0.81, abs=5e-3)


def test_hulls_pricing_example_call_delta_is_n_of_d1() -> None:
    """RISK-9: same example; call delta N(0.7693) = 0.7791, put delta 0.7791 - 1."""
    greeks = option_greeks("call", 42, 40, 0.20, 0.5, 0.10)
    assert greeks.delta == pytest.approx(0.7791, abs=5e-5)
    put = option_greeks("put", 42, 40, 0.20, 0.5, 0.10)
    assert put.delta == pytest.approx(0.7791 - 1, abs=5e-5)


def test_hulls_delta_and_gamma_example() -> None:
    """RISK-9.  Hull, the 'Greek letters' chapter's running example (a bank's short call on a
    non-dividend stock): S0=49, K=50, r=5%, sigma=20%, T=20 weeks=0.3846 gives call delta
    0.522 and gamma 0.066."""
    greeks = option_greeks("call", 49, 50, 0.20, 0.3846, 0.05)
    assert greeks.delta == pytest.approx(0.522, abs=5e-4)
    assert greeks.gamma == pytest.approx(0.066, abs=5e-4)


@pytest.mark.parametrize(
    ("spot", "strike", "vol", "t", "r"),
    [(42, 40, 0.2, 0.5, 0.1), (49, 50, 0.2, 0.3846, 0.05), (2_000, 1_800, 0.8, 30 / 365, 0.0)],
)
def test_put_call_parity_holds(spot: float, strike: float, vol: float, t: float, r: float) -> None:
    """RISK-9: c - p = S - K e^(-rT); so call delta - put delta = 1 and the gammas are equal."""
    c, p = call_price(spot, strike, vol, t, r), put_price(spot, strike, vol, t, r)
    assert c - p == pytest.approx(spot - strike * exp(-r * t), abs=1e-9)
    call, put = (
        option_greeks("call", spot, strike, vol, t, r),
        option_greeks("put", spot, strike, vol, t, r),
    )
    assert call.delta - put.delta == pytest.approx(1.0, abs=1e-9)
    assert call.gamma == pytest.approx(put.gamma, abs=1e-12)
    assert call.gamma > 0


def test_at_or_past_expiry_delta_is_the_intrinsic_step() -> None:
    """RISK-9: with no time left the option is its intrinsic value: delta steps at the
    strike, gamma is 0."""
    assert option_greeks("call", 2_100, 2_000, 0.8, 0.0) == Greeks(1.0, 0.0)
    assert option_greeks("call", 1_900, 2_000, 0.8, -0.1) == Greeks(0.0, 0.0)
    assert option_greeks("put", 1_700, 1_800, 0.8, 0.0) == Greeks(-1.0, 0.0)
    assert option_greeks("put", 1_900, 1_800, 0.8, 0.0) == Greeks(0.0, 0.0)


def test_a_perpetual_has_delta_one_per_lot_and_no_gamma(params: Params) -> None:
    """RISK-9: a perpetual moves one for one with its underlying."""
    perp = next(m for m in params.markets if m.kind == "perp")
    assert market_greeks(perp, 2_000, 8_000, 0, 0.0) == Greeks(1.0, 0.0)


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
    greeks = portfolio_greeks(state, "alice")["ETH"]
    assert greeks is not None
    assert greeks.delta == pytest.approx(0.0, abs=1e-12)
    assert greeks.gamma == pytest.approx(0.0, abs=1e-15)


def test_portfolio_greeks_add_up_the_positions_on_every_spoke(genesis: State) -> None:
    """RISK-9: 3 perps on arb and -2 calls on base: delta 3 - 2 x N(d1), gamma -2 x gamma of
    one call (ETH 2000, sigma 80%, 30 days to expiry, r = 0)."""
    state = book(genesis, [("arb", "ETH-PERP", 3, 2_000), ("base", "ETH-C-2000", -2, 100)])
    one_call = option_greeks("call", 2_000, 2_000, 0.8, 2_592_000 / SECONDS_PER_YEAR)
    greeks = portfolio_greeks(state, "alice")["ETH"]
    assert greeks is not None
    assert greeks.delta == pytest.approx(3 - 2 * one_call.delta, abs=1e-12)
    assert greeks.gamma == pytest.approx(-2 * one_call.gamma, abs=1e-15)
    assert 0.5 < one_call.delta < 0.6  # at the money, r = 0: N(sigma sqrt(T) / 2)


def test_portfolio_greeks_use_only_what_the_hub_has_been_told(genesis: State) -> None:
    """RISK-9, HUB-REP-2: an unreported trade does not count yet."""
    state = book(genesis, [])
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000))
    assert portfolio_greeks(state, "alice") == {}
    state = deliver_all(run(state, SendReport(spoke="arb", account="alice")))
    assert portfolio_greeks(state, "alice") == {"ETH": Greeks(1.0, 0.0)}


def test_portfolio_greeks_without_a_price_are_none(genesis: State) -> None:
    """RISK-9, ORA-5: no price, no Greeks for that underlying."""
    state = stale(book(genesis, [("arb", "ETH-PERP", 1, 2_000)]))
    assert portfolio_greeks(state, "alice") == {"ETH": None}


def test_portfolio_greeks_past_expiry_are_the_intrinsic_step(genesis: State) -> None:
    """RISK-9: past the options' expiry an in-the-money call counts as one unit of delta and an
    out-of-the-money put as none; no gamma."""
    state = book(genesis, [("arb", "ETH-C-2000", 1, 0), ("base", "ETH-P-1800", 1, 0)])
    state = priced(run(state, AdvanceTime(seconds=2_592_000)), eth=2_100)
    assert portfolio_greeks(state, "alice") == {"ETH": Greeks(1.0, 0.0)}


def test_an_account_without_positions_has_no_greeks(genesis: State) -> None:
    """RISK-9: nothing held, nothing to report."""
    assert portfolio_greeks(genesis, "bob") == {}
