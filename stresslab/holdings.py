"""What a vectorized pass reads of a population (VEC-1, VEC-2): its rows in blocks, the markets
it holds, and the prices and clearing pools the pass needs, failing like the model where the
model has no price to use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from model.valuation import Prices, is_live_option
from spec.params import Params
from stresslab.population import Flags, Population

CHUNK = 1 << 13
"""Rows per block on the int64 path: the intermediates of a block stay in the CPU caches
and the memory of a pass stays bounded whatever N."""


def rows_of(population: Population, rows: npt.NDArray[np.intp] | slice, dtype: Any) -> Population:
    """Some rows of a population, the integer arrays in `dtype` (no copy when they are)."""
    return Population(
        collateral=population.collateral[rows].astype(dtype, copy=False),
        qty=population.qty[rows].astype(dtype, copy=False),
        cost=population.cost[rows].astype(dtype, copy=False),
        balance=population.balance[rows].astype(dtype, copy=False),
        linked=population.linked[rows],
        alloc=population.alloc[rows].astype(dtype, copy=False),
        report_time=None if population.report_time is None else population.report_time[rows],
    )


def pool_vector(params: Params, pools: Mapping[str, int] | Sequence[int] | None) -> list[int]:
    """The pool values in params order (zero when not given)."""
    if pools is None:
        return [0] * len(params.spokes)
    if isinstance(pools, Mapping):
        return [int(pools.get(s.id, 0)) for s in params.spokes]
    values = [int(p) for p in pools]
    if len(values) != len(params.spokes):
        raise ValueError(f"pools: {len(values)} values for {len(params.spokes)} spokes")
    return values


def held_markets(population: Population, workers: int = 1) -> tuple[frozenset[int], frozenset[int]]:
    """The markets some row holds on a spoke whose reports count (RISK-13), and those held on
    the others (their reported PnL is still a figure of the pass); blocks of rows side by side
    on `workers` threads."""
    size, spokes, markets = population.qty.shape

    def held_in(start: int) -> tuple[Flags, Flags]:
        window = slice(start, min(start + CHUNK * 4, size))
        anywhere = population.qty[window] != 0
        linked = population.linked[window][:, :, None]
        return (anywhere & linked).any(axis=0), (anywhere & ~linked).any(axis=0)

    starts = range(0, size, CHUNK * 4)
    if workers <= 1 or len(starts) <= 1:
        parts = [held_in(start) for start in starts]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(held_in, starts))
    on = np.zeros((spokes, markets), dtype=np.bool_)
    off = np.zeros((spokes, markets), dtype=np.bool_)
    for linked_part, unlinked_part in parts:
        on |= linked_part
        off |= unlinked_part
    return markets_in(on.reshape(1, -1), markets), markets_in(off.reshape(1, -1), markets)


def markets_in(held: Flags, markets: int) -> frozenset[int]:
    """The markets with a True somewhere in `held[N, S * M]`."""
    cells = np.flatnonzero(held.any(axis=0))
    return frozenset(int(cell) % markets for cell in cells)


def require_prices(
    params: Params,
    population: Population,
    prices: Prices,
    held: tuple[frozenset[int], frozenset[int]],
    now: int,
) -> None:
    """Fail like the model where it has no price to use: for collateral held, for the
    underlying of a market held (on a linked spoke or not), and (the pricer has no delta at
    0) a zero price under a live option held on a linked spoke."""
    deposited = (population.collateral != 0).any(axis=0)
    needed = {a.id for a, used in zip(params.assets, deposited, strict=True) if used}
    needed |= {params.markets[m].underlying for m in held[0] | held[1]}
    missing = sorted(needed - set(prices))
    if missing:
        raise ValueError(f"no price for {', '.join(missing)}")
    for m in held[0]:
        market = params.markets[m]
        if is_live_option(market, now) and prices[market.underlying] <= 0:
            raise ValueError(f"{market.underlying}: a live option ({market.id}) needs a price > 0")
