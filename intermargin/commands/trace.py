"""`intermargin trace`: where each requirement is specified, implemented, encoded, proved and
tested (CLI-6)."""

import argparse
import json
from pathlib import Path

from rich.table import Table

from intermargin.console import stdout_console
from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, output_file
from intermargin.traceability import Trace, traceability
from spec.reports import RequirementReport, TraceabilityReport


def short(names: tuple[str, ...], limit: int = 3, *, modules: bool = True) -> str:
    """The first names (less their top-level package), and how many more there are."""
    shown = ", ".join(n.split(".", 1)[-1] if modules else n for n in names[:limit])
    return shown + (f" +{len(names) - limit}" if len(names) > limit else "") if names else "-"


def table(rows: list[Trace], *, gaps_only: bool) -> Table:
    out = Table(title="Requirement traceability", title_justify="left")
    for column in ("id", "specified", "implemented", "encoded", "proved", "tested"):
        out.add_column(column, overflow="fold")
    for row in rows:
        if gaps_only and row.verified:
            continue
        style = None if row.verified else "red"
        out.add_row(
            row.requirement.id,
            row.specified_in,
            short(row.implemented_by),
            short(row.encoded_by),
            short(row.proved_by, modules=False),
            short(row.tested_by),
            style=style,
        )
    return out


def as_json(rows: list[Trace]) -> list[dict[str, object]]:
    """CLI-6, CLI-11: the table as a `TraceabilityReport`."""
    report = TraceabilityReport(
        [
            RequirementReport(
                id=r.requirement.id,
                chapter=r.requirement.chapter,
                text=r.requirement.text,
                specified_in=r.specified_in,
                implemented_by=list(r.implemented_by),
                encoded_by=list(r.encoded_by),
                proved_by=list(r.proved_by),
                tested_by=list(r.tested_by),
                verified=r.verified,
            )
            for r in rows
        ]
    )
    dumped: list[dict[str, object]] = report.model_dump(mode="json")
    return dumped


def main(args: argparse.Namespace) -> int:
    output_file(args.json, "--json")
    try:
        rows = traceability()
    except ValueError as e:  # an id defined twice
        raise UsageError(str(e)) from None
    gaps = [r.requirement.id for r in rows if not r.verified]
    if args.json:
        Path(args.json).write_text(json.dumps(as_json(rows), indent=2) + "\n", encoding="utf-8")
    console = stdout_console()
    if args.gaps and not gaps:
        console.print("no gaps: every requirement is verified by a test or a proof")
    else:
        console.print(table(rows, gaps_only=args.gaps))
    verified = len(rows) - len(gaps)
    console.print(f"{verified} of {len(rows)} requirements verified by a test or a proof")
    if gaps:
        console.print(f"[red]unverified:[/red] {', '.join(gaps)}", highlight=False)
        return EXIT_FAILED
    return EXIT_OK


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "trace",
        help="list every requirement: specified, implemented, encoded, proved, tested",
        description=(
            "Requirement traceability: every id defined in spec/*.md, with the chapter that "
            "specifies it, the code that implements it (model/ and the spec's boundary; the "
            "tools' code for the tools' chapters), the Z3 encoding functions that cite it, "
            "the proof obligations that cover it and the tests that cite it. Exit 1 if any "
            "requirement is neither proved nor tested."
        ),
    )
    p.add_argument("--gaps", action="store_true", help="show only unverified requirements")
    p.add_argument("--json", metavar="FILE", help="also write the table as JSON to FILE")
    p.set_defaults(run=main)
