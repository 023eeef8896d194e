"""Concrete actions as kinds of the encoding: `encode_step(state, action)` gives the
action's kind, its ids and parameters as Z3 values, and the inputs the model's risk
engine and oracle compute on `state` (the values the proofs quantify over).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from model.calls import below_call_floor, health_prices
from model.channels import is_head
from model.hub import link, report_positions, with_allocation
from model.ledger import account_holdings, with_account_holdings
from model.oracle import prices_of
from model.risk import (
    account_initial_margin,
    assets_needed,
    capacity,
    is_healthy,
    latency_buffer,
    loan_value,
    maintenance_requirement,
    reported_books,
    stale_books,
)
from model.spoke import (
    after_fill,
    covers_local_margin,
    debit_line,
    is_risk_reducing,
    position_in,
)
from model.state import State
from model.step import unknown_id
from model.valuation import underlyings, unrealized_pnl
from proofs.state import Expr
from proofs.transitions import KIND_BY_NAME, SHORT, Kind
from spec.actions import Action
from spec.bounds import HUB, MAX_QTY
from spec.kinds import ACTION_KINDS, MESSAGE_KINDS, Registry
from spec.messages import Message

Value = int | bool | frozenset[int]


@dataclass(frozen=True)
class EncodedStep:
    kind: Kind
    act: dict[str, Any]
    inputs: dict[str, Expr]


Inputs = dict[str, Expr]

MESSAGE_INPUTS: Registry[Callable[[State, Any, str | None], Inputs]] = Registry(
    "inputs of a delivered or injected message", MESSAGE_KINDS
)
"""What the model decides, at the receiver, from fields the encoding does not hold, by
message kind (the receiving spoke, if known and declared, is the third argument)."""


@MESSAGE_INPUTS("CreditGrant", "CreditRelease", "LossClaim", "LiquidationReport")
def no_message_inputs(state: State, msg: Any, receiver: str | None) -> Inputs:
    return {}


@MESSAGE_INPUTS("MarginCall")
def call_inputs(state: State, msg: Any, receiver: str | None) -> Inputs:
    """The receiving spoke's prices and the unrealized PnL it closes at (SPK-CALL-2)."""
    if receiver is None or (receiver, msg.account) not in state.spokes:
        return {}
    acct = state.spokes[(receiver, msg.account)]
    prices = prices_of(state, underlyings(state.params, acct.positions))
    pnl = (
        0
        if prices is None
        else unrealized_pnl(
            state.params, acct.positions, prices, state.oracle.now, state.oracle.expiry_prices
        )
    )
    return {"live": z3.BoolVal(prices is not None), "upnl": z3.IntVal(pnl)}


@MESSAGE_INPUTS("ExposureReport")
def report_inputs(state: State, msg: Any, receiver: str | None) -> Inputs:
    """Whether the reported positions are well formed (HUB-REP-4)."""
    return {"well_formed": z3.BoolVal(report_positions(state, msg.positions) is not None)}


MESSAGE_INPUTS.complete()


def message_step(
    kind_prefix: str, msg: Message, ids: dict[str, str], extra: dict[str, Any], state: State
) -> EncodedStep:
    kind = KIND_BY_NAME[kind_prefix + SHORT[msg.type]]
    act: dict[str, Any] = ids | {"kind": msg.type, "account": msg.account} | extra
    for name, _ in kind.params:
        if name != "id":
            act[name] = z3.IntVal(getattr(msg, name))
    receiver = ids.get("spoke") if kind_prefix == "Deliver" else ids.get("receiver")
    return EncodedStep(kind, act, MESSAGE_INPUTS[msg.type](state, msg, receiver))


ENCODE: Registry[Callable[[State, Any], EncodedStep | None]] = Registry(
    "encoding of an action", ACTION_KINDS
)
"""The action as a kind of the encoding with the model's inputs, by action kind; None if
the encoding's universe cannot express it."""


def encode_step(state: State, action: Action) -> EncodedStep | None:
    """The action as a kind of the encoding with the model's inputs; None if the encoding's
    universe cannot express it (an unknown id, or a delivered payload about one)."""
    if unknown_id(state, action) is not None:
        return None
    return ENCODE[action.type](state, action)


@ENCODE("Deliver")
def deliver_step(state: State, action: Any) -> EncodedStep:
    env = state.network.in_flight.get(action.message_id)
    if env is None:  # replayed or unknown: the id guards reject before the payload matters
        kind = KIND_BY_NAME["DeliverGrant"]
        a, s = state.params.accounts[0], state.params.spokes[0].id
        act = {"kind": "CreditGrant", "account": a, "spoke": s, "id": z3.IntVal(action.message_id)}
        act |= {"amount": z3.IntVal(1), "epoch": z3.IntVal(0)}
        return EncodedStep(kind, act, {"head": z3.BoolVal(True)})
    spoke = env.receiver if env.sender == HUB else env.sender
    encoded = message_step(
        "Deliver", env.payload, {"spoke": spoke}, {"id": z3.IntVal(action.message_id)}, state
    )
    encoded.inputs["head"] = z3.BoolVal(is_head(state, env))  # CHAN-2
    return encoded


@ENCODE("Inject")
def inject_step(state: State, action: Any) -> EncodedStep | None:
    if action.payload.account not in state.params.accounts:
        return None
    names = set(state.params.accounts) | {s.id for s in state.params.spokes} | {HUB}
    if action.sender not in names or action.receiver not in names:
        return None
    ids = {"sender": action.sender, "receiver": action.receiver}
    return message_step("Inject", action.payload, ids, {}, state)


def plain_step(state: State, action: Any, inputs: Inputs) -> EncodedStep:
    """An action of its own kind: its ids and parameters read by name (as the model's
    dispatch does), with the given inputs."""
    kind = KIND_BY_NAME[action.type]
    act: dict[str, Any] = {r: getattr(action, r) for r in kind.roles}
    act["kind"] = None
    for name, _ in kind.params:
        act[name] = z3.IntVal(getattr(action, name))
    return EncodedStep(kind, act, inputs)


@ENCODE(
    "SendReport",
    "PublishPrice",
    "AdvanceTime",
    "SetCap",
    "PauseSpoke",
    "UnpauseSpoke",
    "ForceSettle",
    "ListSpoke",
    "DelistSpoke",
    "RemoveSpoke",
    "Halt",
    "Resume",
    "Reorg",
    "PayOut",
)
def input_free_step(state: State, action: Any) -> EncodedStep:
    return plain_step(state, action, {})


@ENCODE("Deposit")
def deposit_step(state: State, action: Any) -> EncodedStep:
    """FLOW-CALL-3: health of the account once the deposit is credited (what closes a call)."""
    holdings = account_holdings(state, action.account)
    holdings[action.asset] += action.amount
    after = with_account_holdings(state, action.account, holdings)
    prices = health_prices(after, action.account)
    healthy = prices is not None and is_healthy(after, action.account, prices)
    inputs: Inputs = {"live": z3.BoolVal(prices is not None), "healthy": z3.BoolVal(healthy)}
    return plain_step(state, action, inputs)


@ENCODE("GrantCredit", "Withdraw")
def capacity_step(state: State, action: Any) -> EncodedStep:
    """Capacity and margins of the account; a grant is judged on the account as it will be
    once granted (RISK-13)."""
    view = (
        link(
            with_allocation(state, action.account, action.spoke, action.amount),
            action.account,
            action.spoke,
        )
        if action.type == "GrantCredit"
        else state
    )
    prices = prices_of(state, assets_needed(view, action.account))
    inputs: Inputs = {
        "live": z3.BoolVal(prices is not None),
        "recent": z3.BoolVal(not stale_books(view, action.account)),
    }
    if prices is not None:
        cv = loan_value(view, action.account, prices)
        inputs["reported_loss"] = z3.IntVal(capacity(view, action.account, prices) - cv)
        inputs["buffer"] = z3.IntVal(latency_buffer(view, action.account, prices))
        books = reported_books(view, action.account).values()
        inputs["initial_margin"] = z3.IntVal(
            account_initial_margin(view.params, books, prices, view.oracle.now)
        )
    else:
        inputs["reported_loss"], inputs["buffer"] = z3.IntVal(0), z3.IntVal(0)
        inputs["initial_margin"] = z3.IntVal(0)
    return plain_step(state, action, inputs)


@ENCODE("Liquidate")
def liquidate_step(state: State, action: Any) -> EncodedStep:
    """Health, requirement and the call floor of the account (LIQ-1, FLOW-CALL-2, RISK-NET-1:
    health also counts the clearing pools that have a price)."""
    ok = prices_of(state, assets_needed(state, action.account)) is not None
    p = health_prices(state, action.account) or {}
    inputs: Inputs = {
        "live": z3.BoolVal(ok),
        "healthy": z3.BoolVal(ok and is_healthy(state, action.account, p)),
        "requirement": z3.IntVal(maintenance_requirement(state, action.account, p) if ok else 0),
        "deep": z3.BoolVal(ok and below_call_floor(state, action.account, p)),
    }
    return plain_step(state, action, inputs)


@ENCODE("ReleaseCredit")
def release_step(state: State, action: Any) -> EncodedStep:
    """Whether the spoke's local margin still holds with the line debited (SPK-REL-1)."""
    acct = state.spokes[(action.spoke, action.account)]
    prices = prices_of(state, underlyings(state.params, acct.positions))
    after = debit_line(acct, action.amount)
    ok = prices is not None and covers_local_margin(state, after, acct.positions, prices)
    inputs: Inputs = {"live": z3.BoolVal(prices is not None), "margin_ok": z3.BoolVal(ok)}
    return plain_step(state, action, inputs)


@ENCODE("Trade")
def trade_step(state: State, action: Any) -> EncodedStep:
    return plain_step(state, action, trade_inputs(state, action))


def trade_inputs(state: State, action: Any) -> dict[str, Expr]:
    """What model.spoke.trade decides from positions: bound, direction, PnL, price, margin."""
    acct = state.spokes[(action.spoke, action.account)]
    old = position_in(acct, action.market)
    out = {
        "bound_ok": z3.BoolVal(abs(old.qty + action.qty) <= MAX_QTY),
        "reducing": z3.BoolVal(is_risk_reducing(old.qty, action.qty)),
        "realized": z3.IntVal(0),
        "live": z3.BoolVal(False),
        "margin_ok": z3.BoolVal(False),
    }
    if action.qty == 0:
        return out
    _, realized, after = after_fill(acct, action)
    out["realized"] = z3.IntVal(realized)
    prices = prices_of(state, underlyings(state.params, after.positions))
    out["live"] = z3.BoolVal(prices is not None)
    if prices is not None:
        out["margin_ok"] = z3.BoolVal(covers_local_margin(state, after, after.positions, prices))
    return out


ENCODE.complete()
