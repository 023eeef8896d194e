"""Removing a delisted spoke waits for its liquidation answers too (LIST-4)."""

from dataclasses import replace

from model import initial_state
from model.governance import delist_spoke, remove_spoke
from model.state import AccountStatus
from spec.actions import DelistSpoke, RemoveSpoke
from spec.errors import Error
from spec.examples import example_params


def test_a_spoke_a_liquidation_waits_on_is_not_drained_with_nothing_allocated() -> None:
    """LIST-4: a delisted spoke with nothing allocated is still not drained while a
    liquidation waits on its answer (`pending`): removing it is refused SPOKE_NOT_DRAINED;
    once the answer is in, it is removed."""
    state, outcome = delist_spoke(initial_state(example_params()), DelistSpoke(spoke="arb"))
    assert outcome.accepted
    waiting = AccountStatus(liquidating=True, epoch=1, pending=frozenset({"arb"}))
    called = replace(state, hub=replace(state.hub, status={**state.hub.status, "alice": waiting}))
    _, refused = remove_spoke(called, RemoveSpoke(spoke="arb"))
    assert refused.status == "rejected" and refused.error == Error.SPOKE_NOT_DRAINED
    answered = replace(waiting, pending=frozenset())
    done = replace(state, hub=replace(state.hub, status={**state.hub.status, "alice": answered}))
    removed, outcome = remove_spoke(done, RemoveSpoke(spoke="arb"))
    assert outcome.accepted and removed.hub.listing["arb"] == "removed"
