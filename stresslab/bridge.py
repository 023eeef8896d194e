"""The reference bridge: one row of a population as a model `State` (VEC-6).

With it `model.risk.*` runs on any row, so the vectorized engine can be compared with the
scalar reference field by field (`tests/test_vectorized.py`, the `vectorized` check of
`intermargin verify`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from model import margin, risk, span, valuation
from model.state import AccountId, Position, Report, State, initial_state
from spec.params import Params
from stresslab.population import Population

Prices = dict[str, int]


def model_state(
    params: Params,
    population: Population,
    row: int,
    now: int,
    owed: npt.NDArray[Any] | None = None,
    fixings: valuation.Fixings = valuation.NO_FIXINGS,
) -> tuple[State, AccountId]:
    """VEC-6: the model state of row `row` (as the params' first account) at time `now`, and
    that account's id.  `owed[S, A]`: tokens owed to each spoke's partition, its clearing
    pool (RISK-NET-1); none for empty pools.  `fixings`: the expiry prices (PRC-14)."""
    account = params.accounts[0]
    state = initial_state(params)
    assets = [a.id for a in params.assets]
    spokes = [s.id for s in params.spokes]
    markets = [m.id for m in params.markets]
    hub = replace(
        state.hub,
        collateral={
            **state.hub.collateral,
            **{(account, x): int(population.collateral[row, a]) for a, x in enumerate(assets)},
        },
        alloc={
            **state.hub.alloc,
            **{(account, s): int(population.alloc[row, i]) for i, s in enumerate(spokes)},
        },
        reports={
            **state.hub.reports,
            **{
                (account, s): report_of(population, row, i, markets, now)
                for i, s in enumerate(spokes)
            },
        },
        linked=frozenset((account, s) for i, s in enumerate(spokes) if population.linked[row, i]),
        owed={
            (s, x): int(owed[i, a]) if owed is not None else 0
            for i, s in enumerate(spokes)
            for a, x in enumerate(assets)
        },
    )
    oracle = replace(state.oracle, now=now, expiry_prices=dict(fixings))
    return replace(state, hub=hub, oracle=oracle), account


def report_of(population: Population, row: int, spoke: int, markets: list[str], now: int) -> Report:
    """Spoke `spoke`'s last report for the row: its balance and its non-zero positions."""
    positions = {
        market: Position(int(population.qty[row, spoke, m]), int(population.cost[row, spoke, m]))
        for m, market in enumerate(markets)
        if population.qty[row, spoke, m] != 0
    }
    return Report(
        seq=0,
        balance=int(population.balance[row, spoke]),
        positions=positions,
        time=report_time(population, row, spoke, now),
    )


def report_time(population: Population, row: int, spoke: int, now: int) -> int:
    """RISK-AGE-1: the time the row's report from the spoke carries (`now` when the
    population gives none: a fresh report)."""
    if population.report_time is None:
        return now
    return int(population.report_time[row, spoke])


def model_figures(
    state: State, account: AccountId, prices: Prices, max_price: int | None = None
) -> dict[str, Any]:
    """VEC-6: every RiskPass field as the model computes it for one account (None where the
    model says none; the `has_*` flags are derived from those); the liquidation price too
    when given a `max_price` (VEC-8)."""
    params, now, fx = state.params, state.oracle.now, state.oracle.expiry_prices
    extra: dict[str, Any] = {}
    if max_price is not None:
        liquidation = risk.liquidation_price(state, account, prices, max_price)
        extra = {
            "liquidation_price": liquidation or 0,
            "has_liquidation_price": liquidation is not None,
        }
    books = list(risk.reported_books(state, account).values())
    health = risk.health_factor(state, account, prices)
    initial_health = risk.initial_health_factor(state, account, prices)
    ratio = risk.margin_ratio(state, account, prices)
    return {
        "collateral_value": risk.collateral_value(state, account, prices),
        "loan_value": risk.loan_value(state, account, prices),
        "reported_pnl": [risk.reported_pnl(state, account, s.id, prices) for s in params.spokes],
        "reported_losses": risk.reported_losses(state, account, prices),
        "backed_profits": risk.backed_profits(state, account, prices),
        "merged_scan": span.scan_margin(params, margin.merge_positions(books), prices, now, fx),
        "isolated_scan": margin.isolated_margin(params, books, prices, now, fx),
        "netted_scan": margin.netted_margin(params, books, prices, now, fx),
        "margin": margin.account_margin(params, books, prices, now, fx),
        "initial_margin": risk.account_initial_margin(params, books, prices, now, fx),
        "latency_buffer": risk.latency_buffer(state, account, prices),
        "maintenance": risk.maintenance_requirement(state, account, prices),
        "initial": risk.initial_requirement(state, account, prices),
        "equity": risk.equity(state, account, prices),
        "net_equity": risk.net_equity(state, account, prices),
        "healthy": risk.is_healthy(state, account, prices),
        "meets_initial": risk.meets_initial(state, account, prices),
        "capacity": risk.capacity(state, account, prices),
        "total_allocation": risk.total_allocation(state, account),
        "free_capacity": risk.free_capacity(state, account, prices),
        "health_factor": health or 0,
        "has_health_factor": health is not None,
        "initial_health_factor": initial_health or 0,
        "has_initial_health_factor": initial_health is not None,
        "margin_ratio": ratio or 0,
        "has_margin_ratio": ratio is not None,
    } | extra


def engine_row(figures: Any, row: int) -> dict[str, Any]:
    """Row `row` of a RiskPass as plain Python values, in the shape of `model_figures`."""
    out: dict[str, Any] = {}
    for name, column in vars(figures).items():
        if name in ("exact", "narrow") or column is None:
            continue
        value = column[row]
        out[name] = (
            [int(v) for v in value]
            if np.ndim(value)
            else bool(value)
            if column.dtype == np.bool_
            else int(value)
        )
    return out


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields where the model (first) and the engine (second) disagree."""
    return {k: (v, actual[k]) for k, v in expected.items() if actual[k] != v}
