"""The buffer weight of RISK-AGE-5, branch by branch, exactly."""

from model.buffer import CDF_ERROR_WAD, buffer_rate_bps, buffer_weight_wad, spoke_buffer
from model.pricing import ONE
from model.span import lot_delta_wad
from model.state import Position
from spec.examples import example_params

PARAMS = example_params()
MARKETS = {m.id: m for m in PARAMS.markets}
PERP, CALL, PUT = MARKETS["ETH-PERP"], MARKETS["ETH-C-2000"], MARKETS["ETH-P-1800"]


def test_a_long_live_option_weighs_its_delta_raised_by_the_error_bound() -> None:
    """RISK-AGE-5, PRC-4, PRC-11: before expiry a long option weighs min(ONE, |delta| + 2),
    at every price above 0 (1 included: far out of the money, the bound is all of it)."""
    for market in (CALL, PUT):
        for price in (1, 1_000, 2_000, 2_500):
            delta = abs(lot_delta_wad(PARAMS, market, price, 0))
            expected = min(ONE, delta + CDF_ERROR_WAD)
            assert buffer_weight_wad(PARAMS, market, 3, price, 0) == expected
    assert buffer_weight_wad(PARAMS, CALL, 3, 1, 0) == CDF_ERROR_WAD


def test_perpetuals_shorts_and_a_zero_price_weigh_one_lot_each() -> None:
    """RISK-AGE-5: ONE for a perpetual, for every short, and at price 0."""
    assert buffer_weight_wad(PARAMS, PERP, 5, 2_000, 0) == ONE
    assert buffer_weight_wad(PARAMS, CALL, -5, 2_000, 0) == ONE
    assert buffer_weight_wad(PARAMS, CALL, 5, 0, 0) == ONE
    assert buffer_weight_wad(PARAMS, PUT, 5, 0, 0) == ONE


def test_an_expired_long_option_weighs_its_payoffs_step_exactly() -> None:
    """RISK-AGE-5, PRC-13: from expiry on, before the fixing, a long option weighs its
    |delta| with no error bound added (none at all once settled)."""
    assert CALL.expiry is not None
    for price in (1_500, 2_500):
        delta = abs(lot_delta_wad(PARAMS, CALL, price, CALL.expiry))
        assert buffer_weight_wad(PARAMS, CALL, 2, price, CALL.expiry) == delta
    assert buffer_weight_wad(PARAMS, CALL, 2, 2_500, CALL.expiry, {CALL.id: 2_400}) == 0


def test_a_books_buffer_is_the_sum_of_its_positions_buffers() -> None:
    """RISK-6: a book's buffer sums ceil(|qty| * weight * price * rate / (10_000 * ONE))
    over its positions, each rounded up on its own."""
    book = {"ETH-PERP": Position(3, 0), "ETH-C-2000": Position(-2, 0)}
    prices = {"ETH": 2_000}
    alone = [spoke_buffer(PARAMS, "sol", {m: p}, prices, now=0, age=0) for m, p in book.items()]
    assert all(alone)
    assert spoke_buffer(PARAMS, "sol", book, prices, now=0, age=0) == sum(alone)
    rate = buffer_rate_bps(PARAMS.buffer_z_milli, 8_000, 60)
    assert alone[0] == -(-3 * 2_000 * rate // 10_000)
