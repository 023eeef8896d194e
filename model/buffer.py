"""The latency buffer: the margin add-on for price moves while a spoke's report travels and
ages (RISK-6, RISK-AGE-2..RISK-AGE-6).

It grows like z * sigma * sqrt(horizon / year), computed exactly in integers and rounded
up (NUM-2); the z of the declared coverage target is checked against the pricer's normal
distribution with its error bound (PRC-4).
"""

from model.arith import ceil_div, isqrt_ceil
from model.catalog import catalog
from model.pricing import ONE, normal_cdf_wad
from model.span import lot_delta_wad
from model.state import Positions, SpokeId
from model.valuation import NO_FIXINGS, Fixings, Prices, is_live_option, is_settled
from spec.bounds import BPS, SECONDS_PER_YEAR
from spec.params import MarketParams, Params

# --- latency buffer (RISK-6) -------------------------------------------------------


def buffer_rate_bps(z_milli: int, volatility_bps: int, latency_s: int) -> int:
    """RISK-6: ceil(z * sigma * sqrt(latency / year)) in bps, computed exactly.

    rate = z_milli * vol_bps * sqrt(L / Y) / 1000; the least integer r with
    r^2 * 1000^2 * Y >= (z_milli * vol_bps)^2 * L.

    pre: z_milli >= 0 and volatility_bps >= 0 and latency_s >= 0
    post: __return__ >= 0
    post: __return__ ** 2 * 1000**2 * 31536000 >= (z_milli * volatility_bps) ** 2 * latency_s
    """
    scaled = z_milli * volatility_bps
    return isqrt_ceil(ceil_div(scaled * scaled * latency_s, 1000 * 1000 * SECONDS_PER_YEAR))


CDF_ERROR_WAD = 2
"""PRC-4: the error bound of the pricer's normal distribution function N in wad (so of its
deltas, PRC-11)."""

COVERAGE_TAIL_BPS = 15
"""RISK-AGE-3: the coverage target: the probability that the price moves against a position
by more than its buffer covers, over the buffer horizon, is at most 15 / 10_000."""


def meets_coverage_target(z_milli: int) -> bool:
    """RISK-AGE-3, RISK-AGE-6: 1 - N(z) <= COVERAGE_TAIL, judged against the account: with the
    pricer's exact integer N at z and its error bound (PRC-4) added to the tail,
    (ONE - N(z) + 2) * 10_000 <= COVERAGE_TAIL_BPS * ONE."""
    tail_wad = ONE - normal_cdf_wad(z_milli * ONE // 1000) + CDF_ERROR_WAD
    return tail_wad * BPS <= COVERAGE_TAIL_BPS * ONE


def buffer_horizon(params: Params, spoke: SpokeId, age: int) -> int:
    """RISK-AGE-2: the seconds of price move the buffer of a spoke's book covers: the spoke's
    latency (a margin call and its answer, PAR-3) plus the age of the hub's report."""
    return catalog(params).spokes[spoke].latency_s + age


def buffer_weight_wad(
    params: Params,
    market: MarketParams,
    qty: int,
    price: int,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-AGE-5: the share of its underlying's move one lot of a position can lose, in wad.

    A perpetual and every short position: ONE (a lot's value moves at most one for one with
    its underlying, |delta| <= 1, and a short's loss grows faster than its delta says).  A
    long option: its |delta| from the pricer (PRC-11), raised by the pricer's error bound
    while it has time value and capped at ONE (its value is convex in the price, so its loss
    over a move is at most |delta| times the move).  A settled option: 0 (PRC-13).
    """
    if is_settled(market, now, fixings):
        return 0
    if market.kind == "perp" or qty < 0 or price == 0:
        return ONE
    delta = abs(lot_delta_wad(params, market, price, now))
    if not is_live_option(market, now):
        return delta
    return min(ONE, delta + CDF_ERROR_WAD)


def spoke_buffer(
    params: Params,
    spoke: SpokeId,
    positions: Positions,
    prices: Prices,
    *,
    now: int,
    age: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-6, RISK-AGE-2, RISK-AGE-5: the add-on for price moves over one spoke's buffer
    horizon (latency + report age) on a book:
    sum of ceil(|qty| * weight * price * rate / (10_000 * ONE)) over its positions, with
    rate = buffer_rate_bps(z, volatility of the underlying, horizon)."""
    cat = catalog(params)
    horizon = buffer_horizon(params, spoke, age)
    total = 0
    for market_id, pos in positions.items():
        market = cat.markets[market_id]
        price = prices[market.underlying]
        rate = buffer_rate_bps(
            params.buffer_z_milli, cat.assets[market.underlying].volatility_bps, horizon
        )
        weight = buffer_weight_wad(params, market, pos.qty, price, now, fixings)
        total += ceil_div(abs(pos.qty) * weight * price * rate, BPS * ONE)
    return total
