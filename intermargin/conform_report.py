"""A conformance run shown to people and to CI: a divergence as a short table (CONF-14) and
the whole run as JUnit XML (one testcase per vector and one for the campaign).

Used by `intermargin conform` (`intermargin.commands.conform`).
"""

import json
from typing import Any

from rich.table import Table

from proofs.report import JUnitCase, junit


def short(action: Any) -> str:
    """An action in a few words: `GrantCredit(alice, arb, 1000)`."""
    fields = action.model_dump(mode="json")
    kind = fields.pop("type")
    payload = fields.pop("payload", None)
    parts = [str(v) for v in fields.values()]
    if payload is not None:
        ptype = payload.pop("type")
        parts.append(f"{ptype}({', '.join(str(v) for v in payload.values())})")
    return f"{kind}({', '.join(parts)})"


def rows(case: Any, mismatch: Any, *, context: int = 12) -> list[Any]:
    """CONF-14: the table of a divergence: the steps up to the diverging one (the last
    `context` of them), the reference's outcome, the build's, the first differing field."""
    from conformance.compare import describe
    from conformance.report import StepRow

    out = []
    last = max(mismatch.step, 0)
    for n, s in enumerate(case.steps[:last], start=1):
        if n <= last - context:
            continue
        here = n == mismatch.step
        out.append(
            StepRow(
                step=n,
                action=short(s.action),
                expected=describe(s.outcome),
                got=mismatch.got if here else "same",
                path=mismatch.path if here else "",
                expected_value=mismatch.expected_value if here else None,
                got_value=mismatch.got_value if here else None,
            )
        )
    if mismatch.step <= 0:
        what = "init" if mismatch.step == 0 else "reset"
        out.append(
            StepRow(
                step=mismatch.step,
                action=what,
                expected=mismatch.expected,
                got=mismatch.got,
                path=mismatch.path,
                expected_value=mismatch.expected_value,
                got_value=mismatch.got_value,
            )
        )
    return out


def table(title: str, step_rows: list[Any]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for column in ("step", "action", "expected", "got", "first difference"):
        t.add_column(column, overflow="fold")
    for r in step_rows:
        where = ""
        if r.path == "(reply)":
            where = "the reply itself"
        elif r.path:
            where = (
                f"{r.path}: {json.dumps(r.expected_value)} expected, {json.dumps(r.got_value)} got"
            )
        t.add_row(str(r.step), r.action, r.expected, r.got, where)
    return t


def junit_of(report: Any) -> str:
    """One testcase per vector (classname `vectors.<chapter>`) and one for the campaign."""
    cases = []
    for v in report.cases:
        chapter = v.id.split("/")[0]
        failure = None if v.status in ("pass", "skip") else f"{v.status}: {v.detail}"
        text = "\n".join(
            f"{r.step} {r.action} expected {r.expected} got {r.got} {r.path}" for r in v.table
        )
        cases.append(
            JUnitCase(
                name=v.id,
                classname=f"vectors.{chapter}",
                seconds=v.seconds,
                failure=failure,
                kind=v.status,
                text=text,
                skipped=v.detail if v.status == "skip" else None,
            )
        )
    c = report.campaign
    if c is not None:
        failure = None if c.status == "pass" else f"{c.status}: {c.detail}"
        cases.append(
            JUnitCase(
                name="lockstep",
                classname="campaign",
                seconds=c.seconds,
                failure=failure,
                kind=c.status,
            )
        )
    return junit("intermargin.conform", cases, report.seconds)
