"""Actions, messages, outcomes and states in a few words: what a timeline row shows and
what a failure message names (`Trade arb alice ETH-PERP +10 @2000`, `accepted -> #4`)."""

from intermargin.account_view import account_view
from intermargin.timeline import health
from model import State
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import BPS
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
)
from spec.outcome import Outcome


def short(n: int) -> str:
    """An exact integer, abbreviated from 10000 up only where exact (1M, 250k)."""
    if abs(n) < 10_000:
        return str(n)
    for unit, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def describe_message(msg: Message) -> str:
    """A message in a few words."""
    if isinstance(msg, CreditGrant):
        return f"CreditGrant {msg.account} {msg.amount} e{msg.epoch}"
    if isinstance(msg, MarginCall):
        return f"MarginCall {msg.account} e{msg.epoch}"
    if isinstance(msg, CreditRelease):
        return f"CreditRelease {msg.account} {msg.amount}"
    if isinstance(msg, LossClaim):
        return f"LossClaim {msg.account} {msg.amount}"
    if isinstance(msg, ExposureReport):
        return f"ExposureReport {msg.account} seq{msg.seq}"
    assert isinstance(msg, LiquidationReport)
    return f"LiquidationReport {msg.account} e{msg.epoch} loss {msg.loss} released {msg.released}"


def describe_action(action: Action, before: State) -> str:
    """An action in one line, e.g. `Trade arb alice ETH-PERP +10 @2000`; a delivery says
    what it carries, looked up in the state before the step."""
    match action:
        case Deposit() | Withdraw():
            return f"{action.type} {action.account} {action.amount} {action.asset}"
        case GrantCredit():
            return f"Grant {action.account}->{action.spoke} {action.amount}"
        case ReleaseCredit():
            return f"Release {action.spoke} {action.account} {action.amount}"
        case Trade():
            return (
                f"Trade {action.spoke} {action.account} {action.market} "
                f"{action.qty:+d} @{action.price}"
            )
        case SendReport():
            return f"SendReport {action.spoke} {action.account}"
        case PublishPrice():
            return f"Price {action.feed} {action.price}"
        case AdvanceTime():
            return f"AdvanceTime +{action.seconds}s"
        case Liquidate():
            return f"Liquidate {action.account}"
        case SetCap():
            return f"SetCap {action.spoke} {short(action.cap)}"
        case PauseSpoke() | UnpauseSpoke():
            return f"{action.type.removesuffix('Spoke')} {action.spoke}"
        case Deliver():
            env = before.network.in_flight.get(action.message_id)
            if env is None:
                again = action.message_id in before.network.delivered
                return f"Deliver #{action.message_id}" + (" (again)" if again else "")
            route = f"{env.sender}->{env.receiver}"
            return f"Deliver #{env.id} {route} {describe_message(env.payload)}"
        case Inject():
            return f"Inject {action.sender}->{action.receiver} {describe_message(action.payload)}"
    raise AssertionError(f"unknown action {action!r}")  # pragma: no cover


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
