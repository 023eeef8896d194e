"""The invariants as Python predicates, one function per id in spec/invariants.md.

A state invariant takes a state; a step invariant takes (pre, action, post,
outcome).  Each returns None when it holds, or one line saying what broke,
naming the account, spoke, asset or message.  Tests, the proofs' cross-checks
and the conformance kit all call these same functions.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from model.finality import unfinalized
from model.insurance import limit_of
from model.notice import current_value
from model.oracle import prices_of
from model.risk import assets_needed, free_capacity, is_healthy
from model.spoke import is_risk_reducing
from model.state import AccountId, AccountStatus, Position, SpokeId, State
from spec.actions import Action, Deliver, ForceSettle, GrantCredit, Trade, Withdraw
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import CreditGrant, CreditRelease, Envelope, LiquidationReport, LossClaim
from spec.outcome import Outcome

StateInvariant = Callable[[State], str | None]
StepInvariant = Callable[[State, Action, State, Outcome], str | None]


def credit_carried(env: Envelope, account: AccountId, spoke: SpokeId) -> int:
    """Credit for (account, spoke) that one message carries: a grant towards the spoke;
    a release, a loss claim or a liquidation answer from it towards the hub."""
    msg = env.payload
    if msg.account != account:
        return 0
    if isinstance(msg, CreditGrant):
        return msg.amount if env.receiver == spoke else 0
    if env.sender != spoke:
        return 0
    if isinstance(msg, CreditRelease | LossClaim):
        return msg.amount
    if isinstance(msg, LiquidationReport):
        return msg.released + msg.loss
    return 0


def credit_in_flight(state: State, account: AccountId, spoke: SpokeId) -> int:
    """All credit for (account, spoke) travelling in messages."""
    return sum(credit_carried(env, account, spoke) for env in state.network.in_flight.values())


def credit_conservation(state: State) -> str | None:
    """INV-CREDIT-1: for every account and every spoke that follows its rules and is not
    severed from it (LIVE-5), the hub's allocation equals the spoke's credit line plus the
    credit in flight between them; not once the hub's own key is compromised (an authentic
    hub message injected can move a line without an allocation), as in the proofs' formula."""
    if HUB in state.ghost.compromised:
        return None
    for (account, spoke), alloc in state.hub.alloc.items():
        if spoke in state.ghost.compromised or (account, spoke) in state.hub.severed:
            continue
        line = state.spokes[(spoke, account)].line
        moving = credit_in_flight(state, account, spoke)
        if alloc != line + moving:
            return (
                f"alloc[{account},{spoke}]={alloc} but line={line} + in flight={moving}"
                f" = {line + moving}"
            )
    return None


def partition_caps(state: State) -> str | None:
    """INV-PART-1: the credit allocated to a spoke never exceeds its cap."""
    for spoke, cap in state.hub.caps.items():
        total = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        if total > cap:
            return f"allocation to {spoke} is {total}, above its cap {cap}"
    return None


def partition_bound(state: State) -> str | None:
    """INV-PART-2: per spoke, credit granted = released + claimed + still allocated, and the
    value paid towards its partition never exceeds what it claimed, whatever it sent."""
    ghost = state.ghost
    for spoke, granted in ghost.granted.items():
        allocated = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        accounted = ghost.released[spoke] + ghost.claimed[spoke] + allocated
        if granted != accounted:
            return (
                f"{spoke}: granted {granted} != released {ghost.released[spoke]}"
                f" + claimed {ghost.claimed[spoke]} + allocated {allocated}"
            )
        if ghost.paid[spoke] > ghost.claimed[spoke]:
            return f"{spoke}: paid {ghost.paid[spoke]} above claimed {ghost.claimed[spoke]}"
    return None


def asset_conservation(state: State) -> str | None:
    """INV-ASSET-1: per asset, the hub's tokens = deposits + insurance fund + owed to spokes."""
    hub = state.hub
    for asset, tokens in hub.tokens.items():
        deposits = sum(v for (_, x), v in hub.collateral.items() if x == asset)
        owed = sum(v for (_, x), v in hub.owed.items() if x == asset)
        if tokens != deposits + hub.insurance[asset] + owed:
            return (
                f"{asset}: hub holds {tokens} but deposits {deposits} + insurance "
                f"{hub.insurance[asset]} + owed {owed} = {deposits + hub.insurance[asset] + owed}"
            )
    return None


def no_negative_balances(state: State) -> str | None:
    """INV-NONNEG-1: no collateral, allocation, fund, debt to a spoke or credit line is negative."""
    hub = state.hub
    buckets: list[tuple[str, Mapping[Any, int]]] = [
        ("collateral", hub.collateral),
        ("alloc", hub.alloc),
        ("insurance", hub.insurance),
        ("owed", hub.owed),
        ("tokens", hub.tokens),
        ("socialized", hub.socialized),
        ("line", {k: v.line for k, v in state.spokes.items()}),
    ]
    for name, values in buckets:
        for key, value in values.items():
            if value < 0:
                where = ", ".join(key) if isinstance(key, tuple) else key
                return f"{name}[{where}] = {value} is negative"
    return None


def losses_claimed_at_once(state: State) -> str | None:
    """INV-SPOKE-1: on a spoke that follows its rules, a negative settled balance means the
    credit line is used up (losses are claimed against the line before anything else)."""
    for (spoke, account), acct in state.spokes.items():
        if spoke not in state.ghost.compromised and acct.balance < 0 and acct.line > 0:
            return f"{spoke}/{account}: balance {acct.balance} < 0 with line {acct.line} unclaimed"
    return None


def at_most_once(state: State) -> str | None:
    """INV-AMO-1: no message is both delivered and still in flight; ids are unique nonces."""
    net = state.network
    for mid, env in net.in_flight.items():
        if mid in net.delivered:
            return f"message {mid} is delivered and still in flight"
        if env.id != mid or mid >= net.next_id:
            return f"message {mid} has a bad id"
    if any(mid >= net.next_id for mid in net.delivered):
        return "a delivered id was never issued"
    return None


def liquidation_freeze(state: State) -> str | None:
    """INV-LIQ-1 (state part): while an account liquidates under epoch e, no grant of epoch
    e is in flight, and every spoke that has received the call of epoch e is frozen; not
    once the hub's own key is compromised (an authentic hub message injected), as in the
    proofs' formula."""
    if HUB in state.ghost.compromised:
        return None
    for account, status in state.hub.status.items():
        if not status.liquidating:
            continue
        for env in state.network.in_flight.values():
            msg = env.payload
            if msg.type == "CreditGrant" and msg.account == account and msg.epoch >= status.epoch:
                return f"grant {env.id} of epoch {msg.epoch} in flight while {account} liquidates"
        for spoke in (s.id for s in state.params.spokes):
            acct = state.spokes[(spoke, account)]
            if acct.called_epoch == status.epoch and not acct.frozen:
                return f"{spoke} received margin call {status.epoch} for {account} but trades on"
    return None


def severed_means_settled(state: State) -> str | None:
    """INV-LIVE-2: a pair a force-settle severed is never pending and holds no allocation."""
    for account, spoke in sorted(state.hub.severed):
        if spoke in state.hub.status[account].pending:
            return f"{spoke} is severed from {account} but still pending"
        if state.hub.alloc[(account, spoke)] != 0:
            return f"{spoke} is severed from {account} but holds an allocation"
    return None


def removed_holds_nothing(state: State) -> str | None:
    """INV-LIST-2: nothing is allocated to a removed spoke (so nothing of its credit is on
    its lines or in flight, INV-CREDIT-1)."""
    for spoke, listing in state.hub.listing.items():
        held = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        if listing == "removed" and held:
            return f"{spoke} is removed but still holds {held} of allocation"
    return None


def draws_within_limits(state: State) -> str | None:
    """INV-INS-1: a partition draws from the insurance fund at most its own fund or its
    declared share (under `per_partition` or `shared_limited`)."""
    for spoke, value in state.hub.drawn.items():
        if value < 0:
            return f"{spoke}'s partition has drawn {value} from the insurance fund"
        limit = limit_of(state.params, spoke)
        if state.params.insurance_structure != "shared" and value > limit:
            return f"{spoke}'s partition has drawn {value} from the insurance fund, above {limit}"
    return None


def bucket_bounds(state: State) -> str | None:
    """INV-RATE-2: every rate-limit bucket holds between 0 and its capacity."""
    for spoke in state.params.spokes:
        if spoke.rate_limit is not None:
            level = state.hub.buckets[spoke.id]
            if not 0 <= level <= spoke.rate_limit.capacity:
                return f"{spoke.id}'s bucket holds {level}, outside 0..{spoke.rate_limit.capacity}"
    return None


def tightenings_carry_notice(state: State) -> str | None:
    """INV-NOTICE-2: a change announced that tightens a risk parameter in force takes effect
    no sooner than `notice_s` after its announcement."""
    notice = state.params.notice_s
    for (param, of), c in state.hub.scheduled.items():
        now_value = current_value(state.params, (param, of))
        if c.value > now_value and c.effective_at < c.announced_at + notice:
            early = c.effective_at - c.announced_at
            return f"{param} of {of} tightens to {c.value} {early}s after its announcement"
    return None


def segment_accounted(state: State) -> str | None:
    """INV-FIN-1: for every spoke that follows its rules, with a segment not yet final, and
    every account: the checkpoint's line is the line plus the credit of the segment's releases
    and loss claims (all in flight, FIN-3), and the checkpoint meets INV-SPOKE-1 and
    INV-NONNEG-1 with a non-negative report counter."""
    for spoke, chain in sorted(state.chains.items()):
        seg = chain.segment
        if seg is None or spoke in state.ghost.compromised or not unfinalized(state, spoke):
            continue
        for account, cp in seg.checkpoint.items():
            carried = sum(
                env.payload.amount
                for mid, env in state.network.in_flight.items()
                if mid in seg.sent
                and env.sender == spoke
                and env.payload.account == account
                and isinstance(env.payload, CreditRelease | LossClaim)
            )
            line = state.spokes[(spoke, account)].line
            if cp.line != line + carried:
                return (
                    f"{spoke}'s checkpoint line for {account} is {cp.line}"
                    f" but line={line} + segment in flight={carried}"
                )
            if cp.balance < 0 and cp.line != 0:
                return f"{spoke}'s checkpoint for {account} has a loss and an unused line"
            if cp.seq < 0:
                return f"{spoke}'s checkpoint for {account} has a negative report counter"
    return None


def call_not_while_liquidating(state: State) -> str | None:
    """INV-CALL-1: no top-up call is open while the account liquidates; an open call was
    opened no later than now (time is never negative), and a closed one keeps no time."""
    if state.oracle.now < 0:
        return f"time is negative ({state.oracle.now})"
    for account, status in state.hub.status.items():
        if status.called and status.liquidating:
            return f"{account} is under a top-up call while it liquidates"
        if status.called and not 0 <= status.called_at <= state.oracle.now:
            return f"{account}'s call was opened at {status.called_at}, after now"
        if not status.called and status.called_at != 0:
            return f"{account} has no call open but a call time {status.called_at}"
    return None


STATE_INVARIANTS: dict[str, StateInvariant] = {
    "INV-CREDIT-1": credit_conservation,
    "INV-PART-1": partition_caps,
    "INV-PART-2": partition_bound,
    "INV-ASSET-1": asset_conservation,
    "INV-NONNEG-1": no_negative_balances,
    "INV-SPOKE-1": losses_claimed_at_once,
    "INV-AMO-1": at_most_once,
    "INV-LIQ-1": liquidation_freeze,
    "INV-LIVE-2": severed_means_settled,
    "INV-LIST-2": removed_holds_nothing,
    "INV-INS-1": draws_within_limits,
    "INV-RATE-2": bucket_bounds,
    "INV-NOTICE-2": tightenings_carry_notice,
    "INV-FIN-1": segment_accounted,
    "INV-CALL-1": call_not_while_liquidating,
}


# --- step invariants -----------------------------------------------------------------


def atomic_rejection(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-ATOMIC-1: a rejected step names an error and changes no state."""
    if outcome.status != "rejected":
        return None
    if outcome.error is None:
        return f"{action.type} rejected without an error code"
    if post != pre:
        return f"{action.type} rejected with {outcome.error} but changed the state"
    return None


def capacity_at_commit(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-CREDIT-2: an accepted grant or withdrawal leaves the account's allocations (in
    flight included) plus latency buffer within its capacity at current prices."""
    if not outcome.accepted or not isinstance(action, GrantCredit | Withdraw):
        return None
    prices = prices_of(post, assets_needed(post, action.account))
    if prices is None:
        return f"{action.type} accepted for {action.account} without the prices to value it"
    free = free_capacity(post, action.account, prices)
    if free < 0:
        return f"{action.type} accepted but {action.account}'s capacity is short by {-free}"
    return None


def frozen_means_frozen(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-LIQ-1 (step part): no grant or withdrawal for a liquidating account, and no
    risk-increasing trade on a spoke that has obeyed the account's margin call."""
    if not outcome.accepted:
        return None
    if isinstance(action, GrantCredit | Withdraw) and pre.hub.status[action.account].liquidating:
        return f"{action.type} accepted while {action.account} liquidates"
    if isinstance(action, Trade):
        acct = pre.spokes[(action.spoke, action.account)]
        old = acct.positions.get(action.market, Position(0, 0))
        if acct.frozen and not is_risk_reducing(old.qty, action.qty):
            return f"risk-increasing trade on {action.spoke} after its margin call"
    return None


def replay_has_no_effect(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-AMO-1 (step part): delivering a message already delivered is rejected and
    changes no state."""
    if not isinstance(action, Deliver) or action.message_id not in pre.network.delivered:
        return None
    if outcome.status != "rejected" or post != pre:
        return f"message {action.message_id} delivered again took effect ({outcome.status})"
    return None


def deadline_fixed(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-LIVE-1 (step part): a liquidation declared now ends its wait at now plus the
    deadline parameter, and no step moves the deadline of a liquidation that runs on."""
    for account, before in pre.hub.status.items():
        after = post.hub.status[account]
        if not after.liquidating:
            continue
        if before.liquidating and after.epoch == before.epoch:
            if after.deadline != before.deadline:
                return f"{action.type} moved {account}'s deadline"
        elif after.deadline != pre.oracle.now + pre.params.liquidation_deadline_s:
            return f"{account}'s liquidation got deadline {after.deadline}"
    return None


def silent_cost_isolated(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-LIVE-3: a force-settle moves no other account's allocations and no partition but
    those of the spokes it severs, each by at most the allocation it loses."""
    if not isinstance(action, ForceSettle) or not outcome.accepted:
        return None
    cut = {s for a, s in post.hub.severed - pre.hub.severed}
    for (account, spoke), alloc in pre.hub.alloc.items():
        if post.hub.alloc[(account, spoke)] != alloc and spoke not in cut:
            return f"force-settle of {action.account} moved alloc[{account},{spoke}]"
    for spoke in (s.id for s in pre.params.spokes):
        paid = post.ghost.paid[spoke] - pre.ghost.paid[spoke]
        if spoke in cut:
            if paid > pre.hub.alloc[(action.account, spoke)]:
                return f"force-settle paid {spoke} more than its allocation"
        elif paid or post.hub.socialized[spoke] != pre.hub.socialized[spoke]:
            return f"force-settle of {action.account} charged {spoke}, which had answered"
    return None


def no_early_severance(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-LIVE-4: no step severs a pair before its account's deadline, so an answer that
    arrives before it is always counted."""
    for account, spoke in sorted(post.hub.severed - pre.hub.severed):
        if pre.oracle.now < pre.hub.status[account].deadline or not (
            pre.hub.status[account].liquidating
        ):
            return f"{action.type} severed {spoke} from {account} before the deadline"
    return None


def drained_not_fed(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-LIST-1: no step grows an allocation to a spoke that is not listed."""
    for (account, spoke), before in pre.hub.alloc.items():
        if spoke in pre.hub.listing and post.hub.alloc[(account, spoke)] > before:
            return f"{action.type} grew {account}'s allocation to {pre.hub.listing[spoke]} {spoke}"
    return None


def loss_within_rate(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-RATE-1 (step part): for every rate-limited spoke, claimed + bucket level - refill x
    now never grows, so over any window the partition takes at most what the bucket held at
    its start plus the refill over it: at most capacity + refill x elapsed."""
    for spoke in pre.params.spokes:
        if spoke.rate_limit is None:
            continue
        r = spoke.rate_limit.refill_per_s

        def potential(s: State, key: str = spoke.id, r: int = r) -> int:
            return s.ghost.claimed[key] + s.hub.buckets[key] - r * s.oracle.now

        if potential(post) > potential(pre):
            taken = post.ghost.claimed[spoke.id] - pre.ghost.claimed[spoke.id]
            return f"{spoke.id} took {taken} beyond what its bucket allowed"
    return None


def head_never_blocks(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-CHAN-1: on an ordered channel, delivering its head is never rejected, and a head its
    receiver refused leaves flight; whatever the step puts in flight goes behind every message
    already there (ids from the pre-state's next id on), so the messages behind move up one
    place.  (That an accepted or ignored message leaves flight is MSG-10's, checked with
    INV-AMO-1; the proof of INV-CHAN-1 covers both.)"""
    if not isinstance(action, Deliver) or pre.params.channel_ordering != "ordered":
        return None
    envelope = pre.network.in_flight.get(action.message_id)
    if envelope is None or any(
        mid < envelope.id and (e.sender, e.receiver) == (envelope.sender, envelope.receiver)
        for mid, e in pre.network.in_flight.items()
    ):
        return None
    if outcome.status == "rejected":
        return f"the head {action.message_id} of its channel was refused ({outcome.error})"
    refused = outcome.error in (Error.PRICE_UNAVAILABLE, Error.SPOKE_PAUSED, Error.RATE_LIMITED)
    if refused and action.message_id in post.network.in_flight:
        return f"the refused head {action.message_id} of its channel stayed in flight"
    if any(
        m < pre.network.next_id for m in set(post.network.in_flight) - set(pre.network.in_flight)
    ):
        return f"delivering {action.message_id} put a message ahead of older ones"
    return None


def healthy_state(state: State, account: AccountId) -> bool | None:
    """RISK-10: whether the account is healthy (None when a price it needs is missing)."""
    prices = prices_of(state, assets_needed(state, account))
    return None if prices is None else is_healthy(state, account, prices)


def no_surprise_tightening(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
    """INV-NOTICE-1: no step makes a healthy account unhealthy by changing a risk parameter
    unless every parameter it raised was announced at least `notice_s` before."""
    if post.params is pre.params:
        return None
    now, notice = post.oracle.now, pre.params.notice_s
    unannounced = [
        t
        for t in post.hub.applied
        if current_value(post.params, t) > current_value(pre.params, t)
        and ((c := pre.hub.scheduled.get(t)) is None or c.announced_at + notice > now)
    ]
    if not unannounced:
        return None
    for account in pre.params.accounts:
        if healthy_state(pre, account) and healthy_state(post, account) is False:
            return f"{action.type} made {account} unhealthy by {unannounced} without notice"
    return None


STEP_INVARIANTS: dict[str, StepInvariant] = {
    "INV-ATOMIC-1": atomic_rejection,
    "INV-CREDIT-2": capacity_at_commit,
    "INV-LIQ-1": frozen_means_frozen,
    "INV-AMO-1": replay_has_no_effect,
    "INV-LIVE-1": deadline_fixed,
    "INV-LIVE-3": silent_cost_isolated,
    "INV-LIVE-4": no_early_severance,
    "INV-LIST-1": drained_not_fed,
    "INV-RATE-1": loss_within_rate,
    "INV-CHAN-1": head_never_blocks,
    "INV-NOTICE-1": no_surprise_tightening,
}


def quiescent_and_accounted(state: State) -> str | None:
    """INV-LIQ-2: once the network is drained, no liquidation is still running, and every
    spoke that follows its rules holds exactly the exposure and credit the hub accounts for."""
    for account, status in state.hub.status.items():
        if status.liquidating:
            return f"{account} still liquidating, waiting on {sorted(status.pending)}"
    for (spoke, account), acct in state.spokes.items():
        if spoke in state.ghost.compromised or (account, spoke) in state.hub.severed:
            continue  # LIVE-5: the hub no longer follows a severed pair
        report = state.hub.reports[(account, spoke)]
        if dict(report.positions) != dict(acct.positions) or report.balance != acct.balance:
            return f"{spoke} holds exposure for {account} the hub has not been told of"
        if acct.line != state.hub.alloc[(account, spoke)]:
            return f"{spoke} line for {account} differs from the hub's allocation"
    return None


def quiescent_despite_compromised(state: State) -> str | None:
    """INV-LIQ-2 with compromised spokes about: once the network is drained, a liquidation
    still running waits only on compromised spokes (one that broke its rules can spoil or
    withhold its answer, and nothing in the protocol times it out), and every spoke that
    follows its rules holds exactly the exposure and credit the hub accounts for."""
    compromised = state.ghost.compromised
    for account, status in state.hub.status.items():
        honest_pending = status.pending - compromised
        if status.liquidating and honest_pending:
            return f"{account} still liquidating, waiting on {sorted(honest_pending)}"
    calm = {a: AccountStatus(epoch=s.epoch) for a, s in state.hub.status.items()}
    return quiescent_and_accounted(replace(state, hub=replace(state.hub, status=calm)))


def check_state(state: State) -> list[tuple[str, str]]:
    """Every state invariant that fails, as (id, what broke)."""
    return [(i, m) for i, f in STATE_INVARIANTS.items() if (m := f(state)) is not None]


def broken_step_invariants(
    pre: State, action: Action, post: State, outcome: Outcome
) -> list[tuple[str, str]]:
    """Every step invariant that fails, as (id, what broke)."""
    return [
        (i, m)
        for i, f in STEP_INVARIANTS.items()
        if (m := f(pre, action, post, outcome)) is not None
    ]


def check_step(pre: State, action: Action, post: State, outcome: Outcome) -> list[tuple[str, str]]:
    """Every step invariant that fails, and every state invariant broken by `post`."""
    return broken_step_invariants(pre, action, post, outcome) + check_state(post)
