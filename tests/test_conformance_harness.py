"""`intermargin conform` against the reference adapter (CONF-1..CONF-7, CONF-12..CONF-19):
it passes, its reports are read back by jsonschema and a JUnit parser, and a saved
divergence replays with `--case`."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from conformance.adapter import Adapter
from conformance.build import Build
from conformance.harness import run_campaign
from conformance.report import SCHEMA_PATH
from conformance.session import Session
from spec.chapters import CHAPTERS
from spec.examples import example_params
from tests.conform_helpers import ADAPTER, bug, conform


def ask(adapter: Adapter, request: dict[str, object]) -> dict[str, object]:
    reply = json.loads(adapter.answer(json.dumps(request).encode()))
    assert isinstance(reply, dict)
    return reply


def test_the_adapter_speaks_the_protocol() -> None:
    """CONF-2, CONF-3, CONF-6: handshake with every chapter, init gives the initial
    observation, a step its outcome and observation, reset forgets, a bad request is a
    refusal and the adapter keeps serving."""
    adapter = Adapter()
    hello = ask(adapter, {"op": "handshake", "protocol": 1})
    assert hello["ok"] is True and hello["protocol"] == 1
    assert list(hello["chapters"]) == list(CHAPTERS)  # type: ignore[call-overload]
    assert ask(adapter, {"op": "handshake", "protocol": 2})["ok"] is False
    params = example_params().model_dump(mode="json")
    init = ask(adapter, {"op": "init", "params": params})
    assert init["observation"]["now"] == 0  # type: ignore[index]
    deposit = {"type": "Deposit", "account": "alice", "asset": "USD", "amount": 5}
    stepped = ask(adapter, {"op": "step", "action": deposit})
    assert stepped["outcome"] == {"status": "accepted", "error": None, "emitted": []}
    assert stepped["observation"]["hub"]["collateral"]["alice"]["USD"] == 5  # type: ignore[index]
    assert ask(adapter, {"op": "reset"}) == {"ok": True}
    refused = ask(adapter, {"op": "step", "action": deposit})
    assert refused == {"ok": False, "error": "step before init"}
    bad = json.loads(adapter.answer(b"not json"))
    assert bad["ok"] is False and "bad request" in bad["error"]
    assert ask(adapter, {"op": "reset"}) == {"ok": True}


def test_the_adapter_encodes_big_integers_exactly() -> None:
    """CONF-4: amounts beyond 2**53 come back exact, as JSON integers."""
    adapter = Adapter()
    ask(adapter, {"op": "init", "params": example_params().model_dump(mode="json")})
    big = 10**18 - 7
    deposit = {"type": "Deposit", "account": "bob", "asset": "ETH", "amount": big}
    reply = adapter.answer(json.dumps({"op": "step", "action": deposit}).encode())
    assert f'"ETH":{big}'.encode() in reply


def test_the_reference_passes_conform_with_reports(tmp_path: Path) -> None:
    """CONF-12, CONF-17, CONF-19: the reference adapter passes every vector and a campaign;
    the JSON report validates against its exported schema and the JUnit report parses with
    one testcase per vector and one for the campaign."""
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    done = conform(
        ADAPTER, "--steps", "150", "--seed", "3", "--json", str(report), "--junit", str(junit)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout
    data = json.loads(report.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(data)
    assert data["verdict"] == "pass" and data["counts"]["fail"] == 0
    assert data["counts"]["pass"] == len(data["cases"]) > 80
    assert data["campaign"]["status"] == "pass" and data["campaign"]["steps"] >= 150
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(data["cases"]) + 1
    assert suite.get("failures") == "0" and suite.get("tests") == str(len(cases))
    assert {c.get("classname") for c in cases} >= {"vectors.hub", "vectors.adversary", "campaign"}


def test_the_report_schema_is_current() -> None:
    """CONF-19: `python -m conformance.report --check` passes (the schema file is fresh)."""
    done = subprocess.run(
        [sys.executable, "-m", "conformance.report", "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_divergence_is_shrunk_saved_and_replayed(tmp_path: Path) -> None:
    """CONF-14, CONF-18: a campaign divergence is shown as a table, saved as a case file,
    and `--case FILE` replays it: it fails against the buggy build, passes against the
    reference."""
    done = conform(
        bug("any-sender-authentic"),
        "--chapter", "adversary", "--steps", "300", "--per-example", "8",
        "--save", str(tmp_path), "--json", str(tmp_path / "r.json"),
    )  # fmt: skip
    assert done.returncode == 1
    data = json.loads((tmp_path / "r.json").read_text())
    campaign = data["campaign"]
    assert campaign["status"] == "fail" and 1 <= len(campaign["table"]) <= 3
    assert (
        campaign["table"][-1]["path"]
        and campaign["table"][-1]["expected"] != campaign["table"][-1]["got"]
    )
    assert "first difference" in done.stdout
    saved = Path(campaign["case_file"])
    replay_bug = conform(bug("any-sender-authentic"), "--case", str(saved))
    assert replay_bug.returncode == 1 and "vectors: 0 of 1 cases passed" in replay_bug.stdout
    replay_ref = conform(ADAPTER, "--case", str(saved))
    assert replay_ref.returncode == 0, replay_ref.stdout


def test_a_build_declaring_few_chapters_is_sent_only_those(tmp_path: Path) -> None:
    """CONF-5: a build declaring only `hub` gets the hub-only cases; the rest are skipped,
    and the campaign draws only hub moves."""
    script = tmp_path / "hub_only.py"
    script.write_text(
        "import sys, json\n"
        "from conformance.adapter import Adapter\n"
        "a = Adapter('hub only')\n"
        "for line in sys.stdin.buffer:\n"
        "    reply = a.answer(line)\n"
        "    if b'handshake' in line:\n"
        "        d = json.loads(reply); d['chapters'] = ['hub']\n"
        "        reply = json.dumps(d).encode() + b'\\n'\n"
        "    sys.stdout.buffer.write(reply); sys.stdout.buffer.flush()\n"
    )
    report = tmp_path / "r.json"
    done = conform(f"{sys.executable} {script}", "--steps", "60", "--json", str(report))
    assert done.returncode == 0, done.stdout
    data = json.loads(report.read_text())
    ran = [c for c in data["cases"] if c["status"] == "pass"]
    assert ran and all(c["id"].startswith(("hub/",)) for c in ran)
    assert data["counts"]["skip"] > 0


def test_usage_errors_exit_2() -> None:
    """CONF-19, CLI-2: an unknown chapter, a missing case file, an unknown id: one line, 2."""
    for args in (
        ("--chapter", "moon"),
        ("--case", "/no/such/case.json"),
        ("--id", "NOPE-1"),
        ("--steps", "-1"),
    ):
        done = conform(ADAPTER, *args)
        assert done.returncode == 2, args
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_wrong_shaped_reply_is_a_divergence_naming_the_field() -> None:
    """CONF-13: a reply missing a field is judged (not a crash) and names the field."""
    from conformance.session import Expected, judge
    from model.observe import observe
    from model.state import initial_state

    observation = observe(initial_state(example_params()))
    found = judge(b'{"ok":true}', Expected(0, observation=observation))
    assert found is not None and found.got.startswith("a malformed reply: observation")


@pytest.mark.parametrize("window", [1, 32])
def test_pipelined_sessions_judge_in_order(window: int) -> None:
    """CONF-1: with requests written ahead (any window) replies are judged in order; a
    buggy build's first divergence is the one reported."""
    session = Session(Build(bug("healthy-only-above")), window=window)
    try:
        session.open()
        result = run_campaign(session, 200, 0, per_example=6)
    finally:
        session.build.close()
    assert result.divergence is not None
    assert result.divergence.actions[-1].type == "Liquidate"


def test_a_reply_is_judged_by_value_not_by_its_bytes() -> None:
    """CONF-12, CONF-13: the reference's own bytes pass at once; the same value written
    otherwise (spaces, keys in another order) passes after validation; one integer
    changed is a divergence naming its field."""
    from conformance.session import Expected, judge
    from model.observe import observe
    from model.state import initial_state

    observation = observe(initial_state(example_params()))
    exact = b'{"ok":true,"observation":' + observation.model_dump_json().encode() + b"}"
    expected = Expected(0, observation=observation, reply=exact)
    assert judge(exact, expected) is None
    document = json.loads(exact)
    reordered = json.dumps(document, sort_keys=True, indent=1).encode().replace(b"\n", b"")
    assert reordered != exact and judge(reordered, expected) is None
    document["observation"]["hub"]["caps"]["arb"] += 1
    found = judge(json.dumps(document).encode(), expected)
    assert found is not None and found.path == "observation.hub.caps.arb"


def test_a_campaign_spends_its_budget_and_no_more() -> None:
    """CONF-17: a campaign sends at least `--steps` steps and stops within one run of the
    budget; the same seed makes the same campaign."""
    done = []
    for _ in range(2):
        session = Session(Build(ADAPTER))
        try:
            session.open()
            result = run_campaign(session, 300, 4, per_example=10)
        finally:
            session.build.close()
        assert result.divergence is None and not result.broken
        done.append((result.steps, result.examples))
    steps, examples = done[0]
    assert 300 <= steps < 300 + 4 * 10  # a run is at most 10 moves of at most 4 actions
    assert done[0] == done[1] and examples >= 300 / 40
