"""The vectorized risk engine: the hub's view of N accounts in one pass (VEC-1..VEC-6).

`risk_pass(params, population, prices, now, pools)` returns, for every row of a
`Population`, the figures `model/risk.py` computes for one account: collateral and loan
value, reported PnL, losses and backed profits, the scan margin (netted across spokes and
isolated), the latency buffer, maintenance and initial requirements, equity and net
equity, health, capacity, the ratios.  The decisions are exactly the model's
(`tests/test_vectorized.py` checks it row by row): the per-market tables come from the
model's own scalar functions (`stresslab/tables.py`), the per-account work is integer
arithmetic with the model's roundings, in int64 for the rows whose checked bound allows it
and on Python ints for the others (VEC-2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from model.valuation import NO_FIXINGS, Fixings
from spec.bounds import BPS
from spec.params import Params
from stresslab.bounds import FAST_LIMIT, INITIAL_FACTOR, Route, lot_magnitudes, route
from stresslab.buffer import spoke_buffer
from stresslab.holdings import CHUNK, held_markets, pool_vector, require_prices, rows_of
from stresslab.liquidation_price import eligible_rows, liquidation_prices
from stresslab.population import Flags, Population
from stresslab.scan import (
    RiskTable,
    UnderlyingLimbs,
    ceil_div,
    per_position_margin,
    risk_table,
    scan_margins,
    underlying_limbs,
)
from stresslab.tables import Tables, build_tables
from stresslab.wad import BASE, Column, WadLimbs, split_wad, weighted_floor

INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class RiskPass:
    """The hub's view of every account of a population: one row per account (VEC-1).

    Integer columns are int64, or object arrays of Python ints when some row's figure does not
    fit in int64 (only with amounts near the bounds of spec/bounds.py).  Each field names the
    model function (model/risk.py) it equals row by row.  A ratio the model answers with
    None has its `has_*` flag False and 0 in its column."""

    collateral_value: Column
    """RISK-1: collateral_value."""
    loan_value: Column
    """RISK-IM-1: loan_value."""
    reported_pnl: Column
    """HUB-REP-3: reported_pnl, [N, S] (every spoke, linked or not)."""
    reported_losses: Column
    """RISK-11: reported_losses."""
    backed_profits: Column
    """RISK-NET-2: backed_profits (with the given pool values)."""
    merged_scan: Column
    """RISK-8: scan_margin of the books of all linked spokes merged."""
    isolated_scan: Column
    """RISK-8: isolated_margin."""
    netted_scan: Column
    """RISK-8: netted_margin = min(merged, isolated)."""
    margin: Column
    """RISK-5, RISK-8: account_margin (the declared method's maintenance margin)."""
    initial_margin: Column
    """RISK-IM-2: account_initial_margin."""
    latency_buffer: Column
    """RISK-6: latency_buffer."""
    maintenance: Column
    """RISK-10: maintenance_requirement."""
    initial: Column
    """RISK-IM-2: initial_requirement."""
    equity: Column
    """RISK-10: equity."""
    net_equity: Column
    """RISK-NET-3: net_equity."""
    healthy: Flags
    """RISK-10: is_healthy."""
    meets_initial: Flags
    """RISK-IM-2: meets_initial."""
    capacity: Column
    """RISK-12: capacity."""
    total_allocation: Column
    """HUB-GRANT-2: total_allocation."""
    free_capacity: Column
    """HUB-GRANT-2: free_capacity."""
    health_factor: Column
    """RISK-IM-3: health_factor (0 where has_health_factor is False)."""
    has_health_factor: Flags
    initial_health_factor: Column
    """RISK-IM-3: initial_health_factor (0 where has_initial_health_factor is False)."""
    has_initial_health_factor: Flags
    margin_ratio: Column
    """RISK-IM-4: margin_ratio (0 where has_margin_ratio is False: infinite)."""
    has_margin_ratio: Flags
    exact: Flags
    """VEC-2: the rows computed on Python ints because their bound exceeds int64."""
    narrow: Flags
    """VEC-3: the int64 rows computed with narrow limbs."""
    liquidation_price: Column | None = None
    """RISK-IM-5: liquidation_price at the pass's `max_price` (0 where has_liquidation_price is
    False); none when the pass was given no `max_price` (VEC-8)."""
    has_liquidation_price: Flags | None = None


@dataclass(frozen=True)
class Limbs:
    """The tables' wad values as limbs of one dtype (VEC-3), and the position risk tables
    (VEC-4) where the pass looks them up."""

    marks: WadLimbs
    underlyings: tuple[UnderlyingLimbs, ...]
    risk_tables: tuple[RiskTable | None, ...]
    lots: int | None = None
    """VEC-7: the most lots any row of the block holds (its bound, VEC-2), which lets the scan
    and the spread charge round from their top limbs; none: every limb, always."""


def limbs_of(tables: Tables, dtype: Any, *, narrow: bool) -> Limbs:
    """The limbs of every wad table, marks shaped [M, 1] (one 'scenario': now); no position
    risk table (`with_risk_tables` adds them)."""
    underlyings = tuple(underlying_limbs(u, dtype, narrow=narrow) for u in tables.underlyings)
    return Limbs(
        split_wad([[mark] for mark in tables.marks], dtype, narrow=narrow),
        underlyings,
        (None,) * len(underlyings),
    )


def table_reach(tables: Tables, paths: Route) -> int | None:
    """VEC-4: a size no position of the int64 rows exceeds (merged across venues or not), when
    a table of every size up to it is smaller than a block of rows and its own figures stay
    within the bound (VEC-2); else none (every position's risk is computed)."""
    rows = int((~paths.exact).sum())
    if rows == 0:
        return None
    reach = paths.most_lots
    largest = float(lot_magnitudes(tables).max(initial=0.0))
    small = 2 * reach + 1 <= min(rows, CHUNK) // 4
    bounded = 4.0 * max(BASE, INITIAL_FACTOR) * (reach + 1) * (largest + 1) < FAST_LIMIT
    return reach if small and bounded else None


def account_figures(
    params: Params,
    tables: Tables,
    limbs: Limbs,
    population: Population,
    pools: Column,
) -> dict[str, Column]:
    """VEC-1: every figure of RiskPass for the rows of `population`, whose arrays (and
    `limbs`, and `pools`) share one dtype: int64, or object for the exact path."""
    qty = np.ascontiguousarray(population.qty.transpose(1, 2, 0))
    linked = population.linked.T
    cost = (population.cost.transpose(1, 2, 0) * (qty != 0)).sum(axis=1)
    zero = np.zeros(population.size, dtype=qty.dtype)
    books = qty * linked[:, None, :]  # (masks multiply: numpy's `where` is far slower)
    spokes = range(qty.shape[0])

    value = np.stack([weighted_floor(qty[s], limbs.marks)[0] for s in spokes])
    pnl = population.balance.T + value - cost
    losses = (np.minimum(pnl, 0) * linked).sum(axis=0)
    backed = (np.minimum(np.maximum(pnl, 0), pools[:, None]) * linked).sum(axis=0)

    collateral_value, loan_value = zero, zero
    for a, price in enumerate(tables.prices):
        worth = population.collateral[:, a] * price
        collateral_value = collateral_value + worth * (BPS - tables.haircuts[a]) // BPS
        loan_value = loan_value + worth * (BPS - tables.loan_haircuts[a]) // BPS

    ages = report_ages(population, tables.now)
    buffer = sum((spoke_buffer(tables, s, books[s], ages[:, s]) for s in spokes), zero)
    portfolio = params.portfolio
    merged, isolated = scan_margins(
        tables, limbs.underlyings, books, portfolio, limbs.risk_tables, limbs.lots
    )
    netted = np.minimum(merged, isolated)
    if params.margin_method == "portfolio":
        margin, initial_margin = netted, ceil_div(netted * portfolio.im_bps, BPS)
    else:
        margin, initial_margin = (
            sum(
                (per_position_margin(tables, books[s], portfolio, initial=initial) for s in spokes),
                zero,
            )
            for initial in (False, True)
        )

    maintenance = margin + buffer
    initial = initial_margin + buffer
    equity = collateral_value + losses
    net_equity = equity + backed
    capacity = loan_value + losses
    allocation = population.alloc.sum(axis=1)
    health, has_health = ratio_bps(net_equity, maintenance)
    initial_health, has_initial_health = ratio_bps(capacity, initial)
    defined = (maintenance == 0) | (net_equity > 0)
    positive = np.maximum(net_equity, 1)
    return {
        "collateral_value": collateral_value,
        "loan_value": loan_value,
        "reported_pnl": pnl.T,
        "reported_losses": losses,
        "backed_profits": backed,
        "merged_scan": merged,
        "isolated_scan": isolated,
        "netted_scan": netted,
        "margin": margin,
        "initial_margin": initial_margin,
        "latency_buffer": buffer,
        "maintenance": maintenance,
        "initial": initial,
        "equity": equity,
        "net_equity": net_equity,
        "healthy": np.asarray(net_equity >= maintenance, dtype=bool),
        "meets_initial": np.asarray(capacity >= initial, dtype=bool),
        "capacity": capacity,
        "total_allocation": allocation,
        "free_capacity": capacity - allocation - buffer,
        "health_factor": health,
        "has_health_factor": has_health,
        "initial_health_factor": initial_health,
        "has_initial_health_factor": has_initial_health,
        "margin_ratio": ceil_div(maintenance * BPS, positive) * (defined & (maintenance != 0)),
        "has_margin_ratio": np.asarray(defined, dtype=bool),
    }


def report_ages(population: Population, now: int) -> Column:
    """RISK-AGE-2: the age of every row's report from every spoke, [N, S]: now less the time
    it carries, never below 0 (0 everywhere when the population gives no report times)."""
    if population.report_time is None:
        return np.zeros(population.balance.shape, dtype=np.int64)
    return np.maximum(0, now - np.asarray(population.report_time, dtype=np.int64))


def ratio_bps(numerator: Column, denominator: Column) -> tuple[Column, Flags]:
    """RISK-IM-3: floor(numerator * 10_000 / denominator), undefined where the denominator
    is 0 (the model's None)."""
    defined = np.asarray(denominator != 0, dtype=bool)
    safe = denominator + ~defined
    return numerator * BPS // safe * defined, defined


Prices = Mapping[str, int]


def pool_values(params: Params, owed: npt.NDArray[Any], prices: Prices) -> tuple[int, ...]:
    """RISK-NET-1: each spoke's clearing pool value from the tokens owed to it, `owed[S, A]`
    (model/risk.py pool_value: haircut value, rounded down; an asset without a price counts
    for nothing)."""
    return tuple(
        sum(
            int(owed[s, a]) * prices[asset.id] * (BPS - asset.haircut_bps) // BPS
            for a, asset in enumerate(params.assets)
            if owed[s, a] and asset.id in prices
        )
        for s in range(len(params.spokes))
    )


def risk_pass(
    params: Params,
    population: Population,
    prices: Prices,
    now: int,
    pools: Mapping[str, int] | Sequence[int] | None = None,
    *,
    workers: int = 1,
    owed: npt.NDArray[Any] | None = None,
    max_price: int | None = None,
    fixings: Fixings = NO_FIXINGS,
) -> RiskPass:
    """VEC-1: the hub's view of every account of `population` at `prices` and time `now`.

    `pools`: each spoke's clearing pool value (RISK-NET-1, e.g. from `pool_values`), by spoke
    id or in params order; none means empty pools (no profit is backed).  A price is needed
    for every asset some row holds as collateral or as an underlying of a linked position
    (the model fails there too); a ValueError says which is missing.  `workers`: threads
    computing blocks of rows side by side (numpy releases the GIL; same result).  `owed[S, A]`:
    the tokens owed to each spoke's partition, the pools' values when `pools` is none.
    `max_price`: compute each row's liquidation price up to it (RISK-IM-5, VEC-8; the pools
    are valued at each trial price, so they must come as `owed`).
    `fixings`: the expiry prices fixed so far (PRC-14); options settled at them are constants.

    Rows go in blocks of CHUNK: each block bounds its rows (VEC-2), computes those within the
    bound in int64 (narrow limbs if all of them allow, VEC-3; position risks from a table if
    its sizes are small, VEC-4) and leaves the others to the exact path, run last."""
    if owed is not None and pools is None:
        pools = pool_values(params, owed, prices)
    pool_list = pool_vector(params, pools)
    if max_price is not None and owed is None and any(pool_list):
        raise ValueError("a liquidation price values the pools at each price: give owed, not pools")
    held = held_markets(population, workers)
    require_prices(params, population, prices, held, now)
    ages = report_ages(population, now)
    oldest = int(ages.max(initial=0))
    tables = build_tables(params, prices, now, frozenset().union(*held), oldest, fixings)
    layouts = {
        narrow: limbs_of(tables, np.int64, narrow=narrow)
        for narrow in (False, True)
        if not narrow or float(lot_magnitudes(tables).max(initial=0.0)) * BASE < FAST_LIMIT
    }
    fast_pools = np.array([min(p, int(FAST_LIMIT)) for p in pool_list], dtype=np.int64)

    size = population.size
    columns: dict[str, Column] = {
        f.name: np.zeros((size, len(params.spokes)) if f.name == "reported_pnl" else size, dtype)
        for f in fields(RiskPass)
        if f.default is MISSING
        for dtype in [np.bool_ if f.type == "Flags" else np.int64]
    }
    exact = np.zeros(size, dtype=np.bool_)
    eligible: list[list[npt.NDArray[np.intp]]] = []  # per block, per asset (VEC-8)

    def block(start: int) -> None:
        window = slice(start, min(start + CHUNK, size))
        rows = rows_of(population, window, np.int64)
        paths = route(tables, rows)
        target: slice | npt.NDArray[np.intp] = window
        if paths.exact.any():
            exact[window] = paths.exact
            target = window.start + np.flatnonzero(~paths.exact)
            rows = rows_of(rows, np.flatnonzero(~paths.exact), np.int64)
        limbs = with_risk_tables(tables, layouts[paths.narrow], table_reach(tables, paths))
        limbs = replace(limbs, lots=paths.most_lots)
        figures = account_figures(params, tables, limbs, rows, fast_pools)
        for name, column in figures.items():
            columns[name][target] = column
        columns["narrow"][target] = paths.narrow
        if max_price is not None:
            eligible.append(eligible_rows(params, population, window))

    starts = range(0, size, CHUNK)
    if workers <= 1 or len(starts) <= 1:
        for start in starts:
            block(start)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(block, starts))
    columns["exact"] = exact
    if exact.any():
        exact_part = account_figures(
            params,
            tables,
            limbs_of(tables, object, narrow=False),
            rows_of(population, np.flatnonzero(exact), object),
            np.array(pool_list, dtype=object),
        )
        for name, part in exact_part.items():
            columns[name] = with_exact_rows(columns[name], exact, part)
    if max_price is None:
        return RiskPass(**columns)
    by_asset = [np.concatenate(rows) for rows in zip(*eligible, strict=True)] if eligible else None
    price, has = liquidation_prices(params, population, prices, now, owed, max_price, by_asset)
    return RiskPass(**columns, liquidation_price=price, has_liquidation_price=has)


def with_exact_rows(column: Column, exact: Flags, part: Column) -> Column:
    """VEC-2: a column of the int64 rows with the exact rows' figures put in: int64 (or bool)
    when every value fits, else an array of Python ints."""
    if column.dtype == np.bool_:
        column[exact] = part
        return column
    out = column.astype(object)
    out[exact] = part
    if all(-INT64_MAX - 1 <= int(v) <= INT64_MAX for v in out[exact].flat):
        return out.astype(np.int64)
    return out


def with_risk_tables(tables: Tables, limbs: Limbs, reach: int | None) -> Limbs:
    """The limbs with each underlying's position risk table up to `reach` (none: no table)."""
    return replace(
        limbs,
        risk_tables=tuple(
            None if reach is None else risk_table(u, u_limbs, reach)
            for u, u_limbs in zip(tables.underlyings, limbs.underlyings, strict=True)
        ),
    )
