"""Liquidation across spokes, symbolically: mirrors model/liquidation.py (LIQ-1..LIQ-7)."""

from collections.abc import Mapping
from typing import Any

import z3

from model.liquidation import cut_to_allocation, penalty_of
from proofs.state import Expr, SymState, ite
from proofs.transitions.calls import call_to_open, in_top_up_window, with_call
from proofs.transitions.channels import charge, rate_limited
from proofs.transitions.context import Ctx
from proofs.transitions.ledger import charge_penalty, pay_loss, seizure_unpriced
from proofs.transitions.network import send
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]


def not_severed(state: SymState, account: str, spoke: str) -> Expr:
    """LIVE-6: the hub still waits on the spoke for the account (a constant where a premise
    fixes `severed`, as the BMC's does: LIVE-8)."""
    severed = state.severed[(account, spoke)]
    return z3.BoolVal(True) if z3.is_false(severed) else z3.Not(severed)


def liquidate(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """LIQ-1..LIQ-2, LIVE-1, LIVE-6, FLOW-CALL-1..2: an unhealthy account enters LIQUIDATING
    under a new epoch, with its deadline fixed now, and a margin call goes to every spoke
    (those severed from the account are called but not waited for); with a top-up window,
    the first call only opens it, and the liquidation waits for it to pass unless the
    account is below the call floor (input `deep`).  Starting the liquidation closes the
    call (INV-CALL-1).

    Every message in flight carries an epoch no later than the account's, so under
    the new epoch no grant is "hot" and no call is live yet: those ghost counts restart at 0.
    """
    a = act["account"]
    rules = Rules(pre)
    rules.reject_if(pre.liquidating[a], Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(inp["healthy"], Error.ACCOUNT_HEALTHY)
    rules.reject_if(in_top_up_window(rules.pre, a, inp["deep"]), Error.IN_TOP_UP_WINDOW)
    epoch = pre.epoch[a] + 1
    post = (
        with_call(rules.pre, a, False)
        .set("liquidating", a, z3.BoolVal(True))
        .set("epoch", a, epoch)
        .set("req_at_call", a, inp["requirement"])
        .set("deadline", a, pre.now[()] + pre.u.deadline_s)
        .set("hot_grants", a, z3.IntVal(0))
    )
    for s in pre.u.spokes:
        post = post.set("pending", (a, s), not_severed(pre, a, s))
        post = post.set("n_call", (a, s), z3.IntVal(0))
    for s in pre.u.spokes:
        post = send(post, "hub", s, "MarginCall", a, epoch=epoch)
    opening = call_to_open(rules.pre, a, inp["deep"])
    if z3.is_false(opening):
        return rules.accept(post)
    return rules.accept(ite(opening, with_call(rules.pre, a, True), post))


def receive_liquidation_report(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """LIQ-3..LIQ-5, HUB-LOSS-5: take a spoke's answer to the current call, cut to the
    allocation (loss first); it waits without the prices to seize or above the spoke's
    bucket (RATE-3); settle after the last."""
    a = msg["account"]
    released, loss = msg["released"], msg["loss"]
    rules = Rules(state)
    rules.ignore_if(z3.Not(state.liquidating[a]), Error.NOT_LIQUIDATING, rules.pre)
    stale = z3.Or(msg["epoch"] != state.epoch[a], z3.Not(state.pending[(a, spoke)]))
    rules.ignore_if(stale, Error.STALE_EPOCH, rules.pre)
    loss, released = cut_to_allocation(loss, released, state.alloc[(a, spoke)])
    rules.reject_if(z3.And(loss != 0, state.paused[spoke]), Error.SPOKE_PAUSED)
    rules.reject_if(seizure_unpriced(ctx, state, a), Error.PRICE_UNAVAILABLE)
    rules.reject_if(rate_limited(state, spoke, loss), Error.RATE_LIMITED)
    post = charge(rules.pre.add("alloc", (a, spoke), -(released + loss)), spoke, loss)
    post = post.add("released", spoke, released).add("claimed", spoke, loss)
    post = pay_loss(ctx, post, a, spoke, loss)
    newer = msg["seq"] > post.rep_seq[(a, spoke)]
    post = post.set("rep_seq", (a, spoke), z3.If(newer, msg["seq"], post.rep_seq[(a, spoke)]))
    post = post.set("pending", (a, spoke), z3.BoolVal(False))
    done = z3.And([z3.Not(post.pending[(a, s)]) for s in state.u.spokes])
    return rules.accept(ite(done, settle(ctx, post, a), post))


def settle(ctx: Ctx, state: SymState, account: str) -> SymState:
    """LIQ-6..LIQ-7: charge the penalty into the insurance fund; leave LIQUIDATING (the
    deadline goes back to 0, LIVE-1)."""
    penalty = penalty_of(state.req_at_call[account], state.u.penalty_bps)
    state = charge_penalty(ctx, state, account, penalty)
    state = state.set("liquidating", account, z3.BoolVal(False))
    state = state.set("deadline", account, z3.IntVal(0))
    return state.set("req_at_call", account, z3.IntVal(0))
