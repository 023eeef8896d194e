"""The premises of the proof obligations: actions as symbols, what can be in flight, the
initial state, and the queries (premises, goal, vacuity witness) each obligation asks.

An obligation's step queries share one symbolic pre-state and the conjunction of all
invariants over it (`invariant_premise`), and one symbolic step per kind and ids
(`symbolic_step`); `proofs.obligations` names the goals, `proofs.checking` asks Z3.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import z3

from proofs.invariants import all_invariants, honest
from proofs.state import (
    LISTED,
    UNLISTED,
    Expr,
    SymState,
    Universe,
    fresh,
)
from proofs.transitions import Bound, Kind, Transition
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import ACCEPTED, Result
from proofs.universe import price_bounds, price_contexts, reads_prices
from spec.bounds import HUB


@dataclass(frozen=True)
class Query:
    """One solver question: premises, goal, and what a counterexample should show."""

    premises: Expr
    goal: Expr
    witness: Expr  # what the vacuity check asks for besides the premises
    pre: SymState | None = None
    post: SymState | None = None
    result: Result | None = None
    act: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Expr] = field(default_factory=dict)
    kind: str | None = None
    ctx: Ctx | None = None
    """The prices the step sees (PROOF-PRICE-1): a counterexample shows their values."""


# --- actions as symbols -------------------------------------------------------------


def bounded(var: Expr, bound: Bound) -> Expr:
    lo, hi = bound
    parts = []
    if lo is not None:
        parts.append(var >= lo)
    if hi is not None:
        parts.append(var <= hi)
    return z3.And(parts) if parts else z3.BoolVal(True)


def symbolic_action(
    kind: Kind, ids: Mapping[str, str], prefix: str = "act"
) -> tuple[dict[str, Any], dict[str, Expr], Expr]:
    """The kind's parameters and inputs as fresh variables, with their declared bounds."""
    act: dict[str, Any] = dict(ids)
    act["kind"] = kind.message
    inp: dict[str, Expr] = {}
    bounds = []
    for name, bound in kind.params:
        act[name] = z3.Int(f"{prefix}.{name}")
        bounds.append(bounded(act[name], bound))
    for name, bound in kind.ints:
        inp[name] = z3.Int(f"{prefix}.in.{name}")
        bounds.append(bounded(inp[name], bound))
    for name in kind.bools:
        inp[name] = z3.Bool(f"{prefix}.in.{name}")
    return act, inp, z3.And(bounds) if bounds else z3.BoolVal(True)


def id_choices(u: Universe, kind: Kind) -> list[dict[str, str]]:
    """Representative ids: one account and one spoke (they are interchangeable), every
    asset; an injection from the hub or from a spoke, to the hub or to either spoke."""
    choices: list[dict[str, str]] = [{}]
    for role in kind.roles:
        options: tuple[str, ...]
        if role == "account":
            options = u.accounts[:1]
        elif role == "spoke":
            options = u.spokes[:1]
        elif role == "asset":
            options = u.assets
        elif role == "sender":
            options = (HUB, u.spokes[0])
        else:
            options = (HUB, *u.spokes)
        choices = [c | {role: o} for c in choices for o in options]
    return choices


def in_bag(pre: SymState, kind: Kind, act: Mapping[str, Any]) -> Expr:
    """What a message in flight can carry, given the ghost sums: the abstraction's premise.

    A message of a kind is in flight only if its ghost sum holds its credit; one call
    per epoch and spoke; a grant's or call's epoch is at most the account's; an
    honest spoke's live call is the current one and its answer carries its call's
    epoch (the hub waits for it before a new epoch).
    """
    if kind.action != "Deliver":
        return z3.BoolVal(True)
    a, s, mid = act["account"], act["spoke"], act["id"]
    ap, sa = (a, s), (s, a)
    message = kind.message
    facts: list[Expr] = [mid >= 1]
    if message == "CreditGrant":
        e = act["epoch"]
        facts += [
            act["amount"] <= pre.fl_grant[ap],
            e <= pre.epoch[a],
            z3.Implies(e >= pre.epoch[a], pre.hot_grants[a] >= 1),
        ]
    elif message == "MarginCall":
        e = act["epoch"]
        live = z3.And(e == pre.epoch[a], e > pre.called_epoch[sa])
        facts += [
            e >= 1,
            e <= pre.epoch[a],
            z3.Implies(live, pre.n_call[ap] >= 1),
            z3.Implies(z3.And(honest(pre, s), e > pre.called_epoch[sa]), live),
        ]
    elif message == "CreditRelease":
        facts.append(act["amount"] <= pre.fl_release[ap])
        facts += in_segment(pre, act, "seg_release", "fl_release")
    elif message == "LossClaim":
        facts.append(act["amount"] <= pre.fl_claim[ap])
        facts += in_segment(pre, act, "seg_claim", "fl_claim")
    elif message == "ExposureReport":
        facts.append(act["seq"] <= pre.seq[sa])
    elif message == "LiquidationReport":
        carried = act["released"] + act["loss"]
        facts += [
            pre.n_liq[ap] >= 1,
            carried <= pre.fl_liq[ap],
            z3.Implies(pre.n_liq[ap] == 1, carried == pre.fl_liq[ap]),
            act["epoch"] >= 1,
            act["epoch"] <= pre.called_epoch[sa],
            z3.Implies(honest(pre, s), act["epoch"] == pre.called_epoch[sa]),
            act["seq"] <= pre.seq[sa],
        ]
    live_message = z3.And(pre.inflight[()][mid], z3.Not(pre.delivered[()][mid]))
    return z3.Implies(live_message, z3.And(facts))


def in_segment(pre: SymState, act: Mapping[str, Any], segment: str, flight: str) -> list[Expr]:
    """FIN-1: a message of the spoke's segment is part of the segment's sum, any other part of
    the rest of what is in flight (none without a finality delay)."""
    s = act["spoke"]
    if s not in pre.u.finality:
        return []
    ap, amount = (act["account"], s), act["amount"]
    ours = pre.seg_ids[s][act["id"]]
    seg, fl = pre.get(segment)[ap], pre.get(flight)[ap]
    return [z3.If(ours, amount <= seg, amount <= fl - seg)]


def init_constraints(state: SymState) -> Expr:
    """INIT-1: nothing deposited, allocated or in flight; the hub holds the insurance fund."""
    c: list[Expr] = []
    for name, key, term in state.entries():
        if name in ("cap", "insurance", "ins_limit"):
            c.append(term >= 0)
        elif name == "listing":
            c.append(z3.Or(term == LISTED, term == UNLISTED))  # LIST-1: as declared
        elif name == "tokens":
            c.append(term == state.insurance[key])
        elif name == "next_id":
            c.append(term == 1)
        elif name == "bucket":
            c.append(term == state.u.rate.get(key, (0, 0))[0])  # RATE-2: full
        elif name in ("inflight", "delivered", "seg_ids"):
            c.append(term == z3.K(z3.IntSort(), z3.BoolVal(False)))
        elif z3.is_bool(term):
            c.append(z3.Not(term))
        else:
            c.append(term == 0)
    return z3.And(c)


# --- building queries -----------------------------------------------------------------

Goal = Callable[..., Expr]
"""`goal(pre, result, act, inputs)`, or with a fifth parameter `goal(..., ctx)` for a goal
that reads the prices the step saw (INV-CREDIT-2 evaluates capacity at them)."""


def step_contexts(
    u: Universe,
    table: Mapping[str, Transition],
    kind: Kind,
    ids: Mapping[str, str] | None = None,
) -> tuple[Ctx, ...]:
    """PROOF-PRICE-2: the price regimes a step is proved under: every regime if its
    transition reads a price, else the first (all priced; the others would be the same
    query).  For the kind's step with these ids, or with any of its id choices if `ids` is
    None; decided once per transition table, kind, ids and universe."""
    if ids is None:
        return max((step_contexts(u, table, kind, c) for c in id_choices(u, kind)), key=len)
    key = (id(table), kind.name, tuple(sorted(ids.items())), id(u))
    hit = _REGIMES.get(key)
    if hit is not None and hit[0] is table and hit[1] is u:
        return hit[2]
    regimes = price_contexts(u)
    act, inp, _ = symbolic_action(kind, ids)
    pre = fresh(u, "regime")

    def build(ctx: Ctx) -> Result:
        return table[kind.name](ctx, pre, act, inp)

    found = regimes if reads_prices(build, regimes[0]) else regimes[:1]
    _REGIMES[key] = (table, u, found)
    return found


_REGIMES: dict[tuple[Any, ...], tuple[Any, Universe, tuple[Ctx, ...]]] = {}


def step_queries(
    u: Universe,
    table: Mapping[str, Transition],
    kind: Kind,
    goal: Goal,
    combo_filter: Callable[[Mapping[str, str]], bool] = lambda ids: True,
) -> list[Query]:
    queries = []
    with_ctx = len(inspect.signature(goal).parameters) >= 5
    for ids in id_choices(u, kind):
        if not combo_filter(ids):
            continue
        for ctx in step_contexts(u, table, kind, ids):
            pre, invariants = invariant_premise(u)
            act, inp, bounds, res = symbolic_step(table, kind, ids, pre, ctx)
            premises = z3.And(invariants, bounds, price_bounds(ctx), in_bag(pre, kind, act))
            queries.append(
                Query(
                    premises=premises,
                    goal=goal(pre, res, act, inp, ctx) if with_ctx else goal(pre, res, act, inp),
                    witness=res.status == ACCEPTED if kind.takes_effect else z3.BoolVal(True),
                    pre=pre,
                    post=res.post,
                    result=res,
                    act=act,
                    inputs=inp,
                    kind=kind.name,
                    ctx=ctx,
                )
            )
    return queries


_PREMISE: dict[int, tuple[Universe, SymState, Expr]] = {}


def invariant_premise(u: Universe) -> tuple[SymState, Expr]:
    """The pre-state `pre` of every step and safety obligation and the conjunction of all
    invariants over it: the same terms for every obligation, so built once per universe
    (building them is most of the time an obligation takes; solving is the rest)."""
    hit = _PREMISE.get(id(u))
    if hit is None or hit[0] is not u:
        pre = fresh(u, "pre")
        hit = _PREMISE[id(u)] = (u, pre, all_invariants(pre))
    return hit[1], hit[2]


_STEPS: dict[tuple[int, str, tuple[tuple[str, str], ...], int, int], Any] = {}


def symbolic_step(
    table: Mapping[str, Transition],
    kind: Kind,
    ids: Mapping[str, str],
    pre: SymState,
    ctx: Ctx,
) -> tuple[dict[str, Any], dict[str, Expr], Expr, Result]:
    """The kind's symbolic action (parameters, inputs, their bounds) and its transition from
    `pre` at the prices of `ctx`: the same terms for every obligation about that step, so
    built once."""
    key = (id(table), kind.name, tuple(sorted(ids.items())), id(pre), id(ctx))
    hit = _STEPS.get(key)
    if hit is None or hit[0] is not table or hit[1] is not pre or hit[3] is not ctx:
        act, inp, bounds = symbolic_action(kind, ids)
        res = table[kind.name](ctx, pre, act, inp)
        hit = _STEPS[key] = (table, pre, (act, inp, bounds, res), ctx)
    built: tuple[dict[str, Any], dict[str, Expr], Expr, Result] = hit[2]
    return built


def state_query(u: Universe, goal: Callable[[SymState], Expr]) -> list[Query]:
    s, invariants = invariant_premise(u)
    return [Query(invariants, goal(s), z3.BoolVal(True), pre=s, post=s)]
