"""The verdict of `intermargin verify` for people (a table) and for CI (JSON, JUnit XML).

JSON (`--json FILE`), format "intermargin-verify/1", defined by `spec.reports.VerifyReport`
(schema `spec/schema/verify-report.schema.json`):

    {"format": "intermargin-verify/1", "ok": bool, "seconds": float,
     "checks": [{"name": str, "covers": [id, ...], "status": "passed" | "failed",
                 "seconds": float, "summary": str, "details": [str, ...]}]}

JUnit (`--junit FILE`): <testsuites> with one <testsuite name="intermargin.verify">, one
<testcase> per check (classname "intermargin.verify"), a <failure> with the details for a
failed one (the same writer as `intermargin prove`'s, `proofs.report.junit`).
"""

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from intermargin.verify import Check, CheckResult
from proofs.report import JUnitCase, junit
from spec.reports import CheckReport, VerifyReport

Ran = Sequence[tuple[Check, CheckResult]]


def compact(ids: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" +{len(ids) - limit}" if len(ids) > limit else "")


def summary_table(ran: Ran) -> Table:
    """One row per check: name, requirement ids covered, result, seconds, what it found."""
    table = Table(title="intermargin verify", title_justify="left")
    table.add_column("check")
    table.add_column("covers", overflow="fold", max_width=34)
    table.add_column("result")
    table.add_column("seconds", justify="right")
    table.add_column("summary", overflow="fold")
    for check, result in ran:
        style = "green" if result.status == "passed" else "bold red"
        table.add_row(
            check.name,
            compact(check.covers),
            f"[{style}]{result.status}[/]",
            f"{result.seconds:.1f}",
            result.summary,
        )
    return table


def to_json(ran: Ran, seconds: float) -> dict[str, Any]:
    report = VerifyReport(
        ok=all(r.status == "passed" for _, r in ran),
        seconds=round(seconds, 3),
        checks=[
            CheckReport(
                name=c.name,
                covers=list(c.covers),
                status=r.status,
                seconds=round(r.seconds, 3),
                summary=r.summary,
                details=list(r.details),
            )
            for c, r in ran
        ],
    )
    return report.model_dump(mode="json")


def to_junit(ran: Ran, seconds: float) -> str:
    return junit(
        "intermargin.verify",
        [
            JUnitCase(
                check.name,
                "intermargin.verify",
                result.seconds,
                None if result.status == "passed" else result.summary,
                "failed",
                "\n".join((f"covers: {', '.join(check.covers)}", *result.details)),
            )
            for check, result in ran
        ],
        seconds,
    )
