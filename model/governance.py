"""Governance: partition caps and the circuit breaker (GOV-1..GOV-3)."""

from dataclasses import replace

from model.hub import spoke_allocation
from model.outcome import Step, accept, reject
from model.state import State, assoc
from spec.actions import PauseSpoke, SetCap, UnpauseSpoke
from spec.errors import Error


def set_cap(state: State, action: SetCap) -> Step:
    """GOV-1: a new cap may not be below what the spoke already holds (INV-PART-1);
    to stop a spoke at once, pause it."""
    if action.cap < spoke_allocation(state, action.spoke):
        return reject(state, Error.CAP_BELOW_ALLOCATION)
    caps = assoc(state.hub.caps, action.spoke, action.cap)
    return accept(replace(state, hub=replace(state.hub, caps=caps)))


def pause_spoke(state: State, action: PauseSpoke) -> Step:
    """GOV-2: a paused spoke gets no grants and its loss claims wait in flight."""
    if action.spoke in state.hub.paused:
        return reject(state, Error.ALREADY_PAUSED)
    return accept(replace(state, hub=replace(state.hub, paused=state.hub.paused | {action.spoke})))


def unpause_spoke(state: State, action: UnpauseSpoke) -> Step:
    """GOV-3: lift the circuit breaker."""
    if action.spoke not in state.hub.paused:
        return reject(state, Error.NOT_PAUSED)
    return accept(replace(state, hub=replace(state.hub, paused=state.hub.paused - {action.spoke})))
