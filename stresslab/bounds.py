"""Which rows the int64 path may compute: the checked bound (VEC-2).

Before computing, the engine bounds, from each row's inputs, the magnitude of every
intermediate the figures of that row go through (limb sums, covered losses, notionals
times buffer rates, ratios in bps).  A row whose bound stays below `FAST_LIMIT` is
computed in int64; the others go through the exact path (the same code on Python ints).
Nothing wraps silently.

The bound is a sum of non-negative terms evaluated in float64: its relative error is below
1e-13, far inside the factor of 2 between `FAST_LIMIT` and the int64 range, and it only
chooses a path (both paths give the same integers), it decides nothing on the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from model.pricing import ONE
from spec.bounds import BPS
from stresslab.population import Population
from stresslab.tables import Tables
from stresslab.wad import BASE

FAST_LIMIT = float(2**62)
"""VEC-2: the largest bound a row may have to be computed in int64 (int64 holds < 2**63)."""

INITIAL_FACTOR = 10 * BPS
"""The largest multiplier a figure meets: the portfolio's initial rate (up to 10x, PAR-6) in
bps, and every ratio in bps (RISK-IM-3, RISK-IM-4)."""

Floats = npt.NDArray[np.float64]


def lot_magnitudes(tables: Tables) -> Floats:
    """Per market, a bound in value units on a lot's mark and on its change in any scenario,
    plus 2 for the limbs' floor."""
    largest = [abs(mark) for mark in tables.marks]
    for u in tables.underlyings:
        for j, m in enumerate(u.markets):
            largest[m] = max([largest[m], *(abs(c) for c in u.changes[j])])
    return np.array([x / ONE + 2.0 for x in largest], dtype=np.float64)


@dataclass(frozen=True)
class Route:
    """VEC-2: which rows take the exact path, and whether the int64 rows may use narrow limbs
    (VEC-3: every table's top limbs, and every fast row's lots times them, within the
    bound)."""

    exact: npt.NDArray[np.bool_]
    narrow: bool
    most_lots: int
    """The most lots any int64 row holds, all spokes and markets together (at least the size
    of any of its positions, merged or not)."""


def spread_rows(tables: Tables, population: Population) -> npt.NDArray[np.bool_]:
    """VEC-2, SPAN-9: the rows holding positions on both underlyings of a declared
    inter-commodity spread (on any spoke): their credits are computed on the exact path."""
    size = population.size
    found = np.zeros(size, dtype=np.bool_)
    if not tables.spread_pairs:
        return found
    holds = population.qty.reshape(size, -1, len(tables.underlying_of)) != 0
    on_asset = {
        a: holds[:, :, [m for m, u in enumerate(tables.underlying_of) if u == a]].any(axis=(1, 2))
        for pair in tables.spread_pairs
        for a in pair
    }
    for a, b in tables.spread_pairs:
        found |= on_asset[a] & on_asset[b]
    return found


def route(tables: Tables, population: Population) -> Route:
    """VEC-2: for every row, a bound on the magnitude of every intermediate of its figures;
    the rows whose bound reaches FAST_LIMIT take the exact path, and so do the rows an
    inter-commodity credit may apply to (SPAN-9)."""
    size, spokes, markets = population.qty.shape
    lots = np.abs(population.qty.reshape(size, spokes * markets).astype(np.float64))
    prices = np.array(tables.prices, dtype=np.float64)
    market_prices = prices[list(tables.underlying_of)] if markets else np.zeros(0)
    rate = float(max((r for rates in tables.buffer_rates for r in rates), default=0))
    all_lots = lots @ np.ones(spokes * markets)
    book_value = lots @ np.tile(lot_magnitudes(tables), spokes)
    notional = lots @ np.tile(market_prices, spokes)
    collateral = population.collateral.astype(np.float64) @ prices
    money = sum(
        np.abs(column.reshape(size, -1).astype(np.float64)) @ np.ones(column[0].size)
        for column in (population.cost, population.balance, population.alloc)
    )
    figures = collateral + 2.0 * book_value + money + notional * (rate / BPS + 3.0) + all_lots + 4.0
    largest_price = float(prices.max(initial=0.0))
    bound = np.maximum.reduce(
        [
            4.0 * INITIAL_FACTOR * figures,
            2.0 * BPS * collateral,
            2.0 * notional * (rate + BPS) + 2.0 * BPS * largest_price * (all_lots + 1.0),
            4.0 * BASE * (all_lots + 1.0),
        ]
    )
    fast = (bound < FAST_LIMIT) & ~spread_rows(tables, population)
    largest = float(lot_magnitudes(tables).max(initial=0.0))
    rows_fit = bool((4.0 * BASE * book_value[fast] < FAST_LIMIT).all())
    narrow = largest * BASE < FAST_LIMIT and rows_fit
    return Route(~fast, narrow, int(all_lots[fast].max(initial=0.0)))
