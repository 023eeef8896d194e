"""`intermargin replay`: a saved trace runs through the model and is judged (TRC-1..TRC-4)."""

import json
from pathlib import Path

import pytest

from intermargin.cli import main
from intermargin.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.mutants import applied, by_name
from intermargin.fuzzing.profiles import MUTANT, profile
from intermargin.fuzzing.traces import failure_trace, save_trace
from model import initial_state
from model.observe import observe
from model.state import SpokeAccount, with_spoke_account
from spec.actions import AdvanceTime
from spec.examples import example_params
from spec.trace import Trace, TraceMeta, TraceStep


def scenario_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The `crash` scenario's trace, as `scenario --json | jq .trace` would save it."""
    assert main(["scenario", "crash", "--json"]) == EXIT_OK
    trace = json.loads(capsys.readouterr().out)["trace"]
    path = tmp_path / "crash.json"
    path.write_text(json.dumps(trace))
    return path


def test_a_scenario_trace_replays_with_every_outcome_as_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-5, TRC-2: the model gives each step the outcome recorded in the trace; exit 0."""
    path = scenario_trace(tmp_path, capsys)
    assert main(["replay", str(path)]) == EXIT_OK
    assert (
        "replayed 33 steps: outcomes as recorded, every invariant held" in capsys.readouterr().out
    )


def test_a_recorded_outcome_the_model_does_not_give_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TRC-2: a divergence names the step, the recorded outcome and the model's; exit 1."""
    path = scenario_trace(tmp_path, capsys)
    trace = json.loads(path.read_text())
    trace["steps"][5]["outcome"] = {"status": "rejected", "error": "PARTITION_CAP", "emitted": []}
    path.write_text(json.dumps(trace))
    assert main(["replay", str(path), "--json"]) == EXIT_FAILED
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [
        "step 6: recorded rejected PARTITION_CAP, the model gives accepted -> #1"
    ]


def test_a_trace_from_a_broken_state_reports_the_invariant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TRC-4: a trace may start from an explicit state; replay checks it too (here a spoke
    line with no allocation behind it breaks INV-CREDIT-1)."""
    params = example_params()
    broken = with_spoke_account(initial_state(params), "arb", "alice", SpokeAccount(line=5))
    trace = Trace(
        params=params,
        initial=observe(broken),
        steps=(TraceStep(action=AdvanceTime(seconds=1)),),
        meta=TraceMeta(source="proof", invariant="INV-CREDIT-1"),
    )
    path = tmp_path / "cex.json"
    path.write_text(trace.model_dump_json())
    assert main(["replay", str(path), "--json"]) == EXIT_FAILED
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings[0].startswith("initial state breaks INV-CREDIT-1: alloc[alice,arb]=0")


@pytest.mark.parametrize(
    "content", ["not json", '{"format": "intermargin-trace/1"}', '{"params": 3, "steps": []}']
)
def test_a_bad_trace_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    """CLI-2: bad input gives one line on stderr and exit code 2."""
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["replay", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("intermargin: error: ")


def test_a_fuzz_failure_is_reproduced_by_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-5, TRC-1: a failure the fuzzer finds (in a model with a planted bug) is saved
    as a trace; `intermargin replay` of that file, under the same model, names the same
    broken invariant at the last step and exits 1."""
    mutant = by_name("release-keeps-line")
    with applied(mutant):
        run = run_machine(profile(MUTANT))
        assert run.failure is not None
        path = save_trace(failure_trace(run.failure), tmp_path)
        code = main(["replay", str(path), "--json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    last = len(run.failure.steps)
    assert code == EXIT_FAILED
    assert f"step {last} breaks {mutant.expected}" in " ".join(findings)


def test_a_replay_can_be_exported_in_itf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TRC-5: one ITF state per step plus the start, integers as bigints, the action and
    outcome of each step, the observable state after it."""
    path = scenario_trace(tmp_path, capsys)
    out = tmp_path / "crash.itf.json"
    assert main(["replay", str(path), "--json", "--itf", str(out)]) == EXIT_OK
    itf = json.loads(out.read_text())
    steps = json.loads(path.read_text())["steps"]
    assert itf["vars"][:2] == ["action", "outcome"]
    assert len(itf["states"]) == len(steps) + 1
    first, last = itf["states"][0], itf["states"][-1]
    assert first["#meta"] == {"index": 0} and first["action"]["tag"] == "Init"
    assert last["action"]["tag"] == steps[-1]["action"]["type"]
    assert last["outcome"]["tag"] == steps[-1]["outcome"]["status"].capitalize()
    end = json.loads(capsys.readouterr().out)["end_state"]
    insurance = dict(map(tuple, last["hub"]["insurance"]["#map"]))
    assert insurance["USD"] == {"#bigint": str(end["hub"]["insurance"]["USD"])}
    assert end["hub"]["insurance"]["USD"] > 50_000  # the crash's penalties reached the fund
    assert last["network"]["next_id"] == {"#bigint": str(end["network"]["next_id"])}
