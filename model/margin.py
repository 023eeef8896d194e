"""Margin of a book and of an account's books: the declared method (RISK-4, RISK-5) and netting
across venues (RISK-8).

The simple method margins each position on its own (`per_position_margin`); the portfolio
method is the scan (`model.span`), of all venues' positions together, never more than
the venues margined each on its own.
"""

from collections.abc import Iterable

from model.arith import bps_up
from model.catalog import catalog
from model.span import scan_margin, short_option_minimum
from model.state import Position, Positions
from model.valuation import NO_FIXINGS, Fixings, Prices, is_live_option, is_settled, notional
from spec.params import Params

# --- per-position margin (RISK-4) -------------------------------------------------


def position_margin(
    params: Params,
    market_id: str,
    pos: Position,
    prices: Prices,
    bps: int,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-4: a perpetual needs bps of its notional; a short live option that too, and at
    least the short option minimum (SPAN-5); a long option nothing beyond its premium
    (its loss is bounded by its mark, already in equity); a settled option nothing (PRC-13)."""
    market = catalog(params).markets[market_id]
    if market.kind != "perp" and (pos.qty > 0 or is_settled(market, now, fixings)):
        return 0
    by_rate = bps_up(notional(params, market_id, pos, prices), bps)
    if not is_live_option(market, now):
        return by_rate
    return max(by_rate, short_option_minimum(params, -pos.qty, prices[market.underlying]))


def per_position_margin(
    params: Params,
    positions: Positions,
    prices: Prices,
    *,
    initial: bool,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-4: the simple method: each position margined on its own."""
    markets = catalog(params).markets
    total = 0
    for market_id, pos in positions.items():
        market = markets[market_id]
        bps = market.im_bps if initial else market.mm_bps
        total += position_margin(params, market_id, pos, prices, bps, now, fixings)
    return total


# --- the declared method, netted across venues (RISK-5, RISK-8) -------------------------


def merge_positions(books: Iterable[Positions]) -> dict[str, Position]:
    """RISK-8: positions from several venues netted market by market (zero sizes dropped)."""
    merged: dict[str, Position] = {}
    for book in books:
        for market_id, pos in book.items():
            old = merged.get(market_id, Position(0, 0))
            merged[market_id] = Position(old.qty + pos.qty, old.cost + pos.cost)
    return {m: p for m, p in merged.items() if p.qty != 0}


def margin(
    params: Params,
    positions: Positions,
    prices: Prices,
    *,
    initial: bool,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-5: the declared method's requirement for one book of positions at time `now`."""
    if params.margin_method == "per_position":
        return per_position_margin(
            params, positions, prices, initial=initial, now=now, fixings=fixings
        )
    scan = scan_margin(params, positions, prices, now, fixings)
    return bps_up(scan, params.portfolio.im_bps) if initial else scan


def account_margin(
    params: Params,
    books: Iterable[Positions],
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-5, RISK-8: maintenance margin of an account's books on all spokes: netted
    across spokes under the portfolio method, position by position otherwise."""
    if params.margin_method == "per_position":
        return sum(
            per_position_margin(params, b, prices, initial=False, now=now, fixings=fixings)
            for b in books
        )
    return netted_margin(params, books, prices, now, fixings)


def netted_margin(
    params: Params,
    books: Iterable[Positions],
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-8: scan margin of all venues' positions together (cross-venue netting), never
    more than the venues margined each on its own (the spread charge SPAN-6 may add more
    to a merged book than its offsets save; then the account is margined without them)."""
    venues = list(books)
    merged = scan_margin(params, merge_positions(venues), prices, now, fixings)
    return min(merged, isolated_margin(params, venues, prices, now, fixings))


def isolated_margin(
    params: Params,
    books: Iterable[Positions],
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-8: scan margin of each venue on its own, summed (no netting across venues)."""
    return sum(scan_margin(params, book, prices, now, fixings) for book in books)
