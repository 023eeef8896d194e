"""Benchmark: the whole proof suite and each obligation, against a baseline measured in the
same run (a trivial Z3 sat check), on this machine.  Target: the suite in seconds on 2 cores.

    python benchmarks/bench_proofs.py [--jobs N] [--top K] [--three]
    python benchmarks/bench_proofs.py --prove [--baseline REV]

Prints the baseline, the suite's wall time (parallel and sequential sums), the slowest
obligations, the BMC of liquidation propagation, each with its ratio to the baseline, and
the Z3 resource count each used against its limit (the figures `OBLIGATION_RLIMIT` and
`BMC_RLIMIT` are calibrated from, PROOF-BUDGET-1); `--three` adds the BMC with 3 spokes.

`--prove` times `intermargin prove` with its defaults (the command CI runs; target of issues
11 and 14: under 30 s on the 2-core machine) against the old suite's `prove`, measured in
the same run from a temporary `git worktree` of REV (default `OLD_SUITE`, the suite before
the liveness, channel, flow and symbolic-price work) with the same interpreter: wall and
CPU seconds (user + sys of the command and its workers), the idle lower bound CPU / jobs,
the ratios new / old, and the load average at the start.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import z3

from proofs.bmc import BMC_RLIMIT, DEFAULT_BMC_BUDGET, propagation
from proofs.catalogue import all_obligations
from proofs.checking import DEFAULT_BUDGET, OBLIGATION_RLIMIT
from proofs.runner import run

ROOT = Path(__file__).resolve().parent.parent

OLD_SUITE = "c6445ad"
"""The suite before issues 11 and 14 (liveness, channels, flows, symbolic prices): the ratio
base of `--prove`."""

UNBOUNDED = replace(DEFAULT_BUDGET, rlimit=10**12, timeout_s=3600)
"""Measure, do not judge: no limit that could cut a query short (the obligations' solver)."""

UNBOUNDED_BMC = replace(DEFAULT_BMC_BUDGET, rlimit=UNBOUNDED.rlimit, timeout_s=UNBOUNDED.timeout_s)
"""The same for the BMC, with its solver (PROOF-BUDGET-5)."""


def baseline(repeat: int = 50) -> float:
    """Median seconds of a trivial solver round trip: declare, assert x > 0, check sat."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        s = z3.Solver()
        x = z3.Int("x")
        s.add(x > 0)
        assert s.check() == z3.sat
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def timed_prove(tree: Path) -> tuple[float, float, int, str]:
    """`intermargin prove` with its defaults, run from `tree` with `tree` first on the path:
    (wall seconds, CPU seconds, exit code, its last line)."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "intermargin.cli", "prove"]
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return wall, cpu, done.returncode, lines[-1] if lines else done.stderr[-300:]


def prove_against(rev: str, jobs: int) -> None:
    """`intermargin prove` here and at `rev`, in the same run (see the module docstring)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at start: {load}", flush=True)
    sides = {}
    with tempfile.TemporaryDirectory(prefix="prove-baseline-") as parent:
        tree = Path(parent) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
            check=True,
            capture_output=True,
        )
        try:
            for name, where in (("now", ROOT), (f"old suite {rev}", tree)):
                wall, cpu, code, last = timed_prove(where)
                sides[name] = (wall, cpu)
                print(
                    f"prove {name}: wall {wall:.1f} s, cpu {cpu:.1f} s (idle {jobs}-core lower"
                    f" bound {cpu / jobs:.1f} s), exit {code}: {last}",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    (new_wall, new_cpu), (old_wall, old_cpu) = sides.values()
    print(f"ratio now / old suite: wall {new_wall / old_wall:.2f}, cpu {new_cpu / old_cpu:.2f}")
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--three", action="store_true", help="also the BMC with 3 spokes")
    parser.add_argument("--prove", action="store_true", help="time prove against the old suite")
    parser.add_argument("--baseline", default=OLD_SUITE, metavar="REV")
    args = parser.parse_args()
    if args.prove:
        prove_against(args.baseline, os.cpu_count() or 2)
        return
    base = baseline()
    print(f"baseline (trivial sat check): {base * 1000:.2f} ms")
    obligations = all_obligations()
    start = time.perf_counter()
    verdicts = run(obligations, budget=UNBOUNDED, jobs=args.jobs)
    wall = time.perf_counter() - start
    cpu = sum(v.seconds for v in verdicts)
    bad = [v.obligation for v in verdicts if v.result != "proved"]
    print(
        f"suite: {len(verdicts)} obligations in {wall:.2f} s wall with {args.jobs} jobs "
        f"({wall / base:,.0f}x baseline); sum of obligations {cpu:.2f} s; "
        f"mean {cpu / len(verdicts) * 1000:.1f} ms ({cpu / len(verdicts) / base:,.1f}x baseline)"
    )
    if bad:
        print(f"NOT PROVED: {bad}")
    print(f"slowest {args.top}:")
    for v in sorted(verdicts, key=lambda v: -v.seconds)[: args.top]:
        print(f"  {v.obligation:50} {v.seconds * 1000:8.1f} ms  {v.seconds / base:8.1f}x baseline")
    most = max(verdicts, key=lambda v: v.rlimit)
    print(
        f"rlimit: largest query {most.rlimit:,} ({most.obligation}), limit "
        f"{OBLIGATION_RLIMIT:,} ({OBLIGATION_RLIMIT / most.rlimit:.1f}x); all obligations "
        f"{sum(v.rlimit for v in verdicts):,}"
    )
    for spokes in (1, 2, 3) if args.three else (1, 2):
        bmc = propagation(spokes=spokes, budget=UNBOUNDED_BMC)
        print(
            f"bmc INV-LIQ-2, {spokes} spoke(s): {bmc.detail}; {bmc.seconds:.2f} s "
            f"({bmc.seconds / base:,.0f}x baseline); rlimit {bmc.rlimit:,} of {BMC_RLIMIT:,}"
        )


if __name__ == "__main__":
    main()
