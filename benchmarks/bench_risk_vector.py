"""One vectorized risk pass over a million accounts, against the scalar model (VEC-1).

The population: 1,000,000 accounts on two spokes, four positions each (two per spoke, in a
perpetual and calls and puts on two expiries of ETH, so the scan reprices options), USD
and ETH collateral.  The pass computes every field of `RiskPass` (scan margin netted and
isolated, buffer, requirements, equity, health, capacity, ratios, and the liquidation
price, VEC-8).  No row of this population has a liquidation price (each spoke's book holds
an option); a second measurement times the liquidation price's bisection on a population
of perpetuals (`--perp-accounts` rows, one perpetual per spoke, cash collateral).

The baseline, measured in the same run: the model (`model/risk.py`) on a sample of the
same rows, computing the four figures every decision follows from (maintenance and
initial requirements, net equity, capacity), pricer cache warm; its CPU time per account
times a million.

The machine is shared: CPU seconds (`time.process_time`, all threads of the process) are
the figure to judge; wall seconds are printed beside them, with the load average (1 min)
before each pass.  Peak memory: the largest numpy/Python allocation above the population
itself during a second, untimed pass (tracemalloc).

Run: `python benchmarks/bench_risk_vector.py [--accounts N] [--sample K] [--workers W]
[--perp-accounts P]`.
Targets (issue "Stress lab"): <= 1 s for 1,000,000 accounts x 4 positions, >= 100x the
scalar model per account.
"""

import argparse
import os
import time
import tracemalloc

import numpy as np

from model import risk
from spec.bounds import MAX_PRICE
from spec.examples import example_params
from spec.params import Params
from stresslab.bridge import model_state
from stresslab.engine import risk_pass
from stresslab.generate import with_changes
from stresslab.population import Population

PRICES = {"USD": 1, "ETH": 2_100}
NOW = 86_400


def bench_params() -> Params:
    """The example parameters on two spokes, with four ETH markets: the perpetual, the
    30-day 2000 call and 1800 put, the 90-day 2000 call."""
    example = example_params()
    data = example.model_dump(mode="json")
    return with_changes(
        example,
        spokes=data["spokes"][:2],
        markets=[m for m in data["markets"] if m["id"] != "ETH-C-3000"],
    )


def population(params: Params, size: int, rng: np.random.Generator) -> Population:
    """`size` accounts, two positions on each of the two spokes (distinct markets)."""
    spokes, markets = len(params.spokes), len(params.markets)
    qty = np.zeros((size, spokes, markets), dtype=np.int64)
    rows = np.arange(size)
    for s in range(spokes):
        first = rng.integers(0, markets, size)
        second = (first + rng.integers(1, markets, size)) % markets
        for m in (first, second):
            lots = rng.integers(1, 50, size) * rng.choice([-1, 1], size)
            qty[rows, s, m] = lots
    price = np.array([2_000, 150, 120, 250], dtype=np.int64)[None, None, :]
    return Population(
        collateral=np.stack(
            [rng.integers(0, 2_000_000, size), rng.integers(0, 500, size)], axis=1
        ).astype(np.int64),
        qty=qty,
        cost=qty * price,
        balance=rng.integers(-50_000, 50_000, (size, spokes)).astype(np.int64),
        linked=np.ones((size, spokes), dtype=np.bool_),
        alloc=rng.integers(0, 100_000, (size, spokes)).astype(np.int64),
    )


def timed_pass(params: Params, accounts: Population, workers: int) -> tuple[float, float, int]:
    """CPU seconds and wall seconds of one pass, and the peak traced bytes of another (traced
    apart: tracemalloc's hook on every allocation would slow the timed one)."""
    cpu, wall = time.process_time(), time.perf_counter()
    figures = risk_pass(params, accounts, PRICES, NOW, workers=workers, max_price=MAX_PRICE)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert figures.healthy.shape == (accounts.size,)
    tracemalloc.start()
    risk_pass(params, accounts, PRICES, NOW, workers=workers, max_price=MAX_PRICE)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return cpu, wall, peak


def perpetuals(params: Params, size: int, rng: np.random.Generator) -> Population:
    """`size` accounts holding the perpetual on each spoke (1 to 49 lots, either side) against
    cash of 20% to 120% of their notional: most have a liquidation price."""
    spokes, markets = len(params.spokes), len(params.markets)
    qty = np.zeros((size, spokes, markets), dtype=np.int64)
    qty[:, :, 0] = rng.integers(1, 50, (size, spokes)) * rng.choice([-1, 1], (size, spokes))
    notional = np.abs(qty).sum(axis=(1, 2)) * PRICES["ETH"]
    cash = notional * rng.integers(20, 120, size) // 100
    return Population(
        collateral=np.stack([cash, np.zeros(size, dtype=np.int64)], axis=1),
        qty=qty,
        cost=qty * PRICES["ETH"],
        balance=np.zeros((size, spokes), dtype=np.int64),
        linked=np.ones((size, spokes), dtype=np.bool_),
        alloc=np.zeros((size, spokes), dtype=np.int64),
    )


def scalar_seconds(params: Params, accounts: Population, sample: int) -> float:
    """CPU seconds per account of the model on `sample` rows (states built beforehand)."""
    states = [model_state(params, accounts, row, NOW) for row in range(sample)]
    state, account = states[0]
    risk.maintenance_requirement(state, account, PRICES)
    start = time.process_time()
    for state, account in states:
        risk.maintenance_requirement(state, account, PRICES)
        risk.initial_requirement(state, account, PRICES)
        risk.net_equity(state, account, PRICES)
        risk.capacity(state, account, PRICES)
    return (time.process_time() - start) / sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--perp-accounts", type=int, default=100_000)
    args = parser.parse_args()
    params = bench_params()
    accounts = population(params, args.accounts, np.random.default_rng(1))
    held = int((accounts.qty != 0).sum())
    print(f"{args.accounts:,} accounts, {held:,} positions, 2 spokes, 4 ETH markets (3 options)")
    per_account = scalar_seconds(params, accounts, args.sample)
    scalar = per_account * args.accounts
    print(
        f"scalar model:  {per_account * 1e6:8.1f} us CPU per account (sample of {args.sample:,})"
        f" -> {scalar:8.1f} s CPU for {args.accounts:,}"
    )
    for workers in sorted({1, args.workers}):
        load = os.getloadavg()[0]
        cpu, wall, peak = timed_pass(params, accounts, workers)
        print(
            f"vectorized, {workers} thread{'s' if workers > 1 else ''}: {cpu:6.2f} s CPU,"
            f" {wall:6.2f} s wall (load {load:.1f}), peak {peak / 2**20:7.1f} MiB;"
            f" {scalar / cpu:6.0f}x the model per account (CPU)"
        )
    perps = perpetuals(params, args.perp_accounts, np.random.default_rng(2))
    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    figures = risk_pass(params, perps, PRICES, NOW, workers=args.workers, max_price=MAX_PRICE)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert figures.has_liquidation_price is not None
    print(
        f"{args.perp_accounts:,} accounts of perpetuals, {args.workers} threads:"
        f" {cpu:6.2f} s CPU, {wall:6.2f} s wall (load {load:.1f}),"
        f" {int(figures.has_liquidation_price.sum()):,} liquidation prices bisected"
    )


if __name__ == "__main__":
    main()
