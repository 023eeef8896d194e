"""Shared fixtures: the example parameters and a few reached states.

Every module of the project is imported before any test runs.  Hypothesis draws some
integers and strings from the constants of the local modules already imported, so a
derandomized property test would otherwise generate different examples depending on
which tests ran before it in the same process (and so on how pytest-xdist shared the
tests out): its reach thresholds would depend on the run's order.
"""

import importlib
import pkgutil

import pytest

from model import State, initial_state
from spec.examples import example_params
from spec.params import Params

PACKAGES = ("spec", "model", "proofs", "conformance", "stresslab", "intermargin")


def import_every_module() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for found in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(found.name)


import_every_module()


@pytest.fixture
def params() -> Params:
    return example_params()


@pytest.fixture
def genesis(params: Params) -> State:
    return initial_state(params)
