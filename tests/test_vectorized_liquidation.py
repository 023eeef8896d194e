"""The vectorized liquidation price equals the model's bisection row by row (VEC-8, RISK-IM-5).

Hypothesis draws populations of books of perpetuals (the rows that have a liquidation price:
net long and net short, on one or several spokes, linked or not, collateral in the
underlying and in cash, clearing pools holding the underlying, aged reports), with some
rows made ineligible (an option, a second underlying, a flat net size, already unhealthy),
amounts from realistic to the bounds; the engine's `liquidation_price` must equal
`model.risk.liquidation_price` on every row, and the run must reach both directions, the
none answers, a price found, and the exact (Python int) path.
"""

from collections import Counter
from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model import risk
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY
from spec.params import Params
from stresslab.bounds import FAST_LIMIT
from stresslab.bridge import model_state
from stresslab.engine import risk_pass
from stresslab.generate import param_shapes
from stresslab.liquidation_price import price_bound
from stresslab.population import Population

SHAPES = param_shapes()
REACHED: Counter[str] = Counter()
MUST_REACH = {"net long": 10, "net short": 10, "none": 10, "found": 20, "exact path": 2}


@st.composite
def perp_books(draw: st.DrawFn) -> tuple[Params, Population, dict[str, int], int, Any, int]:
    """A parameter shape and 1-5 rows mostly holding perpetuals on one underlying."""
    params = SHAPES[draw(st.sampled_from(sorted(SHAPES)))]
    a, s, m = len(params.assets), len(params.spokes), len(params.markets)
    big = draw(st.integers(0, 5)) == 0
    n = draw(st.integers(1, 5))
    prices = {
        x.id: draw(st.integers(1, MAX_PRICE) if big else st.integers(50, 60_000))
        for x in params.assets
    }
    perps = [j for j, mk in enumerate(params.markets) if mk.kind == "perp"]
    qty = np.zeros((n, s, m), dtype=np.int64)
    cost = np.zeros((n, s, m), dtype=np.int64)
    for row in range(n):
        lots = st.integers(-MAX_QTY, MAX_QTY) if big else st.integers(-80, 80)
        first = draw(st.sampled_from(perps))
        for spoke in range(s):
            qty[row, spoke, first] = draw(lots)
        odd = draw(st.integers(0, 6))
        if odd == 0:  # an option, or another underlying's perpetual: no liquidation price
            qty[row, draw(st.integers(0, s - 1)), draw(st.integers(0, m - 1))] = draw(lots)
        price = prices[params.markets[first].underlying]
        for spoke in range(s):
            paid = int(qty[row, spoke, first]) * price
            cost[row, spoke, first] = max(-MAX_AMOUNT, min(MAX_AMOUNT, paid))
    collateral = np.array(
        [
            [draw(st.integers(0, 100 if not big else MAX_AMOUNT)) for _ in range(a)]
            for _ in range(n)
        ],
        dtype=np.int64,
    )
    for row in range(n):  # cash about the size of the book's notional: some healthy, some not
        notional = int(np.abs(qty[row]).sum()) * max(prices.values())
        collateral[row, 0] = min(MAX_AMOUNT, draw(st.integers(0, 3 * notional + 1_000)))
    population = Population(
        collateral=collateral,
        qty=qty,
        cost=cost,
        balance=np.array(
            [[draw(st.integers(-(10**6), 10**6)) for _ in range(s)] for _ in range(n)],
            dtype=np.int64,
        ),
        linked=np.array(
            [[draw(st.integers(0, 4)) > 0 for _ in range(s)] for _ in range(n)], dtype=np.bool_
        ),
        alloc=np.zeros((n, s), dtype=np.int64),
        report_time=draw(
            st.none() | st.just(np.full((n, s), draw(st.integers(0, 500)), dtype=np.int64))
        ),
    )
    owed = np.array(
        [[draw(st.sampled_from([0, 0, 10, 10**5])) for _ in range(a)] for _ in range(s)],
        dtype=np.int64,
    )
    max_price = draw(st.sampled_from([MAX_PRICE, 10**6]))
    return params, population, prices, 1_000, owed, max_price


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(perp_books())
def liquidation_equals_model(
    case: tuple[Params, Population, dict[str, int], int, Any, int],
) -> None:
    params, population, prices, now, owed, max_price = case
    figures = risk_pass(params, population, prices, now, owed=owed, max_price=max_price)
    assert figures.liquidation_price is not None and figures.has_liquidation_price is not None
    for row in range(population.size):
        state, account = model_state(params, population, row, now, owed)
        expected = risk.liquidation_price(state, account, prices, max_price)
        got = int(figures.liquidation_price[row]) if figures.has_liquidation_price[row] else None
        assert got == expected, (row, prices, max_price)
        paths = {"none"} if expected is None else {"found"}
        books = population.qty[row] * population.linked[row][:, None]
        if expected is not None:
            paths.add("net long" if int(books.sum()) > 0 else "net short")
            held = params.markets[int(np.flatnonzero(books.any(axis=0))[0])].underlying
            x = [a.id for a in params.assets].index(held)
            slope, fixed = price_bound(params, population, np.array([row]), x, prices, now, owed)
            top = prices[held] if int(books.sum()) > 0 else max(prices[held], max_price)
            if slope[0] * top + fixed[0] >= FAST_LIMIT:  # Python ints at some trial price
                paths.add("exact path")
        for path in paths:
            event(path)
        REACHED.update(paths)


def test_the_liquidation_price_equals_the_models_bisection() -> None:
    """VEC-8, RISK-IM-5: every row's liquidation price equals the model's, for net longs and
    shorts, none answers, and rows on the exact path."""
    REACHED.clear()
    liquidation_equals_model()
    missing = {path: REACHED[path] for path, least in MUST_REACH.items() if REACHED[path] < least}
    assert not missing, (missing, REACHED)


def test_a_pass_without_max_price_has_no_liquidation_price_and_pools_must_come_as_tokens() -> None:
    """VEC-8: the field is none unless asked for; asked for with pool values instead of the
    tokens owed, the pass refuses (it values the pools at every trial price)."""
    import pytest

    params = SHAPES["example"]
    s, m = len(params.spokes), len(params.markets)
    population = Population(
        collateral=np.array([[10**6, 10]], dtype=np.int64),
        qty=np.zeros((1, s, m), dtype=np.int64),
        cost=np.zeros((1, s, m), dtype=np.int64),
        balance=np.zeros((1, s), dtype=np.int64),
        linked=np.ones((1, s), dtype=np.bool_),
        alloc=np.zeros((1, s), dtype=np.int64),
    )
    prices = {"USD": 1, "ETH": 2_000}
    assert risk_pass(params, population, prices, 0).liquidation_price is None
    with pytest.raises(ValueError, match="owed"):
        risk_pass(params, population, prices, 0, [5] * s, max_price=MAX_PRICE)
