"""The call floor (FLOW-CALL-2, PAR-23): net equity below `call_floor_bps` of the
requirement, compared multiplied out (no rounding): `equity x 10_000 < requirement x
call_floor_bps`, strictly."""

from dataclasses import replace

from model import State, initial_state
from model.calls import below_call_floor, health_prices
from model.risk import maintenance_requirement, net_equity
from spec.examples import example_params
from tests.helpers import funded, underwater


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
