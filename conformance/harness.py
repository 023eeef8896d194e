"""The harness: a build against the vectors, then in lockstep with the reference (CONF-12..CONF-19).

`run_vectors` sends a build every case its declared chapters allow and judges every
reply.  `run_campaign` is a Hypothesis search: each example is a run of moves
(conformance.moves) of the declared chapters, applied to the reference model and sent
to the build at once, the two compared after every step.  A divergence fails the
example, and Hypothesis's own shrinking cuts it to a minimal run, which is saved as a
case file that `--case FILE` replays.  A build that breaks (CONF-15) gets its verdict;
it is restarted for the next case, and ends a campaign without shrinking.
"""

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase

from conformance.build import BuildBroken
from conformance.moves import Move, draw_step, moves_for
from conformance.session import Mismatch, Session
from conformance.vectors import case_of_run, render, run_actions
from intermargin.fuzzing.strategies import PARAMS
from model.observe import observe
from model.state import State, initial_state
from model.step import step
from spec.actions import Action
from spec.case import Case
from spec.chapters import CHAPTER_OF
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Params

Status = Literal["pass", "fail", "skip", "broken"]
Tick = Callable[[int], None]


@dataclass
class CaseResult:
    """One vector's verdict: `fail` with the mismatch, `broken` with the build's verdict."""

    id: str
    file: str
    status: Status
    detail: str = ""
    mismatch: Mismatch | None = None
    steps: int = 0
    seconds: float = 0.0


def reopen(session: Session) -> str:
    """Restart a broken build; '' if it came back, else why not."""
    try:
        session.open()
    except BuildBroken as e:
        return str(e)
    return ""


def run_case(session: Session, case: Case) -> Mismatch | None:
    """Send one case and judge every reply (CONF-12, CONF-13)."""
    session.begin(case.params, case.initial)
    for n, s in enumerate(case.steps, start=1):
        session.step(n, s.action, s.outcome, s.observation)
        if session.mismatch is not None:
            break
    return session.settle()


def run_vectors(
    session: Session, cases: Sequence[tuple[str, Case]], tick: Tick | None = None
) -> list[CaseResult]:
    """Every case whose chapters the build declared (CONF-5); the others are skipped."""
    results: list[CaseResult] = []
    dead = ""
    for file, case in cases:
        start = time.perf_counter()
        missing = [c for c in case.chapters if c not in session.chapters]
        if missing:
            result = CaseResult(case.id, file, "skip", f"needs chapters {', '.join(missing)}")
        elif dead:
            result = CaseResult(case.id, file, "broken", f"not run: {dead}")
        else:
            try:
                found = run_case(session, case)
                status: Status = "pass" if found is None else "fail"
                result = CaseResult(case.id, file, status, "", found, len(case.steps))
            except BuildBroken as e:
                result = CaseResult(case.id, file, "broken", str(e), steps=len(case.steps))
                trouble = reopen(session)
                dead = f"the build could not be restarted: {trouble}" if trouble else ""
        result.seconds = time.perf_counter() - start
        results.append(result)
        if tick is not None:
            tick(len(case.steps))
    return results


class Divergence(AssertionError):
    """The build differed from the reference in a campaign run."""

    def __init__(self, mismatch: Mismatch, actions: list[Action]) -> None:
        super().__init__(f"step {mismatch.step}: {mismatch.path}")
        self.mismatch = mismatch
        self.actions = actions


@dataclass
class CampaignResult:
    seed: int
    requested: int
    steps: int = 0
    examples: int = 0
    seconds: float = 0.0
    broken: str = ""
    found: bool = False
    divergence: Divergence | None = None
    mismatch: Mismatch | None = None
    case: Case | None = None
    case_file: Path | None = None
    chapters: tuple[str, ...] = ()
    moves: dict[str, int] = field(default_factory=dict)

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0


class Observer:
    """The reference's observable state, computed once per distinct state (a rejected step
    returns the state it was given)."""

    def __init__(self) -> None:
        self.state: State | None = None
        self.seen: ObservableState | None = None

    def __call__(self, state: State) -> ObservableState:
        if state is not self.state or self.seen is None:
            self.state, self.seen = state, observe(state)
        return self.seen


class Lockstep:
    """The build's side of a campaign: each run is sent as it is drawn, so the build works
    on one step while the harness draws the next (CONF-17).

    Once the budget is spent or the build broke, runs still draw all their steps
    (Hypothesis requires the same draws for the same choices) but send nothing.  After a
    divergence every run is live: Hypothesis shrinks and replays it."""

    def __init__(self, session: Session, result: CampaignResult, params: Params) -> None:
        self.session = session
        self.result = result
        self.params = params
        self.observer = Observer()
        self.start = initial_state(params)
        self.live = False

    def begin(self, budget: int) -> None:
        result = self.result
        self.live = not result.broken and (result.found or result.steps < budget)
        if not self.live:
            return
        result.examples += 1
        try:
            self.session.begin(self.params, self.observer(self.start))
        except BuildBroken as e:
            self.broke(e)

    def send(self, number: int, action: Action, outcome: Outcome, after: State) -> None:
        if not self.live:
            return
        try:
            self.session.step(number, action, outcome, self.observer(after))
        except BuildBroken as e:
            self.broke(e)

    def broke(self, error: BuildBroken) -> None:
        self.result.broken = f"{error} (campaign run {self.result.examples})"
        self.live = False
        reopen(self.session)

    def finish(self, actions: list[Action]) -> Mismatch | None:
        """The first mismatch of the run just sent, once all its replies are judged."""
        if not self.live:
            return None
        try:
            mismatch = self.session.settle()
        except BuildBroken as e:
            self.broke(e)
            return None
        self.result.steps += len(actions)
        return mismatch


def lockstep_runs(
    lockstep: Lockstep, moves: tuple[Move, ...], per_example: int
) -> st.SearchStrategy[list[Action]]:
    """One campaign run: 1..`per_example` moves applied to the reference and sent to the
    build as they are drawn.  The run is one strategy, so each step costs Hypothesis only
    the draws of its move (CONF-17)."""
    lengths = st.integers(min_value=1, max_value=per_example)

    @st.composite
    def run(draw: st.DrawFn) -> list[Action]:
        state = lockstep.start
        actions: list[Action] = []
        for _ in range(draw(lengths)):
            for action in draw_step(draw, state, moves):
                post, outcome = step(state, action)
                actions.append(action)
                lockstep.send(len(actions), action, outcome, post)
                state = post
        return actions

    return run()


def run_campaign(
    session: Session,
    steps: int,
    seed_value: int,
    *,
    per_example: int = 25,
    params: Params = PARAMS,
    database: ExampleDatabase | None = None,
    tick: Tick | None = None,
) -> CampaignResult:
    """CONF-17: Hypothesis drives the reference and the build in lockstep for at least
    `steps` steps (runs of 1..`per_example` moves); a divergence is shrunk by Hypothesis to
    a minimal run (CONF-18).

    The search goes in rounds: each is a Hypothesis search of as many runs as the steps
    left need at the mean run length seen so far, seeded from `seed_value` and the round's
    number, so the campaign is deterministic and spends (almost) no runs past its budget.
    Each round first replays what `database` holds (a divergence another worker saved)."""
    result = CampaignResult(seed=seed_value, requested=steps, chapters=session.chapters)
    moves = moves_for(session.chapters)
    if not moves or steps <= 0:
        return result
    lockstep = Lockstep(session, result, params)
    runs = lockstep_runs(lockstep, moves, per_example)

    def lockstep_test(data: st.DataObject) -> None:
        lockstep.begin(steps)
        actions = data.draw(runs)
        mismatch = lockstep.finish(actions)
        if tick is not None and lockstep.live:
            tick(len(actions))
        if mismatch is not None:
            result.found = True
            raise Divergence(mismatch, actions[: max(mismatch.step, 0)])

    start = time.perf_counter()
    mean = (per_example + 1) / 2
    round_number = 0
    try:
        while result.steps < steps and not result.broken:
            before = result.steps
            examples = max(1, math.ceil((steps - result.steps) / mean))
            search_round(lockstep_test, seed_value + (round_number << 32), examples, database)
            if result.steps == before:
                break  # the chapters' moves make no steps: nothing more to send
            mean = max(1.0, result.steps / max(result.examples, 1))
            round_number += 1
    except Divergence as d:
        result.divergence, result.mismatch = d, d.mismatch
        result.case = divergence_case(params, d)
    except Exception as e:  # Hypothesis's own verdicts (a flaky build): one line, no traceback
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        result.broken = f"the campaign stopped: {type(e).__name__}: {first}"
    result.seconds = time.perf_counter() - start
    return result


def search_round(
    test: Callable[[st.DataObject], None],
    seed_value: int,
    examples: int,
    database: ExampleDatabase | None,
) -> None:
    """Run `test` as one seeded Hypothesis search of `examples` runs."""
    configured = settings(
        max_examples=examples,
        database=database,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    )
    configured(seed(seed_value)(given(st.data())(test)))()


def merge_campaigns(parts: list[CampaignResult], seed: int, steps: int) -> CampaignResult:
    """CONF-22: the workers' campaigns as one: steps and runs added up, the time of the
    slowest, the first worker's divergence or broken build (in worker order)."""
    merged = CampaignResult(seed=seed, requested=steps, chapters=parts[0].chapters)
    merged.steps = sum(p.steps for p in parts)
    merged.examples = sum(p.examples for p in parts)
    merged.seconds = max(p.seconds for p in parts)
    found = next((p for p in parts if p.mismatch is not None), None)
    if found is not None:
        merged.found, merged.mismatch, merged.case = True, found.mismatch, found.case
    merged.broken = next((p.broken for p in parts if p.broken), "")
    return merged


def divergence_case(params: Params, divergence: Divergence) -> Case:
    """The shrunk run as a case file: the reference's outcomes and observations (CONF-18)."""
    actions = divergence.actions
    last = actions[-1].type if actions else "Deposit"
    m = divergence.mismatch
    title = f"divergence at step {m.step}: expected {m.expected}, got {m.got} ({m.path})"
    return case_of_run(
        run_actions(params, actions),
        chapter=CHAPTER_OF[last],
        name="divergence",
        kind="divergence",
        title=title,
        story="Found by `intermargin conform` and shrunk by Hypothesis.",
        seed=None,
    )


def save_case(case: Case, directory: Path) -> Path:
    """Write a divergence case as `divergence-<digest>.json` in `directory`."""
    text = render(case)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"divergence-{digest}.json"
    path.write_text(text, encoding="utf-8")
    return path
