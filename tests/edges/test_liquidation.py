"""A rate-limited spoke's answer to a margin call (RATE-3, HUB-LOSS-5, LIQ-3..LIQ-5): its loss
is charged to the spoke's bucket when accepted, and waits in flight, changing nothing, while
the bucket holds less than the loss."""

from model import State, initial_state, step
from spec.actions import Deliver, Liquidate
from spec.errors import Error
from spec.examples import example_params
from spec.params import RateLimitParams
from tests.helpers import in_flight, liquidating, priced, refused, run, underwater


def limited(capacity: int) -> State:
    """`liquidating` (alice's 600 loss on arb, her 400 left to release) with arb's partition
    rate-limited to `capacity` (no refill), the calls delivered: the three answers in flight."""
    params = example_params()
    limit = RateLimitParams(capacity=capacity, refill_per_s=0)
    spokes = tuple(
        s.model_copy(update={"rate_limit": limit}) if s.id == "arb" else s for s in params.spokes
    )
    state = liquidating(initial_state(params.model_copy(update={"spokes": spokes})))
    for env in in_flight(state, "MarginCall"):
        state = run(state, Deliver(message_id=env.id))
    return state


def answer(state: State, spoke: str) -> Deliver:
    (env,) = (e for e in in_flight(state, "LiquidationReport") if e.sender == spoke)
    return Deliver(message_id=env.id)


def test_an_accepted_answer_charges_its_loss_to_the_bucket() -> None:
    """RATE-3: arb's answer claims the 600 loss: its bucket goes from 1000 to 400, and the
    liquidation settles once base and sol have answered too."""
    state = limited(1_000)
    assert state.hub.buckets == {"arb": 1_000}
    state = run(state, answer(state, "base"), answer(state, "sol"))
    after = run(state, answer(state, "arb"))
    assert after.hub.buckets == {"arb": 400}
    assert after.ghost.claimed["arb"] == 600
    assert not after.hub.status["alice"].liquidating


def test_an_answer_above_the_bucket_waits_and_changes_nothing() -> None:
    """RATE-3, HUB-LOSS-5: with 599 in arb's bucket, its answer claiming 600 is refused
    RATE_LIMITED and leaves the state as it was, the answer still in flight; with 600 it
    is taken and empties the bucket."""
    state = limited(599)
    after, outcome = step(state, answer(state, "arb"))
    assert (outcome.status, outcome.error) == ("rejected", Error.RATE_LIMITED)
    assert after == state
    exact = limited(600)
    assert run(exact, answer(exact, "arb")).hub.buckets == {"arb": 0}


def test_an_account_below_the_call_floor_is_liquidated_inside_its_window() -> None:
    """FLOW-CALL-2: with a 100 s window, alice at 1700 (equity 400 against 539, above the
    50% floor) gets a call; ETH falls to 1500 (equity 0, below the floor) and the next
    Liquidate, still inside the window, starts the liquidation at once (no
    IN_TOP_UP_WINDOW) and closes the call (INV-CALL-1)."""
    params = example_params().model_copy(update={"top_up_window_s": 100})
    called = run(underwater(initial_state(params)), Liquidate(account="alice"))
    assert called.hub.status["alice"].called and not called.hub.status["alice"].liquidating
    refused(called, Liquidate(account="alice"), Error.IN_TOP_UP_WINDOW)
    deep = run(priced(called, eth=1_500), Liquidate(account="alice"))
    assert deep.hub.status["alice"].liquidating and not deep.hub.status["alice"].called
