"""Shared fixtures: the example parameters and a few reached states.

Every module of the project is imported before any test runs.  Hypothesis draws some
integers and strings from the constants of the local modules already imported, so a
derandomized property test would otherwise generate different examples depending on
which tests ran before it in the same process (and so on how pytest-xdist shared the
tests out): its reach thresholds would depend on the run's order.
"""

import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

from model import State, initial_state
from spec.examples import example_params
from spec.params import Params


def project_packages() -> list[str]:
    """The top-level packages the distribution declares (pyproject.toml), so that a new one
    is imported too."""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    found = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]
    return [pattern.rstrip("*") for pattern in found["packages"]["find"]["include"]]


def import_every_module() -> None:
    for name in project_packages():
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
