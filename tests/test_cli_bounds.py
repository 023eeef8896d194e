"""Output paths checked before a run, bounded inputs, streamed replay, and the small things
a user trips over (CLI-4..CLI-10)."""

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from intermargin import errors, render, timeline
from intermargin.cli import installed_version, main
from intermargin.commands import replay as replay_command
from intermargin.commands import trace as trace_command
from intermargin.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, clip
from intermargin.fuzzing.campaign import run_campaign
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run, to_json
from intermargin.traceability import traceability
from model import initial_state
from model.invariants import no_negative_balances
from proofs.checking import check
from proofs.concretize import trace_of
from spec.actions import AdvanceTime
from spec.examples import example_params
from spec.trace import Trace, TraceMeta, TraceStep


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line of a bad-usage exit (CLI-2), without a traceback."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def crash_trace(tmp_path: Path) -> Path:
    path = tmp_path / "crash.json"
    path.write_text(json.dumps(to_json(run(SCENARIOS["crash"]))["trace"]))
    return path


# --- CLI-7: every output path is checked before the run starts ---------------------------

FILE_OPTIONS = [
    ["verify", "--only", "types", "--json"],
    ["verify", "--only", "types", "--junit"],
    ["prove", "--only", "credit-conservation/init", "--json"],
    ["prove", "--only", "credit-conservation/init", "--junit"],
    ["trace", "--json"],
]


@pytest.mark.parametrize("argv", FILE_OPTIONS, ids=lambda a: f"{a[0]} {a[-1]}")
@pytest.mark.parametrize("where", ["a directory", "a missing parent"])
def test_an_output_file_that_cannot_be_written_is_refused_before_the_run(
    argv: list[str], where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-7: a report path that is a directory or has no parent directory is bad usage,
    found before anything runs (nothing is printed on stdout)."""
    path = tmp_path if where == "a directory" else tmp_path / "missing" / "out.json"
    assert main([*argv, str(path)]) == EXIT_USAGE
    err = one_line_error(capsys)
    assert argv[-1] in err and str(path) in err
    assert capsys.readouterr().out == ""


def test_replay_itf_to_a_directory_or_a_missing_parent_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-7: `replay --itf` checks its output first."""
    trace = crash_trace(tmp_path)
    for out in (tmp_path, tmp_path / "no" / "such.itf.json"):
        assert main(["replay", str(trace), "--itf", str(out)]) == EXIT_USAGE
        assert "--itf" in one_line_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["fuzz", "--steps", "10", "--quiet", "--trace-dir"],
        ["prove", "--only", "credit-conservation/init", "--save-counterexamples"],
    ],
    ids=["fuzz", "prove"],
)
def test_an_output_directory_that_is_a_file_is_refused_before_the_run(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-7: `fuzz --trace-dir FILE` and `prove --save-counterexamples FILE` (or a path
    below a file) are bad usage before the run, so no failure found is lost."""
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for path in (a_file, a_file / "below"):
        assert main([*argv, str(path)]) == EXIT_USAGE
        assert "not a directory" in one_line_error(capsys)
        assert capsys.readouterr().out == ""


# --- CLI-8: bounded inputs, streamed replay, clipped strings --------------------------------


@pytest.mark.parametrize("command", ["replay", "params"])
def test_json_nested_thousands_deep_is_a_one_line_error(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-8: JSON nested 5000 deep is refused by the parser, not a RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text('{"a":' * 5000 + "1" + "}" * 5000)
    argv = ["replay", str(path)] if command == "replay" else ["scenario", "crash", "--params"]
    assert main([*argv, str(path)] if command != "replay" else argv) == EXIT_USAGE
    assert "nested too deeply" in one_line_error(capsys)


def test_a_file_above_the_size_bound_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CLI-8: a file larger than MAX_INPUT_BYTES is a one-line error (bound lowered here)."""
    trace = crash_trace(tmp_path)
    monkeypatch.setattr(errors, "MAX_INPUT_BYTES", trace.stat().st_size - 1)
    assert main(["replay", str(trace)]) == EXIT_USAGE
    assert "input bound" in one_line_error(capsys)
    monkeypatch.setattr(errors, "MAX_INPUT_BYTES", trace.stat().st_size)
    assert main(["replay", str(trace), "--json"]) == EXIT_OK


def test_json_errors_say_where_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-2: the parser's message, with no doubled words ("starting at at line 1")."""
    path = tmp_path / "bad.json"
    path.write_text('{"format": "unterminated')
    assert main(["replay", str(path)]) == EXIT_USAGE
    err = one_line_error(capsys)
    assert "not JSON" in err and "line 1" in err and "at at" not in err


def long_trace(tmp_path: Path, steps: int, note: str = "") -> Path:
    params = example_params()
    trace = Trace(
        params=params,
        steps=tuple(TraceStep(action=AdvanceTime(seconds=1)) for _ in range(steps)),
        meta=TraceMeta(note=note),
    )
    path = tmp_path / "long.json"
    path.write_text(trace.model_dump_json())
    return path


def test_replay_prints_each_batch_of_steps_as_it_is_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CLI-8: the first timeline table is printed when only its batch of steps has been
    replayed, not after the whole trace."""
    path = long_trace(tmp_path, 3 * replay_command.ROWS_PER_TABLE)
    replayed_when_printed: list[int] = []
    stepped = 0
    real_replayed, real_table = timeline.replayed, render.timeline_table

    def counting(*args: Any) -> Any:
        nonlocal stepped
        for record in real_replayed(*args):
            stepped += 1
            yield record

    def table(*args: Any, **kwargs: Any) -> Any:
        replayed_when_printed.append(stepped)
        return real_table(*args, **kwargs)

    monkeypatch.setattr(replay_command, "replayed", counting)
    monkeypatch.setattr(replay_command, "timeline_table", table)
    assert main(["replay", str(path)]) == EXIT_OK
    size = replay_command.ROWS_PER_TABLE
    assert replayed_when_printed == [size, 2 * size, 3 * size]
    assert "replayed 75 steps" in capsys.readouterr().out


def test_a_long_note_from_a_trace_is_cut_in_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-8: a megabyte of note in a trace's meta is printed cut, with a count."""
    path = long_trace(tmp_path, 1, note="x" * 1_000_000)
    assert main(["replay", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert len(out) < 20_000
    assert "more characters" in out


def test_clip_keeps_short_text_and_cuts_long_text_to_one_line() -> None:
    """CLI-8: clip is the identity on a short line and cuts a long one to its bound."""
    assert clip("short text") == "short text"
    cut = clip("a\nb " * 1000, 50)
    assert "\n" not in cut and cut.startswith("a b a b") and "(3949 more characters)" in cut


# --- CLI-9, CLI-10, and small things ---------------------------------------------------------


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-9: `intermargin --version` exits 0 with the installed version."""
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"intermargin {installed_version()}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", installed_version())


@pytest.mark.parametrize("asked", [1, 40, 400])
def test_fuzz_runs_about_the_steps_asked(asked: int, tmp_path: Path) -> None:
    """CLI-10: a campaign of N model steps starts no run once N have run; a single run is
    its setup and at most N rules, so `--steps 1` is one short run, not a hundred steps."""
    result = run_campaign(asked, seed=7, trace_dir=tmp_path)
    assert result.failure is None
    assert asked <= result.coverage.model_steps <= 2 * asked + 20
    if asked < 100:
        assert result.coverage.runs == 1


def test_fuzz_says_how_steps_are_counted_when_it_passes_the_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-10: the summary says that runs are whole when it ran more than asked."""
    argv = ["fuzz", "--steps", "1", "--seed", "3", "--quiet", "--trace-dir", str(tmp_path)]
    assert main(argv) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    assert re.search(r"\d+ model steps in 1 run,", out)
    assert "(asked for 1: a run is never cut short" in out


def test_a_negative_balance_names_its_key_without_python_syntax() -> None:
    """INV-NONNEG-1: the message reads `alloc[alice, arb]`, not a tuple repr."""
    state = initial_state(example_params())
    alloc = {**state.hub.alloc, ("alice", "arb"): -1}
    broken = replace(state, hub=replace(state.hub, alloc=alloc))
    assert no_negative_balances(broken) == "alloc[alice, arb] = -1 is negative"


def test_trace_gaps_with_no_gaps_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CLI-6: `trace --gaps` with every requirement verified prints "no gaps", not an empty
    table; with a gap it shows the table of gaps."""
    rows = traceability()
    verified = [r for r in rows if r.verified]
    monkeypatch.setattr(trace_command, "traceability", lambda: verified)
    assert main(["trace", "--gaps"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("no gaps")
    assert "Requirement traceability" not in out
    gap = replace(verified[0], implemented_by=(), proved_by=(), tested_by=())
    assert not gap.verified
    monkeypatch.setattr(trace_command, "traceability", lambda: [gap, *verified[1:]])
    assert main(["trace", "--gaps"]) == EXIT_FAILED
    assert "Requirement traceability" in capsys.readouterr().out


def test_scenario_list_with_a_name_shows_only_that_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CLI-4: `scenario --list hedged` lists hedged alone; an unknown name is bad usage."""
    assert main(["scenario", "--list", "hedged"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hedged ")
    assert main(["scenario", "--list", "nope"]) == EXIT_USAGE
    assert "unknown scenario" in one_line_error(capsys)


def test_replaying_a_mutant_counterexample_says_the_mutation_is_only_in_the_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-5, TRC-3: the saved counterexample of an encoding mutant names the mutant; its
    replay through the unmutated model holds, and says why."""
    verdict = check("credit-conservation/step/ReleaseCredit", mutant="release-without-debit")
    assert verdict.counterexample is not None
    trace = trace_of(verdict.counterexample, "release-without-debit")
    assert trace.meta.mutant == "release-without-debit"
    path = tmp_path / "cex.json"
    path.write_text(trace.model_dump_json())
    assert main(["replay", str(path)]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    assert "every invariant held" in out
    assert "the mutation lives only in the encoding, not in the reference model" in out


def test_a_failed_replay_of_a_plain_trace_does_not_mention_mutants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-5: the mutant sentence is only for a trace that names a mutant."""
    assert main(["replay", str(crash_trace(tmp_path))]) == EXIT_OK
    assert "mutant" not in capsys.readouterr().out
