"""The mutation run's test budget (tests/mutation/budget.py): active only under a mutant,
a CPU budget that fails a test that overruns it, and never one that stays within."""

import time
from typing import Any

import pytest

from tests.mutation import budget


def spin_cpu(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_outside_mutmut_no_mutant_is_under_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    assert budget.mutant_under_test() is None
    for run in ("stats", "fail", "list_all_tests"):  # mutmut's own runs, not a mutant
        monkeypatch.setenv("MUTANT_UNDER_TEST", run)
        assert budget.mutant_under_test() is None
    monkeypatch.setenv("MUTANT_UNDER_TEST", "model.arith.x_ceil_div__mutmut_3")
    assert budget.mutant_under_test() == "model.arith.x_ceil_div__mutmut_3"


def test_a_test_over_its_cpu_budget_fails_as_a_timeout() -> None:
    with (
        pytest.raises(budget.TestBudgetExceeded, match="used more than"),
        budget.cpu_budget(0.2, "tests/test_x.py::test_loops"),
    ):
        spin_cpu(5.0)


def test_a_test_within_its_budget_runs_to_the_end_and_the_timer_is_off_after() -> None:
    with budget.cpu_budget(2.0, "tests/test_x.py::test_quick"):
        spin_cpu(0.1)
    spin_cpu(2.1)  # would raise if the timer were still armed


def test_the_budget_grows_with_the_recorded_duration_and_has_a_floor() -> None:
    assert budget.budget_s(0.0) == budget.FLOOR
    assert budget.budget_s(10.0) == budget.SLACK * 10.0 + budget.FLOOR
    assert budget.budget_s(None) > budget.budget_s(10.0 * budget.FLOOR - 1)


def test_under_a_mutant_the_fastest_tests_run_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from tests import conftest

    items: list[Any] = [SimpleNamespace(nodeid=n) for n in ("slow", "unrecorded", "fast")]
    monkeypatch.setattr(budget, "recorded_durations", lambda: {"slow": 9.0, "fast": 0.1})
    monkeypatch.delenv("MUTANT_UNDER_TEST", raising=False)
    conftest.pytest_collection_modifyitems(items)
    assert [i.nodeid for i in items] == ["slow", "unrecorded", "fast"]  # outside: untouched
    monkeypatch.setenv("MUTANT_UNDER_TEST", "model.span.x_tenor__mutmut_1")
    conftest.pytest_collection_modifyitems(items)
    assert [i.nodeid for i in items] == ["fast", "slow", "unrecorded"]
