"""Proof results for people and for CI: counterexample tables, traces, JSON and JUnit.

JSON report (`intermargin prove --json FILE`), format "intermargin-proofs/1", defined by
`spec.reports.ProofsReport` (schema `spec/schema/proofs-report.schema.json`):

    {
      "format": "intermargin-proofs/1",
      "ok": bool,                       # every obligation proved
      "timeout_s": float,               # the wall-clock safety net per query
      "rlimit": int,                    # the resource limit per obligation query
      "seconds": float,                 # wall time of the whole run
      "counts": {"proved": n, "FAILED": n, "unknown": n, "vacuous": n},
      "obligations": [
        {"name": str, "invariant": str, "part": "init" | "step" | "safety",
         "result": "proved" | "FAILED" | "unknown" | "vacuous",
         "seconds": float, "detail": str,
         "rlimit": int,                 # the most resource one of its queries used
         "exhausted": "rlimit" | "wall-clock",  # only when result is "unknown" (PROOF-BUDGET-3)
         "counterexample": null | {"kind": str | null, "ids": {..}, "params": {..},
                                   "inputs": {..}, "status": str | null,
                                   "error": str | null, "table": str, "trace": str | null}}
      ],
      "bmc": null | {"invariant": "INV-LIQ-2", "bound": int | null, "spokes": int,
                     "tight": bool, "detail": str, "seconds": float, "rlimit": int,
                     "exhausted": "rlimit" | "wall-clock"  # only when a K was unknown
                     }
    }

JUnit XML (`--junit FILE`): one <testsuite name="intermargin.proofs">, one <testcase>
per obligation (classname = the invariant id); a <failure> for FAILED, unknown or
vacuous, its text the counterexample table; an unknown's failure message says which
resource ran out ("INV-X unknown: rlimit N exhausted", PROOF-BUDGET-3).
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from proofs.checking import Counterexample, Value, Verdict
from proofs.universe import proof_universe
from spec.reports import ProofsReport

FORMAT = "intermargin-proofs/1"


def show(v: Value) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, tuple):
        return "{" + ",".join(map(str, v)) + "}"
    return str(v)


def action_text(cex: Counterexample) -> str:
    args = {**cex.ids, **{k: show(v) for k, v in cex.params.items()}}
    inner = ", ".join(f"{k}={v}" for k, v in args.items())
    text = f"{cex.kind}({inner})"
    if cex.inputs:
        text += " with " + ", ".join(f"{k}={show(v)}" for k, v in cex.inputs.items())
    if cex.prices:
        text += " at prices " + ", ".join(
            f"{x}={'none' if p is None else p}" for x, p in cex.prices.items()
        )
    if cex.status:
        text += f" -> {cex.status}" + (f" {cex.error}" if cex.error else "")
    return text


def table(cex: Counterexample) -> str:
    """The counterexample as people read it: the broken invariant, the step, and only the
    fields that changed or that the invariant mentions."""
    rows = []
    focus = set(cex.ids.values())
    assets = set(proof_universe().assets)
    for name, key, before, after in cex.rows:
        relevant = name in cex.mentions and all(k in focus or k in assets for k in key)
        if before == after and not relevant:
            continue
        label = name + ("[" + ",".join(key) + "]" if key else "")
        rows.append((label, show(before), show(after), "" if before == after else "<- changed"))
    head = f"{cex.invariant} ({cex.obligation}) broken"
    if cex.kind:
        head += f" by {action_text(cex)}"
    width = max([len(r[0]) for r in rows] + [5])
    cw = max([len(r[1]) for r in rows] + [len(r[2]) for r in rows] + [6])
    lines = [head, f"{'':<{width}}  {'before':>{cw}}  {'after':>{cw}}"]
    lines += [f"{a:<{width}}  {b:>{cw}}  {c:>{cw}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines)


# --- reports ---------------------------------------------------------------------------


def counts(verdicts: Iterable[Verdict]) -> dict[str, int]:
    out = {"proved": 0, "FAILED": 0, "unknown": 0, "vacuous": 0}
    for v in verdicts:
        out[v.result] += 1
    return out


def cex_json(v: Verdict, trace_path: str | None) -> dict[str, Any] | None:
    c = v.counterexample
    if c is None:
        return None

    def plain(x: Value) -> Any:
        return list(x) if isinstance(x, tuple) else x

    return {
        "kind": c.kind,
        "ids": dict(c.ids),
        "params": {k: plain(x) for k, x in c.params.items()},
        "inputs": {k: plain(x) for k, x in c.inputs.items()},
        "prices": dict(c.prices),
        "status": c.status,
        "error": c.error,
        "table": table(c),
        "trace": trace_path,
    }


def exhausted_json(result: str, exhausted: str | None) -> dict[str, str]:
    """PROOF-BUDGET-3: `{"exhausted": ...}` for an unknown that ran out of a resource, else
    nothing (the key is absent for every other verdict)."""
    return {"exhausted": exhausted} if result == "unknown" and exhausted else {}


def failure_message(invariant: str, result: str, detail: str) -> str:
    """A JUnit failure message: `INV-X FAILED`, or for an unknown which resource ran out,
    `INV-X unknown: rlimit N exhausted` (PROOF-BUDGET-3)."""
    return f"{invariant} {result}: {detail}" if result == "unknown" else f"{invariant} {result}"


def to_json(
    verdicts: Sequence[Verdict],
    *,
    seconds: float,
    timeout_s: float,
    rlimit: int,
    bmc: dict[str, Any] | None = None,
    traces: dict[str, str] | None = None,
) -> dict[str, Any]:
    traces = traces or {}
    report = {
        "format": FORMAT,
        "ok": all(v.result == "proved" for v in verdicts) and (bmc is None or bool(bmc["ok"])),
        "timeout_s": timeout_s,
        "rlimit": rlimit,
        "seconds": round(seconds, 3),
        "counts": counts(verdicts),
        "obligations": [
            {
                "name": v.obligation,
                "invariant": v.invariant,
                "part": v.part,
                "result": v.result,
                "seconds": round(v.seconds, 4),
                "detail": v.detail,
                "rlimit": v.rlimit,
                **exhausted_json(v.result, v.exhausted),
                "counterexample": cex_json(v, traces.get(v.obligation)),
            }
            for v in verdicts
        ],
        "bmc": bmc,
    }
    return ProofsReport.model_validate(report).model_dump(mode="json", exclude_unset=True)


def to_junit(
    verdicts: Sequence[Verdict], *, seconds: float, bmc: dict[str, Any] | None = None
) -> str:
    """JUnit XML: one testcase per obligation (and one for the BMC if it ran)."""
    cases: list[JUnitCase] = []
    for v in verdicts:
        text = table(v.counterexample) if v.counterexample else v.detail
        failed = v.result != "proved"
        message = failure_message(v.invariant, v.result, v.detail) if failed else None
        cases.append(JUnitCase(v.obligation, v.invariant, v.seconds, message, v.result, text))
    if bmc is not None:
        result = "proved" if bmc["ok"] else "unknown" if "exhausted" in bmc else "FAILED"
        detail = str(bmc["detail"])
        message = None
        if not bmc["ok"]:
            message = (
                f"INV-LIQ-2 {detail}" if result == "unknown" else f"INV-LIQ-2 FAILED: {detail}"
            )
        cases.append(
            JUnitCase(
                "liquidation-propagation/bmc",
                "INV-LIQ-2",
                float(bmc["seconds"]),
                message,
                "" if bmc["ok"] else result,
                detail,
            )
        )
    return junit("intermargin.proofs", cases, seconds)


@dataclass(frozen=True)
class JUnitCase:
    """One JUnit testcase: a failed one has a `failure` message (and a type and text)."""

    name: str
    classname: str
    seconds: float
    failure: str | None = None
    kind: str = ""
    text: str = ""
    skipped: str | None = None


def junit(suite_name: str, cases: Sequence[JUnitCase], seconds: float) -> str:
    """JUnit XML: <testsuites> with one <testsuite> holding one <testcase> per case."""
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.failure is not None)),
        errors="0",
        skipped=str(sum(1 for c in cases if c.skipped is not None)),
        time=f"{seconds:.3f}",
    )
    for c in cases:
        case = ET.SubElement(
            suite, "testcase", classname=c.classname, name=c.name, time=f"{c.seconds:.4f}"
        )
        if c.failure is not None:
            node = ET.SubElement(case, "failure", message=c.failure, type=c.kind or "failure")
            node.text = c.text
        elif c.skipped is not None:
            ET.SubElement(case, "skipped", message=c.skipped)
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"
