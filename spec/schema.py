"""JSON Schema of the boundary types, exported for implementers in other languages.

`python -m spec.schema` writes `spec/schema/<name>.schema.json` for each type below (the
boundary types, and the reports the CLI writes: CLI-11);
`python -m spec.schema --check` writes nothing and exits 1 if a committed file differs
from what the models give (so CI catches a model changed without its schema).  Output
is deterministic: keys sorted, two-space indent, one trailing newline.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from spec.actions import Action
from spec.case import Case
from spec.messages import Envelope, Message
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Params
from spec.reports import (
    ProofsReport,
    ReplayReport,
    ScenarioReport,
    StressReport,
    TraceabilityReport,
    VerifyReport,
)
from spec.trace import Trace

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

EXPORTED: dict[str, TypeAdapter[Any]] = {
    "params": TypeAdapter(Params),
    "action": TypeAdapter(Action),
    "message": TypeAdapter(Message),
    "envelope": TypeAdapter(Envelope),
    "outcome": TypeAdapter(Outcome),
    "observable-state": TypeAdapter(ObservableState),
    "trace": TypeAdapter(Trace),
    "verify-report": TypeAdapter(VerifyReport),
    "proofs-report": TypeAdapter(ProofsReport),
    "replay-report": TypeAdapter(ReplayReport),
    "traceability-report": TypeAdapter(TraceabilityReport),
    "scenario-report": TypeAdapter(ScenarioReport),
    "case": TypeAdapter(Case),
    "stress-report": TypeAdapter(StressReport),
}
"""Schema name -> the type it describes (validation mode: what a reader must accept)."""


def require_tags(schema: dict[str, Any]) -> dict[str, Any]:
    """Mark every `type` tag required.  Actions and messages only ever appear in
    discriminated unions, where the tag is required although the model gives it a default."""
    for definition in schema.get("$defs", {}).values():
        tag = definition.get("properties", {}).get("type", {})
        if "const" in tag and "type" not in definition.get("required", []):
            definition["required"] = ["type", *definition.get("required", [])]
    return schema


def schema_of(name: str) -> dict[str, Any]:
    """The JSON Schema of one exported type, with its dialect and title."""
    schema = require_tags(EXPORTED[name].json_schema(mode="validation"))
    return {"$schema": DIALECT, "$id": f"{name}.schema.json", "title": name, **schema}


def render(schema: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rendered() -> dict[str, str]:
    """File name -> text, for every exported schema."""
    return {f"{name}.schema.json": render(schema_of(name)) for name in EXPORTED}


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """The schema files missing from `directory` or differing from the models."""
    out = []
    for filename, text in rendered().items():
        path = directory / filename
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(filename)
    return out


def write(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every schema file into `directory`; return the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = rendered()
    for filename, text in files.items():
        (directory / filename).write_text(text, encoding="utf-8")
    return sorted(files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spec.schema",
        description="Export the JSON Schema of parameters, actions, messages, envelopes, "
        "outcomes, observable state, traces, test vectors and the CLI's reports into spec/schema/.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is stale"
    )
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="output folder")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale(args.dir)
        for filename in out_of_date:
            print(f"stale: {args.dir / filename}", file=sys.stderr)
        if out_of_date:
            print("run `python -m spec.schema` to regenerate", file=sys.stderr)
            return 1
        return 0
    for filename in write(args.dir):
        print(args.dir / filename)
    return 0


if __name__ == "__main__":
    sys.exit(main())
