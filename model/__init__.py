"""The executable specification: pure functions from state and action to state and outcome.

No I/O, no clock, no randomness, no mutation.  `step` is the whole protocol;
every other module is one chapter of it (hub, spoke, liquidation, oracle, risk...).
"""

from model.state import State, initial_state
from model.step import step

__all__ = ["State", "initial_state", "step"]
