"""The inter-commodity spread credits at their edges (SPAN-8, SPAN-9, PAR-18): the declared
spreads taken in priority order, each spread count floored, each leg's remaining delta cut
by exactly what its spreads used, every position's delta summed into its underlying's."""

from model.pricing import ONE
from model.span import inter_credits, lot_delta_wad, spread_credits, underlying_deltas
from model.state import Position
from spec.params import Correlation, InterSpread, PortfolioParams
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
