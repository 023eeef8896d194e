"""Partial liquidation's guards in order and what an accepted close records (FLOW-PART-1..6,
BND-1, FIN-1, FIN-6): every refusal leaves the state as it was (INV-ATOMIC-1)."""

from dataclasses import replace

from conformance.partial_stories import CLOSE, LONG_SIX
from conformance.stories import dl, eth
from model import State, initial_state, step
from model.finality import chain_of
from model.state import with_spoke_account
from spec.actions import Action, AdvanceTime, Halt
from spec.bounds import MAX_AMOUNT
from spec.errors import Error
from spec.examples import example_params
from spec.params import Params

PARAMS = example_params()
DELAYED = PARAMS.model_copy(
    update={
        "spokes": tuple(
            s.model_copy(update={"finality_s": 600}) if s.id == "arb" else s for s in PARAMS.spokes
        )
    }
)
"""The example with arb final only 600 s after its latest change (FIN-1, PAR-27)."""


def reached(*actions: Action, params: Params = PARAMS) -> State:
    state = initial_state(params)
    for action in actions:
        state, outcome = step(state, action)
        assert outcome.status == "accepted", (action, outcome)
    return state


def refused(state: State, error: Error) -> None:
    after, outcome = step(state, CLOSE)
    assert (outcome.status, outcome.error) == ("rejected", error)
    assert after == state


def test_a_halted_spoke_closes_nothing_before_any_other_check() -> None:
    """FIN-6: on a halted chain a partial liquidation is refused SPOKE_HALTED, first: even
    without prices (which would be PRICE_UNAVAILABLE) and with the account unhealthy."""
    under = reached(*LONG_SIX, *eth(1_900))
    refused(reached(*LONG_SIX, *eth(1_900), Halt(spoke="arb")), Error.SPOKE_HALTED)
    stale = AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1)
    refused(reached(*LONG_SIX, stale, Halt(spoke="arb")), Error.SPOKE_HALTED)
    # another spoke's halt does not stop arb
    after, outcome = step(reached(*LONG_SIX, *eth(1_900), Halt(spoke="base")), CLOSE)
    assert outcome.accepted and after != under


def test_without_prices_the_state_is_left_as_it_was() -> None:
    """FLOW-PART-1, ORA-7, INV-ATOMIC-1: PRICE_UNAVAILABLE, nothing moves."""
    refused(
        reached(*LONG_SIX, AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1)),
        Error.PRICE_UNAVAILABLE,
    )


def deep(balance: int) -> State:
    """alice long 6 ETH-PERP at 1900 (the close realizes -200 and a 38 penalty), with her
    settled balance `balance` and her line raised by as much as the balance is below zero,
    so her local equity, and so the plan, is the one of `LONG_SIX` (a crafted state: no run
    carries a balance this large)."""
    state = reached(*LONG_SIX, *eth(1_900))
    acct = state.spokes[("arb", "alice")]
    crafted = replace(acct, balance=balance, line=acct.line - balance)
    return with_spoke_account(state, "arb", "alice", crafted)


def test_the_balance_after_a_close_stays_within_the_amount_bound() -> None:
    """BND-1, FLOW-PART-4 (as for a trade, SPK-TRADE-2): a close whose settled balance
    (balance + realized - penalty) would leave -MAX_AMOUNT..MAX_AMOUNT is refused
    INVALID_AMOUNT and moves nothing; exactly -MAX_AMOUNT is within."""
    refused(deep(-(MAX_AMOUNT - 237)), Error.INVALID_AMOUNT)
    after, outcome = step(deep(-(MAX_AMOUNT - 238)), CLOSE)
    assert outcome.accepted
    assert after.spokes[("arb", "alice")].balance == 0  # -MAX_AMOUNT, claimed at once
    assert after.spokes[("arb", "alice")].positions["ETH-PERP"].qty == 4


def test_a_close_joins_the_spokes_segment_checkpointed_before_it() -> None:
    """FIN-1: under a finality delay a partial liquidation is a change of the spoke: with its
    last segment final, a new one opens, checkpointed at the accounts before the close,
    stamped now, holding the messages the close sent (the loss claim and the report)."""
    trade_done = LONG_SIX[:-1]  # the report (2) waits until the trade is final
    state = reached(*trade_done, AdvanceTime(seconds=600), *dl(2), *eth(1_900), params=DELAYED)
    assert chain_of(state, "arb").segment is not None  # the trade's, final by now
    after, outcome = step(state, CLOSE)
    assert outcome.accepted and len(outcome.emitted) == 2
    segment = chain_of(after, "arb").segment
    assert segment is not None
    assert segment.checkpoint == {a: state.spokes[("arb", a)] for a in PARAMS.accounts}
    assert segment.changed == state.oracle.now == 600
    assert segment.sent == frozenset(outcome.emitted)
