"""The vectorized engine's shortcuts give the integers of the limbs they skip (VEC-7).

The shortcut's fallback runs for about one book in a million at realistic sizes, too rarely
for the row-by-row differential test (`tests/test_vectorized.py`) to reach it; here a
slack as wide as BASE makes every book take it, and the spread charge's shortcut is held
to the exact limbs on values drawn at the edges of its carries.
"""

from typing import Any

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from spec.bounds import MAX_QTY
from stresslab.engine import limbs_of
from stresslab.generate import param_shapes, random_population, random_prices
from stresslab.scan import SPREAD_UNIT, scan_risk, spread_cost, top_scan_risk
from stresslab.tables import build_tables
from stresslab.wad import BASE, dot, limb_sums

SHAPES = param_shapes()


def books_of(name: str, seed: int) -> tuple[Any, Any, Any]:
    """An underlying with options, its narrow limbs and 300 random books [markets, 300]."""
    params = SHAPES[name]
    rng = np.random.default_rng(seed)
    prices = random_prices(params, rng)
    population = random_population(params, 300, rng)
    tables = build_tables(params, prices, 1_000, frozenset(range(len(params.markets))))
    limbs = limbs_of(tables, np.int64, narrow=True)
    u, u_limbs = tables.underlyings[0], limbs.underlyings[0]
    qty = population.qty[:, 0, list(u.markets)].T.copy()
    return u, u_limbs, qty


def test_the_top_limb_scan_equals_the_full_limbs_and_its_fallback_too() -> None:
    """VEC-7: the scan risk from the top limbs equals the one from every limb, both when the
    slack is the books' lots (the shortcut, almost every book) and when it is BASE (every
    book falls back to its low limbs)."""
    for name in sorted(SHAPES):
        u, u_limbs, qty = books_of(name, 3)
        full = scan_risk(u, limb_sums(qty, u_limbs.changes))
        tops = dot(u_limbs.changes.limbs[0], qty)
        assert np.array_equal(top_scan_risk(u, u_limbs, qty, tops), full), name
        assert np.array_equal(top_scan_risk(u, u_limbs, qty, tops, BASE), full), name
        assert full.any(), name


@settings(max_examples=400, deadline=None, database=None)
@given(
    high=st.integers(0, (MAX_QTY // 1000) * BASE),
    low=st.one_of(st.just(0), st.integers(1, BASE - 1), st.just(BASE - 1)),
    rate=st.one_of(st.just(0), st.integers(1, 10**7), st.integers(SPREAD_UNIT - 10, 10**14)),
    nudge=st.sampled_from([None, 0, -1, 1]),
)
def test_the_spread_charge_shortcut_equals_the_exact_limbs(
    high: int, low: int, rate: int, nudge: int | None
) -> None:
    """VEC-7, SPAN-6: ceil((high * BASE + low) * rate / (BPS * ONE)) from high * rate alone
    (with its fallback where the low limb may carry) equals the exact limbs, at exact
    multiples of 10**13 and just beside them."""
    if nudge is not None and rate:
        high = max(0, (high * rate // SPREAD_UNIT) * SPREAD_UNIT // rate + nudge)
    h, lo = np.array([high], dtype=np.int64), np.array([low], dtype=np.int64)
    expected = -((-(high * BASE + low) * rate) // (SPREAD_UNIT * BASE))
    fast = spread_cost(h, lo, rate, reach=high + 1)
    if float(high + 1) * (rate + 1) + SPREAD_UNIT < 2.0**62:
        event("shortcut")
        if low and (high * rate) % SPREAD_UNIT + rate > SPREAD_UNIT:
            event("fallback")
    assert int(fast[0]) == expected == int(spread_cost(h, lo, rate)[0])
