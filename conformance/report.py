"""The report of a `conform` run (CONF-19): its JSON shape, exported as a JSON Schema.

`python -m conformance.report` writes `conformance/schema/conform-report.schema.json`;
`--check` writes nothing and exits 1 if the file is stale.  The JUnit report carries the
same verdicts (one testcase per vector and one for the campaign).
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from spec.schema import DIALECT, render

REPORT_FORMAT = "intermargin-conform/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "conform-report.schema.json"


class StepRow(BaseModel):
    """A row of a divergence table (CONF-14): the step, its action, the reference's outcome,
    the build's, and the first field that differs (on the diverging row only)."""

    step: int
    action: str
    expected: str
    got: str
    path: str = ""
    expected_value: Any = None
    got_value: Any = None


class CaseVerdict(BaseModel):
    id: str
    file: str
    status: Literal["pass", "fail", "skip", "broken"]
    detail: str = ""
    steps: int
    seconds: float
    table: list[StepRow] = []


class CampaignVerdict(BaseModel):
    status: Literal["pass", "fail", "broken", "not run"]
    detail: str = ""
    seed: int
    requested_steps: int
    steps: int
    examples: int
    seconds: float
    steps_per_second: float
    case_file: str | None = None
    table: list[StepRow] = []


class BuildInfo(BaseModel):
    command: str
    name: str
    chapters: list[str]
    restarts: int


class ConformReport(BaseModel):
    """CONF-19: everything a `conform` run found."""

    format: Literal["intermargin-conform/1"] = "intermargin-conform/1"
    spec_version: str
    verdict: Literal["pass", "fail"]
    build: BuildInfo
    counts: dict[str, int]
    cases: list[CaseVerdict]
    campaign: CampaignVerdict | None
    seconds: float


def report_schema() -> dict[str, Any]:
    schema = TypeAdapter(ConformReport).json_schema(mode="serialization")
    return {
        "$schema": DIALECT,
        "$id": "conform-report.schema.json",
        "title": "conform-report",
        **schema,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.report",
        description="Export the JSON Schema of `intermargin conform --json` reports.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    text = render(report_schema())
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"stale: {SCHEMA_PATH}; run `python -m conformance.report`", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
