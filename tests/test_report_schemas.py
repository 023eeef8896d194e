"""Every JSON the CLI writes validates against its exported JSON Schema (CLI-11), read by
`jsonschema`; and the parameter schema refuses what the tool refuses (PAR-15)."""

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from intermargin.cli import main
from intermargin.errors import EXIT_FAILED, EXIT_OK
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run, to_json
from proofs.bmc import propagation
from proofs.checking import OBLIGATION_RLIMIT, check
from proofs.report import to_json as proofs_json
from spec.examples import example_params
from spec.params import Params
from spec.schema import SCHEMA_DIR

Json = Any


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def valid(name: str, document: Json) -> None:
    """The document validates, and the schema is not vacuous: an unknown top-level key
    (or item key) is refused."""
    checker = validator(name)
    checker.validate(document)
    wrong = (
        {**document, "unexpected": 1}
        if isinstance(document, dict)
        else [{**document[0], "unexpected": 1}]
    )
    assert list(checker.iter_errors(wrong)), f"{name} accepts an unknown key"


def test_verify_json_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-11, VER-1: `verify --json` (the traceability check alone) is a VerifyReport."""
    out = tmp_path / "verify.json"
    code = main(["verify", "--only", "traceability", "--json", str(out)])
    report = json.loads(out.read_text())
    assert code == (EXIT_OK if report["ok"] else EXIT_FAILED)
    assert [c["name"] for c in report["checks"]] == ["traceability"]
    valid("verify-report", report)


def test_prove_json_with_a_counterexample_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-11: `prove --json` against a mutant: a FAILED obligation with its counterexample
    and the saved trace's path."""
    out = tmp_path / "proofs.json"
    argv = ["prove", "--only", "credit-conservation/step/ReleaseCredit", "--json", str(out)]
    argv += ["--mutant", "release-without-debit", "--save-counterexamples", str(tmp_path)]
    assert main(argv) == EXIT_FAILED
    report = json.loads(out.read_text())
    failed = [o for o in report["obligations"] if o["result"] == "FAILED"]
    assert failed and failed[0]["counterexample"]["trace"]
    valid("proofs-report", report)


def test_a_proofs_report_with_the_bmc_and_an_unknown_verdict_validates() -> None:
    """CLI-11: the BMC's object, and the `exhausted` key of an unknown verdict, are in the
    schema; an `exhausted` other than rlimit or wall-clock is refused."""
    verdict = check("credit-conservation/init")
    bmc = propagation(spokes=1).as_json()
    report = proofs_json([verdict], seconds=1.0, timeout_s=20, rlimit=OBLIGATION_RLIMIT, bmc=bmc)
    assert report["bmc"]["bound"] == 2
    valid("proofs-report", report)
    unknown = {**report["obligations"][0], "result": "unknown", "exhausted": "rlimit"}
    validator("proofs-report").validate({**report, "obligations": [unknown]})
    bad = {**unknown, "exhausted": "patience"}
    assert list(validator("proofs-report").iter_errors({**report, "obligations": [bad]}))


def test_replay_json_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-11, CLI-5: `replay --json` is a ReplayReport."""
    path = tmp_path / "crash.json"
    path.write_text(json.dumps(to_json(run(SCENARIOS["crash"]))["trace"]))
    assert main(["replay", str(path), "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["steps"] == len(SCENARIOS["crash"].actions)
    valid("replay-report", report)


def test_trace_json_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-11, CLI-6: `trace --json` is a TraceabilityReport."""
    out = tmp_path / "trace.json"
    main(["trace", "--json", str(out)])
    report = json.loads(out.read_text())
    assert len(report) > 100
    valid("traceability-report", report)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_json_validates(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-11, CLI-4: `scenario NAME --json` is a ScenarioReport."""
    assert main(["scenario", name, "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["scenario"] == name
    valid("scenario-report", report)


# --- PAR-15: the params schema refuses what the tool refuses --------------------------------


def example() -> Json:
    return json.loads(example_params().model_dump_json())


def changed(**fields: Any) -> Json:
    doc = example()
    doc.update(fields)
    return doc


def market(**fields: Any) -> Json:
    doc = example()
    doc["markets"] = [{**doc["markets"][0], **fields}, *doc["markets"][1:]]
    return doc


def spoke(**fields: Any) -> Json:
    doc = example()
    doc["spokes"] = [{**doc["spokes"][0], **fields}, *doc["spokes"][1:]]
    return doc


def perp_and_call() -> tuple[Json, Json]:
    doc = example()
    kinds = {m["kind"]: m for m in doc["markets"]}
    return kinds["perp"], next(m for m in doc["markets"] if m["kind"] != "perp")


INVALID: dict[str, Json] = {
    "no accounts": changed(accounts=[]),
    "a duplicate account": changed(accounts=["alice", "bob", "alice"]),
    "no spokes": changed(spokes=[]),
    "no assets": changed(assets=[]),
    "a spoke called hub": spoke(id="hub"),
    "an id with a space": changed(accounts=["alice smith"]),
    "an empty id": changed(accounts=[""]),
    "a negative cap": spoke(cap=-1),
    "a cap above the bound": spoke(cap=10**18 + 1),
    "a string for an int": spoke(cap="5"),
    "an unknown field": changed(colour="blue"),
    "a missing field": {k: v for k, v in example().items() if k != "oracle"},
    "an unknown margin method": changed(margin_method="vibes"),
    "a zero quorum": changed(oracle={**example()["oracle"], "quorum": 0}),
    "a perpetual with a strike": market(strike=2000, expiry=100),
}


def option_without_strike() -> Json:
    doc = example()
    _, option = perp_and_call()
    doc["markets"] = [
        {**m, "strike": None} if m["id"] == option["id"] else m for m in doc["markets"]
    ]
    return doc


INVALID["an option without a strike"] = option_without_strike()


@pytest.mark.parametrize("why", sorted(INVALID))
def test_the_params_schema_refuses_what_the_tool_refuses(why: str) -> None:
    """PAR-15: for each invalid parameter set, the tool and the schema both refuse it."""
    document = INVALID[why]
    with pytest.raises(ValueError):
        Params.model_validate_json(json.dumps(document))
    assert list(validator("params").iter_errors(document)), f"the schema accepts {why}"


def test_the_params_schema_accepts_the_example() -> None:
    """PAR-15: the reference parameters are valid under both."""
    Params.model_validate_json(json.dumps(example()))
    validator("params").validate(example())


BEYOND_THE_SCHEMA: dict[str, Json] = {
    "a duplicate spoke id": changed(spokes=[example()["spokes"][0]] * 2),
    "mm above im": market(mm_bps=9_000, im_bps=100),
    "an unknown underlying": market(underlying="DOGE"),
    "too few feeds for the quorum": changed(oracle={**example()["oracle"], "quorum": 64}),
}


@pytest.mark.parametrize("why", sorted(BEYOND_THE_SCHEMA))
def test_the_rules_json_schema_cannot_state_are_the_tool_s_alone(why: str) -> None:
    """PAR-15: exactly the rules it lists as beyond JSON Schema are refused by the tool
    and accepted by the schema (if the schema learns one, move it to INVALID)."""
    document = BEYOND_THE_SCHEMA[why]
    with pytest.raises(ValueError):
        Params.model_validate_json(json.dumps(document))
    validator("params").validate(document)
