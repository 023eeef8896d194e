"""The `vectorized` check of `intermargin verify` (VER-VEC-1): the model and the vectorized
engine agree on generated populations, and a broken scan in the model is seen."""

from typing import Any

import pytest

import model.margin
import model.risk
import model.span
from intermargin.verify import Settings
from intermargin.verify.checks import CHECKS
from intermargin.verify.vectorized import vectorized
from spec.params import Params
from tests.helpers import scan_adding_marks

SETTINGS = Settings()


def test_the_vectorized_check_is_one_of_verify() -> None:
    """VER-VEC-1: `intermargin verify` runs the vectorized check and says what it covers."""
    check = next(c for c in CHECKS if c.name == "vectorized")
    assert "VER-VEC-1" in check.covers


def test_the_model_and_the_engine_agree_on_generated_populations() -> None:
    """VER-VEC-1, VEC-6: every field of every generated row agrees, and the run reached the
    exact path, unhealthy rows and live options."""
    result = vectorized(SETTINGS, rows=12)
    assert result.status == "passed", result.details
    assert "0 differing" in result.summary
    assert " 0 on the exact path" not in result.summary
    assert " 0 with a liquidation price" not in result.summary


def test_a_scan_that_adds_the_marks_fails_the_vectorized_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """VER-VEC-1, SPAN-3: the model's value changes broken to add the two marks instead of
    subtracting them makes the model disagree with the engine, which does its own scan."""

    monkeypatch.setattr(model.span, "value_changes", scan_adding_marks)
    result = vectorized(SETTINGS, rows=12)
    assert result.status == "failed"
    assert any("merged_scan: model" in line for line in result.details), result.details


def test_a_short_option_minimum_rounded_down_fails_the_vectorized_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """VER-VEC-1, SPAN-5, NUM-2: the short option minimum rounded in the account's favour
    (down) is a difference the check reports."""

    def rounded_down(params: Params, short_lots: int, price: int) -> int:
        return short_lots * price * params.portfolio.short_option_min_bps // 10_000

    monkeypatch.setattr(model.span, "short_option_minimum", rounded_down)
    monkeypatch.setattr(model.margin, "short_option_minimum", rounded_down)
    result = vectorized(SETTINGS, rows=12)
    assert result.status == "failed"


def test_a_liquidation_price_one_tick_off_fails_the_vectorized_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """VER-VEC-1, VEC-8, RISK-IM-5: the check compares each row's liquidation price, so a
    model whose bisection ends one tick away from the engine's is reported."""
    exact = model.risk.liquidation_price

    def one_off(*args: Any) -> int | None:
        found = exact(*args)
        return None if found is None else found + 1

    monkeypatch.setattr(model.risk, "liquidation_price", one_off)
    result = vectorized(SETTINGS, rows=12)
    assert result.status == "failed"
    assert any("liquidation_price: model" in line for line in result.details), result.details
