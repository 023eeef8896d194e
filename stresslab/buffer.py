"""The latency buffer of one spoke's book, for many accounts at once (RISK-6, RISK-AGE-2,
RISK-AGE-5, VEC-5).

One small function on purpose: the buffer rule is the one most likely to change (the
buffer horizon, how options count), and this is the one place the engine states it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.pricing import ONE
from model.risk import buffer_rate_bps
from spec.bounds import BPS
from stresslab.scan import ceil_div
from stresslab.tables import Tables
from stresslab.wad import Column


def row_rates(tables: Tables, spoke: int, asset: int, ages: Column, dtype: Any) -> Column:
    """RISK-AGE-2: each row's buffer rate for an underlying over the spoke's latency plus the
    row's report age, from the model's own `buffer_rate_bps` once per distinct age."""
    distinct, inverse = np.unique(np.asarray(ages, dtype=np.int64), return_inverse=True)
    rates = [
        buffer_rate_bps(
            tables.z_milli, tables.volatilities[asset], tables.latencies[spoke] + int(age)
        )
        for age in distinct
    ]
    return np.asarray(rates, dtype=dtype)[inverse.reshape(-1)]


def spoke_buffer(tables: Tables, spoke: int, book: Column, ages: Column) -> Column:
    """RISK-6, RISK-AGE-5: sum over the positions of spoke `spoke`'s books `[M, N]` of
    ceil(|qty| * weight * price * rate / (10_000 * ONE)), the rate over each row's horizon
    (`ages[N]`: the age of the row's report from this spoke), the weight ONE for a short or
    a perpetual and the option's |delta| (raised by the pricer's bound) for a long option.

    A weight below ONE makes the product exceed int64, so those rows are computed on
    Python ints (their result is below the ONE-weighted one, which the bound covers)."""
    total = np.zeros(book.shape[1], dtype=book.dtype)
    for m, asset in enumerate(tables.underlying_of):
        if not book[m].any():
            continue
        lots = np.abs(book[m])
        price = tables.prices[asset]
        rate = row_rates(tables, spoke, asset, ages, book.dtype)
        term = ceil_div(lots * (price * rate), BPS)
        weight = tables.buffer_weights[m]
        if weight != ONE:
            longs = np.nonzero(book[m] > 0)[0]
            exact = ceil_div(
                lots[longs].astype(object) * (price * weight) * rate[longs].astype(object),
                BPS * ONE,
            )
            term[longs] = exact
        total = total + term
    return total
