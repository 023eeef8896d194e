"""Generated portfolio families over a parameter set (STRESS-1).

- `hedged`: a perpetual long on one spoke and the same size short on another (a
  hedge across venues);
- `delta_neutral`: short calls on one spoke, their delta bought back in perpetuals on
  another;
- `directional`: one leveraged perpetual, long or short, close to its initial margin;
- `naked_writer`: a short strangle (puts and calls) on one spoke.

Every account is opened the way the model would let it open (HUB-GRANT-2, RISK-IM-2,
SPK-TRADE-3): each spoke's credit covers that book's local initial margin, and the
collateral (settlement asset and some of the underlying) covers the allocations and
the latency buffer, and the initial requirement, with a drawn cushion.  Amounts are
integers; the generator draws only integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.arith import bps_down, ceil_div
from model.buffer import spoke_buffer
from model.catalog import catalog
from model.margin import margin
from model.pricing import ONE
from model.span import lot_delta_wad
from model.state import Position
from model.valuation import mark_wad
from spec.bounds import BPS
from spec.params import AssetParams, MarketParams, Params
from stresslab.population import Population

FAMILIES = ("hedged", "delta_neutral", "directional", "naked_writer")
"""STRESS-1: the portfolio families, in the order accounts are dealt to them."""

Book = list[tuple[int, MarketParams, int]]
"""(spoke index, market, lots) of each position of one account."""


@dataclass(frozen=True)
class Portfolios:
    """A generated population and the family of each row."""

    population: Population
    family: tuple[str, ...]


@dataclass(frozen=True)
class Universe:
    """What the families trade: the settlement asset, the underlying, and its markets."""

    settlement: AssetParams
    underlying: AssetParams
    perp: MarketParams
    call: MarketParams | None
    far_call: MarketParams | None
    put: MarketParams | None


def universe(params: Params) -> Universe:
    """The first perpetual's underlying and its first call, highest-strike call and first
    put; the settlement asset is the first one with a fixed price."""
    perp = next((m for m in params.markets if m.kind == "perp"), None)
    settlement = next((a for a in params.assets if a.fixed_price is not None), None)
    if perp is None or settlement is None:
        raise ValueError("the parameters need a perpetual market and a fixed-price asset")
    on = [m for m in params.markets if m.underlying == perp.underlying]
    calls = [m for m in on if m.kind == "call"]
    puts = [m for m in on if m.kind == "put"]
    return Universe(
        settlement=settlement,
        underlying=next(a for a in params.assets if a.id == perp.underlying),
        perp=perp,
        call=calls[0] if calls else None,
        far_call=max(calls, key=lambda m: m.strike or 0) if calls else None,
        put=puts[0] if puts else None,
    )


def two_spokes(rng: np.random.Generator, count: int) -> tuple[int, int]:
    """Two different spokes (the same one when there is only one)."""
    if count == 1:
        return 0, 0
    first, second = rng.choice(count, size=2, replace=False)
    return int(first), int(second)


def unsupported(world: Universe, family: str) -> str | None:
    """Why `family` cannot be opened under these parameters, or None if it can."""
    if family not in FAMILIES:
        return f"unknown family {family!r} (known: {', '.join(FAMILIES)})"
    if family == "delta_neutral" and world.call is None:
        return "the parameters have no call for the delta_neutral family"
    if family == "naked_writer" and (world.put is None or world.far_call is None):
        return "the parameters have no put and call for the naked_writer family"
    return None


def book_of(
    family: str, params: Params, world: Universe, price: int, rng: np.random.Generator
) -> Book:
    """One account's positions for `family`."""
    reason = unsupported(world, family)
    if reason is not None:
        raise ValueError(reason)
    spokes = len(params.spokes)
    if family == "hedged":
        i, j = two_spokes(rng, spokes)
        lots = int(rng.integers(5, 51))
        return [(i, world.perp, lots), (j, world.perp, -lots)]
    if family == "directional":
        lots = int(rng.integers(5, 51)) * (1 if rng.random() < 0.5 else -1)
        return [(int(rng.integers(spokes)), world.perp, lots)]
    if family == "delta_neutral":
        assert world.call is not None
        i, j = two_spokes(rng, spokes)
        calls = int(rng.integers(10, 61))
        delta = lot_delta_wad(params, world.call, price, 0)
        hedge = max(1, (calls * delta + ONE // 2) // ONE)
        return [(i, world.call, -calls), (j, world.perp, hedge)]
    if family == "naked_writer":
        assert world.put is not None and world.far_call is not None
        spoke = int(rng.integers(spokes))
        puts, calls = int(rng.integers(10, 101)), int(rng.integers(10, 101))
        return [(spoke, world.put, -puts), (spoke, world.far_call, -calls)]
    raise AssertionError(family)


def lot_price(params: Params, market: MarketParams, price: int) -> int:
    """The integer price per lot a position opens at: its mark rounded down (a trade
    price the model accepts, SPK-TRADE-4)."""
    return mark_wad(params, market, price, 0) // ONE


def open_books(pop: Population, row: int, book: Book, params: Params, price: int) -> None:
    """Write a book into row `row`: reported positions at cost, the spokes linked."""
    index = {m.id: k for k, m in enumerate(params.markets)}
    for spoke, market, lots in book:
        pop.qty[row, spoke, index[market.id]] += lots
        pop.cost[row, spoke, index[market.id]] += lots * lot_price(params, market, price)
        pop.linked[row, spoke] = True


SpokeBook = tuple[tuple[str, int], ...]
"""(market, lots) of one spoke's positions, in declared market order."""


def spoke_books(pop: Population, row: int, params: Params) -> dict[int, SpokeBook]:
    """Each linked spoke's book of the row."""
    return {
        s: tuple(
            (m.id, int(pop.qty[row, s, k]))
            for k, m in enumerate(params.markets)
            if pop.qty[row, s, k]
        )
        for s in range(len(params.spokes))
        if pop.linked[row, s]
    }


def opening_margin(params: Params, book: SpokeBook, price: int) -> int:
    """SPK-TRADE-3: the local initial margin of a book as it is opened, market by market in
    declared order (a strangle's first leg alone may need more than both), plus one unit
    per lot for the marks' rounding."""
    prices = {a.id: a.fixed_price or price for a in params.assets}
    markets = catalog(params).markets
    positions: dict[str, Position] = {}
    needed = 0
    for market, lots in book:
        positions[market] = Position(lots, lots * lot_price(params, markets[market], price))
        needed = max(needed, margin(params, positions, prices, initial=True, now=0))
    return needed + sum(abs(lots) for _, lots in book)


def value_needed(
    pop: Population, row: int, params: Params, price: int, memo: dict[SpokeBook, int]
) -> int:
    """HUB-GRANT-2: give each linked spoke credit for its opening margin (SPK-TRADE-3) and
    return the least loan value that backs those allocations and the latency buffer.

    It covers the initial requirement too (RISK-IM-2): every venue's initial margin is at
    least its share of the netted one (RISK-8), and the buffer is the same.  Opening
    margins are remembered by book (accounts of a family share few distinct books)."""
    prices = {a.id: a.fixed_price or price for a in params.assets}
    markets = catalog(params).markets
    backed = 0
    for s, book in spoke_books(pop, row, params).items():
        if book not in memo:
            memo[book] = opening_margin(params, book, price)
        pop.alloc[row, s] = memo[book]
        positions = {m: Position(q, q * lot_price(params, markets[m], price)) for m, q in book}
        backed += memo[book] + spoke_buffer(
            params, params.spokes[s].id, positions, prices, now=0, age=0
        )
    return backed


def fund(
    pop: Population,
    row: int,
    world: Universe,
    params: Params,
    price: int,
    target: int,
    share_pct: int,
) -> None:
    """Collateral of loan value at least `target`: `share_pct`% in the underlying (after its
    LTV haircut, RISK-IM-1), the rest in the settlement asset."""
    assets = [a.id for a in params.assets]
    haircut = world.underlying.borrowing_haircut_bps
    tokens = ceil_div(target * share_pct * BPS, 100 * price * (BPS - haircut))
    lent = bps_down(tokens * price, BPS - haircut)
    settlement_price = world.settlement.fixed_price or 1
    pop.collateral[row, assets.index(world.underlying.id)] = tokens
    pop.collateral[row, assets.index(world.settlement.id)] = ceil_div(
        max(0, target - lent), settlement_price
    )


def empty_population(size: int, params: Params) -> Population:
    assets, spokes, markets = len(params.assets), len(params.spokes), len(params.markets)
    return Population(
        collateral=np.zeros((size, assets), dtype=np.int64),
        qty=np.zeros((size, spokes, markets), dtype=np.int64),
        cost=np.zeros((size, spokes, markets), dtype=np.int64),
        balance=np.zeros((size, spokes), dtype=np.int64),
        linked=np.zeros((size, spokes), dtype=np.bool_),
        alloc=np.zeros((size, spokes), dtype=np.int64),
    )


def generate(
    params: Params, families: tuple[str, ...], size: int, price: int, rng: np.random.Generator
) -> Portfolios:
    """STRESS-1: `size` accounts dealt round-robin to `families`, opened at `price`."""
    world = universe(params)
    pop = empty_population(size, params)
    dealt = tuple(families[i % len(families)] for i in range(size))
    memo: dict[SpokeBook, int] = {}
    for row, family in enumerate(dealt):
        open_books(pop, row, book_of(family, params, world, price, rng), params, price)
        cushion_milli = int(rng.integers(20, 501 if family == "directional" else 1001))
        share_pct = 50 if rng.random() < 0.5 else 0
        target = ceil_div(
            value_needed(pop, row, params, price, memo) * (1000 + cushion_milli), 1000
        )
        fund(pop, row, world, params, price, target, share_pct)
    return Portfolios(population=pop, family=dealt)
