"""Valuation: marks, unrealized PnL and notionals of positions at given prices (RISK-1, RISK-2,
PRC-12..PRC-15).

Every function is pure and exact.  Prices come in as a map asset -> price (`Prices`); the
callers fetch them from the oracle and fail closed when one is missing.  An option past
its expiry is valued at its expiry price once fixed (`Fixings`, PRC-13..PRC-15).
"""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from model.catalog import catalog
from model.pricing import ONE, Inputs, option_wad
from model.state import AssetId, MarketId, Position, Positions
from spec.params import MarketParams, Params

Prices = Mapping[AssetId, int]

Fixings = Mapping[MarketId, int]
"""PRC-14: the expiry prices fixed so far, option market -> price (`state.oracle.expiry_prices`)."""

NO_FIXINGS: Fixings = MappingProxyType({})
"""No expiry price fixed (a book valued outside a state: every expired option by PRC-15)."""


# --- valuation (RISK-1, RISK-2, PRC-12..PRC-15) -------------------------------------


def market_volatility(params: Params, market: MarketParams) -> int:
    """PRC-12: an option's volatility: its own if declared, else its underlying's."""
    if market.volatility_bps is not None:
        return market.volatility_bps
    return catalog(params).assets[market.underlying].volatility_bps


def option_inputs(market: MarketParams, price: int, vol_bps: int, now: int) -> Inputs:
    """PRC-6, PRC-13: the pricer's inputs for one option lot at logical time `now`
    (time to expiry `expiry - now` seconds, rate zero)."""
    assert market.strike is not None and market.expiry is not None
    return Inputs(spot=price, strike=market.strike, vol_bps=vol_bps, seconds=market.expiry - now)


def expiry_price(market: MarketParams, now: int, fixings: Fixings) -> int | None:
    """PRC-13, PRC-14: the price an expired option settles at, once fixed; None for a
    perpetual, a live option, or an expired one whose price is not fixed yet (PRC-15)."""
    if market.expiry is None or now < market.expiry:
        return None
    return fixings.get(market.id)


def is_settled(market: MarketParams, now: int, fixings: Fixings) -> bool:
    """PRC-13: an expired option with a fixed expiry price: a constant value, no risk."""
    return expiry_price(market, now, fixings) is not None


def mark_wad_at(
    market: MarketParams, price: int, vol_bps: int, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """RISK-1, PRC-8, PRC-13..PRC-16: one lot's value in wad value units at a given
    volatility: the price for a perpetual; for an option its Black-Scholes value, from
    expiry on its intrinsic value at the expiry price once fixed (whatever `price` is) and
    at `price` until then (PRC-15), and at a zero price its payoff (a call 0, a put the
    strike: PRC-16)."""
    if market.kind == "perp":
        return price * ONE
    fixed = expiry_price(market, now, fixings)
    if fixed is not None:
        price = fixed
    if price == 0:
        assert market.strike is not None
        return 0 if market.kind == "call" else market.strike * ONE
    return option_wad(market.kind, option_inputs(market, price, vol_bps, now))


def mark_wad(
    params: Params, market: MarketParams, price: int, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """RISK-1: one lot's value in wad value units at the market's volatility (PRC-12)."""
    return mark_wad_at(market, price, market_volatility(params, market), now, fixings)


def mark(
    params: Params, market: MarketParams, price: int, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """RISK-1: one lot's value in whole value units, rounded down (for display; the
    ledger sums wad values and rounds once, RISK-2)."""
    return mark_wad(params, market, price, now, fixings) // ONE


def is_live_option(market: MarketParams, now: int) -> bool:
    """PRC-13: an option before its expiry (it still has time value)."""
    return market.expiry is not None and now < market.expiry


def unrealized_pnl(
    params: Params, positions: Positions, prices: Prices, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """RISK-2: floor(sum of qty * mark in wad / ONE) - sum of cost.

    One rounding of the book's value, down: against the account for longs (less
    owned) and shorts (more owed) alike.  Exact for perpetuals.
    """
    markets = catalog(params).markets
    value = 0
    cost = 0
    for market_id, pos in positions.items():
        market = markets[market_id]
        value += pos.qty * mark_wad(params, market, prices[market.underlying], now, fixings)
        cost += pos.cost
    return value // ONE - cost


def notional(params: Params, market_id: str, pos: Position, prices: Prices) -> int:
    """RISK-3: |qty| * underlying price: the exposure margins and buffers scale with."""
    market = catalog(params).markets[market_id]
    return abs(pos.qty) * prices[market.underlying]


def underlyings(params: Params, positions: Iterable[str]) -> set[AssetId]:
    """The assets whose prices value these markets."""
    markets = catalog(params).markets
    return {markets[m].underlying for m in positions}
