"""Model steps per second under the state machine, and where the time goes.

Three figures, measured in the same run:
- baseline: a tight loop of `AdvanceTime` through `model.step` (the cheapest step);
- replay: the actions a machine run produced, re-run in a tight loop (the model alone
  on a representative mix of actions);
- machine: the Hypothesis state machine itself (CI profile, fewer examples), with the
  share of wall time spent in `model.step`, in the invariant checks, and the rest
  (Hypothesis drawing and bookkeeping, the machine's own code).

Run: `python benchmarks/bench_model_steps.py [--examples N]`.  Target: thousands of
model steps per second under the machine.
"""

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable
from typing import Any

from hypothesis import settings

import intermargin.fuzzing.machine as machine_module
from intermargin.fuzzing.checked import Run
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.profiles import CI, profile
from intermargin.fuzzing.strategies import PARAMS
from model.state import initial_state
from model.step import step
from spec.actions import Action, AdvanceTime


class Timed:
    """Wraps a function and adds up the time spent in it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.fn(*args)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def baseline(n: int) -> float:
    """Steps per second of AdvanceTime in a tight loop."""
    state = initial_state(PARAMS)
    action = AdvanceTime(seconds=1)
    start = time.perf_counter()
    for _ in range(n):
        state, _ = step(state, action)
    return n / (time.perf_counter() - start)


def replay(actions: list[Action]) -> float:
    """Steps per second re-running recorded actions (one run after another)."""
    start = time.perf_counter()
    state = initial_state(PARAMS)
    for action in actions:
        if action is RESTART:
            state = initial_state(PARAMS)
            continue
        state, _ = step(state, action)
    return (len(actions) - actions.count(RESTART)) / (time.perf_counter() - start)


RESTART: Any = object()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the model's hot spots")
    args = parser.parse_args()

    base = baseline(20_000)

    timed_step = Timed(step)
    names = vars(machine_module)
    timed_check = Timed(names["check_step"])
    recorded: list[Action] = []
    run = Run(on_example=lambda m: recorded.extend([*(s.action for s in m.steps), RESTART]))
    original_step, original_check = names["step"], names["check_step"]
    names["step"], names["check_step"] = timed_step, timed_check
    try:
        start = time.perf_counter()
        run_machine(settings(profile(CI), max_examples=args.examples), run=run)
        wall = time.perf_counter() - start
    finally:
        names["step"], names["check_step"] = original_step, original_check
    if run.error is not None:
        print(f"the machine failed: {run.error}")

    model_only = replay(recorded)
    steps = run.coverage.model_steps
    under_machine = steps / wall
    in_step = timed_step.seconds / wall
    in_checks = timed_check.seconds / wall
    print(f"baseline (AdvanceTime loop):     {base:12,.0f} steps/s")
    print(
        f"model alone (recorded mix):      {model_only:12,.0f} steps/s"
        f"   ratio to baseline {model_only / base:.3f}"
    )
    print(
        f"under the state machine:         {under_machine:12,.0f} steps/s"
        f"   ratio to baseline {under_machine / base:.3f}"
    )
    print(f"  {steps} model steps, {run.coverage.runs} examples, {wall:.1f} s")
    print(f"  time in model.step:            {in_step:6.1%}")
    print(f"  time in invariant checks:      {in_checks:6.1%}")
    print(f"  Hypothesis and machine code:   {1 - in_step - in_checks:6.1%}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        replay(recorded)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        print(out.getvalue())


if __name__ == "__main__":
    main()
