"""Exact sums of lots times wad values, in int64, by limbs (VEC-3).

A pricer value is an integer at wad scale (`ONE = 10**18`, PRC-1), and `qty * value`
does not fit in 64 bits.  The engine splits every wad value `v` of its tables into limbs
of base `BASE = 10**9` (floor division, so negative values split too):

- *wide*: `v = units * ONE + high * BASE + low`, `0 <= high, low < BASE`;
- *narrow*: `v = top * BASE + low`, `0 <= low < BASE` (used when every row's lots times
  `top` stay within the bound, VEC-2: then one product fewer per value).

It multiplies lots by each limb (each product inside int64 for a row that passed the
bound) and recombines only the one figure the model rounds, by carrying from the low
limb up: `floor((h * BASE + r) / ONE) = floor(h / BASE)` for `0 <= r < BASE`, so

    wide:   floor(sum q v / ONE) = units_sum + floor((high_sum + floor(low_sum / BASE)) / BASE)
    narrow: floor(sum q v / ONE) = floor((top_sum + floor(low_sum / BASE)) / BASE)

The same code runs on int64 arrays and on object arrays of Python ints (the exact path):
only `+`, `*`, matrix products and floor division `//`, which mean the same on both.
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
    """Wad values as limbs, most significant first (VEC-3): (units, high, low) when wide,
    (top, low) when narrow; each limb has the values' shape."""

    limbs: tuple[Column, ...]

    @property
    def wide(self) -> bool:
        return len(self.limbs) == 3

    def take(self, index: Any) -> WadLimbs:
        """The limbs of some of the values (numpy indexing on every limb)."""
        return WadLimbs(tuple(limb[index] for limb in self.limbs))

    def stacked(self) -> Column:
        """The limbs side by side on the last axis: [M, K] values give [M, limbs * K]."""
        return np.concatenate(self.limbs, axis=-1)


def split_wad(values: Any, dtype: Any, *, narrow: bool) -> WadLimbs:
    """VEC-3: nested lists (or an object array) of Python ints split into limbs of `dtype`."""
    exact = np.array(values, dtype=object)
    top = exact // BASE
    low = exact - top * BASE
    if narrow:
        return WadLimbs((np.asarray(top, dtype=dtype), np.asarray(low, dtype=dtype)))
    units = top // BASE
    high = top - units * BASE
    return WadLimbs(tuple(np.asarray(x, dtype=dtype) for x in (units, high, low)))


def floor_wad(limbs: tuple[Column, ...]) -> Column:
    """VEC-3: floor(value / ONE) of values given by sums of limbs (carries included)."""
    if len(limbs) == 3:
        units, high, low = limbs
        wide: Column = units + (high + low // BASE) // BASE
        return wide
    top, low = limbs
    narrow: Column = (top + low // BASE) // BASE
    return narrow


def floor_mod(values: Column, divisor: int) -> tuple[Column, Column]:
    """(values // divisor, values mod divisor), the remainder in [0, divisor): numpy's floor
    division by a constant is fast, its `%` and `divmod` many times slower."""
    quotient = values // divisor
    return quotient, values - quotient * divisor


def dot(table: Column, qty: Column, out: Column | None = None) -> Column:
    """The matrix product table.T @ qty, [M, K] and [M, N] giving [K, N] (into `out` when
    given): a sum over the few markets of broadcast products, in place (numpy's integer
    matrix product runs no faster than a naive loop; this is about twice as fast)."""
    markets = qty.shape[0]
    if out is None:
        out = np.empty((table.shape[-1], qty.shape[1]), dtype=np.result_type(table, qty))
    if markets == 0:
        out[...] = 0
        return out
    np.multiply(table[0][:, None], qty[0], out=out)
    if markets > 1:
        term = np.empty_like(out)
        for j in range(1, markets):
            np.multiply(table[j][:, None], qty[j], out=term)
            out += term
    return out


def limb_sums(qty: Column, table: WadLimbs) -> tuple[Column, ...]:
    """VEC-3: per limb, sum over markets of qty * limb: qty [M, N] and the table's values
    [M, K] give one [K, N] array per limb (one product for all limbs)."""
    products = dot(table.stacked(), qty)
    return tuple(np.split(products, len(table.limbs), axis=0))


def weighted_floor(qty: Column, table: WadLimbs) -> Column:
    """VEC-3: floor(sum over markets of qty * value / ONE), qty [M, N] and values [M, K]:
    [K, N]."""
    return floor_wad(limb_sums(qty, table))


def product_floor(qty: Column, table: WadLimbs) -> Column:
    """VEC-3: floor(qty * value / ONE) elementwise (qty and the table broadcast)."""
    return floor_wad(tuple(qty * limb for limb in table.limbs))
