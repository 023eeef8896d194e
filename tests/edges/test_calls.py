"""The call floor (FLOW-CALL-2, PAR-23): net equity below `call_floor_bps` of the
requirement, compared multiplied out (no rounding): `equity x 10_000 < requirement x
call_floor_bps`, strictly."""

from dataclasses import replace

from model import State, initial_state
from model.calls import below_call_floor, health_prices
from model.risk import maintenance_requirement, net_equity
from spec.actions import AdvanceTime, Liquidate
from spec.errors import Error
from spec.examples import example_params
from tests.helpers import funded, priced, refused, run, underwater


def at_floor(state: State, floor_bps: int) -> State:
    return replace(state, params=state.params.model_copy(update={"call_floor_bps": floor_bps}))


def test_the_call_floor_is_the_share_of_the_requirement_compared_multiplied_out() -> None:
    """FLOW-CALL-2: alice (`underwater`) has net equity 400 against a requirement of 539:
    400 x 10_000 = 4_000_000 is not below 539 x 7_421 = 3_999_919, and is below
    539 x 7_422 = 4_000_458."""
    state = underwater(initial_state(example_params()))
    prices = health_prices(state, "alice")
    assert prices is not None
    assert (
        net_equity(state, "alice", prices),
        maintenance_requirement(state, "alice", prices),
    ) == (
        400,
        539,
    )
    assert below_call_floor(at_floor(state, 7_422), "alice", prices)
    assert not below_call_floor(at_floor(state, 7_421), "alice", prices)
    assert not below_call_floor(at_floor(state, 0), "alice", prices)


def test_equity_exactly_at_the_floor_is_not_below_it() -> None:
    """FLOW-CALL-2: with 139 more USD alice's net equity is 539, her whole requirement: at a
    floor of 100% she is exactly at it, not below (strict)."""
    state = funded(underwater(initial_state(example_params())), usd=139)
    prices = health_prices(state, "alice")
    assert prices is not None
    assert net_equity(state, "alice", prices) == maintenance_requirement(state, "alice", prices)
    assert not below_call_floor(at_floor(state, 10_000), "alice", prices)
    assert below_call_floor(
        at_floor(funded(underwater(initial_state(example_params())), usd=138), 10_000),
        "alice",
        prices,
    )


def test_a_window_of_one_second_is_a_window() -> None:
    """FLOW-CALL-1, PAR-23: any `top_up_window_s` > 0 declares a window: at 1 s the first
    Liquidate of alice (unhealthy, not below the floor) opens a call stamped now and sends
    nothing; a second is refused IN_TOP_UP_WINDOW; once the second has passed the
    liquidation starts and closes the call (INV-CALL-1).  At 0 s it starts at once."""
    params = example_params().model_copy(update={"top_up_window_s": 1})
    state = underwater(initial_state(params))
    called = run(state, Liquidate(account="alice"))
    status = called.hub.status["alice"]
    assert status.called and status.called_at == 0 and not status.liquidating
    assert called.network.next_id == state.network.next_id
    refused(called, Liquidate(account="alice"), Error.IN_TOP_UP_WINDOW)
    later = run(called, AdvanceTime(seconds=1))
    started = run(priced(later, eth=1_700), Liquidate(account="alice"))
    assert started.hub.status["alice"].liquidating and not started.hub.status["alice"].called
    at_once = run(underwater(initial_state(example_params())), Liquidate(account="alice"))
    assert at_once.hub.status["alice"].liquidating


def test_a_call_is_stamped_when_opened_and_its_time_cleared_when_met() -> None:
    """FLOW-CALL-1, FLOW-CALL-3, INV-CALL-1: a call opened at t = 10 keeps called_at = 10; a
    deposit that leaves alice healthy at t = 15 closes it and clears its time to 0."""
    params = example_params().model_copy(update={"top_up_window_s": 100})
    state = run(underwater(initial_state(params)), AdvanceTime(seconds=10))
    called = run(priced(state, eth=1_700), Liquidate(account="alice"))
    assert (called.hub.status["alice"].called, called.hub.status["alice"].called_at) == (True, 10)
    later = run(called, AdvanceTime(seconds=5))
    met = funded(priced(later, eth=1_700), usd=1_000)
    assert (met.hub.status["alice"].called, met.hub.status["alice"].called_at) == (False, 0)
