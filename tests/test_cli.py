"""The command line: help texts, `intermargin scenario`, and bad input as one line, exit 2.

Commands run in-process through `intermargin.cli.main`; one test runs the module as
a separate process, as a user or CI would.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from intermargin.cli import main
from intermargin.errors import EXIT_USAGE
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import margins, run
from model import initial_state, step
from model.observe import observe
from spec.errors import Error
from spec.examples import example_params
from spec.observable import ObservableState
from spec.trace import Trace


def exit_code_of(argv: list[str]) -> int | str | None:
    """The exit code of a command that ends by SystemExit (argparse's --help)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """Assert stderr is exactly one line, without a traceback, and return it."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err


def test_top_level_help_exits_0_and_lists_the_scenario_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CLI-1: `intermargin --help` describes the tool and its commands."""
    assert exit_code_of(["--help"]) == 0
    out = capsys.readouterr().out
    assert "interoperable margin" in out and "scenario" in out


def test_scenario_help_exits_0_and_names_every_option_and_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CLI-1: `intermargin scenario --help` explains NAME, --list, --params, --json."""
    assert exit_code_of(["scenario", "--help"]) == 0
    out = capsys.readouterr().out
    for word in ("NAME", "--list", "--params", "--json", *SCENARIOS):
        assert word in out


def test_scenario_list_prints_every_name_with_its_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`scenario --list`: one line per scenario, name then title."""
    assert main(["scenario", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(SCENARIOS)
    assert all(s.title in line for s, line in zip(SCENARIOS.values(), lines, strict=True))


def test_scenario_crash_prints_its_timeline_and_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`scenario crash` exits 0 and shows actions, outcomes, health and the end state."""
    assert main(["scenario", "crash"]) == 0
    out = capsys.readouterr().out
    for text in (
        "Timeline",
        "Trade arb alice ETH-PERP +10 @2000",
        "accepted -> #8 #9 #10",
        "ignored STALE_REPORT",
        "rejected MARGIN_CALLED",
        "alice 6260/7095 LOW",
        "2845 USD",
        "50355 USD",
    ):
        assert text in out, text


def test_scenario_netting_summary_compares_netted_and_isolated_margin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """RISK-8: the netting summary shows each venue's isolated margin (arb 2993 and base 1796,
    derived in tests/test_scenarios.py), their sum, the netted margin and the saving, as
    the timeline computes them."""
    assert main(["scenario", "netting"]) == 0
    out = capsys.readouterr().out
    assert "sum of venues (isolated)" in out and "all venues netted" in out
    m = margins(run(SCENARIOS["netting"]).final, "alice")
    assert m is not None
    for number in ("2993", "1796", str(m.isolated), str(m.netted), str(m.saved)):
        assert number in out


def test_scenario_json_is_a_replayable_trace_and_the_end_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """TRC-1, OBS-1: `--json` gives the steps as a trace that, replayed through the model,
    reproduces every outcome and the printed end state."""
    assert main(["scenario", "replay", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "replay"
    trace = Trace.model_validate_json(json.dumps(data["trace"]))
    assert trace.meta.source == "scenario"
    state = initial_state(trace.params)
    for recorded in trace.steps:
        state, outcome = step(state, recorded.action)
        assert outcome == recorded.outcome
    assert observe(state) == ObservableState.model_validate_json(json.dumps(data["end_state"]))


def test_params_file_replaces_the_parameters_and_unknown_ids_show_as_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """STEP-2: under parameters without the spoke `sol`, crash's steps naming sol are
    rejected UNKNOWN_SPOKE and the run still goes to the end."""
    params = example_params()
    params = params.model_copy(update={"spokes": params.spokes[:2]})
    path = tmp_path / "params.json"
    path.write_text(params.model_dump_json())
    assert main(["scenario", "crash", "--params", str(path), "--json"]) == 0
    trace = Trace.model_validate_json(json.dumps(json.loads(capsys.readouterr().out)["trace"]))
    assert [s.id for s in trace.params.spokes] == ["arb", "base"]
    errors = [s.outcome.error for s in trace.steps if s.outcome is not None]
    assert errors.count(Error.UNKNOWN_SPOKE) == 2  # the grant to sol and sol's trade
    assert len(trace.steps) == len(SCENARIOS["crash"].actions)


def test_unknown_scenario_is_one_line_on_stderr_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CLI-2: bad input: one line, exit 2, no traceback."""
    assert main(["scenario", "flash-crash"]) == EXIT_USAGE
    assert "unknown scenario 'flash-crash'" in one_line_error(capsys)


def test_scenario_without_a_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-2: `scenario` needs NAME or --list."""
    assert main(["scenario"]) == EXIT_USAGE
    assert "NAME" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not JSON"),
        (
            json.dumps(
                json.loads(example_params().model_dump_json())
                | {"spokes": [{"id": "arb", "cap": -1, "latency_s": 2}]}
            ),
            "spokes.0.cap",
        ),
        (None, "cannot read"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
    ],
    ids=["not-json", "negative-cap", "missing-file", "binary-file"],
)
def test_malformed_params_file_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, expected: str
) -> None:
    """CLI-2, PAR-3: a params file that is missing, not text, not JSON, or out of bounds."""
    path = tmp_path / "params.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert main(["scenario", "crash", "--params", str(path)]) == EXIT_USAGE
    assert expected in one_line_error(capsys)


def test_the_module_runs_as_a_program_and_its_timeline_fits_120_columns() -> None:
    """CLI-1: `python -m intermargin.cli scenario oracle-outage` exits 0 with the timeline
    on stdout, nothing on stderr, no line wider than 120 columns."""
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", "scenario", "oracle-outage"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "rejected PRICE_UNAVAILABLE" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 120
