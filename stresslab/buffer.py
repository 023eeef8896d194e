"""The latency buffer of one spoke's book, for many accounts at once (RISK-6, RISK-AGE-2,
RISK-AGE-5, VEC-5).

One small function on purpose: the buffer rule is the one most likely to change (the
buffer horizon, how options count), and this is the one place the engine states it.
"""

from __future__ import annotations

import numpy as np

from model.buffer import buffer_rate_bps
from model.pricing import ONE
from spec.bounds import BPS
from stresslab.scan import ceil_div
from stresslab.tables import Tables
from stresslab.wad import Column, floor_mod

LIMB = 10**7
"""A long option's buffer divides by BPS * ONE = 10**22 = LIMB**3 / 10: its per-lot factor's
remainder is split in limbs of 10**7 so that lots (<= MAX_QTY = 10**6, BND-3) times a limb
stays far inside int64 (VEC-2)."""
DIVISOR = BPS * ONE


def horizon_rates(tables: Tables, spoke: int, asset: int, ages: list[int]) -> list[int]:
    """RISK-AGE-2: the buffer rates over the spoke's latency plus each of the distinct report
    ages `ages`, from the model's own `buffer_rate_bps`."""
    return [
        buffer_rate_bps(tables.z_milli, tables.volatilities[asset], tables.latencies[spoke] + age)
        for age in ages
    ]


def ceil_scaled(lots: Column, factor: int) -> Column:
    """ceil(lots * factor / 10**22) exactly for lots >= 0, without forming the product:
    factor = q * 10**22 + rem, rem in three limbs of 10**7 (the top one below 10**8),
    carried from the bottom; the remainder is non-zero iff a carried digit is."""
    q, rem = divmod(factor, DIVISOR)
    top, middle, low = rem // LIMB**2, (rem // LIMB) % LIMB, rem % LIMB
    t1 = lots * low
    c1, r1 = floor_mod(t1, LIMB)
    c2, r2 = floor_mod(lots * middle + c1, LIMB)
    c3, r3 = floor_mod(lots * top + c2, 10 * LIMB)
    floor = lots * q + c3
    inexact = (r1 != 0) | (r2 != 0) | (r3 != 0)
    exact: Column = floor + inexact
    return exact


def spoke_buffer(tables: Tables, spoke: int, book: Column, ages: Column) -> Column:
    """RISK-6, RISK-AGE-5: sum over the positions of spoke `spoke`'s books `[M, N]` of
    ceil(|qty| * weight * price * rate / (10_000 * ONE)), the rate over each row's horizon
    (`ages[N]`: the age of the row's report from this spoke), the weight ONE for a short or
    a perpetual and the option's |delta| (raised by the pricer's bound) for a long option; a
    settled option adds nothing (PRC-13)."""
    total = np.zeros(book.shape[1], dtype=book.dtype)
    ages = np.asarray(ages, dtype=np.int64)
    distinct: Column = ages[:1]
    inverse: Column = np.zeros(ages.shape, dtype=np.intp)
    if ages.size and ages.min() != ages.max():  # else one horizon for every row: no sorting
        distinct, inverse = np.unique(ages, return_inverse=True)
        inverse = inverse.reshape(-1)
    rates_of: dict[int, list[int]] = {}  # the rates depend on the underlying, not the market
    for m, asset in enumerate(tables.underlying_of):
        if not book[m].any() or tables.settled[m]:
            continue
        lots = np.abs(book[m])
        price = tables.prices[asset]
        if asset not in rates_of:
            rates_of[asset] = horizon_rates(tables, spoke, asset, [int(age) for age in distinct])
        rates = rates_of[asset]
        if len(rates) == 1:
            term = ceil_div(lots * (price * rates[0]), BPS)
        else:
            term = ceil_div(lots * (price * np.asarray(rates, dtype=book.dtype)[inverse]), BPS)
        weight = tables.buffer_weights[m]
        if weight != ONE:
            longs = book[m] > 0
            for k, r in enumerate(rates):
                rows = np.flatnonzero(longs if len(rates) == 1 else longs & (inverse == k))
                if rows.size:
                    term[rows] = ceil_scaled(lots[rows], price * r * weight)
        total = total + term
    return total
