"""Checking the proof obligations: each query as "premises /\\ not goal" (unsat = proved),
then the vacuity check "premises /\\ witness" (unsat = vacuous, a failure); an `unknown`
fails and says which resource ran out (PROOF-BUDGET-1..3).  A satisfiable query's model
becomes a `Counterexample`: the step and the value of every encoded field before and after.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import z3

from proofs.budget import Answer, Budget, Evaluator, Exhausted, ask, describe
from proofs.catalogue import obligation
from proofs.obligations import Obligation, Part
from proofs.premises import Query
from proofs.state import Expr, Universe
from proofs.universe import proof_universe

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
    prices: Mapping[str, int | None] = field(default_factory=dict)
    """The price of every asset the step saw (None: unavailable), PROOF-PRICE-1; empty for
    an obligation about a state alone."""


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
        prices=prices_seen(q, model),
    )


def prices_seen(q: Query, model: Any) -> dict[str, int | None]:
    """PROOF-PRICE-1: the model's value of each price the step saw (a symbolic price left
    free by the counterexample gets the one Z3 completes it with)."""
    if q.ctx is None:
        return {}
    return {
        x: None
        if p is None
        else int(model.eval(p, model_completion=True).as_long())
        if z3.is_expr(p)
        else int(p)
        for x, p in q.ctx.prices.items()
    }


def regimes(queries: list[Query]) -> list[list[Query]]:
    """The queries grouped by the price regime their step sees (PROOF-PRICE-2), in order:
    the vacuity check asks each regime's premises for a witness of its own, so a regime
    whose premises cannot hold is caught even when another's can."""
    groups: dict[int, list[Query]] = {}
    for q in queries:
        groups.setdefault(id(q.ctx), []).append(q)
    return list(groups.values())


def regime_text(q: Query) -> str:
    """` with ETH unpriced` for a query whose step sees an asset without a price."""
    if q.ctx is None:
        return ""
    gone = [x for x, p in q.ctx.prices.items() if p is None]
    return f" with {', '.join(gone)} unpriced" if gone else ""


OBLIGATION_RLIMIT = 2_500_000
"""PROOF-BUDGET-1: the resource limit per query of an obligation.  Measured ("rlimit count"
across each query, every obligation, with the obligations' solver, the SMT core alone,
PROOF-BUDGET-5; `benchmarks/bench_proofs.py`): the largest queries are those of
`ForceSettle`, which seizes for each silent spoke in turn and then charges the penalty
(three chained seizures, LIVE-3): channels-safe at 0.54M, the next of any kind 0.30M
(finality-safe/step/DeliverLiqReport).  The limit is about 4.6x the largest
(`benchmarks/bench_proofs.py` prints the current figures).  With Z3's default solver, the
tactics first, the same queries used up to 3.39M, and the limit was 7M."""

DEFAULT_BUDGET = Budget(OBLIGATION_RLIMIT)


_VACUITY: dict[tuple[int, Budget], tuple[Expr, Answer]] = {}


def vacuity(query: Expr, budget: Budget) -> Answer:
    """PROOF-RUN-3: the answer to a vacuity query (a regime's premises and its witness), asked
    in a context of its own, once per process: the step obligations of one kind share their
    premises and witness whatever their goal, so most obligations ask a query another has
    asked (182 distinct among 1,133).  A query is known by its term in the main context
    (hash-consed: the same term has the same id while it lives, and the memo keeps it alive);
    in a fresh context its answer and count do not depend on which obligation asked it first
    (PROOF-BUDGET-4).  The model of a `sat` answer is dropped: a vacuity check uses none."""
    key = (query.get_id(), budget)
    hit = _VACUITY.get(key)
    if hit is None or not hit[0].eq(query):
        answer = ask([query], budget)
        hit = _VACUITY[key] = (query, replace(answer, model=None))
    return hit[1]


def check(name: str, budget: Budget = DEFAULT_BUDGET, mutant: str | None = None) -> Verdict:
    """Prove one obligation by name (against a mutant's transitions if named)."""
    return check_obligation(obligation(name), budget, mutant)


def check_obligation(
    ob: Obligation,
    budget: Budget = DEFAULT_BUDGET,
    mutant: str | None = None,
    universe: Universe | None = None,
) -> Verdict:
    """Prove one obligation: unsat of premises and not goal for every query, then vacuity.

    Each query is bounded by `budget` (PROOF-BUDGET-1); an `unknown` says which resource
    ran out (PROOF-BUDGET-3).  `universe` replaces the 2 x 2 proof universe (the larger
    ones of PROOF-SMALL-5)."""
    from proofs.mutants import transitions

    start = time.perf_counter()
    u = proof_universe() if universe is None else universe
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

    ctx = z3.Context()  # this obligation's queries and nothing else (PROOF-BUDGET-4)
    for q in queries:
        answer = ask([q.premises, z3.Not(q.goal)], budget, ctx)
        used = max(used, answer.rlimit)
        if answer.result == z3.sat:
            return verdict(
                "FAILED",
                "counterexample found",
                counterexample(ob, q, Evaluator(answer.model)),
            )
        if answer.result != z3.unsat:
            return verdict(
                "unknown", describe(answer.exhausted, budget, answer.reason), answer=answer
            )
    for regime in regimes(queries):
        answer = vacuity(z3.Or([z3.And(q.premises, q.witness) for q in regime]), budget)
        used = max(used, answer.rlimit)
        where = regime_text(regime[0])
        if answer.result == z3.unsat:
            return verdict("vacuous", f"premises unsatisfiable{where}: nothing is proved")
        if answer.result != z3.sat:
            detail = f"vacuity check{where}: " + describe(answer.exhausted, budget, answer.reason)
            return verdict("unknown", detail, answer=answer)
    return verdict("proved")
