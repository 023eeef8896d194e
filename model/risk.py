"""The risk engine: valuation, margin, latency buffer, health and capacity (RISK-1..RISK-13),
and the profit that nets across venues through the clearing pools (RISK-NET-1..RISK-NET-5).

Every function is pure and exact.  Values the account owns round down, values it
owes round up (NUM-1, NUM-2).  Prices come in as a map asset -> price; the
callers fetch them from the oracle and fail closed when one is missing.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from model.arith import bps_down, bps_up, ceil_div, isqrt_ceil
from model.catalog import catalog
from model.pricing import ONE, Inputs, greeks_wad, normal_cdf_wad, option_wad
from model.state import AccountId, AssetId, MarketId, Position, Positions, SpokeId, State
from spec.bounds import BPS, SECONDS_PER_YEAR
from spec.params import MarketParams, Params, PortfolioParams, correlation_table, pair

Prices = Mapping[AssetId, int]

Fixings = Mapping[MarketId, int]
"""PRC-14: the expiry prices fixed so far, option market -> price (`state.oracle.expiry_prices`)."""

NO_FIXINGS: Fixings = MappingProxyType({})
"""No expiry price fixed (a book valued outside a state: every expired option by PRC-15)."""

SCAN_STEPS = 3
"""SPAN-1: the price scan visits -3/3 .. +3/3 of the scan range."""


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


# --- per-position margin (RISK-4) -------------------------------------------------


def short_option_minimum(params: Params, short_lots: int, price: int) -> int:
    """SPAN-5: the least margin of `short_lots` short live option lots on an underlying
    at `price`: ceil(short_lots * price * short_option_min_bps / 10_000)."""
    return bps_up(short_lots * price, params.portfolio.short_option_min_bps)


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
    markets = catalog(params).markets
    change = 0
    for market_id, pos in positions.items():
        market = markets[market_id]
        if market.underlying == asset:
            now_value = mark_wad(params, market, prices[asset], now, fixings)
            moved = scenario_value_wad(params, market, scenario, now, fixings)
            change += pos.qty * (moved - now_value)
    return ceil_div(-change, ONE)


def worst_covered_loss(losses: Sequence[int], covers: Sequence[int]) -> int:
    """SPAN-3: the largest scenario loss after its cover, rounded up; zero if nothing loses.

    pre: len(losses) == len(covers)
    pre: all(0 <= c <= 10000 for c in covers)
    post: __return__ >= 0
    post: all(__return__ * 10000 >= loss * cover for loss, cover in zip(losses, covers))
    """
    worst = 0
    for loss, cover in zip(losses, covers, strict=True):
        if loss > 0:
            worst = max(worst, bps_up(loss, cover))
    return worst


def scan_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-3: the worst covered loss over the 16 scenarios of one underlying."""
    grid = scan_scenarios(params, asset, prices[asset])
    losses = [scenario_loss(params, positions, prices, asset, sc, now, fixings) for sc in grid]
    return worst_covered_loss(losses, [sc.cover_bps for sc in grid])


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
    return sum(
        scan_risk(params, {market_id: pos}, prices, asset, now, fixings)
        for market_id, pos in positions.items()
        if catalog(params).markets[market_id].underlying == asset
    )


def underlying_risk(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: AssetId,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """SPAN-7: max(min(scan risk + spread charge, standalone risk), short option minimum)
    of one underlying: a spread charge never makes offsets cost more than none."""
    offset = scan_risk(params, positions, prices, asset, now, fixings)
    offset += spread_charge(params, positions, prices, asset, now, fixings)
    standalone = standalone_risk(params, positions, prices, asset, now, fixings)
    lots = short_option_lots(params, positions, asset, now)
    return max(min(offset, standalone), short_option_minimum(params, lots, prices[asset]))


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


# --- the hub's view of an account (RISK-10) ----------------------------------------


def backing_spokes(state: State, account: AccountId) -> list[SpokeId]:
    """RISK-13: the spokes the account uses: those the hub has ever granted it credit on.

    Only their reports count in the hub's view of the account.  A spoke the account
    never used, honest or not, cannot move its health or capacity (ADV-4); a spoke
    it used keeps counting after its credit is used up, so that the hub still
    liquidates an account whose losses there run past its line.
    """
    return [s.id for s in state.params.spokes if (account, s.id) in state.hub.linked]


def reported_books(state: State, account: AccountId) -> dict[SpokeId, Positions]:
    """HUB-REP-2, RISK-13: each backing spoke's positions for the account, as last reported."""
    return {s: state.hub.reports[(account, s)].positions for s in backing_spokes(state, account)}


def assets_needed(state: State, account: AccountId) -> set[AssetId]:
    """Every asset whose price values the account at the hub."""
    held = {x for (a, x), amount in state.hub.collateral.items() if a == account and amount}
    books = reported_books(state, account).values()
    return held | underlyings(state.params, [m for book in books for m in book])


def haircut_value(amount: int, price: int, haircut_bps: int) -> int:
    """RISK-1, NUM-1: what `amount` tokens at `price` count for as collateral, rounded down.

    pre: amount >= 0 and price >= 0 and 0 <= haircut_bps < 10000
    post: 0 <= __return__ <= amount * price
    """
    return bps_down(amount * price, BPS - haircut_bps)


def collateral_value(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-1, NUM-1: sum over assets of amount * price cut by the haircut, rounded down."""
    assets = catalog(state.params).assets
    total = 0
    for (a, asset), amount in state.hub.collateral.items():
        if a == account and amount:
            total += haircut_value(amount, prices[asset], assets[asset].haircut_bps)
    return total


def loan_value(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-IM-1, NUM-1: what the collateral lends on: sum over assets of amount * price cut by
    the asset's LTV haircut (at least its liquidation haircut), each rounded down."""
    assets = catalog(state.params).assets
    total = 0
    for (a, asset), amount in state.hub.collateral.items():
        if a == account and amount:
            total += haircut_value(amount, prices[asset], assets[asset].borrowing_haircut_bps)
    return total


def reported_pnl(state: State, account: AccountId, spoke: SpokeId, prices: Prices) -> int:
    """HUB-REP-3: a spoke's settled balance plus unrealized PnL, per its latest report."""
    report = state.hub.reports[(account, spoke)]
    oracle = state.oracle
    return report.balance + unrealized_pnl(
        state.params, report.positions, prices, oracle.now, oracle.expiry_prices
    )


def reported_losses(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-11, RISK-13: the sum over backing spokes of each one's reported PnL where it
    is a loss.

    A spoke's profit is the venue's debt to the account and stays on the spoke
    (SPK-PNL-1): the hub cannot seize it, so it backs nothing at the hub; and a
    spoke that lies about a profit cannot make an account look healthy.  A
    spoke's profit never offsets another spoke's loss at the hub.
    """
    backing = backing_spokes(state, account)
    return sum(min(0, reported_pnl(state, account, s, prices)) for s in backing)


def report_age(state: State, account: AccountId, spoke: SpokeId) -> int:
    """RISK-AGE-2: how old the hub's last report from the spoke is: now less the time it
    carries (RISK-AGE-1), never below 0."""
    return max(0, state.oracle.now - state.hub.reports[(account, spoke)].time)


def latency_buffer(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-6, RISK-AGE-2: the sum of every spoke's buffer on its reported positions, over the
    spoke's latency plus the age of its report."""
    now = state.oracle.now
    return sum(
        spoke_buffer(
            state.params,
            spoke,
            book,
            prices,
            now=now,
            age=report_age(state, account, spoke),
            fixings=state.oracle.expiry_prices,
        )
        for spoke, book in reported_books(state, account).items()
    )


def stale_books(state: State, account: AccountId) -> list[SpokeId]:
    """RISK-AGE-4: the spokes the account uses whose reported book holds positions and is
    older than the declared bound (PAR-16); while there is one, every risk-increasing hub
    action on the account fails closed."""
    bound = state.params.max_report_age_s
    return [
        spoke
        for spoke, book in reported_books(state, account).items()
        if book and report_age(state, account, spoke) > bound
    ]


def maintenance_requirement(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-10: maintenance margin of all reported positions, netted across spokes if the
    declared method is the portfolio one, plus the latency buffer."""
    books = reported_books(state, account).values()
    oracle = state.oracle
    margin_now = account_margin(state.params, books, prices, oracle.now, oracle.expiry_prices)
    return margin_now + latency_buffer(state, account, prices)


def equity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-10: collateral value after haircuts less the losses reported by spokes (RISK-11)."""
    return collateral_value(state, account, prices) + reported_losses(state, account, prices)


def is_healthy(state: State, account: AccountId, prices: Prices) -> bool:
    """RISK-10, RISK-NET-3: net equity (with the profits the clearing pools back) covers
    maintenance margin plus latency buffer."""
    return net_equity(state, account, prices) >= maintenance_requirement(state, account, prices)


def total_allocation(state: State, account: AccountId) -> int:
    """HUB-GRANT-2: credit allocated to every spoke, in flight included."""
    return sum(state.hub.alloc[(account, s.id)] for s in state.params.spokes)


def capacity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-12, RISK-IM-1: what the account can back with credit: collateral after its LTV
    haircuts less reported losses (reported profits add nothing, RISK-11, RISK-NET-4)."""
    return loan_value(state, account, prices) + reported_losses(state, account, prices)


def free_capacity(state: State, account: AccountId, prices: Prices) -> int:
    """HUB-GRANT-2: capacity not yet spoken for by allocations or the latency buffer."""
    return (
        capacity(state, account, prices)
        - total_allocation(state, account)
        - latency_buffer(state, account, prices)
    )


# --- profit that nets across venues: the clearing pool (RISK-NET-1..RISK-NET-5) -----------


def pool_value(state: State, spoke: SpokeId, prices: Prices) -> int:
    """RISK-NET-1: what a spoke's clearing pool stands behind: the tokens owed to its
    partition at the hub (HUB-LOSS-1), each asset after its haircut and rounded down.

    An asset without a price in `prices` counts for nothing (against the account).
    """
    assets = catalog(state.params).assets
    total = 0
    for (owner, asset), amount in state.hub.owed.items():
        if owner == spoke and amount and asset in prices:
            total += haircut_value(amount, prices[asset], assets[asset].haircut_bps)
    return total


def pool_assets(state: State, account: AccountId) -> set[AssetId]:
    """RISK-NET-1: the assets in the clearing pools of the spokes the account uses."""
    backing = set(backing_spokes(state, account))
    return {x for (s, x), amount in state.hub.owed.items() if s in backing and amount}


def backed_share(pnl: int, pool: int) -> int:
    """RISK-NET-2: of a reported PnL, the profit a pool of value `pool` stands behind.

    pre: pool >= 0
    post: 0 <= __return__ <= pool
    post: __return__ <= max(0, pnl)
    """
    return min(max(0, pnl), pool)


def backed_profit(state: State, account: AccountId, spoke: SpokeId, prices: Prices) -> int:
    """RISK-NET-2: the part of a spoke's reported profit for the account that the spoke's
    own clearing pool at the hub stands behind: min(max(0, pnl), pool value)."""
    pnl = reported_pnl(state, account, spoke, prices)
    return backed_share(pnl, pool_value(state, spoke, prices))


def backed_profits(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-NET-2, RISK-13: the backed profit of every spoke the account uses, summed."""
    return sum(backed_profit(state, account, s, prices) for s in backing_spokes(state, account))


def net_equity(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-NET-3: what health is judged on: equity (collateral after haircuts less reported
    losses) plus the profits the spokes' clearing pools stand behind.

    Only health reads it.  Capacity, which judges every grant and withdrawal, counts
    no reported profit (RISK-NET-4), so a report, honest or fake, never lets value out.
    """
    return equity(state, account, prices) + backed_profits(state, account, prices)


# --- initial and maintenance at the hub (RISK-IM-1..RISK-IM-5) -----------------------------


def account_initial_margin(
    params: Params,
    books: Iterable[Positions],
    prices: Prices,
    now: int,
    fixings: Fixings = NO_FIXINGS,
) -> int:
    """RISK-IM-2: the initial margin of an account's books on all spokes: the netted scan
    margin grossed up by the portfolio's initial rate, or every book's per-position initial
    margin."""
    if params.margin_method == "per_position":
        return sum(
            per_position_margin(params, b, prices, initial=True, now=now, fixings=fixings)
            for b in books
        )
    return bps_up(netted_margin(params, books, prices, now, fixings), params.portfolio.im_bps)


def initial_requirement(state: State, account: AccountId, prices: Prices) -> int:
    """RISK-IM-2: initial margin of all reported positions plus the latency buffer."""
    books = reported_books(state, account).values()
    oracle = state.oracle
    initial = account_initial_margin(state.params, books, prices, oracle.now, oracle.expiry_prices)
    return initial + latency_buffer(state, account, prices)


def meets_initial(state: State, account: AccountId, prices: Prices) -> bool:
    """RISK-IM-2: capacity (loan value less reported losses) covers the initial requirement."""
    return capacity(state, account, prices) >= initial_requirement(state, account, prices)


def ratio_bps(numerator: int, denominator: int) -> int | None:
    """RISK-IM-3: floor(numerator * 10_000 / denominator), none when the denominator is 0.

    pre: denominator >= 0
    post: __return__ is None or __return__ * denominator <= numerator * 10000
    """
    if denominator == 0:
        return None
    return numerator * BPS // denominator


def health_factor(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-3: net equity over the maintenance requirement, in bps, rounded down; none
    (infinite) when nothing is required."""
    return ratio_bps(
        net_equity(state, account, prices), maintenance_requirement(state, account, prices)
    )


def initial_health_factor(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-3: capacity over the initial requirement, in bps, rounded down; none when
    nothing is required."""
    return ratio_bps(capacity(state, account, prices), initial_requirement(state, account, prices))


def margin_ratio(state: State, account: AccountId, prices: Prices) -> int | None:
    """RISK-IM-4: the maintenance requirement as a share of net equity, in bps, rounded up
    (against the account); 0 when nothing is required, none (infinite) when something is and
    net equity is not positive."""
    requirement = maintenance_requirement(state, account, prices)
    equity_now = net_equity(state, account, prices)
    if requirement == 0:
        return 0
    if equity_now <= 0:
        return None
    return ceil_div(requirement * BPS, equity_now)


def liquidation_price(
    state: State, account: AccountId, prices: Prices, max_price: int
) -> int | None:
    """RISK-IM-5: for an account whose reported positions are perpetuals on one underlying,
    the price of it, all else fixed, at which the account is first unhealthy moving against
    it (down for a net long, up to `max_price` for a net short); none otherwise.

    Bisection between the current price (healthy) and the far end (unhealthy): exact
    where health is monotone in the price on that side, as for perpetual books whose
    collateral does not move with the underlying.
    """
    markets = catalog(state.params).markets
    books = list(reported_books(state, account).values())
    held = {m for book in books for m in book}
    if not held or any(markets[m].kind != "perp" for m in held):
        return None
    assets = underlyings(state.params, held)
    if len(assets) != 1:
        return None
    (asset,) = assets
    net_qty = sum(pos.qty for book in books for pos in book.values())
    if net_qty == 0 or not is_healthy(state, account, prices):
        return None

    def unhealthy_at(price: int) -> bool:
        return not is_healthy(state, account, {**prices, asset: price})

    safe, far = prices[asset], (0 if net_qty > 0 else max_price)
    if not unhealthy_at(far):
        return None
    while abs(far - safe) > 1:
        middle = (safe + far) // 2
        if unhealthy_at(middle):
            far = middle
        else:
            safe = middle
    return far
