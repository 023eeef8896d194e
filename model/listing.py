"""Which spokes are listed (LIST-1): the hub's whitelist, read by grants and by governance.

A spoke declared in the parameters is listed at genesis unless declared `listed: false`.
Governance lists it (LIST-2), delists it, which starts its drain (LIST-3), and removes it
once drained (LIST-4).  A listed spoke has no entry in `Hub.listing`, so a state where
every spoke is listed equals the state before listing existed.
"""

from dataclasses import replace

from model.state import Listing, SpokeId, State, assoc, dissoc


def listing_of(state: State, spoke: SpokeId) -> str:
    """LIST-1: "listed", or how the spoke is not: "unlisted", "delisted" or "removed"."""
    return state.hub.listing.get(spoke, "listed")


def is_listed(state: State, spoke: SpokeId) -> bool:
    """LIST-1, HUB-GRANT-5: only a listed spoke is granted credit."""
    return listing_of(state, spoke) == "listed"


def with_listing(state: State, spoke: SpokeId, listing: Listing | None) -> State:
    """The spoke's listing set; None lists it (a listed spoke has no entry)."""
    rest = dissoc(state.hub.listing, spoke)
    changed = rest if listing is None else assoc(rest, spoke, listing)
    return replace(state, hub=replace(state.hub, listing=changed))
