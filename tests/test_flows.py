"""Top-up calls and payouts (FLOW-CALL-1..6, FLOW-PAY-1..3, INV-CALL-1): the model's rules,
the proofs' premise, and the `top-up` scenario's end state."""

import z3

from conformance.stories import BAD_DEBT, CALLED, MILD
from intermargin.scenarios import scenario
from intermargin.timeline import run as run_scenario
from model import State, initial_state
from model.invariants import call_not_while_liquidating
from model.step import step
from proofs.bmc_slots import setup
from proofs.budget import check_assuming
from proofs.universe import proof_universe
from spec.actions import (
    Action,
    AdvanceTime,
    Deposit,
    GrantCredit,
    Liquidate,
    PauseSpoke,
    PayOut,
    Withdraw,
)
from spec.errors import Error
from spec.params import Params
from tests.helpers import refused, run


def reached(*actions: Action, params: Params = CALLED) -> State:
    """The state after `actions` from genesis under `params`, each step accepted or not."""
    state = initial_state(params)
    for action in actions:
        state, _ = step(state, action)
    return state


def called() -> State:
    """alice mildly unhealthy, under a top-up call opened at t=0 (window 30 s)."""
    state = run(reached(*MILD), Liquidate(account="alice"))
    status = state.hub.status["alice"]
    assert status.called and not status.liquidating and status.called_at == 0
    return state


def test_with_a_window_liquidate_opens_a_call_and_sends_nothing() -> None:
    """FLOW-CALL-1: the first Liquidate of an unhealthy account opens a call, stamped now."""
    before = reached(*MILD)
    after, outcome = step(before, Liquidate(account="alice"))
    assert outcome.accepted and outcome.emitted == ()
    assert after.network == before.network
    assert after.hub.status["alice"].called


def test_without_a_window_liquidate_liquidates_at_once() -> None:
    """FLOW-CALL-1, PAR-22: with the window off (the default) nothing changes: LIQ-2."""
    state = reached(*MILD, params=CALLED.model_copy(update={"top_up_window_s": 0}))
    after, outcome = step(state, Liquidate(account="alice"))
    assert outcome.accepted and after.hub.status["alice"].liquidating
    assert not after.hub.status["alice"].called


def test_no_liquidation_inside_the_window() -> None:
    """FLOW-CALL-2: a call open and its window not passed: IN_TOP_UP_WINDOW."""
    state = run(called(), AdvanceTime(seconds=CALLED.top_up_window_s - 1))
    refused(state, Liquidate(account="alice"), Error.IN_TOP_UP_WINDOW)


def test_after_the_window_the_liquidation_starts_and_closes_the_call() -> None:
    """FLOW-CALL-2, FLOW-CALL-5, INV-CALL-1: once the window has passed the liquidation
    starts, and the call is closed by it."""
    state = run(called(), AdvanceTime(seconds=CALLED.top_up_window_s), Liquidate(account="alice"))
    status = state.hub.status["alice"]
    assert status.liquidating and not status.called and status.called_at == 0
    assert call_not_while_liquidating(state) is None


def test_below_the_call_floor_the_liquidation_starts_at_once() -> None:
    """FLOW-CALL-2, PAR-23: an account below the call floor gets no window."""
    state = reached(*BAD_DEBT[:-2])  # ETH crashed: net equity far below half the requirement
    status = state.hub.status["alice"]
    assert status.liquidating and not status.called


def test_a_call_freezes_withdrawals_and_grants() -> None:
    """FLOW-CALL-4: no credit leaves the hub while a call is open."""
    state = called()
    refused(state, Withdraw(account="alice", asset="USD", amount=1), Error.MARGIN_CALLED)
    refused(state, GrantCredit(account="alice", spoke="base", amount=1), Error.MARGIN_CALLED)


def test_a_deposit_that_does_not_restore_health_leaves_the_call_open() -> None:
    """FLOW-CALL-3: a top-up too small keeps the call (and its time)."""
    state = run(called(), AdvanceTime(seconds=5), Deposit(account="alice", asset="USD", amount=1))
    assert state.hub.status["alice"].called and state.hub.status["alice"].called_at == 0


def test_a_deposit_that_restores_health_closes_the_call() -> None:
    """FLOW-CALL-3: a top-up after which the account is healthy closes the call; credit
    flows again."""
    state = run(called(), Deposit(account="alice", asset="USD", amount=600))
    assert not state.hub.status["alice"].called
    run(state, Withdraw(account="alice", asset="USD", amount=1))
    refused(state, Liquidate(account="alice"), Error.ACCOUNT_HEALTHY)


def test_the_top_up_scenario_ends_with_the_call_met_and_no_liquidation() -> None:
    """FLOW-CALL-1..4: `intermargin scenario top-up`: the call is opened, refused early
    liquidation and credit, met by the second deposit; no margin call was ever sent."""
    timeline = run_scenario(scenario("top-up"))
    errors = [s.outcome.error for s in timeline.steps if s.outcome.error is not None]
    assert errors == [
        Error.IN_TOP_UP_WINDOW,
        Error.MARGIN_CALLED,
        Error.MARGIN_CALLED,
        Error.ACCOUNT_HEALTHY,
    ]
    final = timeline.final
    status = final.hub.status["alice"]
    assert not status.called and not status.liquidating and status.epoch == 0
    assert final.hub.alloc[("alice", "arb")] == 900
    assert final.spokes[("arb", "alice")].positions  # her position lives on


def owed_to_arb() -> State:
    """After the bad-debt story, the hub owes arb's partition 500 USD (from the fund)."""
    state = reached(*BAD_DEBT)
    assert state.hub.owed[("arb", "USD")] == 500
    return state


def test_a_payout_moves_the_owed_tokens_out_of_the_hub() -> None:
    """FLOW-PAY-1, FLOW-PAY-2, INV-ASSET-1: tokens and what is owed fall together; the ghost
    of what was paid towards the partition does not move (INV-PART-2)."""
    before = owed_to_arb()
    after = run(before, PayOut(spoke="arb", asset="USD", amount=500))
    assert after.hub.owed[("arb", "USD")] == 0
    assert after.hub.tokens["USD"] == before.hub.tokens["USD"] - 500
    assert after.ghost == before.ghost


def test_a_payout_above_what_is_owed_is_refused() -> None:
    """FLOW-PAY-2: never more than the partition's pool of the asset."""
    refused(owed_to_arb(), PayOut(spoke="arb", asset="USD", amount=501), Error.EXCEEDS_OWED)
    refused(owed_to_arb(), PayOut(spoke="base", asset="USD", amount=1), Error.EXCEEDS_OWED)


def test_a_paused_spoke_is_paid_nothing() -> None:
    """FLOW-PAY-3: the circuit breaker freezes the partition's payouts, checked first."""
    state = run(owed_to_arb(), PauseSpoke(spoke="arb"))
    refused(state, PayOut(spoke="arb", asset="USD", amount=1), Error.SPOKE_PAUSED)
    refused(state, PayOut(spoke="arb", asset="USD", amount=10**6), Error.SPOKE_PAUSED)


def test_the_bmc_starts_from_a_declared_liquidation() -> None:
    """FLOW-CALL-6: the propagation BMC runs with the window off (the proofs' universe has it
    on): its accepted Liquidate always starts the liquidation and never opens a call."""
    assert proof_universe(spokes=1, accounts=1).top_up_window_s > 0
    premises, post, _, account = setup(1)
    assert post.u.top_up_window_s == 0
    solver = z3.Solver()
    solver.add(premises)
    opened_or_not_liquidating = z3.Or(post.called[account], z3.Not(post.liquidating[account]))
    assert check_assuming(solver, opened_or_not_liquidating) == z3.unsat
    assert solver.check() == z3.sat
