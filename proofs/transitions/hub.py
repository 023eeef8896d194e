"""The collateral hub, symbolically: mirrors model/hub.py guard for guard
(HUB-DEP-1, HUB-WD-1..3, HUB-GRANT-1..4, HUB-REL-1, HUB-CLAIM-1..3, HUB-REP-1)."""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState, ite, listed, spoke_allocation
from proofs.transitions.calls import call_met, under_margin_call, with_call
from proofs.transitions.channels import charge, rate_limited
from proofs.transitions.context import Ctx
from proofs.transitions.ledger import pay_loss, seizure_unpriced
from proofs.transitions.network import send
from proofs.transitions.outcome import Result, Rules
from proofs.transitions.risk import below_initial, free_capacity
from spec.bounds import MAX_AMOUNT
from spec.errors import Error

Act = Mapping[str, Any]


def frozen_for_credit(state: SymState, account: str) -> Expr:
    """HUB-WD-1, HUB-GRANT-1: the account is liquidating, so no credit leaves the hub."""
    return state.liquidating[account]


def partition_cap(state: SymState, spoke: str) -> Expr:
    """CAP-1: the most the hub may allocate to a spoke over all accounts."""
    return state.cap[spoke]


def exceeds_allocation(state: SymState, account: str, spoke: str, amount: Expr) -> Expr:
    """HUB-REL-1, HUB-CLAIM-2: more than the (account, spoke) allocation a message draws on."""
    return amount > state.alloc[(account, spoke)]


def deposit(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """HUB-DEP-1, FLOW-CALL-3: tokens in, credited to the account, up to the bound of any
    amount; an open top-up call closes if the account is healthy after (inputs `live`,
    `healthy`: the risk engine's verdict on the account after the deposit)."""
    a, x, amount = act["account"], act["asset"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(pre.tokens[x] + amount > MAX_AMOUNT, Error.INVALID_AMOUNT)
    post = rules.pre.add("collateral", (a, x), amount).add("tokens", x, amount)
    met = call_met(post, a, inp["live"], inp["healthy"])
    return rules.accept(ite(met, with_call(post, a, False), post))


def withdraw(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """HUB-WD-1..3, FLOW-CALL-4, RISK-IM-2, RISK-AGE-4: not liquidating; no top-up call open;
    enough balance; prices; no stale reported book; free capacity after still >= 0; capacity
    after still covers the initial requirement."""
    a, x, amount = act["account"], act["asset"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(frozen_for_credit(pre, a), Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(under_margin_call(pre, a), Error.MARGIN_CALLED)  # FLOW-CALL-4
    rules.reject_if(amount > pre.collateral[(a, x)], Error.INSUFFICIENT_BALANCE)
    after = rules.pre.add("collateral", (a, x), -amount).add("tokens", x, -amount)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["recent"]), Error.REPORT_TOO_OLD)
    rules.reject_if(free_capacity(ctx, after, a, inp) < 0, Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(below_initial(ctx, after, a, inp), Error.INSUFFICIENT_CAPACITY)
    return rules.accept(after)


def grant_credit(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """HUB-GRANT-1..5, FLOW-CALL-4, RISK-IM-2, RISK-AGE-4, LIVE-5: allocate free capacity to a
    spoke and send the grant (not under a top-up call); the hub counts the credit as allocated
    from the moment it sends (INV-CREDIT-1)."""
    a, s, amount = act["account"], act["spoke"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(frozen_for_credit(pre, a), Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(under_margin_call(pre, a), Error.MARGIN_CALLED)  # FLOW-CALL-4
    rules.reject_if(pre.severed[(a, s)], Error.SPOKE_SEVERED)  # LIVE-5
    rules.reject_if(z3.Not(listed(pre, s)), Error.SPOKE_NOT_LISTED)  # HUB-GRANT-5, INV-LIST-1
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["recent"]), Error.REPORT_TOO_OLD)
    rules.reject_if(amount > free_capacity(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(below_initial(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(spoke_allocation(pre, s) + amount > partition_cap(pre, s), Error.PARTITION_CAP)
    post = rules.pre.add("alloc", (a, s), amount).add("granted", s, amount)
    post = send(post, "hub", s, "CreditGrant", a, amount=amount, epoch=pre.epoch[a])
    return rules.accept(post)


def receive_release(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """HUB-REL-1: returned credit leaves the allocation; never more than was allocated."""
    a, amount = msg["account"], msg["amount"]
    rules = Rules(state)
    rules.ignore_if(
        exceeds_allocation(state, a, spoke, amount), Error.EXCEEDS_ALLOCATION, rules.pre
    )
    return rules.accept(rules.pre.add("alloc", (a, spoke), -amount).add("released", spoke, amount))


def receive_loss_claim(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """HUB-CLAIM-1..3, HUB-LOSS-5, RATE-3: a paused spoke's claim waits; above the allocation
    it is ignored; without the prices to seize, or above the spoke's bucket, it waits."""
    a, amount = msg["account"], msg["amount"]
    rules = Rules(state)
    rules.reject_if(state.paused[spoke], Error.SPOKE_PAUSED)
    rules.ignore_if(
        exceeds_allocation(state, a, spoke, amount), Error.EXCEEDS_ALLOCATION, rules.pre
    )
    rules.reject_if(seizure_unpriced(ctx, state, a), Error.PRICE_UNAVAILABLE)
    rules.reject_if(rate_limited(state, spoke, amount), Error.RATE_LIMITED)
    post = charge(rules.pre.add("alloc", (a, spoke), -amount), spoke, amount)
    post = post.add("claimed", spoke, amount)
    return rules.accept(pay_loss(ctx, post, a, spoke, amount))


def receive_exposure_report(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """HUB-REP-1, HUB-REP-4: stale (seq not above the last) or malformed reports are ignored."""
    a = msg["account"]
    rules = Rules(state)
    rules.ignore_if(msg["seq"] <= state.rep_seq[(a, spoke)], Error.STALE_REPORT, rules.pre)
    rules.ignore_if(z3.Not(msg["well_formed"]), Error.MALFORMED_REPORT, rules.pre)
    return rules.accept(rules.pre.set("rep_seq", (a, spoke), msg["seq"]))
