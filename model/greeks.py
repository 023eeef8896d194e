"""Portfolio Greeks per underlying, aggregated across spokes (RISK-9).

The Greeks come from the one pricer (`model/pricing.py`, PRC-11): integers at wad
scale (10**18), the same terms that mark the ledger (RISK-1).  Delta in wad lots
of the underlying, gamma in wad per value unit of price, vega in wad value units
per 1.00 of volatility, theta in wad value units per year.  A perpetual lot has
delta ONE and the rest 0.  No margin, capacity, health or liquidation rule reads
the portfolio Greeks; the scan's spread charge (SPAN-6) reads deltas from the
same pricer.
"""

from collections.abc import Mapping

from model.catalog import catalog
from model.oracle import price_of
from model.pricing import ONE, Greeks, greeks_wad
from model.risk import reported_books
from model.state import AccountId, AssetId, Positions, State
from model.valuation import market_volatility, option_inputs
from spec.params import MarketParams, Params

FLAT = Greeks(0, 0, 0, 0)


def add(a: Greeks, b: Greeks) -> Greeks:
    """The Greeks of two positions together (they add up)."""
    return Greeks(a.delta + b.delta, a.gamma + b.gamma, a.vega + b.vega, a.theta + b.theta)


def scaled(g: Greeks, qty: int) -> Greeks:
    """The Greeks of `qty` lots of a one-lot position."""
    return Greeks(qty * g.delta, qty * g.gamma, qty * g.vega, qty * g.theta)


def market_greeks(params: Params, market: MarketParams, spot: int, now: int) -> Greeks:
    """RISK-9, PRC-11: the Greeks of one lot of a market at `spot` and logical time `now`."""
    if market.kind == "perp":
        return Greeks(ONE, 0, 0, 0)
    inputs = option_inputs(market, spot, market_volatility(params, market), now)
    return greeks_wad(market.kind, inputs)


def book_greeks(
    params: Params,
    books: Mapping[str, Positions],
    prices: Mapping[AssetId, int | None],
    now: int,
) -> dict[AssetId, Greeks | None]:
    """Greeks per underlying of several venues' books together (they add up across
    venues); None for an underlying whose price is unavailable."""
    cat = catalog(params)
    result: dict[AssetId, Greeks | None] = {}
    for book in books.values():
        for market_id, pos in book.items():
            market = cat.markets[market_id]
            asset = market.underlying
            spot = prices.get(asset)
            if spot is None:
                result[asset] = None
                continue
            if asset in result and result[asset] is None:
                continue
            one_lot = market_greeks(params, market, spot, now)
            result[asset] = add(result.get(asset) or FLAT, scaled(one_lot, pos.qty))
    return result


def portfolio_greeks(state: State, account: AccountId) -> dict[AssetId, Greeks | None]:
    """RISK-9: the account's Greeks per underlying, over the positions the hub has on record
    from every spoke (HUB-REP-2), at the oracle's price and the current time.

    An underlying the account has positions on appears in the result; its value
    is None when the oracle has no price for it.
    """
    books = reported_books(state, account)
    assets = {catalog(state.params).markets[m].underlying for book in books.values() for m in book}
    prices = {asset: price_of(state, asset) for asset in assets}
    return book_greeks(state.params, books, prices, state.oracle.now)
