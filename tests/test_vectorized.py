"""The vectorized risk engine equals the model row by row (VEC-1..VEC-6).

Hypothesis draws parameter sets of several shapes, populations (linked and unlinked
spokes, options and perpetuals, clearing pools) with amounts from small to the bounds of
spec/bounds.py, prices and times; every field of `risk_pass` must equal the model's
function on the row's state (`stresslab/bridge.py`).  The run counts the paths it reached
and fails if an interesting one was never taken.
"""

from collections import Counter
from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model import risk
from model.state import State
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY
from spec.params import Params
from stresslab.bridge import differences, engine_row, model_figures, model_state
from stresslab.engine import pool_values, risk_pass
from stresslab.generate import param_shapes
from stresslab.population import Population

SHAPES = param_shapes()


REGIMES = ("usual", "usual", "usual", "wide", "bounds")
"""Per row: realistic amounts (int64, narrow limbs), prices so high that the int64 path needs
wide limbs with few lots, or anything up to the bounds (mostly the exact path)."""


def amounts(regime: str, bound: int, *, signed: bool, usual: int) -> st.SearchStrategy[int]:
    low = -1 if signed else 0
    if regime != "bounds":
        return st.one_of(st.just(0), st.integers(low * usual, usual))
    return st.one_of(
        st.just(0),
        st.integers(low * usual, usual),
        st.integers(low * bound, bound),
        st.sampled_from([bound, low * bound]),
    )


LOTS = {
    "usual": st.one_of(st.just(0), st.integers(-60, 60)),
    "wide": st.one_of(st.just(0), st.integers(-3, 3)),
    "bounds": st.one_of(
        st.just(0),
        st.integers(-60, 60),
        st.integers(-MAX_QTY, MAX_QTY),
        st.sampled_from([-MAX_QTY, MAX_QTY]),
    ),
}
PRICES = {
    "usual": st.integers(1, 100_000),
    "wide": st.integers(10**10, 10**11),
    "bounds": st.one_of(st.integers(1, 100_000), st.integers(1, MAX_PRICE), st.just(MAX_PRICE)),
}
times = st.sampled_from([0, 1, 2_591_999, 2_592_000, 5_000_000, 10**7])


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, Params, Population, dict[str, int], int, Any]:
    """A parameter shape, a population of 1-6 rows, prices, a time, the tokens owed to pools."""
    name = draw(st.sampled_from(sorted(SHAPES)))
    params = SHAPES[name]
    a, s, m = len(params.assets), len(params.spokes), len(params.markets)
    regime = draw(st.sampled_from(REGIMES))
    n = draw(st.integers(1, 5))

    def array(shape: tuple[int, ...], element: st.SearchStrategy[Any]) -> Any:
        count = int(np.prod(shape))
        values = draw(st.lists(element, min_size=count, max_size=count))
        return np.array(values, dtype=np.int64).reshape(shape)

    few = "usual" if regime == "wide" else regime
    population = Population(
        collateral=array((n, a), amounts(few, MAX_AMOUNT, signed=False, usual=10**6)),
        qty=array((n, s, m), LOTS[regime]),
        cost=array((n, s, m), amounts(regime, MAX_AMOUNT, signed=True, usual=10**7)),
        balance=array((n, s), amounts(regime, 4 * MAX_AMOUNT, signed=True, usual=10**6)),
        linked=array((n, s), st.booleans()).astype(np.bool_),
        alloc=array((n, s), amounts(regime, MAX_AMOUNT, signed=False, usual=10**6)),
    )
    price_of = {x.id: draw(PRICES[regime]) for x in params.assets}
    owed = array((s, a), st.one_of(st.just(0), st.integers(0, 10**7)))
    return name, params, population, price_of, draw(times), owed


def reached(state: State, account: str, prices: dict[str, int]) -> set[str]:
    """The scan paths the model takes on the row's merged book."""
    params, now = state.params, state.oracle.now
    books = list(risk.reported_books(state, account).values())
    merged = risk.merge_positions(books)
    markets = {mk.id: mk for mk in params.markets}
    paths = set()
    if params.margin_method == "portfolio" and any(
        risk.is_live_option(markets[mk], now) for mk in merged
    ):
        paths.add("live option repriced")
    for asset in risk.underlyings(params, merged):
        if risk.spread_charge(params, merged, prices, asset, now) > 0:
            paths.add("spread charge")
        lots = risk.short_option_lots(params, merged, asset, now)
        floor = risk.short_option_minimum(params, lots, prices[asset])
        offset = risk.scan_risk(params, merged, prices, asset, now)
        offset += risk.spread_charge(params, merged, prices, asset, now)
        alone = risk.standalone_risk(params, merged, prices, asset, now)
        if floor > min(offset, alone) > 0:
            paths.add("short option minimum binds")
        if offset > alone:
            paths.add("standalone below offset")
    return paths


REACHED: Counter[str] = Counter()
MUST_REACH = {
    "live option repriced": 20,
    "spread charge": 10,
    "short option minimum binds": 3,
    "standalone below offset": 2,
    "exact path": 10,
    "int64 narrow": 50,
    "int64 wide": 10,
    "unhealthy": 10,
    "backed profit": 5,
    "per-position": 10,
}


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(cases())
def engine_equals_model(case: tuple[str, Params, Population, dict[str, int], int, Any]) -> None:
    name, params, population, prices, now, owed = case
    figures = risk_pass(params, population, prices, now, pool_values(params, owed, prices))
    for row in range(population.size):
        state, account = model_state(params, population, row, now, owed)
        expected = model_figures(state, account, prices)
        assert not differences(expected, engine_row(figures, row)), (name, row, now, prices)
        paths = reached(state, account, prices)
        if figures.exact[row]:
            paths.add("exact path")
        else:
            paths.add("int64 narrow" if figures.narrow else "int64 wide")
        if not expected["healthy"]:
            paths.add("unhealthy")
        if expected["backed_profits"] > 0:
            paths.add("backed profit")
        if params.margin_method == "per_position":
            paths.add("per-position")
        for path in paths:
            event(path)
        REACHED.update(paths)


def test_the_engine_equals_the_model_row_by_row() -> None:
    """VEC-1..VEC-6: every field of every row equals the model's, for every parameter shape,
    at realistic amounts and at the bounds (exact path), and the run reaches options
    repriced, spread charges, a binding short option minimum, both int64 limb layouts, the
    exact path, unhealthy rows and backed profits."""
    REACHED.clear()
    engine_equals_model()
    missing = {path: REACHED[path] for path, least in MUST_REACH.items() if REACHED[path] < least}
    assert not missing, (missing, REACHED)
