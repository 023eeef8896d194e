"""`intermargin verify`: the proofs, the state machines, the differential checks, the
contracts, the types and traceability, in one run with one verdict (VER-1, VER-2).

Every check runs at once, cut into parts shared by one pool of worker processes bounded
by the cores (VER-RUN-1); a progress line says what runs and how far, and each check's
result line appears as soon as it is done.
"""

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from intermargin import limits
from intermargin.console import stdout_console
from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, output_file
from intermargin.verify import Check, CheckResult, Settings
from intermargin.verify.checks import CHECKS
from intermargin.verify.report import summary_table, to_json, to_junit
from intermargin.verify.schedule import guarded, run_checks
from proofs.report import dump_json

__all__ = ["guarded", "main", "register"]

PLAIN_EVERY_S = 10.0
"""Off a terminal, a running check's progress is printed at most this often (VER-RUN-2)."""


def chosen(names: list[str] | None, skip: list[str] | None) -> list[Check]:
    known = {c.name for c in CHECKS}
    for name in (names or []) + (skip or []):
        if name not in known:
            raise UsageError(f"no check named {name!r} (checks: {', '.join(sorted(known))})")
    picked = [c for c in CHECKS if (not names or c.name in names)]
    return [c for c in picked if c.name not in (skip or [])]


def result_line(name: str, result: CheckResult) -> str:
    """VER-RUN-2: a check's result line: passed or FAILED, its name, seconds and summary."""
    mark = "[green]passed[/]" if result.status == "passed" else "[bold red]FAILED[/]"
    return f"{mark} {name} ({result.seconds:.1f}s): {result.summary}"


class Plain:
    """VER-RUN-2 off a terminal: one line when the checks start, a progress line per running
    check at most every PLAIN_EVERY_S seconds, and each result line when it is done."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last: dict[str, float] = {}
        self.units: dict[str, str] = {}

    def started(self, check: str, parts: int, unit: str) -> None:
        self.units[check] = unit
        self.last[check] = time.monotonic()
        what = f"{parts} {unit}" if parts > 1 else "1 part"
        self.console.print(f"verifying: {check} ({what})", highlight=False)

    def say(self, check: str, text: str) -> None:
        now = time.monotonic()
        if now - self.last.get(check, 0.0) >= PLAIN_EVERY_S:
            self.last[check] = now
            self.console.print(f"  {check}: {text}", highlight=False)

    def progress(self, check: str, text: str) -> None:
        self.say(check, text)

    def part_done(self, check: str, done: int, total: int) -> None:
        if total > 1 and done < total:
            self.say(check, f"{done}/{total} {self.units[check]} done")

    def finished(self, check: str, result: CheckResult) -> None:
        self.console.print(result_line(check, result), highlight=False)


class Live:
    """VER-RUN-2 on a terminal: a bar per check (parts done, elapsed, latest progress), and each
    result line printed above the bars when the check is done."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.tasks: dict[str, TaskID] = {}

    def started(self, check: str, parts: int, unit: str) -> None:
        self.tasks[check] = self.bars.add_task(check, total=parts, note="")

    def progress(self, check: str, text: str) -> None:
        self.bars.update(self.tasks[check], note=text)

    def part_done(self, check: str, done: int, total: int) -> None:
        self.bars.update(self.tasks[check], completed=done)

    def finished(self, check: str, result: CheckResult) -> None:
        self.bars.remove_task(self.tasks[check])
        self.bars.console.print(result_line(check, result), highlight=False)


def main(args: argparse.Namespace) -> int:
    output_file(args.json, "--json")
    output_file(args.junit, "--junit")
    checks = chosen(args.only, args.skip)
    if not checks:
        raise UsageError("every check was skipped: nothing to verify")
    settings = Settings(
        obligation_budget=limits.obligation_budget(args),
        bmc_budget=limits.bmc_budget(args),
        contract_timeout_s=args.contract_timeout,
        contract_stale_iterations=args.contract_iterations,
        jobs=args.jobs,
    )
    console = stdout_console()
    start = time.perf_counter()
    if console.is_terminal:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"),
            console=console,
        ) as bars:
            results = run_checks(checks, settings, args.jobs, Live(bars))
    else:
        results = run_checks(checks, settings, args.jobs, Plain(console))
    seconds = time.perf_counter() - start
    ran = [(c, results[c.name]) for c in checks]
    console.print(summary_table(ran))
    for check, result in ran:
        for line in result.details[:20]:
            console.print(f"[red]x[/] {check.name}: {line}", highlight=False)
    ok = all(r.status == "passed" for _, r in ran)
    verdict = "every check passed" if ok else "some check FAILED"
    console.print(f"{verdict} in {seconds:.1f}s", style="green" if ok else "bold red")
    if args.json:
        Path(args.json).write_text(dump_json(to_json(ran, seconds)), encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(to_junit(ran, seconds), encoding="utf-8")
    return EXIT_OK if ok else EXIT_FAILED


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    names = ", ".join(c.name for c in CHECKS)
    p = sub.add_parser(
        "verify",
        help="run every check: proofs, state machines, drift, contracts, types, traceability",
        description=(
            "The project's main job: the Z3 proofs, the honest and adversarial state "
            "machine, the differential checks between the proofs and the model, the "
            "CrossHair contracts, mypy --strict, and requirement traceability. Prints "
            "progress and one summary table. Exit 0 only if every check passed, 1 if any "
            f"failed, 2 on bad usage. Checks: {names}."
        ),
    )
    p.add_argument("--only", action="append", metavar="CHECK", help="run only this check")
    p.add_argument("--skip", action="append", metavar="CHECK", help="skip this check")
    p.add_argument("--json", metavar="FILE", help="write the verdict as JSON")
    p.add_argument("--junit", metavar="FILE", help="write the verdict as JUnit XML")
    limits.add_proof_budget_options(p, "shared by every check")
    p.add_argument(
        "--contract-timeout",
        type=limits.seconds,
        default=Settings.contract_timeout_s,
        metavar="S",
        help="CrossHair CPU seconds per condition at most (default %(default)s)",
    )
    p.add_argument(
        "--contract-iterations",
        type=limits.positive_whole,
        default=Settings.contract_stale_iterations,
        metavar="N",
        help="CrossHair leaves a condition after N iterations in a row that reach no new"
        " code (default %(default)s)",
    )
    p.set_defaults(run=main)
