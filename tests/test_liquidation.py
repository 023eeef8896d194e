"""Unit tests of liquidation across spokes: declaring it, the spokes' answers, settlement,
and where the loss goes when collateral is short (bad debt)."""

from model import State, initial_state
from model.invariants import quiescent_and_accounted
from spec.actions import Deliver, Inject, Liquidate, PauseSpoke, UnpauseSpoke
from spec.errors import Error
from spec.messages import LiquidationReport, LossClaim, MarginCall
from spec.params import Params
from tests.helpers import (
    checked,
    credited,
    deliver,
    deliver_all,
    funded,
    ignored,
    in_flight,
    liquidating,
    only,
    priced,
    refused,
    run,
    settled,
    stale,
    traded,
    underwater,
)


def answer(epoch: int = 1, released: int = 0, loss: int = 0) -> LiquidationReport:
    return LiquidationReport(
        account="alice", epoch=epoch, seq=99, released=released, loss=loss, balance=0
    )


def injected(payload: LiquidationReport, sender: str = "base") -> Inject:
    return Inject(sender=sender, receiver="hub", payload=payload)


# --- Liquidate -------------------------------------------------------------------------


def test_liquidating_an_unhealthy_account_calls_every_spoke(genesis: State) -> None:
    """LIQ-1, LIQ-2: a new epoch, LIQUIDATING, and a margin call to every spoke (also those
    the hub knows nothing about: a position may be opened and not yet reported)."""
    state = underwater(genesis)
    after, outcome = checked(state, Liquidate(account="alice"))
    calls = in_flight(after, "MarginCall")
    assert outcome.emitted == tuple(env.id for env in calls)
    assert sorted(env.receiver for env in calls) == ["arb", "base", "sol"]
    assert all(env.payload == MarginCall(account="alice", epoch=1) for env in calls)
    status = after.hub.status["alice"]
    assert status.liquidating and status.epoch == 1
    assert status.pending == frozenset({"arb", "base", "sol"})


def test_the_requirement_at_the_call_is_recorded_for_the_penalty(genesis: State) -> None:
    """LIQ-2, RISK-10: maintenance 536 (the extreme scan at 1700: 35% of 2 x 765, rounded
    up) + buffer 3 on arb = 539."""
    assert liquidating(genesis).hub.status["alice"].requirement_at_call == 539


def test_liquidating_an_account_already_liquidating_is_refused(genesis: State) -> None:
    """LIQ-1: one liquidation per account at a time."""
    refused(liquidating(genesis), Liquidate(account="alice"), Error.ACCOUNT_LIQUIDATING)


def test_liquidating_without_prices_fails_closed(genesis: State) -> None:
    """LIQ-1, ORA-7: the hub cannot declare an account unhealthy without prices."""
    refused(stale(underwater(genesis)), Liquidate(account="alice"), Error.PRICE_UNAVAILABLE)


def test_liquidating_a_healthy_account_is_refused(genesis: State) -> None:
    """LIQ-1, RISK-10: at 2000 alice's 1000 covers maintenance 720 + buffer 3."""
    state = priced(underwater(genesis), eth=2_000)
    refused(state, Liquidate(account="alice"), Error.ACCOUNT_HEALTHY)


def test_an_empty_account_is_healthy(genesis: State) -> None:
    """RISK-10: zero equity covers zero requirement."""
    refused(genesis, Liquidate(account="bob"), Error.ACCOUNT_HEALTHY)


# --- LiquidationReport delivered at the hub ----------------------------------------


def test_an_answer_consumes_the_allocation_and_pays_the_loss(genesis: State) -> None:
    """LIQ-4, LIQ-5, HUB-LOSS-1: arb's answer releases 400 and claims 600 of its 1000."""
    state = deliver(liquidating(genesis), "MarginCall", "arb")
    state = deliver(state, "LiquidationReport")
    assert state.hub.alloc[("alice", "arb")] == 0
    assert state.hub.owed[("arb", "USD")] == 600
    assert state.hub.collateral[("alice", "USD")] == 400
    assert state.hub.status["alice"].pending == frozenset({"base", "sol"})
    assert dict(state.hub.reports[("alice", "arb")].positions) == {}


def test_the_hub_settles_after_the_last_answer_with_the_penalty(genesis: State) -> None:
    """LIQ-6, LIQ-7: penalty 5% of 539, rounded up, is 27, seized into the insurance fund;
    the account leaves LIQUIDATING and keeps its epoch."""
    state = settled(genesis)
    assert state.hub.collateral[("alice", "USD")] == 1_000 - 600 - 27
    assert state.hub.insurance["USD"] == 50_000 + 27
    status = state.hub.status["alice"]
    assert (status.liquidating, status.epoch, status.pending) == (False, 1, frozenset())
    assert quiescent_and_accounted(state) is None


def test_the_hub_does_not_settle_before_the_last_answer(genesis: State) -> None:
    """LIQ-5: with one spoke still to answer the account stays LIQUIDATING, no penalty yet."""
    state = liquidating(genesis)
    last = only(state, "MarginCall", "sol")
    for env in in_flight(state, "MarginCall"):
        if env.id != last.id:
            state = run(state, Deliver(message_id=env.id))
    state = deliver_answers(state)
    assert state.hub.status["alice"].pending == frozenset({"sol"})
    assert state.hub.insurance["USD"] == 50_000


def test_an_answer_when_not_liquidating_is_ignored(genesis: State) -> None:
    """LIQ-3: an answer without a liquidation running has nothing to answer."""
    state = credited(funded(genesis, usd=1_000), "alice", "base", 100)
    after = ignored(state, injected(answer(released=100)), Error.NOT_LIQUIDATING)
    assert after.hub == state.hub


def test_an_answer_for_another_epoch_is_ignored(genesis: State) -> None:
    """LIQ-3: the answer must name the current epoch."""
    state = liquidating(genesis)
    after = ignored(state, injected(answer(epoch=2)), Error.STALE_EPOCH)
    assert after.hub == state.hub


def test_a_second_answer_from_the_same_spoke_is_ignored(genesis: State) -> None:
    """LIQ-3: a spoke answers once per epoch; a second answer (here injected) is stale."""
    state = deliver(liquidating(genesis), "MarginCall", "base")
    state = deliver(state, "LiquidationReport")
    after = ignored(state, injected(answer()), Error.STALE_EPOCH)
    assert after.hub == state.hub


def test_an_answer_above_the_allocation_is_cut_to_it(genesis: State) -> None:
    """LIQ-3, LIQ-4, INV-PART-2: base holds no allocation for alice; an answer claiming a
    loss of 1 is cut to nothing: nothing is paid, and base is no longer pending."""
    state = liquidating(genesis)
    after = run(state, injected(answer(loss=1)))
    assert after.hub.alloc == state.hub.alloc
    assert after.hub.owed == state.hub.owed and after.hub.collateral == state.hub.collateral
    assert after.ghost.claimed == state.ghost.claimed
    assert "base" not in after.hub.status["alice"].pending


def test_an_answer_from_a_drained_spoke_still_completes_the_liquidation(genesis: State) -> None:
    """LIQ-3, INV-LIQ-2: arb drains alice's allocation with a false claim, then obeys the
    call honestly; its answer (released + loss = its line) exceeds what is left, is cut to
    it, and the liquidation settles once everyone has answered."""
    state = liquidating(genesis)
    drain = LossClaim(account="alice", amount=state.hub.alloc[("alice", "arb")])
    state = run(state, Inject(sender="arb", receiver="hub", payload=drain))
    assert state.hub.alloc[("alice", "arb")] == 0
    state = deliver_all(state)
    assert not state.hub.status["alice"].liquidating
    assert state.ghost.claimed["arb"] <= state.ghost.granted["arb"]


def test_an_answer_with_a_loss_from_a_paused_spoke_waits_in_flight(genesis: State) -> None:
    """LIQ-3, MSG-11: like a loss claim, an answer claiming a loss from a paused spoke is
    rejected and stays in flight; once unpaused it is taken."""
    state = deliver(liquidating(genesis), "MarginCall", "arb")
    state = run(state, PauseSpoke(spoke="arb"))
    report = only(state, "LiquidationReport")
    refused(state, Deliver(message_id=report.id), Error.SPOKE_PAUSED)
    state = run(state, UnpauseSpoke(spoke="arb"), Deliver(message_id=report.id))
    assert state.hub.owed[("arb", "USD")] == 600


def test_an_answer_without_a_loss_from_a_paused_spoke_is_taken(genesis: State) -> None:
    """LIQ-3: releasing credit moves no value, so a paused spoke's plain answer is accepted."""
    state = deliver(liquidating(genesis), "MarginCall", "sol")
    state = run(state, PauseSpoke(spoke="sol"))
    state = deliver(state, "LiquidationReport")
    assert "sol" not in state.hub.status["alice"].pending


# --- bad debt ----------------------------------------------------------------------


def eth_backed_crash(params: Params) -> State:
    """bob put up 1 ETH (1700 after its 15% LTV haircut at 2000, RISK-IM-1), got 1700 credit
    on arb, bought 4 perps at 2000, and ETH crashed to 1000: arb claims its whole line, 1700,
    while his ETH is now worth 1000.  Liquidated and drained."""
    state = credited(funded(priced(initial_state(params)), "bob", eth=1), "bob", "arb", 1_700)
    state = traded(state, "arb", "bob", "ETH-PERP", 4, 2_000)
    state = run(priced(state, eth=1_000), Liquidate(account="bob"))
    return deliver_all(state)


def test_bad_debt_is_charged_to_the_insurance_fund(params: Params) -> None:
    """HUB-LOSS-3: the collateral pays 1000 (its 1 ETH), the fund the other 700; the penalty
    is waived for want of collateral."""
    state = eth_backed_crash(params)
    assert state.hub.collateral[("bob", "ETH")] == 0
    assert state.hub.owed[("arb", "ETH")] == 1
    assert state.hub.owed[("arb", "USD")] == 700
    assert state.hub.insurance["USD"] == 50_000 - 700
    assert state.hub.socialized["arb"] == 0
    assert state.ghost.paid["arb"] == state.ghost.claimed["arb"] == 1_700


def test_bad_debt_beyond_the_insurance_fund_is_socialized_to_the_spoke(params: Params) -> None:
    """HUB-LOSS-4: with a fund of 300 USD, 400 of the claim is left unpaid and recorded
    against the claiming spoke's partition; nothing is paid that was not held."""
    state = eth_backed_crash(params.model_copy(update={"insurance_fund": (("USD", 300),)}))
    assert state.hub.insurance["USD"] == 0
    assert state.hub.owed[("arb", "USD")] == 300
    assert state.hub.socialized["arb"] == 400
    assert state.ghost.paid["arb"] == 1_300
    assert state.ghost.claimed["arb"] == 1_700


# --- helpers local to these tests ----------------------------------------------------


def deliver_answers(state: State) -> State:
    for env in in_flight(state, "LiquidationReport"):
        state = run(state, Deliver(message_id=env.id))
    return state
