"""The SPAN-style scan: the portfolio margin of a book by price and volatility scenarios
(RISK-7, SPAN-1..SPAN-9).

Sixteen scenarios per underlying (SPAN-1), the worst covered loss of each (SPAN-3), the
intra-commodity spread charge (SPAN-6), the short option minimum (SPAN-5) and the
inter-commodity spread credits between correlated underlyings (SPAN-8, SPAN-9).  Values
the account owes round up (NUM-2).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from model.arith import bps_down, bps_up, ceil_div
from model.catalog import catalog
from model.pricing import ONE, greeks_wad
from model.state import AssetId, Positions
from model.valuation import (
    NO_FIXINGS,
    Fixings,
    Prices,
    is_live_option,
    is_settled,
    mark_wad,
    mark_wad_at,
    market_volatility,
    option_inputs,
    underlyings,
)
from spec.bounds import BPS
from spec.params import MarketParams, Params, PortfolioParams, correlation_table, pair

SCAN_STEPS = 3
"""SPAN-1: the price scan visits -3/3 .. +3/3 of the scan range."""


def short_option_minimum(params: Params, short_lots: int, price: int) -> int:
    """SPAN-5: the least margin of `short_lots` short live option lots on an underlying
    at `price`: ceil(short_lots * price * short_option_min_bps / 10_000)."""
    return bps_up(short_lots * price, params.portfolio.short_option_min_bps)


# --- the SPAN-style scan (RISK-7, SPAN-1..SPAN-7) -----------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    """SPAN-1: one risk scenario: an underlying price, a volatility move (+1 up, -1 down,
    0 unchanged) and the share of its loss that counts, in bps."""

    price: int
    vol_move: int
    cover_bps: int


def price_move(price: int, scan_range_bps: int, thirds: int) -> int:
    """SPAN-1: |thirds|/3 of the scan range at `price`, rounded up (a bigger move)."""
    return ceil_div(price * scan_range_bps * abs(thirds), SCAN_STEPS * BPS)


def scan_scenarios(params: Params, asset: AssetId, price: int) -> list[Scenario]:
    """SPAN-1: the 16 scenarios of one underlying, in CME's order.

    Price unchanged, up 1/3, down 1/3, up 2/3, down 2/3, up 3/3, down 3/3 of the
    scan range, each with volatility up then down (full cover); then the extreme
    moves up and down of extreme_multiple ranges at unchanged volatility, of whose
    loss only extreme_cover counts.  Moves round away from the price; a scenario
    price is never below zero.
    """
    asset_params = catalog(params).assets[asset]
    scan = params.portfolio
    grid: list[Scenario] = []
    for k in (0, 1, -1, 2, -2, 3, -3):
        move = price_move(price, asset_params.scan_range_bps, k)
        moved = price + move if k > 0 else max(price - move, 0)
        grid += [Scenario(moved, +1, BPS), Scenario(moved, -1, BPS)]
    extreme = bps_up(price * scan.extreme_multiple, asset_params.scan_range_bps)
    grid.append(Scenario(price + extreme, 0, scan.extreme_cover_bps))
    grid.append(Scenario(max(price - extreme, 0), 0, scan.extreme_cover_bps))
    return grid


def shifted_volatility(vol_bps: int, vol_move: int, vol_scan_bps: int) -> int:
    """SPAN-2: a scenario's volatility, vol * (1 +/- vol_scan): up rounds up, down rounds
    down (both away from the current volatility); unchanged stays.

    pre: vol_bps >= 0 and 0 <= vol_scan_bps <= 10000 and vol_move in (-1, 0, 1)
    post: (__return__ >= vol_bps) if vol_move >= 0 else (0 <= __return__ <= vol_bps)
    """
    if vol_move > 0:
        return bps_up(vol_bps, BPS + vol_scan_bps)
    if vol_move < 0:
        return bps_down(vol_bps, BPS - vol_scan_bps)
    return vol_bps


def scenario_value_wad(
    params: Params,
    market: MarketParams,
    scenario: Scenario,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-2, PRC-13: one lot's wad value in a scenario: an option fully repriced at the
    scenario's price and shifted volatility; a perpetual at the price alone; a settled
    option at its expiry price in every scenario."""
    vol = shifted_volatility(
        market_volatility(params, market), scenario.vol_move, params.portfolio.vol_scan_bps
    )
    return mark_wad_at(market, scenario.price, vol, now, fixings)


def value_changes(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    grid: Sequence[Scenario],
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> list[list[int]]:
    """SPAN-3: for each position on `asset`, its wad value change in each scenario of `grid`:
    qty * (scenario value - value now).  Each position is priced once per scenario, for the
    book's loss and for its own alike (SPAN-7)."""
    markets = catalog(params).markets
    changes = []
    for market_id, pos in positions.items():
        market = markets[market_id]
        if market.underlying == asset:
            now_value = mark_wad(params, market, prices[asset], now, fixings)
            changes.append(
                [
                    pos.qty * (scenario_value_wad(params, market, sc, now, fixings) - now_value)
                    for sc in grid
                ]
            )
    return changes


def loss_of(changes: Iterable[int]) -> int:
    """SPAN-3: the loss of value changes (wad), in value units rounded up: ceil(-sum / ONE)."""
    return ceil_div(-sum(changes), ONE)


def scenario_loss(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    scenario: Scenario,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-3: the loss of the positions on `asset` in a scenario, rounded up:
    ceil(-sum qty * (scenario value - value now) / ONE) value units (wad values)."""
    changes = value_changes(params, positions, prices, asset, [scenario], now, fixings)
    return loss_of(row[0] for row in changes)


def worst_covered_loss(losses: Sequence[int], covers: Sequence[int]) -> int:
    """SPAN-3: the largest scenario loss after its cover, rounded up; zero if nothing loses.

    pre: len(losses) == len(covers)
    pre: all(0 <= c <= 10000 for c in covers)
    post: __return__ >= 0 and all(__return__ * 10000 >= x * c for x, c in zip(losses, covers))
    """
    worst = 0
    for loss, cover in zip(losses, covers, strict=True):
        if loss > 0:
            worst = max(worst, bps_up(loss, cover))
    return worst


def worst_loss_of(changes: Sequence[Sequence[int]], grid: Sequence[Scenario]) -> int:
    """SPAN-3: the worst covered loss over `grid` of the positions whose value changes are
    `changes` (one row per position), losses netted across them in each scenario."""
    losses = [loss_of(row[k] for row in changes) for k in range(len(grid))]
    return worst_covered_loss(losses, [sc.cover_bps for sc in grid])


def scanned(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> tuple[list[list[int]], list[Scenario]]:
    """SPAN-1, SPAN-3: the value changes of the positions on `asset` in each of its 16
    scenarios, and those scenarios."""
    grid = scan_scenarios(params, asset, prices[asset])
    return value_changes(params, positions, prices, asset, grid, now, fixings), grid


def scan_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-3: the worst covered loss over the 16 scenarios of one underlying."""
    return worst_loss_of(*scanned(params, positions, prices, asset, now, fixings))


def short_option_lots(params: Params, positions: Positions, asset: AssetId, now: int) -> int:
    """SPAN-5: the number of short live option lots on `asset`, calls and puts alike."""
    markets = catalog(params).markets
    return sum(
        -pos.qty
        for market_id, pos in positions.items()
        if markets[market_id].underlying == asset
        and is_live_option(markets[market_id], now)
        and pos.qty < 0
    )


def tenor(market: MarketParams) -> int:
    """SPAN-6: the expiry a position belongs to; perpetuals form their own tenor (-1)."""
    return -1 if market.expiry is None else market.expiry


def lot_delta_wad(
    params: Params, market: MarketParams, price: int, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """SPAN-6, PRC-11, PRC-13: one lot's delta (wad lots of the underlying), from the pricer;
    a settled option's is 0 (its value no longer moves); at a zero price, the slope of the
    payoff there, as the pricer's limit (a call 0, a put -ONE: PRC-16)."""
    if market.kind == "perp":
        return ONE
    if is_settled(market, now, fixings):
        return 0
    if price == 0:
        return 0 if market.kind == "call" else -ONE
    inputs = option_inputs(market, price, market_volatility(params, market), now)
    return greeks_wad(market.kind, inputs).delta


def spread_charge(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-6: the inter-month spread charge of one underlying.

    The scan moves every expiry together; the charge adds back the risk that they
    do not.  Deltas net within each tenor; the spreads are min(sum of the long
    tenors' deltas, sum of the short tenors' |deltas|); the charge is
    ceil(spreads * price * spread_charge_bps / (10_000 * ONE)).
    """
    markets = catalog(params).markets
    price = prices[asset]
    by_tenor: dict[int, int] = {}
    for market_id, pos in positions.items():
        market = markets[market_id]
        if market.underlying == asset:
            delta = pos.qty * lot_delta_wad(params, market, price, now, fixings)
            by_tenor[tenor(market)] = by_tenor.get(tenor(market), 0) + delta
    longs = sum(d for d in by_tenor.values() if d > 0)
    shorts = -sum(d for d in by_tenor.values() if d < 0)
    return ceil_div(min(longs, shorts) * price * params.portfolio.spread_charge_bps, BPS * ONE)


def standalone_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-7: the scan risks of the positions on `asset`, each on its own, summed: no
    offset credited, so no spread to add back."""
    return standalone_of(*scanned(params, positions, prices, asset, now, fixings))


def standalone_of(changes: Sequence[Sequence[int]], grid: Sequence[Scenario]) -> int:
    """SPAN-7: the sum of each position's own worst covered loss over `grid` (one row of
    value changes per position)."""
    return sum(worst_loss_of([row], grid) for row in changes)


def underlying_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-7: max(min(scan risk + spread charge, standalone risk), short option minimum)
    of one underlying: a spread charge never makes offsets cost more than none.  The scan
    risk and the standalone risk judge the same value changes."""
    changes, grid = scanned(params, positions, prices, asset, now, fixings)
    offset = worst_loss_of(changes, grid)
    offset += spread_charge(params, positions, prices, asset, now, fixings)
    lots = short_option_lots(params, positions, asset, now)
    return max(
        min(offset, standalone_of(changes, grid)),
        short_option_minimum(params, lots, prices[asset]),
    )


def scan_margin(
    params: Params, positions: Positions, prices: Prices, now: int, fixings: Fixings = NO_FIXINGS
) -> int:
    """RISK-7, SPAN-7, SPAN-9: the sum over underlyings of each one's credited risk.

    Losses net across positions on the same underlying, wherever they are held;
    different underlyings offset only by a declared inter-commodity spread's credit
    (SPAN-8, SPAN-9): each underlying's risk less its credit, at least its short option
    minimum.
    """
    credits = inter_credits(params, positions, prices, now, fixings)
    return sum(
        credited_risk(params, positions, prices, asset, now, fixings, credits.get(asset, 0))
        for asset in sorted(underlyings(params, positions))
    )


def credited_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings,
    credit: int,
) -> int:
    """SPAN-9: max(risk of the underlying (SPAN-7) - its credit, its short option minimum)."""
    risk = underlying_risk(params, positions, prices, asset, now, fixings)
    if credit == 0:
        return risk
    lots = short_option_lots(params, positions, asset, now)
    return max(risk - credit, short_option_minimum(params, lots, prices[asset]))


# --- inter-commodity spread credits (SPAN-8, SPAN-9) ----------------------------------------


def underlying_deltas(
    params: Params,
    positions: Positions,
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> dict[AssetId, int]:
    """SPAN-9: each underlying's net delta in wad lots: sum of qty * lot delta (SPAN-6's)."""
    markets = catalog(params).markets
    deltas: dict[AssetId, int] = {}
    for market_id, pos in positions.items():
        market = markets[market_id]
        asset = market.underlying
        lot = lot_delta_wad(params, market, prices[asset], now, fixings)
        deltas[asset] = deltas.get(asset, 0) + pos.qty * lot
    return deltas


def legs_offset(correlation: int, delta_a: int, delta_b: int) -> bool:
    """SPAN-9: two deltas offset when correlation * delta_a * delta_b < 0: non-zero, of opposite
    signs under a positive correlation, of the same sign under a negative one."""
    return correlation * delta_a * delta_b < 0


def spread_credits(
    portfolio: PortfolioParams, deltas: Mapping[AssetId, int], risks: Mapping[AssetId, int]
) -> dict[AssetId, int]:
    """SPAN-9: the inter-commodity credit of each underlying of a book, from its net deltas
    (wad lots) and scan risks, the declared spreads taken in priority order.

    Each spread whose legs offset forms n = min(rem_a // ratio_a, rem_b // ratio_b) wad
    spreads out of the deltas not yet spread; each leg x is credited
    floor(R_x * n * ratio_x * credit_bps / (|D_x| * 10_000)): the credit rate on the share of
    its scan risk that its spread delta carries (CME's weighted price risk method).  A leg's
    credits never sum to more than its scan risk.
    """
    correlations = correlation_table(portfolio.correlations)
    remaining = {x: abs(d) for x, d in deltas.items()}
    credits = dict.fromkeys(deltas, 0)
    for spread in portfolio.inter_spreads:
        legs = ((spread.a, spread.ratio_a), (spread.b, spread.ratio_b))
        delta_a, delta_b = deltas.get(spread.a, 0), deltas.get(spread.b, 0)
        if not legs_offset(correlations.get(pair(spread.a, spread.b), 0), delta_a, delta_b):
            continue
        count = min(remaining[x] // ratio for x, ratio in legs)
        for x, ratio in legs:
            remaining[x] -= count * ratio
            credits[x] += risks[x] * count * ratio * spread.credit_bps // (abs(deltas[x]) * BPS)
    return credits


def inter_credits(
    params: Params,
    positions: Positions,
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> dict[AssetId, int]:
    """SPAN-9: the inter-commodity credit of each underlying of a book (none without a
    declared spread)."""
    if not params.portfolio.inter_spreads:
        return {}
    deltas = underlying_deltas(params, positions, prices, now, fixings)
    risks = {x: scan_risk(params, positions, prices, x, now, fixings) for x in deltas}
    return spread_credits(params.portfolio, deltas, risks)
