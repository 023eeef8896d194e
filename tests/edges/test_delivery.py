"""Which messages the channel authenticates (MSG-6), over every sender, receiver and kind."""

from itertools import product

from model import initial_state
from model.delivery import is_authentic
from spec.bounds import HUB
from spec.examples import example_params
from spec.messages import (
    HUB_KINDS,
    SPOKE_KINDS,
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
)

PAYLOADS: tuple[Message, ...] = (
    CreditGrant(account="alice", amount=1, epoch=0),
    MarginCall(account="alice", epoch=1),
    CreditRelease(account="alice", amount=1),
    LossClaim(account="alice", amount=1),
    ExposureReport(account="alice", seq=1, balance=0, positions=()),
    LiquidationReport(account="alice", epoch=1, seq=1, released=0, loss=0, balance=0),
)


def test_hub_kinds_go_from_the_hub_to_a_spoke_and_spoke_kinds_the_other_way() -> None:
    """MSG-6: a hub kind is authentic exactly from the hub to a declared spoke; a spoke kind
    exactly from a declared spoke to the hub; nothing else (a spoke to a spoke, the hub to
    itself, an undeclared party) is."""
    state = initial_state(example_params())
    spokes = {s.id for s in state.params.spokes}
    parties = (HUB, *sorted(spokes), "moon")
    assert {p.type for p in PAYLOADS} == set(HUB_KINDS) | set(SPOKE_KINDS)
    for sender, receiver, payload in product(parties, parties, PAYLOADS):
        if payload.type in HUB_KINDS:
            expected = sender == HUB and receiver in spokes
        else:
            expected = sender in spokes and receiver == HUB
        assert is_authentic(state, sender, receiver, payload) is expected
