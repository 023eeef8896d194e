"""Collateral needed, unified vs siloed, per portfolio family (STRESS-10, RISK-8).

The seed's capital-efficiency claim as a number: an account margined across venues
needs its netted scan margin (`netted_margin`); the same books margined venue by venue
need each venue's scan margin (`isolated_margin`).  Both are grossed up to initial
margin (RISK-IM-2) and carry the same latency buffer (RISK-6), all from `model/risk.py`.
"""

from __future__ import annotations

from model.arith import bps_up
from model.margin import isolated_margin, netted_margin
from model.risk import latency_buffer, reported_books
from spec.params import Params
from spec.reports import EfficiencyRow
from stresslab.families import Portfolios
from stresslab.scalar_pass import ROW, row_state

MAX_ACCOUNTS = 250
"""STRESS-10: the most accounts of one family measured (the scalar model's speed)."""


def family_efficiency(params: Params, book: Portfolios, family: str, price: int) -> EfficiencyRow:
    """STRESS-10: summed over the family's accounts (at most MAX_ACCOUNTS), at time 0."""
    prices = {a.id: a.fixed_price or price for a in params.assets}
    rows = [r for r, f in enumerate(book.family) if f == family][:MAX_ACCOUNTS]
    unified = siloed = 0
    for row in rows:
        state = row_state(params, book.population, row, 0)
        books = list(reported_books(state, ROW).values())
        buffer = latency_buffer(state, ROW, prices)
        im = params.portfolio.im_bps
        unified += bps_up(netted_margin(params, books, prices, 0), im) + buffer
        siloed += bps_up(isolated_margin(params, books, prices, 0), im) + buffer
    saving = 1 - unified / siloed if siloed else 0.0
    return EfficiencyRow(
        family=family, accounts=len(rows), unified=unified, siloed=siloed, saving=saving
    )


def efficiency(params: Params, book: Portfolios, price: int) -> list[EfficiencyRow]:
    """STRESS-10: one row per family present, in the order families were dealt."""
    families = list(dict.fromkeys(book.family))
    return [family_efficiency(params, book, f, price) for f in families]
