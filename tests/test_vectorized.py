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
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model import margin, risk, span, valuation
from model.state import State
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY
from spec.params import Params
from stresslab.bridge import differences, engine_row, model_figures, model_state
from stresslab.buffer import ceil_scaled
from stresslab.engine import pool_values, risk_pass, table_reach
from stresslab.generate import param_shapes, random_population, random_prices
from stresslab.holdings import held_markets
from stresslab.population import Population
from stresslab.tables import build_tables

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
    """A parameter shape, a population of 1-6 rows, prices, a time, the tokens owed to pools
    and the expiry prices fixed by then (some expired markets, PRC-14)."""
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
        report_time=draw(st.none() | st.just(array((n, s), st.integers(0, 10**7)))),
    )
    price_of = {x.id: draw(PRICES[regime]) for x in params.assets}
    owed = array((s, a), st.one_of(st.just(0), st.integers(0, 10**7)))
    now = draw(times)
    expired = [mk.id for mk in params.markets if mk.expiry is not None and mk.expiry <= now]
    fixed = [mk for mk in expired if draw(st.booleans())]  # PRC-14; the others PRC-15
    fixings = {mk: draw(PRICES[regime]) for mk in fixed}
    return name, params, population, price_of, now, (owed, fixings)


def reached(state: State, account: str, prices: dict[str, int]) -> set[str]:
    """The scan paths the model takes on the row's merged book."""
    params, now = state.params, state.oracle.now
    books = list(risk.reported_books(state, account).values())
    merged = margin.merge_positions(books)
    markets = {mk.id: mk for mk in params.markets}
    paths = set()
    if params.margin_method == "portfolio" and any(
        valuation.is_live_option(markets[mk], now) for mk in merged
    ):
        paths.add("live option repriced")
    for asset in valuation.underlyings(params, merged):
        if span.spread_charge(params, merged, prices, asset, now) > 0:
            paths.add("spread charge")
        lots = span.short_option_lots(params, merged, asset, now)
        floor = span.short_option_minimum(params, lots, prices[asset])
        offset = span.scan_risk(params, merged, prices, asset, now)
        offset += span.spread_charge(params, merged, prices, asset, now)
        alone = span.standalone_risk(params, merged, prices, asset, now)
        if floor > min(offset, alone) > 0:
            paths.add("short option minimum binds")
        if offset > alone:
            paths.add("standalone below offset")
        elif span.spread_charge(params, merged, prices, asset, now) > 0:
            paths.add("spread charge counts")
    if any(span.inter_credits(params, merged, prices, now, state.oracle.expiry_prices).values()):
        paths.add("inter-commodity credit")
    return paths


REACHED: Counter[str] = Counter()
MUST_REACH = {
    "live option repriced": 20,
    "spread charge": 10,
    "spread charge counts": 30,
    "short option minimum binds": 3,
    "standalone below offset": 2,
    "exact path": 10,
    "int64 narrow": 50,
    "int64 wide": 5,  # the inter-commodity shape sends its two-leg rows to the exact path
    "unhealthy": 10,
    "backed profit": 5,
    "per-position": 10,
    "report aged": 20,
    "long option weighted by delta": 10,
    "settled option held": 5,
    "inter-commodity credit": 3,
    "expired option not fixed": 5,
}


def buffer_paths(state: State, account: str) -> set[str]:
    """RISK-AGE-2, RISK-AGE-5: the buffer rules the row's reported books reach."""
    params, now = state.params, state.oracle.now
    markets = {mk.id: mk for mk in params.markets}
    paths = set()
    for spoke, book in risk.reported_books(state, account).items():
        if book and risk.report_age(state, account, spoke) > 0:
            paths.add("report aged")
        if any(
            pos.qty > 0 and valuation.is_live_option(markets[mk], now) for mk, pos in book.items()
        ):
            paths.add("long option weighted by delta")
        for mk in book:
            if valuation.is_settled(markets[mk], now, state.oracle.expiry_prices):
                paths.add("settled option held")
            elif markets[mk].kind != "perp" and not valuation.is_live_option(markets[mk], now):
                paths.add("expired option not fixed")
    return paths


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(cases())
def engine_equals_model(case: tuple[str, Params, Population, dict[str, int], int, Any]) -> None:
    name, params, population, prices, now, (owed, fixings) = case
    pools = pool_values(params, owed, prices)
    figures = risk_pass(params, population, prices, now, pools, fixings=fixings)
    for row in range(population.size):
        state, account = model_state(params, population, row, now, owed, fixings)
        expected = model_figures(state, account, prices)
        assert not differences(expected, engine_row(figures, row)), (name, row, now, prices)
        paths = reached(state, account, prices)
        if figures.exact[row]:
            paths.add("exact path")
        else:
            paths.add("int64 narrow" if figures.narrow[row] else "int64 wide")
        if not expected["healthy"]:
            paths.add("unhealthy")
        if expected["backed_profits"] > 0:
            paths.add("backed profit")
        if params.margin_method == "per_position":
            paths.add("per-position")
        paths |= buffer_paths(state, account)
        for path in paths:
            event(path)
        REACHED.update(paths)


def test_the_engine_equals_the_model_row_by_row() -> None:
    """VEC-1..VEC-6, PRC-13..PRC-15: every field of every row equals the model's, for every
    parameter shape, at realistic amounts and at the bounds (exact path), and the run reaches
    options repriced, spread charges, a binding short option minimum, both int64 limb
    layouts, the exact path, unhealthy rows, backed profits, and expired options settled at
    an expiry price or not fixed yet."""
    REACHED.clear()
    engine_equals_model()
    missing = {path: REACHED[path] for path, least in MUST_REACH.items() if REACHED[path] < least}
    assert not missing, (missing, REACHED)


def model_rows(
    params: Params,
    population: Population,
    prices: dict[str, int],
    now: int,
    rows: range | list[int],
) -> dict[int, dict[str, Any]]:
    out = {}
    for row in rows:
        state, account = model_state(params, population, row, now)
        out[row] = model_figures(state, account, prices)
    return out


def test_position_risk_tables_give_the_model_figures() -> None:
    """VEC-4: a population whose positions are small looks each position's scan risk up in a
    table of every size; the figures are still the model's."""
    params = SHAPES["example"]
    rng = np.random.default_rng(11)
    population = random_population(params, 6_000, rng)
    prices = random_prices(params, rng)
    figures = risk_pass(params, population, prices, 1_000)
    assert not figures.exact.any()
    assert table_reach_of(params, population, prices) is not None
    sample = range(0, 6_000, 150)
    for row, expected in model_rows(params, population, prices, 1_000, sample).items():
        assert not differences(expected, engine_row(figures, row)), row


def table_reach_of(params: Params, population: Population, prices: dict[str, int]) -> int | None:
    from stresslab.bounds import route

    linked, unlinked = held_markets(population)
    tables = build_tables(params, prices, 1_000, linked | unlinked)
    return table_reach(tables, route(tables, population))


def test_blocks_threads_and_exact_rows_assemble_in_row_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """VEC-1, VEC-2: int64 rows computed in many small blocks on two threads, mixed with rows
    on the exact path, come back in their rows, the same as one block on one thread."""
    import stresslab.engine

    params = SHAPES["two-underlyings"]
    rng = np.random.default_rng(5)
    population = random_population(params, 60, rng, at_bounds=0.3)
    prices = random_prices(params, rng)
    whole = risk_pass(params, population, prices, 0)
    monkeypatch.setattr(stresslab.engine, "CHUNK", 7)
    blocks = risk_pass(params, population, prices, 0, workers=2)
    assert 0 < whole.exact.sum() < population.size
    for name, column in vars(whole).items():
        if name == "narrow":
            continue
        assert np.array_equal(np.asarray(column), np.asarray(getattr(blocks, name))), name
    for row, expected in model_rows(params, population, prices, 0, range(0, 60, 6)).items():
        assert not differences(expected, engine_row(blocks, row)), row


def test_a_row_past_int64_gets_exact_python_ints() -> None:
    """VEC-2: collateral at the bound at the largest price is worth more than int64 holds: the
    row takes the exact path and its figures are Python ints equal to the model's, never a
    wrapped int64."""
    params = SHAPES["example"]
    n, a = 2, len(params.assets)
    s, m = len(params.spokes), len(params.markets)
    population = Population(
        collateral=np.array([[0, MAX_AMOUNT], [0, 10]], dtype=np.int64).reshape(n, a),
        qty=np.zeros((n, s, m), dtype=np.int64),
        cost=np.zeros((n, s, m), dtype=np.int64),
        balance=np.zeros((n, s), dtype=np.int64),
        linked=np.zeros((n, s), dtype=np.bool_),
        alloc=np.zeros((n, s), dtype=np.int64),
    )
    figures = risk_pass(params, population, {"USD": 1, "ETH": MAX_PRICE}, 0)
    assert figures.exact.tolist() == [True, False]
    assert figures.collateral_value.dtype == object
    assert figures.collateral_value[0] == MAX_AMOUNT * MAX_PRICE * 9_000 // 10_000 > 2**63
    assert figures.collateral_value[1] == 10 * MAX_PRICE * 9_000 // 10_000


def test_a_missing_price_is_an_error_like_in_the_model() -> None:
    """VEC-1: a pass needs the price of every asset it values; without one it says which."""
    params = SHAPES["example"]
    population = random_population(params, 5, np.random.default_rng(2))
    with pytest.raises(ValueError, match="no price for ETH"):
        risk_pass(params, population, {"USD": 1}, 0)


@st.composite
def single_books(draw: st.DrawFn) -> tuple[Params, int, Population, dict[str, int], int]:
    """A parameter shape, one of its underlyings, one account holding one book on it (on the
    first spoke, linked), prices and a time."""
    name = draw(st.sampled_from(sorted(SHAPES)))
    params = SHAPES[name]
    asset = draw(st.sampled_from(sorted({m.underlying for m in params.markets})))
    regime = draw(st.sampled_from(REGIMES))
    s, m = len(params.spokes), len(params.markets)
    qty = np.zeros((1, s, m), dtype=np.int64)
    for j, market in enumerate(params.markets):
        if market.underlying == asset:
            qty[0, 0, j] = draw(LOTS[regime])
    population = Population(
        collateral=np.zeros((1, len(params.assets)), dtype=np.int64),
        qty=qty,
        cost=np.zeros_like(qty),
        balance=np.zeros((1, s), dtype=np.int64),
        linked=np.ones((1, s), dtype=np.bool_),
        alloc=np.zeros((1, s), dtype=np.int64),
    )
    price_of = {x.id: draw(PRICES[regime]) for x in params.assets}
    return params, [a.id for a in params.assets].index(asset), population, price_of, draw(times)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(single_books())
def test_each_scan_piece_equals_the_models(
    case: tuple[Params, int, Population, dict[str, int], int],
) -> None:
    """VEC-2..VEC-4, SPAN-3, SPAN-5..SPAN-7: on one book, in the dtype and limbs the pass would
    use for it, the scan risk, the spread charge, the standalone risk and the short option
    lots each equal the model's (a piece that overflows or rounds wrong cannot hide behind
    the min and max of SPAN-7)."""
    from stresslab.bounds import route
    from stresslab.engine import limbs_of
    from stresslab.scan import (
        scan_risk,
        short_option_lots,
        spread_charge,
        standalone_risk,
    )
    from stresslab.wad import limb_sums

    params, asset, population, prices, now = case
    held = frozenset(int(j) for j in np.flatnonzero(population.qty[0, 0]))
    tables = build_tables(params, prices, now, held)
    paths = route(tables, population)
    exact = bool(paths.exact[0])
    dtype: Any = object if exact else np.int64
    limbs = limbs_of(tables, dtype, narrow=paths.narrow and not exact)
    index = [u.asset for u in tables.underlyings].index(asset)
    u, u_limbs = tables.underlyings[index], limbs.underlyings[index]
    qty = population.qty[0, 0, list(u.markets)].astype(dtype)[:, None]
    state, account = model_state(params, population, 0, now)
    book = risk.reported_books(state, account)[params.spokes[0].id]
    asset_id = params.assets[asset].id
    event("exact" if exact else "narrow" if paths.narrow else "wide")
    spread = span.spread_charge(params, book, prices, asset_id, now)
    if spread:
        event("spread charge > 0")
    assert scan_risk(u, limb_sums(qty, u_limbs.changes))[0] == span.scan_risk(
        params, book, prices, asset_id, now
    )
    assert spread_charge(u, u_limbs, qty, params.portfolio)[0] == spread
    assert standalone_risk(u, u_limbs, qty, None)[0] == span.standalone_risk(
        params, book, prices, asset_id, now
    )
    assert short_option_lots(u, qty)[0] == span.short_option_lots(params, book, asset_id, now)


@settings(max_examples=300, deadline=None, database=None)
@given(
    lots=st.lists(st.integers(0, MAX_QTY), min_size=1, max_size=8),
    factor=st.one_of(st.integers(0, 10**30), st.integers(0, 10**22).map(lambda f: f * 10**8)),
)
def test_a_long_options_buffer_term_is_the_exact_ceiling(lots: list[int], factor: int) -> None:
    """RISK-AGE-5, VEC-5, NUM-2: the int64 limbs of `ceil_scaled` give exactly
    ceil(lots * factor / 10**22), for every lot size up to MAX_QTY, exact divisions included."""
    got = ceil_scaled(np.array(lots, dtype=np.int64), factor)
    expected = [-((-lot * factor) // 10**22) for lot in lots]
    event("exact division" if any(lot * factor % 10**22 == 0 for lot in lots) else "rounded up")
    assert [int(x) for x in got] == expected
