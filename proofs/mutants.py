"""Broken transitions: each a plausible bug in a hub/spoke system, each of which must make
at least one named obligation fail (tests/test_proofs.py asserts which).

A mutant replaces one kind's transition in the table the obligations use; the
model is untouched.  These are the proofs' own mutation tests: an obligation
that no mutant can break would be suspicious.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import z3

from proofs.state import Expr, SymState, spoke_allocation, total
from proofs.transitions import KINDS, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.delivery import (
    PAYLOAD_FIELDS,
    endpoints,
    receive,
)
from proofs.transitions.ledger import pay_loss
from proofs.transitions.network import consume, send
from proofs.transitions.outcome import Result, Rules, unless_rejected
from proofs.transitions.risk import below_initial, collateral_value, free_capacity
from proofs.transitions.spoke import receive_margin_call
from spec.errors import Error

Act = Mapping[str, Any]


def grant_ignores_in_flight(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """Free capacity counts the spokes' credit lines, not the hub's allocations: credit in
    flight backs a second grant."""
    a, s, amount = act["account"], act["spoke"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(pre.liquidating[a], Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["recent"]), Error.REPORT_TOO_OLD)
    lines = total(pre.line[(p, a)] for p in pre.u.spokes)
    free = collateral_value(ctx, pre, a) + inp["reported_loss"] - lines - inp["buffer"]
    rules.reject_if(amount > free, Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(below_initial(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(spoke_allocation(pre, s) + amount > pre.cap[s], Error.PARTITION_CAP)
    post = rules.pre.add("alloc", (a, s), amount).add("granted", s, amount)
    post = send(post, "hub", s, "CreditGrant", a, amount=amount, epoch=pre.epoch[a])
    return rules.accept(post)


def grant_cap_against_all_caps(
    ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]
) -> Result:
    """The partition cap is checked against the total of every spoke's cap."""
    a, s, amount = act["account"], act["spoke"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(pre.liquidating[a], Error.ACCOUNT_LIQUIDATING)
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["recent"]), Error.REPORT_TOO_OLD)
    rules.reject_if(amount > free_capacity(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(below_initial(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    all_caps = total(pre.cap[p] for p in pre.u.spokes)
    rules.reject_if(spoke_allocation(pre, s) + amount > all_caps, Error.PARTITION_CAP)
    post = rules.pre.add("alloc", (a, s), amount).add("granted", s, amount)
    post = send(post, "hub", s, "CreditGrant", a, amount=amount, epoch=pre.epoch[a])
    return rules.accept(post)


def grant_while_liquidating(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """The hub forgets the freeze: it grants to a liquidating account."""
    a, s, amount = act["account"], act["spoke"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["recent"]), Error.REPORT_TOO_OLD)
    rules.reject_if(amount > free_capacity(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(below_initial(ctx, pre, a, inp), Error.INSUFFICIENT_CAPACITY)
    rules.reject_if(spoke_allocation(pre, s) + amount > pre.cap[s], Error.PARTITION_CAP)
    post = rules.pre.add("alloc", (a, s), amount).add("granted", s, amount)
    post = send(post, "hub", s, "CreditGrant", a, amount=amount, epoch=pre.epoch[a])
    return rules.accept(post)


def release_without_debit(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """The spoke sends the release (the hub will credit it) before debiting its line:
    the same credit is spendable on the spoke and free again at the hub."""
    s, a, amount = act["spoke"], act["account"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(amount > pre.line[(s, a)], Error.INSUFFICIENT_CREDIT)
    rules.reject_if(z3.Not(inp["live"]), Error.PRICE_UNAVAILABLE)
    rules.reject_if(z3.Not(inp["margin_ok"]), Error.INSUFFICIENT_MARGIN)
    return rules.accept(send(rules.pre, s, "hub", "CreditRelease", a, amount=amount))


def ignoring_margin_calls(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """The spoke answers the margin call but does not freeze the account."""
    res = receive_margin_call(ctx, state, spoke, msg)
    key = (spoke, msg["account"])
    post = res.post.set("frozen", key, state.frozen[key])
    return Result(post, res.status, res.error)


def claim_unbounded(ctx: Ctx, state: SymState, spoke: str, msg: Act) -> Result:
    """A loss claim is paid without checking the allocation it draws on."""
    a, amount = msg["account"], msg["amount"]
    rules = Rules(state)
    rules.reject_if(state.paused[spoke], Error.SPOKE_PAUSED)
    post = rules.pre.add("alloc", (a, spoke), -amount).add("claimed", spoke, amount)
    return rules.accept(pay_loss(ctx, post, a, spoke, amount))


def with_handler(name: str, handler: Any) -> Transition:
    """`deliver` and `inject` with one receiver's rule replaced."""
    from proofs.transitions import delivery

    def receive_mutated(
        ctx: Ctx, state: SymState, sender: str, receiver: str, act: Act, inp: Any
    ) -> Result:
        if act["kind"] == name:
            msg = delivery.payload(act, inp)
            where = receiver if act["kind"] in ("CreditGrant", "MarginCall") else sender
            result: Result = handler(ctx, state, where, msg)
            return result
        return receive(ctx, state, sender, receiver, act, inp)

    def deliver_mutated(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
        mid = act["id"]
        rules = Rules(pre)
        rules.reject_if(pre.delivered[()][mid], Error.ALREADY_DELIVERED)
        rules.reject_if(z3.Not(pre.inflight[()][mid]), Error.UNKNOWN_MESSAGE)
        sender, receiver = endpoints(act)
        fields = {f: act[f] for f in PAYLOAD_FIELDS[act["kind"]]}
        consumed = consume(rules.pre, mid, sender, receiver, act["kind"], act["account"], fields)
        inner = receive_mutated(ctx, consumed, sender, receiver, act, inp)
        return rules.finish(unless_rejected(rules.pre, inner))

    return deliver_mutated


def replay_accepted(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """Delivery does not check the delivered set: a replayed message takes effect again."""
    mid = act["id"]
    rules = Rules(pre)
    rules.reject_if(
        z3.Not(z3.Or(pre.inflight[()][mid], pre.delivered[()][mid])), Error.UNKNOWN_MESSAGE
    )
    sender, receiver = endpoints(act)
    fields = {f: act[f] for f in PAYLOAD_FIELDS[act["kind"]]}
    consumed = consume(rules.pre, mid, sender, receiver, act["kind"], act["account"], fields)
    inner = receive(ctx, consumed, sender, receiver, act, inp)
    return rules.finish(unless_rejected(rules.pre, inner))


@dataclass(frozen=True)
class Mutant:
    name: str
    doc: str
    replaces: Mapping[str, Transition]
    breaks: tuple[str, ...]
    """Obligations at least one of which must fail (the test asserts all of these fail)."""


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "grant-ignores-in-flight",
        grant_ignores_in_flight.__doc__ or "",
        {"GrantCredit": grant_ignores_in_flight},
        ("capacity-at-commit/step/GrantCredit",),
    ),
    Mutant(
        "release-without-debit",
        release_without_debit.__doc__ or "",
        {"ReleaseCredit": release_without_debit},
        ("credit-conservation/step/ReleaseCredit",),
    ),
    Mutant(
        "spoke-ignores-margin-call",
        ignoring_margin_calls.__doc__ or "",
        {"DeliverCall": with_handler("MarginCall", ignoring_margin_calls)},
        ("liquidation-freeze/step/DeliverCall",),
    ),
    Mutant(
        "cap-against-all-caps",
        grant_cap_against_all_caps.__doc__ or "",
        {"GrantCredit": grant_cap_against_all_caps},
        ("partition-caps/step/GrantCredit",),
    ),
    Mutant(
        "grant-while-liquidating",
        grant_while_liquidating.__doc__ or "",
        {"GrantCredit": grant_while_liquidating},
        ("liquidation-freeze/step/GrantCredit", "frozen-means-frozen/step/GrantCredit"),
    ),
    Mutant(
        "replay-accepted",
        replay_accepted.__doc__ or "",
        {"DeliverGrant": replay_accepted, "DeliverRelease": replay_accepted},
        ("at-most-once/safety/DeliverGrant", "at-most-once/safety/DeliverRelease"),
    ),
    Mutant(
        "claim-unbounded",
        claim_unbounded.__doc__ or "",
        {"DeliverClaim": with_handler("LossClaim", claim_unbounded)},
        ("no-negative-balances/step/DeliverClaim",),
    ),
)
MUTANT_BY_NAME: dict[str, Mutant] = {m.name: m for m in MUTANTS}


@cache
@cache
def transitions(mutant: str | None = None) -> Mapping[str, Transition]:
    """The transition table, with a mutant's replacements if one is named (one table per
    mutant, so what is built from a table can be reused)."""
    table: dict[str, Transition] = {k.name: k.fn for k in KINDS}
    if mutant is not None:
        table |= MUTANT_BY_NAME[mutant].replaces
    return table
