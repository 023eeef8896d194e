"""Exact sums of lots times wad values, in int64, by limbs (VEC-3).

A pricer value is an integer at wad scale (`ONE = 10**18`, PRC-1), and `qty * value`
does not fit in 64 bits.  The engine splits every wad value `v` of its tables into
three limbs, `v = units * ONE + high * BASE + low` with `BASE = 10**9` and
`0 <= high, low < BASE` (floor division, so negative values split too), multiplies
lots by each limb (each product well inside int64 for a row that passed the bound of
VEC-2), and recombines only the one figure the model rounds:

    floor(sum q * v / ONE) = units_sum + floor((high_sum + floor(low_sum / BASE)) / BASE)

(`floor((BASE * h + r) / ONE) = floor(h / BASE)` for `0 <= r < BASE`).  The same code runs
on int64 arrays and on object arrays of Python ints (the exact path): only `+`, `*` and
floor division `//`, which mean the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from model.pricing import ONE

Column = npt.NDArray[Any]
"""An integer array: int64 on the fast path, object (Python ints) on the exact path."""

BASE = 10**9
"""The limb base: ONE = BASE * BASE."""

assert BASE * BASE == ONE


@dataclass(frozen=True)
class WadLimbs:
    """Wad values as limbs, value = units * ONE + high * BASE + low (VEC-3)."""

    units: Column
    high: Column
    low: Column

    def take(self, index: Any) -> WadLimbs:
        """The limbs of some of the values (numpy indexing on every limb)."""
        return WadLimbs(self.units[index], self.high[index], self.low[index])


def split_wad(values: Any, dtype: type | np.dtype[Any]) -> WadLimbs:
    """VEC-3: nested lists (or an object array) of Python ints split into limbs of `dtype`."""
    exact = np.array(values, dtype=object)
    units = exact // ONE
    rest = exact - units * ONE
    return WadLimbs(
        np.asarray(units, dtype=dtype),
        np.asarray(rest // BASE, dtype=dtype),
        np.asarray(rest % BASE, dtype=dtype),
    )


def floor_wad(units: Column, high: Column, low: Column) -> Column:
    """VEC-3: floor((units * ONE + high * BASE + low) / ONE) for any limbs (carries included)."""
    floored: Column = units + (high + low // BASE) // BASE
    return floored


def weighted_floor(qty: Column, table: WadLimbs) -> Column:
    """VEC-3: floor(sum over the last axis of qty * value / ONE), qty [N, M] and the table's
    values [M, K]: [N, K] (the change of a book over K scenarios, or its value)."""
    markets = qty.shape[1]
    stacked = [table.units, table.high, table.low]
    if markets == 0:
        return np.zeros((qty.shape[0], *table.units.shape[1:]), dtype=qty.dtype)
    sums = [qty[:, 0, None] * limb[0] for limb in stacked]
    for m in range(1, markets):
        column = qty[:, m, None]
        for total, limb in zip(sums, stacked, strict=True):
            total += column * limb[m]
    return floor_wad(*sums)


def product_floor(qty: Column, table: WadLimbs) -> Column:
    """VEC-3: floor(qty * value / ONE) elementwise (qty and the table broadcast)."""
    return floor_wad(qty * table.units, qty * table.high, qty * table.low)
