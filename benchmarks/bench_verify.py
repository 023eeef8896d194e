"""Benchmark: `intermargin verify`'s checks in the worker pool (VER-RUN-1), against a
baseline measured in the same run: the same command's checks at the commit before this
work (5230312, "today's time" of issue 8), run from a temporary `git worktree` of that
commit with the same interpreter and the same pool.  Target: <= 60 s wall on the 2-core
machine.

    python benchmarks/bench_verify.py [--jobs N] [--baseline REV | --no-baseline] [--only CHECK ...]
                                      [--rounds N]

Prints, for each side, every check's wall and CPU seconds and verdict, the wall time and
the CPU seconds (user + sys, the process and its children), then the ratios new / old.
On a shared machine compare the CPU seconds: the wall time grows with the others' load.
So each side also prints the wall time it would take on an idle machine with N cores as
far as CPU goes, CPU / N (a lower bound: no worker idles while work is left), and the
current tree the longest single part (nothing runs it faster than its own CPU seconds).
Both sides start with an empty mypy cache (`MYPY_CACHE_DIR`), as on a fresh clone (a
second `verify` in the same clone reuses `.mypy_cache`: `--no-baseline --only types`
twice without `MYPY_CACHE_DIR` shows that figure).
With `--rounds N` each side is measured N times in ABBA order (new, old, old, new, ...), and
the median wall times and the median of the rounds' CPU ratios close the report: this VM's
speed moves by a fifth within minutes, so one pair of runs can mislead.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "5230312"
LINE = re.compile(r"^  (?P<check>[a-z-]+)\s+(?P<status>passed|failed)\s")
TOTAL = re.compile(r"wall (?P<wall>[\d.]+) s, cpu \(user\+sys\) (?P<cpu>[\d.]+) s")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    verdicts: dict[str, str]

    def shown(self, jobs: int) -> str:
        return (
            f"wall {self.wall:.1f} s, cpu {self.cpu:.1f} s"
            f" (idle {jobs}-core lower bound: cpu / {jobs} = {self.cpu / jobs:.1f} s)"
        )


def load() -> str:
    """The load averages over 1, 5 and 15 minutes (the wall time grows with them)."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def measured(tree: Path, args: list[str]) -> Timing:
    """Run `tree`'s own benchmark without baseline (the pool run of its checks) in a child
    process with `tree` first on the path; echo its lines; its wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="mypy-cache-") as cache:
        env = os.environ | {"PYTHONPATH": str(tree), "MYPY_CACHE_DIR": cache}
        command = [sys.executable, "benchmarks/bench_verify.py", "--no-baseline", *args]
        cpu, start = children_cpu(), time.perf_counter()
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    verdicts = {}
    for line in done.stdout.splitlines():
        print(line, flush=True)
        if (match := LINE.match(line)) is not None:
            verdicts[match["check"]] = match["status"]
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"the run in {tree} failed with exit code {done.returncode}")
    return Timing(wall, cpu, verdicts)


def baseline(rev: str, args: list[str]) -> Timing:
    """The same measurement at `rev`, from a temporary worktree removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="verify-baseline-") as parent:
        tree = Path(parent) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
            check=True,
            capture_output=True,
        )
        try:
            return measured(tree, args)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )


def pool_run(jobs: int, names: list[str]) -> None:
    """This tree's checks in one pool; one line per check, then the totals."""
    from intermargin.verify import CheckResult, Settings
    from intermargin.verify.checks import CHECKS
    from intermargin.verify.schedule import cpu_seconds, run_checks, split_of

    class Quiet:
        def started(self, check: str, parts: int, unit: str) -> None:
            pass

        def progress(self, check: str, text: str) -> None:
            pass

        def part_done(self, check: str, done: int, total: int) -> None:
            pass

        def finished(self, check: str, result: CheckResult) -> None:
            cpu = f"{result.cpu_seconds:6.1f} s cpu" if result.cpu_seconds is not None else ""
            print(
                f"  {check:14} {result.status:7} {result.seconds:6.1f} s wall {cpu}"
                f"  {result.summary}",
                flush=True,
            )

    checks = [c for c in CHECKS if c.name in names]
    print(f"  load average at start: {load()}", flush=True)
    cpu, start = cpu_seconds(), time.perf_counter()
    results = run_checks(checks, Settings(jobs=jobs), jobs, Quiet())
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"  wall {wall:.1f} s, cpu (user+sys) {cpu:.1f} s; load average now {load()}", flush=True)
    whole = [
        (result.cpu_seconds or 0.0, name)
        for name, result in results.items()
        if len(split_of(next(c for c in checks if c.name == name), Settings()).parts) == 1
    ]
    if whole:
        longest, name = max(whole)
        print(
            f"  idle {jobs}-core estimate: {max(cpu / jobs, longest):.1f} s"
            f" (cpu / {jobs} = {cpu / jobs:.1f} s; longest single part: {name}, {longest:.1f} s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--baseline", default=BASELINE, metavar="REV")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--only", action="append", metavar="CHECK")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure each side this many times, alternating"
    )
    args = parser.parse_args()
    from intermargin.verify.checks import CHECKS

    names = args.only or [c.name for c in CHECKS]
    if args.no_baseline:
        pool_run(args.jobs, names)
        return
    passed = [f"--jobs={args.jobs}", *(f"--only={n}" for n in args.only or [])]
    print(f"load average at start: {load()}", flush=True)
    news: list[Timing] = []
    olds: list[Timing] = []
    for round_ in range(args.rounds):
        # ABBA order: this VM's speed drifts within minutes, so neither side always goes first
        for side in ("new", "old") if round_ % 2 == 0 else ("old", "new"):
            if side == "new":
                print(f"verify now ({ROOT}), one pool of {args.jobs} workers:", flush=True)
                news.append(measured(ROOT, passed))
                print(f"  measured: {news[-1].shown(args.jobs)}", flush=True)
            else:
                print(f"baseline: verify at {args.baseline}, the same pool:", flush=True)
                olds.append(baseline(args.baseline, passed))
                print(f"  measured: {olds[-1].shown(args.jobs)}", flush=True)
    ratios = [n.cpu / o.cpu for n, o in zip(news, olds, strict=True)]
    same = all(n.verdicts == o.verdicts for n, o in zip(news, olds, strict=True))
    print(
        f"ratio now / baseline, cpu, each round: {', '.join(f'{r:.2f}' for r in ratios)};"
        f" same verdicts: {same}"
    )
    if args.rounds > 1:
        print(
            f"median wall: now {statistics.median(t.wall for t in news):.1f} s, baseline"
            f" {statistics.median(t.wall for t in olds):.1f} s; median cpu ratio"
            f" {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
