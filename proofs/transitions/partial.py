"""Partial liquidation on a spoke, symbolically: mirrors model/partial.py (FLOW-PART-1..6).

Positions are not encoded (as for trades): the book's unrealized PnL and maintenance margin
before, and after the close the model plans, the PnL the close realizes and the notional
it closes enter as inputs.  The encoding computes the penalty and checks, itself, that the
plan restores the account (`restores`), so what the obligations prove of the step does not
rest on the model's word that it does.
"""

from collections.abc import Mapping
from typing import Any

import z3

from model.arith import bps_up
from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx
from proofs.transitions.finality import changed_if_accepted, is_halted
from proofs.transitions.outcome import Result, Rules
from proofs.transitions.spoke import claim_losses, report_exposure
from spec.bounds import BPS, MAX_AMOUNT
from spec.errors import Error

Act = Mapping[str, Any]


def local_equity(state: SymState, key: tuple[str, str], upnl: Expr) -> Expr:
    """SPK-2: line, settled balance and unrealized PnL."""
    return state.line[key] + state.balance[key] + upnl


def locally_healthy(state: SymState, key: tuple[str, str], inp: Mapping[str, Expr]) -> Expr:
    """FLOW-PART-1: local equity covers the local maintenance margin."""
    return local_equity(state, key, inp["upnl"]) >= inp["mm"]


def partial_penalty(state: SymState, notional: Expr) -> Expr:
    """FLOW-PART-4: the penalty on the notional closed, rounded up (against the account)."""
    return bps_up(notional, state.u.partial_penalty_bps)  # the model's rounding (DIFF-MIRROR-2)


def equity_after(state: SymState, key: tuple[str, str], inp: Mapping[str, Expr]) -> Expr:
    """FLOW-PART-3: local equity once the plan is carried out and its penalty paid."""
    realized = inp["realized"] - partial_penalty(state, inp["notional"])
    return local_equity(state, key, inp["upnl_after"]) + realized


def restores(state: SymState, key: tuple[str, str], inp: Mapping[str, Expr]) -> Expr:
    """FLOW-PART-3: after the plan, local equity is at least maintenance plus `target_bps`."""
    target = BPS + state.u.partial_target_bps
    return equity_after(state, key, inp) * BPS >= inp["mm_after"] * target


def settle_close(state: SymState, key: tuple[str, str], inp: Mapping[str, Expr]) -> SymState:
    """FLOW-PART-4: the realized PnL less the penalty joins the settled balance."""
    return state.add("balance", key, inp["realized"] - partial_penalty(state, inp["notional"]))


def partial_liquidate(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """FLOW-PART-1..6: prices; locally unhealthy; a plan (input `planned`) that restores the
    account; the balance within bounds.  Then the realized PnL less the penalty joins the
    balance, the loss is claimed and a report sent, as after a trade."""
    s, a = act["spoke"], act["account"]
    key = (s, a)
    rules = Rules(pre)
    rules.reject_if(is_halted(pre, s), Error.SPOKE_HALTED)  # FIN-6
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(locally_healthy(pre, key, inp), Error.ACCOUNT_HEALTHY)
    rules.reject_if(z3.Not(z3.And(inp["planned"], restores(pre, key, inp))), Error.NOT_RESTORABLE)
    balance = pre.balance[key] + inp["realized"] - partial_penalty(pre, inp["notional"])
    rules.reject_if(z3.Or(balance > MAX_AMOUNT, balance < -MAX_AMOUNT), Error.INVALID_AMOUNT)
    post = claim_losses(settle_close(rules.pre, key, inp), s, a)
    return changed_if_accepted(pre, rules.accept(report_exposure(post, s, a)), s, a)  # FIN-1
