"""The messaging layer as part of the state: a bag of messages in flight (MSG-9..MSG-12).

Delivery takes any message from the bag, in any order; a message's id is its
nonce, and the receiver's record of delivered ids makes each message take
effect at most once (INV-AMO-1).  Withholding is simply not delivering.
"""

from dataclasses import replace

from model.state import State, assoc, dissoc
from spec.messages import Envelope, Message


def send(state: State, sender: str, receiver: str, payload: Message) -> State:
    """MSG-9: put a message in flight under the next id."""
    net = state.network
    envelope = Envelope(id=net.next_id, sender=sender, receiver=receiver, payload=payload)
    return replace(
        state,
        network=replace(
            net, in_flight=assoc(net.in_flight, net.next_id, envelope), next_id=net.next_id + 1
        ),
    )


def consume(state: State, message_id: int) -> State:
    """MSG-10: take a message out of flight and record its id as delivered."""
    net = state.network
    return replace(
        state,
        network=replace(
            net,
            in_flight=dissoc(net.in_flight, message_id),
            delivered=net.delivered | {message_id},
        ),
    )
