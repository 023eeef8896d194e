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

from model.buffer import buffer_rate_bps
from model.span import SCAN_STEPS
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
    eligible: list[npt.NDArray[np.intp]] | None = None,
) -> tuple[Column, Flags]:
    """VEC-8, RISK-IM-5: each row's liquidation price (0 where `has` is False: the model's
    None).  `owed[S, A]`: the tokens owed to each spoke's partition (its clearing pool,
    RISK-NET-1, valued at each trial price); none for empty pools.  `eligible`: the rows
    `eligible_rows` gives, when already found (the risk pass finds them block by block)."""
    size = population.size
    price = np.zeros(size, dtype=np.int64)
    has = np.zeros(size, dtype=np.bool_)
    if eligible is None:
        eligible = eligible_rows(params, population, slice(0, size))
    ids = [a.id for a in params.assets]
    for x, rows in enumerate(eligible):
        if rows.size == 0:
            continue
        slope, fixed = price_bound(params, population, rows, x, prices, now, owed)
        top = float(max(prices[params.assets[x].id], max_price))
        judge = Judge(slope, fixed)
        for dtype, part in (
            (np.int64, np.flatnonzero(slope + fixed < FAST_LIMIT)),
            (object, np.flatnonzero(slope * max(top, 1.0) + fixed >= FAST_LIMIT)),
        ):
            if part.size:
                health = Health(
                    params, population, rows[part], x, prices, now, owed, max_price, dtype
                )
                judge.add(health, part)
        found, ok = bisect(
            judge, population.qty[rows], population.linked[rows], prices[ids[x]], max_price
        )
        price[rows] = np.asarray(found * ok, dtype=object).astype(np.int64)
        has[rows] = ok
    return price, has


def eligible_rows(
    params: Params, population: Population, window: slice
) -> list[npt.NDArray[np.intp]]:
    """RISK-IM-5: for each asset x, the rows of `window` (global indexes) that may have a
    liquidation price: the reported positions are perpetuals on x alone, with a net size."""
    qty, linked = population.qty[window], population.linked[window]
    held = ((qty != 0) & linked[:, :, None]).any(axis=1)  # [rows, M]
    ids = [a.id for a in params.assets]
    on = [[j for j, m in enumerate(params.markets) if m.underlying == x] for x in ids]
    holds = np.stack([held[:, markets].any(axis=1) for markets in on], axis=1)
    options = [j for j, m in enumerate(params.markets) if m.kind != "perp"]
    candidates = np.flatnonzero((holds.sum(axis=1) == 1) & ~held[:, options].any(axis=1))
    net = (qty[candidates] * linked[candidates][:, :, None]).sum(axis=(1, 2))
    start = window.start or 0
    return [start + candidates[holds[candidates, x] & (net != 0)] for x in range(len(ids))]


class Judge:
    """RISK-10 for a group of rows, each judged in int64 at the prices where its bound
    (`slope * price + fixed`, VEC-2) allows and on Python ints elsewhere."""

    def __init__(self, slope: npt.NDArray[np.float64], fixed: npt.NDArray[np.float64]) -> None:
        self.slope, self.fixed = slope, fixed
        self.parts: dict[bool, tuple[Health, npt.NDArray[np.intp]]] = {}

    def add(self, health: Health, rows: npt.NDArray[np.intp]) -> None:
        """`health` judges `rows` of the group (int64 or Python ints, by its dtype); `position`
        maps a row of the group to its row in `health`."""
        position = np.full(self.slope.size, -1, dtype=np.intp)
        position[rows] = np.arange(rows.size)
        self.parts[health.dtype is object] = (health, position)

    def healthy(self, p: Column, which: npt.NDArray[np.intp]) -> Flags:
        """Whether rows `which` are healthy at the prices `p` (one per row)."""
        out = np.zeros(which.size, dtype=np.bool_)
        bound = self.slope[which] * np.asarray(p, dtype=np.float64) + self.fixed[which]
        fast = bound < FAST_LIMIT
        if False in self.parts:
            fast &= self.parts[False][1][which] >= 0
        for exact, chosen in ((False, np.flatnonzero(fast)), (True, np.flatnonzero(~fast))):
            if chosen.size:
                health, position = self.parts[exact]
                dtype: Any = object if exact else np.int64
                prices = p[chosen].astype(dtype)
                out[chosen] = health.healthy(prices, position[which[chosen]])
        return out


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
        markets = [
            j
            for j, m in enumerate(params.markets)
            if m.underlying == assets[x].id and m.kind == "perp"  # the rows hold no option
        ]
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
            # a long's move against it is the fall (stopped at zero), a short's the rise
            against = move.reshape(shape) - (move - fall).reshape(shape) * longs
            far = extreme.reshape(shape) - (extreme - extreme_fall).reshape(shape) * longs
            size = np.abs(lots)
            loss: Column = np.maximum(size * against, ceil_bps(size * far * self.cover))
            return loss

        def scan(books: Column) -> Column:
            risk: Column = np.minimum(worst(books.sum(axis=-1)), worst(books).sum(axis=-1))
            return risk

        netted: Column = np.minimum(scan(qty.sum(axis=1)), scan(qty).sum(axis=1))
        return netted


def price_bound(
    params: Params,
    population: Population,
    rows: npt.NDArray[np.intp],
    x: int,
    prices: Prices,
    now: int,
    owed: npt.NDArray[Any] | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """VEC-2: per row, a bound `slope * P + fixed` on the magnitude of every intermediate of
    `Health.healthy` at a price P of x, in float64 from the rows' inputs."""
    assets, portfolio = params.assets, params.portfolio
    priced = np.array(
        [0.0 if a == x else float(prices.get(asset.id, 0)) for a, asset in enumerate(assets)]
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
    collateral = population.collateral[rows].astype(np.float64)
    owed_x, owed_fixed = 0.0, 0.0
    if owed is not None:
        owed_x = float(np.asarray(owed, dtype=np.float64)[:, x].sum())
        owed_fixed = float(np.asarray(owed, dtype=np.float64).sum(axis=0) @ priced)
    slope = 8.0 * (lots * (rate + 4.0 * BPS + scan) + (collateral[:, x] + owed_x) * BPS + scan)
    fixed = 8.0 * (
        np.abs(population.balance[rows].astype(np.float64)).sum(axis=1)
        + np.abs(population.cost[rows].astype(np.float64)).sum(axis=(1, 2))
        + (collateral @ priced + owed_fixed) * BPS
        + lots * (rate + 4.0 * BPS + scan)
        + 1.0
    )
    return slope, fixed


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


def bisect(
    judge: Judge, qty: Column, linked: Flags, start: int, max_price: int
) -> tuple[Column, Flags]:
    """RISK-IM-5: the model's bisection for every row of the group at once: the rows healthy
    now and unhealthy at the far end (0 for a net long, max_price for a net short) bisect
    until their bracket is one apart; the answer is the unhealthy end.  Prices are int64
    (Python ints beyond; the judge picks the dtype each row is judged in)."""
    count = qty.shape[0]
    every = np.arange(count)
    net = (qty * linked[:, :, None]).sum(axis=(1, 2))
    dtype: Any = np.int64 if max(start, max_price) < 2**62 else object
    safe = np.full(count, start, dtype=dtype)
    far = np.where(net > 0, 0, max_price).astype(dtype)
    ok = judge.healthy(safe, every) & ~judge.healthy(far, every)
    active = np.flatnonzero(ok & (np.abs(far - safe) > 1))
    while active.size:
        middle = (safe[active] + far[active]) // 2
        unhealthy = ~judge.healthy(middle, active)
        far[active[unhealthy]] = middle[unhealthy]
        safe[active[~unhealthy]] = middle[~unhealthy]
        active = active[np.abs(far[active] - safe[active]) > 1]
    return far, ok
