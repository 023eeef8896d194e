"""Shared fixtures: the example parameters and a few reached states."""

import pytest

from model import State, initial_state
from spec.examples import example_params
from spec.params import Params


@pytest.fixture
def params() -> Params:
    return example_params()


@pytest.fixture
def genesis(params: Params) -> State:
    return initial_state(params)
