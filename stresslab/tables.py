"""Per-market tables: everything the risk rules need that does not depend on the account
(VEC-1).

An option lot's value in a scenario, its mark, its delta, the scenario covers, the buffer
rates: each is a function of the market (or the spoke and the underlying), the prices and
the time, never of the account.  So the engine asks the model's own scalar functions for
them once per pass (16 scenario values per market), exact by construction, and the
per-account work becomes integer linear algebra over these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby

from model.buffer import buffer_rate_bps, buffer_weight_wad
from model.pricing import ONE
from model.span import lot_delta_wad, scan_scenarios, scenario_value_wad, tenor
from model.valuation import NO_FIXINGS, Fixings, is_live_option, is_settled, mark_wad
from spec.params import Params


@dataclass(frozen=True)
class CoverClass:
    """SPAN-3: the scenarios that share one cover, and for each market of the underlying the
    smallest and the largest change of a lot's value over them (wad).

    A single position's worst loss in a class is at the smallest change for a long and at
    the largest for a short: its loss only grows as the change moves against it (VEC-4)."""

    cover_bps: int
    columns: tuple[int, ...]
    least_change: tuple[int, ...]
    most_change: tuple[int, ...]


@dataclass(frozen=True)
class Underlying:
    """The tables of one underlying and the markets on it (local order = params order).

    `changes[j][k]`: scenario k's value of a lot of market j less its mark, in wad (SPAN-2,
    SPAN-3).  `deltas[j]`: a lot's delta in wad lots (SPAN-6).  `tenors`: the local indexes of
    the markets of each tenor.  `live_options`: local indexes of options before expiry
    (SPAN-5)."""

    asset: int
    price: int
    markets: tuple[int, ...]
    changes: tuple[tuple[int, ...], ...]
    classes: tuple[CoverClass, ...]
    deltas: tuple[int, ...]
    tenors: tuple[tuple[int, ...], ...]
    live_options: tuple[int, ...]


@dataclass(frozen=True)
class Tables:
    """Everything of one pass that is the same for every account (params order throughout).

    `marks[m]`: a lot's mark in wad (RISK-1).  `buffer_rates[s][a]`: spoke s's buffer rate for
    underlying a in bps over its latency plus the oldest report age of the pass (RISK-6,
    RISK-AGE-2): a bound for every row's rate.  `buffer_weights[m]`: the buffer weight of a
    long lot of market m in wad (RISK-AGE-5; a short lot weighs ONE).  `latencies`,
    `volatilities`, `z_milli`: what a row's own buffer rate is computed from.
    `underlying_of[m]`: the asset index of market m.  `settled[m]`: market m is an option
    settled option at its expiry price (PRC-13): a constant value, no margin, no buffer.
    `asset_ids`: the asset ids by index; `spread_pairs`: the asset indexes of each declared
    inter-commodity spread (SPAN-9), in priority order."""

    now: int

    prices: tuple[int, ...]
    haircuts: tuple[int, ...]
    loan_haircuts: tuple[int, ...]
    marks: tuple[int, ...]
    underlying_of: tuple[int, ...]
    is_option: tuple[bool, ...]
    is_live_option: tuple[bool, ...]
    settled: tuple[bool, ...]
    asset_ids: tuple[str, ...]
    spread_pairs: tuple[tuple[int, int], ...]
    im_bps: tuple[int, ...]
    mm_bps: tuple[int, ...]
    buffer_rates: tuple[tuple[int, ...], ...]
    buffer_weights: tuple[int, ...]
    latencies: tuple[int, ...]
    volatilities: tuple[int, ...]
    z_milli: int
    underlyings: tuple[Underlying, ...]


def build_tables(
    params: Params,
    prices: Mapping[str, int],
    now: int,
    held: frozenset[int],
    oldest_age: int = 0,
    fixings: Fixings = NO_FIXINGS,
) -> Tables:
    """VEC-1: the tables of one pass at `prices` and time `now`, from the model's own scalar
    functions.  `held`: the markets some account holds; only their underlyings need a price
    (the others get zero tables, which no account reads).  `oldest_age`: the oldest report
    age of any row (RISK-AGE-2), for the buffer rates' bound.  `fixings`: the expiry prices
    fixed so far (PRC-14)."""
    asset_index = {a.id: i for i, a in enumerate(params.assets)}
    priced = tuple(prices.get(a.id, 0) for a in params.assets)
    underlying_of = tuple(asset_index[m.underlying] for m in params.markets)
    marks = tuple(
        mark_wad(params, m, priced[underlying_of[j]], now, fixings) if j in held else 0
        for j, m in enumerate(params.markets)
    )
    return Tables(
        now=now,
        prices=priced,
        haircuts=tuple(a.haircut_bps for a in params.assets),
        loan_haircuts=tuple(a.borrowing_haircut_bps for a in params.assets),
        marks=marks,
        underlying_of=underlying_of,
        is_option=tuple(m.kind != "perp" for m in params.markets),
        is_live_option=tuple(is_live_option(m, now) for m in params.markets),
        settled=tuple(is_settled(m, now, fixings) for m in params.markets),
        asset_ids=tuple(a.id for a in params.assets),
        spread_pairs=tuple(
            (asset_index[s.a], asset_index[s.b]) for s in params.portfolio.inter_spreads
        ),
        im_bps=tuple(m.im_bps for m in params.markets),
        mm_bps=tuple(m.mm_bps for m in params.markets),
        buffer_rates=tuple(
            tuple(
                buffer_rate_bps(params.buffer_z_milli, a.volatility_bps, s.latency_s + oldest_age)
                for a in params.assets
            )
            for s in params.spokes
        ),
        buffer_weights=tuple(
            buffer_weight_wad(params, m, 1, priced[underlying_of[j]], now, fixings)
            if j in held
            else ONE
            for j, m in enumerate(params.markets)
        ),
        latencies=tuple(s.latency_s for s in params.spokes),
        volatilities=tuple(a.volatility_bps for a in params.assets),
        z_milli=params.buffer_z_milli,
        underlyings=tuple(
            underlying_tables(params, a, priced[a], now, held, fixings)
            for a in range(len(params.assets))
            if any(u == a for u in underlying_of)
        ),
    )


def underlying_tables(
    params: Params,
    asset: int,
    price: int,
    now: int,
    held: frozenset[int],
    fixings: Fixings = NO_FIXINGS,
) -> Underlying:
    """SPAN-1..SPAN-6: the scan tables of one underlying: 16 scenario values per market."""
    asset_id = params.assets[asset].id
    markets = tuple(j for j, m in enumerate(params.markets) if m.underlying == asset_id)
    used = any(j in held for j in markets)
    grid = scan_scenarios(params, asset_id, price)
    marks = {j: mark_wad(params, params.markets[j], price, now, fixings) for j in markets if used}
    changes = tuple(
        tuple(
            scenario_value_wad(params, params.markets[j], sc, now, fixings) - marks[j]
            for sc in grid
        )
        if used
        else (0,) * len(grid)
        for j in markets
    )
    covers = [sc.cover_bps for sc in grid]
    classes = tuple(
        CoverClass(
            cover,
            columns,
            tuple(min(row[k] for k in columns) for row in changes),
            tuple(max(row[k] for k in columns) for row in changes),
        )
        for cover, columns in (
            (c, tuple(k for k, ck in enumerate(covers) if ck == c)) for c in sorted(set(covers))
        )
    )
    by_tenor = sorted(range(len(markets)), key=lambda j: tenor(params.markets[markets[j]]))
    return Underlying(
        asset=asset,
        price=price,
        markets=markets,
        changes=changes,
        classes=classes,
        deltas=tuple(
            lot_delta_wad(params, params.markets[j], price, now, fixings) if used else 0
            for j in markets
        ),
        tenors=tuple(
            tuple(group)
            for _, group in groupby(by_tenor, key=lambda j: tenor(params.markets[markets[j]]))
        ),
        live_options=tuple(
            j for j, m in enumerate(markets) if is_live_option(params.markets[m], now)
        ),
    )
