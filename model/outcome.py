"""How a transition ends: accepted, rejected (nothing changes), or ignored (OUT-1..OUT-3)."""

from model.state import State
from spec.errors import Error
from spec.outcome import Outcome

Step = tuple[State, Outcome]

ACCEPTED = Outcome(status="accepted")


def accept(state: State) -> Step:
    """The step took effect; `step` fills in the ids of the messages it emitted."""
    return state, ACCEPTED


def reject(state: State, error: Error) -> Step:
    """INV-ATOMIC-1: the step is refused; return the state it was given, untouched."""
    return state, Outcome(status="rejected", error=error)


def ignore(state: State, error: Error) -> Step:
    """OUT-2: a delivered message is consumed but has no other effect."""
    return state, Outcome(status="ignored", error=error)
