"""Benchmark: the whole proof suite and each obligation, against a baseline measured in the
same run (a trivial Z3 sat check), on this machine.  Target: the suite in seconds on 2 cores.

    python benchmarks/bench_proofs.py [--jobs N] [--top K]

Prints the baseline, the suite's wall time (parallel and sequential sums), the slowest
obligations, the BMC of liquidation propagation, each with its ratio to the baseline, and
the Z3 resource count each used against its limit (the figures `OBLIGATION_RLIMIT` and
`BMC_RLIMIT` are calibrated from, PROOF-BUDGET-1).
"""

import argparse
import statistics
import time

import z3

from proofs.bmc import BMC_RLIMIT, propagation
from proofs.budget import Budget
from proofs.catalogue import all_obligations
from proofs.checking import OBLIGATION_RLIMIT
from proofs.runner import run

UNBOUNDED = Budget(rlimit=10**12, timeout_s=3600)
"""Measure, do not judge: no limit that could cut a query short."""


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
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
    for spokes in (1, 2):
        bmc = propagation(spokes=spokes, budget=UNBOUNDED)
        print(
            f"bmc INV-LIQ-2, {spokes} spoke(s): {bmc.detail}; {bmc.seconds:.2f} s "
            f"({bmc.seconds / base:,.0f}x baseline); rlimit {bmc.rlimit:,} of {BMC_RLIMIT:,}"
        )


if __name__ == "__main__":
    main()
