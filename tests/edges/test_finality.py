"""Halting and resuming a spoke's chain (FIN-6): a halt stops the chain without touching
what it has not finalized, and a resume starts it again with that segment intact."""

from conformance.finality_stories import DELAYED
from conformance.stories import dl, eth, usd
from model import State, initial_state, step
from model.finality import chain_of
from spec.actions import Action, GrantCredit, Halt, ReleaseCredit, Resume


def reached(*actions: Action) -> State:
    state = initial_state(DELAYED)
    for action in actions:
        state, outcome = step(state, action)
        assert outcome.accepted, (action, outcome)
    return state


def test_a_resume_keeps_the_segment_the_halt_found() -> None:
    """FIN-6, FIN-1: arb releases 2000 of alice's 3000 (a segment, checkpointed at 3000);
    halted and resumed, its chain runs again with the same segment."""
    released = reached(
        usd(5_000),
        *eth(2_000),
        GrantCredit(account="alice", spoke="arb", amount=3_000),
        *dl(1),
        ReleaseCredit(spoke="arb", account="alice", amount=2_000),
    )
    segment = chain_of(released, "arb").segment
    assert segment is not None
    halted = step(released, Halt(spoke="arb"))[0]
    assert chain_of(halted, "arb").halted and chain_of(halted, "arb").segment == segment
    resumed, outcome = step(halted, Resume(spoke="arb"))
    assert outcome.accepted
    assert not chain_of(resumed, "arb").halted and chain_of(resumed, "arb").segment == segment
    assert resumed == released
