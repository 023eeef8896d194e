"""The named proof obligations, three-part as Apalache and Certora report them.

For every invariant in `proofs.invariants` (each tagged with its spec id):

- `NAME/init`: the initial state satisfies it (INIT-1 => Inv);
- `NAME/step/KIND`: for every action kind, the conjunction of all invariants, the
  declared bounds and what can be in flight imply it after the step
  (Inv /\\ T_kind => Inv', one sub-obligation per kind);

and the safety properties the invariants are strengthenings of, or that are
about a single step:

- `no-double-spend/safety` (INV-CREDIT-1), `capacity-at-commit/step/*` (INV-CREDIT-2),
  `partition-caps/safety` (INV-PART-1), `partition-bound/safety` and
  `partition-isolation/step/Inject*` (INV-PART-2: whatever a compromised spoke sends
  moves at most its own partition), `hub-solvent/safety` (INV-ASSET-1),
  `frozen-means-frozen/step/*` (INV-LIQ-1), `at-most-once/safety/Deliver*` (INV-AMO-1:
  a delivered id delivered again is rejected), `atomic-rejection/step/*` (INV-ATOMIC-1).

Every obligation is checked as "premises /\\ not goal" (unsat = proved), then for
vacuity as "premises /\\ the step is accepted" (unsat = vacuous, a failure);
`unknown` (the resource limit or the wall-clock safety net reached) is a failure,
never a pass.  Each query is bounded by Z3's resource limit, not by time, so the
verdict is the same on a quiet or a loaded machine (PROOF-BUDGET-1..3, `proofs.budget`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from functools import cache
from typing import Any, Literal

import z3

from proofs.invariants import (
    INVARIANTS,
    Invariant,
    draws_within_limits,
    followed,
    honest,
    in_flight,
)
from proofs.premises import Query, init_constraints, state_query, step_queries, symbolic_action
from proofs.state import (
    LISTED,
    Expr,
    SymState,
    Universe,
    equal,
    fresh,
    spoke_allocation,
    total,
)
from proofs.transitions import KIND_BY_NAME, KINDS, Kind, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import REJECTED, Result, error_code
from proofs.transitions.risk import free_capacity
from proofs.universe import price_bounds
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import HUB_KINDS

Part = Literal["init", "step", "safety"]


@dataclass(frozen=True)
class Obligation:
    name: str
    invariant: str
    part: Part
    queries: Callable[[Universe, Mapping[str, Transition]], list[Query]]
    mentions: tuple[str, ...] = ()
    doc: str = ""


def invariant_step(inv: Invariant, kind: Kind) -> Obligation:
    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, lambda pre, res, act, inp: inv.formula(res.post))

    return Obligation(f"{inv.name}/step/{kind.name}", inv.id, "step", queries, inv.mentions)


def invariant_init(inv: Invariant) -> Obligation:
    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        s = fresh(u, "init")
        return [Query(init_constraints(s), inv.formula(s), z3.BoolVal(True), pre=s, post=s)]

    return Obligation(f"{inv.name}/init", inv.id, "init", queries, inv.mentions)


def kinds_named(*names: str) -> list[Kind]:
    return [KIND_BY_NAME[n] for n in names]


def capacity_at_commit(kind: Kind) -> Obligation:
    """INV-CREDIT-2: an accepted grant or withdrawal leaves free capacity >= 0 after it, at
    the prices the step saw (any, PROOF-PRICE-1)."""

    def goal(
        pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr], ctx: Ctx
    ) -> Expr:
        after = free_capacity(ctx, res.post, act["account"], inp)
        return z3.Implies(res.accepted, after >= 0)

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal)

    return Obligation(
        f"capacity-at-commit/step/{kind.name}",
        "INV-CREDIT-2",
        "step",
        queries,
        ("alloc", "collateral"),
    )


def frozen_means_frozen(kind: Kind) -> Obligation:
    """INV-LIQ-1 (step part): no grant or withdrawal while liquidating; no risk-increasing
    trade on a spoke that has obeyed the margin call."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        if kind.name == "Trade":
            key = (act["spoke"], act["account"])
            increasing = z3.Not(inp["reducing"])
            return z3.Implies(z3.And(res.accepted, increasing), z3.Not(pre.frozen[key]))
        return z3.Implies(res.accepted, z3.Not(pre.liquidating[act["account"]]))

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal)

    return Obligation(
        f"frozen-means-frozen/step/{kind.name}",
        "INV-LIQ-1",
        "step",
        queries,
        ("liquidating", "frozen", "called_epoch", "epoch"),
    )


def atomic_rejection(kind: Kind) -> Obligation:
    """INV-ATOMIC-1: a rejected step changes no state."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        return z3.Implies(res.rejected, equal(res.post, pre))

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal)

    return Obligation(f"atomic-rejection/step/{kind.name}", "INV-ATOMIC-1", "step", queries)


def drained_not_fed(kind: Kind) -> Obligation:
    """INV-LIST-1: no step grows an allocation to a spoke that is not listed (unlisted,
    delisted and being drained, or removed)."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        return z3.And(
            [
                z3.Implies(pre.listing[s] != LISTED, res.post.alloc[(a, s)] <= pre.alloc[(a, s)])
                for s in pre.u.spokes
                for a in pre.u.accounts
            ]
        )

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal)

    return Obligation(
        f"drained-not-fed/step/{kind.name}", "INV-LIST-1", "step", queries, ("listing", "alloc")
    )


STRUCTURES_WITH_LIMITS = ("per_partition", "shared_limited")
"""INS-1: the structures whose bound INV-INS-1 states beyond `drawn >= 0`."""

PAYING_KINDS = (
    "DeliverClaim",
    "InjectClaim",
    "DeliverLiqReport",
    "InjectLiqReport",
    "ForceSettle",
)
"""The kinds whose transition can pay a loss (`pay_loss`; ForceSettle for each silent spoke,
LIVE-3): the only ones that move `drawn`
(every other kind leaves it and `ins_limit` as they were; tests/test_insurance.py)."""


def insurance_bound(kind: Kind, structure: str) -> Obligation:
    """INV-INS-1 under a structure with limits: from any state within the invariants (the
    fund, its seeds and the limits symbolic), a step that pays a loss leaves every
    partition's draws within its own fund or its share."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        v = replace(u, insurance=structure)
        return step_queries(v, table, kind, lambda pre, res, a, i: draws_within_limits(res.post))

    return Obligation(
        f"insurance-bound-{structure}/step/{kind.name}",
        "INV-INS-1",
        "step",
        queries,
        ("drawn", "ins_limit", "socialized", "insurance"),
    )


def insurance_bound_init(structure: str) -> Obligation:
    """INV-INS-1 under a structure with limits holds at genesis (nothing drawn)."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        s = fresh(replace(u, insurance=structure), "init")
        goal = draws_within_limits(s)
        return [Query(init_constraints(s), goal, z3.BoolVal(True), pre=s, post=s)]

    return Obligation(
        f"insurance-bound-{structure}/init", "INV-INS-1", "init", queries, ("drawn", "ins_limit")
    )


PARTITION_FIELDS = ("owed", "paid", "claimed", "socialized", "released", "granted", "drawn")


def partition_isolation(kind: Kind) -> Obligation:
    """INV-PART-2: whatever a compromised spoke injects, no other spoke's partition moves,
    and the value paid towards its own is at most the allocation it gives up."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        s, post = act["sender"], res.post
        others = [o for o in pre.u.spokes if o != s]
        same = []
        for o in others:
            same += [post.alloc[(a, o)] == pre.alloc[(a, o)] for a in pre.u.accounts]
            same += [post.owed[(o, x)] == pre.owed[(o, x)] for x in pre.u.assets]
            same += [post.get(n)[o] == pre.get(n)[o] for n in PARTITION_FIELDS[1:]]
        given_up = spoke_allocation(pre, s) - spoke_allocation(post, s)
        return z3.And(*same, post.paid[s] - pre.paid[s] <= given_up)

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal, lambda ids: ids["sender"] != HUB)

    return Obligation(
        f"partition-isolation/step/{kind.name}",
        "INV-PART-2",
        "step",
        queries,
        ("alloc", "paid", "owed", "claimed"),
    )


def replay_rejected(kind: Kind) -> Obligation:
    """INV-AMO-1: a message that took effect, delivered again, is rejected (ALREADY_DELIVERED)
    and changes nothing, whatever the prices did between the two deliveries (the second sees
    its own, PROOF-PRICE-3)."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(u, table, kind, lambda pre, res, act, inp: z3.BoolVal(True)):
            assert q.result is not None and q.pre is not None
            ids: dict[str, str] = {r: q.act[r] for r in kind.roles}
            again_act, again_inp, bounds = symbolic_action(kind, ids, prefix="again")
            again_act["id"] = q.act["id"]
            assert q.ctx is not None
            from proofs.prices import moved

            again_ctx = moved(q.ctx)
            again = table[kind.name](again_ctx, q.result.post, again_act, again_inp)
            bounds = z3.And(bounds, price_bounds(again_ctx))
            took_effect = q.result.status != REJECTED
            goal = z3.Implies(
                took_effect,
                z3.And(
                    again.status == REJECTED,
                    again.error == error_code(Error.ALREADY_DELIVERED),
                    equal(again.post, q.result.post),
                ),
            )
            out.append(
                Query(
                    z3.And(q.premises, bounds),
                    goal,
                    took_effect,
                    q.pre,
                    q.post,
                    q.result,
                    q.act,
                    q.inputs,
                    q.kind,
                    q.ctx,
                )
            )
        return out

    return Obligation(
        f"at-most-once/safety/{kind.name}",
        "INV-AMO-1",
        "safety",
        queries,
        ("inflight", "delivered", "next_id"),
    )


def price_independence(kind: Kind) -> Obligation:
    """PROOF-PRICE-4: the step has the same effect on what the liquidation BMC follows at
    any two live price vectors (`proofs.prices`), so the BMC may fix one."""
    from proofs.prices import independence_queries

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        ids = {"account": u.accounts[0], "spoke": u.spokes[0]}
        return independence_queries(u, table, kind, {r: ids[r] for r in kind.roles})

    return Obligation(
        f"price-independence/step/{kind.name}",
        "PROOF-PRICE-4",
        "step",
        queries,
        ("alloc", "line", "liquidating", "pending"),
    )


def safety(
    name: str, invariant: str, goal: Callable[[SymState], Expr], mentions: tuple[str, ...]
) -> Obligation:
    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return state_query(u, goal)

    return Obligation(f"{name}/safety", invariant, "safety", queries, mentions)


def no_double_spend(s: SymState) -> Expr:
    """INV-CREDIT-1 => credit spendable on an honest spoke never exceeds what the hub
    counts as allocated (credit in flight is nowhere spendable); a severed pair's line is
    written off (LIVE-3)."""
    return z3.And(
        [
            z3.Implies(
                followed(s, a, p),
                z3.And(s.line[(p, a)] <= s.alloc[(a, p)], in_flight(s, a, p) >= 0),
            )
            for a in s.u.accounts
            for p in s.u.spokes
        ]
    )


def lines_within_cap(s: SymState) -> Expr:
    """INV-PART-1 => the credit lines of an honest spoke sum to at most its cap (lines of
    pairs severed by a force-settle excepted: written off, LIVE-3)."""
    return z3.And(
        [
            z3.Implies(
                honest(s, p),
                total(z3.If(s.severed[(a, p)], 0, s.line[(p, a)]) for a in s.u.accounts)
                <= s.cap[p],
            )
            for p in s.u.spokes
        ]
    )


def paid_within_net_grants(s: SymState) -> Expr:
    """INV-PART-2 => what was ever paid towards a spoke's partition is at most the credit
    granted to it and not given back, whatever it sent."""
    return z3.And(
        [
            z3.And(
                s.paid[p] <= s.granted[p] - s.released[p],
                s.claimed[p] <= s.granted[p] - s.released[p],
            )
            for p in s.u.spokes
        ]
    )


def hub_solvent(s: SymState) -> Expr:
    """INV-ASSET-1 => the hub's tokens cover the insurance fund and all it owes to spokes."""
    return z3.And(
        [
            s.tokens[x] >= s.insurance[x] + total(s.owed[(p, x)] for p in s.u.spokes)
            for x in s.u.assets
        ]
    )


@cache
def all_obligations() -> tuple[Obligation, ...]:
    """Every obligation, in report order."""
    obligations: list[Obligation] = []
    for inv in INVARIANTS:
        obligations.append(invariant_init(inv))
        obligations += [invariant_step(inv, k) for k in KINDS]
    obligations += [capacity_at_commit(k) for k in kinds_named("GrantCredit", "Withdraw")]
    obligations += [frozen_means_frozen(k) for k in kinds_named("GrantCredit", "Withdraw", "Trade")]
    obligations += [
        partition_isolation(k) for k in KINDS if k.action == "Inject" and k.message not in HUB_KINDS
    ]
    obligations += [replay_rejected(k) for k in KINDS if k.action == "Deliver"]
    obligations += [drained_not_fed(k) for k in KINDS]
    for structure in STRUCTURES_WITH_LIMITS:
        obligations.append(insurance_bound_init(structure))
        obligations += [insurance_bound(k, structure) for k in kinds_named(*PAYING_KINDS)]
    obligations += [atomic_rejection(k) for k in KINDS]
    from proofs.liveness import liveness_obligations  # it builds on this module's pieces

    obligations += liveness_obligations()
    obligations += [
        price_independence(k) for k in KINDS if k.action == "Deliver" or k.name == "Liquidate"
    ]
    obligations += [
        safety("no-double-spend", "INV-CREDIT-1", no_double_spend, ("line", "alloc")),
        safety("partition-caps", "INV-PART-1", lines_within_cap, ("line", "cap")),
        safety("partition-bound", "INV-PART-2", paid_within_net_grants, ("paid", "granted")),
        safety("hub-solvent", "INV-ASSET-1", hub_solvent, ("tokens", "owed", "insurance")),
    ]
    from proofs.channel_obligations import channel_obligations  # it builds on this module

    obligations += channel_obligations()
    from proofs.notice_obligations import notice_obligations  # it builds on this module

    obligations += notice_obligations()
    return tuple(obligations)


def obligation(name: str) -> Obligation:
    for o in all_obligations():
        if o.name == name:
            return o
    raise KeyError(name)


def select(patterns: list[str] | None) -> list[Obligation]:
    """Obligations whose name or invariant id matches any glob pattern (or a substring)."""
    every = list(all_obligations())
    if not patterns:
        return every

    def matches(o: Obligation, p: str) -> bool:
        return fnmatchcase(o.name, p) or fnmatchcase(o.invariant, p) or p in o.name

    return [o for o in every if any(matches(o, p) for p in patterns)]
