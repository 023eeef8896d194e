"""How the tests run under mutmut (`benchmarks/mutation_score.py`): fastest first, each with
a CPU budget of its own.

mutmut runs a mutant against the tests that reach the function it changes, with `-x`, in
collection order, and stops the whole run only after about 3 x the sum of those tests'
recorded durations in CPU seconds.  For a mutant of a function every option valuation
calls (`model.pricing.ln_wad`: 54 tests, 277 s recorded) that is 834 CPU seconds per
looping mutant, and a slow property test first delays every kill behind it.  So, only
when a mutant is under test: the tests run in order of their recorded duration, and a
test that uses more than `SLACK` x its recorded duration + `FLOOR` CPU seconds fails
as a timeout, which mutmut, like every mutation tool, counts as a kill.  The recorded
durations were taken with every call traced, 2 to 3 x an untraced run, so a correct run
never comes near its budget.  Outside mutmut nothing changes.
"""

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import FrameType

STATS = Path("mutmut-stats.json")
"""mutmut's recorded test durations, in the directory it runs the tests from."""

SLACK = 3.0
FLOOR = 5.0


class TestBudgetExceeded(BaseException):
    """A test under a mutant used more CPU than its budget: the mutant is killed by a
    timeout.  Not an `Exception`, so neither the model nor Hypothesis (which would catch a
    failure and run the looping test again to shrink it) stops it on its way to pytest."""


def mutant_under_test() -> str | None:
    """The mutant mutmut is running, if any (not its stats or forced-fail runs)."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return name if name.startswith("model.") else None


@cache
def recorded_durations() -> dict[str, float]:
    """Test id -> the CPU seconds mutmut recorded for it (empty if there is no record);
    read once per process."""
    try:
        durations = json.loads(STATS.read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}
    return {str(k): float(v) for k, v in durations.items()}


def budget_s(recorded: float | None) -> float:
    """The CPU seconds a test may use under a mutant."""
    return SLACK * (recorded if recorded is not None else 10 * FLOOR) + FLOOR


@contextmanager
def cpu_budget(seconds: float, test: str) -> Iterator[None]:
    """Fail the code run inside after `seconds` of this process's CPU time (user + sys,
    so a busy machine does not shorten it), and again every second after that."""

    def exceeded(signum: int, frame: FrameType | None) -> None:
        raise TestBudgetExceeded(f"{test} used more than {seconds:.0f} CPU seconds")

    previous = signal.signal(signal.SIGPROF, exceeded)
    signal.setitimer(signal.ITIMER_PROF, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
