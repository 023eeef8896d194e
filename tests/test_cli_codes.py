"""Exit codes of `intermargin replay` and `intermargin scenario` (CLI-3), and what
`intermargin scenario` promises to print (CLI-4).  Commands run in-process through
`intermargin.cli.main`."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from intermargin.cli import main
from intermargin.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intermargin.scenarios import SCENARIOS
from model import initial_state, step
from model.observe import observe
from model.state import SpokeAccount, with_spoke_account
from spec.actions import AdvanceTime
from spec.examples import example_params
from spec.observable import ObservableState
from spec.trace import TRACE_FORMAT, Trace, TraceMeta, TraceStep


def scenario_json(name: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """`intermargin scenario NAME --json`, parsed; the command must exit 0."""
    assert main(["scenario", name, "--json"]) == EXIT_OK
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def saved_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The `replay` scenario's trace, saved as `scenario --json | jq .trace` would."""
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(scenario_json("replay", capsys)["trace"]))
    return path


def usage_exit(argv: list[str]) -> int | str | None:
    """The exit code of a command line argparse itself refuses."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code


# --- CLI-3: exit codes ----------------------------------------------------------------------


def test_replay_exits_0_when_every_outcome_matches_and_every_invariant_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-3, CLI-5: a trace replayed as recorded exits 0 and has no findings."""
    path = saved_trace(tmp_path, capsys)
    assert main(["replay", str(path), "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_replay_exits_1_on_a_divergence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-3: a recorded outcome the model does not give is a failed check: exit 1."""
    path = saved_trace(tmp_path, capsys)
    trace = json.loads(path.read_text())
    first = trace["steps"][0]
    assert first["outcome"]["status"] == "accepted"
    first["outcome"] = {"status": "rejected", "error": "INVALID_AMOUNT", "emitted": []}
    path.write_text(json.dumps(trace))
    assert main(["replay", str(path)]) == EXIT_FAILED
    assert "step 1: recorded rejected INVALID_AMOUNT" in capsys.readouterr().out


def test_replay_exits_1_on_a_broken_invariant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-3: a trace whose starting state breaks INV-CREDIT-1 (a line of 7 with nothing
    allocated) is a failed check even though every recorded outcome matches: exit 1."""
    params = example_params()
    broken = with_spoke_account(initial_state(params), "sol", "bob", SpokeAccount(line=7))
    action = AdvanceTime(seconds=5)
    _, outcome = step(broken, action)
    trace = Trace(
        params=params,
        initial=observe(broken),
        steps=(TraceStep(action=action, outcome=outcome),),
        meta=TraceMeta(source="manual"),
    )
    path = tmp_path / "broken.json"
    path.write_text(trace.model_dump_json())
    assert main(["replay", str(path)]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "INV-CREDIT-1" in out
    assert "recorded" not in out


@pytest.mark.parametrize(
    "content",
    [None, "[1, 2", '{"format": "intermargin-trace/1", "steps": []}', '{"params": {}}'],
    ids=["missing", "not-json", "no-params", "bad-params"],
)
def test_replay_exits_2_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    """CLI-3, CLI-2: a missing file, a file that is not JSON, or not a valid trace: exit 2,
    one line on stderr, nothing on stdout."""
    path = tmp_path / "trace.json"
    if content is not None:
        path.write_text(content)
    assert main(["replay", str(path)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_exits_0(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-3: running a named scenario is not a check that can fail: exit 0."""
    assert main(["scenario", name]) == EXIT_OK
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "argv",
    [["scenario", "flash-crash"], ["scenario"], ["scenario", "crash", "--params", "/nonexistent"]],
    ids=["unknown-name", "no-name", "missing-params"],
)
def test_scenario_exits_2_on_bad_input(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-3, CLI-2: an unknown scenario, no NAME, a params file that cannot be read: exit 2,
    one line on stderr."""
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("intermargin: error: ")


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["scenario", "crash", "--bogus"], ["replay"], []],
    ids=["unknown-command", "unknown-option", "missing-file", "no-command"],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-3: a command line the parser refuses exits 2 with an error on stderr."""
    assert usage_exit(argv) == EXIT_USAGE
    captured = capsys.readouterr()
    assert "error:" in captured.err and "Traceback" not in captured.err


def test_an_interrupted_command_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-3: Ctrl-C during a command exits 130 with one line on stderr, no traceback."""
    import intermargin.commands.scenario as scenario_command

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(scenario_command, "main", interrupted)
    assert main(["scenario", "crash"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err


# --- CLI-4: what `scenario` prints ----------------------------------------------------------

ROW = re.compile(r"^│\s*(\d+)\s*│")


def test_the_timeline_shows_story_columns_one_row_per_step_and_the_end_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CLI-4: `scenario crash` prints its title and story, a timeline with the columns step,
    action, outcome, health per account, allocation per spoke against its cap and
    messages in flight, one row per step numbered 1..33, then the end state."""
    chosen = SCENARIOS["crash"]
    assert main(["scenario", "crash"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"crash: {chosen.title}")
    assert chosen.story.split(".")[0] in " ".join(out.split())
    header = next(line for line in out.splitlines() if "action" in line and "outcome" in line)
    columns = [c.strip() for c in header.strip("┃").split("┃")]
    assert columns == ["#", "action", "outcome", "health (equity/req)", "alloc/cap", "in flight"]
    rows = [int(m.group(1)) for line in out.splitlines() if (m := ROW.match(line))]
    assert rows == list(range(1, len(chosen.actions) + 1))
    # a row shows a health figure, an allocation against its cap, and the ids in flight
    assert re.search(r"│ 6 │ Grant alice->arb 4000 .*alice 14600/0 ok .*arb 4000/1M .*1: #1", out)
    for part in ("Accounts at the end", "Spokes at the end", "insurance fund: 50355 USD"):
        assert part in out


def test_scenario_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-4: `--list` names the scenarios, one per line."""
    assert main(["scenario", "--list"]) == EXIT_OK
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == list(SCENARIOS)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_json_is_a_valid_trace_and_observable_end_state(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-4, TRC-1, OBS-1: `--json` prints a trace that validates as spec.trace.Trace (one
    step per action, each with its outcome) and an end state that validates as
    spec.observable.ObservableState and equals the state the trace's replay reaches."""
    data = scenario_json(name, capsys)
    trace = Trace.model_validate_json(json.dumps(data["trace"]))
    end = ObservableState.model_validate_json(json.dumps(data["end_state"]))
    assert trace.format == TRACE_FORMAT
    assert len(trace.steps) == len(SCENARIOS[name].actions)
    assert all(s.outcome is not None for s in trace.steps)
    state = initial_state(trace.params)
    for recorded in trace.steps:
        state, _ = step(state, recorded.action)
    assert observe(state) == end
