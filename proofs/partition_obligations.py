"""The partition and insurance obligations: what a spoke can take stays within its own share.

- `partition-isolation/step/Inject*` (INV-PART-2): whatever a compromised spoke
  injects, no other spoke's partition moves, and what is paid towards its own is at
  most the allocation it gives up;
- `partition-caps/safety` (INV-PART-1) and `partition-bound/safety` (INV-PART-2): the
  state predicates those step properties are strengthenings of;
- `insurance-bound-STRUCTURE/init|step/*` (INV-INS-1): under an insurance structure
  with limits, every partition's draws stay within its own fund or its share.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import z3

from proofs.invariants import draws_within_limits, honest
from proofs.obligations import Obligation, stepwise
from proofs.premises import Query, init_constraints, step_queries
from proofs.state import Expr, SymState, Universe, fresh, spoke_allocation, total
from proofs.transitions import Kind, Transition
from proofs.transitions.outcome import Result
from spec.bounds import HUB

PARTITION_FIELDS = ("owed", "paid", "claimed", "socialized", "released", "granted", "drawn")


def sent_by_a_spoke(ids: Mapping[str, str]) -> bool:
    """The injection's sender is a spoke (what a compromised spoke can send)."""
    return ids["sender"] != HUB


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

    mentions = ("alloc", "paid", "owed", "claimed")
    return stepwise("partition-isolation", "INV-PART-2", kind, goal, mentions, sent_by_a_spoke)


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
