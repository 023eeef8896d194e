"""The messaging layer, symbolically (MSG-9..MSG-12): `send` and `consume`.

Besides the id-level view (`inflight`, `delivered`, `next_id`), each message moves
the ghost sums of what is in flight by what it `carries`; `send` adds it, `consume`
takes it away, both evaluated on the state at that moment, exactly as
`proofs.abstraction.assignment` computes the sums from a concrete bag.
"""

from collections.abc import Mapping
from dataclasses import replace

import z3

from proofs.state import Expr, Sent, SymState


def carries(
    state: SymState, kind: str, spoke: str, account: str, f: Mapping[str, Expr]
) -> list[tuple[str, tuple[str, ...] | str, Expr]]:
    """What one message adds to the ghost sums: (field, key, amount)."""
    ap = (account, spoke)
    if kind == "CreditGrant":
        hot = z3.If(f["epoch"] >= state.epoch[account], 1, 0)
        return [("fl_grant", ap, f["amount"]), ("hot_grants", account, hot)]
    if kind == "MarginCall":
        live = z3.And(
            f["epoch"] == state.epoch[account],
            f["epoch"] > state.called_epoch[(spoke, account)],
        )
        return [("n_call", ap, z3.If(live, 1, 0))]
    if kind == "CreditRelease":
        return [("fl_release", ap, f["amount"])]
    if kind == "LossClaim":
        return [("fl_claim", ap, f["amount"])]
    if kind == "LiquidationReport":
        return [("fl_liq", ap, f["released"] + f["loss"]), ("n_liq", ap, z3.IntVal(1))]
    return []


SEGMENT_SUMS = {"CreditRelease": "seg_release", "LossClaim": "seg_claim"}
"""FIN-1: the ghost sum of a segment's messages of each kind that carries credit from a spoke
(its own actions send no liquidation answer: that is a hub message's receipt, FIN-4)."""


def send(
    state: SymState, sender: str, receiver: str, kind: str, account: str, **f: Expr
) -> SymState:
    """MSG-9: put a message in flight under the next id."""
    spoke = receiver if sender == "hub" else sender
    for name, key, amount in carries(state, kind, spoke, account, f):
        state = state.add(name, key, amount)
    nid = state.next_id_
    state = state.set("inflight", (), z3.Store(state.inflight[()], nid, True))
    state = state.set("next_id", (), nid + 1)
    message = Sent(z3.BoolVal(True), kind, sender, receiver, account, dict(f, id=nid))
    return replace(state, sent=(*state.sent, message))


def consume(
    state: SymState,
    message_id: Expr,
    sender: str,
    receiver: str,
    kind: str,
    account: str,
    f: Mapping[str, Expr],
) -> SymState:
    """MSG-10: take a message out of flight and record its id as delivered."""
    spoke = receiver if sender == "hub" else sender
    for name, key, amount in carries(state, kind, spoke, account, f):
        state = state.add(name, key, -amount)
    segment = SEGMENT_SUMS.get(kind)
    if segment is not None and spoke in state.u.finality:  # FIN-1: a final segment message
        ap = (account, spoke)
        state = state.add(segment, ap, -z3.If(state.seg_ids[spoke][message_id], f["amount"], 0))
    state = state.set("inflight", (), z3.Store(state.inflight[()], message_id, False))
    return state.set("delivered", (), z3.Store(state.delivered[()], message_id, True))
