"""Profit that nets across venues through the clearing pools (RISK-NET-1..RISK-NET-6) and
its laws (INV-RISK-5, INV-RISK-6): a hedged pair is not liquidated by a price move, and a
spoke's fake profit never reaches capacity nor lets value out of the hub."""

from dataclasses import replace

from hypothesis import event, given, settings
from hypothesis import strategies as st

from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run as run_scenario
from model import State, initial_state
from model.hub import record_report
from model.liquidation import health_prices
from model.margin import netted_margin
from model.risk import (
    backed_profit,
    capacity,
    free_capacity,
    is_healthy,
    latency_buffer,
    net_equity,
    pool_value,
    reported_books,
)
from model.state import Position
from spec.actions import GrantCredit, Inject, Liquidate
from spec.errors import Error
from spec.examples import example_params
from spec.messages import ExposureReport
from tests.helpers import checked, refused

PARAMS = example_params()
LAWS = settings(max_examples=200, deadline=None)


def pair_state(qty: int, entry: int, usd: int, pools: int) -> State:
    """alice uses arb and base: long `qty` ETH-PERP on arb and short `qty` on base, both
    opened at `entry`, with `usd` collateral; each spoke's clearing pool holds `pools` USD."""
    state = initial_state(PARAMS)
    hub = state.hub
    state = replace(
        state,
        hub=replace(
            hub,
            collateral={**hub.collateral, ("alice", "USD"): usd},
            owed={**hub.owed, ("arb", "USD"): pools, ("base", "USD"): pools},
            linked=frozenset({("alice", "arb"), ("alice", "base")}),
        ),
    )
    state = record_report(state, "alice", "arb", 1, 0, {"ETH-PERP": Position(qty, qty * entry)}, 0)
    return record_report(
        state, "alice", "base", 1, 0, {"ETH-PERP": Position(-qty, -qty * entry)}, 0
    )


# --- RISK-NET-1: the pool's value -------------------------------------------------------


def test_a_pool_is_worth_its_tokens_after_haircuts_and_nothing_without_a_price() -> None:
    """RISK-NET-1 worked example: arb's pool holds 1000 USD and 2 ETH; at ETH 2000 with the
    10% ETH haircut it is worth 1000 + floor(2 * 2000 * 90%) = 4600; without an ETH price
    the ETH counts 0 and the pool 1000."""
    state = initial_state(PARAMS)
    owed = {**state.hub.owed, ("arb", "USD"): 1_000, ("arb", "ETH"): 2}
    state = replace(state, hub=replace(state.hub, owed=owed))
    assert pool_value(state, "arb", {"USD": 1, "ETH": 2_000}) == 4_600
    assert pool_value(state, "arb", {"USD": 1}) == 1_000
    assert pool_value(state, "base", {"USD": 1, "ETH": 2_000}) == 0


def test_a_profit_counts_up_to_its_own_spokes_pool_only() -> None:
    """RISK-NET-2: alice's arb profit of 10 * (2500 - 2000) = 5000 is backed by arb's pool
    (3000) only, never by base's; her base loss counts in full."""
    state = pair_state(10, 2_000, 10_000, 0)
    owed = {**state.hub.owed, ("arb", "USD"): 3_000, ("sol", "USD"): 9_000}
    state = replace(state, hub=replace(state.hub, owed=owed))
    prices = {"USD": 1, "ETH": 2_500}
    assert backed_profit(state, "alice", "arb", prices) == 3_000
    assert backed_profit(state, "alice", "base", prices) == 0
    assert net_equity(state, "alice", prices) == 10_000 - 5_000 + 3_000
    assert capacity(state, "alice", prices) == 10_000 - 5_000


# --- INV-RISK-5: a hedged pair is never liquidated ---------------------------------------


@LAWS
@given(
    st.integers(1, 50),
    st.integers(1, 100_000),
    st.integers(1, 100_000),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
def test_a_hedged_pair_is_never_liquidated_while_its_pool_and_collateral_cover(
    qty: int, entry: int, price: int, spare_pool: int, spare_usd: int
) -> None:
    """INV-RISK-5, RISK-NET-6: whatever the move from `entry` to `price`, a pair whose winning
    venue's pool covers its profit and whose collateral covers the latency buffer has a
    netted margin of 0 and is healthy."""
    move = abs(qty * (price - entry))
    state = pair_state(qty, entry, 0, move + spare_pool)
    prices = {"USD": 1, "ETH": price}
    buffer = latency_buffer(state, "alice", prices)
    state = pair_state(qty, entry, buffer + spare_usd, move + spare_pool)
    books = reported_books(state, "alice")
    assert books["arb"] and books["base"]
    event("price rose" if price > entry else "price fell" if price < entry else "no move")
    assert netted_margin(PARAMS, list(books.values()), prices, state.oracle.now) == 0
    assert net_equity(state, "alice", prices) == buffer + spare_usd
    assert is_healthy(state, "alice", prices)


@LAWS
@given(st.integers(1, 50), st.integers(1_000, 100_000), st.integers(1, 10_000))
def test_without_a_pool_the_same_pair_falls_to_a_large_enough_move(
    qty: int, entry: int, usd: int
) -> None:
    """RISK-11, RISK-NET-2: the law above needs the pool: with empty pools a move whose loss
    exceeds the collateral makes the same pair unhealthy (what RISK-11 alone did)."""
    price = entry + usd // qty + 1
    state = pair_state(qty, entry, usd, 0)
    prices = {"USD": 1, "ETH": price}
    assert net_equity(state, "alice", prices) == usd - qty * (price - entry) < 0
    assert not is_healthy(state, "alice", prices)


# --- INV-RISK-6: a fake profit is contained ----------------------------------------------


@LAWS
@given(
    st.integers(1, 50),
    st.integers(1, 100_000),
    st.integers(1, 100_000),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**9),
)
def test_a_fake_profit_never_reaches_capacity_and_lifts_health_by_at_most_the_pool(
    qty: int, entry: int, price: int, usd: int, pool: int, fake: int
) -> None:
    """INV-RISK-6, RISK-NET-5: starting where arb's reported PnL is >= 0, arb raising its
    reported balance for alice by any amount changes neither her capacity nor her free
    capacity, and raises her net equity by at most arb's pool value."""
    state = pair_state(qty, entry, usd, pool)
    prices = {"USD": 1, "ETH": price}
    report = state.hub.reports[("alice", "arb")]
    base_loss = min(0, qty * (entry - price))
    if qty * (price - entry) < 0:  # make arb's reported PnL non-negative first
        report = replace(report, balance=qty * (entry - price))
        state = record_report(
            state, "alice", "arb", 2, report.balance, dict(report.positions), report.time
        )
    lied = record_report(
        state, "alice", "arb", 3, report.balance + fake, dict(report.positions), report.time
    )
    event("arb's profit exceeds its pool" if fake > pool else "within the pool")
    assert capacity(lied, "alice", prices) == capacity(state, "alice", prices) == usd + base_loss
    assert free_capacity(lied, "alice", prices) == free_capacity(state, "alice", prices)
    rise = net_equity(lied, "alice", prices) - net_equity(state, "alice", prices)
    assert 0 <= rise <= pool_value(state, "arb", prices)


def test_a_compromised_spokes_fake_profit_lets_no_value_out() -> None:
    """RISK-NET-5, INV-RISK-6, INV-PART-2: at the end of `hedged`, arb (which carol used)
    injects a report of a 1,000,000 profit for carol.  Her net equity rises by arb's pool
    (2000) and no more; her capacity does not move, so a grant of more than her 1704 of
    collateral is refused; every invariant, the partition bound included, holds.  1704 is
    her 3800 less arb's 2000 loss claim and a 5% penalty on her requirement at the call:
    scan margin 5 x 2400 x 45% x 35% = 1890 (the extreme move) plus a buffer over arb's 2 s
    and the 30 s her report had aged, isqrt_ceil(ceil(24_000_000^2 x 32 / (10^6 x Y))) =
    isqrt_ceil(585) = 25 bps of 12_000 = 30 (RISK-AGE-2); ceil(1920 x 5%) = 96."""
    state = run_scenario(SCENARIOS["hedged"]).final
    prices = health_prices(state, "carol")
    assert prices is not None
    before = (net_equity(state, "carol", prices), capacity(state, "carol", prices))
    lie = ExposureReport(account="carol", seq=99, balance=1_000_000, positions=())
    state, outcome = checked(state, Inject(sender="arb", receiver="hub", payload=lie))
    assert outcome.accepted and "arb" in state.ghost.compromised
    assert net_equity(state, "carol", prices) == before[0] + 2_000
    assert capacity(state, "carol", prices) == before[1] == 1_704
    refused(
        state, GrantCredit(account="carol", spoke="base", amount=1_705), Error.INSUFFICIENT_CAPACITY
    )
    _, outcome = checked(state, GrantCredit(account="carol", spoke="base", amount=1_704))
    assert outcome.accepted


def test_a_fake_profit_from_a_spoke_the_account_never_used_counts_nothing() -> None:
    """RISK-13, RISK-NET-2: sol never granted bob credit, so its pool-backed lie about bob
    counts nowhere, and Liquidate(bob) is judged as before."""
    state = run_scenario(SCENARIOS["hedged"]).final
    owed = {**state.hub.owed, ("sol", "USD"): 10**6}
    tokens = {**state.hub.tokens, "USD": state.hub.tokens["USD"] + 10**6}
    state = replace(state, hub=replace(state.hub, owed=owed, tokens=tokens))
    prices = health_prices(state, "bob")
    assert prices is not None
    before = net_equity(state, "bob", prices)
    lie = ExposureReport(account="bob", seq=1, balance=10**6, positions=())
    state, _ = checked(state, Inject(sender="sol", receiver="hub", payload=lie))
    assert net_equity(state, "bob", prices) == before
    refused(state, Liquidate(account="bob"), Error.ACCOUNT_HEALTHY)
