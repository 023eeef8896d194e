"""The liquidation price of every row at once: the model's bisection, vectorized (VEC-8).

`model/risk.py: liquidation_price` bisects, for one account whose reported positions are
perpetuals on one underlying `x`, between the current price of `x` (healthy) and the far
end (0 for a net long, `max_price` for a net short), asking `is_healthy` at each middle
price with every other price fixed.  Here every such row bisects at once: each iteration
asks the same question of every row still bisecting, each at its own middle price, so the
rows take the model's steps and end on its integer.

A perpetual's lot is worth its price exactly, so health at a price `P` of `x` is integer
arithmetic in `P` (RISK-1, RISK-2, RISK-6, RISK-NET-1..3, RISK-10, SPAN-1..SPAN-7 for a book
of perpetuals, whose spread charge is zero: they share one tenor).  A book's scan risk is
`min(f(its net lots), sum of f(each position's lots))`, `f(q)` the worst covered loss of
`q` lots over the 16 scenarios: the largest move against them in the full-cover class
(3/3 of the range, a fall never below zero) and in the extreme class.  Rows whose checked
bound (VEC-2) fits int64 are computed in int64, the others on Python ints by the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from model.risk import SCAN_STEPS, buffer_rate_bps
from spec.bounds import BPS
from spec.params import Params
from stresslab.bounds import FAST_LIMIT
from stresslab.population import Flags, Population
from stresslab.wad import Column

Prices = Mapping[str, int]


def liquidation_prices(
    params: Params,
    population: Population,
    prices: Prices,
    now: int,
    owed: npt.NDArray[Any] | None,
    max_price: int,
) -> tuple[Column, Flags]:
    """VEC-8, RISK-IM-5: each row's liquidation price (0 where `has` is False: the model's
    None).  `owed[S, A]`: the tokens owed to each spoke's partition (its clearing pool,
    RISK-NET-1, valued at each trial price); none for empty pools."""
    size = population.size
    price = np.zeros(size, dtype=np.int64)
    has = np.zeros(size, dtype=np.bool_)
    held = ((population.qty != 0) & population.linked[:, :, None]).any(axis=1)  # [N, M]
    ids = [a.id for a in params.assets]
    on = [[j for j, m in enumerate(params.markets) if m.underlying == x] for x in ids]
    holds = np.stack([held[:, markets].any(axis=1) for markets in on], axis=1)
    options = [j for j, m in enumerate(params.markets) if m.kind != "perp"]
    perps_on_one = (holds.sum(axis=1) == 1) & ~held[:, options].any(axis=1)
    candidates = np.flatnonzero(perps_on_one)
    net = (population.qty[candidates] * population.linked[candidates][:, :, None]).sum(axis=(1, 2))
    for x in range(len(ids)):
        rows = candidates[holds[candidates, x] & (net != 0)]
        if rows.size == 0:
            continue
        fast = fits_int64(params, population, rows, x, prices, now, owed, max_price)
        for part, dtype in ((rows[fast], np.int64), (rows[~fast], object)):
            if part.size:
                health = Health(params, population, part, x, prices, now, owed, max_price, dtype)
                found, ok = bisect(health)
                price[part] = np.asarray(found * ok, dtype=object).astype(np.int64)
                has[part] = ok
    return price, has


class Health:
    """Whether some rows of a population are healthy (RISK-10) at a price of the underlying `x`
    of their books of perpetuals, one price per row, every other price fixed; every per-row
    array in `dtype` (int64 for rows within the bound, object for the others)."""

    def __init__(
        self,
        params: Params,
        population: Population,
        rows: npt.NDArray[np.intp],
        x: int,
        prices: Prices,
        now: int,
        owed: npt.NDArray[Any] | None,
        max_price: int,
        dtype: Any,
    ) -> None:
        assets, spokes = params.assets, params.spokes
        self.dtype = dtype
        self.start, self.max_price = prices[assets[x].id], max_price
        self.keep = BPS - assets[x].haircut_bps
        collateral = population.collateral[rows].astype(dtype)
        self.collateral_x = collateral[:, x]
        fixed = np.zeros(rows.size, dtype=dtype)
        for a, asset in enumerate(assets):
            if a != x and collateral[:, a].any():
                fixed = (
                    fixed + collateral[:, a] * prices[asset.id] * (BPS - asset.haircut_bps) // BPS
                )
        self.fixed_value = fixed
        markets = [j for j, m in enumerate(params.markets) if m.underlying == assets[x].id]
        self.linked = population.linked[rows]
        mask = self.linked[:, :, None]
        self.qty = population.qty[rows][:, :, markets].astype(dtype) * mask
        cost = population.cost[rows][:, :, markets].astype(dtype) * (self.qty != 0)
        self.base_pnl = population.balance[rows].astype(dtype) - cost.sum(axis=2)
        self.owed_x = np.array(
            [0 if owed is None else int(owed[s, x]) for s in range(len(spokes))], dtype=object
        ).astype(dtype)
        self.pool_fixed = np.array(
            [
                sum(
                    int(owed[s, a]) * prices[asset.id] * (BPS - asset.haircut_bps) // BPS
                    for a, asset in enumerate(assets)
                    if owed is not None and a != x and owed[s, a] and asset.id in prices
                )
                for s in range(len(spokes))
            ],
            dtype=object,
        ).astype(dtype)
        self.rates = horizon_rates(params, population, rows, x, now).astype(dtype)
        self.range = assets[x].scan_range_bps
        self.multiple = params.portfolio.extreme_multiple
        self.cover = params.portfolio.extreme_cover_bps
        self.portfolio = params.margin_method == "portfolio"
        self.mm = np.array([params.markets[j].mm_bps for j in markets], dtype=dtype)

    def healthy(self, p: Column, which: npt.NDArray[np.intp]) -> Flags:
        """RISK-10, RISK-NET-3: net equity >= maintenance requirement for rows `which` at the
        prices `p` of x (one per row)."""
        qty, linked = self.qty[which], self.linked[which]
        value = (self.collateral_x[which] * p * self.keep) // BPS + self.fixed_value[which]
        pnl = self.base_pnl[which] + qty.sum(axis=2) * p[:, None]
        pools = self.pool_fixed[None, :] + (self.owed_x[None, :] * p[:, None] * self.keep) // BPS
        losses = (np.minimum(pnl, 0) * linked).sum(axis=1)
        backed = (np.minimum(np.maximum(pnl, 0), pools) * linked).sum(axis=1)
        lots = np.abs(qty)
        buffer = ceil_bps(lots * (p[:, None] * self.rates[which])[:, :, None]).sum(axis=(1, 2))
        if self.portfolio:
            margin = self.netted_scan(qty, p)
        else:
            margin = ceil_bps(lots * p[:, None, None] * self.mm).sum(axis=(1, 2))
        healthy: Flags = np.asarray(value + losses + backed >= margin + buffer, dtype=np.bool_)
        return healthy

    def netted_scan(self, qty: Column, p: Column) -> Column:
        """RISK-8, SPAN-7: min(scan of the merged book, sum of each venue's scan), a book of
        perpetuals on x scanning at min(f(net lots), sum of f(position lots))."""
        move = -((-(p * self.range * SCAN_STEPS)) // (SCAN_STEPS * BPS))
        extreme = ceil_bps(p * self.multiple * self.range)
        fall, extreme_fall = np.minimum(move, p), np.minimum(extreme, p)

        def worst(lots: Column) -> Column:
            """SPAN-1, SPAN-3: f(lots) for lots shaped [rows, ...]: the largest loss of the
            full-cover class (3/3 of the range against them; a fall stops at zero) and the
            extreme class's covered loss, whichever is larger."""
            shape = (-1,) + (1,) * (lots.ndim - 1)
            longs = lots > 0
            against = np.where(longs, fall.reshape(shape), move.reshape(shape))
            far = np.where(longs, extreme_fall.reshape(shape), extreme.reshape(shape))
            size = np.abs(lots)
            loss: Column = np.maximum(size * against, ceil_bps(size * far * self.cover))
            return loss

        def scan(books: Column) -> Column:
            risk: Column = np.minimum(worst(books.sum(axis=-1)), worst(books).sum(axis=-1))
            return risk

        netted: Column = np.minimum(scan(qty.sum(axis=1)), scan(qty).sum(axis=1))
        return netted


def fits_int64(
    params: Params,
    population: Population,
    rows: npt.NDArray[np.intp],
    x: int,
    prices: Prices,
    now: int,
    owed: npt.NDArray[Any] | None,
    max_price: int,
) -> Flags:
    """VEC-2: the rows whose every intermediate of `Health.healthy` stays within the bound at
    any price the bisection may try (at most the larger of the current price and
    `max_price`), bounded in float64 from the rows' inputs."""
    assets, portfolio = params.assets, params.portfolio
    top = float(max(prices[assets[x].id], max_price)) + 1.0
    priced = np.array(
        [top if a == x else float(prices.get(asset.id, 0)) for a, asset in enumerate(assets)]
    )
    lots = np.abs(population.qty[rows].astype(np.float64)).sum(axis=(1, 2))
    oldest = 0
    if population.report_time is not None:
        oldest = max(0, now - int(np.min(population.report_time, initial=now)))
    rate = max(
        buffer_rate_bps(params.buffer_z_milli, assets[x].volatility_bps, s.latency_s + oldest)
        for s in params.spokes
    ) + max(m.mm_bps for m in params.markets)
    scan = assets[x].scan_range_bps * (1.0 + portfolio.extreme_multiple)
    money = (
        np.abs(population.balance[rows].astype(np.float64)).sum(axis=1)
        + np.abs(population.cost[rows].astype(np.float64)).sum(axis=(1, 2))
        + population.collateral[rows].astype(np.float64) @ priced * BPS
    )
    pools = 0.0
    if owed is not None:
        pools = float(np.asarray(owed, dtype=np.float64).sum(axis=0) @ priced) * BPS
    bound = 8.0 * (lots * top * (rate + 4.0 * BPS + scan) + money + pools + top * scan)
    fits: Flags = bound < FAST_LIMIT
    return fits


def ceil_bps(values: Column) -> Column:
    """NUM-2: ceil(values / 10_000)."""
    up: Column = -((-values) // BPS)
    return up


def horizon_rates(
    params: Params, population: Population, rows: npt.NDArray[np.intp], x: int, now: int
) -> Column:
    """RISK-6, RISK-AGE-2: each row's buffer rate for x on each spoke, over the spoke's
    latency plus the age of the row's report from it, [rows, S] (object)."""
    spokes = params.spokes
    ages = (
        np.zeros((rows.size, len(spokes)), dtype=np.int64)
        if population.report_time is None
        else np.maximum(0, now - np.asarray(population.report_time, dtype=np.int64)[rows])
    )
    rates = np.zeros(ages.shape, dtype=object)
    vol = params.assets[x].volatility_bps
    for s, spoke in enumerate(spokes):
        distinct, inverse = np.unique(ages[:, s], return_inverse=True)
        table = [
            buffer_rate_bps(params.buffer_z_milli, vol, spoke.latency_s + int(a)) for a in distinct
        ]
        rates[:, s] = np.array(table, dtype=object)[inverse.reshape(-1)]
    return rates


def bisect(health: Health) -> tuple[Column, Flags]:
    """RISK-IM-5: the model's bisection for every row of `health` at once: the rows healthy
    now and unhealthy at the far end (0 for a net long, max_price for a net short) bisect
    until their bracket is one apart; the answer is the unhealthy end."""
    count = health.qty.shape[0]
    every = np.arange(count)
    net = health.qty.sum(axis=(1, 2))
    safe = np.full(count, health.start, dtype=health.dtype)
    far = np.where(net > 0, 0, health.max_price).astype(health.dtype)
    ok = health.healthy(safe, every) & ~health.healthy(far, every)
    active = np.flatnonzero(ok & (np.abs(far - safe) > 1))
    while active.size:
        middle = (safe[active] + far[active]) // 2
        unhealthy = ~health.healthy(middle, active)
        far[active[unhealthy]] = middle[unhealthy]
        safe[active[~unhealthy]] = middle[~unhealthy]
        active = active[np.abs(far[active] - safe[active]) > 1]
    return far, ok
