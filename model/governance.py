"""Governance: partition caps, the circuit breaker (GOV-1..GOV-3), and listing, draining and
removing spokes (LIST-1..LIST-4)."""

from dataclasses import replace

from model.hub import spoke_allocation
from model.listing import is_listed, listing_of, with_listing
from model.outcome import Step, accept, reject
from model.state import SpokeId, State, assoc
from spec.actions import DelistSpoke, ListSpoke, PauseSpoke, RemoveSpoke, SetCap, UnpauseSpoke
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


def drained(state: State, spoke: SpokeId) -> bool:
    """LIST-4: nothing allocated to the spoke (so no credit on its lines or in flight,
    INV-CREDIT-1) and no liquidation waits on its answer."""
    waiting = any(spoke in st.pending for st in state.hub.status.values())
    return spoke_allocation(state, spoke) == 0 and not waiting


def list_spoke(state: State, action: ListSpoke) -> Step:
    """LIST-2: governance lists a declared spoke (whitelisting), or calls off the drain of a
    delisted one; a removed spoke is gone for good."""
    if is_listed(state, action.spoke):
        return reject(state, Error.ALREADY_LISTED)
    if listing_of(state, action.spoke) == "removed":
        return reject(state, Error.SPOKE_REMOVED)
    return accept(with_listing(state, action.spoke, None))


def delist_spoke(state: State, action: DelistSpoke) -> Step:
    """LIST-3: a delisted spoke is drained: the hub grants it nothing more (HUB-GRANT-5), and
    its credit comes back only by its releases and its liquidation answers (INV-LIST-1)."""
    if not is_listed(state, action.spoke):
        return reject(state, Error.SPOKE_NOT_LISTED)
    return accept(with_listing(state, action.spoke, "delisted"))


def remove_spoke(state: State, action: RemoveSpoke) -> Step:
    """LIST-4: a delisted spoke is removed once drained: nothing allocated to it, nothing of
    its credit in flight, no liquidation waiting on it (INV-LIST-2)."""
    if listing_of(state, action.spoke) != "delisted":
        return reject(state, Error.NOT_DELISTED)
    if not drained(state, action.spoke):
        return reject(state, Error.SPOKE_NOT_DRAINED)
    return accept(with_listing(state, action.spoke, "removed"))
