"""What a proof obligation is, and the families of them that judge one step or one state.

An `Obligation` is a name (`invariant/part/kind`), the spec id it checks, and the Z3
queries that check it (`proofs.premises` builds their premises; `proofs.checking` asks
Z3).  The families here: an invariant at genesis and after every step kind; the
single-step properties capacity-at-commit (INV-CREDIT-2), frozen-means-frozen
(INV-LIQ-1), atomic-rejection (INV-ATOMIC-1), drained-not-fed (INV-LIST-1),
at-most-once (INV-AMO-1) and price-independence (PROOF-PRICE-4); and the safety
properties of one state no-double-spend (INV-CREDIT-1) and hub-solvent (INV-ASSET-1).
The partition and insurance bounds are in `proofs.partition_obligations`, liveness in
`proofs.liveness`, channels in `proofs.channel_obligations`; `proofs.catalogue` lists
them all in report order.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import z3

from proofs.invariants import (
    Invariant,
    followed,
    in_flight,
)
from proofs.premises import (
    Goal,
    Query,
    init_constraints,
    state_query,
    step_queries,
    symbolic_action,
)
from proofs.prices import independence_queries, moved
from proofs.state import (
    LISTED,
    Expr,
    SymState,
    Universe,
    equal,
    fresh,
    total,
)
from proofs.transitions import KIND_BY_NAME, Kind, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import REJECTED, Result, error_code
from proofs.transitions.risk import free_capacity
from proofs.universe import price_bounds
from spec.errors import Error

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


def stepwise(
    name: str,
    invariant: str,
    kind: Kind,
    goal: Goal,
    mentions: tuple[str, ...] = (),
    combo_filter: Callable[[Mapping[str, str]], bool] = lambda ids: True,
) -> Obligation:
    """`name/step/KIND`: `goal` holds after every step of `kind` from a state within the
    invariants (for the id combinations `combo_filter` keeps)."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return step_queries(u, table, kind, goal, combo_filter)

    return Obligation(f"{name}/step/{kind.name}", invariant, "step", queries, mentions)


def capacity_at_commit(kind: Kind) -> Obligation:
    """INV-CREDIT-2: an accepted grant or withdrawal leaves free capacity >= 0 after it, at
    the prices the step saw (any, PROOF-PRICE-1)."""

    def goal(
        pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr], ctx: Ctx
    ) -> Expr:
        after = free_capacity(ctx, res.post, act["account"], inp)
        return z3.Implies(res.accepted, after >= 0)

    return stepwise("capacity-at-commit", "INV-CREDIT-2", kind, goal, ("alloc", "collateral"))


def frozen_means_frozen(kind: Kind) -> Obligation:
    """INV-LIQ-1 (step part): no grant or withdrawal while liquidating; no risk-increasing
    trade on a spoke that has obeyed the margin call."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        if kind.name == "Trade":
            key = (act["spoke"], act["account"])
            increasing = z3.Not(inp["reducing"])
            return z3.Implies(z3.And(res.accepted, increasing), z3.Not(pre.frozen[key]))
        return z3.Implies(res.accepted, z3.Not(pre.liquidating[act["account"]]))

    return stepwise(
        "frozen-means-frozen",
        "INV-LIQ-1",
        kind,
        goal,
        ("liquidating", "frozen", "called_epoch", "epoch"),
    )


def atomic_rejection(kind: Kind) -> Obligation:
    """INV-ATOMIC-1: a rejected step changes no state."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        return z3.Implies(res.rejected, equal(res.post, pre))

    return stepwise("atomic-rejection", "INV-ATOMIC-1", kind, goal)


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

    return stepwise("drained-not-fed", "INV-LIST-1", kind, goal, ("listing", "alloc"))


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


def hub_solvent(s: SymState) -> Expr:
    """INV-ASSET-1 => the hub's tokens cover the insurance fund and all it owes to spokes."""
    return z3.And(
        [
            s.tokens[x] >= s.insurance[x] + total(s.owed[(p, x)] for p in s.u.spokes)
            for x in s.u.assets
        ]
    )
