"""How much work a solver query may do: Z3's resource limit decides, the clock only guards.

A verdict must not depend on how busy the machine is (PROOF-BUDGET-1).  So every
query is bounded by Z3's deterministic resource counter (the solver parameter
`rlimit`; the work done is the statistic "rlimit count", one counter per Z3 context,
so a query's use is the difference across its `check`).  The same query with the
same limit gets the same answer on a quiet or a loaded machine.

Wall-clock time stays only as a safety net against a machine far too slow to finish
(PROOF-BUDGET-2): it is generous, and running out of it is reported as "machine too
slow" (`exhausted = "wall-clock"`), never as a counterexample.  Either way the answer
is `unknown`, a failure, and the verdict says which resource ran out (PROOF-BUDGET-3).
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import z3

Exhausted = Literal["rlimit", "wall-clock"]

DEFAULT_TIMEOUT_S = 600.0
"""The wall-clock safety net per query: far beyond any query's time on the 2-core machine
(the slowest, the BMC at K=2, takes a few seconds), so only a machine that is
absurdly slow or stalled ever reaches it."""


SEED = 0
"""PROOF-BUDGET-4: every solver's random seed, Z3's default, set on the solver so that a
global `z3.set_param("smt.random_seed", ...)` (by a test, a library) cannot move a count."""


@dataclass(frozen=True)
class Budget:
    """The resource limit per solver query (the verdict's bound), the wall-clock safety net
    per query (seconds; `math.inf` for none), and which of Z3's solvers answers it."""

    rlimit: int
    timeout_s: float = DEFAULT_TIMEOUT_S
    preprocess: bool = False
    """PROOF-BUDGET-5: Z3's default solver, which first runs the tactics Z3 picks for the
    query's logic (simplification, then the SMT core), if True; the SMT core alone
    (`z3.SimpleSolver`) if False.  An obligation's queries are small: setting up the tactics
    cost more than they saved (every obligation: 14 CPU s against 22, and the most resource
    one query used 0.54M against 3.39M).  The BMC's unrolled query is large and gains from
    them (`DEFAULT_BMC_BUDGET`).  The choice is part of the budget, so the same query with the
    same budget still gets the same answer and count."""
    options: tuple[tuple[str, int | bool | str], ...] = ()
    """PROOF-BUDGET-5: further Z3 solver options (name, value), also part of the budget."""

    def solver(self, ctx: Any = None) -> Any:
        """A fresh solver bounded by this budget (in `ctx`, by default Z3's main context)."""
        s = z3.Solver(ctx=ctx) if self.preprocess else z3.SimpleSolver(ctx=ctx)
        for name, value in self.options:
            s.set(name, value)
        s.set("rlimit", self.rlimit)
        s.set("random_seed", SEED)
        if math.isfinite(self.timeout_s):
            s.set("timeout", max(1, int(self.timeout_s * 1000)))
        return s


@dataclass(frozen=True)
class Answer:
    """One `check`: sat, unsat or unknown; the resource it used; what ran out, if anything."""

    result: Any  # z3.CheckSatResult
    rlimit: int
    seconds: float
    exhausted: Exhausted | None
    reason: str
    model: Any = None
    """For a `sat` answer, the model, in the query's own context (`Evaluator` evaluates the
    main-context terms the query was built from in it, PROOF-BUDGET-4)."""

    @property
    def unknown(self) -> bool:
        return bool(self.result == z3.unknown)


@dataclass(frozen=True)
class Evaluator:
    """PROOF-BUDGET-4: a model found in a query's own context, evaluating terms of the main
    context by translating them into its context.  The model is never translated into the
    main context: doing so moved the resource counts of queries solved later in the same
    process (by a few units, but a count must not move at all)."""

    model: Any

    def eval(self, term: Any, model_completion: bool = False) -> Any:
        return self.model.eval(term.translate(self.model.ctx), model_completion=model_completion)


def ask(assertions: Sequence[Any], budget: Budget, ctx: Any = None) -> Answer:
    """Is the conjunction of `assertions` (terms of Z3's main context) satisfiable, under
    `budget`?  Asked in `ctx`, a Z3 context of the caller's that holds nothing else, or a
    fresh one (PROOF-BUDGET-4); the answer says what resource the check used.  An
    `unknown` is blamed on the rlimit if the query used it up (or Z3 says so), on the wall
    clock otherwise.

    Z3's search depends on the order of the terms it holds (their ids, which a context
    hands out as terms are made), so in the main context the same query could use more or
    less of its resource limit depending on what the process had built before it (one
    liveness obligation: 60,188 alone, 70,428 after forty others; on a loaded run of
    `prove`, channels-safe/step/Withdraw's vacuity check ran out of its 7M).  Translated
    into a context of its own, the query's terms are numbered by their place in it alone."""
    ctx = z3.Context() if ctx is None else ctx
    own = budget.solver(ctx)
    own.add([a.translate(ctx) for a in assertions])
    before = int(own.statistics().get_key_value("rlimit count"))  # the context's, so far
    start = time.perf_counter()
    result = own.check()
    seconds = time.perf_counter() - start
    used = int(own.statistics().get_key_value("rlimit count")) - before
    exhausted: Exhausted | None = None
    reason = ""
    model = None
    if result == z3.sat:
        model = own.model()
    elif result == z3.unknown:
        reason = own.reason_unknown()
        if "resource" in reason or used >= budget.rlimit:
            exhausted = "rlimit"
        elif "timeout" in reason or "canceled" in reason or seconds >= budget.timeout_s:
            exhausted = "wall-clock"
    return Answer(result, used, seconds, exhausted, reason, model)


def check_assuming(solver: Any, *assumptions: Any) -> Any:
    """`solver.check(*assumptions)`, asked as a scope pushed and popped instead (PROOF-BUDGET-4):
    a check with assumptions in Z3's main context changes the resource count of queries the
    process asks afterwards in contexts of their own (severed-means-settled/step/Withdraw:
    73,218 alone, 70,062 after one such check of `x == 5`); a pushed scope does not."""
    solver.push()
    try:
        solver.add(*assumptions)
        return solver.check()
    finally:
        solver.pop()


def describe(exhausted: Exhausted | None, budget: Budget, reason: str = "") -> str:
    """Why a query is `unknown`, as reports print it after "unknown: ": which resource ran
    out and how much there was (PROOF-BUDGET-3)."""
    if exhausted == "rlimit":
        return f"rlimit {budget.rlimit} exhausted"
    if exhausted == "wall-clock":
        return f"machine too slow: wall-clock safety net of {budget.timeout_s:g} s reached"
    return reason or "the solver gave no reason"
