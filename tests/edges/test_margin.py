"""Per-position margin (RISK-4) branch by branch, each rounding up exactly."""

from model.margin import (
    account_margin,
    isolated_margin,
    margin,
    merge_positions,
    netted_margin,
    per_position_margin,
    position_margin,
)
from model.span import scan_margin
from model.state import Position
from spec.examples import example_params

PARAMS = example_params()
MARKETS = {m.id: m for m in PARAMS.markets}
CALL = MARKETS["ETH-C-2000"]
PRICES = {"USD": 1, "ETH": 2_001}
EXPIRY = CALL.expiry or 0


def margin_of(
    market: str, qty: int, bps: int, now: int = 0, fixings: dict[str, int] | None = None
) -> int:
    pos = Position(qty, 0)
    return position_margin(PARAMS, market, pos, PRICES, bps, now, fixings or {})


def test_a_perpetual_needs_its_rate_of_the_notional_rounded_up() -> None:
    """RISK-4, NUM-2: ceil(|qty| * price * bps / 10_000), long or short: 3 lots at 2001 at
    5% is 300.15, so 301."""
    assert margin_of("ETH-PERP", 3, 500) == 301
    assert margin_of("ETH-PERP", -3, 500) == 301
    assert margin_of("ETH-PERP", 1, 10_000) == 2_001


def test_a_long_option_needs_nothing_a_short_one_its_rate_and_minimum() -> None:
    """RISK-4, SPAN-5: a long option (one lot too) needs 0; a short live one the larger of
    its rate (rounded up) and its short option minimum (1% of the notional, rounded up);
    expired, before the fixing, its rate alone; settled, nothing (PRC-13)."""
    assert margin_of(CALL.id, 1, 1_000) == 0
    assert margin_of(CALL.id, 2, 1_000, EXPIRY) == 0
    assert margin_of(CALL.id, -3, 1_000) == 601
    assert margin_of(CALL.id, -3, 50) == 61
    assert margin_of(CALL.id, -3, 50, EXPIRY) == 31
    assert margin_of(CALL.id, -3, 1_000, EXPIRY, {CALL.id: 2_100}) == 0


def test_per_position_margin_sums_the_positions_at_the_initial_or_maintenance_rate() -> None:
    """RISK-4: the simple method sums each position's margin, at im_bps for initial and
    mm_bps for maintenance."""
    book = {"ETH-PERP": Position(3, 0), CALL.id: Position(-1, 0)}
    perp, call = MARKETS["ETH-PERP"], CALL
    for initial, perp_bps, call_bps in (
        (True, perp.im_bps, call.im_bps),
        (False, perp.mm_bps, call.mm_bps),
    ):
        expected = margin_of("ETH-PERP", 3, perp_bps) + margin_of(CALL.id, -1, call_bps)
        assert per_position_margin(PARAMS, book, PRICES, initial=initial, now=0) == expected


def test_a_settled_short_option_needs_no_per_position_margin() -> None:
    """RISK-4, PRC-13: per-position margin reads the expiry prices: a short option settled
    at its expiry price needs nothing, at the initial or the maintenance rate."""
    book = {CALL.id: Position(-3, 0)}
    fixings = {CALL.id: 2_100}
    for initial in (True, False):
        assert per_position_margin(PARAMS, book, PRICES, initial=initial, now=EXPIRY) > 0
        settled = per_position_margin(
            PARAMS, book, PRICES, initial=initial, now=EXPIRY, fixings=fixings
        )
        assert settled == 0


def test_books_merge_market_by_market_summing_size_and_cost() -> None:
    """RISK-8: positions of several venues net market by market, sizes and costs summed;
    a market whose sizes cancel is dropped."""
    a = {"ETH-PERP": Position(3, 6_000), CALL.id: Position(-1, -50)}
    b = {"ETH-PERP": Position(-1, -2_100), CALL.id: Position(1, 40)}
    c = {"ETH-PERP": Position(2, 4_200)}
    assert merge_positions([a, b, c]) == {"ETH-PERP": Position(4, 8_100)}
    assert merge_positions([a]) == a


def test_a_books_margin_follows_the_declared_method() -> None:
    """RISK-5: per_position is RISK-4 at im_bps or mm_bps; portfolio is the scan margin for
    maintenance and ceil(scan * im_bps / 10_000) for initial; both read the expiry prices."""
    book = {"ETH-PERP": Position(3, 0), CALL.id: Position(-2, 0)}
    simple = PARAMS.model_copy(update={"margin_method": "per_position"})
    for initial in (True, False):
        expected = per_position_margin(simple, book, PRICES, initial=initial, now=0)
        assert margin(simple, book, PRICES, initial=initial, now=0) == expected
    scan = scan_margin(PARAMS, book, PRICES, 0)
    assert margin(PARAMS, book, PRICES, initial=False, now=0) == scan
    im = PARAMS.portfolio.im_bps
    assert margin(PARAMS, book, PRICES, initial=True, now=0) == -(-scan * im // 10_000)
    assert scan * im % 10_000 != 0
    settled = {CALL.id: Position(-2, 0)}
    for params in (simple, PARAMS):
        for initial in (True, False):
            fixed = margin(
                params, settled, PRICES, initial=initial, now=EXPIRY, fixings={CALL.id: 2_100}
            )
            assert fixed == 0


def test_an_accounts_margin_reads_the_expiry_prices_under_both_methods() -> None:
    """RISK-5, RISK-8, PRC-13: a settled short option adds nothing to an account's
    maintenance margin, per position or netted across venues."""
    simple = PARAMS.model_copy(update={"margin_method": "per_position"})
    books = [{CALL.id: Position(-2, 0)}, {"ETH-PERP": Position(1, 0)}]
    fixings = {CALL.id: 2_100}
    perp_only = [{"ETH-PERP": Position(1, 0)}]
    for params in (simple, PARAMS):
        settled = account_margin(params, books, PRICES, EXPIRY, fixings)
        assert settled == account_margin(params, perp_only, PRICES, EXPIRY, fixings)
        assert account_margin(params, books, PRICES, EXPIRY) > settled
    assert netted_margin(PARAMS, books, PRICES, EXPIRY, fixings) == netted_margin(
        PARAMS, perp_only, PRICES, EXPIRY, fixings
    )


def test_a_netted_book_left_with_a_settled_option_needs_nothing() -> None:
    """RISK-8, PRC-13: the perpetuals of two venues cancel when merged; what is left, a short
    option settled at its expiry price, carries no scan risk, so the netted margin is 0."""
    books = [{"ETH-PERP": Position(1, 0), CALL.id: Position(-2, 0)}, {"ETH-PERP": Position(-1, 0)}]
    assert netted_margin(PARAMS, books, PRICES, EXPIRY, {CALL.id: 2_100}) == 0
    assert netted_margin(PARAMS, books, PRICES, EXPIRY) > 0


def test_isolated_margin_reads_the_expiry_prices() -> None:
    """RISK-8, PRC-13: each venue's scan on its own counts a settled short option as
    nothing."""
    books = [{CALL.id: Position(-2, 0)}, {"ETH-PERP": Position(1, 0)}]
    alone = isolated_margin(PARAMS, books[1:], PRICES, EXPIRY)
    assert isolated_margin(PARAMS, books, PRICES, EXPIRY, {CALL.id: 2_100}) == alone


def test_a_settled_option_hedges_nothing_on_either_side_of_the_netted_minimum() -> None:
    """RISK-8, PRC-13: the netted margin is min(merged scan, isolated scans), both valued at
    the expiry prices: a short ETH-C-2000 settled at its fixing beside a long ETH-PERP on one
    venue is a constant, so the account is margined as the perpetual alone.  Unfixed at the
    same time and in the money (ETH 2500, PRC-15), the short call still moves with the
    price and hedges the perpetual: less margin."""
    prices = {"USD": 1, "ETH": 2_500}
    hedged = [{"ETH-PERP": Position(2, 0), CALL.id: Position(-2, 0)}]
    perp_only = [{"ETH-PERP": Position(2, 0)}]
    fixings = {CALL.id: 2_100}
    alone = netted_margin(PARAMS, perp_only, prices, EXPIRY, fixings)
    assert alone > 0
    assert netted_margin(PARAMS, hedged, prices, EXPIRY, fixings) == alone
    assert netted_margin(PARAMS, hedged, prices, EXPIRY) < alone
