"""A test vector (CONF-8..CONF-10): one case of the conformance suite, as a JSON file.

A case is a run of the reference model written down: the parameters, the initial
observable state, and for every step the action, the outcome the model gave it and the
observable state after it.  A build replays the actions from `init(params)` and must
give the same outcomes and observations.  `requirements` are the requirement ids the
run exercises (computed from what the steps did, not declared by hand), `chapters` the
chapters it requires (CONF-5).
"""

from typing import Literal

from pydantic import Field

from spec.actions import Action
from spec.chapters import Chapter
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Frozen, Params

CASE_FORMAT = "intermargin-case/1"


class CaseStep(Frozen):
    """CONF-9: one action, the outcome it must get and the observable state after it."""

    action: Action
    outcome: Outcome
    observation: ObservableState


class Case(Frozen):
    """CONF-8: a test vector."""

    format: Literal["intermargin-case/1"] = "intermargin-case/1"
    spec_version: str
    id: str = Field(description="`<chapter>/<name>`, also its path below the version folder")
    chapter: Chapter = Field(description="the folder it is filed under")
    kind: Literal["unit", "scenario", "adversarial", "random", "divergence"]
    title: str
    story: str = ""
    chapters: tuple[Chapter, ...] = Field(description="the chapters a build needs to run it")
    requirements: tuple[str, ...] = Field(description="requirement ids the steps exercise")
    seed: int | None = None
    params: Params
    initial: ObservableState
    steps: tuple[CaseStep, ...]
