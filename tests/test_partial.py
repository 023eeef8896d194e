"""Partial liquidation on a spoke (FLOW-PART-1..7, PAR-24, ACT-20): the model's plan and
guards, the `partial-liquidation` scenario's end state, properties over random books, and
the obligations proved."""

from dataclasses import replace

from hypothesis import event, given
from hypothesis import strategies as st

from conformance.partial_stories import LONG_SIX
from conformance.stories import LEVERED
from intermargin.scenarios import scenario
from model import State, initial_state
from model.partial import (
    Close,
    close_lots,
    equity_after,
    local_maintenance,
    locally_healthy,
    partial_penalty,
    plan_close,
    restores,
)
from model.spoke import local_equity
from model.state import Position, SpokeAccount
from model.step import step
from proofs.checking import check
from spec.actions import Action, AdvanceTime, PartialLiquidate, PublishPrice
from spec.errors import Error
from spec.examples import example_params
from spec.params import Params, PartialParams

PARAMS = example_params()
CLOSE = PartialLiquidate(spoke="arb", account="alice")


def reached(*actions: Action, params: Params = PARAMS) -> State:
    state = initial_state(params)
    for action in actions:
        state, _ = step(state, action)
    return state


def priced(state: State, price: int) -> State:
    for feed in ("chainlink", "pyth", "redstone"):
        state, _ = step(state, PublishPrice(feed=feed, price=price))
    return state


def test_the_scenario_closes_two_lots_of_six_and_ends_healthy() -> None:
    """FLOW-PART-2..5, ACT-20: the `partial-liquidation` scenario's end state: two of six lots
    closed (one would not restore), 200 realized, a 38 penalty, 238 claimed from the line and
    paid by the hub from alice's collateral, no margin call, the second close refused."""
    sc = scenario("partial-liquidation")
    state = initial_state(sc.params)
    outcomes = []
    for action in sc.actions:
        state, outcome = step(state, action)
        outcomes.append(outcome)
    closes = [o for a, o in zip(sc.actions, outcomes, strict=True) if a.type == "PartialLiquidate"]
    assert closes[0].accepted and len(closes[0].emitted) == 2
    assert closes[1].error is Error.ACCOUNT_HEALTHY
    acct = state.spokes[("arb", "alice")]
    assert acct.positions == {"ETH-PERP": Position(4, 8_000)}
    assert acct.line == 2_100 - 238 and acct.balance == 0
    assert state.hub.alloc[("alice", "arb")] == 2_100 - 238
    assert state.hub.collateral[("alice", "USD")] == 3_000 - 238
    assert not state.hub.status["alice"].liquidating and state.hub.status["alice"].epoch == 0


def test_a_locally_healthy_account_is_not_touched() -> None:
    """FLOW-PART-1: ACCOUNT_HEALTHY while local equity covers local maintenance."""
    before = reached(*LONG_SIX)
    after, outcome = step(before, CLOSE)
    assert outcome.error is Error.ACCOUNT_HEALTHY and after == before


def test_without_a_price_nothing_is_closed() -> None:
    """FLOW-PART-1: PRICE_UNAVAILABLE comes first (ORA-7)."""
    before = reached(*LONG_SIX, AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1))
    _, outcome = step(before, CLOSE)
    assert outcome.error is Error.PRICE_UNAVAILABLE


def test_an_account_too_deep_to_restore_is_left_to_the_full_liquidation() -> None:
    """FLOW-PART-7: closing every perpetual would not restore it: NOT_RESTORABLE, nothing
    moves (LEVERED: equity -100 at 1500)."""
    before = reached(*LEVERED)
    after, outcome = step(before, CLOSE)
    assert outcome.error is Error.NOT_RESTORABLE and after == before


def test_a_larger_target_closes_more() -> None:
    """PAR-24, FLOW-PART-3: the target buffer is the parameter's: at 50% above maintenance,
    three lots of six go instead of two; the parameter is left out of the JSON at its
    default only."""
    wide = PARAMS.model_copy(
        update={"partial_liquidation": PartialParams(target_bps=5_000, penalty_bps=100)}
    )
    state = priced(reached(*LONG_SIX, params=wide), 1_900)
    after, outcome = step(state, CLOSE)
    assert outcome.accepted
    assert after.spokes[("arb", "alice")].positions["ETH-PERP"].qty == 3
    assert "partial_liquidation" not in PARAMS.model_dump(mode="json")
    assert wide.model_dump(mode="json")["partial_liquidation"]["target_bps"] == 5_000


def test_the_penalty_is_on_the_closed_notional_rounded_up() -> None:
    """FLOW-PART-4: ceil(notional * penalty_bps / 10_000), against the account."""
    state = reached()
    assert partial_penalty(state, 0) == 0
    assert partial_penalty(state, 3_800) == 38
    assert partial_penalty(state, 3_801) == 39


# --- properties over random books --------------------------------------------------


@st.composite
def books(draw: st.DrawFn) -> tuple[State, SpokeAccount, dict[str, int]]:
    """A spoke account with a perpetual (and sometimes an option) bought at 2000, and a
    price drop."""
    lots = draw(st.integers(min_value=1, max_value=40))
    book = {"ETH-PERP": Position(lots, lots * 2_000)}
    if draw(st.booleans()):
        book["ETH-C-2000"] = Position(-draw(st.integers(1, 3)), -300)
    line = draw(st.integers(min_value=200 * lots, max_value=400 * lots))
    price = draw(st.integers(min_value=1_800, max_value=2_000))
    acct = SpokeAccount(line=line, balance=draw(st.integers(-500, 500)), positions=book)
    state = priced(reached(), price)
    return state, acct, {"ETH": price}


@given(books())
def test_a_plan_restores_with_the_least_lots_and_never_lowers_health(
    case: tuple[State, SpokeAccount, dict[str, int]],
) -> None:
    """FLOW-PART-2, FLOW-PART-3, FLOW-PART-5, FLOW-PART-6: for a locally unhealthy book, a
    plan (if any) restores it, closes only perpetuals, and one lot fewer would not restore
    it; local health after is at least local health before."""
    state, acct, prices = case
    if locally_healthy(state, acct, prices):
        event("healthy")
        return
    plan = plan_close(state, acct, prices)
    event(
        "not restorable"
        if plan is None
        else f"closed {'all' if not plan.positions.get('ETH-PERP') else 'part'}"
    )
    if plan is None:
        return
    assert restores(state, acct, plan, prices)
    assert {m for m in acct.positions if m not in plan.positions} <= {"ETH-PERP"}
    assert plan.positions.get("ETH-C-2000") == acct.positions.get("ETH-C-2000")
    one_fewer = close_lots(state, Close(acct.positions), "ETH-PERP", plan.lots - 1, prices)
    assert not restores(state, acct, one_fewer, prices)
    before = local_equity(state, acct, prices) - local_maintenance(state, acct.positions, prices)
    after = equity_after(state, acct, plan, prices) - local_maintenance(
        state, plan.positions, prices
    )
    assert after >= before


@given(books(), st.integers(min_value=0, max_value=40))
def test_closing_at_the_mark_leaves_equity_where_it_was(
    case: tuple[State, SpokeAccount, dict[str, int]], lots: int
) -> None:
    """FLOW-PART-2: closing perpetual lots at the mark moves unrealized PnL into the balance
    exactly: only the penalty lowers local equity."""
    state, acct, prices = case
    lots = min(lots, acct.positions["ETH-PERP"].qty)
    event(f"lots closed: {'none' if lots == 0 else 'some'}")
    plan = close_lots(state, Close(acct.positions), "ETH-PERP", lots, prices)
    moved = replace(acct, positions=dict(plan.positions), balance=acct.balance + plan.realized)
    assert local_equity(state, moved, prices) == local_equity(state, acct, prices)
    penalty = partial_penalty(state, plan.notional)
    assert equity_after(state, acct, plan, prices) == local_equity(state, acct, prices) - penalty


# --- the obligations ----------------------------------------------------------------


def test_the_partial_obligations_are_proved() -> None:
    """FLOW-PART-2, FLOW-PART-5, FLOW-PART-6: close-at-mark, least-close and
    never-less-healthy are proved (not vacuous)."""
    for name in (
        "close-at-mark/law",
        "least-close/law",
        "partial-never-less-healthy/step/PartialLiquidate",
    ):
        assert check(name).result == "proved", name
