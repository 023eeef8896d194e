"""A fuzzing campaign: the machine under the `campaign` profile for a number of model steps.

The run is cut into batches of examples, each seeded from the campaign's seed,
until the requested number of model steps has run or an invariant broke.  The
first failure stops the campaign; Hypothesis shrinks it and the shrunk run is
saved as a trace.  Progress goes to a callback after every example.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import settings as Settings
from hypothesis.database import ExampleDatabase

from intermargin.fuzzing.checked import CheckedMachine, Failure, Run
from intermargin.fuzzing.coverage import Coverage
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.profiles import CAMPAIGN, profile
from intermargin.fuzzing.traces import DEFAULT_TRACE_DIR, failure_trace, save_trace

Progress = Callable[[int], None]
"""Called with the number of model steps run so far."""


@dataclass
class CampaignResult:
    seed: int
    requested: int
    coverage: Coverage = field(default_factory=Coverage)
    seconds: float = 0.0
    failure: Failure | None = None
    trace_path: Path | None = None
    error: str | None = None

    @property
    def steps_per_second(self) -> float:
        return self.coverage.model_steps / self.seconds if self.seconds > 0 else 0.0


SETUP_STEPS = 10
"""About the model steps of a run's setup (a price on every feed, three deposits)."""


def batch_examples(remaining: int, rules: int, so_far: Coverage) -> int:
    """Examples for the next batch: as many as fit in the remaining steps at the model
    steps per run measured so far (at least one; at most 4 before any measure, 200 after)."""
    if so_far.runs == 0:
        return max(1, min(4, remaining // (rules + SETUP_STEPS)))
    per_run = max(1, so_far.model_steps // so_far.runs)
    return max(1, min(200, remaining // per_run))


def run_campaign(
    steps: int,
    seed: int,
    *,
    trace_dir: str | Path = DEFAULT_TRACE_DIR,
    progress: Progress | None = None,
    config: Settings | None = None,
    database: ExampleDatabase | None = None,
) -> CampaignResult:
    """Run batches until `steps` model steps have run or an invariant broke (CLI-10): each
    example is cut to the rules still to run, so that the campaign stops at about `steps`
    (a rule may apply a few model steps, and the last example is never cut short).  With a
    `database` (CLI-WORKERS-2) every batch first replays the failures saved there."""
    base = config if config is not None else profile(CAMPAIGN)
    result = CampaignResult(seed=seed, requested=steps)
    start = time.perf_counter()
    batch = 0

    def tick(_: CheckedMachine) -> None:
        if progress is not None:
            progress(result.coverage.model_steps + run.coverage.model_steps)

    while result.coverage.model_steps < steps:
        remaining = steps - result.coverage.model_steps
        rules = min(base.stateful_step_count, remaining)
        examples = batch_examples(remaining, rules, result.coverage)
        run = Run(on_example=tick)
        config = Settings(base, max_examples=examples, stateful_step_count=rules, database=database)
        run_machine(config, seed=seed + batch, run=run)
        result.coverage.merge(run.coverage)
        batch += 1
        if run.error is not None:
            result.failure = run.failure
            if result.failure is None:
                result.error = f"{type(run.error).__name__}: {run.error}"
            else:
                note = (
                    f"Campaign seed {seed}, batch {batch - 1} (Hypothesis seed {seed + batch - 1})."
                )
                trace = failure_trace(result.failure, seed=seed + batch - 1, note=note)
                result.trace_path = save_trace(trace, trace_dir)
            break
    result.seconds = time.perf_counter() - start
    return result
