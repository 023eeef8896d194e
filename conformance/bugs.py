"""Buggy builds: the reference adapter with one rule broken, which the kit must catch (CONF-20).

Each bug substitutes exactly one function of the reference model at run time (a module
attribute, or one entry of a dispatch table), for as long as `installed(name)` is open.
The substitute is a one-line variant of the rule or a wrapper around the original, never
a copy of a transition, so a bug can never drift from the model it breaks.  Each is a
mistake that real cross-chain or lending protocols have shipped, and each belongs to a
chapter (CONF-5), so that every chapter has a bug the harness must catch.

`intermargin adapter --bug NAME` serves the broken build.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import import_module
from types import ModuleType
from typing import Any

import model.calls
import model.delivery
import model.force_settle
import model.hub
import model.liquidation
import model.notice
import model.oracle
import model.partial
import model.risk
import model.spoke
from model.outcome import Step
from model.state import State
from spec.chapters import Chapter
from spec.messages import LossClaim

Patch = Callable[[Any], Any]
"""Given the original function, the substitute."""


@dataclass(frozen=True)
class Bug:
    """One broken rule: where it is substituted, and the real-world mistake it imitates."""

    name: str
    chapter: Chapter
    rule: str
    story: str
    where: ModuleType | dict[str, Any]
    attribute: str
    patch: Patch


def cap_against_total(_: Any) -> Any:
    def spoke_allocation(state: State, spoke: str) -> int:
        return sum(state.hub.alloc.values())

    return spoke_allocation


def flip_counts_as_reducing(_: Any) -> Any:
    def is_risk_reducing(old_qty: int, qty: int) -> bool:
        return old_qty != 0 and (old_qty > 0) != (qty > 0)

    return is_risk_reducing


def positions_left_out(_: Any) -> Any:
    def position_views(positions: Any) -> tuple[Any, ...]:
        return ()

    return position_views


def message_not_consumed(_: Any) -> Any:
    def consume(state: State, message_id: int) -> State:
        return state

    return consume


def listing_ignored(_: Any) -> Any:
    def is_listed(state: State, spoke: str) -> bool:
        return True

    return is_listed


def nothing_tightens(_: Any) -> Any:
    def tightens(state: State, target: Any, value: int) -> bool:
        return False

    return tightens


def any_sender_authentic(_: Any) -> Any:
    def is_authentic(state: State, sender: str, receiver: str, payload: Any) -> bool:
        return True

    return is_authentic


def stale_quotes_count(_: Any) -> Any:
    def fresh_quotes(state: State, asset: str) -> list[int]:
        return [
            state.oracle.quotes[f.id][0]
            for f in state.params.oracle.feeds
            if f.asset == asset and f.id in state.oracle.quotes
        ]

    return fresh_quotes


def profit_offsets_losses(_: Any) -> Any:
    def reported_losses(state: State, account: str, prices: dict[str, int]) -> int:
        spokes = model.risk.backing_spokes(state, account)
        return sum(model.risk.reported_pnl(state, account, s, prices) for s in spokes)

    return reported_losses


def healthy_only_above(_: Any) -> Any:
    def is_healthy(state: State, account: str, prices: dict[str, int]) -> bool:
        equity = model.risk.equity(state, account, prices)
        return equity > model.risk.maintenance_requirement(state, account, prices)

    return is_healthy


def claims_ignore_pause(original: Callable[[State, str, LossClaim], Step]) -> Any:
    def receive_loss_claim(state: State, spoke: str, msg: LossClaim) -> Step:
        paused = state.hub.paused
        unpaused = replace(state, hub=replace(state.hub, paused=paused - {spoke}))
        after, outcome = original(unpaused, spoke, msg)
        if after is unpaused:
            return state, outcome
        return replace(after, hub=replace(after.hub, paused=paused)), outcome

    return receive_loss_claim


def never_before_deadline(_: Any) -> Any:
    def before_deadline(state: State, account: str) -> bool:
        return False

    return before_deadline


def counts_unfinal(_: Any) -> Any:
    def not_final(state: State, envelope: Any) -> bool:
        return False

    return not_final


def failed_head_stays(_: Any) -> Any:
    def requeue(state: State, envelope: Any) -> State:
        return state

    return requeue


def whole_positions(_: Any) -> Any:
    def least_lots(state: State, acct: Any, plan: Any, market: str, prices: Any) -> int:
        return int(abs(plan.positions[market].qty))

    return least_lots


def call_never_opened(original: Callable[[State, str, bool], State]) -> Any:
    def with_call(state: State, account: str, called: bool) -> State:
        return state if called else original(state, account, called)

    return with_call


def call_never_closed(original: Callable[[State, str, bool], State]) -> Any:
    def with_call(state: State, account: str, called: bool) -> State:
        return original(state, account, called) if called else state

    return with_call


def bucket_never_refills(_: Any) -> Any:
    def refill(state: State, seconds: int) -> State:
        return state

    return refill


BUGS: tuple[Bug, ...] = (
    Bug(
        "cap-against-total",
        "hub",
        "HUB-GRANT-3",
        "the partition cap is compared with the credit allocated to every spoke together, "
        "not with the spoke's own share (a per-partition limit checked against a global total)",
        model.hub,
        "spoke_allocation",
        cap_against_total,
    ),
    Bug(
        "report-without-positions",
        "spokes",
        "SPK-REP-1",
        "a spoke's exposure report carries the balance but not the open positions, so the "
        "hub sees no exposure and asks no margin for it (a venue under-reporting to the "
        "risk engine)",
        model.spoke,
        "position_views",
        positions_left_out,
    ),
    Bug(
        "flip-counts-as-reducing",
        "risk",
        "SPK-TRADE-1",
        "a trade that flips a position through zero counts as risk-reducing, so it skips the "
        "margin check (the reduce-only loophole venues have had to close)",
        model.spoke,
        "is_risk_reducing",
        flip_counts_as_reducing,
    ),
    Bug(
        "message-not-consumed",
        "messaging",
        "MSG-10",
        "a delivered message is neither removed nor marked processed, so a replay of it takes "
        "effect again (Nomad, 2022: messages accepted without a valid processed check)",
        model.delivery,
        "consume",
        message_not_consumed,
    ),
    Bug(
        "any-sender-authentic",
        "adversary",
        "MSG-6",
        "the channel does not check who sent a message, so a forged one is processed "
        "(Wormhole, 2022: a signature check that could be bypassed)",
        model.delivery,
        "is_authentic",
        any_sender_authentic,
    ),
    Bug(
        "stale-price-accepted",
        "oracle",
        "ORA-2",
        "quotes are used whatever their age (oracle answers read without checking when "
        "they were last updated)",
        model.oracle,
        "fresh_quotes",
        stale_quotes_count,
    ),
    Bug(
        "profit-offsets-losses",
        "risk",
        "RISK-11",
        "a spoke's reported profit counts as capacity at the hub (Mango Markets, 2022: "
        "unrealized profit borrowed against)",
        model.risk,
        "reported_losses",
        profit_offsets_losses,
    ),
    Bug(
        "healthy-only-above",
        "liquidation",
        "RISK-10",
        "an account whose equity exactly meets its requirement is liquidated (a health "
        "factor compared with > instead of >=)",
        model.liquidation,
        "is_healthy",
        healthy_only_above,
    ),
    Bug(
        "claims-ignore-pause",
        "governance",
        "HUB-CLAIM-1",
        "a loss claim from a paused spoke is paid (a circuit breaker that does not cover "
        "every entry point of the paused venue)",
        model.delivery.AT_HUB,
        "LossClaim",
        claims_ignore_pause,
    ),
    Bug(
        "call-never-opened",
        "liquidation",
        "FLOW-CALL-1",
        "a margin call is announced (the liquidation is accepted and waits) but no call is "
        "recorded, so credit still leaves the account and the next attempt announces it "
        "again, the window never running out (a grace period the keeper is told about but "
        "the ledger never stores)",
        model.liquidation,
        "with_call",
        call_never_opened,
    ),
    Bug(
        "call-never-closed",
        "hub",
        "FLOW-CALL-3",
        "a top-up that restores the account does not lift its margin call, so the owner who "
        "paid stays frozen and is liquidated when the window runs out (a flag set on the "
        "way in and cleared on no path out)",
        model.hub,
        "with_call",
        call_never_closed,
    ),
    Bug(
        "settles-before-the-deadline",
        "liveness",
        "LIVE-2",
        "a keeper may force-settle a liquidation as soon as it starts, so a spoke that would "
        "have answered in time is severed and charged its whole allocation (a timeout that "
        "is never checked, or checked against the wrong clock)",
        model.force_settle,
        "before_deadline",
        never_before_deadline,
    ),
    Bug(
        "grants-to-delisted",
        "listing",
        "HUB-GRANT-5",
        "a delisted spoke is still granted credit while it is being drained (a whitelist "
        "checked when a venue is onboarded, not each time credit is allocated to it)",
        model.hub,
        "is_listed",
        listing_ignored,
    ),
    Bug(
        "tightening-without-notice",
        "notice",
        "GOV-NOTICE-2",
        "a haircut raise is accepted to take effect at once, so an account healthy a moment "
        "ago is liquidated by a rule it could not see coming (a parameter setter with no "
        "timelock, or a timelock that only delays loosenings)",
        model.notice,
        "tightens",
        nothing_tightens,
    ),
    Bug(
        "counts-unfinal-messages",
        "finality",
        "FIN-3",
        "the hub acts on a spoke's message as soon as it is relayed, before the spoke's chain "
        "has finalized it, so a reorg can erase a release the hub already applied and the "
        "credit is spent twice (a bridge that trusts unfinalized source-chain blocks)",
        model.delivery,
        "not_final",
        counts_unfinal,
    ),
    Bug(
        "failed-head-blocks",
        "channels",
        "CHAN-3",
        "on an ordered channel a message its receiver refuses stays at the head, and every "
        "message behind it waits until an operator clears it (LayerZero's and IBC's ordered "
        "channels, blocked by one failing message)",
        model.delivery,
        "requeue",
        failed_head_stays,
    ),
    Bug(
        "bucket-never-refills",
        "channels",
        "RATE-4",
        "the rate limit's bucket is charged but never refilled, so after a few claims the "
        "partition's honest losses wait for ever (a token bucket without its refill)",
        import_module("model.step"),  # `model.step` is also the name of the function
        "refill",
        bucket_never_refills,
    ),
    Bug(
        "partial-closes-whole-positions",
        "partial",
        "FLOW-PART-5",
        "a partial liquidation closes the whole position in which the account becomes "
        "restored, not the fewest lots that restore it (liquidators allowed to close far "
        "more than needed: a close factor of 100% where a fraction would do)",
        model.partial,
        "least_lots",
        whole_positions,
    ),
)

BUG_NAMES = tuple(b.name for b in BUGS)


def bug_named(name: str) -> Bug:
    """The bug called `name`; KeyError naming the known ones if there is none."""
    for bug in BUGS:
        if bug.name == name:
            return bug
    raise KeyError(f"unknown bug {name!r} (known: {', '.join(BUG_NAMES)})")


@contextmanager
def installed(name: str) -> Iterator[Bug]:
    """Substitute the bug's function for the length of the block; restore it after."""
    bug = bug_named(name)
    where = bug.where
    if isinstance(where, dict):
        original = where[bug.attribute]
        where[bug.attribute] = bug.patch(original)
    else:
        original = getattr(where, bug.attribute)
        setattr(where, bug.attribute, bug.patch(original))
    try:
        yield bug
    finally:
        if isinstance(where, dict):
            where[bug.attribute] = original
        else:
            setattr(where, bug.attribute, original)
