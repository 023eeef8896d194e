"""Every rounding of the model, its direction stated exactly (NUM-1, NUM-2).

`tests/test_risk.py` states the helpers of `model/arith.py` (floor and ceiling of the
exact share, the least root); here each caller that rounds is checked against the exact
rational value of what it rounds, with `Fraction`: equal to its floor where the account
owns the value (NUM-1), to its ceiling where it owes it (NUM-2), never merely "within
one".  Each law also shows that its inputs reach the inexact case (`event`), where a
wrong direction would differ.
"""

from dataclasses import replace
from fractions import Fraction
from math import ceil, floor
from unittest.mock import patch

from hypothesis import event, given, settings
from hypothesis import strategies as st

from model import initial_state, risk
from model.ledger import seize
from model.liquidation import settle
from model.margin import margin
from model.pricing import ONE
from model.risk import haircut_value, margin_ratio, ratio_bps
from model.span import (
    SCAN_STEPS,
    lot_delta_wad,
    price_move,
    scan_margin,
    scan_scenarios,
    scenario_loss,
    scenario_value_wad,
    shifted_volatility,
    spread_charge,
    tenor,
    worst_covered_loss,
)
from model.spoke import fill
from model.state import AccountStatus, Position, Positions
from model.valuation import mark, mark_wad, unrealized_pnl
from spec.bounds import BPS
from spec.examples import example_params
from tests.helpers import funded

PARAMS = example_params()
MARKETS = tuple(m.id for m in PARAMS.markets)
MARKET = {m.id: m for m in PARAMS.markets}
ETH = next(a for a in PARAMS.assets if a.id == "ETH")
PORTFOLIO = PARAMS.model_copy(update={"margin_method": "portfolio"})
GENESIS = initial_state(PARAMS)

LAWS = settings(max_examples=150, deadline=None)
amounts = st.integers(0, 10**9)
prices = st.integers(1, 100_000)
bps = st.integers(0, BPS)
lots = st.integers(-50, 50).filter(bool)
positions = st.builds(Position, qty=lots, cost=st.integers(-(10**7), 10**7))
books = st.dictionaries(st.sampled_from(MARKETS), positions, min_size=1, max_size=3)
times = st.integers(0, 60 * 86_400)


def exactness(value: Fraction) -> None:
    event("exact" if value.denominator == 1 else "rounded")


@LAWS
@given(amounts, prices, st.integers(0, BPS - 1))
def test_collateral_after_its_haircut_is_rounded_down(amount: int, price: int, cut: int) -> None:
    """NUM-1, RISK-1: floor(amount * price * (1 - haircut))."""
    exact = Fraction(amount * price * (BPS - cut), BPS)
    exactness(exact)
    assert haircut_value(amount, price, cut) == floor(exact)


@LAWS
@given(prices, st.integers(0, BPS), st.integers(-3, 3))
def test_a_scan_move_is_rounded_up(price: int, scan_range: int, thirds: int) -> None:
    """NUM-2, SPAN-1: |thirds|/3 of the scan range, the ceiling (a bigger move)."""
    exact = Fraction(price * scan_range * abs(thirds), SCAN_STEPS * BPS)
    exactness(exact)
    assert price_move(price, scan_range, thirds) == ceil(exact)


@LAWS
@given(prices)
def test_the_extreme_moves_are_rounded_away_from_the_price(price: int) -> None:
    """NUM-2, SPAN-1: extreme_multiple scan ranges, the ceiling, up and down (not below 0)."""
    exact = Fraction(price * PARAMS.portfolio.extreme_multiple * ETH.scan_range_bps, BPS)
    exactness(exact)
    up, down = scan_scenarios(PARAMS, "ETH", price)[-2:]
    assert up.price == price + ceil(exact)
    assert down.price == max(price - ceil(exact), 0)


@LAWS
@given(st.integers(0, 100_000), st.integers(0, BPS))
def test_a_volatility_shift_rounds_away_from_the_volatility(vol: int, scan: int) -> None:
    """SPAN-2: up is the ceiling of vol * (1 + scan), down the floor of vol * (1 - scan)."""
    up, down = Fraction(vol * (BPS + scan), BPS), Fraction(vol * (BPS - scan), BPS)
    exactness(up)
    assert shifted_volatility(vol, +1, scan) == ceil(up)
    assert shifted_volatility(vol, -1, scan) == floor(down)
    assert shifted_volatility(vol, 0, scan) == vol


@LAWS
@given(books, prices, st.integers(0, 15), times)
def test_a_scenario_loss_is_rounded_up(book: Positions, eth: int, k: int, now: int) -> None:
    """NUM-2, SPAN-3: ceil(-sum qty * (scenario value - value now) / ONE)."""
    scenario = scan_scenarios(PARAMS, "ETH", eth)[k]
    change = sum(
        pos.qty
        * (
            scenario_value_wad(PARAMS, MARKET[m], scenario, now)
            - mark_wad(PARAMS, MARKET[m], eth, now)
        )
        for m, pos in book.items()
    )
    exact = Fraction(-change, ONE)
    exactness(exact)
    assert scenario_loss(PARAMS, book, {"ETH": eth, "USD": 1}, "ETH", scenario, now) == ceil(exact)


@LAWS
@given(st.lists(st.tuples(st.integers(-(10**9), 10**9), bps), min_size=1, max_size=16))
def test_the_worst_covered_loss_is_rounded_up(pairs: list[tuple[int, int]]) -> None:
    """NUM-2, SPAN-3: the largest ceil(loss * cover) of the losing scenarios, else 0."""
    losses, covers = [p[0] for p in pairs], [p[1] for p in pairs]
    shares = [Fraction(loss * cover, BPS) for loss, cover in pairs if loss > 0]
    for share in shares:
        exactness(share)
    assert worst_covered_loss(losses, covers) == max([ceil(s) for s in shares], default=0)


@LAWS
@given(books, prices, times)
def test_the_spread_charge_is_rounded_up(book: Positions, eth: int, now: int) -> None:
    """NUM-2, SPAN-6: ceil(min(long deltas, short deltas) * price * rate / (BPS * ONE)),
    the deltas netted within each tenor."""
    by_tenor: dict[int, int] = {}
    for m, pos in book.items():
        delta = pos.qty * lot_delta_wad(PARAMS, MARKET[m], eth, now)
        by_tenor[tenor(MARKET[m])] = by_tenor.get(tenor(MARKET[m]), 0) + delta
    spreads = min(
        sum(d for d in by_tenor.values() if d > 0), -sum(d for d in by_tenor.values() if d < 0)
    )
    exact = Fraction(spreads * eth * PARAMS.portfolio.spread_charge_bps, BPS * ONE)
    exactness(exact)
    assert spread_charge(PARAMS, book, {"ETH": eth, "USD": 1}, "ETH", now) == ceil(exact)


@LAWS
@given(books, prices, times)
def test_the_initial_scan_margin_is_rounded_up(book: Positions, eth: int, now: int) -> None:
    """NUM-2, RISK-IM-2: the scan margin grossed up by the initial rate, the ceiling."""
    p = {"ETH": eth, "USD": 1}
    scan = scan_margin(PORTFOLIO, book, p, now)
    exact = Fraction(scan * PORTFOLIO.portfolio.im_bps, BPS)
    exactness(exact)
    assert margin(PORTFOLIO, book, p, initial=True, now=now) == ceil(exact)
    assert margin(PORTFOLIO, book, p, initial=False, now=now) == scan


@LAWS
@given(books, prices, times)
def test_unrealized_pnl_rounds_the_book_value_down_once(
    book: Positions, eth: int, now: int
) -> None:
    """NUM-1, RISK-2: floor(sum of qty * wad mark / ONE) less the cost, one rounding."""
    value = sum(pos.qty * mark_wad(PARAMS, MARKET[m], eth, now) for m, pos in book.items())
    exact = Fraction(value, ONE)
    exactness(exact)
    cost = sum(pos.cost for pos in book.values())
    assert unrealized_pnl(PARAMS, book, {"ETH": eth, "USD": 1}, now) == floor(exact) - cost


@LAWS
@given(st.sampled_from(MARKETS), prices, times)
def test_a_displayed_mark_is_rounded_down(market: str, eth: int, now: int) -> None:
    """RISK-1: one lot's value in whole units, the floor of its wad value."""
    exact = Fraction(mark_wad(PARAMS, MARKET[market], eth, now), ONE)
    exactness(exact)
    assert mark(PARAMS, MARKET[market], eth, now) == floor(exact)


@LAWS
@given(st.integers(-(10**12), 10**12), st.integers(0, 10**12))
def test_a_ratio_is_rounded_down(numerator: int, denominator: int) -> None:
    """NUM-1, RISK-IM-3: floor(numerator * BPS / denominator), towards minus infinity for a
    negative equity too; none over nothing."""
    if denominator == 0:
        assert ratio_bps(numerator, denominator) is None
        return
    exact = Fraction(numerator * BPS, denominator)
    exactness(exact)
    event("negative" if numerator < 0 else "non-negative")
    assert ratio_bps(numerator, denominator) == floor(exact)


@LAWS
@given(st.integers(0, 10**9), st.integers(-(10**9), 10**9))
def test_the_margin_ratio_is_rounded_up(requirement: int, equity_now: int) -> None:
    """NUM-2, RISK-IM-4: ceil(requirement * BPS / net equity); 0 for no requirement, none
    for a requirement over no positive equity."""
    with (
        patch.object(risk, "maintenance_requirement", lambda *_: requirement),
        patch.object(risk, "net_equity", lambda *_: equity_now),
    ):
        result = margin_ratio(GENESIS, "alice", {"USD": 1, "ETH": 2000})
    if requirement == 0:
        assert result == 0
    elif equity_now <= 0:
        assert result is None
    else:
        exact = Fraction(requirement * BPS, equity_now)
        exactness(exact)
        assert result == ceil(exact)


@LAWS
@given(
    st.integers(-(10**6), 10**6),
    st.integers(-(10**9), 10**9),
    st.integers(-(10**6), 10**6).filter(bool),
    prices,
)
def test_a_fill_rounds_the_realized_pnl_down(qty: int, cost: int, trade: int, price: int) -> None:
    """NUM-2, SPK-TRADE-4: the removed cost basis is rounded up, so the realized PnL of the
    closing part is the floor of -closing * price - cost * (-closing) / qty."""
    old = Position(qty, cost)
    new, realized = fill(old, trade, price)
    if qty == 0 or (qty > 0) == (trade > 0):
        event("opening")
        assert realized == 0 and new == Position(qty + trade, cost + trade * price)
        return
    closing = trade if abs(trade) <= abs(qty) else -qty
    removed = Fraction(cost * -closing, qty)
    exactness(removed)
    assert realized == floor(-closing * price - removed)
    left_cost = cost - ceil(removed)
    opening = trade - closing
    assert new == (
        Position(opening, opening * price) if opening else Position(qty + closing, left_cost)
    )


@LAWS
@given(st.integers(1, 10**9), st.integers(0, 10**6), st.integers(0, 10**4), prices)
def test_seizure_takes_the_ceiling_of_tokens(value: int, usd: int, eth: int, price: int) -> None:
    """NUM-2, HUB-LOSS-2: of each asset, ceil(remaining / price) tokens, at most what is held;
    what is left uncovered is exact."""
    holdings = {"USD": usd, "ETH": eth}
    left, taken, remaining = seize(GENESIS, holdings, value, {"USD": 1, "ETH": price})
    usd_taken = min(usd, value)
    assert taken.get("USD", 0) == usd_taken
    rest = value - usd_taken
    exact = Fraction(rest, price)
    exactness(exact)
    eth_taken = min(eth, ceil(exact)) if rest > 0 and eth else 0
    assert taken.get("ETH", 0) == eth_taken
    assert remaining == max(rest - eth_taken * price, 0)
    assert left == {"USD": usd - usd_taken, "ETH": eth - eth_taken}
    assert taken == {a: n for a, n in (("USD", usd_taken), ("ETH", eth_taken)) if n}
    event("ETH taken" if eth_taken else "USD enough or no ETH")


@LAWS
@given(st.integers(0, 10**9))
def test_the_penalty_is_rounded_up(requirement: int) -> None:
    """NUM-2, LIQ-6: the penalty charged at settlement is ceil(requirement at the call *
    penalty rate), taken from collateral into the insurance fund."""
    state = funded(GENESIS, "alice", usd=10**9)
    called = AccountStatus(liquidating=True, epoch=1, requirement_at_call=requirement)
    state = replace(state, hub=replace(state.hub, status={**state.hub.status, "alice": called}))
    exact = Fraction(requirement * PARAMS.penalty_bps, BPS)
    exactness(exact)
    after = settle(state, "alice", {"USD": 1, "ETH": 2000})
    assert after.hub.insurance["USD"] - state.hub.insurance["USD"] == ceil(exact)
    assert after.hub.status["alice"] == AccountStatus(epoch=1)
