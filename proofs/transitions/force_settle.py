"""Force-settle, symbolically: mirrors model/force_settle.py (LIVE-1..LIVE-5)."""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState
from proofs.transitions.channels import charge, rate_limited
from proofs.transitions.context import Ctx
from proofs.transitions.ledger import pay_loss, seizure_unpriced
from proofs.transitions.liquidation import settle
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]


def before_deadline(state: SymState, account: str) -> Expr:
    """LIVE-2: the account's liquidation is still within its deadline."""
    return state.now[()] < state.deadline[account]


def silent_rate_limited(state: SymState, account: str) -> Expr:
    """LIVE-9, RATE-3: some silent spoke's charge, its whole allocation, exceeds what its
    rate-limit bucket holds (false by construction without rate limits)."""
    limited = [
        z3.And(state.pending[(account, s)], rate_limited(state, s, state.alloc[(account, s)]))
        for s in state.u.spokes
        if s in state.u.rate
    ]
    return z3.Or(limited) if limited else z3.BoolVal(False)


def sever(ctx: Ctx, state: SymState, account: str, spoke: str, silent: Expr) -> SymState:
    """LIVE-3, LIVE-5: if the spoke is `silent`, its whole allocation is charged as its loss
    and the pair is cut off for good (the hub's report keeps its seq: the book is not
    encoded).  Written as a charge of 0 for a spoke that answered, which changes nothing,
    rather than as a branch over the whole state: the terms stay small."""
    key = (account, spoke)
    charged = z3.If(silent, state.alloc[key], 0)
    state = charge(state.add("alloc", key, -charged).add("claimed", spoke, charged), spoke, charged)
    state = pay_loss(ctx, state, account, spoke, charged)
    return state.set("severed", key, z3.Or(state.severed[key], silent))


def force_settle(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """LIVE-2..LIVE-3: after the deadline, sever every spoke still pending and settle."""
    a = act["account"]
    rules = Rules(pre)
    rules.reject_if(z3.Not(pre.liquidating[a]), Error.NOT_LIQUIDATING)
    rules.reject_if(before_deadline(pre, a), Error.DEADLINE_NOT_REACHED)
    rules.reject_if(seizure_unpriced(ctx, pre, a), Error.PRICE_UNAVAILABLE)
    rules.reject_if(silent_rate_limited(pre, a), Error.RATE_LIMITED)  # LIVE-9
    post = rules.pre
    for s in pre.u.spokes:
        post = sever(ctx, post, a, s, pre.pending[(a, s)])
    for s in pre.u.spokes:
        post = post.set("pending", (a, s), z3.BoolVal(False))
    return rules.accept(settle(ctx, post, a))
