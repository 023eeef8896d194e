"""Expiry prices (PRC-13..PRC-16, OBS-6): an expired option settles at its intrinsic value at
the price fixed at its expiry, and stops counting as risk.

The `expiry` scenario (intermargin/scenarios/expiry.py) tells the story; the laws check
that a settled option's value never moves with the price, that it carries no scan risk,
buffer, delta or minimum, and that a fixed expiry price never changes.
"""

import json
from dataclasses import replace
from functools import cache

from hypothesis import event, given, settings
from hypothesis import strategies as st

from intermargin.scenarios import SCENARIOS
from intermargin.scenarios.expiry import EXPIRY
from intermargin.timeline import Run, run
from model.buffer import buffer_weight_wad, spoke_buffer
from model.invariants import quiescent_and_accounted
from model.margin import per_position_margin
from model.observe import observe, restore
from model.oracle import price_of
from model.pricing import ONE
from model.risk import is_healthy, maintenance_requirement, reported_pnl
from model.span import lot_delta_wad, scan_margin, short_option_lots
from model.state import Position, Positions, State, initial_state
from model.step import step
from model.valuation import NO_FIXINGS, mark_wad, mark_wad_at, unrealized_pnl
from spec.actions import AdvanceTime, PublishPrice
from spec.errors import Error
from spec.examples import example_params
from spec.itf import observable

PARAMS = example_params()
MARKETS = {m.id: m for m in PARAMS.markets}
OPTIONS = tuple(m.id for m in PARAMS.markets if m.kind != "perp")
EXPIRING = tuple(m for m in OPTIONS if MARKETS[m].expiry == EXPIRY)
LAWS = settings(max_examples=100, deadline=None)

eth_prices = st.integers(1, 50_000)
positions = st.builds(
    Position, qty=st.integers(-40, 40).filter(bool), cost=st.integers(-(10**5), 10**5)
)
settled_books = st.dictionaries(st.sampled_from(EXPIRING), positions, min_size=1, max_size=3)
fixings = st.fixed_dictionaries({m: st.integers(1, 50_000) for m in EXPIRING})
after_expiry = st.integers(EXPIRY, EXPIRY + 10**8)


@cache
def ran() -> Run:
    return run(SCENARIOS["expiry"])


def intrinsic(market_id: str, price: int) -> int:
    market = MARKETS[market_id]
    assert market.strike is not None
    if market.kind == "call":
        return max(price - market.strike, 0)
    return max(market.strike - price, 0)


# --- the scenario ---------------------------------------------------------------------------


def test_expiry_scenario_fixes_the_price_at_the_first_oracle_step_at_expiry() -> None:
    """PRC-14: 30 s before the expiry ETH is 2300; AdvanceTime reaches the expiry with those
    quotes fresh (30 s <= max_age 60 s), so that very step fixes 2300 for the three options
    expiring then, and not the later quarterly call.  No step before it fixed anything, and
    none after changes the fixing, though ETH then trades at 4000."""
    steps = ran().steps
    first = next(r for r in steps if r.after.oracle.expiry_prices)
    assert isinstance(first.action, AdvanceTime) and first.after.oracle.now == EXPIRY
    assert first.after.oracle.expiry_prices == {m: 2_300 for m in EXPIRING}
    assert "ETH-C-2000-Q" not in first.after.oracle.expiry_prices
    later = [r for r in steps if r.number > first.number]
    assert any(price_of(r.after, "ETH") == 4_000 for r in later)
    assert all(r.after.oracle.expiry_prices == first.after.oracle.expiry_prices for r in later)


def test_expiry_scenario_bob_owes_the_settlement_at_2300_not_at_4000() -> None:
    """PRC-13, RISK-10, LIQ-1: at ETH 4000 bob's 10 short ETH-C-2000 owe their intrinsic value
    at the expiry price, 10 x 300 = 3000, less the 1500 premium: a reported loss of 1500, no
    margin, no buffer; Liquidate is refused.  Valued at the current price (the rule before
    expiry prices) the same book would lose 10 x 2000 - 1500 = 18 500 and bob, with 6000 of
    collateral, would be liquidated."""
    result = ran()
    assert {
        r.number: (r.outcome.status, r.outcome.error)
        for r in result.steps
        if not r.outcome.accepted
    } == {26: ("rejected", Error.ACCOUNT_HEALTHY)}
    state = result.steps[25].before  # step 26, Liquidate bob
    prices = {"ETH": 4_000, "USD": 1}
    assert price_of(state, "ETH") == 4_000
    assert reported_pnl(state, "bob", "base", prices) == -1_500
    assert maintenance_requirement(state, "bob", prices) == 0
    assert is_healthy(state, "bob", prices)
    book = state.hub.reports[("bob", "base")].positions
    assert unrealized_pnl(PARAMS, book, prices, state.oracle.now) == -18_500
    unfixed = replace(state, oracle=replace(state.oracle, expiry_prices={}))
    assert not is_healthy(unfixed, "bob", prices)


def test_expiry_scenario_ends_settled_at_300_a_lot_drained_and_accounted() -> None:
    """PRC-13, SPK-CLAIM-1, INV-LIQ-2: both close the settled call at its settlement value of
    300: alice's spoke balance is her profit of 1500, bob's spoke claimed his 1500 loss, which
    the hub seized for base's partition; nothing is in flight and the spokes hold what the
    hub accounts for."""
    final = ran().final
    assert final.spokes[("arb", "alice")].balance == 1_500
    assert final.spokes[("base", "bob")].positions == {}
    assert final.hub.collateral[("bob", "USD")] == 4_500
    assert final.hub.owed[("base", "USD")] == 1_500
    assert final.network.in_flight == {}
    assert quiescent_and_accounted(final) is None


# --- the fixing rule ------------------------------------------------------------------------


def priced(state: State, price: int) -> State:
    for feed in ("chainlink", "pyth"):
        state, outcome = step(state, PublishPrice(feed=feed, price=price))
        assert outcome.accepted
    return state


def test_an_expiry_without_a_fresh_price_is_fixed_at_the_first_later_price() -> None:
    """PRC-14, PRC-15: time jumps past the expiry with the quotes stale: nothing is fixed
    (the option is valued at the current price meanwhile, and no price is available).  The
    first oracle step that has a price again, the second feed's quote (quorum 2), fixes it;
    the first feed's quote alone did not."""
    state = priced(initial_state(PARAMS), 2_000)
    state, _ = step(state, AdvanceTime(seconds=EXPIRY + 500))
    assert state.oracle.expiry_prices == {} and price_of(state, "ETH") is None
    state, _ = step(state, PublishPrice(feed="chainlink", price=2_500))
    assert state.oracle.expiry_prices == {}
    state, _ = step(state, PublishPrice(feed="pyth", price=2_600))
    assert state.oracle.expiry_prices == {m: 2_500 for m in EXPIRING}


@LAWS
@given(
    fixed=st.integers(1, 50_000),
    moves=st.lists(
        st.one_of(
            st.builds(
                PublishPrice,
                feed=st.sampled_from(("chainlink", "pyth", "redstone")),
                price=eth_prices,
            ),
            st.builds(AdvanceTime, seconds=st.integers(1, 10**7)),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_a_fixed_expiry_price_never_changes_and_the_settled_value_with_it(
    fixed: int, moves: list[PublishPrice | AdvanceTime]
) -> None:
    """PRC-13, PRC-14: once fixed, whatever the oracle does afterwards (prices anywhere, time
    anywhere, quotes stale or fresh), the expiry price stays and a settled lot's value is its
    intrinsic value at it."""
    state, _ = step(initial_state(PARAMS), AdvanceTime(seconds=EXPIRY - 1))
    state, _ = step(priced(state, fixed), AdvanceTime(seconds=1))
    fixings = state.oracle.expiry_prices
    assert fixings == {m: fixed for m in EXPIRING}
    for action in moves:
        state, _ = step(state, action)
        now_fixed = state.oracle.expiry_prices
        assert {m: now_fixed[m] for m in EXPIRING} == fixings
        assert "ETH-C-2000-Q" not in now_fixed or state.oracle.now >= EXPIRY * 3
        price = price_of(state, "ETH")
        event("price available" if price is not None else "price unavailable")
        for m in EXPIRING:
            value = mark_wad(PARAMS, MARKETS[m], price or 1, state.oracle.now, now_fixed)
            assert value == intrinsic(m, fixed) * ONE


# --- the laws of a settled option ------------------------------------------------------------


@LAWS
@given(book=settled_books, fixed=fixings, now=after_expiry, p1=eth_prices, p2=eth_prices)
def test_a_settled_book_is_worth_the_same_at_any_price(
    book: Positions, fixed: dict[str, int], now: int, p1: int, p2: int
) -> None:
    """PRC-13, RISK-2: a book of settled options has the same PnL at every price, the
    intrinsic values at the expiry prices; valued without its fixings it would move."""
    pnl = unrealized_pnl(PARAMS, book, {"ETH": p1}, now, fixed)
    assert pnl == unrealized_pnl(PARAMS, book, {"ETH": p2}, now, fixed)
    assert pnl == sum(p.qty * intrinsic(m, fixed[m]) - p.cost for m, p in book.items())
    moved = unrealized_pnl(PARAMS, book, {"ETH": p1}, now, NO_FIXINGS)
    moved_too = unrealized_pnl(PARAMS, book, {"ETH": p2}, now, NO_FIXINGS)
    event("unfixed value moves" if moved != moved_too else "unfixed value unmoved")


@LAWS
@given(book=settled_books, fixed=fixings, now=after_expiry, price=eth_prices)
def test_a_settled_book_has_no_scan_risk_buffer_delta_or_minimum(
    book: Positions, fixed: dict[str, int], now: int, price: int
) -> None:
    """PRC-13, SPAN-2, SPAN-5, SPAN-6, RISK-4, RISK-6: the same value in every scenario, so
    no scan risk; no short option minimum; delta 0, so no spread charge; no latency buffer
    however old the report; no per-position margin."""
    prices = {"ETH": price}
    assert scan_margin(PARAMS, book, prices, now, fixed) == 0
    assert short_option_lots(PARAMS, book, "ETH", now) == 0
    assert per_position_margin(PARAMS, book, prices, initial=True, now=now, fixings=fixed) == 0
    assert spoke_buffer(PARAMS, "sol", book, prices, now=now, age=10**7, fixings=fixed) == 0
    for m, pos in book.items():
        assert lot_delta_wad(PARAMS, MARKETS[m], price, now, fixed) == 0
        assert buffer_weight_wad(PARAMS, MARKETS[m], pos.qty, price, now, fixed) == 0
    shorts_itm = any(p.qty < 0 and intrinsic(m, price) > 0 for m, p in book.items())
    if shorts_itm and all(p.qty <= 0 for p in book.values()):  # no long leg hedges them
        event("unfixed short in the money keeps price risk")
        assert scan_margin(PARAMS, book, prices, now, NO_FIXINGS) > 0


def test_a_fixing_only_counts_from_the_expiry_on() -> None:
    """PRC-13, PRC-14: an expiry price recorded for a market (as a restored state might carry)
    does not value the option before its expiry: it is still live there."""
    call = MARKETS["ETH-C-2000"]
    early = mark_wad(PARAMS, call, 2_000, EXPIRY - 1, {"ETH-C-2000": 2_500})
    assert early == mark_wad(PARAMS, call, 2_000, EXPIRY - 1) > 0
    assert mark_wad(PARAMS, call, 2_000, EXPIRY, {"ETH-C-2000": 2_500}) == 500 * ONE


def test_before_the_fixing_an_expired_option_is_intrinsic_at_the_current_price() -> None:
    """PRC-15: expired and unfixed, a lot is worth its intrinsic value at the current price,
    and its short keeps price risk in the scan (no short option minimum though, SPAN-5)."""
    call = MARKETS["ETH-C-2000"]
    assert mark_wad(PARAMS, call, 2_300, EXPIRY) == 300 * ONE
    assert mark_wad(PARAMS, call, 1_900, EXPIRY) == 0
    book = {"ETH-C-2000": Position(-10, -1_500)}
    assert scan_margin(PARAMS, book, {"ETH": 2_300}, EXPIRY) > 0
    assert short_option_lots(PARAMS, book, "ETH", EXPIRY) == 0


@given(price_zero_market=st.sampled_from(OPTIONS), now=st.sampled_from((0, 1, EXPIRY - 1)))
def test_a_live_option_at_price_zero_has_the_payoffs_delta(
    price_zero_market: str, now: int
) -> None:
    """PRC-16, SPAN-6: at an underlying price of 0 a live option is worth its payoff there
    and its delta is the payoff's slope, a call 0 and a put -ONE (no ln 0: this used to loop
    for ever); the spread charge of such a book is therefore defined."""
    market = MARKETS[price_zero_market]
    delta = lot_delta_wad(PARAMS, market, 0, now)
    assert delta == (0 if market.kind == "call" else -ONE)
    assert mark_wad_at(market, 0, 8_000, now) == (0 if market.kind == "call" else 1_800 * ONE)


# --- the observable state (OBS-6) ------------------------------------------------------------


def test_the_observable_state_leaves_out_expiry_prices_until_one_is_fixed() -> None:
    """OBS-6, ITF-1: before the fixing the JSON has no `expiry_prices` key (so existing vectors
    do not move); after it, the map sorted by market; a state restored from either is the
    state itself; ITF always writes the variable."""
    steps = ran().steps
    before = steps[20].after  # step 21: the last before the expiry
    after = steps[21].after  # step 22: AdvanceTime to the expiry
    assert before.oracle.expiry_prices == {} and after.oracle.expiry_prices
    dumped_before = json.loads(observe(before).model_dump_json())
    dumped_after = json.loads(observe(after).model_dump_json())
    assert "expiry_prices" not in dumped_before
    assert dumped_after["expiry_prices"] == {m: 2_300 for m in sorted(EXPIRING)}
    assert list(dumped_after["expiry_prices"]) == sorted(EXPIRING)
    for state in (before, after):
        assert restore(PARAMS, observe(state)) == state
    assert observable(observe(before))["expiry_prices"] == {"#map": []}
    assert len(observable(observe(after))["expiry_prices"]["#map"]) == len(EXPIRING)
