"""Broken rules: each a plausible bug in a hub/spoke system, each of which must make at
least one named obligation fail (tests/test_proofs.py asserts which).

A mutant is the encoding as it is with one named guard or helper replaced (a `Patch`,
`proofs.patches`) while the transitions of the kinds it names are built; the model is
untouched, and no transition is copied, so a mutant keeps every other change of the
rule it mutates.  These are the proofs' own mutation tests: an obligation that no
mutant can break would be suspicious.  tests/test_mutant_patches.py checks that every
mutant still differs from the code it mutates.
"""

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import z3

import proofs.transitions.delivery as delivery
import proofs.transitions.hub as hub
import proofs.transitions.ledger as ledger
import proofs.transitions.spoke as spoke
from proofs.patches import Patch, under
from proofs.state import Expr, SymState, total
from proofs.transitions import KIND_BY_NAME, KINDS, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import Result
from proofs.transitions.risk import capacity
from proofs.universe import PRICES

Act = Mapping[str, Any]

force_settle = importlib.import_module("proofs.transitions.force_settle")
"""The module (the package re-exports its function under the same name)."""
finality = importlib.import_module("proofs.transitions.finality")


def counted_before_final(state: SymState, sender: str, message_id: Expr) -> Expr:
    """The hub acts on a spoke's message as soon as it is relayed, final or not: a reorg can
    then erase a release the hub already applied."""
    return z3.BoolVal(False)


def rollback_keeps_messages(state: SymState, spoke: str) -> SymState:
    """A reorg restores the spoke's lines but leaves its erased messages in flight: the same
    credit is back on the line and still on its way to the hub."""
    for a in state.u.accounts:
        state = state.set("line", (spoke, a), state.cp_line[(spoke, a)])
    closed: SymState = finality.closed(state, spoke)
    return closed


def free_capacity_of_lines(
    ctx: Ctx, state: SymState, account: str, inp: Mapping[str, Expr]
) -> Expr:
    """Free capacity counts the spokes' credit lines, not the hub's allocations: credit in
    flight backs a second grant."""
    lines = total(state.line[(p, account)] for p in state.u.spokes)
    return capacity(ctx, state, account, inp) - lines - inp["buffer"]


def all_caps(state: SymState, spoke: str) -> Expr:
    """The partition cap is checked against the total of every spoke's cap."""
    return total(state.cap[p] for p in state.u.spokes)


def never_frozen(state: SymState, account: str) -> Expr:
    """The hub forgets the freeze: it grants to a liquidating account."""
    return z3.BoolVal(False)


def line_kept(state: SymState, spoke: str, account: str, amount: Expr) -> SymState:
    """The spoke sends the release (the hub will credit it) without debiting its line: the
    same credit is spendable on the spoke and free again at the hub."""
    return state


def obeyed_without_freeze(ctx: Ctx, state: SymState, at: str, msg: Act) -> Result:
    """The spoke answers the margin call but does not freeze the account."""
    res = spoke.receive_margin_call(ctx, state, at, msg)
    key = (at, msg["account"])
    return Result(res.post.set("frozen", key, state.frozen[key]), res.status, res.error)


def never_delivered(state: SymState, message_id: Expr) -> Expr:
    """Delivery does not check the delivered set: a replayed message takes effect again."""
    return z3.BoolVal(False)


def in_flight_or_delivered(state: SymState, message_id: Expr) -> Expr:
    """A delivered id counts as in flight (so a replay is not unknown either)."""
    return z3.Or(state.inflight[()][message_id], state.delivered[()][message_id])


def within_any_allocation(state: SymState, account: str, spoke: str, amount: Expr) -> Expr:
    """A loss claim is paid without checking the allocation it draws on."""
    return z3.BoolVal(False)


def deadline_always_passed(state: SymState, account: str) -> Expr:
    """A keeper may force-settle as soon as the liquidation starts: a spoke that would have
    answered in time is severed and charged its whole allocation."""
    return z3.BoolVal(False)


def no_charge(state: SymState, spoke: str, loss: Expr) -> SymState:
    """An accepted loss claim is not charged to the spoke's bucket: the rate limit checks a
    level that never drops."""
    return state


def stays_at_head(
    state: SymState,
    message_id: Expr,
    sender: str,
    receiver: str,
    kind: str,
    account: str,
    f: Mapping[str, Expr],
) -> SymState:
    """A refused head stays where it is: its channel is blocked until the receiver takes it."""
    return state


@dataclass(frozen=True)
class Mutant:
    name: str
    doc: str
    kinds: tuple[str, ...]
    """The kinds whose transitions are built with the patches applied."""
    patches: tuple[Patch, ...]
    breaks: tuple[str, ...]
    """Obligations at least one of which must fail (the test asserts all of these fail)."""

    @property
    def replaces(self) -> Mapping[str, Transition]:
        """Each named kind's transition, run with the patches applied."""
        return {k: under(self.patches, KIND_BY_NAME[k].fn) for k in self.kinds}


def mutant(name: str, kinds: tuple[str, ...], breaks: tuple[str, ...], *patches: Patch) -> Mutant:
    return Mutant(name, patches[0].replacement.__doc__ or "", kinds, patches, breaks)


def waits_in_a_crash(ctx: Ctx, state: SymState, account: str) -> Expr:
    """The hub makes a loss claim or a liquidation answer wait while ETH trades below its
    usual level (a "crash breaker"), not only when a price is missing: whether liquidation
    completes then depends on the price level, exactly when it matters, and the BMC's one
    price vector no longer stands for all (PROOF-PRICE-4)."""
    eth = ctx.prices.get("ETH")
    crashed = z3.BoolVal(False) if eth is None else eth < PRICES["ETH"]
    return z3.Or(ledger.seizure_unpriced(ctx, state, account), crashed)


MUTANTS: tuple[Mutant, ...] = (
    mutant(
        "grant-ignores-in-flight",
        ("GrantCredit",),
        ("capacity-at-commit/step/GrantCredit",),
        Patch(hub, "free_capacity", free_capacity_of_lines),
    ),
    mutant(
        "release-without-debit",
        ("ReleaseCredit",),
        ("credit-conservation/step/ReleaseCredit",),
        Patch(spoke, "debit_line", line_kept),
    ),
    mutant(
        "spoke-ignores-margin-call",
        ("DeliverCall",),
        ("liquidation-freeze/step/DeliverCall",),
        Patch(delivery.AT_SPOKE, "MarginCall", obeyed_without_freeze),
    ),
    mutant(
        "cap-against-all-caps",
        ("GrantCredit",),
        ("partition-caps/step/GrantCredit",),
        Patch(hub, "partition_cap", all_caps),
    ),
    mutant(
        "grant-while-liquidating",
        ("GrantCredit",),
        ("liquidation-freeze/step/GrantCredit", "frozen-means-frozen/step/GrantCredit"),
        Patch(hub, "frozen_for_credit", never_frozen),
    ),
    mutant(
        "replay-accepted",
        ("DeliverGrant", "DeliverRelease"),
        ("at-most-once/safety/DeliverGrant", "at-most-once/safety/DeliverRelease"),
        Patch(delivery, "already_delivered", never_delivered),
        Patch(delivery, "in_flight", in_flight_or_delivered),
    ),
    mutant(
        "claim-waits-in-a-crash",
        ("DeliverClaim",),
        ("price-independence/step/DeliverClaim",),
        Patch(hub, "seizure_unpriced", waits_in_a_crash),
    ),
    mutant(
        "claim-unbounded",
        ("DeliverClaim", "InjectClaim"),
        ("no-negative-balances/step/DeliverClaim",),
        Patch(hub, "exceeds_allocation", within_any_allocation),
    ),
    mutant(
        "force-settle-ignores-deadline",
        ("ForceSettle",),
        ("no-early-severance/step/ForceSettle",),
        Patch(force_settle, "before_deadline", deadline_always_passed),
    ),
    mutant(
        "claim-skips-bucket",
        ("DeliverClaim", "InjectClaim"),
        ("loss-rate/step/DeliverClaim", "loss-rate/step/InjectClaim"),
        Patch(hub, "charge", no_charge),
    ),
    mutant(
        "hub-counts-unfinal",
        ("DeliverRelease",),
        ("segment-accounted/step/DeliverRelease",),
        Patch(delivery, "not_final", counted_before_final),
    ),
    mutant(
        "reorg-keeps-messages",
        ("Reorg",),
        ("finality-safe/step/Reorg",),
        Patch(finality, "roll_back", rollback_keeps_messages),
    ),
    mutant(
        "failed-head-blocks",
        ("DeliverClaim", "DeliverCall"),
        ("channel-progress/step/DeliverClaim", "channel-progress/step/DeliverCall"),
        Patch(delivery, "requeue", stays_at_head),
    ),
)
MUTANT_BY_NAME: dict[str, Mutant] = {m.name: m for m in MUTANTS}


@cache
def transitions(mutant: str | None = None) -> Mapping[str, Transition]:
    """The transition table, with a mutant's replacements if one is named (one table per
    mutant, so what is built from a table can be reused)."""
    table: dict[str, Transition] = {k.name: k.fn for k in KINDS}
    if mutant is not None:
        table |= MUTANT_BY_NAME[mutant].replaces
    return table
