"""The goals of the flows' step obligations: top-up calls and payouts (FLOW-CALL-2..4,
FLOW-PAY-2).

Each is a goal over one step of one kind, with a vacuity witness of its own where
"the step is accepted" would be too weak (a `Liquidate` accepted only because it opened
a call says nothing about the window).  `flow_obligations` turns them into obligations.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import z3

from proofs.obligations import Obligation, kinds_named
from proofs.premises import Query, step_queries
from proofs.state import Expr, SymState, Universe
from proofs.transitions import Kind, Transition
from proofs.transitions.outcome import Result

Goal = Callable[[SymState, Result, Mapping[str, Any], Mapping[str, Expr]], Expr]


@dataclass(frozen=True)
class FlowGoal:
    name: str
    requirement: str
    kinds: tuple[str, ...]
    goal: Goal
    witness: Goal | None
    mentions: tuple[str, ...]


def liquidation_waits_for_the_window(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """FLOW-CALL-2: a liquidation starts only after the call's window has passed, or at once
    below the call floor."""
    a = act["account"]
    started = z3.And(res.accepted, res.post.liquidating[a])
    if pre.u.top_up_window_s == 0:
        return z3.BoolVal(True)
    waited = z3.And(pre.called[a], pre.now[()] >= pre.called_at[a] + pre.u.top_up_window_s)
    return z3.Implies(started, z3.Or(inp["deep"], waited))


def started_after_a_call(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """Witness: a liquidation started after a call whose window passed, not below the floor."""
    a = act["account"]
    return z3.And(res.accepted, res.post.liquidating[a], pre.called[a], z3.Not(inp["deep"]))


def no_credit_out_under_a_call(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """FLOW-CALL-4: no grant or withdrawal is accepted while a call is open."""
    return z3.Implies(res.accepted, z3.Not(pre.called[act["account"]]))


def a_healthy_deposit_meets_the_call(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """FLOW-CALL-3: a deposit after which the account is healthy closes its call."""
    healthy = z3.And(res.accepted, inp["live"], inp["healthy"])
    return z3.Implies(healthy, z3.Not(res.post.called[act["account"]]))


def call_met_by_a_deposit(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """Witness: a deposit into an account under a call that leaves it healthy."""
    return z3.And(res.accepted, pre.called[act["account"]], inp["live"], inp["healthy"])


def payout_within_owed(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """FLOW-PAY-2: a payout takes exactly its amount out of the hub's tokens and out of what
    the named partition is owed of the asset, never below zero, and moves nothing else that
    belongs to a partition."""
    s, x, amount = act["spoke"], act["asset"], act["amount"]
    post = res.post
    others = [post.owed[key] == pre.owed[key] for key in pre.u.keys("sx") if key != (s, x)]
    ghosts = [post.get(n)[p] == pre.get(n)[p] for n in ("paid", "claimed") for p in pre.u.spokes]
    exact = z3.And(
        post.owed[(s, x)] == pre.owed[(s, x)] - amount,
        post.tokens[x] == pre.tokens[x] - amount,
        post.owed[(s, x)] >= 0,
    )
    return z3.Implies(res.accepted, z3.And(exact, *others, *ghosts))


FLOW_GOALS: tuple[FlowGoal, ...] = (
    FlowGoal(
        "call-window",
        "FLOW-CALL-2",
        ("Liquidate",),
        liquidation_waits_for_the_window,
        started_after_a_call,
        ("called", "called_at", "now", "liquidating"),
    ),
    FlowGoal(
        "call-freezes-credit",
        "FLOW-CALL-4",
        ("GrantCredit", "Withdraw"),
        no_credit_out_under_a_call,
        None,
        ("called",),
    ),
    FlowGoal(
        "call-met",
        "FLOW-CALL-3",
        ("Deposit",),
        a_healthy_deposit_meets_the_call,
        call_met_by_a_deposit,
        ("called", "called_at", "collateral"),
    ),
    FlowGoal(
        "payout-within-owed",
        "FLOW-PAY-2",
        ("PayOut",),
        payout_within_owed,
        None,
        ("owed", "tokens"),
    ),
)


def flow_step(flow: FlowGoal, kind: Kind) -> Obligation:
    """FLOW-CALL-2..4, FLOW-PAY-2: a flow's goal over one step, with its own vacuity witness
    (if it has one) beside the step being accepted."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(u, table, kind, flow.goal):
            if flow.witness is not None:
                assert q.pre is not None and q.result is not None
                q = replace(q, witness=flow.witness(q.pre, q.result, q.act, q.inputs))
            out.append(q)
        return out

    return Obligation(
        f"{flow.name}/step/{kind.name}", flow.requirement, "step", queries, flow.mentions
    )


def flow_obligations() -> list[Obligation]:
    """Every flow goal over every step of its kinds, and partial liquidation's
    (`proofs.partial`)."""
    from proofs.partial import partial_obligations  # it builds on this module's pieces

    return [flow_step(f, k) for f in FLOW_GOALS for k in kinds_named(*f.kinds)] + list(
        partial_obligations()
    )
