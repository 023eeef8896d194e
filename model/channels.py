"""Channels and rate limits as bridges ship them (CHAN-1..CHAN-5, RATE-1..RATE-6).

Ordering: with `channel_ordering = "ordered"` each (sender, receiver) pair is one
channel, nonce-ordered like LayerZero's default and IBC ORDERED channels: only the
oldest message in flight on a channel (its *head*) can be delivered.  A head its
receiver refuses is not left to block the channel: it is requeued at the back under a
new id (CHAN-3), so the messages behind it move up one place (INV-CHAN-1).

Rate limits: a rate-limited spoke's partition has a token bucket (CCIP's token pools):
every loss the hub accepts from it (a loss claim, a liquidation answer's loss: paid from
collateral, the insurance fund, or socialized) is charged to the bucket and a loss above
what the bucket holds is refused RATE_LIMITED; time refills it up to its capacity.
"""

from dataclasses import replace

from model.algebra import minimum
from model.catalog import catalog
from model.network import consume, send
from model.state import SpokeId, State, assoc
from spec.messages import Envelope
from spec.params import RateLimitParams


def is_ordered(state: State) -> bool:
    """CHAN-1: the parameters declare ordered channels."""
    return state.params.channel_ordering == "ordered"


def is_head(state: State, envelope: Envelope) -> bool:
    """CHAN-2: no older message of the same (sender, receiver) channel is in flight."""
    return not any(
        mid < envelope.id and env.sender == envelope.sender and env.receiver == envelope.receiver
        for mid, env in state.network.in_flight.items()
    )


def channel_heads(state: State) -> list[int]:
    """CHAN-2: the id of each channel's head (every id in flight on unordered channels)."""
    in_flight = state.network.in_flight
    if not is_ordered(state):
        return sorted(in_flight)
    return sorted(mid for mid, env in in_flight.items() if is_head(state, env))


def requeue(state: State, envelope: Envelope) -> State:
    """CHAN-3: the refused head leaves flight (its id counts as delivered, so a replay of it
    is ALREADY_DELIVERED) and the same payload goes to the back of its channel under the
    next id.  Nothing else changes: the credit it carries stays in flight."""
    return send(consume(state, envelope.id), envelope.sender, envelope.receiver, envelope.payload)


def rate_limit(state: State, spoke: SpokeId) -> RateLimitParams | None:
    """PAR-20: the spoke's declared bucket, if any."""
    return catalog(state.params).spokes[spoke].rate_limit


def rate_limited(state: State, spoke: SpokeId, loss: int) -> bool:
    """RATE-3: the loss exceeds what the spoke's bucket holds (never, for a spoke without
    a rate limit)."""
    return rate_limit(state, spoke) is not None and loss > state.hub.buckets[spoke]


def charge(state: State, spoke: SpokeId, loss: int) -> State:
    """RATE-3: an accepted loss leaves the spoke's bucket."""
    if rate_limit(state, spoke) is None:
        return state
    buckets = assoc(state.hub.buckets, spoke, state.hub.buckets[spoke] - loss)
    return replace(state, hub=replace(state.hub, buckets=buckets))


def refilled(level: int, per_s: int, seconds: int, capacity: int) -> int:
    """RATE-4: a bucket's level after `seconds` at `per_s`, up to its capacity."""
    return minimum(level + per_s * seconds, capacity)


def refill(state: State, seconds: int) -> State:
    """RATE-4: each bucket gains `refill_per_s` per second that passes, up to its capacity."""
    if not state.hub.buckets:
        return state
    buckets = dict(state.hub.buckets)
    for spoke in state.params.spokes:
        if spoke.rate_limit is not None:
            limit = spoke.rate_limit
            buckets[spoke.id] = refilled(
                buckets[spoke.id], limit.refill_per_s, seconds, limit.capacity
            )
    return replace(state, hub=replace(state.hub, buckets=buckets))
