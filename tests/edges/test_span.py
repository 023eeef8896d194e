"""The inter-commodity spread credits at their edges (SPAN-8, SPAN-9, PAR-18): the declared
spreads taken in priority order, each spread count floored, each leg's remaining delta cut
by exactly what its spreads used, every position's delta summed into its underlying's."""

from model.pricing import ONE
from model.span import (
    Scenario,
    credited_risk,
    inter_credits,
    lot_delta_wad,
    scan_margin,
    scan_risk,
    scan_scenarios,
    scenario_loss,
    scenario_value_wad,
    shifted_volatility,
    short_option_minimum,
    spread_charge,
    spread_credits,
    standalone_risk,
    underlying_deltas,
    underlying_risk,
    worst_covered_loss,
)
from model.state import Position
from model.valuation import NO_FIXINGS, mark_wad
from spec.bounds import BPS
from spec.examples import example_params
from spec.params import Correlation, InterSpread, MarketParams, PortfolioParams
from tests.test_intercommodity import PRICES, grains

CATALOG = grains()


def portfolio(correlations: dict[tuple[str, str], int], *spreads: InterSpread) -> PortfolioParams:
    """The grains' scan with this correlation table and these spreads, in this order."""
    table = tuple(
        Correlation(a=a, b=b, correlation_bps=rho) for (a, b), rho in correlations.items()
    )
    return CATALOG.portfolio.model_copy(update={"correlations": table, "inter_spreads": spreads})


def spread(a: str, b: str, ratio_a: int, ratio_b: int, credit_bps: int) -> InterSpread:
    return InterSpread(a=a, b=b, ratio_a=ratio_a, ratio_b=ratio_b, credit_bps=credit_bps)


def test_a_spread_on_an_undeclared_pair_never_offsets_nor_blocks_the_next() -> None:
    """SPAN-8, SPAN-9, PAR-18: an undeclared pair has correlation 0, so a spread declared on it
    (credit 0, the most PAR-18 allows) never offsets: it takes none of its legs' deltas, and
    the next spread on a shared leg forms all its spreads.  Long A against short B and short
    C: A/B (undeclared) forms nothing; A/C (declared 0.8, 1:1 at 50%) spreads A's and C's
    whole deltas: each is credited half its scan risk."""
    first_undeclared = portfolio(
        {("A", "C"): 8_000}, spread("A", "B", 1, 1, 0), spread("A", "C", 1, 1, 5_000)
    )
    deltas = {"A": ONE, "B": -ONE, "C": -ONE}
    risks = {"A": 1_000, "B": 600, "C": 400}
    assert spread_credits(first_undeclared, deltas, risks) == {"A": 500, "B": 0, "C": 200}


def test_a_spread_whose_legs_do_not_offset_leaves_the_later_spreads_their_turn() -> None:
    """SPAN-9: a declared spread whose legs do not offset (long A and long B under a positive
    correlation lose together) forms nothing, and the spreads after it are still taken in
    order: A/C (long A against short C) credits A and C half their scan risks."""
    both_long_first = portfolio(
        {("A", "B"): 8_000, ("A", "C"): 8_000},
        spread("A", "B", 1, 1, 5_000),
        spread("A", "C", 1, 1, 5_000),
    )
    deltas = {"A": ONE, "B": ONE, "C": -ONE}
    risks = {"A": 1_000, "B": 600, "C": 400}
    assert spread_credits(both_long_first, deltas, risks) == {"A": 500, "B": 0, "C": 200}


def test_spreads_are_floored_and_each_leg_keeps_what_they_did_not_use() -> None:
    """SPAN-9: n = min(floor(rem_a / ratio_a), floor(rem_b / ratio_b)) whole wad spreads, each
    leg's remaining delta drops by n * ratio_x, and a leg is credited
    floor(R_x * n * ratio_x * credit_bps / (|D_x| * 10_000)).

    Deltas A = 5, B = -3, C = -3 wad lots; risks 1000, 600, 600; A/B at 2:1 then A/C at 1:1,
    both at 50%.  A/B: n = min(floor(5 / 2), 3) = 2, so A keeps 5 - 4 = 1 and B 3 - 2 = 1;
    A is credited 1000 * 2 * 2 * 50% / 5 = 400, B 600 * 2 * 50% / 3 = 200.  A/C:
    n = min(1, 3) = 1: A is credited 1000 * 1 * 50% / 5 = 100 more (500 in all), C
    600 * 1 * 50% / 3 = 100."""
    chained = portfolio(
        {("A", "B"): 8_000, ("A", "C"): 8_000},
        spread("A", "B", 2, 1, 5_000),
        spread("A", "C", 1, 1, 5_000),
    )
    deltas = {"A": 5, "B": -3, "C": -3}
    risks = {"A": 1_000, "B": 600, "C": 600}
    credits = spread_credits(chained, deltas, risks)
    assert credits == {"A": 500, "B": 200, "C": 100}
    assert all(type(amount) is int for amount in credits.values())


def test_an_underlyings_delta_sums_every_position_on_it() -> None:
    """SPAN-9, SPAN-6: D_x = sum over the positions on x of qty * lot delta: a short soybean
    future and a short soybean call add up (the call's delta on top of the future's -1)."""
    book = {"CORN-F": Position(2, 0), "SOY-F": Position(-1, 0), "SOY-C": Position(-1, 0)}
    call = lot_delta_wad(CATALOG, CATALOG.markets[2], PRICES["SOY"], 0)
    assert 0 < call < ONE
    assert underlying_deltas(CATALOG, book, PRICES, 0) == {"CORN": 2 * ONE, "SOY": -ONE - call}


def test_a_settled_option_leg_has_no_delta_and_spreads_nothing() -> None:
    """SPAN-9, SPAN-6, PRC-13: at and after its expiry, an option whose expiry price is fixed
    has delta 0, so a short settled soybean call against long corn forms no spread and
    credits nothing; unfixed at the same time (PRC-15), it still has the delta of its
    payoff at the price (in the money: -1 a short lot) and spreads."""
    call = CATALOG.markets[2]
    assert call.id == "SOY-C" and call.expiry is not None
    book = {"CORN-F": Position(2, 0), "SOY-C": Position(-1, 0)}
    above = {**PRICES, "SOY": 30_000}
    fixed = {"SOY-C": 30_000}
    assert underlying_deltas(CATALOG, book, above, call.expiry, fixed) == {
        "CORN": 2 * ONE,
        "SOY": 0,
    }
    assert inter_credits(CATALOG, book, above, call.expiry, fixed) == {"CORN": 0, "SOY": 0}
    unfixed = underlying_deltas(CATALOG, book, above, call.expiry)
    assert unfixed["SOY"] < 0
    assert inter_credits(CATALOG, book, above, call.expiry)["CORN"] > 0


def test_an_underlyings_credit_comes_off_its_risk_down_to_its_short_option_minimum() -> None:
    """SPAN-9: an underlying's credited risk is max(R - credit, its short option minimum)
    for every credit, 1 included: a credit of 1 takes exactly 1 off; a credit as large as
    the risk leaves the minimum of its short live option lots (SPAN-5), not 0."""
    soy = {"SOY-F": Position(-1, 0), "SOY-C": Position(-3, 0)}
    risk = underlying_risk(CATALOG, soy, PRICES, "SOY", 0)
    minimum = short_option_minimum(CATALOG, 3, PRICES["SOY"])
    assert risk > minimum + 1 > 1
    assert credited_risk(CATALOG, soy, PRICES, "SOY", 0, NO_FIXINGS, 0) == risk
    assert credited_risk(CATALOG, soy, PRICES, "SOY", 0, NO_FIXINGS, 1) == risk - 1
    assert credited_risk(CATALOG, soy, PRICES, "SOY", 0, NO_FIXINGS, risk) == minimum


def test_a_legs_scan_risk_values_a_settled_option_at_its_fixing() -> None:
    """SPAN-9, PRC-13: the scan risk R_x a leg's credit is a share of is the scan's, at the
    expiry prices: a short soybean call settled out of the money at its fixing (24 000
    against a strike of 25 000) beside a short soybean future is a constant, so the credits
    and the credited margin are those of the future alone.  Unfixed (PRC-15) the call
    still loses in the scenarios up, with no delta at the price: a larger credit."""
    call = CATALOG.markets[2]
    assert call.id == "SOY-C" and call.expiry is not None
    below = {**PRICES, "SOY": 24_000}
    fixed = {"SOY-C": 24_000}
    future = {"CORN-F": Position(2, 0), "SOY-F": Position(-1, 0)}
    with_call = {**future, "SOY-C": Position(-1, 0)}
    alone = inter_credits(CATALOG, future, below, call.expiry, fixed)
    assert alone["SOY"] > 0
    assert inter_credits(CATALOG, with_call, below, call.expiry, fixed) == alone
    assert inter_credits(CATALOG, with_call, below, call.expiry)["SOY"] > alone["SOY"]
    margin = scan_margin(CATALOG, future, below, call.expiry, fixed)
    assert scan_margin(CATALOG, with_call, below, call.expiry, fixed) == margin


def test_a_scenario_loss_values_a_settled_option_at_its_fixing() -> None:
    """SPAN-3, PRC-13: in a scenario up, a short soybean call settled out of the money at its
    fixing (24 000 against a strike of 25 000) loses nothing: its value is its payoff at the
    fixing in every scenario.  Unfixed (PRC-15) it is still priced at the scenario's price,
    and loses."""
    call = CATALOG.markets[2]
    assert call.id == "SOY-C" and call.expiry is not None
    below = {**PRICES, "SOY": 24_000}
    short = {"SOY-C": Position(-1, 0)}
    up = max(scan_scenarios(CATALOG, "SOY", 24_000), key=lambda sc: sc.price)
    assert up.price > 25_000
    fixed = {"SOY-C": 24_000}
    assert scenario_loss(CATALOG, short, below, "SOY", up, call.expiry, fixed) == 0
    assert scenario_loss(CATALOG, short, below, "SOY", up, call.expiry) > 0


def test_a_lots_delta_at_price_zero_is_the_slope_of_its_payoff_there() -> None:
    """SPAN-6, PRC-16, PRC-13: at an underlying price of 0 a live call's lot delta is 0 and a
    live put's -1 (the pricer's limits); at any positive price, 1 included, it is the
    pricer's (an at-the-money call struck at 1: strictly between 0 and 1); a perpetual's is
    1 at any price; a settled option's is 0, price 0 included (settled comes first)."""
    eth = example_params()
    markets = {m.id: m for m in eth.markets}
    call, put = markets["ETH-C-2000"], markets["ETH-P-1800"]
    assert call.expiry is not None and put.expiry is not None
    at_one = call.model_copy(update={"strike": 1})
    assert 0 < lot_delta_wad(eth, at_one, 1, 0) < ONE
    assert -ONE < lot_delta_wad(eth, at_one.model_copy(update={"kind": "put"}), 1, 0) < 0
    assert lot_delta_wad(eth, call, 0, 0) == 0
    assert lot_delta_wad(eth, put, 0, 0) == -ONE
    assert lot_delta_wad(eth, markets["ETH-PERP"], 0, 0) == ONE
    assert lot_delta_wad(eth, put, 0, put.expiry, {put.id: 1_500}) == 0
    assert lot_delta_wad(eth, put, 0, put.expiry) == -ONE


def test_a_scenario_price_stops_at_zero() -> None:
    """SPAN-1: a down move never takes a scenario price below zero, and stops at zero
    exactly: at a scan range of 100%, down 3/3 of it from 2000 is 0 (each move rounded up,
    away from the price), and so is the extreme
    move down (3 ranges); at a price of 0 every scenario is at 0."""
    eth = example_params()
    full = tuple(
        a.model_copy(update={"scan_range_bps": 10_000}) if a.id == "ETH" else a for a in eth.assets
    )
    wide = eth.model_copy(update={"assets": full})
    grid = scan_scenarios(wide, "ETH", 2_000)
    assert [sc.price for sc in grid[::2]] == [2_000, 2_667, 1_333, 3_334, 666, 4_000, 0, 8_000]
    assert grid[15] == Scenario(0, 0, eth.portfolio.extreme_cover_bps)
    assert {sc.price for sc in scan_scenarios(wide, "ETH", 0)} == {0}


def test_a_scenario_loss_one_wad_past_a_whole_unit_rounds_up_to_the_next() -> None:
    """SPAN-3, NUM-2: a scenario's loss is ceil(-sum qty * (scenario value - value now) / ONE)
    exactly.  The four ETH options at 2001 (prime to every strike, so the wad values are
    not all multiples of a common step) in these sizes lose, in the scenario down 1/3 with
    volatility down, 106 091 value units and 1 wad: the loss is 106 092."""
    eth = example_params()
    markets = {m.id: m for m in eth.markets}
    sizes = {"ETH-C-2000": 658, "ETH-P-1800": -2_689, "ETH-C-3000": 12_831, "ETH-C-2000-Q": -429}
    book = {market: Position(qty, 0) for market, qty in sizes.items()}
    prices = {"USD": 1, "ETH": 2_001}
    scenario = scan_scenarios(eth, "ETH", 2_001)[5]
    assert scenario.price < 2_001 and scenario.vol_move == -1
    change = sum(
        qty
        * (
            scenario_value_wad(eth, markets[market], scenario, 0)
            - mark_wad(eth, markets[market], 2_001, 0)
        )
        for market, qty in sizes.items()
    )
    assert -change == 106_091 * ONE + 1
    assert scenario_loss(eth, book, prices, "ETH", scenario, 0) == 106_092


def test_a_scenarios_volatility_moves_away_from_the_current_or_stays() -> None:
    """SPAN-2: vol * (1 + vol_scan) up, rounded up; vol * (1 - vol_scan) down, rounded down;
    unchanged (the extreme scenarios) exactly the current volatility.  At 80.01% and a scan
    of 20%: 96.012% up to 9602 bps, 64.008% down to 6400 bps, unchanged 8001."""
    assert shifted_volatility(8_001, +1, 2_000) == 9_602
    assert shifted_volatility(8_001, -1, 2_000) == 6_400
    assert shifted_volatility(8_001, 0, 2_000) == 8_001


ETH_PARAMS = example_params()


def test_the_spread_charge_is_the_smaller_side_rounded_up_exactly() -> None:
    """SPAN-6: ceil(min(longs, shorts) * price * spread_charge_bps / (10_000 * ONE)): long 1
    ETH-PERP (a delta of exactly 1) against short 5 ETH-C-2000 (about -2.7) at 2000 is one
    spread: ceil(1 * 2000 * 2%) = 40 exactly, not 41."""
    book = {"ETH-PERP": Position(1, 0), "ETH-C-2000": Position(-5, 0)}
    assert ETH_PARAMS.portfolio.spread_charge_bps == 200
    assert spread_charge(ETH_PARAMS, book, {"ETH": 2_000}, "ETH", 0) == 40


def test_deltas_net_within_a_tenor_before_the_spreads() -> None:
    """SPAN-6: the deltas of every position of one expiry net first: long 2 ETH-C-2000 and
    short 2 ETH-P-1800 (both 30 days) are one long delta of 2 * (call delta - put delta)
    against short 6 ETH-C-2000-Q (90 days): the charge is on that netted long delta."""
    book = {
        "ETH-C-2000": Position(2, 0),
        "ETH-P-1800": Position(-2, 0),
        "ETH-C-2000-Q": Position(-6, 0),
    }
    markets = {m.id: m for m in ETH_PARAMS.markets}
    near = 2 * lot_delta_wad(ETH_PARAMS, markets["ETH-C-2000"], 2_000, 0)
    near -= 2 * lot_delta_wad(ETH_PARAMS, markets["ETH-P-1800"], 2_000, 0)
    far = -6 * lot_delta_wad(ETH_PARAMS, markets["ETH-C-2000-Q"], 2_000, 0)
    assert 0 < near < -far
    expected = -(-near * 2_000 * 200 // (BPS * ONE))
    assert spread_charge(ETH_PARAMS, book, {"ETH": 2_000}, "ETH", 0) == expected


def test_a_settled_option_is_in_no_calendar_spread() -> None:
    """SPAN-6, PRC-13: at ETH-C-2000's expiry with its price fixed, a long ETH-C-2000 in the
    money has delta 0: against short ETH-C-2000-Q it forms no spread and pays no charge;
    unfixed (PRC-15) it still has its payoff's delta, 1, and pays."""
    call = {m.id: m for m in ETH_PARAMS.markets}["ETH-C-2000"]
    assert call.expiry is not None
    book = {"ETH-C-2000": Position(3, 0), "ETH-C-2000-Q": Position(-3, 0)}
    prices = {"ETH": 2_500}
    assert spread_charge(ETH_PARAMS, book, prices, "ETH", call.expiry, {call.id: 2_500}) == 0
    assert spread_charge(ETH_PARAMS, book, prices, "ETH", call.expiry) > 0


def test_a_tenor_one_wad_long_is_one_wad_of_spread_charged_a_whole_unit() -> None:
    """SPAN-6, NUM-2: every tenor's net delta counts on its side, however small, and the
    charge rounds up: six 30-day calls struck from 1900 to 2200, in sizes whose deltas net
    to exactly 1 wad long at 2000, against short 5 ETH-PERP form 1 wad of spread, charged
    ceil(1 * 2000 * 2% / ONE) = 1 value unit."""
    sizes = {1_900: 83, 1_950: 567, 2_000: -476, 2_050: 843, 2_100: -633, 2_200: -678}
    calls = tuple(
        MarketParams(
            id=f"ETH-C-{strike}-N",
            underlying="ETH",
            kind="call",
            strike=strike,
            expiry=2_592_000,
            im_bps=1_500,
            mm_bps=1_000,
        )
        for strike in sizes
    )
    params = ETH_PARAMS.model_copy(update={"markets": (*ETH_PARAMS.markets, *calls)})
    net = sum(
        qty * lot_delta_wad(params, call, 2_000, 0)
        for call, qty in zip(calls, sizes.values(), strict=True)
    )
    assert net == 1
    book = {call.id: Position(qty, 0) for call, qty in zip(calls, sizes.values(), strict=True)}
    book["ETH-PERP"] = Position(-5, 0)
    assert spread_charge(params, book, {"ETH": 2_000}, "ETH", 0) == 1


def test_the_standalone_cap_counts_a_settled_option_as_nothing() -> None:
    """SPAN-7, PRC-13: the standalone cap is each position's own scan risk at the expiry
    prices, summed.  With a spread charge of 50%, short 2 ETH-PERP against long 2
    ETH-C-2000-Q pays more in charge than its offsets save, so the cap binds; a short 2
    ETH-C-2000 settled at its fixing beside them adds nothing to the cap (nor to the
    scan): the underlying's risk is the cap of the other two."""
    dear = ETH_PARAMS.model_copy(
        update={"portfolio": ETH_PARAMS.portfolio.model_copy(update={"spread_charge_bps": 5_000})}
    )
    expiry = 2_592_000
    prices = {"ETH": 2_000}
    fixed = {"ETH-C-2000": 2_000}
    calendar = {"ETH-PERP": Position(-2, 0), "ETH-C-2000-Q": Position(2, 0)}
    with_settled = {**calendar, "ETH-C-2000": Position(-2, 0)}
    cap = standalone_risk(dear, calendar, prices, "ETH", expiry, fixed)
    scan = scan_risk(dear, calendar, prices, "ETH", expiry, fixed)
    assert scan + spread_charge(dear, calendar, prices, "ETH", expiry, fixed) > cap
    assert standalone_risk(dear, with_settled, prices, "ETH", expiry, fixed) == cap
    assert underlying_risk(dear, with_settled, prices, "ETH", expiry, fixed) == cap


def test_perpetuals_are_a_tenor_apart_from_every_expiry() -> None:
    """SPAN-6: perpetuals form their own tenor, apart from every option expiry, even an
    option that expires at 1 s (PAR-2 allows any expiry >= 0): long 1 ETH-PERP against a
    short call expiring at 1 s is a calendar spread and pays a charge."""
    soon = MarketParams(
        id="ETH-C-2000-1S",
        underlying="ETH",
        kind="call",
        strike=2_000,
        expiry=1,
        im_bps=1_500,
        mm_bps=1_000,
    )
    params = ETH_PARAMS.model_copy(update={"markets": (*ETH_PARAMS.markets, soon)})
    book = {"ETH-PERP": Position(1, 0), soon.id: Position(-1, 0)}
    assert lot_delta_wad(params, soon, 2_000, 0) > 0
    assert spread_charge(params, book, {"ETH": 2_000}, "ETH", 0) > 0


def test_a_settled_option_adds_nothing_to_an_underlyings_risk() -> None:
    """SPAN-7, SPAN-6, PRC-13: scan risk plus spread charge, capped by the standalone risk,
    all at the expiry prices: a long 3 ETH-C-2000 settled in the money (fixed at 2500)
    beside short 2 ETH-PERP and long 2 ETH-C-2000-Q changes none of them, so the
    underlying's risk is that of the other two, where the charge counts (the cap does not
    bind)."""
    expiry = 2_592_000
    prices = {"ETH": 2_500}
    fixed = {"ETH-C-2000": 2_500}
    calendar = {"ETH-PERP": Position(-2, 0), "ETH-C-2000-Q": Position(2, 0)}
    with_settled = {**calendar, "ETH-C-2000": Position(3, 0)}
    risk = underlying_risk(ETH_PARAMS, calendar, prices, "ETH", expiry, fixed)
    assert spread_charge(ETH_PARAMS, calendar, prices, "ETH", expiry, fixed) > 0
    assert risk < standalone_risk(ETH_PARAMS, calendar, prices, "ETH", expiry, fixed)
    assert underlying_risk(ETH_PARAMS, with_settled, prices, "ETH", expiry, fixed) == risk


def test_the_smallest_loss_still_counts_its_covered_share_rounded_up() -> None:
    """SPAN-3, NUM-2: every scenario that loses counts, a loss of 1 included: at full cover
    it is 1; at the extreme scenarios' 35% cover, ceil(0.35) = 1; no loss at all is 0."""
    assert worst_covered_loss([1], [BPS]) == 1
    assert worst_covered_loss([0, 1, -5], [BPS, 3_500, BPS]) == 1
    assert worst_covered_loss([0, -5], [BPS, BPS]) == 0
