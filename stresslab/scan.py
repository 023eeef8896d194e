"""The SPAN-style scan and the per-position margin of one book, for many accounts at once
(VEC-4; the model's rules RISK-4, RISK-7, SPAN-1..SPAN-8).

A *book* here is an array `qty[N, M]`: for each of N accounts its lots in every market
(params order), zero where it holds none: one venue's reported book, or the books of all
venues merged (RISK-8).  Every function returns one integer per account, equal to the
model's function of the same name on that account's book.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from spec.bounds import BPS
from spec.params import PortfolioParams
from stresslab.tables import Tables, Underlying
from stresslab.wad import BASE, Column, WadLimbs, product_floor, split_wad, weighted_floor

SPREAD_SCALE = BPS * BASE
"""SPAN-6: BPS * ONE / BASE, the divisor of the spread charge once the limb BASE is out."""


def ceil_div(numerator: Column, denominator: int | Column) -> Column:
    """NUM-2: the least integer >= numerator / denominator, elementwise (denominator > 0)."""
    return -((-numerator) // denominator)


def covered_loss(loss: Column, cover_bps: int) -> Column:
    """SPAN-3: a scenario loss after its cover, rounded up; zero for no loss."""
    if cover_bps == BPS:
        return np.maximum(loss, 0)
    return np.where(loss > 0, ceil_div(loss * cover_bps, BPS), 0)


@dataclass(frozen=True)
class UnderlyingLimbs:
    """An underlying's wad tables as limbs of one dtype (VEC-3): the scenario changes, the
    per-class least and most changes (VEC-4), the deltas in two limbs of BASE."""

    changes: WadLimbs
    least: tuple[WadLimbs, ...]
    most: tuple[WadLimbs, ...]
    delta_high: Column
    delta_low: Column


def underlying_limbs(u: Underlying, dtype: Any) -> UnderlyingLimbs:
    """The limbs of one underlying's tables in `dtype` (int64, or object for the exact path)."""
    deltas = np.array(u.deltas, dtype=object)
    return UnderlyingLimbs(
        changes=split_wad([list(row) for row in u.changes], dtype),
        least=tuple(split_wad(list(c.least_change), dtype) for c in u.classes),
        most=tuple(split_wad(list(c.most_change), dtype) for c in u.classes),
        delta_high=np.asarray(deltas // BASE, dtype=dtype),
        delta_low=np.asarray(deltas % BASE, dtype=dtype),
    )


def scan_risk(u: Underlying, limbs: UnderlyingLimbs, qty: Column) -> Column:
    """SPAN-3: the worst covered loss over the 16 scenarios of the book `qty[N, markets of u]`.

    The loss is -floor(sum qty * change / ONE) per scenario (VEC-3); within a cover class the
    covered loss grows with the loss, so the class's worst is the cover of its largest loss."""
    loss = -weighted_floor(qty, limbs.changes)
    worst = np.zeros(qty.shape[0], dtype=qty.dtype)
    for cls in u.classes:
        largest = loss[:, list(cls.columns)].max(axis=1)
        worst = np.maximum(worst, covered_loss(largest, cls.cover_bps))
    return worst


def standalone_risk(u: Underlying, limbs: UnderlyingLimbs, qty: Column) -> Column:
    """SPAN-7, VEC-4: the scan risk of each position on its own, summed.  A long's worst
    scenario in a cover class is the one where its lot's value falls most (least change), a
    short's the one where it rises most, whatever the size: two losses per position."""
    total = np.zeros(qty.shape[0], dtype=qty.dtype)
    for j in range(len(u.markets)):
        lots = qty[:, j]
        is_long = lots > 0
        risk = np.zeros_like(total)
        for cls, least, most in zip(u.classes, limbs.least, limbs.most, strict=True):
            worst_change = WadLimbs(
                np.where(is_long, least.units[j], most.units[j]),
                np.where(is_long, least.high[j], most.high[j]),
                np.where(is_long, least.low[j], most.low[j]),
            )
            loss = -product_floor(lots, worst_change)
            risk = np.maximum(risk, covered_loss(loss, cls.cover_bps))
        total = total + risk
    return total


def normalized(high: Column, low: Column) -> tuple[Column, Column]:
    """Two limbs of BASE with the low one carried into [0, BASE)."""
    return high + low // BASE, low % BASE


def spread_charge(
    u: Underlying, limbs: UnderlyingLimbs, qty: Column, portfolio: PortfolioParams
) -> Column:
    """SPAN-6: ceil(min(sum of long tenor deltas, sum of |short tenor deltas|) * price *
    spread_charge_bps / (10_000 * ONE)), deltas in wad kept exact as two limbs of BASE."""
    zeros = np.zeros(qty.shape[0], dtype=qty.dtype)
    long_high, long_low, short_high, short_low = zeros, zeros, zeros, zeros
    for group in u.tenors:
        high, low = zeros, zeros
        for j in group:
            high = high + qty[:, j] * limbs.delta_high[j]
            low = low + qty[:, j] * limbs.delta_low[j]
        high, low = normalized(high, low)
        is_long = (high > 0) | ((high == 0) & (low > 0))
        is_short = high < 0
        long_high = long_high + np.where(is_long, high, 0)
        long_low = long_low + np.where(is_long, low, 0)
        short_high = short_high - np.where(is_short, high, 0)
        short_low = short_low - np.where(is_short, low, 0)
    long_high, long_low = normalized(long_high, long_low)
    short_high, short_low = normalized(short_high, short_low)
    longs_smaller = (long_high < short_high) | ((long_high == short_high) & (long_low <= short_low))
    spread_high = np.where(longs_smaller, long_high, short_high)
    spread_low = np.where(longs_smaller, long_low, short_low)
    rate = u.price * portfolio.spread_charge_bps
    rate_high, rate_low = divmod(rate, BASE)
    tail = spread_low * rate_low
    head = spread_high * rate + spread_low * rate_high + tail // BASE
    rest = tail % BASE
    return np.where(rest > 0, head // SPREAD_SCALE + 1, ceil_div(head, SPREAD_SCALE))


def short_option_lots(u: Underlying, qty: Column) -> Column:
    """SPAN-5: the short live option lots on the underlying, calls and puts alike."""
    lots = np.zeros(qty.shape[0], dtype=qty.dtype)
    for j in u.live_options:
        lots = lots + np.maximum(-qty[:, j], 0)
    return lots


def short_option_minimum(lots: Column, price: int, portfolio: PortfolioParams) -> Column:
    """SPAN-5: ceil(short lots * price * short_option_min_bps / 10_000)."""
    return ceil_div(lots * (price * portfolio.short_option_min_bps), BPS)


def underlying_risk(
    u: Underlying, limbs: UnderlyingLimbs, qty: Column, portfolio: PortfolioParams
) -> Column:
    """SPAN-7: max(min(scan risk + spread charge, standalone risk), short option minimum),
    `qty` the book's columns of the underlying's markets."""
    offset = scan_risk(u, limbs, qty) + spread_charge(u, limbs, qty, portfolio)
    alone = standalone_risk(u, limbs, qty)
    floor = short_option_minimum(short_option_lots(u, qty), u.price, portfolio)
    risk: Column = np.maximum(np.minimum(offset, alone), floor)
    return risk


def scan_margin(
    tables: Tables,
    limbs: tuple[UnderlyingLimbs, ...],
    book: Column,
    portfolio: PortfolioParams,
) -> Column:
    """RISK-7, SPAN-7, SPAN-8: the sum over underlyings of each one's risk (an underlying the
    book holds nothing of adds zero, as in the model, where it is not visited)."""
    total = np.zeros(book.shape[0], dtype=book.dtype)
    for u, u_limbs in zip(tables.underlyings, limbs, strict=True):
        total = total + underlying_risk(u, u_limbs, book[:, list(u.markets)], portfolio)
    return total


def per_position_margin(
    tables: Tables, book: Column, portfolio: PortfolioParams, *, initial: bool
) -> Column:
    """RISK-4: each position on its own: bps of its notional, a long option nothing, a short
    live option at least its short option minimum (SPAN-5)."""
    total = np.zeros(book.shape[0], dtype=book.dtype)
    for m, asset in enumerate(tables.underlying_of):
        lots, price = book[:, m], tables.prices[asset]
        bps = tables.im_bps[m] if initial else tables.mm_bps[m]
        need = ceil_div(np.abs(lots) * (price * bps), BPS)
        if tables.is_live_option[m]:
            shorts = np.maximum(-lots, 0)
            need = np.maximum(need, short_option_minimum(shorts, price, portfolio))
        if tables.is_option[m]:
            need = np.where(lots > 0, 0, need)
        total = total + need
    return total
