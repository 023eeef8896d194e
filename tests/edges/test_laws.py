"""The risk engine's laws (model/laws.py) judge both ways (VER-5): each returns True where its
rule holds, at its boundaries too, and False on inputs or on an engine that break it.  A
law that could not return False would check nothing."""

import pytest

from model import buffer, laws, margin, span, valuation
from model.state import Position
from spec.bounds import BPS
from spec.examples import example_params
from tests.helpers import scan_adding_marks

PARAMS = example_params()
EXPIRY = max(m.expiry or 0 for m in PARAMS.markets)
OPTIONS = tuple(m.id for m in PARAMS.markets if m.kind != "perp")


@pytest.mark.parametrize(
    ("args", "holds"),
    [
        ((10, 5, 1, 0, 0, 8), True),  # healthy before and after
        ((10, 0, 1, 0, 0, 10), True),  # nothing added, at the requirement exactly
        ((10, 5, 1, 0, -100, 0), True),  # a loss on both sides
        ((10, 5, 1, 0, 100, 0), True),  # a profit on both sides
        ((10, -1, 1, 0, 0, 0), False),  # collateral taken away: equity falls
        ((10, -5, 1, 0, 0, 8), False),  # ... and health is lost
    ],
)
def test_more_collateral_never_lowers_health_judges_both_ways(
    args: tuple[int, int, int, int, int, int], holds: bool
) -> None:
    """INV-RISK-1."""
    assert laws.more_collateral_never_lowers_health(*args) is holds


def test_larger_haircut_never_raises_capacity_judges_both_ways() -> None:
    """INV-RISK-2: 100 tokens at 1: a 50% haircut counts 50, a 10% one 90."""
    assert laws.larger_haircut_never_raises_capacity(100, 1, 1_000, 5_000)
    assert laws.larger_haircut_never_raises_capacity(100, 1, 1_000, 1_000)
    assert not laws.larger_haircut_never_raises_capacity(100, 1, 5_000, 1_000)


def test_buffer_grows_with_latency_and_volatility_judges_both_ways() -> None:
    """INV-RISK-3: a rate of 0 (z = 0) holds; less latency or less volatility breaks it."""
    assert laws.buffer_grows_with_latency_and_volatility(0, 8_000, 100, 0, 0)
    assert laws.buffer_grows_with_latency_and_volatility(3_000, 8_000, 100, 10, 10)
    assert not laws.buffer_grows_with_latency_and_volatility(3_000, 8_000, 100, 0, -99)
    assert not laws.buffer_grows_with_latency_and_volatility(3_000, 8_000, 100, -4_000, 0)


def test_netted_margin_within_isolated_judges_both_ways() -> None:
    """INV-RISK-4 over scenario losses: equality holds (nothing lost, or one book only);
    a loss that nets is within the sum."""
    full = [BPS]
    assert laws.netted_margin_within_isolated([0], [0], full)
    assert laws.netted_margin_within_isolated([0], [5], full)
    assert laws.netted_margin_within_isolated([5], [-5], full)
    assert laws.netted_margin_within_isolated([7, 0], [0, 7], [BPS, BPS])


@pytest.mark.parametrize(
    ("args", "holds"),
    [
        ((0, 0, 0), True),
        ((0, 10, 10), True),  # the rise is the whole pool
        ((3, 10, 5), True),
        ((-5, 10, 100), False),  # a loss turned into a profit moves capacity
    ],
)
def test_fake_profit_is_contained_judges_both_ways(args: tuple[int, int, int], holds: bool) -> None:
    """INV-RISK-6, RISK-NET-5."""
    assert laws.fake_profit_is_contained(*args) is holds


@pytest.mark.parametrize(
    ("args", "holds"),
    [
        ((100, 1, (0, 0), 0, 0, 50, 0), True),  # healthy and meets initial
        ((100, 1, (0, 0), 0, 0, 100, 0), True),  # both at equality
        ((100, 1, (0, 0), 0, 0, 200, 0), True),  # neither
        ((100, 1, (0, 0), -30, 0, 90, 0), True),  # a loss: meets nothing
        ((100, 1, (0, 0), 0, 0, 120, 50), True),  # the extra keeps initial unmet
        ((100, 1, (0, 0), 0, 50, 100, 0), True),  # a backed profit in health only
        ((100, 1, (5_000, 1_000), 0, 0, 0, 0), False),  # LTV haircut below liquidation
        ((100, 1, (0, 0), 0, 0, 101, -1), False),  # a negative extra: initial looser
        ((100, 1, (0, 0), -30, 0, 71, -1), False),
    ],
)
def test_initial_within_maintenance_judges_both_ways(
    args: tuple[int, int, tuple[int, int], int, int, int, int], holds: bool
) -> None:
    """INV-RISK-7, RISK-IM-1, RISK-IM-2."""
    assert laws.initial_within_maintenance(*args) is holds


def test_the_book_laws_catch_a_broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """RISK-7, RISK-8, INV-RISK-4, INV-RISK-5: with the real engine the book laws hold; with
    a scan that loses where nothing moves, a netted margin above the isolated one or below
    0, or PnLs that do not cancel, they fail."""
    prices = {"ETH": 2_000}
    book = {"ETH-PERP": Position(2, 4_000)}
    assert laws.no_move_no_loss(PARAMS, book, prices, "ETH")
    assert laws.no_move_no_loss(PARAMS, {"ETH-C-2000": Position(-1, 0)}, prices, "ETH")
    assert laws.perp_loses_the_price_change(PARAMS, "ETH-PERP", 2, 2_000, 1_900)
    assert laws.netted_within_isolated_books(PARAMS, [book, book], prices)
    assert laws.netted_within_isolated_books(PARAMS, [{}], prices)
    assert laws.netted_within_isolated_books(PARAMS, [{"ETH-C-2000": Position(-1, 0)}], prices)
    for market in ("ETH-PERP", "ETH-C-2000"):
        assert laws.hedged_pair_nets_to_zero(PARAMS, market, 3, 2_000, 2_100)

    monkeypatch.setattr(span, "value_changes", scan_adding_marks)
    assert not laws.no_move_no_loss(PARAMS, book, prices, "ETH")
    monkeypatch.undo()
    loss = span.scenario_loss
    monkeypatch.setattr(span, "scenario_loss", lambda *a, **k: loss(*a, **k) + 1)
    assert not laws.no_move_no_loss(PARAMS, book, prices, "ETH")
    assert not laws.perp_loses_the_price_change(PARAMS, "ETH-PERP", 2, 2_000, 1_900)
    monkeypatch.undo()

    isolated = margin.isolated_margin
    monkeypatch.setattr(margin, "netted_margin", lambda *a: isolated(*a) + 1)
    assert not laws.netted_within_isolated_books(PARAMS, [book, book], prices)
    assert not laws.hedged_pair_nets_to_zero(PARAMS, "ETH-PERP", 3, 2_000, 2_100)
    monkeypatch.setattr(margin, "netted_margin", lambda *a: -1)
    assert not laws.netted_within_isolated_books(PARAMS, [{}], prices)
    monkeypatch.undo()

    def pnl_off_by(amount: int) -> None:
        monkeypatch.setattr(valuation, "unrealized_pnl", lambda *a: amount if a[1] else 0)

    pnl_off_by(1)  # each side gains 1: the pair gains 2
    assert not laws.hedged_pair_nets_to_zero(PARAMS, "ETH-C-2000", 3, 2_000, 2_100)
    pnl_off_by(0)
    assert laws.hedged_pair_nets_to_zero(PARAMS, "ETH-PERP", 3, 2_000, 2_100)
    monkeypatch.setattr(
        valuation, "unrealized_pnl", lambda p, b, *a: -1 if b[next(iter(b))].qty > 0 else 0
    )
    assert not laws.hedged_pair_nets_to_zero(PARAMS, "ETH-PERP", 3, 2_000, 2_100)
    assert laws.hedged_pair_nets_to_zero(PARAMS, "ETH-C-2000", 3, 2_000, 2_100)


def test_the_settled_book_law_catches_a_broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """PRC-13: a settled book holds with the real engine; a scan margin, a buffer or a PnL
    that moves with the price breaks the law."""
    book = {OPTIONS[0]: Position(-2, 0)}
    fixings = dict.fromkeys(OPTIONS, 2_100)

    def holds() -> bool:
        return laws.settled_book_ignores_the_price(PARAMS, book, fixings, EXPIRY, 2_000, 2_500)

    assert holds()
    monkeypatch.setattr(span, "scan_margin", lambda *a: 1)
    assert not holds()
    monkeypatch.undo()
    monkeypatch.setattr(buffer, "spoke_buffer", lambda *a, **k: 1)
    assert not holds()
    monkeypatch.undo()
    monkeypatch.setattr(valuation, "unrealized_pnl", lambda p, b, prices, *a: prices["ETH"])
    assert not holds()


def test_the_book_laws_compare_at_one_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """INV-RISK-4, INV-RISK-5: a law compares its two sides at the same `now` (0): with an
    engine whose margins and PnLs move with time, a side taken at another time would break
    the law where it holds, or hold where it breaks."""
    book = {"ETH-PERP": Position(2, 4_000)}
    prices = {"ETH": 2_000}
    for sign in (1, -1):
        moving = lambda *a, sign=sign: 5 + sign * a[3]  # noqa: E731
        monkeypatch.setattr(margin, "netted_margin", moving)
        monkeypatch.setattr(margin, "isolated_margin", moving)
        assert laws.netted_within_isolated_books(PARAMS, [book], prices)
    monkeypatch.setattr(margin, "netted_margin", lambda *a: a[3])
    monkeypatch.setattr(
        valuation,
        "unrealized_pnl",
        lambda p, b, pr, now, *a: now if b[next(iter(b))].qty > 0 else -now,
    )
    assert laws.hedged_pair_nets_to_zero(PARAMS, "ETH-PERP", 3, 2_000, 2_100)


def test_the_hedged_pair_law_allows_one_unit_of_rounding_for_options_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """INV-RISK-5, RISK-2: the pair's PnLs may sum to -1 for an option (its book value rounds
    down), never to -2, and never to more than 0."""
    monkeypatch.setattr(valuation, "unrealized_pnl", lambda *a: -1)
    assert not laws.hedged_pair_nets_to_zero(PARAMS, "ETH-C-2000", 3, 2_000, 2_100)
    monkeypatch.setattr(
        valuation, "unrealized_pnl", lambda p, b, *a: 1 if b[next(iter(b))].qty > 0 else 0
    )
    assert not laws.hedged_pair_nets_to_zero(PARAMS, "ETH-C-2000", 3, 2_000, 2_100)
