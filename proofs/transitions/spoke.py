"""Execution spokes, symbolically: mirrors model/spoke.py guard for guard
(SPK-TRADE-1..5, SPK-REL-1..2, SPK-REP-1, SPK-CLAIM-1, SPK-GRANT-1..2, SPK-CALL-1..3).

Positions are not encoded: whether a trade reduces risk, the PnL it realizes, its
size bound, the live prices and the margin check enter as inputs.
"""

from collections.abc import Mapping
from typing import Any

import z3

from model.spoke import claimable_loss
from proofs.state import Expr, SymState, ite
from proofs.transitions.context import Ctx
from proofs.transitions.finality import changed_if_accepted, is_halted
from proofs.transitions.network import send
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]


def claim_losses(state: SymState, spoke: str, account: str) -> SymState:
    """SPK-CLAIM-1: a negative settled balance is claimed against the line at once: the
    spoke debits the line before it sends the claim."""
    key = (spoke, account)
    claim = claimable_loss(state.balance[key], state.line[key])
    claimed = state.add("line", key, -claim).add("balance", key, claim)
    claimed = send(claimed, spoke, "hub", "LossClaim", account, amount=claim)
    return ite(claim == 0, state, claimed)


def report_exposure(state: SymState, spoke: str, account: str) -> SymState:
    """SPK-REP-1: number and send the account's positions and settled balance."""
    key = (spoke, account)
    state = state.add("seq", key, 1)
    return send(
        state,
        spoke,
        "hub",
        "ExposureReport",
        account,
        seq=state.seq[key],
        balance=state.balance[key],
    )


def trade(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """SPK-TRADE-1..5: risk-reducing trades always; risk-increasing ones need no margin call
    obeyed since the last grant, live prices and initial margin within local equity."""
    s, a = act["spoke"], act["account"]
    key = (s, a)
    increasing = z3.Not(inp["reducing"])
    rules = Rules(pre)
    rules.reject_if(is_halted(pre, s), Error.SPOKE_HALTED)  # FIN-6
    rules.reject_if(act["qty"] == 0, Error.INVALID_AMOUNT)
    rules.reject_if(z3.Not(inp["bound_ok"]), Error.INVALID_AMOUNT)
    rules.reject_if(z3.And(increasing, pre.frozen[key]), Error.MARGIN_CALLED)
    rules.reject_if(z3.And(increasing, z3.Not(inp["live"])), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.And(increasing, z3.Not(inp["margin_ok"])), Error.INSUFFICIENT_MARGIN)
    post = rules.pre.add("balance", key, inp["realized"])
    post = claim_losses(post, s, a)
    return changed_if_accepted(pre, rules.accept(report_exposure(post, s, a)), s, a)


def debit_line(state: SymState, spoke: str, account: str, amount: Expr) -> SymState:
    """SPK-REL-2: the state with `amount` taken off the (spoke, account) line."""
    return state.add("line", (spoke, account), -amount)


def release_credit(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """SPK-REL-1..2: the line is debited before the release is sent."""
    s, a, amount = act["spoke"], act["account"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(is_halted(pre, s), Error.SPOKE_HALTED)  # FIN-6
    rules.reject_if(amount > pre.line[(s, a)], Error.INSUFFICIENT_CREDIT)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["margin_ok"]), Error.INSUFFICIENT_MARGIN)
    post = debit_line(rules.pre, s, a, amount)
    res = rules.accept(send(post, s, "hub", "CreditRelease", a, amount=amount))
    return changed_if_accepted(pre, res, s, a)


def send_report(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """SPK-REP-1: a spoke may re-send its current report at any time (unless halted, FIN-6)."""
    s, a = act["spoke"], act["account"]
    rules = Rules(pre)
    rules.reject_if(is_halted(pre, s), Error.SPOKE_HALTED)
    return changed_if_accepted(pre, rules.accept(report_exposure(rules.pre, s, a)), s, a)


def receive_grant(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """SPK-GRANT-1..3: the credit joins the line; a grant from an epoch at or after the last
    margin call obeyed lifts the freeze; a loss left unclaimed for want of credit is
    claimed against the new line at once and a report follows (SPK-CLAIM-1)."""
    key = (spoke, msg["account"])
    rules = Rules(state)
    frozen = z3.And(state.frozen[key], msg["epoch"] < state.called_epoch[key])
    post = rules.pre.add("line", key, msg["amount"]).set("frozen", key, frozen)
    claimed = report_exposure(claim_losses(post, spoke, msg["account"]), spoke, msg["account"])
    return rules.accept(ite(post.balance[key] >= 0, post, claimed))


def receive_margin_call(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """SPK-CALL-1..3: freeze, close at the marks, claim the loss against the line, release
    the rest, answer for the epoch; without prices the call waits in flight."""
    a = msg["account"]
    key = (spoke, a)
    rules = Rules(state)
    rules.ignore_if(msg["epoch"] <= state.called_epoch[key], Error.STALE_EPOCH, rules.pre)
    rules.reject_if(z3.Not(msg["live"]), Error.PRICE_UNAVAILABLE)
    line = state.line[key]
    balance = state.balance[key] + msg["upnl"]
    loss = claimable_loss(balance, line)
    released = line - loss
    post = (
        rules.pre.set("line", key, z3.IntVal(0))
        .set("balance", key, balance + loss)
        .add("seq", key, 1)
        .set("called_epoch", key, msg["epoch"])
        # ghost upkeep: a call of the current epoch is live only above called_epoch
        .set(
            "n_call", (a, spoke), z3.If(state.epoch[a] > msg["epoch"], state.n_call[(a, spoke)], 0)
        )
        .set("frozen", key, z3.BoolVal(True))
    )
    post = send(
        post,
        spoke,
        "hub",
        "LiquidationReport",
        a,
        epoch=msg["epoch"],
        seq=post.seq[key],
        released=released,
        loss=loss,
        balance=balance + loss,
    )
    return rules.accept(post)
