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
from dataclasses import dataclass
from typing import Any, Literal

import z3

Exhausted = Literal["rlimit", "wall-clock"]

DEFAULT_TIMEOUT_S = 600.0
"""The wall-clock safety net per query: far beyond any query's time on the 2-core machine
(the slowest, the BMC at K=2, takes a few seconds), so only a machine that is
absurdly slow or stalled ever reaches it."""


@dataclass(frozen=True)
class Budget:
    """The resource limit per solver query (the verdict's bound) and the wall-clock
    safety net per query (seconds; `math.inf` for none)."""

    rlimit: int
    timeout_s: float = DEFAULT_TIMEOUT_S

    def solver(self) -> Any:
        """A fresh solver bounded by this budget."""
        s = z3.Solver()
        s.set("rlimit", self.rlimit)
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

    @property
    def unknown(self) -> bool:
        return bool(self.result == z3.unknown)


def rlimit_count() -> int:
    """Z3's resource counter for the main context (it only grows)."""
    return int(z3.Solver().statistics().get_key_value("rlimit count"))


def ask(s: Any, budget: Budget, *assumptions: Any) -> Answer:
    """`s.check()` under `budget`, measuring the resource used.  An `unknown` is blamed on
    the rlimit if the query used it up (or Z3 says so), on the wall clock otherwise."""
    before = rlimit_count()
    start = time.perf_counter()
    result = s.check(*assumptions)
    seconds = time.perf_counter() - start
    used = int(s.statistics().get_key_value("rlimit count")) - before
    exhausted: Exhausted | None = None
    reason = ""
    if result == z3.unknown:
        reason = s.reason_unknown()
        if "resource" in reason or used >= budget.rlimit:
            exhausted = "rlimit"
        elif "timeout" in reason or "canceled" in reason or seconds >= budget.timeout_s:
            exhausted = "wall-clock"
    return Answer(result, used, seconds, exhausted, reason)


def describe(exhausted: Exhausted | None, budget: Budget, reason: str = "") -> str:
    """Why a query is `unknown`, as reports print it after "unknown: ": which resource ran
    out and how much there was (PROOF-BUDGET-3)."""
    if exhausted == "rlimit":
        return f"rlimit {budget.rlimit} exhausted"
    if exhausted == "wall-clock":
        return f"machine too slow: wall-clock safety net of {budget.timeout_s:g} s reached"
    return reason or "the solver gave no reason"
