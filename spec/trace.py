"""The trace format (TRC-1..TRC-4): one JSON file for a run of steps.

The fuzzer saves failing runs in it, the proof runner saves counterexamples in
it, the conformance kit replays it, and `intermargin replay FILE` runs it
through the model.  A trace starts from the initial state of its parameters,
or from an explicit `initial` observable state (a proof's counterexample to
induction starts from an arbitrary reachable-looking state).
"""

from typing import Literal

from pydantic import Field

from spec.actions import Action
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Frozen, Params

TRACE_FORMAT = "intermargin-trace/1"


class TraceStep(Frozen):
    """TRC-2: an action and, where known, the outcome the model gave it."""

    action: Action
    outcome: Outcome | None = None


class TraceMeta(Frozen):
    """TRC-3: where a trace came from and what it shows."""

    source: Literal["fuzz", "proof", "conformance", "scenario", "manual"] = "manual"
    seed: int | None = None
    invariant: str | None = Field(default=None, description="the invariant id it breaks")
    mutant: str | None = Field(
        default=None,
        description="the mutant of the proofs' encoding it was found against (proofs/mutants.py);"
        " the reference model does not have that mutation",
    )
    note: str = ""


class Trace(Frozen):
    """TRC-1: parameters, an optional starting state, and the steps."""

    format: Literal["intermargin-trace/1"] = "intermargin-trace/1"
    params: Params
    initial: ObservableState | None = None
    steps: tuple[TraceStep, ...]
    meta: TraceMeta = TraceMeta()
