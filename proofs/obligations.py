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

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from typing import Any, Literal

import z3

from proofs.budget import Answer, Budget, Exhausted, ask, describe
from proofs.invariants import INVARIANTS, Invariant, all_invariants, honest, in_flight
from proofs.state import (
    Expr,
    SymState,
    Universe,
    equal,
    fresh,
    spoke_allocation,
    total,
)
from proofs.transitions import KIND_BY_NAME, KINDS, Bound, Kind, Transition
from proofs.transitions.outcome import ACCEPTED, REJECTED, Result, error_code
from proofs.transitions.risk import free_capacity
from proofs.universe import PROOF_CTX, proof_universe
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import HUB_KINDS

Part = Literal["init", "step", "safety"]
ResultName = Literal["proved", "FAILED", "unknown", "vacuous"]
Value = int | bool | tuple[int, ...]


@dataclass(frozen=True)
class Counterexample:
    """A failed obligation's witness: the step and the values of every encoded field."""

    obligation: str
    invariant: str
    kind: str | None
    ids: Mapping[str, str]
    params: Mapping[str, Value]
    inputs: Mapping[str, Value]
    status: str | None
    error: str | None
    rows: tuple[tuple[str, tuple[str, ...], Value, Value], ...]
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """An obligation's result.  `rlimit` is the most resource one of its queries used;
    `exhausted` says which resource ran out, only for an `unknown` (PROOF-BUDGET-3)."""

    obligation: str
    invariant: str
    part: Part
    result: ResultName
    seconds: float
    detail: str = ""
    counterexample: Counterexample | None = None
    rlimit: int = 0
    exhausted: Exhausted | None = None


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


@dataclass(frozen=True)
class Obligation:
    name: str
    invariant: str
    part: Part
    queries: Callable[[Universe, Mapping[str, Transition]], list[Query]]
    mentions: tuple[str, ...] = ()
    doc: str = ""


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
    elif message == "LossClaim":
        facts.append(act["amount"] <= pre.fl_claim[ap])
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


def init_constraints(state: SymState) -> Expr:
    """INIT-1: nothing deposited, allocated or in flight; the hub holds the insurance fund."""
    c: list[Expr] = []
    for name, key, term in state.entries():
        if name in ("cap", "insurance"):
            c.append(term >= 0)
        elif name == "tokens":
            c.append(term == state.insurance[key])
        elif name == "next_id":
            c.append(term == 1)
        elif name in ("inflight", "delivered"):
            c.append(term == z3.K(z3.IntSort(), z3.BoolVal(False)))
        elif z3.is_bool(term):
            c.append(z3.Not(term))
        else:
            c.append(term == 0)
    return z3.And(c)


# --- building queries -----------------------------------------------------------------

Goal = Callable[[SymState, Result, Mapping[str, Any], Mapping[str, Expr]], Expr]


def step_queries(
    u: Universe,
    table: Mapping[str, Transition],
    kind: Kind,
    goal: Goal,
    combo_filter: Callable[[Mapping[str, str]], bool] = lambda ids: True,
) -> list[Query]:
    queries = []
    for ids in id_choices(u, kind):
        if not combo_filter(ids):
            continue
        pre, invariants = invariant_premise(u)
        act, inp, bounds, res = symbolic_step(table, kind, ids, pre)
        premises = z3.And(invariants, bounds, in_bag(pre, kind, act))
        queries.append(
            Query(
                premises=premises,
                goal=goal(pre, res, act, inp),
                witness=res.status == ACCEPTED if kind.takes_effect else z3.BoolVal(True),
                pre=pre,
                post=res.post,
                result=res,
                act=act,
                inputs=inp,
                kind=kind.name,
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


_STEPS: dict[tuple[int, str, tuple[tuple[str, str], ...], int], Any] = {}


def symbolic_step(
    table: Mapping[str, Transition], kind: Kind, ids: Mapping[str, str], pre: SymState
) -> tuple[dict[str, Any], dict[str, Expr], Expr, Result]:
    """The kind's symbolic action (parameters, inputs, their bounds) and its transition from
    `pre`: the same terms for every obligation about that step, so built once."""
    key = (id(table), kind.name, tuple(sorted(ids.items())), id(pre))
    hit = _STEPS.get(key)
    if hit is None or hit[0] is not table or hit[1] is not pre:
        act, inp, bounds = symbolic_action(kind, ids)
        res = table[kind.name](PROOF_CTX, pre, act, inp)
        hit = _STEPS[key] = (table, pre, (act, inp, bounds, res))
    built: tuple[dict[str, Any], dict[str, Expr], Expr, Result] = hit[2]
    return built


def state_query(u: Universe, goal: Callable[[SymState], Expr]) -> list[Query]:
    s, invariants = invariant_premise(u)
    return [Query(invariants, goal(s), z3.BoolVal(True), pre=s, post=s)]


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
    """INV-CREDIT-2: an accepted grant or withdrawal leaves free capacity >= 0 after it."""

    def goal(pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]) -> Expr:
        after = free_capacity(PROOF_CTX, res.post, act["account"], inp)
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


PARTITION_FIELDS = ("owed", "paid", "claimed", "socialized", "released", "granted")


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
    and changes nothing."""

    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(u, table, kind, lambda pre, res, act, inp: z3.BoolVal(True)):
            assert q.result is not None and q.pre is not None
            ids: dict[str, str] = {r: q.act[r] for r in kind.roles}
            again_act, again_inp, bounds = symbolic_action(kind, ids, prefix="again")
            again_act["id"] = q.act["id"]
            again = table[kind.name](PROOF_CTX, q.result.post, again_act, again_inp)
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


def safety(
    name: str, invariant: str, goal: Callable[[SymState], Expr], mentions: tuple[str, ...]
) -> Obligation:
    def queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return state_query(u, goal)

    return Obligation(f"{name}/safety", invariant, "safety", queries, mentions)


def no_double_spend(s: SymState) -> Expr:
    """INV-CREDIT-1 => credit spendable on an honest spoke never exceeds what the hub
    counts as allocated (credit in flight is nowhere spendable)."""
    return z3.And(
        [
            z3.Implies(
                honest(s, p), z3.And(s.line[(p, a)] <= s.alloc[(a, p)], in_flight(s, a, p) >= 0)
            )
            for a in s.u.accounts
            for p in s.u.spokes
        ]
    )


def lines_within_cap(s: SymState) -> Expr:
    """INV-PART-1 => the credit lines of an honest spoke sum to at most its cap."""
    return z3.And(
        [
            z3.Implies(honest(s, p), total(s.line[(p, a)] for a in s.u.accounts) <= s.cap[p])
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
    obligations += [atomic_rejection(k) for k in KINDS]
    obligations += [
        safety("no-double-spend", "INV-CREDIT-1", no_double_spend, ("line", "alloc")),
        safety("partition-caps", "INV-PART-1", lines_within_cap, ("line", "cap")),
        safety("partition-bound", "INV-PART-2", paid_within_net_grants, ("paid", "granted")),
        safety("hub-solvent", "INV-ASSET-1", hub_solvent, ("tokens", "owed", "insurance")),
    ]
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


# --- checking -------------------------------------------------------------------------


def value(model: Any, term: Expr, ids: range) -> Value:
    v = model.eval(term, model_completion=True)
    if z3.is_bool(term):
        return bool(z3.is_true(v))
    if z3.is_array(term):
        return tuple(i for i in ids if z3.is_true(model.eval(term[i], model_completion=True)))
    return int(v.as_long())


def counterexample(ob: Obligation, q: Query, model: Any) -> Counterexample:
    assert q.pre is not None
    post = q.post if q.post is not None else q.pre

    def ival(term: Expr) -> int:
        return int(model.eval(term, model_completion=True).as_long())

    top = max(ival(q.pre.next_id_), ival(post.next_id_))
    if "id" in q.act:
        top = max(top, ival(q.act["id"]))
    ids = range(0, min(top, 64) + 1)
    rows = tuple(
        (
            name,
            key if isinstance(key, tuple) else (key,),
            value(model, a, ids),
            value(model, b, ids),
        )
        for (name, key, a), (_, _, b) in zip(q.pre.entries(), post.entries(), strict=True)
    )
    status = error = None
    if q.result is not None:
        from proofs.transitions.outcome import STATUS_NAMES, error_of

        status = STATUS_NAMES[ival(q.result.status)]
        err = error_of(ival(q.result.error))
        error = err.value if err else None
    params = {k: value(model, v, ids) for k, v in q.act.items() if z3.is_expr(v)}
    return Counterexample(
        obligation=ob.name,
        invariant=ob.invariant,
        kind=q.kind,
        ids={k: v for k, v in q.act.items() if isinstance(v, str) and k != "kind"},
        params=params,
        inputs={k: value(model, v, ids) for k, v in q.inputs.items()},
        status=status,
        error=error,
        rows=rows,
        mentions=ob.mentions,
    )


OBLIGATION_RLIMIT = 2_000_000
"""PROOF-BUDGET-1: the resource limit per query of an obligation.  Measured ("rlimit count"
across each query, every obligation, 2 worker processes): the largest query is
atomic-rejection/step/DeliverLiqReport at 0.44M, then no-negative-balances on
liquidation answers at 0.36M; all 268 obligations together 10.8M.  The limit is 4.5x the
largest (`benchmarks/bench_proofs.py` prints the current figures)."""

DEFAULT_BUDGET = Budget(OBLIGATION_RLIMIT)


def check(name: str, budget: Budget = DEFAULT_BUDGET, mutant: str | None = None) -> Verdict:
    """Prove one obligation by name (against a mutant's transitions if named)."""
    return check_obligation(obligation(name), budget, mutant)


def check_obligation(
    ob: Obligation, budget: Budget = DEFAULT_BUDGET, mutant: str | None = None
) -> Verdict:
    """Prove one obligation: unsat of premises and not goal for every query, then vacuity.

    Each query is bounded by `budget` (PROOF-BUDGET-1); an `unknown` says which resource
    ran out (PROOF-BUDGET-3)."""
    from proofs.mutants import transitions

    start = time.perf_counter()
    u = proof_universe()
    queries = ob.queries(u, transitions(mutant))
    used = 0

    def verdict(
        result: ResultName,
        detail: str = "",
        cex: Counterexample | None = None,
        answer: Answer | None = None,
    ) -> Verdict:
        return Verdict(
            ob.name,
            ob.invariant,
            ob.part,
            result,
            time.perf_counter() - start,
            detail,
            cex,
            used,
            answer.exhausted if answer is not None else None,
        )

    for q in queries:
        s = budget.solver()
        s.add(q.premises, z3.Not(q.goal))
        answer = ask(s, budget)
        used = max(used, answer.rlimit)
        if answer.result == z3.sat:
            return verdict("FAILED", "counterexample found", counterexample(ob, q, s.model()))
        if answer.result != z3.unsat:
            return verdict(
                "unknown", describe(answer.exhausted, budget, answer.reason), answer=answer
            )
    s = budget.solver()
    s.add(z3.Or([z3.And(q.premises, q.witness) for q in queries]))
    answer = ask(s, budget)
    used = max(used, answer.rlimit)
    if answer.result == z3.unsat:
        return verdict("vacuous", "premises unsatisfiable: nothing is proved")
    if answer.result != z3.sat:
        detail = "vacuity check: " + describe(answer.exhausted, budget, answer.reason)
        return verdict("unknown", detail, answer=answer)
    return verdict("proved")
