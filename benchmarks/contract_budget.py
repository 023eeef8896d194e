"""Benchmark: the CrossHair budget of `intermargin verify`'s contracts check (VER-3), against
the budget before it (3 CPU seconds per condition, nothing else) measured in the same run.

    python benchmarks/contract_budget.py [--iterations N] [--timeout S]

First both budgets check the real contracts: each run's CPU seconds and the ratio new / old.
Then each budget checks copies of `model/` with one seeded violation each, bugs of the
kernels whose conditions CrossHair cannot confirm on all paths (the nonlinear ones: the
rounded-up square root, the latency buffer, the scan's worst covered loss): a row says
whether each budget found a counterexample.  The budget is as strong as the old one on
these bugs if every row found by the old budget is found by the new one too; the script
exits 1 if not.  Takes about five minutes.
"""

import argparse
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from intermargin.verify import Settings
from intermargin.verify.schedule import cpu_seconds
from intermargin.verify.subprocesses import contracts

UNBOUNDED = 2**62
"""The old budget's bound on iterations without new code: none that a run could reach."""

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Seeded:
    """One contract violation: `old` replaced by `new` in `path` (relative to the root)."""

    path: str
    old: str
    new: str


SEEDED = (
    Seeded(
        "model/arith.py",
        "return r if r * r >= n else r + 1",
        "return r if r * r > n else r + 1",
    ),
    Seeded(
        "model/buffer.py",
        "return isqrt_ceil(ceil_div(scaled * scaled * latency_s, 1000 * 1000 * SECONDS_PER_YEAR))",
        "return isqrt_ceil((scaled * scaled * latency_s) // (1000 * 1000 * SECONDS_PER_YEAR))",
    ),
    Seeded(
        "model/buffer.py",
        "scaled = z_milli * volatility_bps",
        "scaled = z_milli * volatility_bps - (volatility_bps > 5000)",
    ),
    Seeded(
        "model/buffer.py",
        "ceil_div(scaled * scaled * latency_s,",
        "ceil_div(scaled * scaled * (latency_s % 100000),",
    ),
    Seeded(
        "model/span.py",
        "worst = max(worst, bps_up(loss, cover))",
        "worst = max(worst, bps_down(loss, cover))",
    ),
    Seeded(
        "model/span.py",
        "        if loss > 0:\n            worst",
        "        if loss > 1:\n            worst",
    ),
)


def crosshair(where: Path, budget: Settings) -> tuple[int, float]:
    """(counterexamples and errors found, CPU seconds) of the contracts check (VER-3) on the
    contract modules of the tree at `where`."""
    before = cpu_seconds()
    result = contracts(budget, where=where)
    return len(result.details), cpu_seconds() - before


def seeded_copy(into: Path, bug: Seeded) -> Path:
    """A copy of `model/` and `spec/` with `bug` in it."""
    for package in ("model", "spec"):
        shutil.copytree(ROOT / package, into / package)
    target = into / bug.path
    text = target.read_text()
    if text.count(bug.old) != 1:
        raise SystemExit(f"{bug.path}: the text to seed is not there once: {bug.old!r}")
    target.write_text(text.replace(bug.old, bug.new))
    return into


def main() -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=settings.contract_stale_iterations)
    parser.add_argument("--timeout", type=float, default=settings.contract_timeout_s)
    args = parser.parse_args()
    new = replace(
        settings, contract_timeout_s=args.timeout, contract_stale_iterations=args.iterations
    )
    old = replace(new, contract_stale_iterations=UNBOUNDED)
    print(f"old: {args.timeout} CPU s per condition, no bound on iterations")
    print(f"new: {args.timeout} CPU s, or {args.iterations} iterations in a row without new code\n")
    start = time.perf_counter()
    found_new, cpu_new = crosshair(ROOT, new)
    found_old, cpu_old = crosshair(ROOT, old)
    print(f"real contracts: new {cpu_new:.1f} CPU s ({found_new} counterexamples),")
    print(f"                old {cpu_old:.1f} CPU s ({found_old} counterexamples),")
    print(f"                ratio new / old {cpu_new / cpu_old:.2f}\n")
    missed = 0
    print(f"{'seeded violation':70}  old    new")
    for bug in SEEDED:
        with tempfile.TemporaryDirectory() as tmp:
            where = seeded_copy(Path(tmp), bug)
            by_new, _ = crosshair(where, new)
            by_old, _ = crosshair(where, old)
        missed += bool(by_old) and not by_new
        line = bug.new.strip().splitlines()[0]
        print(f"{bug.path + ': ' + line:70.70}  {yes(by_old):5}  {yes(by_new)}")
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    if missed:
        print(f"the new budget missed {missed} violation(s) the old one found")
    return 1 if missed or found_new or found_old else 0


def yes(found: int) -> str:
    return "found" if found else "-"


if __name__ == "__main__":
    raise SystemExit(main())
