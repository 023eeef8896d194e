"""Listing, draining and removing a spoke (LIST-1..LIST-4, HUB-GRANT-5, INV-LIST-1..2)."""

from dataclasses import replace

import z3

from model import State, initial_state
from model.invariants import drained_not_fed, removed_holds_nothing
from model.listing import listing_of
from model.step import step
from proofs.bmc_slots import setup
from proofs.state import LISTED
from spec.actions import (
    DelistSpoke,
    Deliver,
    GrantCredit,
    ListSpoke,
    ReleaseCredit,
    RemoveSpoke,
)
from spec.errors import Error
from spec.outcome import Outcome
from spec.params import Params
from tests.helpers import credited, funded, refused, run


def test_a_spoke_declared_unlisted_gets_nothing_until_listed(params: Params) -> None:
    """LIST-1, LIST-2, HUB-GRANT-5: `listed: false` at genesis; ListSpoke opens it."""
    spokes = tuple(
        s.model_copy(update={"listed": False}) if s.id == "sol" else s for s in params.spokes
    )
    genesis = funded(initial_state(params.model_copy(update={"spokes": spokes})), usd=1_000)
    assert listing_of(genesis, "sol") == "unlisted" and listing_of(genesis, "arb") == "listed"
    refused(genesis, GrantCredit(account="alice", spoke="sol", amount=1), Error.SPOKE_NOT_LISTED)
    state = run(
        genesis, ListSpoke(spoke="sol"), GrantCredit(account="alice", spoke="sol", amount=1)
    )
    assert state.hub.alloc[("alice", "sol")] == 1 and state.hub.listing == {}


def test_listing_a_listed_spoke_is_refused(genesis: State) -> None:
    """LIST-2: a listed spoke is not listed twice."""
    refused(genesis, ListSpoke(spoke="arb"), Error.ALREADY_LISTED)


def test_a_delisted_spoke_is_granted_nothing_more(genesis: State) -> None:
    """LIST-3, HUB-GRANT-5, INV-LIST-1: the drain starts; grants to it are refused, after the
    liquidating check and before the pause check."""
    state = run(credited(funded(genesis, usd=1_000), "alice", "arb", 300), DelistSpoke(spoke="arb"))
    assert listing_of(state, "arb") == "delisted"
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.SPOKE_NOT_LISTED)
    refused(state, DelistSpoke(spoke="arb"), Error.SPOKE_NOT_LISTED)
    run(state, GrantCredit(account="alice", spoke="base", amount=1))


def test_a_grant_in_flight_when_delisted_still_arrives(genesis: State) -> None:
    """LIST-3, INV-LIST-1: a grant sent before the delisting lands on the line; the hub's
    allocation does not grow (it was counted when sent)."""
    state = run(funded(genesis, usd=1_000), GrantCredit(account="alice", spoke="arb", amount=50))
    state = run(state, DelistSpoke(spoke="arb"))
    after, outcome = step(state, Deliver(message_id=1))
    assert outcome.accepted and after.spokes[("arb", "alice")].line == 50
    assert after.hub.alloc == state.hub.alloc
    assert drained_not_fed(state, Deliver(message_id=1), after, outcome) is None


def test_relisting_calls_off_the_drain(genesis: State) -> None:
    """LIST-2: ListSpoke on a delisted spoke lists it again."""
    state = run(funded(genesis, usd=1_000), DelistSpoke(spoke="arb"), ListSpoke(spoke="arb"))
    run(state, GrantCredit(account="alice", spoke="arb", amount=1))


def test_a_spoke_is_removed_only_once_drained(genesis: State) -> None:
    """LIST-4, INV-LIST-2: removal waits for the credit to come back, then is for good."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 300)
    refused(state, RemoveSpoke(spoke="arb"), Error.NOT_DELISTED)
    state = run(state, DelistSpoke(spoke="arb"))
    refused(state, RemoveSpoke(spoke="arb"), Error.SPOKE_NOT_DRAINED)
    release_id = state.network.next_id
    state = run(state, ReleaseCredit(spoke="arb", account="alice", amount=300))
    refused(state, RemoveSpoke(spoke="arb"), Error.SPOKE_NOT_DRAINED)  # still in flight
    state = run(state, Deliver(message_id=release_id), RemoveSpoke(spoke="arb"))
    assert state.hub.listing == {"arb": "removed"} and removed_holds_nothing(state) is None
    refused(state, ListSpoke(spoke="arb"), Error.SPOKE_REMOVED)
    refused(state, RemoveSpoke(spoke="arb"), Error.NOT_DELISTED)
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.SPOKE_NOT_LISTED)


def test_the_python_invariants_name_a_removed_spoke_that_holds_credit(genesis: State) -> None:
    """INV-LIST-1, INV-LIST-2: the predicates fail on a state or a step that breaks them."""
    held = credited(funded(genesis, usd=1_000), "alice", "arb", 300)
    removed = replace(held, hub=replace(held.hub, listing={"arb": "removed"}))
    assert removed_holds_nothing(removed) == "arb is removed but still holds 300 of allocation"
    delisted = replace(held, hub=replace(held.hub, listing={"arb": "delisted"}))
    alloc = {**delisted.hub.alloc, ("alice", "arb"): 301}
    grown = replace(delisted, hub=replace(delisted.hub, alloc=alloc))
    grant = GrantCredit(account="alice", spoke="arb", amount=1)
    message = drained_not_fed(delisted, grant, grown, Outcome(status="accepted"))
    assert message == "GrantCredit grew alice's allocation to delisted arb"


def test_the_bmc_fixes_every_spoke_listed() -> None:
    """BMC-PRE-1: the propagation check's pre-state holds every listing as the constant
    LISTED (no free variable, no premise)."""
    _, post, _, _ = setup(2)
    assert all(z3.is_int_value(v) and v.as_long() == LISTED for v in post.listing.values())
