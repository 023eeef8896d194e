"""The liveness obligations of force-settle (INV-LIVE-1, INV-LIVE-3, INV-LIVE-4), named for
what they protect.  INV-LIVE-2 is a state invariant of `proofs.invariants` and gets its
`init` and `step/*` obligations with the others.

INV-LIVE-1 (every liquidation ends within its deadline plus one step, whatever the spokes
do) is proved by induction over every step kind rather than by unrolling, so it costs a
few small queries and no bound on the number of messages:

- `deadline-set/step/Liquidate`: a declared liquidation's deadline is now + the parameter;
- `deadline-fixed/step/*`: no step of any kind (every delivery and every injection from a
  compromised spoke included) moves the deadline of a liquidation that runs on;
- `liquidation-ends/step/ForceSettle`: from any state satisfying the invariants in which
  the account liquidates and its deadline has passed, `ForceSettle` is accepted and ends
  the liquidation.  Its premises say nothing of the spokes or the network, which is
  "whatever the spokes do" (the proofs' prices are live: LIVE-7).

INV-LIVE-3: `silent-cost-isolated/step/ForceSettle`.  INV-LIVE-4: `answer-kept/step/
DeliverLiqReport` (an honest answer the hub waits on is never ignored) and
`no-early-severance/step/*` (nothing severs a pair before its account's deadline).
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import z3

from proofs.invariants import honest
from proofs.obligations import Obligation
from proofs.partition_obligations import PARTITION_FIELDS
from proofs.premises import Query, step_queries
from proofs.state import Expr, SymState, Universe
from proofs.transitions import KIND_BY_NAME, KINDS, Kind, Transition
from proofs.transitions.outcome import IGNORED, Result

FORCE_SETTLE = KIND_BY_NAME["ForceSettle"]


def step_obligation(
    name: str,
    invariant: str,
    kind: Kind,
    goal: Any,
    mentions: tuple[str, ...],
    given: Any = None,
    live_prices: bool = False,
) -> Obligation:
    """`name/step/KIND`: `goal(pre, res, act, inp)` after one step of `kind`, under the
    invariants (and `given(pre, act)`, an extra premise, if any); with `live_prices`, only in
    the price regime where every asset has a price (LIVE-7, PROOF-PRICE-2)."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(u, table, kind, goal):
            if live_prices and q.ctx is not None and None in q.ctx.prices.values():
                continue
            if given is not None:
                assert q.pre is not None
                extra = given(q.pre, q.act)
                q = replace(q, premises=z3.And(q.premises, extra))
            out.append(q)
        return out

    return Obligation(f"{name}/step/{kind.name}", invariant, "step", queries, mentions)


def deadline_set(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """LIVE-1: an accepted Liquidate that declares the liquidation (not one that only opens a
    top-up call, FLOW-CALL-1) fixes the deadline at now + liquidation_deadline_s."""
    a = act["account"]
    declared = z3.And(res.accepted, res.post.liquidating[a])
    return z3.Implies(declared, res.post.deadline[a] == pre.now[()] + pre.u.deadline_s)


def deadline_fixed(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """INV-LIVE-1: a liquidation that runs on after the step keeps its deadline."""
    post = res.post
    return z3.And(
        [
            z3.Implies(
                z3.And(pre.liquidating[a], post.liquidating[a]),
                post.deadline[a] == pre.deadline[a],
            )
            for a in pre.u.accounts
        ]
    )


def deadline_passed(pre: SymState, act: Mapping[str, Any]) -> Expr:
    """The premise of `liquidation-ends`: the account liquidates and its deadline has come."""
    a = act["account"]
    return z3.And(pre.liquidating[a], pre.now[()] >= pre.deadline[a])


def liquidation_ends(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """INV-LIVE-1: ForceSettle is accepted and the account no longer liquidates."""
    return z3.And(res.accepted, z3.Not(res.post.liquidating[act["account"]]))


def silent_cost_isolated(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """INV-LIVE-3: no other account's allocation moves; a spoke that answered keeps its
    partition as it was; a severed one is paid at most the allocation it loses."""
    a, post = act["account"], res.post
    same = [
        post.alloc[(b, s)] == pre.alloc[(b, s)]
        for b in pre.u.accounts
        if b != a
        for s in pre.u.spokes
    ]
    for s in pre.u.spokes:
        untouched = [post.alloc[(a, s)] == pre.alloc[(a, s)]]
        untouched += [post.owed[(s, x)] == pre.owed[(s, x)] for x in pre.u.assets]
        untouched += [post.get(n)[s] == pre.get(n)[s] for n in PARTITION_FIELDS[1:]]
        bounded = post.paid[s] - pre.paid[s] <= pre.alloc[(a, s)]
        same.append(z3.If(pre.pending[(a, s)], bounded, z3.And(untouched)))
    return z3.Implies(res.accepted, z3.And(same))


def honest_answer_waited_on(pre: SymState, act: Mapping[str, Any]) -> Expr:
    """The premise of `answer-kept`: an honest spoke's answer, really in flight, while the
    hub waits on that spoke."""
    a, s, mid = act["account"], act["spoke"], act["id"]
    live = z3.And(pre.inflight[()][mid], z3.Not(pre.delivered[()][mid]))
    return z3.And(live, honest(pre, s), pre.pending[(a, s)])


def answer_kept(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """INV-LIVE-4: it is accepted, or rejected and left in flight; never ignored."""
    return res.status != IGNORED


def no_early_severance(pre: SymState, res: Result, act: Mapping[str, Any], inp: Any) -> Expr:
    """INV-LIVE-4: a pair is severed only by a step at or after its account's deadline."""
    post = res.post
    return z3.And(
        [
            z3.Implies(
                z3.And(z3.Not(pre.severed[(a, s)]), post.severed[(a, s)]),
                z3.And(pre.liquidating[a], pre.now[()] >= pre.deadline[a]),
            )
            for a in pre.u.accounts
            for s in pre.u.spokes
        ]
    )


def liveness_obligations() -> list[Obligation]:
    """Every obligation of this module, in report order."""
    clock = ("liquidating", "deadline", "now")
    liquidate = KIND_BY_NAME["Liquidate"]
    out = [step_obligation("deadline-set", "INV-LIVE-1", liquidate, deadline_set, clock)]
    out += [
        step_obligation("deadline-fixed", "INV-LIVE-1", k, deadline_fixed, clock) for k in KINDS
    ]
    out.append(
        step_obligation(
            "liquidation-ends",
            "INV-LIVE-1",
            FORCE_SETTLE,
            liquidation_ends,
            clock,
            deadline_passed,
            live_prices=True,
        )
    )
    out.append(
        step_obligation(
            "silent-cost-isolated",
            "INV-LIVE-3",
            FORCE_SETTLE,
            silent_cost_isolated,
            ("alloc", "pending", "paid", "owed", "claimed", "socialized"),
        )
    )
    out.append(
        step_obligation(
            "answer-kept",
            "INV-LIVE-4",
            KIND_BY_NAME["DeliverLiqReport"],
            answer_kept,
            ("pending", "severed", "epoch", "called_epoch", "n_liq"),
            honest_answer_waited_on,
        )
    )
    out += [
        step_obligation(
            "no-early-severance", "INV-LIVE-4", k, no_early_severance, ("severed", *clock)
        )
        for k in KINDS
    ]
    return out
