"""`intermargin replay FILE`: run a saved trace through the model (CLI-5).

Validates every step of the file first (a malformed one is a one-line error before any
output), then prints the timeline batch by batch as the steps are replayed, holding the
file's text and one batch of steps, never the run (CLI-8); then every step whose outcome
differs from the recording and every invariant broken.  `--itf OUT` writes the
run in ITF as it goes (TRC-5).  Exit 0 if the trace replays as recorded with every
invariant held, 1 if not, 2 if the file is bad.
"""

import argparse
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TypeVar

from intermargin.console import stdout_console
from intermargin.describe import describe_outcome
from intermargin.errors import EXIT_FAILED, EXIT_OK, clip, output_file
from intermargin.render import end_summary, introduce, timeline_table
from intermargin.scenarios import Scenario
from intermargin.timeline import StepRecord, cast_of, named_by, replayed
from intermargin.trace_file import open_trace
from model import State, initial_state
from model.invariants import check_state, check_step
from model.observe import observe, restore
from spec.actions import Action
from spec.itf import ItfWriter
from spec.reports import ReplayReport
from spec.trace import Trace, TraceStep

ROWS_PER_TABLE = 25
"""Steps printed per timeline table: output appears after each batch."""

FINDINGS_SHOWN = 100
"""Findings printed in the text output (all of them are in `--json`)."""


def as_scenario(trace: Trace, name: str, length: int) -> Scenario:
    """The trace as a story to print: where it came from and what it shows (TRC-3)."""
    meta = trace.meta
    seed = f" (seed {meta.seed})" if meta.seed is not None else ""
    story = f"A trace from {meta.source}{seed}"
    if meta.invariant:
        story += f", recorded as breaking {clip(meta.invariant, 60)}"
    if meta.mutant:
        story += f", found against the encoding mutant {clip(meta.mutant, 60)}"
    story += "." + (f" {clip(meta.note)}" if meta.note else "")
    return Scenario(
        name=clip(name, 120), title=f"{length} steps", story=story, params=trace.params, actions=()
    )


def starting_state(trace: Trace) -> State:
    """TRC-4: the trace's own initial state, or the initial state of its parameters."""
    if trace.initial is None:
        return initial_state(trace.params)
    return restore(trace.params, trace.initial)


def step_findings(recorded: TraceStep, record: StepRecord) -> list[str]:
    """How one replayed step differs from its recording, and the invariants it breaks."""
    found = []
    now = record.outcome
    if recorded.outcome is not None and recorded.outcome != now:
        found.append(
            f"step {record.number}: recorded {describe_outcome(recorded.outcome)},"
            f" the model gives {describe_outcome(now)}"
        )
    for inv, message in check_step(record.before, record.action, record.after, now):
        found.append(f"step {record.number} breaks {inv}: {message}")
    return found


def verdict(trace: Trace, steps: int, found: list[str]) -> str:
    """The last line: what held, and for a mutant's counterexample, why it may hold."""
    if found:
        return f"replayed {steps} steps: {len(found)} findings"
    line = f"replayed {steps} steps: outcomes as recorded, every invariant held"
    if trace.meta.mutant:
        line += (
            f". This counterexample was found against the mutant {clip(trace.meta.mutant, 60)}"
            " of the proofs' encoding (proofs/mutants.py); the mutation lives only in the"
            " encoding, not in the reference model, so the model holds here"
        )
    return line


def main(args: argparse.Namespace) -> int:
    output_file(args.itf, "--itf")
    named: set[str] = set()
    trace = open_trace(args.file, seen=lambda step: named.update(named_by(step.action)))
    head = trace.head
    start = starting_state(head)
    found = [f"initial state breaks {i}: {m}" for i, m in check_state(start)]
    console = stdout_console()
    accounts = cast_of(named, head.params)
    if not args.json:
        introduce(as_scenario(head, args.file, trace.length), console)
    steps = replayed_with_recording(trace.steps(), start)
    final = start
    with ExitStack() as closing:
        itf = None
        if args.itf:
            out = closing.enter_context(open(args.itf, "w", encoding="utf-8"))
            itf = ItfWriter(out, observe(start), source=args.file)
        for n, batch in enumerate(in_batches(steps, ROWS_PER_TABLE)):
            for recorded, record in batch:
                found += step_findings(recorded, record)
                if itf is not None:
                    itf.add(record.action, record.outcome, observe(record.after))
            final = batch[-1][1].after
            if not args.json:
                records = [record for _, record in batch]
                console.print(timeline_table(records, accounts, first=n == 0))
        if itf is not None:
            itf.close()
    if args.json:
        report = ReplayReport(
            file=args.file, steps=trace.length, findings=found, end_state=observe(final)
        )
        print(report.model_dump_json(indent=2))
    else:
        console.print(end_summary(final, accounts))
        for line in found[:FINDINGS_SHOWN]:
            console.print(f"[red]x[/red] {line}", highlight=False)
        if len(found) > FINDINGS_SHOWN:
            console.print(f"... and {len(found) - FINDINGS_SHOWN} more (all of them: --json)")
        console.print(verdict(head, trace.length, found), highlight=False)
    return EXIT_FAILED if found else EXIT_OK


def replayed_with_recording(
    steps: Iterator[TraceStep], start: State
) -> Iterator[tuple[TraceStep, StepRecord]]:
    """Each recorded step with the record of its replay, one at a time."""
    recorded: deque[TraceStep] = deque()

    def actions() -> Iterator[Action]:
        for step in steps:
            recorded.append(step)
            yield step.action

    for record in replayed(actions(), start):
        yield recorded.popleft(), record


T = TypeVar("T")


def in_batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """The items in lists of `size` (the last one shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "replay",
        help="run a saved trace through the model, step by step",
        description=(
            "Run a trace file (from a fuzz failure, a proof counterexample, a conformance "
            "divergence or `scenario --json | jq .trace`) through the reference model. "
            "Prints the timeline as the steps are replayed, then every outcome that "
            "differs from the recording and every invariant broken. Exit 0 if none, 1 if "
            "any, 2 if the file is bad."
        ),
    )
    p.add_argument("file", metavar="FILE", help="a JSON trace (format intermargin-trace/1)")
    p.add_argument("--json", action="store_true", help="print findings and end state as JSON")
    p.add_argument(
        "--itf", metavar="OUT", help="also write the run in Apalache/Quint ITF format to OUT"
    )
    p.set_defaults(run=main)
