"""Requirement traceability (CLI-6): every requirement, specified, implemented, encoded,
proved and tested; and `prove --only` by requirement id or action name (CLI-13)."""

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from intermargin.cli import main
from intermargin.errors import EXIT_OK, EXIT_USAGE
from intermargin.traceability import TOOL_CHAPTERS, Trace, traceability
from proofs.catalogue import all_obligations
from proofs.coverage import BMC, chosen, covers, kind_of
from spec.requirements import name_of, requirements
from spec.schema import SCHEMA_DIR

OBLIGATION_NAMES = {o.name for o in all_obligations()}


@pytest.fixture(scope="module")
def rows() -> dict[str, Trace]:
    return {t.requirement.id: t for t in traceability()}


def test_every_requirement_is_verified_by_a_test_or_a_proof(rows: dict[str, Trace]) -> None:
    """CLI-6: no id in spec/*.md is left that no test or proof obligation covers."""
    assert [rid for rid, t in rows.items() if not t.verified] == []


def test_a_citation_is_named_by_the_function_around_it() -> None:
    """CLI-6: a citation in a docstring is attributed to the innermost definition."""
    source = Path("model/hub.py").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(source, 1) if "def grant_credit" in text) + 1
    assert name_of(f"model/hub.py:{line}") == "model.hub.grant_credit"
    assert name_of("model/hub.py:1") == "model.hub"


def test_a_rule_of_the_system_is_implemented_only_by_the_model_and_the_boundary(
    rows: dict[str, Trace],
) -> None:
    """CLI-6: never `spec.requirements`, the fuzz harness or a proof as "implemented by"."""
    system = [t for t in rows.values() if t.requirement.chapter not in TOOL_CHAPTERS]
    names = {n for t in system for n in t.implemented_by}
    assert names, "no system requirement is implemented by anything"
    assert all(n.startswith(("model.", "spec.")) or n in ("model", "spec") for n in names)
    assert not any(
        n.startswith("spec.requirements") for t in rows.values() for n in t.implemented_by
    )
    assert "model.liquidation.receive_liquidation_report" in rows["LIQ-3"].implemented_by


def test_a_tool_requirement_is_implemented_by_the_tool(rows: dict[str, Trace]) -> None:
    """CLI-6: the chapters about the tools are implemented by the tools' code."""
    assert "intermargin.commands.trace.as_json" in rows["CLI-6"].implemented_by
    assert any(n.startswith("intermargin.fuzzing") for n in rows["DIFF-4"].implemented_by)


def test_encoded_names_the_encoding_functions(rows: dict[str, Trace]) -> None:
    """CLI-6: *encoded* is the functions of proofs/transitions and proofs/invariants only."""
    encoded = {n for t in rows.values() for n in t.encoded_by}
    assert encoded
    assert all(n.startswith(("proofs.transitions", "proofs.invariants")) for n in encoded)
    assert "proofs.transitions.liquidation.receive_liquidation_report" in rows["LIQ-3"].encoded_by


def test_proved_names_obligations_not_functions(rows: dict[str, Trace]) -> None:
    """CLI-6, CLI-13: *proved* lists the obligations `prove` runs (or the BMC), never the
    function that encodes the rule."""
    proved = {n for t in rows.values() for n in t.proved_by}
    assert proved <= OBLIGATION_NAMES | {BMC}
    assert "atomic-rejection/step/DeliverLiqReport" in rows["LIQ-3"].proved_by
    assert BMC in rows["INV-LIQ-2"].proved_by
    pricing = [t for t in rows.values() if t.requirement.chapter == "pricing"]
    assert pricing and all(t.proved_by == () for t in pricing)  # option pricing: no encoding


def test_tested_names_the_tests(rows: dict[str, Trace]) -> None:
    """CLI-6: *tested* lists test functions under tests/."""
    assert all(n.startswith("tests.") for t in rows.values() for n in t.tested_by)
    assert any(n.startswith("tests.test_liquidation.test_") for n in rows["LIQ-3"].tested_by)


def test_the_json_report_has_the_five_columns_and_keeps_its_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-6, CLI-11: `trace --json` validates against its JSON Schema (read by jsonschema),
    and the schema refuses a row without the *encoded* column."""
    out = tmp_path / "trace.json"
    assert main(["trace", "--json", str(out)]) == EXIT_OK
    report: list[dict[str, Any]] = json.loads(out.read_text())
    schema = json.loads((SCHEMA_DIR / "traceability-report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    grant = next(r for r in report if r["id"] == "HUB-GRANT-2")
    assert grant["specified_in"] == f"hub.md:{traceability_line('HUB-GRANT-2')}"
    assert "model.hub.grant_credit" in grant["implemented_by"]
    assert "proofs.transitions.hub.grant_credit" in grant["encoded_by"]
    assert "capacity-at-commit/step/GrantCredit" not in grant["implemented_by"]
    assert set(grant["proved_by"]) <= OBLIGATION_NAMES and grant["proved_by"]
    assert any(name.startswith("tests.test_hub.") for name in grant["tested_by"])
    without = {k: v for k, v in grant.items() if k != "encoded_by"}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors([without]))
    header = capsys.readouterr().out
    for column in ("specified", "implemented", "encoded", "proved", "tested"):
        assert column in header


def traceability_line(rid: str) -> int:
    return requirements()[rid].line


def test_gaps_still_lists_only_the_unverified(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-6: `--gaps` says "no gaps" when every requirement is proved or tested."""
    assert main(["trace", "--gaps"]) == EXIT_OK
    assert "no gaps" in capsys.readouterr().out


# --- prove --only (CLI-13) --------------------------------------------------------------


def test_only_a_requirement_id_selects_exactly_the_steps_that_apply_it() -> None:
    """CLI-13: LIQ-3 is applied by the delivery (and injection) of a liquidation report, so
    `--only LIQ-3` selects every obligation about those steps and nothing else; in
    particular not `Liquidate`, whose module docstring also cites LIQ-1..LIQ-7."""
    picked = chosen(["LIQ-3"])
    names = {o.name for o in picked.obligations}
    applying = {"DeliverLiqReport", "InjectLiqReport"}
    expected = {o.name for o in all_obligations() if (k := kind_of(o)) and k.name in applying}
    assert names == expected
    assert all("LIQ-3" in covers(o) for o in picked.obligations)
    assert not picked.bmc


def test_only_takes_the_full_action_name_as_well_as_the_short_one() -> None:
    """CLI-13: `DeliverLiquidationReport` and `DeliverLiqReport` select the same obligations."""
    full = [o.name for o in chosen(["DeliverLiquidationReport"]).obligations]
    assert full == [o.name for o in chosen(["DeliverLiqReport"]).obligations]
    assert full and all(n.endswith("/DeliverLiqReport") for n in full)
    grants = [o.name for o in chosen(["InjectCreditGrant"]).obligations]
    assert grants and all(n.endswith("/InjectGrant") for n in grants)


def test_only_keeps_todays_names_and_globs() -> None:
    """CLI-13: obligation names, invariant ids and globs over requirement ids still work."""
    assert [o.name for o in chosen(["credit-conservation/init"]).obligations] == [
        "credit-conservation/init"
    ]
    assert {o.invariant for o in chosen(["INV-AMO-1"]).obligations} == {"INV-AMO-1"}
    hub = {o.name for o in chosen(["HUB-GRANT-*"]).obligations}
    assert "capacity-at-commit/step/GrantCredit" in hub
    assert chosen(["INV-LIQ-2"]).bmc and chosen(["INV-LIQ-2"]).obligations == []


@pytest.mark.parametrize("only", [["NO-SUCH-1"], ["LIQ-3", "DeliverNothing"]])
def test_only_that_matches_nothing_is_a_one_line_error(
    only: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-13, CLI-2: each --only must select something; else one line, exit 2."""
    argv = ["prove"] + [x for p in only for x in ("--only", p)]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and only[-1] in err and "matches no" in err


def test_prove_only_a_requirement_runs_the_obligations_covering_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-13: `prove --only GOV-3` runs and reports exactly the obligations covering GOV-3."""
    out = tmp_path / "proofs.json"
    assert main(["prove", "--only", "GOV-3", "--jobs", "1", "--json", str(out)]) == EXIT_OK
    report = json.loads(out.read_text())
    ran = [o["name"] for o in report["obligations"]]
    assert ran == [o.name for o in chosen(["GOV-3"]).obligations]
    assert ran and all(n.endswith("/UnpauseSpoke") for n in ran)
    assert report["bmc"] is None
