"""Portfolio Greeks: Delta and Gamma per underlying, aggregated across spokes (RISK-9).

The Greeks are analytics, never ledger decisions: no margin, capacity, health or
liquidation rule reads them, and the ledger marks options at intrinsic value
(RISK-1).  So, unlike the rest of `model/`, this module computes in floats:
Black-Scholes for European options without dividends, risk-free rate `r`
(default 0), annualized volatility from the asset's `volatility_bps`.

Units: delta in units of the underlying (lots; one lot is one unit), gamma in
units of the underlying per value unit of price move.  A perpetual has delta =
qty and gamma = 0.  At or past expiry an option's delta is the step of its
intrinsic value (a call 1 above the strike, a put -1 below it, 0 otherwise)
and its gamma is 0; the same holds at zero volatility, around the discounted
strike.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from math import erf, exp, log, pi, sqrt

from model.catalog import catalog
from model.oracle import price_of
from model.risk import reported_books
from model.state import AccountId, AssetId, Positions, State
from spec.bounds import BPS, SECONDS_PER_YEAR
from spec.params import MarketParams, Params


@dataclass(frozen=True, slots=True)
class Greeks:
    """Sensitivities of a position or a portfolio to its underlying's price."""

    delta: float
    gamma: float

    def __add__(self, other: "Greeks") -> "Greeks":
        return Greeks(self.delta + other.delta, self.gamma + other.gamma)

    def scaled(self, qty: int) -> "Greeks":
        """The Greeks of `qty` lots of a one-lot position."""
        return Greeks(qty * self.delta, qty * self.gamma)


FLAT = Greeks(0.0, 0.0)


def norm_cdf(x: float) -> float:
    """The standard normal distribution function N(x)."""
    return 0.5 * (1.0 + erf(x / sqrt(2.0)))


def norm_pdf(x: float) -> float:
    """The standard normal density N'(x)."""
    return exp(-0.5 * x * x) / sqrt(2.0 * pi)


def d1_d2(spot: float, strike: float, vol: float, t: float, r: float) -> tuple[float, float]:
    """Black-Scholes d1 and d2 (spot, strike, vol, t > 0)."""
    root = vol * sqrt(t)
    d1 = (log(spot / strike) + (r + 0.5 * vol * vol) * t) / root
    return d1, d1 - root


def call_price(spot: float, strike: float, vol: float, t: float, r: float = 0.0) -> float:
    """Black-Scholes price of a European call: S N(d1) - K e^(-rT) N(d2)."""
    if t <= 0 or vol <= 0:
        return max(spot - strike * exp(-r * max(t, 0.0)), 0.0)
    d1, d2 = d1_d2(spot, strike, vol, t, r)
    return spot * norm_cdf(d1) - strike * exp(-r * t) * norm_cdf(d2)


def put_price(spot: float, strike: float, vol: float, t: float, r: float = 0.0) -> float:
    """Black-Scholes price of a European put: K e^(-rT) N(-d2) - S N(-d1)."""
    if t <= 0 or vol <= 0:
        return max(strike * exp(-r * max(t, 0.0)) - spot, 0.0)
    d1, d2 = d1_d2(spot, strike, vol, t, r)
    return strike * exp(-r * t) * norm_cdf(-d2) - spot * norm_cdf(-d1)


def option_greeks(
    kind: str, spot: float, strike: float, vol: float, t: float, r: float = 0.0
) -> Greeks:
    """Delta and gamma of one European call or put (`kind` "call" or "put").

    Call delta N(d1), put delta N(d1) - 1, gamma N'(d1) / (S sigma sqrt(T)) for
    both.  With no time or no volatility left the option is its (discounted)
    intrinsic value: delta is the step, gamma 0.
    """
    if t <= 0 or vol <= 0:
        forward_strike = strike * exp(-r * max(t, 0.0))
        if kind == "call":
            return Greeks(1.0 if spot > forward_strike else 0.0, 0.0)
        return Greeks(-1.0 if spot < forward_strike else 0.0, 0.0)
    d1, _ = d1_d2(spot, strike, vol, t, r)
    gamma = norm_pdf(d1) / (spot * vol * sqrt(t))
    delta = norm_cdf(d1) if kind == "call" else norm_cdf(d1) - 1.0
    return Greeks(delta, gamma)


def market_greeks(market: MarketParams, spot: int, vol_bps: int, now: int, r: float) -> Greeks:
    """The Greeks of one lot of a market at `spot`, at logical time `now` (seconds)."""
    if market.kind == "perp":
        return Greeks(1.0, 0.0)
    assert market.strike is not None and market.expiry is not None
    t = (market.expiry - now) / SECONDS_PER_YEAR
    return option_greeks(market.kind, spot, market.strike, vol_bps / BPS, t, r)


def book_greeks(
    params: Params,
    books: Mapping[str, Positions],
    prices: Mapping[AssetId, int | None],
    now: int,
    r: float = 0.0,
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
            vol = cat.assets[asset].volatility_bps
            one_lot = market_greeks(market, spot, vol, now, r)
            result[asset] = (result.get(asset) or FLAT) + one_lot.scaled(pos.qty)
    return result


def portfolio_greeks(
    state: State, account: AccountId, r: float = 0.0
) -> dict[AssetId, Greeks | None]:
    """RISK-9: the account's Delta and Gamma per underlying, over the positions the hub has
    on record from every spoke (HUB-REP-2), at the oracle's price and the current time.

    An underlying the account has positions on appears in the result; its value
    is None when the oracle has no price for it.
    """
    books = reported_books(state, account)
    assets = {catalog(state.params).markets[m].underlying for book in books.values() for m in book}
    prices = {asset: price_of(state, asset) for asset in assets}
    return book_greeks(state.params, books, prices, state.oracle.now, r)
