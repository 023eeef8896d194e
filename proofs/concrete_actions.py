"""Concrete actions as kinds of the encoding: `encode_step(state, action)` gives the
action's kind, its ids and parameters as Z3 values, and the inputs the model's risk
engine and oracle compute on `state` (the values the proofs quantify over).
"""

from dataclasses import dataclass, replace
from typing import Any

import z3

from model.hub import link, report_positions, with_allocation
from model.liquidation import health_prices
from model.oracle import prices_of
from model.risk import (
    account_initial_margin,
    assets_needed,
    capacity,
    is_healthy,
    latency_buffer,
    loan_value,
    maintenance_requirement,
    margin,
    reported_books,
    underlyings,
    unrealized_pnl,
)
from model.spoke import fill, is_risk_reducing, local_equity, with_position
from model.state import Position, State
from model.step import unknown_id
from proofs.state import Expr
from proofs.transitions import KIND_BY_NAME, SHORT, Kind
from spec.actions import Action
from spec.bounds import HUB, MAX_QTY
from spec.messages import Message

Value = int | bool | frozenset[int]


@dataclass(frozen=True)
class EncodedStep:
    kind: Kind
    act: dict[str, Any]
    inputs: dict[str, Expr]


def message_step(
    kind_prefix: str, msg: Message, ids: dict[str, str], extra: dict[str, Any], state: State
) -> EncodedStep:
    kind = KIND_BY_NAME[kind_prefix + SHORT[msg.type]]
    act: dict[str, Any] = ids | {"kind": msg.type, "account": msg.account} | extra
    for name, _ in kind.params:
        if name != "id":
            act[name] = z3.IntVal(getattr(msg, name))
    inputs: dict[str, Expr] = {}
    receiver = ids.get("spoke") if kind_prefix == "Deliver" else ids.get("receiver")
    if (
        msg.type == "MarginCall"
        and receiver is not None
        and (receiver, msg.account) in state.spokes
    ):
        acct = state.spokes[(receiver, msg.account)]
        prices = prices_of(state, underlyings(state.params, acct.positions))
        inputs["live"] = z3.BoolVal(prices is not None)
        pnl = (
            0
            if prices is None
            else unrealized_pnl(state.params, acct.positions, prices, state.oracle.now)
        )
        inputs["upnl"] = z3.IntVal(pnl)
    if msg.type == "ExposureReport":
        inputs["well_formed"] = z3.BoolVal(report_positions(state, msg.positions) is not None)
    return EncodedStep(kind, act, inputs)


def encode_step(state: State, typed: Action) -> EncodedStep | None:
    """The action as a kind of the encoding with the model's inputs; None if the encoding's
    universe cannot express it (an unknown id, or a delivered payload about one)."""
    if unknown_id(state, typed) is not None:
        return None
    action: Any = typed  # read by field name, as the model's dispatch does
    I, B = z3.IntVal, z3.BoolVal  # noqa: E741
    t = action.type
    if t == "Deliver":
        env = state.network.in_flight.get(action.message_id)
        if env is None:  # replayed or unknown: the id guards reject before the payload matters
            kind = KIND_BY_NAME["DeliverGrant"]
            a, s = state.params.accounts[0], state.params.spokes[0].id
            act = {"kind": "CreditGrant", "account": a, "spoke": s, "id": I(action.message_id)}
            act |= {"amount": I(1), "epoch": I(0)}
            return EncodedStep(kind, act, {})
        spoke = env.receiver if env.sender == HUB else env.sender
        return message_step(
            "Deliver", env.payload, {"spoke": spoke}, {"id": I(action.message_id)}, state
        )
    if t == "Inject":
        if action.payload.account not in state.params.accounts:
            return None
        names = set(state.params.accounts) | {s.id for s in state.params.spokes} | {HUB}
        if action.sender not in names or action.receiver not in names:
            return None
        ids = {"sender": action.sender, "receiver": action.receiver}
        return message_step("Inject", action.payload, ids, {}, state)
    kind = KIND_BY_NAME[t]
    act = {r: getattr(action, r) for r in kind.roles}
    act["kind"] = None
    for name, _ in kind.params:
        act[name] = I(getattr(action, name))
    inputs: dict[str, Expr] = {}
    if t in ("GrantCredit", "Withdraw", "Liquidate"):
        # a grant is judged on the account as it will be once granted (RISK-13)
        view = (
            link(
                with_allocation(state, action.account, action.spoke, action.amount),
                action.account,
                action.spoke,
            )
            if t == "GrantCredit"
            else state
        )
        prices = prices_of(state, assets_needed(view, action.account))
        inputs["live"] = B(prices is not None)
        p = prices or {}
        if prices is not None and t != "Liquidate":
            cv = loan_value(view, action.account, p)
            inputs["reported_loss"] = I(capacity(view, action.account, p) - cv)
            inputs["buffer"] = I(latency_buffer(view, action.account, p))
            books = reported_books(view, action.account).values()
            inputs["initial_margin"] = I(
                account_initial_margin(view.params, books, p, view.oracle.now)
            )
        elif t != "Liquidate":
            inputs["reported_loss"], inputs["buffer"] = I(0), I(0)
            inputs["initial_margin"] = I(0)
        if t == "Liquidate":
            ok = prices is not None
            # LIQ-1, RISK-NET-1: health also counts the clearing pools that have a price
            p = health_prices(state, action.account) or {}
            inputs["healthy"] = B(ok and is_healthy(state, action.account, p))
            inputs["requirement"] = I(
                maintenance_requirement(state, action.account, p) if ok else 0
            )
    elif t == "ReleaseCredit":
        acct = state.spokes[(action.spoke, action.account)]
        prices = prices_of(state, underlyings(state.params, acct.positions))
        inputs["live"] = B(prices is not None)
        ok = False
        if prices is not None:
            after = replace(acct, line=acct.line - action.amount)
            required = margin(
                state.params, acct.positions, prices, initial=True, now=state.oracle.now
            )
            ok = local_equity(state, after, prices) >= required
        inputs["margin_ok"] = B(ok)
    elif t == "Trade":
        inputs |= trade_inputs(state, action)
    return EncodedStep(kind, act, inputs)


def trade_inputs(state: State, action: Any) -> dict[str, Expr]:
    """What model.spoke.trade decides from positions: bound, direction, PnL, price, margin."""
    acct = state.spokes[(action.spoke, action.account)]
    old = acct.positions.get(action.market, Position(0, 0))
    out = {
        "bound_ok": z3.BoolVal(abs(old.qty + action.qty) <= MAX_QTY),
        "reducing": z3.BoolVal(is_risk_reducing(old.qty, action.qty)),
        "realized": z3.IntVal(0),
        "live": z3.BoolVal(False),
        "margin_ok": z3.BoolVal(False),
    }
    if action.qty == 0:
        return out
    position, realized = fill(old, action.qty, action.price)
    out["realized"] = z3.IntVal(realized)
    after = replace(
        acct,
        positions=with_position(acct.positions, action.market, position),
        balance=acct.balance + realized,
    )
    prices = prices_of(state, underlyings(state.params, after.positions))
    out["live"] = z3.BoolVal(prices is not None)
    if prices is not None:
        required = margin(state.params, after.positions, prices, initial=True, now=state.oracle.now)
        out["margin_ok"] = z3.BoolVal(local_equity(state, after, prices) >= required)
    return out
