"""What a force-settle leaves of the silent spoke's book (LIVE-3, LIVE-5), and what a spoke
waited on by a liquidation is (LIST-4)."""

from model import State, initial_state
from model.arith import bps_up
from model.state import Report
from spec.actions import AdvanceTime, DelistSpoke, Deliver, Deposit, ForceSettle, RemoveSpoke
from spec.errors import Error
from spec.examples import example_params
from tests.helpers import deliver, in_flight, liquidating, priced, refused, run


def silent_arb_past_deadline() -> State:
    """alice is liquidated; base and sol answer, arb stays silent past the deadline; the
    ETH quotes are fresh again."""
    state = liquidating(initial_state(example_params()))
    for spoke in ("base", "sol"):
        state = deliver(state, "MarginCall", spoke)
    for env in in_flight(state, "LiquidationReport"):
        state = run(state, Deliver(message_id=env.id))
    wait = state.hub.status["alice"].deadline - state.oracle.now
    return priced(run(state, AdvanceTime(seconds=wait)), eth=1_700)


def test_a_severed_spokes_record_keeps_its_sequence_and_holds_nothing() -> None:
    """LIVE-3, LIVE-5: the hub forgets the silent spoke's book for the account: its record
    keeps the sequence number of the spoke's last report (so a replay of an older one still
    counts as stale) with balance 0, no positions, stamped at the force-settle's time."""
    state = silent_arb_past_deadline()
    before = state.hub.reports[("alice", "arb")]
    assert before.seq > 0 and before.positions
    after = run(state, ForceSettle(account="alice"))
    assert after.hub.reports[("alice", "arb")] == Report(
        seq=before.seq, balance=0, positions={}, time=state.oracle.now
    )


def test_a_spoke_a_liquidation_waits_on_is_not_drained_even_with_nothing_allocated() -> None:
    """LIST-4: base holds nothing of alice's credit, but alice's liquidation waits on its
    answer: base cannot be removed until it answers."""
    state = liquidating(initial_state(example_params()))
    assert state.hub.alloc[("alice", "base")] == 0
    assert "base" in state.hub.status["alice"].pending
    state = run(state, DelistSpoke(spoke="base"))
    refused(state, RemoveSpoke(spoke="base"), Error.SPOKE_NOT_DRAINED)
    state = deliver(state, "MarginCall", "base")
    state = deliver(state, "LiquidationReport")
    assert "base" not in state.hub.status["alice"].pending
    run(state, RemoveSpoke(spoke="base"))


def test_a_force_settle_charges_the_penalty_at_the_seizure_prices() -> None:
    """LIQ-6, LIVE-3: alice put up 500 more USD while liquidating: after arb's 1000 is
    charged, the penalty (5% of the requirement at the call, rounded up) is seized from what
    is left into the insurance fund."""
    state = silent_arb_past_deadline()
    state = run(state, Deposit(account="alice", asset="USD", amount=500))
    status = state.hub.status["alice"]
    penalty = bps_up(status.requirement_at_call, state.params.penalty_bps)
    assert penalty > 0
    after = run(state, ForceSettle(account="alice"))
    assert after.hub.insurance["USD"] == state.hub.insurance["USD"] + penalty
    held = state.hub.collateral[("alice", "USD")] - state.hub.alloc[("alice", "arb")]
    assert after.hub.collateral[("alice", "USD")] == held - penalty
