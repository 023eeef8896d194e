"""Actions, messages, outcomes and states in a few words: what a timeline row shows and
what a failure message names (`Trade arb alice ETH-PERP +10 @2000`, `accepted -> #4`)."""

from collections.abc import Callable
from typing import Any

from intermargin.account_view import account_view
from intermargin.timeline import health
from model import State
from spec import actions, messages
from spec.actions import Action
from spec.bounds import BPS
from spec.kinds import ACTION_KINDS, MESSAGE_KINDS, Registry
from spec.messages import Message
from spec.outcome import Outcome


def short(n: int) -> str:
    """An exact integer, abbreviated from 10000 up only where exact (1M, 250k)."""
    if abs(n) < 10_000:
        return str(n)
    for unit, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


# --- messages ----------------------------------------------------------------------------

MESSAGE_TEXT: Registry[Callable[[Any], str]] = Registry("message text", MESSAGE_KINDS)
"""A message in a few words, by kind."""


@MESSAGE_TEXT("CreditGrant")
def grant_text(msg: messages.CreditGrant) -> str:
    return f"CreditGrant {msg.account} {msg.amount} e{msg.epoch}"


@MESSAGE_TEXT("MarginCall")
def call_text(msg: messages.MarginCall) -> str:
    return f"MarginCall {msg.account} e{msg.epoch}"


@MESSAGE_TEXT("CreditRelease", "LossClaim")
def credit_text(msg: messages.CreditRelease | messages.LossClaim) -> str:
    return f"{msg.type} {msg.account} {msg.amount}"


@MESSAGE_TEXT("ExposureReport")
def report_text(msg: messages.ExposureReport) -> str:
    return f"ExposureReport {msg.account} seq{msg.seq}"


@MESSAGE_TEXT("LiquidationReport")
def answer_text(msg: messages.LiquidationReport) -> str:
    return f"LiquidationReport {msg.account} e{msg.epoch} loss {msg.loss} released {msg.released}"


MESSAGE_TEXT.complete()


def describe_message(msg: Message) -> str:
    """A message in a few words."""
    return MESSAGE_TEXT[msg.type](msg)


# --- actions -----------------------------------------------------------------------------

ACTION_TEXT: Registry[Callable[[Any, State | None], str]] = Registry("action text", ACTION_KINDS)
"""An action in one line, by kind; a delivery looks up what it carries in the state before
the step, when there is one."""


@ACTION_TEXT("Deposit", "Withdraw")
def holding_text(action: actions.Deposit | actions.Withdraw, before: State | None) -> str:
    return f"{action.type} {action.account} {action.amount} {action.asset}"


@ACTION_TEXT("GrantCredit")
def grant_credit_text(action: actions.GrantCredit, before: State | None) -> str:
    return f"Grant {action.account}->{action.spoke} {action.amount}"


@ACTION_TEXT("ReleaseCredit")
def release_text(action: actions.ReleaseCredit, before: State | None) -> str:
    return f"Release {action.spoke} {action.account} {action.amount}"


@ACTION_TEXT("Trade")
def trade_text(action: actions.Trade, before: State | None) -> str:
    return f"Trade {action.spoke} {action.account} {action.market} {action.qty:+d} @{action.price}"


@ACTION_TEXT("SendReport")
def send_report_text(action: actions.SendReport, before: State | None) -> str:
    return f"SendReport {action.spoke} {action.account}"


@ACTION_TEXT("PublishPrice")
def price_text(action: actions.PublishPrice, before: State | None) -> str:
    return f"Price {action.feed} {action.price}"


@ACTION_TEXT("AdvanceTime")
def time_text(action: actions.AdvanceTime, before: State | None) -> str:
    return f"AdvanceTime +{action.seconds}s"


@ACTION_TEXT("Liquidate")
def liquidate_text(action: actions.Liquidate, before: State | None) -> str:
    return f"Liquidate {action.account}"


@ACTION_TEXT("ForceSettle")
def force_settle_text(action: actions.ForceSettle, before: State | None) -> str:
    return f"ForceSettle {action.account}"


@ACTION_TEXT("SetCap")
def cap_text(action: actions.SetCap, before: State | None) -> str:
    return f"SetCap {action.spoke} {short(action.cap)}"


@ACTION_TEXT("PauseSpoke", "UnpauseSpoke")
def pause_text(action: actions.PauseSpoke | actions.UnpauseSpoke, before: State | None) -> str:
    return f"{action.type.removesuffix('Spoke')} {action.spoke}"


@ACTION_TEXT("ListSpoke", "DelistSpoke", "RemoveSpoke")
def listing_text(
    action: actions.ListSpoke | actions.DelistSpoke | actions.RemoveSpoke, before: State | None
) -> str:
    return f"{action.type.removesuffix('Spoke')} {action.spoke}"


@ACTION_TEXT("Halt", "Resume")
def halt_text(action: actions.Halt | actions.Resume, before: State | None) -> str:
    return f"{action.type} {action.spoke}"


@ACTION_TEXT("Reorg")
def reorg_text(action: actions.Reorg, before: State | None) -> str:
    return f"Reorg {action.spoke} {action.depth}s deep"


@ACTION_TEXT("PayOut")
def pay_out_text(action: actions.PayOut, before: State | None) -> str:
    return f"PayOut {action.spoke} {action.amount} {action.asset}"


@ACTION_TEXT("Deliver")
def deliver_text(action: actions.Deliver, before: State | None) -> str:
    env = None if before is None else before.network.in_flight.get(action.message_id)
    if env is None:
        again = before is not None and action.message_id in before.network.delivered
        return f"Deliver #{action.message_id}" + (" (again)" if again else "")
    route = f"{env.sender}->{env.receiver}"
    return f"Deliver #{env.id} {route} {describe_message(env.payload)}"


@ACTION_TEXT("Inject")
def inject_text(action: actions.Inject, before: State | None) -> str:
    return f"Inject {action.sender}->{action.receiver} {describe_message(action.payload)}"


ACTION_TEXT.complete()


def describe_action(action: Action, before: State | None = None) -> str:
    """An action in one line, e.g. `Trade arb alice ETH-PERP +10 @2000`; a delivery says
    what it carries, looked up in the state before the step (if given)."""
    return ACTION_TEXT[action.type](action, before)


def describe_outcome(outcome: Outcome) -> str:
    """`accepted`, `accepted -> #4 #5`, `rejected CODE` or `ignored CODE`."""
    if outcome.status == "accepted":
        sent = " ".join(f"#{i}" for i in outcome.emitted)
        return "accepted" + (f" -> {sent}" if sent else "")
    return f"{outcome.status} {outcome.error}"


def describe_health(state: State, account: str) -> str:
    """`alice 15060/8029 ok`, `... LOW`, with `LIQ e1` while liquidating; `n/a` without prices;
    `(2000 pool-backed)` when backed profit counts in the net equity (RISK-NET-3)."""
    status = state.hub.status[account]
    tag = f" LIQ e{status.epoch}" if status.liquidating else ""
    h = health(state, account)
    if h is None:
        return f"{account} n/a{tag}"
    verdict = "ok" if h.healthy else "LOW"
    backed = f" ({h.backed} pool-backed)" if h.backed else ""
    return f"{account} {h.equity}/{h.requirement} {verdict}{backed}{tag}"


def describe_ratios(state: State, account: str) -> str:
    """`HF 48.48x`, `MR 2.07%`, `liq 3175` (RISK-IM-3..RISK-IM-5); `-` for none, `n/a`
    without prices."""
    view = account_view(state, account)
    if not view["priced"]:
        return "n/a"
    hf, mr, liq = view["health_factor_bps"], view["margin_ratio_bps"], view["liquidation_price"]
    parts = [
        "HF inf" if hf is None else f"HF {hf / BPS:.2f}x",
        "MR inf" if mr is None else f"MR {mr / BPS:.2%}",
        f"liq {'-' if liq is None else liq}",
    ]
    return "\n".join(parts)


def describe_allocations(state: State) -> str:
    """Per spoke holding credit, paused, or with its cap changed: total allocation / cap
    (` P` when paused); `-` when no spoke is any of these."""
    lines = []
    for declared in state.params.spokes:
        spoke, cap = declared.id, state.hub.caps[declared.id]
        total = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        paused = spoke in state.hub.paused
        if total or paused or cap != declared.cap:
            lines.append(f"{spoke} {total}/{short(cap)}" + (" P" if paused else ""))
    return "\n".join(lines) or "-"


def describe_in_flight(state: State, limit: int = 8) -> str:
    """`3: #4 #5 #6` (the count, then the ids, cut after `limit`)."""
    ids = sorted(state.network.in_flight)
    if not ids:
        return "0"
    shown = " ".join(f"#{i}" for i in ids[:limit])
    more = " ..." if len(ids) > limit else ""
    return f"{len(ids)}: {shown}{more}"
