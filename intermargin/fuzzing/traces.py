"""Failing runs as replayable traces (TRC-1..TRC-4), and re-running them through the model.

A failure becomes `Trace(params, steps=[TraceStep(action, outcome)], meta=TraceMeta(
source="fuzz", seed, invariant=id))`, written as indented JSON to a trace directory;
`intermargin replay FILE` runs it again.  `rerun` is the fuzzer's own check of the
same thing: every recorded outcome comes out again, and so does the broken invariant.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from intermargin.fuzzing.checked import Failure
from model.invariants import check_step, quiescent_and_accounted, quiescent_despite_compromised
from model.state import initial_state
from model.step import step
from spec.outcome import Outcome
from spec.trace import Trace, TraceMeta

DEFAULT_TRACE_DIR = "traces"


def failure_trace(failure: Failure, *, seed: int | None = None, note: str = "") -> Trace:
    """The failing run as a trace from the initial state of its parameters."""
    message = f"{failure.invariant}: {failure.message}"
    return Trace(
        params=failure.params,
        steps=failure.steps,
        meta=TraceMeta(
            source="fuzz",
            seed=seed,
            invariant=failure.invariant,
            note=f"{message}. {note}".strip() if note else message,
        ),
    )


def save_trace(trace: Trace, directory: str | Path = DEFAULT_TRACE_DIR) -> Path:
    """Write the trace as `fuzz-<invariant>-<digest>.json` in `directory` (created if need be)."""
    text = trace.model_dump_json(indent=2)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fuzz-{trace.meta.invariant or 'failure'}-{digest}.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def load_trace(path: str | Path) -> Trace:
    return Trace.model_validate_json(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rerun:
    """What the model gives for a trace's actions: the outcomes, and the invariants broken
    (step number from 1, id, message), the propagation check on the final state included."""

    outcomes: tuple[Outcome, ...]
    broken: tuple[tuple[int, str, str], ...]

    def matches(self, trace: Trace) -> bool:
        """Every recorded outcome is the one the model gives now."""
        recorded = tuple(s.outcome for s in trace.steps)
        return all(r is None or r == o for r, o in zip(recorded, self.outcomes, strict=True))

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i for _, i, _ in self.broken)


def rerun(trace: Trace) -> Rerun:
    """Run the trace's actions from the initial state of its parameters through `model.step`."""
    if trace.initial is not None:
        raise ValueError("a fuzz trace starts from the initial state of its parameters")
    state = initial_state(trace.params)
    outcomes = []
    broken: list[tuple[int, str, str]] = []
    for number, recorded in enumerate(trace.steps, start=1):
        post, outcome = step(state, recorded.action)
        outcomes.append(outcome)
        broken += [(number, i, m) for i, m in check_step(state, recorded.action, post, outcome)]
        state = post
    if trace.meta.invariant == "INV-LIQ-2":
        check = (
            quiescent_despite_compromised if state.ghost.compromised else quiescent_and_accounted
        )
        message = check(state)
        if message is not None:
            broken.append((len(trace.steps), "INV-LIQ-2", message))
    return Rerun(tuple(outcomes), tuple(broken))
