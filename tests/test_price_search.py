"""The `margin_call_story`'s price search (FLOW-CALL-1): for an account the hub sees no
position of, it answers None without trying a price, and trying every price of the grid
answers the same.

The shortcut rests on the rules of health and of the call floor: with no position at the
hub no margin is required, so wherever the account is unhealthy (RISK-10: net equity below
its requirement of 0) its net equity is below zero, which is below the call floor too
(FLOW-CALL-2), and the search passes it by.  The states below hold collateral in both
assets, a settled balance on a spoke the account uses (a loss or a profit) and tokens in
that spoke's clearing pool, so that some are unhealthy at some price of the grid and some
at none; both are asserted to be drawn.
"""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from intermargin.fuzzing.machine import MarginMachine
from model.calls import health_prices
from model.risk import is_healthy, reported_books
from model.state import Report
from model.step import step
from spec.actions import Deposit

UNHEALTHY_SOMEWHERE = "unhealthy at some price of the grid"
HEALTHY_EVERYWHERE = "healthy at every price of the grid"


def position_free(usd: int, eth: int, balance: int, pool_eth: int, level: int) -> MarginMachine:
    """A machine whose state has alice holding `usd` and `eth` at the hub, linked to `arb`
    with a report of `balance` and no position, and `pool_eth` ETH owed to arb's pool."""
    machine = MarginMachine()
    machine.level = level
    state = machine.priced_at(level)
    for asset, amount in (("USD", usd), ("ETH", eth)):
        if amount:
            state, _ = step(state, Deposit(account="alice", asset=asset, amount=amount))
    hub = state.hub
    hub = replace(
        hub,
        linked=hub.linked | {("alice", "arb")},
        reports={**hub.reports, ("alice", "arb"): Report(seq=1, balance=balance)},
        owed={**hub.owed, ("arb", "ETH"): pool_eth},
    )
    machine.state = replace(state, hub=hub)
    return machine


def test_no_price_is_found_for_an_account_without_positions_as_every_price_shows() -> None:
    """FLOW-CALL-1, FLOW-CALL-2, RISK-10: `mildly_unhealthy_price` and
    `first_unhealthy_price` over the whole grid both answer None for accounts without
    positions, unhealthy somewhere or not."""
    seen: set[str] = set()

    @settings(max_examples=60, derandomize=True, database=None, deadline=None)
    @given(
        usd=st.integers(0, 3_000),
        eth=st.integers(0, 3),
        balance=st.integers(-6_000, 3_000),
        pool_eth=st.integers(0, 2),
        level=st.sampled_from((2_000, 1_500, 150)),
    )
    def law(usd: int, eth: int, balance: int, pool_eth: int, level: int) -> None:
        machine = position_free(usd, eth, balance, pool_eth, level)
        assert not any(reported_books(machine.state, "alice").values())
        grid = machine.price_grid()
        unhealthy = [p for p in grid if not is_healthy_at(machine, p)]
        seen.add(UNHEALTHY_SOMEWHERE if unhealthy else HEALTHY_EVERYWHERE)
        assert machine.first_unhealthy_price("alice", grid) is None
        assert machine.mildly_unhealthy_price("alice") is None

    law()
    assert seen == {UNHEALTHY_SOMEWHERE, HEALTHY_EVERYWHERE}


def is_healthy_at(machine: MarginMachine, price: int) -> bool:
    """RISK-10: alice is healthy with every feed at `price` (prices missing: not unhealthy)."""
    state = machine.priced_at(price)
    prices = health_prices(state, "alice")
    return prices is None or is_healthy(state, "alice", prices)
