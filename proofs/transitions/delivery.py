"""Delivering and injecting messages, symbolically: mirrors model/delivery.py
(MSG-6, MSG-9..MSG-12, ADV-1..ADV-2).

A symbolic `Deliver` names the message's kind, account and spoke (the proofs take
one sub-obligation per kind); its id and payload are parameters.  Which payloads
can be in flight is not part of the rule but of the state: `proofs.premises.in_bag`
states it as a premise over the ghost sums.
"""

from collections.abc import Callable, Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState, is_spoke, ite
from proofs.transitions.channels import behind_the_head, requeue
from proofs.transitions.context import Ctx
from proofs.transitions.finality import close_segment, is_halted, not_final, unfinalized
from proofs.transitions.hub import receive_exposure_report, receive_loss_claim, receive_release
from proofs.transitions.liquidation import receive_liquidation_report
from proofs.transitions.network import consume
from proofs.transitions.outcome import IGNORED, REJECTED, Result, Rules, unless_rejected
from proofs.transitions.spoke import receive_grant, receive_margin_call
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import HUB_KINDS, SPOKE_KINDS

Act = Mapping[str, Any]
Handler = Callable[[Ctx, SymState, str, Act], Result]

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
PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "CreditGrant": ("amount", "epoch"),
    "MarginCall": ("epoch",),
    "CreditRelease": ("amount",),
    "LossClaim": ("amount",),
    "ExposureReport": ("seq", "balance"),
    "LiquidationReport": ("epoch", "seq", "released", "loss", "balance"),
}
RECEIVER_INPUTS: dict[str, tuple[str, ...]] = {
    "MarginCall": ("live", "upnl"),
    "ExposureReport": ("well_formed",),
}


def is_authentic(state: SymState, sender: str, receiver: str, kind: str) -> bool:
    """MSG-6: hub messages from the hub to a spoke; spoke messages from a spoke to the hub."""
    if kind in HUB_KINDS:
        return sender == HUB and is_spoke(state.u, receiver)
    return kind in SPOKE_KINDS and is_spoke(state.u, sender) and receiver == HUB


def payload(act: Act, inp: Mapping[str, Expr]) -> dict[str, Any]:
    kind = act["kind"]
    msg: dict[str, Any] = {"account": act["account"]}
    msg |= {f: act[f] for f in PAYLOAD_FIELDS[kind]}
    msg |= {i: inp[i] for i in RECEIVER_INPUTS.get(kind, ())}
    return msg


def unknown_account(state: SymState, account: str) -> Expr:
    """MSG-13: the message is about an account the universe does not declare: false by
    construction, since an encoded step names only the universe's accounts (a concrete step
    about another has no kind, DIFF-1); the guard stands so that the model's stands beside it."""
    return z3.BoolVal(account not in state.u.accounts)


def receive(ctx: Ctx, state: SymState, sender: str, receiver: str, act: Act, inp: Any) -> Result:
    """The receiver processes an authentic message; one about an unknown account is ignored."""
    rules = Rules(state)
    rules.ignore_if(unknown_account(state, act["account"]), Error.UNKNOWN_ACCOUNT, rules.pre)
    kind = act["kind"]
    if kind in HUB_KINDS:
        return rules.finish(receive_at_spoke(ctx, state, receiver, act, inp))
    return rules.finish(receive_at_hub(ctx, state, sender, act, inp))


def receive_at_spoke(ctx: Ctx, state: SymState, spoke: str, act: Act, inp: Any) -> Result:
    """FIN-4, FIN-6: a halted spoke executes nothing, a spoke with unfinalized changes no hub
    message; a receipt it does not reject closes its (final) segment."""
    rules = Rules(state)
    rules.reject_if(is_halted(state, spoke), Error.SPOKE_HALTED)
    rules.reject_if(unfinalized(state, spoke), Error.NOT_FINAL)
    inner = AT_SPOKE[act["kind"]](ctx, rules.pre, spoke, payload(act, inp))
    kept = inner.status != REJECTED
    post = ite(kept, close_segment(inner.post, spoke), inner.post)
    return rules.finish(Result(post, inner.status, inner.error))


def receive_at_hub(ctx: Ctx, state: SymState, sender: str, act: Act, inp: Any) -> Result:
    """LIVE-5: a severed spoke's message about the account is consumed and counts for nothing;
    otherwise the hub applies the message's own rule."""
    rules = Rules(state)
    rules.ignore_if(state.severed[(act["account"], sender)], Error.SPOKE_SEVERED, rules.pre)
    return rules.finish(AT_HUB[act["kind"]](ctx, rules.pre, sender, payload(act, inp)))


def endpoints(act: Act) -> tuple[str, str]:
    """(sender, receiver) of a message between the hub and `act["spoke"]`."""
    if act["kind"] in HUB_KINDS:
        return HUB, act["spoke"]
    return act["spoke"], HUB


def already_delivered(state: SymState, message_id: Expr) -> Expr:
    """MSG-11: the id was delivered before (a replay)."""
    return state.delivered[()][message_id]


def in_flight(state: SymState, message_id: Expr) -> Expr:
    """MSG-10: the id names a message in flight."""
    return state.inflight[()][message_id]


def deliver(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """MSG-10..MSG-12, CHAN-2..CHAN-3: a replayed id is rejected (INV-AMO-1); on an ordered
    channel only the head (input `head`) is delivered; a message the receiver rejects stays
    in flight, or, on an ordered channel, is requeued (ignored with the receiver's error);
    one it ignores is consumed."""
    mid = act["id"]
    rules = Rules(pre)
    rules.reject_if(already_delivered(pre, mid), Error.ALREADY_DELIVERED)
    rules.reject_if(z3.Not(in_flight(pre, mid)), Error.UNKNOWN_MESSAGE)
    sender, receiver = endpoints(act)
    rules.reject_if(not_final(pre, sender, mid), Error.NOT_FINAL)  # FIN-3
    rules.reject_if(behind_the_head(pre, inp), Error.OUT_OF_ORDER)
    kind, account = act["kind"], act["account"]
    fields = {f: act[f] for f in PAYLOAD_FIELDS[kind]}
    consumed = consume(rules.pre, mid, sender, receiver, kind, account, fields)
    inner = receive(ctx, consumed, sender, receiver, act, inp)
    if not pre.u.ordered:
        return rules.finish(unless_rejected(rules.pre, inner))
    requeued = requeue(rules.pre, mid, sender, receiver, kind, account, fields)
    failed = inner.status == REJECTED
    status = z3.If(failed, z3.IntVal(IGNORED), inner.status)
    return rules.finish(Result(ite(failed, requeued, inner.post), status, inner.error))


def inject(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """ADV-1..ADV-2: forged -> rejected; authentic -> processed at once, sender compromised.

    The adversary holds at most a spoke's key, never the hub's: a hub message it puts
    on the wire is forged too (so `hub_compromised` is never set by a rule; the
    invariants keep it as the stated assumption).
    """
    sender, receiver = act["sender"], act["receiver"]
    rules = Rules(pre)
    if sender == HUB or not is_authentic(pre, sender, receiver, act["kind"]):
        rules.reject_if(z3.BoolVal(True), Error.FORGED_SENDER)
        return rules.accept(rules.pre)
    inner = receive(ctx, rules.pre, sender, receiver, act, inp)
    if sender == HUB:
        marked = inner.post.set("hub_compromised", (), z3.BoolVal(True))
    else:
        marked = inner.post.set("compromised", sender, z3.BoolVal(True))
    inner = Result(marked, inner.status, inner.error)
    return rules.finish(unless_rejected(rules.pre, inner))


__all__ = ["REJECTED", "deliver", "inject"]
