"""The stress lab's parts: families, the risk seam, paths, figures, sweeps, buffer coverage
and capital efficiency (STRESS-1..STRESS-3, STRESS-6, STRESS-8..STRESS-10)."""

from decimal import Decimal

import numpy as np
import pytest

from model.risk import (
    capacity,
    collateral_value,
    equity,
    free_capacity,
    initial_requirement,
    is_healthy,
    maintenance_requirement,
    meets_initial,
    net_equity,
)
from model.state import State
from spec.bounds import MAX_PRICE
from spec.examples import example_params
from spec.params import Params
from stresslab.caps import within_caps
from stresslab.coverage import buffer_coverage, target
from stresslab.efficiency import efficiency
from stresslab.families import FAMILIES, Portfolios, generate
from stresslab.knobs import SweepError, grid, parse_sweep
from stresslab.paths import PathModel, price_path
from stresslab.scalar_pass import ROW, risk_pass, row_state
from stresslab.statistics import interval
from stresslab.sweep import StressConfig, setting
from tests.test_stress_model import opened

PRICE = 2000


def portfolios(size: int = 8, seed: int = 7, params: Params | None = None) -> Portfolios:
    params = params or example_params()
    return generate(params, FAMILIES, size, PRICE, np.random.default_rng(seed))


def prices_at(price: int) -> dict[str, int]:
    return {"USD": 1, "ETH": price}


# --- STRESS-1: families ---------------------------------------------------------------


def test_every_generated_account_is_one_the_hub_would_have_opened() -> None:
    """STRESS-1: capacity covers allocations and buffer, and the initial requirement."""
    params = example_params()
    book = portfolios(12)
    assert set(book.family) == set(FAMILIES)
    for row in range(book.population.size):
        state = row_state(params, book.population, row, 0)
        assert free_capacity(state, ROW, prices_at(PRICE)) >= 0
        assert meets_initial(state, ROW, prices_at(PRICE))
        assert book.population.linked[row].sum() == (
            2 if book.family[row] in ("hedged", "delta_neutral") else 1
        )


def test_hedged_pairs_are_flat_across_venues_and_writers_only_short() -> None:
    """STRESS-1: a hedged pair is as long on one venue as short on the other; a naked
    writer holds two short option positions."""
    book = portfolios(8)
    qty = book.population.qty
    for row, family in enumerate(book.family):
        if family == "hedged":
            assert qty[row].sum() == 0 and np.count_nonzero(qty[row]) == 2
        if family == "naked_writer":
            assert (qty[row] <= 0).all() and np.count_nonzero(qty[row]) == 2


def test_an_unknown_family_is_refused() -> None:
    """STRESS-1: only the four families exist."""
    with pytest.raises(ValueError, match="unknown family 'martingale'"):
        generate(example_params(), ("martingale",), 1, PRICE, np.random.default_rng(0))


def test_accounts_past_a_cap_are_not_opened() -> None:
    """STRESS-1, CAP-1: in order, an account whose grants pass a cap stays empty, and no
    spoke's allocation exceeds its cap."""
    params = example_params()
    book = portfolios(12)
    cap = int(book.population.alloc.sum(axis=0).max() // 2)
    capped = params.model_copy(
        update={"spokes": tuple(s.model_copy(update={"cap": cap}) for s in params.spokes)}
    )
    kept = within_caps(book.population, capped)
    assert (kept.alloc.sum(axis=0) <= cap).all()
    opened_rows = kept.linked.any(axis=1)
    assert 0 < opened_rows.sum() < book.population.size
    assert (kept.collateral[~opened_rows] == 0).all() and (kept.qty[~opened_rows] == 0).all()


# --- STRESS-2: the seam's stand-in equals the model -------------------------------------


@pytest.mark.parametrize("price", [2000, 1500, 900])
def test_the_scalar_pass_equals_the_model_on_every_account(price: int) -> None:
    """STRESS-2: every field of a row equals the model on the same account of a state built
    by actions (not by the row builder)."""
    params = example_params().model_copy(update={"accounts": tuple(f"a{i}" for i in range(6))})
    book = generate(params, FAMILIES, 6, PRICE, np.random.default_rng(3))
    state: State = opened(params, book, PRICE)
    prices = prices_at(price)
    view = risk_pass(params, book.population, prices, 0)
    unhealthy = 0
    for row, account in enumerate(params.accounts):
        expected = (
            collateral_value(state, account, prices),
            equity(state, account, prices),
            net_equity(state, account, prices),
            maintenance_requirement(state, account, prices),
            initial_requirement(state, account, prices),
            is_healthy(state, account, prices),
            meets_initial(state, account, prices),
            capacity(state, account, prices),
        )
        got = (
            view.collateral_value[row],
            view.equity[row],
            view.net_equity[row],
            view.maintenance[row],
            view.initial[row],
            view.healthy[row],
            view.meets_initial[row],
            view.capacity[row],
        )
        assert got == expected, (account, got, expected)
        unhealthy += not expected[5]
    if price == 900:
        assert unhealthy > 0  # the crash price reaches the unhealthy branch


def test_pools_back_profits_in_net_equity_only() -> None:
    """STRESS-2, RISK-NET-2: a pool raises net equity by at most the profit it backs."""
    params = example_params()
    book = portfolios(8)
    prices = prices_at(2600)
    without = risk_pass(params, book.population, prices, 0)
    pools = {s.id: 10**6 for s in params.spokes}
    with_pools = risk_pass(params, book.population, prices, 0, pools)
    assert (with_pools.net_equity >= without.net_equity).all()
    assert (with_pools.net_equity > without.net_equity).any()
    assert (with_pools.capacity == without.capacity).all()


# --- STRESS-3: paths ---------------------------------------------------------------------


def test_a_path_is_integer_prices_reproducible_from_its_seed() -> None:
    """STRESS-3: same seed, same path; integer prices within 1..MAX_PRICE; another seed differs."""
    model = PathModel()
    one = price_path(model, 500, 60, np.random.default_rng([1, 1, 0]))
    again = price_path(model, 500, 60, np.random.default_rng([1, 1, 0]))
    other = price_path(model, 500, 60, np.random.default_rng([1, 1, 1]))
    assert one.dtype == np.int64 and len(one) == 501 and one[0] == model.start
    assert np.array_equal(one, again) and not np.array_equal(one, other)
    assert (one >= 1).all() and (one <= MAX_PRICE).all()


def test_the_crash_day_takes_the_price_down_by_its_drop() -> None:
    """STRESS-3: without diffusion or jumps, the crash moves the price by the drop exactly
    (to rounding), over its duration and nowhere else."""
    quiet = PathModel(vol=1e-12, jumps_per_year=0, crash_drop=0.4, crash_seconds=3600, crash_at=0.5)
    path = price_path(quiet, 200, 60, np.random.default_rng(0))
    assert path[100] == 2000 and path[-1] == 1200
    assert np.count_nonzero(np.diff(path)) <= 60


# --- STRESS-6: figures ------------------------------------------------------------------


def test_the_interval_is_the_mean_plus_minus_1_96_standard_errors() -> None:
    """STRESS-6: mean 2, sample sd 1, n 4: 2 +/- 0.98; one value is its own interval."""
    figure = interval([1.0, 2.0, 3.0, 2.0])
    sd = float(np.std([1, 2, 3, 2], ddof=1))
    assert figure.mean == 2.0 and figure.paths == 4
    assert figure.high - figure.mean == pytest.approx(1.959963984540054 * sd / 2)
    assert figure.mean - figure.low == pytest.approx(figure.high - figure.mean)
    single = interval([5.0])
    assert (single.low, single.mean, single.high) == (5.0, 5.0, 5.0)


# --- STRESS-8: sweeps ----------------------------------------------------------------------


def test_a_sweep_parses_into_its_values_and_a_grid_of_every_combination() -> None:
    """STRESS-8: NAME=V1,V2; two sweeps give their product, the first varying slowest."""
    latency = parse_sweep("latency=2,12,60,600")
    z = parse_sweep("z=1.5, 3")
    assert latency == ("latency", (Decimal(2), Decimal(12), Decimal(60), Decimal(600)))
    points = grid([latency, z])
    assert len(points) == 8 and points[1] == {"latency": Decimal(2), "z": Decimal(3)}
    assert grid([]) == [{}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("latency=-5", "outside"),
        ("latency=0", "outside"),
        ("latency=1.5", "not a whole number"),
        ("gamma=1,2", "unknown parameter 'gamma'"),
        ("latency", "expected NAME=V1,V2"),
        ("latency=2,,3", "empty value"),
        ("vol=fast", "not a number"),
        ("z=1.0005", "multiple of 0.001"),
        ("penalty=10001", "outside"),
    ],
)
def test_a_bad_sweep_is_refused_with_its_reason(text: str, message: str) -> None:
    """STRESS-8: unknown knob, malformed text, values out of range or step."""
    with pytest.raises(SweepError, match=message):
        parse_sweep(text)


def test_a_knob_swept_twice_is_refused() -> None:
    """STRESS-8."""
    with pytest.raises(SweepError, match="swept twice"):
        grid([parse_sweep("z=1"), parse_sweep("z=2")])


def test_each_knob_sets_what_it_names() -> None:
    """STRESS-8: latency and cap on every spoke, penalty, z in thousandths, vol in %."""
    config = StressConfig(example_params(), FAMILIES, 4, 10, 60, 1, 0, PathModel())
    point = setting(
        config,
        {
            "latency": Decimal(600),
            "cap": Decimal(5),
            "penalty": Decimal(250),
            "z": Decimal("2.5"),
            "vol": Decimal(120),
            "staleness": Decimal(30),
        },
    )
    assert {s.latency_s for s in point.params.spokes} == {600}
    assert {s.cap for s in point.params.spokes} == {5}
    assert (point.params.penalty_bps, point.params.buffer_z_milli) == (250, 2500)
    assert point.path.vol == pytest.approx(1.2) and point.staleness == 30


# --- STRESS-9: buffer coverage ---------------------------------------------------------------


def test_the_buffer_covers_its_target_under_the_declared_brownian_motion() -> None:
    """STRESS-9, RISK-6: pure GBM at the declared volatility covers about 2Φ(z) - 1
    (z = 1 here, so that misses are common enough to count); twice the volatility covers
    clearly less."""
    params = example_params().model_copy(update={"buffer_z_milli": 1000})
    gbm = PathModel(start=10**6, vol=0.8, jumps_per_year=0, stress_per_year=0, crash_drop=0)
    at_declared = buffer_coverage(params, gbm, 600, 4000, 4, seed=5)
    hotter = buffer_coverage(
        params,
        PathModel(start=10**6, vol=1.6, jumps_per_year=0, stress_per_year=0),
        600,
        4000,
        4,
        seed=5,
    )
    assert at_declared.target == pytest.approx(target(1000)) == pytest.approx(0.6827, abs=1e-4)
    assert abs(at_declared.measured.mean - at_declared.target) < 0.02
    assert hotter.measured.high < at_declared.measured.low
    assert hotter.measured.mean == pytest.approx(0.3829, abs=0.03)  # 2Φ(1/2) - 1


# --- STRESS-10: capital efficiency -------------------------------------------------------------


def test_netting_saves_collateral_for_books_hedged_across_venues_only() -> None:
    """STRESS-10, RISK-8: unified never needs more than siloed; hedged and delta-neutral
    books save, single-venue books save nothing."""
    rows = {r.family: r for r in efficiency(example_params(), portfolios(12), PRICE)}
    assert set(rows) == set(FAMILIES)
    assert all(r.unified <= r.siloed and r.accounts == 3 for r in rows.values())
    assert rows["hedged"].saving > 0.5 and rows["delta_neutral"].saving > 0.2
    assert rows["directional"].saving == 0 == rows["naked_writer"].saving
