"""Benchmark: `intermargin verify`'s checks run side by side in the worker pool (VER-RUN-1),
against a baseline measured in the same run: the same checks one after another in one
process (the sequential path).  Target: <= 60 s wall on the 2-core machine.

    python benchmarks/bench_verify.py [--jobs N] [--no-baseline] [--only CHECK ...]

Prints, for each path, every check's seconds and verdict, the wall time, and the CPU
seconds (user + sys, this process and its children) so a run on a shared, noisy machine
can still be compared; then the ratio parallel / sequential.
"""

import argparse
import time
from dataclasses import dataclass

from intermargin.limits import default_jobs
from intermargin.verify import CheckResult, Settings
from intermargin.verify.checks import CHECKS
from intermargin.verify.schedule import cpu_seconds, guarded, run_checks


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    results: dict[str, CheckResult]


class Quiet:
    """Events that print only each check's result line."""

    def started(self, check: str, parts: int, unit: str) -> None:
        pass

    def progress(self, check: str, text: str) -> None:
        pass

    def part_done(self, check: str, done: int, total: int) -> None:
        pass

    def finished(self, check: str, result: CheckResult) -> None:
        cpu = f"{result.cpu_seconds:6.1f} s cpu" if result.cpu_seconds is not None else ""
        print(
            f"  {check:14} {result.status:7} {result.seconds:6.1f} s wall {cpu}  {result.summary}"
        )


def parallel(names: list[str], jobs: int) -> Timing:
    checks = [c for c in CHECKS if c.name in names]
    cpu, start = cpu_seconds(), time.perf_counter()
    results = run_checks(checks, Settings(jobs=jobs), jobs, Quiet())
    return Timing(time.perf_counter() - start, cpu_seconds() - cpu, results)


def sequential(names: list[str], jobs: int) -> Timing:
    results = {}
    cpu, start = cpu_seconds(), time.perf_counter()
    for check in (c for c in CHECKS if c.name in names):
        results[check.name] = result = guarded(check, Settings(jobs=jobs))
        print(f"  {check.name:14} {result.status:7} {result.seconds:7.1f} s  {result.summary}")
    return Timing(time.perf_counter() - start, cpu_seconds() - cpu, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--only", action="append", choices=[c.name for c in CHECKS])
    args = parser.parse_args()
    names = args.only or [c.name for c in CHECKS]
    print(f"verify, every check in one pool of {args.jobs} workers:")
    fast = parallel(names, args.jobs)
    print(f"  wall {fast.wall:.1f} s, cpu (user+sys) {fast.cpu:.1f} s")
    if args.no_baseline:
        return
    print("baseline, the same checks one after another in one process:")
    slow = sequential(names, args.jobs)
    print(f"  wall {slow.wall:.1f} s, cpu (user+sys) {slow.cpu:.1f} s")
    same = {n: r.status for n, r in fast.results.items()} == {
        n: r.status for n, r in slow.results.items()
    }
    print(
        f"ratio parallel / sequential: wall {fast.wall / slow.wall:.2f}, "
        f"cpu {fast.cpu / slow.cpu:.2f}; same verdicts: {same}"
    )


if __name__ == "__main__":
    main()
