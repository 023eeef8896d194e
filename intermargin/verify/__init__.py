"""`intermargin verify`: every check the project has, in one run, with one verdict (VER-1..VER-4).

Each check is a `Check`: a name, the requirement ids it covers, and a function
that runs it and returns a `CheckResult`.  A check that reached nothing, timed
out or could not run is a failure, never a pass (VER-2).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["passed", "failed"]


@dataclass(frozen=True)
class CheckResult:
    """What one check found: its verdict, how long it took, a one-line summary, and the
    details a reader needs when it failed."""

    status: Status
    seconds: float
    summary: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """A named check, the requirement ids it covers, and how to run it."""

    name: str
    covers: tuple[str, ...]
    run: Callable[["Settings"], CheckResult]


@dataclass(frozen=True)
class Settings:
    """Knobs shared by the checks: solver timeout, CrossHair budget, parallelism."""

    proof_timeout_s: float = 20.0
    contract_timeout_s: float = 3.0
    jobs: int = 2
    only: tuple[str, ...] = field(default=())
