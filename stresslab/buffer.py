"""The latency buffer of one spoke's book, for many accounts at once (RISK-6, VEC-5).

One small function on purpose: the buffer rule is the one most likely to change (the
buffer horizon, how options count), and this is the one place the engine states it.
"""

from __future__ import annotations

import numpy as np

from spec.bounds import BPS
from stresslab.scan import ceil_div
from stresslab.tables import Tables
from stresslab.wad import Column


def spoke_buffer(tables: Tables, spoke: int, book: Column) -> Column:
    """RISK-6: sum over the positions of spoke `spoke`'s books `[M, N]` of
    ceil(notional * rate(spoke, underlying) / 10_000), long options included."""
    total = np.zeros(book.shape[1], dtype=book.dtype)
    for m, asset in enumerate(tables.underlying_of):
        rate = tables.buffer_rates[spoke][asset]
        total = total + ceil_div(np.abs(book[m]) * (tables.prices[asset] * rate), BPS)
    return total
