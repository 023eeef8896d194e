"""The SPAN-style scan and the per-position margin of one book, for many accounts at once
(VEC-4; the model's rules RISK-4, RISK-7, SPAN-1..SPAN-8).

A *book* here is a column of an array `qty[M, B]` (market-major, so that sums over
markets and scenarios are sums of contiguous rows): lots in every market of an underlying
(params order), zero where none is held, of one venue's reported book of one account or
of the books of all its venues merged (RISK-8).  Every function returns one integer per
book, equal to the model's function of the same name on that book.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.pricing import ONE
from model.span import spread_credits
from spec.bounds import BPS
from spec.params import PortfolioParams
from stresslab.bounds import FAST_LIMIT
from stresslab.tables import Tables, Underlying
from stresslab.wad import (
    BASE,
    Column,
    WadLimbs,
    dot,
    floor_mod,
    floor_wad,
    limb_sums,
    product_floor,
    split_wad,
)


def ceil_div(numerator: Column, denominator: int | Column) -> Column:
    """NUM-2: the least integer >= numerator / denominator, elementwise (denominator > 0)."""
    return -((-numerator) // denominator)


def covered_loss(loss: Column, cover_bps: int) -> Column:
    """SPAN-3: a scenario loss after its cover, rounded up; zero for no loss."""
    if cover_bps == BPS:
        return np.maximum(loss, 0)
    return ceil_div(np.maximum(loss, 0) * cover_bps, BPS)


@dataclass(frozen=True)
class UnderlyingLimbs:
    """An underlying's wad tables as limbs of one dtype (VEC-3): the scenario changes, the
    per-class least and most changes (VEC-4), and per tenor the markets' deltas in two limbs
    of BASE (`tenor_high[j, t]`, zero for a market not of tenor t)."""

    changes: WadLimbs
    least: tuple[WadLimbs, ...]
    most: tuple[WadLimbs, ...]
    tenor_high: Column
    tenor_low: Column


def underlying_limbs(u: Underlying, dtype: Any, *, narrow: bool) -> UnderlyingLimbs:
    """The limbs of one underlying's tables in `dtype` (int64, or object for the exact path)."""
    markets = len(u.markets)
    high = np.zeros((markets, len(u.tenors)), dtype=object)
    low = np.zeros((markets, len(u.tenors)), dtype=object)
    for t, group in enumerate(u.tenors):
        for j in group:
            high[j, t], low[j, t] = divmod(u.deltas[j], BASE)
    return UnderlyingLimbs(
        changes=split_wad([list(row) for row in u.changes], dtype, narrow=narrow),
        least=tuple(split_wad(list(c.least_change), dtype, narrow=narrow) for c in u.classes),
        most=tuple(split_wad(list(c.most_change), dtype, narrow=narrow) for c in u.classes),
        tenor_high=high.astype(dtype),
        tenor_low=low.astype(dtype),
    )


def columns_of(columns: tuple[int, ...]) -> slice | list[int]:
    """A class's scenario columns as a slice when they are consecutive (they are in SPAN-1's
    order), else as a list."""
    if columns == tuple(range(columns[0], columns[-1] + 1)):
        return slice(columns[0], columns[-1] + 1)
    return list(columns)


def scan_risk(u: Underlying, sums: tuple[Column, ...]) -> Column:
    """SPAN-3: the worst covered loss over the 16 scenarios of books, from their limb sums
    (`limb_sums` of the books and the changes).

    A scenario's loss is -floor(change / ONE) (VEC-3); within a cover class the covered loss
    grows with the loss, so the class's worst is the cover of its largest loss, and the
    largest loss is minus the floor of the smallest change: the floor to whole units, which
    is monotone, is taken once per class on the class's smallest change (narrow limbs: in
    units of 1/BASE)."""
    if len(sums) == 3:
        change, scale = floor_wad(sums), 1
    else:
        top, low = sums
        change, scale = top + low // BASE, BASE
    worst = np.zeros(change.shape[1], dtype=change.dtype)
    for cls in u.classes:
        largest = -(change[columns_of(cls.columns)].min(axis=0) // scale)
        worst = np.maximum(worst, covered_loss(largest, cls.cover_bps))
    return worst


def top_scan_risk(
    u: Underlying, limbs: UnderlyingLimbs, qty: Column, tops: Column, slack: int | None = None
) -> Column:
    """SPAN-3, VEC-7: `scan_risk` of the books `qty` from the sums of their top limbs alone
    (narrow limbs): a scenario's change in units of 1/BASE is its top sum plus the carry of
    its low limbs, which lies within a book's lots in markets with a low limb (a perpetual's
    are all zero) of zero; so the floor of a class's smallest change is that of its smallest
    top sum unless that many either way crosses a multiple of BASE.  Those few books get their
    low limbs summed (`scan_risk`).  `slack`: one wider slack for every book (tests)."""
    with_low = np.flatnonzero((limbs.changes.limbs[-1] != 0).any(axis=1))
    lots = np.abs(qty[with_low]).sum(axis=0) if slack is None else slack
    worst = np.zeros(tops.shape[1], dtype=tops.dtype)
    unsure = np.zeros(tops.shape[1], dtype=np.bool_)
    for cls in u.classes:
        least = tops[columns_of(cls.columns)].min(axis=0)
        low = (least - lots) // BASE
        unsure |= low != (least + lots) // BASE
        worst = np.maximum(worst, covered_loss(-low, cls.cover_bps))
    if unsure.any():
        books = np.flatnonzero(unsure)
        worst[books] = scan_risk(u, limb_sums(qty[:, books], limbs.changes))
    return worst


def position_risks(u: Underlying, limbs: UnderlyingLimbs, qty: Column) -> Column:
    """SPAN-3, VEC-4: the scan risk of each position on its own, `[markets of u, B]`.  A long's
    worst scenario in a cover class is the one where its lot's value falls most (least
    change), a short's the one where it rises most, whatever the size: one loss per class."""
    is_long = qty > 0
    risk = np.zeros(qty.shape, dtype=qty.dtype)
    for cls, least, most in zip(u.classes, limbs.least, limbs.most, strict=True):
        worst_change = WadLimbs(
            tuple(
                high_end[:, None] + (low_end - high_end)[:, None] * is_long
                for low_end, high_end in zip(least.limbs, most.limbs, strict=True)
            )
        )
        loss = -product_floor(qty, worst_change)
        risk = np.maximum(risk, covered_loss(loss, cls.cover_bps))
    return risk


@dataclass(frozen=True)
class RiskTable:
    """VEC-4: `position_risks` of every size from -reach to +reach lots, `risks[j, q + reach]`:
    a position's scan risk depends only on its market and its size, so a pass whose sizes
    are small looks them up instead of computing them again for every book."""

    reach: int
    risks: Column


def risk_table(u: Underlying, limbs: UnderlyingLimbs, reach: int) -> RiskTable:
    """VEC-4: the scan risk of one position of each size in [-reach, reach], by the same code."""
    sizes = np.arange(-reach, reach + 1, dtype=np.int64).astype(limbs.tenor_high.dtype)
    grid = np.repeat(sizes[None, :], len(u.markets), axis=0)
    return RiskTable(reach, position_risks(u, limbs, grid))


def standalone_risk(
    u: Underlying, limbs: UnderlyingLimbs, qty: Column, table: RiskTable | None
) -> Column:
    """SPAN-7: the scan risks of the book's positions each on its own, summed (looked up in
    `table` when given: every size then lies within its reach)."""
    if table is None:
        alone: Column = position_risks(u, limbs, qty).sum(axis=0)
        return alone
    width = table.risks.shape[1]
    cells = qty + (np.arange(qty.shape[0], dtype=np.int64) * width + table.reach)[:, None]
    summed: Column = table.risks.ravel().take(cells).sum(axis=0)
    return summed


def spread_charge(
    u: Underlying,
    limbs: UnderlyingLimbs,
    qty: Column,
    portfolio: PortfolioParams,
    lots: int | None = None,
) -> Column:
    """SPAN-6: ceil(min(sum of long tenor deltas, sum of |short tenor deltas|) * price *
    spread_charge_bps / (10_000 * ONE)), deltas in wad kept exact as two limbs of BASE.

    min(longs, shorts) = longs - max(0, net delta), net delta = longs - shorts (the sum of
    every tenor's).  `lots`: the most lots a book holds (VEC-7, see `spread_cost`)."""
    tenors = limbs.tenor_high.shape[1]
    both = dot(np.concatenate([limbs.tenor_high, limbs.tenor_low], axis=1), qty)
    high, low = normalized(both[:tenors], both[tenors:])
    is_long = is_positive(high, low)
    long_high, long_low = (high * is_long).sum(axis=0), (low * is_long).sum(axis=0)
    net_high, net_low = normalized(high.sum(axis=0), low.sum(axis=0))
    net_long = is_positive(net_high, net_low)
    spread_high, spread_low = normalized(
        long_high - net_high * net_long, long_low - net_low * net_long
    )
    rate = u.price * portfolio.spread_charge_bps
    reach = None if lots is None else (lots + 1) * (int(np.abs(limbs.tenor_high).max()) + 2)
    return spread_cost(spread_high, spread_low, rate, reach)


def is_positive(high: Column, low: Column) -> Column:
    """Whether high * BASE + low > 0, for 0 <= low < BASE: high >= 1, or high = 0 and low > 0."""
    positive: Column = high >= (low == 0)
    return positive


SPREAD_UNIT = BPS * ONE // BASE
"""SPAN-6: X wad lots at `rate` cost X * rate / (BPS * ONE) = (X / BASE) * rate / SPREAD_UNIT."""


def spread_cost(high: Column, low: Column, rate: int, reach: int | None = None) -> Column:
    """SPAN-6: ceil(X * rate / (10_000 * ONE)) for X = high * BASE + low wad lots (high >= 0,
    0 <= low < BASE) and rate = price * spread_charge_bps, exact in int64.

    X = a * ONE + b * BASE + c and rate = r1 * BASE + r0 (b, c, r0 < BASE) give
    X * rate = (a * rate + b * r1) * ONE + (b * r0 + c * r1) * BASE + c * r0, every product
    but a * rate (lots times price times bps, within the bound) below 10**18; carried up,
    X * rate = whole * ONE + fraction with 0 <= fraction < ONE, and the charge is
    ceil(whole / 10_000), plus one part more when the fraction is not zero.

    VEC-7: with `reach` (a bound on `high`) small enough that `high * rate` fits the bound,
    X * rate / (BPS * ONE) = (high * rate + f) / SPREAD_UNIT with f = low * rate / BASE in
    [0, rate), zero iff low or rate is: its ceiling follows from high * rate alone unless f
    may carry past a multiple of SPREAD_UNIT; those few books take the limbs above."""
    if reach is not None and float(reach) * (rate + 1) + SPREAD_UNIT < FAST_LIMIT:
        if rate == 0:
            return np.zeros_like(high)
        whole, rest = floor_mod(high * rate, SPREAD_UNIT)
        fraction = low > 0
        fast: Column = whole + ((rest > 0) | fraction)
        unsure = np.flatnonzero(fraction & (rest + rate > SPREAD_UNIT))
        if unsure.size:
            fast[unsure] = spread_cost(high[unsure], low[unsure], rate)
        return fast
    a, b = floor_mod(high, BASE)
    c = low
    r1, r0 = divmod(rate, BASE)
    units, middle, small = a * rate + b * r1, b * r0 + c * r1, c * r0
    middle = middle + small // BASE
    whole = units + middle // BASE
    fraction = (floor_mod(middle, BASE)[1] > 0) | (floor_mod(small, BASE)[1] > 0)
    units, parts = floor_mod(whole, BPS)
    charge: Column = units + (fraction | (parts > 0))
    return charge


def normalized(high: Column, low: Column) -> tuple[Column, Column]:
    """Two limbs of BASE with the low one carried into [0, BASE)."""
    carry, rest = floor_mod(low, BASE)
    return high + carry, rest


def short_option_lots(u: Underlying, qty: Column) -> Column:
    """SPAN-5: the short live option lots on the underlying, calls and puts alike."""
    lots: Column = np.maximum(-qty[list(u.live_options)], 0).sum(axis=0)
    return lots


def short_option_minimum(lots: Column, price: int, portfolio: PortfolioParams) -> Column:
    """SPAN-5: ceil(short lots * price * short_option_min_bps / 10_000)."""
    return ceil_div(lots * (price * portfolio.short_option_min_bps), BPS)


def underlying_risk(
    u: Underlying,
    limbs: UnderlyingLimbs,
    qty: Column,
    scan: Column,
    portfolio: PortfolioParams,
    table: RiskTable | None,
    lots: int | None = None,
) -> Column:
    """SPAN-7: max(min(scan risk + spread charge, standalone risk), short option minimum) of
    the books `qty` (their columns of the underlying's markets), `scan` their scan risk."""
    offset = scan + spread_charge(u, limbs, qty, portfolio, lots)
    alone = standalone_risk(u, limbs, qty, table)
    floor = short_option_minimum(short_option_lots(u, qty), u.price, portfolio)
    risk: Column = np.maximum(np.minimum(offset, alone), floor)
    return risk


def scan_margins(
    tables: Tables,
    limbs: tuple[UnderlyingLimbs, ...],
    books: Column,
    portfolio: PortfolioParams,
    risk_tables: tuple[RiskTable | None, ...],
    lots: int | None = None,
) -> tuple[Column, Column]:
    """RISK-7, RISK-8, SPAN-7, SPAN-8: the scan margin of each account's venue books
    `[S, M, N]` merged, and the sum of each venue's own.

    Per underlying, the S * N venue books and the N merged books go through the rules
    together as (S + 1) * N books (venue by venue, the merged books last); the merged books'
    scenario sums are the sums of their venues' (the scan is linear until it rounds).  An
    underlying a book holds nothing of adds zero, as in the model, where it is not visited.
    `lots`: the most lots any row holds (VEC-7: narrow scans from the top limbs alone)."""
    spokes, _, size = books.shape
    merged = np.zeros(size, dtype=books.dtype)
    isolated = np.zeros(size, dtype=books.dtype)
    entries: list[Entry] = []
    for u, u_limbs, table in zip(tables.underlyings, limbs, risk_tables, strict=True):
        venues = books[:, list(u.markets), :]
        every = np.concatenate([venues, venues.sum(axis=0, keepdims=True)], axis=0)
        qty = every.transpose(1, 0, 2).reshape(len(u.markets), (spokes + 1) * size)
        if lots is not None and not u_limbs.changes.wide:
            tops = scenario_sums(qty, u_limbs.changes.limbs[0], spokes, size)
            scan = top_scan_risk(u, u_limbs, qty, tops)
        else:
            venue_sums = limb_sums(qty[:, : spokes * size], u_limbs.changes)
            sums = tuple(
                np.concatenate([part, sum_blocks(part, spokes, size)], axis=1)
                for part in venue_sums
            )
            scan = scan_risk(u, sums)
        risks = underlying_risk(u, u_limbs, qty, scan, portfolio, table, lots)
        entries.append((u, qty, scan, risks))
    if portfolio.inter_spreads and books.dtype == object:
        entries = credited(tables, portfolio, entries)
    for _, _, _, risks in entries:
        isolated = isolated + sum_blocks(risks[None, : spokes * size], spokes, size)[0]
        merged = merged + risks[spokes * size :]
    return merged, isolated


Entry = tuple[Underlying, Column, Column, Column]
"""One underlying's markets, the books' lots on them, their scan risks and risks."""


def credited(tables: Tables, portfolio: PortfolioParams, entries: list[Entry]) -> list[Entry]:
    """SPAN-9: each book's underlying risks less their inter-commodity credits, at least their
    short option minimums, on the exact path (Python ints; the route sends every row a credit
    may apply to there, VEC-2).  Per book: each underlying's net delta from the tables'
    deltas and its scan risk (SPAN-3), the credits from the model's own
    `spread_credits` (the rule on those two numbers per underlying)."""
    ids = [tables.asset_ids[u.asset] for u, _, _, _ in entries]
    scans = [scan for _, _, scan, _ in entries]
    deltas = [
        (qty * np.array(u.deltas, dtype=object)[:, None]).sum(axis=0) for u, qty, _, _ in entries
    ]
    floors = [
        short_option_minimum(short_option_lots(u, qty), u.price, portfolio)
        for u, qty, _, _ in entries
    ]
    risks = [risk.copy() for _, _, _, risk in entries]
    width = risks[0].shape[0] if risks else 0
    for k in range(width):
        credits = spread_credits(
            portfolio,
            {x: int(d[k]) for x, d in zip(ids, deltas, strict=True)},
            {x: int(s[k]) for x, s in zip(ids, scans, strict=True)},
        )
        for i, x in enumerate(ids):
            if credits.get(x, 0):
                risks[i][k] = max(risks[i][k] - credits[x], floors[i][k])
    return [(u, qty, scan, r) for (u, qty, scan, _), r in zip(entries, risks, strict=True)]


def scenario_sums(qty: Column, limb: Column, spokes: int, size: int) -> Column:
    """VEC-3: one limb's scenario sums `[K, (spokes + 1) * size]` of the venue books and, last,
    the merged books (the sums of their venues', written in place)."""
    sums = np.empty((limb.shape[1], qty.shape[1]), dtype=qty.dtype)
    venues = spokes * size
    dot(limb, qty[:, :venues], out=sums[:, :venues])
    merged = sums[:, venues:]
    merged[...] = sums[:, :size]
    for b in range(1, spokes):
        merged += sums[:, b * size : (b + 1) * size]
    return sums


def sum_blocks(rows: Column, blocks: int, size: int) -> Column:
    """The sum of `blocks` consecutive column blocks of width `size` of `rows[K, blocks * size]`."""
    total = rows[:, :size].copy()
    for b in range(1, blocks):
        total = total + rows[:, b * size : (b + 1) * size]
    return total


def per_position_margin(
    tables: Tables, book: Column, portfolio: PortfolioParams, *, initial: bool
) -> Column:
    """RISK-4: each position of the books `[M, N]` on its own: bps of its notional, a long
    option nothing, a short live option at least its short option minimum (SPAN-5), a settled
    option nothing (PRC-13)."""
    total = np.zeros(book.shape[1], dtype=book.dtype)
    for m, asset in enumerate(tables.underlying_of):
        if tables.settled[m]:
            continue
        lots, price = book[m], tables.prices[asset]
        bps = tables.im_bps[m] if initial else tables.mm_bps[m]
        need = ceil_div(np.abs(lots) * (price * bps), BPS)
        if tables.is_live_option[m]:
            shorts = np.maximum(-lots, 0)
            need = np.maximum(need, short_option_minimum(shorts, price, portfolio))
        if tables.is_option[m]:
            need = need * (lots <= 0)
        total = total + need
    return total
