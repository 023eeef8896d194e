"""The risk oracle: one price per asset from several feeds (ORA-1..ORA-5).

The aggregate is the lower median of the fresh quotes after dropping outliers;
below quorum there is no price, and everything that needs one fails closed.
"""

from collections.abc import Sequence
from dataclasses import replace

from model.state import AssetId, State, assoc
from spec.bounds import BPS


def lower_median(prices: Sequence[int]) -> int:
    """ORA-3: the middle of the sorted prices, the lower of the two middles if even."""
    ordered = sorted(prices)
    return ordered[(len(ordered) - 1) // 2]


def fresh_quotes(state: State, asset: AssetId) -> list[int]:
    """ORA-2: quotes of the asset's feeds no older than max_age."""
    oracle = state.params.oracle
    now = state.oracle.now
    quotes = []
    for feed in oracle.feeds:
        if feed.asset != asset or feed.id not in state.oracle.quotes:
            continue
        price, time = state.oracle.quotes[feed.id]
        if now - time <= oracle.max_age_s:
            quotes.append(price)
    return quotes


def is_outlier(price: int, median: int, outlier_bps: int) -> bool:
    """ORA-4: more than outlier_bps away from the median of the fresh quotes."""
    return abs(price - median) * BPS > outlier_bps * median


def price_of(state: State, asset: AssetId) -> int | None:
    """ORA-1..ORA-5: the aggregate price of an asset, or None when unavailable.

    A fixed-price asset (the settlement asset) needs no feed.  Otherwise: fresh
    quotes; below quorum, None; drop outliers around their lower median; below
    quorum again, None; else the lower median of what is left.
    """
    params = state.params
    fixed = next(a.fixed_price for a in params.assets if a.id == asset)
    if fixed is not None:
        return fixed
    quorum = params.oracle.quorum
    quotes = fresh_quotes(state, asset)
    if len(quotes) < quorum:
        return None
    median = lower_median(quotes)
    kept = [p for p in quotes if not is_outlier(p, median, params.oracle.outlier_bps)]
    if len(kept) < quorum:
        return None
    return lower_median(kept)


def prices_of(state: State, assets: set[AssetId]) -> dict[AssetId, int] | None:
    """Prices of every asset in `assets`, or None if any is unavailable (fail closed)."""
    prices = {}
    for asset in assets:
        price = price_of(state, asset)
        if price is None:
            return None
        prices[asset] = price
    return prices


def available_prices(state: State, assets: set[AssetId]) -> dict[AssetId, int]:
    """The prices of those assets in `assets` that have one (for values that count an
    asset without a price as nothing, against the account: RISK-NET-1)."""
    found = {asset: price_of(state, asset) for asset in assets}
    return {asset: price for asset, price in found.items() if price is not None}


def fix_expiry_prices(state: State) -> State:
    """PRC-14: after an oracle step, every option market at or past its expiry that has no
    expiry price yet gets its underlying's aggregate price, if there is one; a fixed expiry
    price never changes."""
    oracle = state.oracle
    fixed = oracle.expiry_prices
    for market in state.params.markets:
        if market.expiry is None or market.id in fixed or oracle.now < market.expiry:
            continue
        price = price_of(state, market.underlying)
        if price is not None:
            fixed = assoc(fixed, market.id, price)
    if fixed is oracle.expiry_prices:
        return state
    return replace(state, oracle=replace(oracle, expiry_prices=fixed))
