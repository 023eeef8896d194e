"""`intermargin scenario NAME`: run a named stress scenario and show its timeline."""

import argparse
import json

from intermargin.console import stdout_console
from intermargin.errors import EXIT_OK, UsageError, load_model
from intermargin.render import render
from intermargin.scenarios import SCENARIOS, scenario
from intermargin.timeline import Run, run, to_json
from spec.params import Params

DESCRIPTION = """\
Run a named stress scenario through the reference model and print, step by step,
the action, its outcome (accepted, rejected or ignored with the error code, and
the ids of the messages it sent), each account's health at the hub (equity
against maintenance margin plus latency buffer, n/a without prices), the credit
allocated to each spoke against its cap, and the messages in flight; then a
summary of the end state.
"""

EPILOG = "scenarios:\n" + "\n".join(f"  {s.name:16} {s.title}" for s in SCENARIOS.values())


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "scenario",
        help="run a named stress scenario and show its timeline",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the scenario to run (see --list)")
    p.add_argument("--list", action="store_true", help="list the scenarios (or only NAME) and exit")
    p.add_argument(
        "--params",
        metavar="FILE",
        help=(
            "a JSON parameter set (spec.params.Params) replacing the scenario's own; it "
            "should declare the ids the scenario uses, or those steps are rejected UNKNOWN_*"
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        help=(
            "print JSON instead of the timeline: the steps as a replayable trace "
            "(actions and outcomes) and the observable end state"
        ),
    )
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.list:
        shown = SCENARIOS.values() if args.name is None else [scenario(args.name)]
        for s in shown:
            print(f"{s.name:16} {s.title}")
        return EXIT_OK
    if args.name is None:
        raise UsageError("scenario: give a NAME or --list")
    chosen = scenario(args.name)
    params = None if args.params is None else load_model(args.params, Params)
    show(run(chosen, params), as_json=args.json)
    return EXIT_OK


def show(result: Run, *, as_json: bool) -> None:
    """Print the run as JSON, or as a timeline: in colour on a terminal, else as plain
    text 120 columns wide."""
    if as_json:
        print(json.dumps(to_json(result), indent=2))
        return
    render(result, stdout_console())
