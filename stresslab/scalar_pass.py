"""A risk pass computed row by row with the scalar model (`model/risk.py`).

The stand-in for the vectorized engine behind the seam (`stresslab/seam.py`): the same
signature and fields, each row a one-account model `State`, so its figures are the
model's by construction (RISK-1, RISK-10..RISK-12, RISK-NET-2, RISK-NET-3, RISK-IM-2).
Slow (the model's speed); the simulation is exact with it, only not fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from model.risk import (
    backed_share,
    backing_spokes,
    capacity,
    collateral_value,
    equity,
    initial_requirement,
    maintenance_requirement,
    reported_pnl,
)
from model.state import AccountStatus, State, initial_state
from model.valuation import NO_FIXINGS, Fixings
from spec.params import Params
from stresslab.bridge import report_of
from stresslab.population import Flags, Ints, Population

ROW = "row"
"""The id of the one account of a row's model state."""


@dataclass(frozen=True)
class RiskPass:
    """The hub's view of every account, one row each (the fields of the engine's RiskPass)."""

    collateral_value: Ints
    equity: Ints
    net_equity: Ints
    maintenance: Ints
    initial: Ints
    healthy: Flags
    meets_initial: Flags
    capacity: Ints


@cache
def row_base(params: Params) -> State:
    """The initial state of a one-account copy of `params` (the account is `ROW`)."""
    return initial_state(params.model_copy(update={"accounts": (ROW,)}))


def row_state(
    params: Params,
    population: Population,
    row: int,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> State:
    """Row `row` of the population as the hub of a model state sees it at time `now`:
    collateral, allocations, the links (RISK-13), each linked spoke's report, and the
    expiry prices fixed so far (PRC-14)."""
    base = row_base(params)
    assets = [a.id for a in params.assets]
    spokes = [s.id for s in params.spokes]
    markets = [m.id for m in params.markets]
    reports = {
        (ROW, spoke): report_of(population, row, s, markets, now) for s, spoke in enumerate(spokes)
    }
    hub = replace(
        base.hub,
        collateral={(ROW, x): int(population.collateral[row, i]) for i, x in enumerate(assets)},
        alloc={(ROW, s): int(population.alloc[row, i]) for i, s in enumerate(spokes)},
        status={ROW: AccountStatus()},
        reports=reports,
        linked=frozenset((ROW, s) for i, s in enumerate(spokes) if population.linked[row, i]),
    )
    return replace(base, hub=hub, oracle=replace(base.oracle, now=now, expiry_prices=fixings))


def row_net_equity(state: State, prices: Mapping[str, int], pools: Mapping[str, int]) -> int:
    """RISK-NET-2, RISK-NET-3: equity plus each backing spoke's profit up to its pool."""
    backed = sum(
        backed_share(reported_pnl(state, ROW, s, prices), pools.get(s, 0))
        for s in backing_spokes(state, ROW)
    )
    return equity(state, ROW, prices) + backed


def risk_pass(
    params: Params,
    population: Population,
    prices: Mapping[str, int],
    now: int,
    pools: Mapping[str, int] | None = None,
    *,
    fixings: Fixings = NO_FIXINGS,
) -> RiskPass:
    """Every row's figures from the model; `pools` (spoke -> clearing pool value,
    RISK-NET-1) absent means no pool backs any profit; `fixings` the expiry prices."""
    pool_values = dict(pools or {})
    rows = []
    for row in range(population.size):
        state = row_state(params, population, row, now, fixings)
        net = row_net_equity(state, prices, pool_values)
        maintenance = maintenance_requirement(state, ROW, prices)
        initial = initial_requirement(state, ROW, prices)
        cap = capacity(state, ROW, prices)
        rows.append(
            (
                collateral_value(state, ROW, prices),
                equity(state, ROW, prices),
                net,
                maintenance,
                initial,
                cap,
            )
        )
    table = np.array(rows, dtype=np.int64).reshape(population.size, 6)
    return RiskPass(
        collateral_value=table[:, 0],
        equity=table[:, 1],
        net_equity=table[:, 2],
        maintenance=table[:, 3],
        initial=table[:, 4],
        healthy=table[:, 2] >= table[:, 3],
        meets_initial=table[:, 5] >= table[:, 4],
        capacity=table[:, 5],
    )
