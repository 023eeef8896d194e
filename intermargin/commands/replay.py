"""`intermargin replay FILE`: run a saved trace through the reference model (CLI-5).

A trace (spec/trace.md, TRC-1..TRC-4) comes from a failing fuzz run, a proof's
counterexample, a conformance divergence or `scenario --json`.  Replay shows
the timeline, then says whether every outcome matches the one recorded and
whether every invariant held.  Exit 0 if both, 1 if not, 2 if the file is bad.
"""

import argparse
import json
from pathlib import Path

from intermargin.console import stdout_console
from intermargin.errors import EXIT_FAILED, EXIT_OK, load_model
from intermargin.scenarios import Scenario
from intermargin.timeline import Run, describe_outcome, render, run
from model.invariants import check_state, check_step
from model.observe import observe, restore
from spec.itf import to_itf
from spec.trace import Trace


def replay(trace: Trace, name: str) -> Run:
    """Run the trace's actions from its starting state (TRC-4)."""
    meta = trace.meta
    seed = f" (seed {meta.seed})" if meta.seed is not None else ""
    story = f"A trace from {meta.source}{seed}"
    if meta.invariant:
        story += f", recorded as breaking {meta.invariant}"
    story += "." + (f" {meta.note}" if meta.note else "")
    scenario = Scenario(
        name=name,
        title=f"{len(trace.steps)} steps",
        story=story,
        params=trace.params,
        actions=tuple(s.action for s in trace.steps),
    )
    initial = None if trace.initial is None else restore(trace.params, trace.initial)
    return run(scenario, initial=initial)


def findings(trace: Trace, result: Run) -> list[str]:
    """Every way the replay differs from the recording, and every invariant broken."""
    found = [f"initial state breaks {i}: {m}" for i, m in check_state(result.initial)]
    for recorded, record in zip(trace.steps, result.steps, strict=True):
        now = record.outcome
        if recorded.outcome is not None and recorded.outcome != now:
            found.append(
                f"step {record.number}: recorded {describe_outcome(recorded.outcome)},"
                f" the model gives {describe_outcome(now)}"
            )
        for inv, message in check_step(record.before, record.action, record.after, now):
            found.append(f"step {record.number} breaks {inv}: {message}")
    return found


def main(args: argparse.Namespace) -> int:
    trace = load_model(args.file, Trace)
    result = replay(trace, args.file)
    found = findings(trace, result)
    if args.itf:
        run = [(r.action, r.outcome, observe(r.after)) for r in result.steps]
        itf = to_itf(observe(result.initial), run, source=args.file)
        Path(args.itf).write_text(json.dumps(itf, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(
            json.dumps(
                {
                    "file": args.file,
                    "steps": len(result.steps),
                    "findings": found,
                    "end_state": observe(result.final).model_dump(mode="json"),
                },
                indent=2,
            )
        )
    else:
        console = stdout_console()
        render(result, console)
        for line in found:
            console.print(f"[red]x[/red] {line}", highlight=False)
        if not found:
            console.print(
                f"replayed {len(result.steps)} steps: outcomes as recorded, every invariant held"
            )
    return EXIT_FAILED if found else EXIT_OK


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "replay",
        help="run a saved trace through the model, step by step",
        description=(
            "Run a trace file (from a fuzz failure, a proof counterexample, a conformance "
            "divergence or `scenario --json | jq .trace`) through the reference model. "
            "Prints the timeline, then every outcome that differs from the recording and "
            "every invariant broken. Exit 0 if none, 1 if any, 2 if the file is bad."
        ),
    )
    p.add_argument("file", metavar="FILE", help="a JSON trace (format intermargin-trace/1)")
    p.add_argument("--json", action="store_true", help="print findings and end state as JSON")
    p.add_argument(
        "--itf", metavar="OUT", help="also write the run in Apalache/Quint ITF format to OUT"
    )
    p.set_defaults(run=main)
