"""Deliberately broken models that the state machine must catch (mutation sanity).

Each mutant swaps one entry of the model's dispatch tables (`model.step.TRANSITIONS`,
`model.delivery.AT_HUB` / `AT_SPOKE`) for a variant with one classic bug of
hub-and-spoke systems, and names the invariant that must catch it.  `applied`
installs a mutant for the length of a `with` block and restores the tables
after, whatever happens; nothing in `model/` is edited.
"""

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

import model.delivery as delivery
from model.hub import spoke_allocation, with_allocation
from model.ledger import pay_loss, seizure_prices
from model.network import send
from model.oracle import prices_of
from model.outcome import Step, accept, reject
from model.risk import assets_needed, capacity, latency_buffer
from model.spoke import receive_margin_call
from model.state import SpokeId, State, add_ghost, with_spoke_account
from model.step import TRANSITIONS
from spec.actions import Deliver, GrantCredit, ReleaseCredit
from spec.errors import Error
from spec.messages import CreditGrant, CreditRelease, Envelope, LossClaim, MarginCall

Table = MutableMapping[str, Callable[..., Step]]


@dataclass(frozen=True)
class Mutant:
    """One broken variant: which table entries it replaces, and who must catch it."""

    name: str
    bug: str
    expected: str
    patches: tuple[tuple[Table, str, Callable[..., Step]], ...]


@contextmanager
def applied(mutant: Mutant) -> Iterator[Mutant]:
    """Install the mutant's table entries; restore the originals on exit."""
    saved = [(table, key, table[key]) for table, key, _ in mutant.patches]
    try:
        for table, key, fn in mutant.patches:
            table[key] = fn
        yield mutant
    finally:
        for table, key, fn in saved:
            table[key] = fn


# --- the bugs --------------------------------------------------------------------------


def grant_ignoring_allocation(state: State, action: GrantCredit) -> Step:
    """HUB-GRANT-2 broken: free capacity forgets what is already allocated (in flight too)."""
    status = state.hub.status[action.account]
    if status.liquidating:
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    if action.spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    prices = prices_of(state, assets_needed(state, action.account))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    free = capacity(state, action.account, prices) - latency_buffer(state, action.account, prices)
    if action.amount > free:
        return reject(state, Error.INSUFFICIENT_CAPACITY)
    if spoke_allocation(state, action.spoke) + action.amount > state.hub.caps[action.spoke]:
        return reject(state, Error.PARTITION_CAP)
    return _grant(state, action, status.epoch)


def grant_against_all_caps(state: State, action: GrantCredit) -> Step:
    """CAP-1 broken: the partition cap is checked against the caps of all spokes together
    instead of the spoke's own (a cap checked against the asset's total)."""
    status = state.hub.status[action.account]
    if status.liquidating:
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    if action.spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    prices = prices_of(state, assets_needed(state, action.account))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    free = (
        capacity(state, action.account, prices)
        - sum(state.hub.alloc[(action.account, s.id)] for s in state.params.spokes)
        - latency_buffer(state, action.account, prices)
    )
    if action.amount > free:
        return reject(state, Error.INSUFFICIENT_CAPACITY)
    if spoke_allocation(state, action.spoke) + action.amount > sum(state.hub.caps.values()):
        return reject(state, Error.PARTITION_CAP)
    return _grant(state, action, status.epoch)


def _grant(state: State, action: GrantCredit, epoch: int) -> Step:
    state = with_allocation(state, action.account, action.spoke, action.amount)
    state = add_ghost(state, "granted", action.spoke, action.amount)
    grant = CreditGrant(account=action.account, amount=action.amount, epoch=epoch)
    return accept(send(state, "hub", action.spoke, grant))


def release_keeping_line(state: State, action: ReleaseCredit) -> Step:
    """SPK-REL-1 broken: the release is sent but the spoke keeps the line, so the hub is
    credited back before (without) the spoke's debit."""
    acct = state.spokes[(action.spoke, action.account)]
    if action.amount > acct.line:
        return reject(state, Error.INSUFFICIENT_CREDIT)
    release = CreditRelease(account=action.account, amount=action.amount)
    return accept(send(state, action.spoke, "hub", release))


def claim_beyond_allocation(state: State, spoke: SpokeId, msg: LossClaim) -> Step:
    """HUB-CLAIM-2 broken: the whole claim is paid though only the allocation it draws on
    is consumed (a loss claim not bounded by the allocation)."""
    if spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    prices = seizure_prices(state, msg.account)
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    consumed = min(msg.amount, state.hub.alloc[(msg.account, spoke)])
    state = with_allocation(state, msg.account, spoke, -consumed)
    state = add_ghost(state, "claimed", spoke, consumed)
    return accept(pay_loss(state, msg.account, spoke, msg.amount, prices))


def replaying_deliver() -> Callable[[State, Deliver], Step]:
    """MSG-11 broken: the receiver does not check its delivered ids, so a delivered
    message delivered again takes effect again.  The mutant keeps the envelopes it
    delivered (the state no longer holds them) so it can re-apply them."""
    seen: dict[int, Envelope] = {}
    original = delivery.deliver

    def deliver(state: State, action: Deliver) -> Step:
        again = seen.get(action.message_id)
        if action.message_id in state.network.delivered and again is not None:
            after, outcome = delivery.receive(state, again.sender, again.receiver, again.payload)
            return (state, outcome) if outcome.status == "rejected" else (after, outcome)
        envelope = state.network.in_flight.get(action.message_id)
        if envelope is not None:
            seen[action.message_id] = envelope
        return original(state, action)

    return deliver


def margin_call_without_freeze(state: State, spoke: SpokeId, msg: MarginCall) -> Step:
    """SPK-CALL-1 broken: the spoke closes and answers but keeps trading (never frozen)."""
    after, outcome = receive_margin_call(state, spoke, msg)
    if not outcome.accepted:
        return after, outcome
    acct = replace(after.spokes[(spoke, msg.account)], frozen=False)
    return with_spoke_account(after, spoke, msg.account, acct), outcome


def mutants() -> tuple[Mutant, ...]:
    """Every mutant, freshly built (the replay mutant keeps its own memory)."""
    transitions: Table = TRANSITIONS
    at_hub: Table = delivery.AT_HUB
    at_spoke: Table = delivery.AT_SPOKE
    return (
        Mutant(
            "grant-ignores-allocation",
            "a grant does not count credit already allocated or in flight",
            "INV-CREDIT-2",
            ((transitions, "GrantCredit", grant_ignoring_allocation),),
        ),
        Mutant(
            "release-keeps-line",
            "a release credits the hub while the spoke keeps the line",
            "INV-CREDIT-1",
            ((transitions, "ReleaseCredit", release_keeping_line),),
        ),
        Mutant(
            "margin-call-ignored",
            "a spoke obeys a margin call but keeps trading (never frozen)",
            "INV-LIQ-1",
            ((at_spoke, "MarginCall", margin_call_without_freeze),),
        ),
        Mutant(
            "cap-against-all-caps",
            "the partition cap is checked against the sum of all caps",
            "INV-PART-1",
            ((transitions, "GrantCredit", grant_against_all_caps),),
        ),
        Mutant(
            "replay-accepted",
            "a delivered message delivered again takes effect again",
            "INV-AMO-1",
            ((transitions, "Deliver", replaying_deliver()),),
        ),
        Mutant(
            "claim-beyond-allocation",
            "a loss claim is paid in full beyond the allocation it consumes",
            "INV-PART-2",
            ((at_hub, "LossClaim", claim_beyond_allocation),),
        ),
    )


def by_name(name: str) -> Mutant:
    for mutant in mutants():
        if mutant.name == name:
            return mutant
    raise KeyError(name)
