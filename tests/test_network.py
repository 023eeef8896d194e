"""Unit tests of the messaging layer: delivery in any order, at most once, and the
adversary's injected messages."""

from model import State
from model.invariants import check_state
from spec.actions import Deliver, GrantCredit, Inject, PauseSpoke, SendReport
from spec.errors import Error
from spec.messages import CreditGrant, CreditRelease, LossClaim, MarginCall
from tests.helpers import checked, deliver_all, funded, ignored, only, refused, run


def two_grants(genesis: State) -> State:
    """alice's grants of 100 to arb and 200 to base, both in flight (ids 1 and 2)."""
    return run(
        funded(genesis, usd=1_000),
        GrantCredit(account="alice", spoke="arb", amount=100),
        GrantCredit(account="alice", spoke="base", amount=200),
    )


# --- Deliver -------------------------------------------------------------------------


def test_delivering_a_message_consumes_it(genesis: State) -> None:
    """MSG-10: a delivered message leaves the bag and its id is recorded."""
    state = two_grants(genesis)
    state = run(state, Deliver(message_id=1))
    assert 1 not in state.network.in_flight
    assert 1 in state.network.delivered


def test_delivering_an_unknown_message_is_refused(genesis: State) -> None:
    """MSG-10: only a message in flight can be delivered."""
    refused(two_grants(genesis), Deliver(message_id=99), Error.UNKNOWN_MESSAGE)


def test_a_replayed_message_changes_nothing(genesis: State) -> None:
    """MSG-10, INV-AMO-1: delivering a delivered id again is rejected and changes no state."""
    state = run(two_grants(genesis), Deliver(message_id=1))
    refused(state, Deliver(message_id=1), Error.ALREADY_DELIVERED)


def test_delivery_order_does_not_change_the_result(genesis: State) -> None:
    """MSG-14: messages may be delivered in any order; independent ones commute."""
    state = two_grants(genesis)
    in_order = run(state, Deliver(message_id=1), Deliver(message_id=2))
    reversed_order = run(state, Deliver(message_id=2), Deliver(message_id=1))
    assert in_order == reversed_order
    assert in_order.spokes[("base", "alice")].line == 200


def test_an_ignored_delivery_is_consumed(genesis: State) -> None:
    """OUT-2, MSG-12: an ignored message is used up, so it cannot be delivered again."""
    state = run(
        genesis, SendReport(spoke="arb", account="alice"), SendReport(spoke="arb", account="alice")
    )
    state = run(state, Deliver(message_id=2))
    state = ignored(state, Deliver(message_id=1), Error.STALE_REPORT)
    refused(state, Deliver(message_id=1), Error.ALREADY_DELIVERED)


def test_draining_the_network_leaves_nothing_in_flight(genesis: State) -> None:
    """MSG-10: every message delivered once; ids are never reused."""
    state = deliver_all(two_grants(genesis))
    assert not state.network.in_flight
    assert state.network.delivered == frozenset({1, 2})
    assert state.network.next_id == 3


# --- Inject --------------------------------------------------------------------------


def test_a_hub_message_from_a_spoke_is_forged(genesis: State) -> None:
    """MSG-6, ADV-1: a spoke cannot send a credit grant."""
    grant = CreditGrant(account="alice", amount=1_000, epoch=0)
    refused(genesis, Inject(sender="arb", receiver="base", payload=grant), Error.FORGED_SENDER)


def test_a_hub_message_under_the_hubs_name_is_forged(genesis: State) -> None:
    """ADV-1, INV-CREDIT-1: the adversary holds at most a spoke's key, never the hub's; a grant
    it puts on the wire as the hub would mint credit on an honest spoke."""
    grant = CreditGrant(account="alice", amount=1_000, epoch=0)
    refused(genesis, Inject(sender="hub", receiver="arb", payload=grant), Error.FORGED_SENDER)
    call = MarginCall(account="alice", epoch=1)
    refused(genesis, Inject(sender="hub", receiver="arb", payload=call), Error.FORGED_SENDER)


def test_a_spoke_message_to_another_spoke_is_forged(genesis: State) -> None:
    """ADV-1, MSG-6: spoke messages travel only to the hub."""
    release = CreditRelease(account="alice", amount=1)
    refused(genesis, Inject(sender="arb", receiver="base", payload=release), Error.FORGED_SENDER)


def test_a_message_from_an_unknown_sender_is_forged(genesis: State) -> None:
    """ADV-1, MSG-6: only declared spokes have channels to the hub."""
    release = CreditRelease(account="alice", amount=1)
    refused(genesis, Inject(sender="mallory", receiver="hub", payload=release), Error.FORGED_SENDER)


def test_an_authentic_injected_message_marks_its_spoke_compromised(genesis: State) -> None:
    """ADV-2: a spoke sending outside its own rules is compromised; the hub still treats
    the message like any other from it (here a claim within the allocation, paid)."""
    state = run(funded(genesis, usd=1_000), GrantCredit(account="alice", spoke="arb", amount=300))
    state = run(state, Deliver(message_id=only(state, "CreditGrant").id))
    inject = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=300))
    after, outcome = checked(state, inject)
    assert outcome.accepted and outcome.emitted == ()
    assert after.ghost.compromised == frozenset({"arb"})
    assert after.hub.owed[("arb", "USD")] == 300
    assert after.spokes[("arb", "alice")].line == 300  # its own book no longer matches
    assert check_state(after) == []


def test_an_ignored_injected_message_still_marks_its_spoke_compromised(genesis: State) -> None:
    """ADV-2: the attempt itself is outside the spoke's rules, even if the hub ignores it."""
    inject = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1))
    after = ignored(genesis, inject, Error.EXCEEDS_ALLOCATION)
    assert after.ghost.compromised == frozenset({"arb"})


def test_an_injected_message_about_an_unknown_account_is_ignored(genesis: State) -> None:
    """MSG-13, ERR-2: the hub ignores a message naming an account it does not know."""
    inject = Inject(sender="arb", receiver="hub", payload=LossClaim(account="zed", amount=1))
    after = ignored(genesis, inject, Error.UNKNOWN_ACCOUNT)
    assert after.hub == genesis.hub


def test_a_rejected_injected_message_changes_nothing(genesis: State) -> None:
    """ADV-2, INV-ATOMIC-1: an authentic claim from a paused spoke is refused; no state changes, not
    even the compromised mark."""
    state = run(genesis, PauseSpoke(spoke="arb"))
    inject = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1))
    refused(state, inject, Error.SPOKE_PAUSED)
