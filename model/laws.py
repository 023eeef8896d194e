"""The risk engine's laws, each a checkable predicate (INV-RISK-1..INV-RISK-6, RISK-7).

Each function computes both sides of one law with the risk engine's own code and
returns whether the law holds.  Those on plain integers carry a postcondition that
says it always does, which CrossHair searches to break (VER-3).  `intermargin verify`
runs every law here over generated inputs in its `risk-laws` check (VER-5);
tests/test_risk.py and tests/test_netting.py state them over whole accounts.
"""

from collections.abc import Sequence

from model import buffer, margin, risk, span, valuation
from model.buffer import buffer_rate_bps
from model.catalog import catalog
from model.risk import haircut_value
from model.span import worst_covered_loss
from model.state import Position, Positions
from model.valuation import Prices
from spec.bounds import BPS
from spec.params import Params


def more_collateral_never_lowers_health(
    amount: int, extra: int, price: int, haircut_bps: int, pnl: int, requirement: int
) -> bool:
    """INV-RISK-1: adding collateral never turns a healthy account unhealthy, and never
    lowers its equity.

    pre: amount >= 0 and extra >= 0 and price >= 0 and 0 <= haircut_bps < 10000
    post: __return__
    """
    before = haircut_value(amount, price, haircut_bps) + pnl
    after = haircut_value(amount + extra, price, haircut_bps) + pnl
    return after >= before and (before < requirement or after >= requirement)


def larger_haircut_never_raises_capacity(
    amount: int, price: int, haircut_bps: int, larger_bps: int
) -> bool:
    """INV-RISK-2: a larger haircut never raises what collateral counts for.

    pre: amount >= 0 and price >= 0 and 0 <= haircut_bps <= larger_bps < 10000
    post: __return__
    """
    return haircut_value(amount, price, larger_bps) <= haircut_value(amount, price, haircut_bps)


def buffer_grows_with_latency_and_volatility(
    z_milli: int, volatility_bps: int, latency_s: int, more_vol: int, more_latency: int
) -> bool:
    """INV-RISK-3: the latency buffer rate is non-negative and never shrinks when the sync
    latency or the volatility grows.

    pre: 0 <= z_milli <= 10000 and 0 <= volatility_bps <= 100000 and 0 <= latency_s <= 10**6
    pre: more_vol >= 0 and more_latency >= 0
    post: __return__
    """
    rate = buffer_rate_bps(z_milli, volatility_bps, latency_s)
    return (
        rate >= 0
        and buffer_rate_bps(z_milli, volatility_bps, latency_s + more_latency) >= rate
        and buffer_rate_bps(z_milli, volatility_bps + more_vol, latency_s) >= rate
    )


def netted_margin_within_isolated(
    losses_a: Sequence[int], losses_b: Sequence[int], covers: Sequence[int]
) -> bool:
    """INV-RISK-4: over the same scenarios, the worst loss of two books together never
    exceeds the sum of their worst losses apart (netting across venues never costs margin).

    pre: len(losses_a) == len(losses_b) == len(covers)
    pre: all(0 <= c <= 10000 for c in covers)
    post: __return__
    """
    together = [a + b for a, b in zip(losses_a, losses_b, strict=True)]
    return worst_covered_loss(together, covers) <= worst_covered_loss(
        losses_a, covers
    ) + worst_covered_loss(losses_b, covers)


# --- the scan (RISK-7) and netting across venues (RISK-NET-*) --------------------------
# These laws take whole books and call the risk engine through its module, so that a
# change to any function of it (a mutant patched in at run time) is what they judge.


def no_move_no_loss(params: Params, positions: Positions, prices: Prices, asset: str) -> bool:
    """RISK-7: in the scenario where the price does not move, no book gains or loses."""
    unmoved = span.Scenario(prices[asset], 0, BPS)
    return span.scenario_loss(params, positions, prices, asset, unmoved, now=0) == 0


def perp_loses_the_price_change(
    params: Params, market: str, qty: int, price: int, scenario_price: int
) -> bool:
    """RISK-1, RISK-7: a perpetual's scenario loss is qty * (price - scenario price): a long
    loses what the price falls, a short what it rises."""
    book = {market: Position(qty, qty * price)}
    underlying = catalog(params).markets[market].underlying
    moved = span.Scenario(scenario_price, 0, BPS)
    loss = span.scenario_loss(params, book, {underlying: price}, underlying, moved, now=0)
    return loss == qty * (price - scenario_price)


def hedged_pair_nets_to_zero(params: Params, market: str, qty: int, entry: int, price: int) -> bool:
    """INV-RISK-5, RISK-NET-6: a pair long and short the same lots of one market on two venues,
    opened at the same price, has a netted scan margin of 0 and PnLs that cancel at any price:
    exactly for a perpetual, up to the one unit an option book's value rounds down (RISK-2)."""
    long = {market: Position(qty, qty * entry)}
    short = {market: Position(-qty, -qty * entry)}
    underlying = catalog(params).markets[market].underlying
    prices = {underlying: price}
    pnl = valuation.unrealized_pnl
    pnls = pnl(params, long, prices, 0) + pnl(params, short, prices, 0)
    rounding = 0 if catalog(params).markets[market].kind == "perp" else 1
    return margin.netted_margin(params, [long, short], prices, 0) == 0 and -rounding <= pnls <= 0


def netted_within_isolated_books(
    params: Params, books: Sequence[Positions], prices: Prices
) -> bool:
    """INV-RISK-4, RISK-8: over whole books, netting across venues never costs margin."""
    netted = margin.netted_margin(params, books, prices, 0)
    return 0 <= netted <= margin.isolated_margin(params, books, prices, 0)


def fake_profit_is_contained(pnl: int, extra: int, pool: int) -> bool:
    """INV-RISK-6, RISK-NET-5: a spoke that raises a non-negative reported PnL by `extra`
    leaves the capacity term min(0, pnl) unchanged and raises the backed profit, which only
    health counts, by at most its pool.

    pre: pnl >= 0 and extra >= 0 and pool >= 0
    post: __return__
    """
    capacity_unchanged = min(0, pnl) == min(0, pnl + extra)
    rise = risk.backed_share(pnl + extra, pool) - risk.backed_share(pnl, pool)
    return capacity_unchanged and 0 <= rise <= pool


def initial_within_maintenance(
    amount: int,
    price: int,
    haircuts: tuple[int, int],
    losses: int,
    backed: int,
    maintenance: int,
    extra: int,
) -> bool:
    """INV-RISK-7, RISK-IM-1, RISK-IM-2: with the LTV haircut at least the liquidation one, the
    loan value is at most the collateral value, and an account whose capacity covers its
    initial requirement (the maintenance one plus `extra` >= 0) is healthy.

    pre: amount >= 0 and price >= 0 and 0 <= haircuts[0] <= haircuts[1] < 10000
    pre: losses <= 0 and backed >= 0 and maintenance >= 0 and extra >= 0
    post: __return__
    """
    liquidation, ltv = haircuts
    value = haircut_value(amount, price, liquidation)
    lent = haircut_value(amount, price, ltv)
    meets_initial = lent + losses >= maintenance + extra
    healthy = value + losses + backed >= maintenance
    return lent <= value and (healthy or not meets_initial)


def settled_book_ignores_the_price(
    params: Params, book: Positions, fixings: valuation.Fixings, now: int, price: int, moved: int
) -> bool:
    """PRC-13: a book of options settled at their expiry prices (`fixings`, PRC-14, `now` at
    or past every one's expiry) has the same PnL at any two prices of the underlying, no scan
    margin and no buffer (its value no longer moves)."""
    markets = catalog(params).markets
    assert all(valuation.is_settled(markets[m], now, fixings) for m in book)
    underlying = markets[next(iter(book))].underlying
    pnl = valuation.unrealized_pnl
    same = pnl(params, book, {underlying: price}, now, fixings) == pnl(
        params, book, {underlying: moved}, now, fixings
    )
    spoke = params.spokes[0].id
    prices = {underlying: price}
    add_on = buffer.spoke_buffer(params, spoke, book, prices, now=now, age=0, fixings=fixings)
    return same and span.scan_margin(params, book, prices, now, fixings) == 0 and add_on == 0
