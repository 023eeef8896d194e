"""One Monte Carlo path of the protocol under stress (STRESS-4).

Each step of `dt` seconds: the oracle publishes the path's price as of `staleness`
seconds ago; a keeper liquidates every account with positions that the hub finds
unhealthy (LIQ-1), judged by one risk pass over the accounts not already liquidating;
then every message falling due before the next step is delivered at its due time, in
due order (margin calls at the spokes, their answers at the hub, a reply falling due
within the step delivered within it), at the step's price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from model.risk import haircut_value
from spec.params import Params
from stresslab.liquidation import answer_margin_call, declare, receive_answer
from stresslab.population import Ints, Population
from stresslab.seam import RISK_PASS, RiskPassFn
from stresslab.world import World, new_world


@dataclass(frozen=True)
class PathResult:
    """What one path cost: value units and counts, all integers (STRESS-6)."""

    bad_debt: int
    insurance_draw: int
    socialized: tuple[int, ...]
    liquidations: int
    settle_seconds: tuple[int, ...]
    unsettled: int
    penalties: int
    spoke_shortfall: int
    events: tuple[tuple[object, ...], ...] | None = None


def oracle_price(path: Ints, now: int, dt: int, staleness: int) -> int:
    """STRESS-4: the oracle's price at `now`: the path's price `staleness` seconds ago (at
    the step then current), the first price before the path began."""
    return int(path[max(0, now - staleness) // dt])


def price_map(params: Params, underlying: str, price: int) -> dict[str, int]:
    """Every asset's price: fixed prices as declared, the underlying at `price`."""
    return {
        a.id: a.fixed_price or price for a in params.assets if a.fixed_price or a.id == underlying
    }


def pool_values(world: World, prices: Mapping[str, int]) -> dict[str, int]:
    """RISK-NET-1: each spoke's clearing pool: the tokens owed to its partition, after
    haircuts, rounded down."""
    assets = world.params.assets
    return {
        spoke.id: sum(
            haircut_value(int(world.owed[s, a]), prices[asset.id], asset.haircut_bps)
            for a, asset in enumerate(assets)
            if world.owed[s, a]
        )
        for s, spoke in enumerate(world.params.spokes)
    }


def rows_of(pop: Population, rows: np.ndarray) -> Population:
    """The sub-population of the given rows."""
    return Population(
        collateral=pop.collateral[rows],
        qty=pop.qty[rows],
        cost=pop.cost[rows],
        balance=pop.balance[rows],
        linked=pop.linked[rows],
        alloc=pop.alloc[rows],
    )


def deliver_due(world: World, prices: Mapping[str, int], until: int) -> None:
    """MSG-10, STRESS-4: deliver every message falling due before `until`, each at its
    due time, in due order, including replies that fall due before `until` too."""
    in_order = [prices[a.id] for a in world.params.assets]
    while world.queue and world.queue[0].due < until:
        message = world.next_message()
        if message.kind == "MarginCall":
            answer_margin_call(world, message, prices, message.due)
        else:
            receive_answer(world, message, in_order, message.due)


def fix_expiry_prices(
    world: World,
    prices: Mapping[str, int],
    previous: Mapping[str, int] | None,
    now: int,
    dt: int,
) -> None:
    """PRC-14, STRESS-4: fix the expiry price of every option market expired by `now`.

    The simulation's oracle publishes each step's price at the step's time, and time moves
    `dt` between steps.  So the first oracle step at or after an expiry that falls within
    the last `dt` is the move of time to this step, at the previous step's prices if they
    are still fresh then (`dt <= max_age_s`), and otherwise this step's publication; an
    expiry at or before the first step is fixed at the first step's prices."""
    fresh = previous is not None and dt <= world.params.oracle.max_age_s
    for market in world.params.markets:
        if market.expiry is None or market.id in world.expiry_prices or now < market.expiry:
            continue
        crossed = previous is not None and market.expiry > now - dt
        source = previous if crossed and fresh and previous is not None else prices
        world.expiry_prices[market.id] = source[market.underlying]


def keeper(world: World, prices: Mapping[str, int], now: int, risk_pass: RiskPassFn) -> None:
    """LIQ-1, LIQ-2: liquidate, in account order, every account not liquidating whose hub
    view holds positions and is unhealthy (RISK-10, RISK-NET-3)."""
    holding = world.hub.qty.reshape(world.hub.size, -1).any(axis=1)
    rows = np.flatnonzero(holding & ~world.liquidating)
    if rows.size == 0:
        return
    accounts = world.hub if rows.size == world.hub.size else rows_of(world.hub, rows)
    view = risk_pass(
        world.params,
        accounts,
        prices,
        now,
        pool_values(world, prices),
        fixings=world.expiry_prices,
    )
    for k in np.flatnonzero(~view.healthy):
        declare(world, int(rows[k]), int(view.maintenance[k]), now)


def run_path(
    params: Params,
    population: Population,
    path: Ints,
    dt: int,
    staleness: int = 0,
    *,
    underlying: str,
    risk_pass: RiskPassFn = RISK_PASS,
    record: bool = False,
) -> PathResult:
    """STRESS-4: run the protocol over `path` (`len(path) - 1` steps of `dt` seconds)."""
    world = new_world(params, population, record=record)
    previous: Mapping[str, int] | None = None
    for step in range(len(path)):
        now = step * dt
        price = oracle_price(path, now, dt, staleness)
        prices = price_map(params, underlying, price)
        fix_expiry_prices(world, prices, previous, now, dt)
        world.record("Price", now, price)
        keeper(world, prices, now, risk_pass)
        deliver_due(world, prices, now + dt)
        previous = prices
    tally = world.tally
    world.record(
        "End",
        world.hub.collateral.tolist(),
        world.insurance.tolist(),
        world.owed.tolist(),
        world.socialized.tolist(),
        world.hub.alloc.tolist(),
    )
    return PathResult(
        bad_debt=tally.bad_debt,
        insurance_draw=tally.insurance_draw,
        socialized=tuple(int(x) for x in world.socialized),
        liquidations=tally.liquidations,
        settle_seconds=tuple(tally.settle_seconds),
        unsettled=int(world.liquidating.sum()),
        penalties=tally.penalties,
        spoke_shortfall=tally.spoke_shortfall,
        events=None if world.events is None else tuple(world.events),
    )
