"""Channels and rate limits, symbolically: mirrors model/channels.py (CHAN-1..CHAN-5,
RATE-1..RATE-6).

Whether a message is its channel's head is an *input* of a `Deliver` (`head`), like the
risk engine's verdicts: the encoding keeps only an id-level view of the bag, so the
proofs quantify over it and `proofs.concrete_actions` computes it from the model's bag.
A rate limit's capacity and refill are constants of the universe (from the parameters),
so the refill `level + refill x seconds` stays linear.
"""

from collections.abc import Mapping

import z3

from model.channels import refilled
from proofs.state import Expr, SymState
from proofs.transitions.network import consume, send


def behind_the_head(state: SymState, inp: Mapping[str, Expr]) -> Expr:
    """CHAN-2: on ordered channels, the message is not its channel's head (input `head`);
    never on unordered ones."""
    return z3.Not(inp["head"]) if state.u.ordered else z3.BoolVal(False)


def requeue(
    state: SymState,
    message_id: Expr,
    sender: str,
    receiver: str,
    kind: str,
    account: str,
    f: Mapping[str, Expr],
) -> SymState:
    """CHAN-3: the refused head is consumed and sent again under the next id."""
    consumed = consume(state, message_id, sender, receiver, kind, account, f)
    return send(consumed, sender, receiver, kind, account, **f)


def rate_limited(state: SymState, spoke: str, loss: Expr) -> Expr:
    """RATE-3: the loss exceeds what the spoke's bucket holds (never without a limit)."""
    if spoke not in state.u.rate:
        return z3.BoolVal(False)
    return loss > state.bucket[spoke]


def charge(state: SymState, spoke: str, loss: Expr) -> SymState:
    """RATE-3: an accepted loss leaves the spoke's bucket."""
    if spoke not in state.u.rate:
        return state
    return state.add("bucket", spoke, -loss)


def refill(state: SymState, seconds: Expr) -> SymState:
    """RATE-4: each bucket gains refill x seconds, up to its capacity."""
    for spoke, (capacity, per_s) in state.u.rate.items():
        state = state.set("bucket", spoke, refilled(state.bucket[spoke], per_s, seconds, capacity))
    return state
