"""Running the checks of `intermargin verify` side by side, bounded by the cores (VER-RUN-1).

Every check is cut into parts (`Check.split`; a check without one is a single part): the
proofs into the BMC and one part per step kind's obligations (VER-RUN-4), the
differential check into the machine and the corpus.  One pool of `jobs` worker processes
(lean, PROOF-RUN-4) runs every part, longest first, so the machine's cores stay busy and
nothing waits for a check that could run beside it.
Proof verdicts are bounded by Z3's resource limit, not by time, so sharing the CPU with
other checks cannot change them (PROOF-BUDGET-1).

While parts run, `Events` hears what started, how far each check is, and each check's
result as soon as its last part is done.
"""

import multiprocessing
import queue
import resource
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from intermargin.verify import Check, CheckResult, Part, Settings, Split
from proofs.lean import lean_worker


def guarded(check: Check, settings: Settings) -> CheckResult:
    """Run a check; a check that crashes has failed (VER-2), it does not stop the others."""
    start = time.perf_counter()
    try:
        return check.run(settings)
    except Exception as e:  # a crash of the checker is a failed check, with its reason
        return crashed(e, time.perf_counter() - start)


def crashed(error: BaseException, seconds: float) -> CheckResult:
    """VER-2: the failed verdict of a check whose checker raised."""
    reason = f"{type(error).__name__}: {str(error)[:300]}"
    return CheckResult("failed", seconds, f"crashed: {reason}", (reason,))


def run_named(name: str, settings: Settings) -> CheckResult:
    """A whole check, by name (what a worker runs for a check that has no parts)."""
    from intermargin.verify.checks import CHECKS

    check = next(c for c in CHECKS if c.name == name)
    return guarded(check, settings)


def cpu_seconds() -> float:
    """User + sys CPU seconds of this process and of its children that have ended."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


Timed = tuple[Any, float, float, float]


def timed_part(part: Part) -> Timed:
    """Run one part in a worker: (its result, when it started and ended in epoch seconds,
    the CPU seconds it took)."""
    start, cpu = time.time(), cpu_seconds()
    result = part.function(*part.args)
    return result, start, time.time(), cpu_seconds() - cpu


def whole(results: list[Any], seconds: float) -> CheckResult:
    """The join of a check run as one part: its own result."""
    result: CheckResult = results[0]
    return result


def split_of(check: Check, settings: Settings) -> Split:
    """The check's parts, or the whole check as one part."""
    if check.split is not None:
        return check.split(settings)
    return Split([Part(check.name, run_named, (check.name, settings), check.cost)], whole)


class Events(Protocol):
    """What the console hears while the checks run (VER-RUN-2)."""

    def started(self, check: str, parts: int, unit: str) -> None: ...

    def progress(self, check: str, text: str) -> None: ...

    def part_done(self, check: str, done: int, total: int) -> None: ...

    def finished(self, check: str, result: CheckResult) -> None: ...


@dataclass
class Running:
    """A check whose parts are in the pool: results so far, when its parts ran."""

    check: Check
    split: Split
    results: dict[int, Any] = field(default_factory=dict)
    start: float = float("inf")
    end: float = 0.0
    cpu: float = 0.0
    error: BaseException | None = None

    @property
    def complete(self) -> bool:
        return len(self.results) == len(self.split.parts)

    def verdict(self) -> CheckResult:
        seconds = max(self.end - self.start, 0.0)
        if self.error is not None:
            return crashed(self.error, seconds)
        try:
            joined = self.split.join(
                [self.results[i] for i in range(len(self.split.parts))], seconds
            )
        except Exception as e:  # a join that cannot make sense of its parts has failed
            return crashed(e, seconds)
        return replace(joined, cpu_seconds=self.cpu)


def run_checks(
    checks: Sequence[Check], settings: Settings, jobs: int, events: Events
) -> dict[str, CheckResult]:
    """VER-RUN-1: every part of every check in one pool of `jobs` workers, longest parts first
    (`Part.cost`); each check's verdict as soon as its last part is done."""
    with multiprocessing.Manager() as manager:
        told: Any = manager.Queue()
        settings = replace(settings, progress=told, jobs=1)
        running = {c.name: Running(c, split_of(c, settings)) for c in checks}
        work = one_per_shared_key(
            [(r, i, p) for r in running.values() for i, p in enumerate(r.split.parts)]
        )
        order = sorted(work, key=lambda item: -item[0].cost)
        for r in running.values():
            events.started(r.check.name, len(r.split.parts), r.split.unit)
        results: dict[str, CheckResult] = {}
        with ProcessPoolExecutor(max_workers=jobs, initializer=lean_worker) as pool:
            pending: dict[Future[Timed], list[tuple[Running, int]]] = {
                pool.submit(timed_part, part): owners for part, owners in order
            }
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                drain(told, events)
                for future in done:
                    owners = pending.pop(future)
                    for r, i in owners:
                        take(r, i, future)
                        events.part_done(r.check.name, len(r.results), len(r.split.parts))
                        if r.complete:
                            results[r.check.name] = r.verdict()
                            events.finished(r.check.name, results[r.check.name])
        drain(told, events)
    return results


def take(r: Running, i: int, future: Future[Timed]) -> None:
    """Record part `i` of a running check from its finished future (a part shared by
    several checks counts its CPU seconds in full in each, VER-RUN-3)."""
    try:
        r.results[i], start, end, cpu = future.result()
        r.start, r.end = min(r.start, start), max(r.end, end)
        r.cpu += cpu
    except Exception as e:  # a part that crashed fails its check (VER-2)
        r.error = r.error or e
        r.results[i] = None
        r.end = max(r.end, time.time())


def one_per_shared_key(
    parts: list[tuple[Running, int, Part]],
) -> list[tuple[Part, list[tuple[Running, int]]]]:
    """VER-RUN-3: each piece of work once, with every (check, part index) it answers: parts
    with the same `Part.shared` key (among the checks that run) are one."""
    work: list[tuple[Part, list[tuple[Running, int]]]] = []
    by_key: dict[str, list[tuple[Running, int]]] = {}
    for r, i, part in parts:
        if part.shared and part.shared in by_key:
            by_key[part.shared].append((r, i))
            continue
        owners = [(r, i)]
        if part.shared:
            by_key[part.shared] = owners
        work.append((part, owners))
    return work


def drain(told: Any, events: Events) -> None:
    """Pass on every progress message the workers have sent so far."""
    while True:
        try:
            check, text = told.get_nowait()
        except queue.Empty:
            return
        events.progress(check, text)
