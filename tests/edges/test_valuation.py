"""Valuation at its edges (RISK-1, RISK-2, PRC-12..PRC-16): the mark of a settled option,
the rounding of a book's value."""

from model.pricing import ONE
from model.valuation import mark, mark_wad
from spec.examples import example_params

PARAMS = example_params()
MARKETS = {m.id: m for m in PARAMS.markets}
CALL = MARKETS["ETH-C-2000"]


def test_the_mark_of_a_settled_option_is_its_intrinsic_value_at_the_fixed_price() -> None:
    """RISK-1, PRC-13: from expiry on, once fixed, one lot is marked at its intrinsic value
    at the expiry price, whatever the current price; whole value units, rounded down."""
    assert CALL.expiry is not None and CALL.strike == 2_000
    fixings = {CALL.id: 2_300}
    for price in (1, 2_000, 5_000):
        assert mark(PARAMS, CALL, price, CALL.expiry, fixings) == 300
        assert mark_wad(PARAMS, CALL, price, CALL.expiry, fixings) == 300 * ONE
    assert mark(PARAMS, CALL, 2_600, CALL.expiry) == 600
