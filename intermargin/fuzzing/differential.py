"""The differential state machine: the fuzzing machine with the drift checks of
`proofs.differential` after every step (DIFF-1..DIFF-5).

Two ways to judge, for two jobs:

- `run_differential` (DIFF-4) runs the machine with the drift checks as after-step
  hooks: every step of every run is judged as it happens.  Judging asks Z3 (about
  15 ms a step), so its budget is smaller than the `ci` profile's.
- `stratified_corpus` + `judge_corpus` (DIFF-5) run the plain machine fast (the `ci`
  run of the state-machine check, VER-RUN-3), keep a few steps of every (action,
  message, outcome) bucket it reaches, and judge those.
  Every rule's every outcome is judged in seconds, which is what it takes to show
  that a guard changed on either side (a drift mutant) is caught.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from hypothesis import Phase, settings

from intermargin.fuzzing.checked import AfterStep, Run
from intermargin.fuzzing.coverage import delivered_payload, outcome_key
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.profiles import CI, profile
from model.catalog import catalog
from model.finality import within_reach
from model.invariants import credit_carried
from model.state import State
from proofs.differential import DriftCheck, differential_hooks, relation_disagreement
from spec.actions import Action, Reorg
from spec.bounds import HUB
from spec.outcome import Outcome

DIFFERENTIAL = settings(
    profile(CI), max_examples=30, stateful_step_count=40, phases=(Phase.explicit, Phase.generate)
)
"""DIFF-4: derandomized, 30 runs of up to 40 steps, every step judged.  No shrinking:
with Z3 in every step it can take minutes; the failing run is reported as found."""

CORPUS = settings(profile(CI), max_examples=300, phases=(Phase.explicit, Phase.generate))
"""A smaller budget for collecting a corpus on a mutated model (the tests of model drift);
DIFF-5's own corpus comes from the `ci` run (VER-RUN-3)."""

PER_BUCKET = 12
"""DIFF-5: steps kept per (action, message, outcome) bucket."""


@dataclass
class DifferentialRun:
    """A machine run with drift checks, and how many steps each check judged."""

    run: Run
    checks: list[DriftCheck]

    @property
    def judged(self) -> int:
        return self.checks[0].judged

    @property
    def outside(self) -> int:
        return self.checks[0].outside


def run_differential(
    config: settings = DIFFERENTIAL,
    *,
    encoding_mutant: str | None = None,
    hooks: tuple[AfterStep, ...] = (),
) -> DifferentialRun:
    """Run the machine with the drift checks against the encoding (or one of its mutants,
    `proofs.mutants`) after every step, after any other `hooks`."""
    checks = differential_hooks(encoding_mutant)
    return DifferentialRun(run_machine(config, hooks=(*hooks, *checks)), checks)


Step = tuple[State, Action, State, Outcome]


def step_types(pre: State, action: Action) -> tuple[str, ...]:
    """The action's type, and the type of the message it delivers if any."""
    payload = delivered_payload(pre, action)
    return (action.type,) if payload is None else (action.type, payload.type)


def bucket(pre: State, action: Action, outcome: Outcome) -> str:
    """`Deliver/LossClaim/rejected:SPOKE_PAUSED`, and `+moving` when credit for the action's
    account is in flight (the guards that count in-flight credit only differ then; a margin
    call or a report in flight carries none), or, for a reorg, when it reaches an
    unfinalized segment (FIN-5: only then does the rollback run)."""
    account = vars(action).get("account")  # a field's value (getattr's miss raises in pydantic)
    moving = account is not None and any(
        credit_carried(env, account, env.receiver if env.sender == HUB else env.sender) > 0
        for env in pre.network.in_flight.values()
    )
    if isinstance(action, Reorg) and action.spoke in catalog(pre.params).spokes:
        moving = within_reach(pre, action.spoke, action.depth)
    return "/".join((*step_types(pre, action), outcome_key(outcome))) + (
        "+moving" if moving else ""
    )


@dataclass
class Corpus:
    """The first `per_bucket` steps of every bucket the machine reached."""

    per_bucket: int = PER_BUCKET
    steps: list[Step] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    run: Run | None = None
    """The machine run the steps came from (its failure, if the model broke)."""

    @property
    def __name__(self) -> str:
        return "corpus"

    def __call__(self, pre: State, action: Action, post: State, outcome: Outcome) -> None:
        key = bucket(pre, action, outcome)
        if self.counts[key] < self.per_bucket:
            self.steps.append((pre, action, post, outcome))
        self.counts[key] += 1


def stratified_corpus(
    config: settings | None = None,
    per_bucket: int = PER_BUCKET,
    hooks: tuple[AfterStep, ...] = (),
) -> Corpus:
    """DIFF-5: run the plain machine (by default the `ci` run of the state-machine check,
    VER-RUN-3), with any other `hooks`, and keep a stratified sample of its steps and of
    every scenario's.

    If the model breaks an invariant on the way, the corpus holds the steps up to and
    including the breaking one (hooks see every step): still worth judging.
    """
    corpus = Corpus(per_bucket)
    corpus.run = run_machine(profile(CI) if config is None else config, hooks=(*hooks, corpus))
    add_scenarios(corpus)
    return corpus


def add_scenarios(corpus: Corpus) -> None:
    """DIFF-5: the steps of every scenario go into the buckets the machine left short, so an
    edge a curated story reaches (a refused head requeued on an ordered channel, CHAN-3) is
    judged whatever the random run happened to reach."""
    from intermargin.scenarios import SCENARIOS  # the scenarios build on the fuzzing tools
    from intermargin.timeline import run

    for scenario in SCENARIOS.values():
        for record in run(scenario).steps:
            corpus(record.before, record.action, record.after, record.outcome)


def judge_corpus(
    corpus: Corpus, encoding_mutant: str | None = None, only: Collection[str] | None = None
) -> list[str]:
    """DIFF-1, DIFF-2 on every step of the corpus: the disagreements, as lines.

    `only` keeps the steps of these action or message types: a mutant (of the model or
    of the encoding) changes only those, and every other step is judged equal without it.
    """
    found = []
    for pre, action, post, outcome in corpus.steps:
        if only is not None and not set(step_types(pre, action)) & set(only):
            continue
        problem = relation_disagreement(pre, action, post, outcome, encoding_mutant)
        if problem is not None:
            found.append(f"{bucket(pre, action, outcome)}: {problem}")
    return found
