"""Valuation at its edges (RISK-1, RISK-2, PRC-12..PRC-16): the mark of a settled option,
the rounding of a book's value."""

import pytest

from model import valuation
from model.pricing import ONE
from model.state import Position
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


def test_a_books_value_is_floored_once_whatever_the_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    """RISK-2: unrealized PnL = floor(sum qty * mark in wad / ONE) - sum cost, for any wad
    marks the pricer gives (an option's is rarely whole): a long worth ONE - 1 wad is worth
    0, a short worth as much owes 1, and two such longs are worth 1 (one rounding, not
    one per position)."""
    marks = {"ETH-C-2000": ONE - 1, "ETH-C-3000": ONE - 1}
    monkeypatch.setattr(valuation, "mark_wad", lambda p, m, *args: marks[m.id])
    prices = {"ETH": 2_000}
    long_one = {"ETH-C-2000": Position(1, 0)}
    assert valuation.unrealized_pnl(PARAMS, long_one, prices, 0) == 0
    short_one = {"ETH-C-2000": Position(-1, 0)}
    assert valuation.unrealized_pnl(PARAMS, short_one, prices, 0) == -1
    both = {"ETH-C-2000": Position(1, 7), "ETH-C-3000": Position(1, 3)}
    assert valuation.unrealized_pnl(PARAMS, both, prices, 0) == 1 - 10


def test_an_option_at_price_zero_is_worth_its_payoff_there() -> None:
    """RISK-1, PRC-16: at an underlying price of 0, a live call is worth 0 and a live put its
    strike (ETH-P-1800: 1800 a lot, in wad); once settled, the fixing sets the value
    whatever the price (PRC-13)."""
    put = MARKETS["ETH-P-1800"]
    assert put.expiry is not None and put.strike == 1_800
    assert mark_wad(PARAMS, put, 0, 0) == 1_800 * ONE
    assert mark_wad(PARAMS, CALL, 0, 0) == 0
    assert mark_wad(PARAMS, put, 0, put.expiry, {put.id: 1_500}) == 300 * ONE
