"""Delivering messages: any message in flight, in any order, at most once (MSG-9..MSG-12),
and the adversary's injected messages (ADV-1..ADV-2)."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from model.catalog import catalog
from model.channels import is_head, is_ordered, requeue
from model.finality import close_segment, is_halted, not_final, unfinalized
from model.hub import receive_exposure_report, receive_loss_claim, receive_release
from model.liquidation import receive_liquidation_report
from model.network import consume
from model.outcome import Step, ignore, reject
from model.spoke import receive_grant, receive_margin_call
from model.state import State
from spec.actions import Deliver, Inject
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import HUB_KINDS, SPOKE_KINDS, Message

Handler = Callable[[State, str, Any], Step]

AT_SPOKE: dict[str, Handler] = {
    "CreditGrant": receive_grant,
    "MarginCall": receive_margin_call,
}
AT_HUB: dict[str, Handler] = {
    "CreditRelease": receive_release,
    "LossClaim": receive_loss_claim,
    "ExposureReport": receive_exposure_report,
    "LiquidationReport": receive_liquidation_report,
}


def is_authentic(state: State, sender: str, receiver: str, payload: Message) -> bool:
    """MSG-6: hub messages come from the hub to a spoke; spoke messages from a spoke to the
    hub.  The channel authenticates the sender; anything else is forged."""
    spokes = catalog(state.params).spokes
    if payload.type in HUB_KINDS:
        return sender == HUB and receiver in spokes
    return payload.type in SPOKE_KINDS and sender in spokes and receiver == HUB


def receive(state: State, sender: str, receiver: str, payload: Message) -> Step:
    """The receiver processes an authentic message: at a spoke, from the hub; at the hub,
    from the spoke `sender`.  A message about an unknown account is ignored."""
    if payload.account not in catalog(state.params).accounts:
        return ignore(state, Error.UNKNOWN_ACCOUNT)
    if payload.type in HUB_KINDS:
        return receive_at_spoke(state, receiver, payload)
    return receive_at_hub(state, sender, payload)


def receive_at_spoke(state: State, spoke: str, payload: Message) -> Step:
    """FIN-4, FIN-6: a halted spoke executes nothing, and a spoke with unfinalized changes
    executes no hub message (it waits in flight); a receipt it does not reject closes its
    final segment, so the receipt and its answer are final at once."""
    if is_halted(state, spoke):
        return reject(state, Error.SPOKE_HALTED)
    if unfinalized(state, spoke):
        return reject(state, Error.NOT_FINAL)
    after, outcome = AT_SPOKE[payload.type](state, spoke, payload)
    if outcome.status == "rejected":
        return after, outcome
    return close_segment(after, spoke), outcome


def receive_at_hub(state: State, sender: str, payload: Message) -> Step:
    """LIVE-5: the hub takes a spoke's message by its own rule, unless a force-settle severed
    the spoke from the account: then whatever it says is consumed and counts for nothing
    (its allocation was already charged in full, INV-LIVE-2)."""
    if (payload.account, sender) in state.hub.severed:
        return ignore(state, Error.SPOKE_SEVERED)
    return AT_HUB[payload.type](state, sender, payload)


def deliver(state: State, action: Deliver) -> Step:
    """MSG-10..MSG-12, CHAN-2..CHAN-3, FIN-3: deliver a message in flight.

    Delivering an id already delivered is a replay and is rejected (INV-AMO-1).
    A spoke's message the hub cannot count yet (not final) waits (NOT_FINAL).
    On an ordered channel only the channel's head can be delivered (OUT_OF_ORDER).
    If the receiver rejects the message (say, no price to act on), it stays in
    flight to be delivered later, or, the head of an ordered channel, it is requeued at
    the back of its channel (the delivery is ignored with the receiver's error); if the
    receiver ignores it, it is consumed.
    """
    if action.message_id in state.network.delivered:
        return reject(state, Error.ALREADY_DELIVERED)
    envelope = state.network.in_flight.get(action.message_id)
    if envelope is None:
        return reject(state, Error.UNKNOWN_MESSAGE)
    if not_final(state, envelope):
        return reject(state, Error.NOT_FINAL)  # FIN-3
    if is_ordered(state) and not is_head(state, envelope):
        return reject(state, Error.OUT_OF_ORDER)
    after, outcome = receive(
        consume(state, envelope.id), envelope.sender, envelope.receiver, envelope.payload
    )
    if outcome.status != "rejected":
        return after, outcome
    if is_ordered(state):
        return requeue(state, envelope), outcome.model_copy(update={"status": "ignored"})
    return state, outcome


def inject(state: State, action: Inject) -> Step:
    """ADV-1..ADV-2: the adversary's message, delivered at once.

    A forged one (wrong sender for the channel) is rejected and changes nothing.
    The adversary holds at most a spoke's key, never the hub's, so a hub message
    it puts on the wire is forged too.  An authentic one comes from a compromised
    spoke on its own channel: the hub treats it like any message from that spoke,
    which is exactly what bounds the harm to that spoke's partition (INV-PART-2).
    """
    if action.sender == HUB or not is_authentic(
        state, action.sender, action.receiver, action.payload
    ):
        return reject(state, Error.FORGED_SENDER)
    after, outcome = receive(state, action.sender, action.receiver, action.payload)
    if outcome.status == "rejected":
        return state, outcome
    ghost = replace(after.ghost, compromised=after.ghost.compromised | {action.sender})
    return replace(after, ghost=ghost), outcome
