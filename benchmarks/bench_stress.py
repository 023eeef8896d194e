"""A stress run of 10,000 accounts x 1,000 price steps (issue 12's target: under 60 s).

Two figures, measured in the same run, both in CPU seconds (`time.process_time`; the
machine is shared, so wall time is printed beside, with the load average (1 min) before
each run):
- baseline: one path through `stresslab.simulate.run_path` with the scalar model behind
  the risk seam (`stresslab.scalar_pass`), on a sample of accounts and steps, scaled to
  the full size by account-steps (its cost is linear in both);
- engine: the same at full size with the engine behind the seam (`stresslab.seam.RISK_PASS`,
  the vectorized engine).

Run: `python benchmarks/bench_stress.py [--accounts N] [--steps M] [--sample-accounts n]
[--sample-steps m]`.
"""

import argparse
import os
import time

import numpy as np

from spec.examples import example_params
from stresslab import scalar_pass
from stresslab.families import FAMILIES, generate
from stresslab.paths import PathModel, price_path
from stresslab.seam import RISK_PASS, RiskPassFn
from stresslab.simulate import run_path

TARGET_S = 60.0
DT = 60


def one_path(accounts: int, steps: int, engine: RiskPassFn) -> tuple[float, float, int]:
    """CPU and wall seconds of one path (population and path drawn outside the clock),
    and its liquidations."""
    params = example_params()
    book = generate(params, FAMILIES, accounts, 2000, np.random.default_rng([0, 0]))
    path = price_path(PathModel(), steps, DT, np.random.default_rng([0, 1, 0]))
    cpu, wall = time.process_time(), time.perf_counter()
    result = run_path(params, book.population, path, DT, underlying="ETH", risk_pass=engine)
    return time.process_time() - cpu, time.perf_counter() - wall, result.liquidations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--sample-accounts", type=int, default=40)
    parser.add_argument("--sample-steps", type=int, default=50)
    args = parser.parse_args()
    full = args.accounts * (args.steps + 1)
    sample = args.sample_accounts * (args.sample_steps + 1)
    load = os.getloadavg()[0]
    cpu, wall, _ = one_path(args.sample_accounts, args.sample_steps, scalar_pass.risk_pass)
    baseline = cpu * full / sample
    print(
        f"baseline (scalar model): {args.sample_accounts} accounts x {args.sample_steps} steps "
        f"in {cpu:.2f} s CPU ({wall:.2f} s wall, load {load:.1f}): "
        f"{1e6 * cpu / sample:.0f} µs per account-step; "
        f"{args.accounts} x {args.steps} extrapolated: {baseline:,.0f} s CPU"
    )
    load = os.getloadavg()[0]
    cpu, wall, liquidations = one_path(args.accounts, args.steps, RISK_PASS)
    verdict = "meets" if cpu < TARGET_S else "misses"
    print(
        f"engine ({RISK_PASS.__module__}): {args.accounts} x {args.steps} in {cpu:.2f} s CPU "
        f"({wall:.2f} s wall, load {load:.1f}), {liquidations} liquidations; "
        f"{baseline / cpu:,.0f}x the "
        f"baseline; {verdict} the {TARGET_S:.0f} s target"
    )


if __name__ == "__main__":
    main()
