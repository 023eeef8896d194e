"""`intermargin verify`: every check the project has, in one run, with one verdict (VER-1..VER-4).

Each check is a `Check`: a name, the requirement ids it covers, and a function
that runs it and returns a `CheckResult`.  A check that reached nothing, timed
out or could not run is a failure, never a pass (VER-2).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from proofs.bmc import DEFAULT_BMC_BUDGET
from proofs.budget import Budget
from proofs.checking import DEFAULT_BUDGET

Status = Literal["passed", "failed"]


@dataclass(frozen=True)
class CheckResult:
    """What one check found: its verdict, how long it took, a one-line summary, and the
    details a reader needs when it failed."""

    status: Status
    seconds: float
    summary: str
    details: tuple[str, ...] = ()
    cpu_seconds: float | None = None
    """User + sys CPU seconds its parts took (tools it ran included), when run in the pool."""


@dataclass(frozen=True)
class Part:
    """One piece of a check that a worker process runs on its own: a module-level function
    and its arguments (so that it pickles), named for the progress line."""

    label: str
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    cost: float = 0.0
    """About how many CPU seconds it takes (measured on the 2-core machine): the pool
    starts the costliest parts first (VER-RUN-1)."""
    shared: str = ""
    """Parts of different checks with the same non-empty key are one piece of work: the
    pool runs it once and gives its result (and its CPU seconds, in full) to each of them
    (VER-RUN-3)."""


@dataclass(frozen=True)
class Split:
    """A check cut into parts that run in parallel, and how their results make its verdict
    (`join(results in part order, seconds)`)."""

    parts: Sequence[Part]
    join: Callable[[list[Any], float], CheckResult]
    unit: str = "parts"


@dataclass(frozen=True)
class Check:
    """A named check, the requirement ids it covers, and how to run it: `run` in one go,
    or, if it has `split`, as parts in parallel (VER-RUN-1)."""

    name: str
    covers: tuple[str, ...]
    run: Callable[["Settings"], CheckResult]
    split: Callable[["Settings"], Split] | None = None
    cost: float = 0.0
    """A check run whole: about how many CPU seconds it takes (see `Part.cost`)."""


@dataclass(frozen=True)
class Settings:
    """Knobs shared by the checks: solver budgets (PROOF-BUDGET-1), CrossHair budget,
    parallelism."""

    obligation_budget: Budget = DEFAULT_BUDGET
    bmc_budget: Budget = DEFAULT_BMC_BUDGET
    contract_timeout_s: float = 3.0
    contract_stale_iterations: int = 60
    """VER-3: CrossHair leaves a condition after this many iterations in a row that reach no
    new code, or after `contract_timeout_s` CPU seconds, whichever comes first."""
    jobs: int = 2
    only: tuple[str, ...] = field(default=())
    progress: Any = None
    """Where a running check tells how far it is (VER-RUN-2): anything with `put((check, text))`,
    such as a multiprocessing queue; None for silence."""


def tell(settings: Settings, check: str, text: str) -> None:
    """VER-RUN-2: report a running check's progress, if anyone listens."""
    if settings.progress is not None:
        settings.progress.put((check, text))
