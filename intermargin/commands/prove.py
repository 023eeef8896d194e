"""`intermargin prove`: machine-check the invariants with Z3 (proofs/).

Runs every proof obligation (init, step per action kind, safety; each citing its
invariant id), the vacuity check of each, and the bounded model check of
liquidation propagation (INV-LIQ-2); prints a summary table and, for a failed
obligation, the counterexample as a small table.  Exit 0 only if everything was
proved, 1 if anything failed (unknown and vacuity count as failures), 2 on bad usage.
The JSON report's schema is documented in proofs/report.py.

Each solver query is bounded by Z3's resource limit (--rlimit; the BMC has its own,
larger one), so the verdicts do not depend on how busy the machine is; --timeout is
only a safety net, and running out of it is reported as "machine too slow"
(PROOF-BUDGET-1..3).
"""

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from intermargin import limits
from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, output_dir, output_file
from proofs.checking import OBLIGATION_RLIMIT, Verdict
from proofs.concretize import trace_of
from proofs.coverage import chosen
from proofs.mutants import MUTANT_BY_NAME
from proofs.report import dump_json, table, to_json, to_junit
from proofs.runner import run_with_bmc

STYLE = {"proved": "green", "FAILED": "bold red", "unknown": "yellow", "vacuous": "magenta"}


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "prove",
        help="prove the invariants with Z3 (init, every action, safety) and report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="PATTERN",
        help="only the obligations whose name or invariant id matches (glob or substring), "
        "that cover a requirement id (LIQ-3, 'HUB-*'), or that step an action kind "
        "(GrantCredit, DeliverLiqReport or DeliverLiquidationReport); repeatable",
    )
    p.add_argument("--json", metavar="FILE", help="write the JSON report to FILE")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report to FILE")
    limits.add_proof_budget_options(p, "checking obligations")
    p.add_argument(
        "--save-counterexamples",
        metavar="DIR",
        help="save each counterexample as a replayable trace (intermargin replay FILE)",
    )
    p.add_argument(
        "--mutant",
        metavar="NAME",
        help="prove against a broken transition from proofs/mutants.py (to see what breaks): "
        + ", ".join(MUTANT_BY_NAME),
    )
    p.add_argument("--no-bmc", action="store_true", help="skip the liquidation-propagation BMC")
    p.add_argument(
        "--bmc-spokes", type=int, default=2, metavar="N", help="spokes in the BMC, 1..3 (default 2)"
    )
    p.add_argument(
        "--all", action="store_true", help="list every obligation, not one row per group"
    )
    p.set_defaults(run=main)


def validate(args: argparse.Namespace) -> None:
    if not 1 <= args.bmc_spokes <= 3:
        raise UsageError("--bmc-spokes must be 1, 2 or 3")
    if args.mutant is not None and args.mutant not in MUTANT_BY_NAME:
        raise UsageError(f"unknown mutant {args.mutant!r}; known: {', '.join(MUTANT_BY_NAME)}")
    output_file(args.json, "--json")
    output_file(args.junit, "--junit")
    output_dir(args.save_counterexamples, "--save-counterexamples")


def group_of(name: str) -> str:
    """`credit-conservation/step/GrantCredit` -> `credit-conservation/step`."""
    parts = name.split("/")
    return "/".join(parts[:2])


def summary(verdicts: list[Verdict], every: bool) -> Table:
    t = Table(title="proof obligations", show_lines=False)
    t.add_column("obligation")
    t.add_column("invariant")
    t.add_column("result")
    t.add_column("seconds", justify="right")
    if every:
        for v in verdicts:
            t.add_row(
                v.obligation, v.invariant, f"[{STYLE[v.result]}]{v.result}", f"{v.seconds:.2f}"
            )
        return t
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        groups[group_of(v.obligation)].append(v)
    for name, vs in groups.items():
        bad = [v for v in vs if v.result != "proved"]
        result = "proved" if not bad else bad[0].result
        label = name if len(vs) == 1 else f"{name}/* ({len(vs) - len(bad)}/{len(vs)})"
        t.add_row(
            label,
            vs[0].invariant,
            f"[{STYLE[result]}]{result}",
            f"{sum(v.seconds for v in vs):.2f}",
        )
    return t


def main(args: argparse.Namespace) -> int:
    validate(args)
    try:
        selection = chosen(args.only)
    except ValueError as e:
        raise UsageError(str(e)) from None
    obligations = selection.obligations
    out = Console()
    err = Console(stderr=True)
    start = time.perf_counter()
    with Progress(
        TextColumn("proving"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("", total=len(obligations))

        def advance(v: Verdict) -> None:
            progress.update(task, advance=1, description=v.obligation)

        with_bmc = not args.no_bmc and selection.bmc and args.mutant is None
        verdicts, bmc = run_with_bmc(
            obligations,
            budget=limits.obligation_budget(args),
            jobs=args.jobs,
            mutant=args.mutant,
            progress=advance,
            bmc_spokes=args.bmc_spokes if with_bmc else None,
            bmc_budget=limits.bmc_budget(args),
        )
    seconds = time.perf_counter() - start
    out.print(summary(verdicts, args.all))
    if bmc is not None:
        style = "green" if bmc.ok else "bold red"
        out.print(
            f"INV-LIQ-2 liquidation-propagation/bmc: [{style}]{bmc.detail}[/] ({bmc.seconds:.2f}s)"
        )
    traces: dict[str, str] = {}
    for v in verdicts:
        if v.counterexample is not None:
            out.print()
            print(table(v.counterexample))
            if args.save_counterexamples:
                d = Path(args.save_counterexamples)
                d.mkdir(parents=True, exist_ok=True)
                path = d / (v.obligation.replace("/", "__") + ".json")
                path.write_text(
                    trace_of(v.counterexample, args.mutant).model_dump_json(indent=2) + "\n"
                )
                traces[v.obligation] = str(path)
                print(f"saved: {path}  (intermargin replay {path})")
        elif v.result != "proved":
            print(f"{v.obligation}: {v.result}: {v.detail}")
    bmc_json = bmc.as_json() if bmc is not None else None
    if args.json:
        report = to_json(
            verdicts,
            seconds=seconds,
            timeout_s=args.timeout,
            rlimit=args.rlimit or OBLIGATION_RLIMIT,
            bmc=bmc_json,
            traces=traces,
        )
        Path(args.json).write_text(dump_json(report))
    if args.junit:
        Path(args.junit).write_text(to_junit(verdicts, seconds=seconds, bmc=bmc_json) + "\n")
    ok = all(v.result == "proved" for v in verdicts) and (bmc is None or bmc.ok)
    counts = {r: sum(1 for v in verdicts if v.result == r) for r in STYLE}
    line = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    print(f"{len(verdicts)} obligations: {line} in {seconds:.1f}s", file=sys.stdout)
    return EXIT_OK if ok else EXIT_FAILED
