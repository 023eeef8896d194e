"""Shared fixtures: the example parameters and a few reached states.

Every module of the project is imported before any test runs.  Hypothesis draws some
integers and strings from the constants of the local modules already imported, so a
derandomized property test would otherwise generate different examples depending on
which tests ran before it in the same process (and so on how pytest-xdist shared the
tests out): its reach thresholds would depend on the run's order.

Property tests have no deadline: Hypothesis's default fails an example that takes over
200 ms of wall-clock time, so a test's verdict would depend on how loaded the machine is
(a law of `tests/test_partial.py` took 395 ms under load and mutmut's tracing).
"""

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from hypothesis import settings

from model import State, initial_state
from spec.examples import example_params
from spec.params import Params
from tests.mutation import budget

PACKAGES = ("spec", "model", "proofs", "conformance", "stresslab", "intermargin")


def import_every_module() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for found in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(found.name)


import_every_module()

settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


@pytest.fixture
def params() -> Params:
    return example_params()


@pytest.fixture
def genesis(params: Params) -> State:
    return initial_state(params)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under a mutant only: the fastest tests first (tests/mutation/budget.py)."""
    if budget.mutant_under_test() is not None:
        durations = budget.recorded_durations()
        items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Under a mutant only: each test within its CPU budget (tests/mutation/budget.py)."""
    if budget.mutant_under_test() is None:
        return (yield)
    seconds = budget.budget_s(budget.recorded_durations().get(item.nodeid))
    with budget.cpu_budget(seconds, item.nodeid):
        return (yield)
