"""`intermargin stress` (CLI-STRESS-1): its JSON validates against its schema, the same seed
gives the same report on a local pool of any size and on a Dask cluster, the report
directory holds readable figures with their data, and bad input is one line, exit 2
(STRESS-7, STRESS-8, STRESS-11, STRESS-12, CLI-2, CLI-11)."""

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import matplotlib.image
import pytest
from distributed import LocalCluster

from intermargin.cli import main
from intermargin.errors import EXIT_OK, EXIT_USAGE
from spec.examples import example_params
from spec.schema import SCHEMA_DIR

TINY = ["stress", "--accounts", "4", "--steps", "12", "--paths", "2", "--quiet", "--seed", "3"]
SWEEP = ["--sweep", "latency=2,600", "--sweep", "penalty=100,900"]


def stress_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*TINY, *argv, "--json"]) == EXIT_OK
    out: str = capsys.readouterr().out
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A one-worker Dask cluster in this process, on loopback."""
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        assert local.scheduler_address.startswith("tcp://127.0.0.1:")
        yield local


def test_the_report_validates_against_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-STRESS-1, CLI-11: `--json` validates with jsonschema; the schema refuses an
    unknown key; one point per setting of the grid, each with a figure per spoke."""
    report: dict[str, Any] = json.loads(stress_json([*SWEEP, "--workers", "1"], capsys))
    schema = json.loads((SCHEMA_DIR / "stress-report.schema.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator(schema)
    checker.validate(report)
    assert not checker.is_valid({**report, "unexpected": 1})
    assert [p["setting"] for p in report["points"]] == [
        {"latency": 2, "penalty": 100},
        {"latency": 2, "penalty": 900},
        {"latency": 600, "penalty": 100},
        {"latency": 600, "penalty": 900},
    ]
    assert all(set(p["metrics"]["socialized"]) == {"arb", "base", "sol"} for p in report["points"])
    assert report["engine"].startswith("stresslab.")
    assert [c["latency_s"] for c in report["coverage"]] == [2, 600]


def test_the_same_seed_gives_the_same_report_on_one_worker_two_or_a_dask_cluster(
    cluster: LocalCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    """STRESS-7, STRESS-12: byte-equal JSON from a pool of 1, a pool of 2 and Dask; another
    seed gives another report."""
    one = stress_json([*SWEEP, "--workers", "1"], capsys)
    two = stress_json([*SWEEP, "--workers", "2"], capsys)
    dask = stress_json([*SWEEP, "--scheduler", cluster.scheduler_address], capsys)
    assert one == two == dask
    assert main([*TINY[:-1], "4", *SWEEP, "--workers", "1", "--json"]) == EXIT_OK
    assert capsys.readouterr().out != one


def test_the_report_directory_holds_figures_and_their_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """STRESS-11: stress.json; each figure a PNG, its data as CSV and JSON with the same
    rows, its title the parameter set."""
    out = tmp_path / "report"
    assert main([*TINY, *SWEEP, "--workers", "1", "--report", str(out)]) == EXIT_OK
    assert "bad debt" in capsys.readouterr().out
    assert json.loads((out / "stress.json").read_text())["format"] == "intermargin-stress/1"
    for name in ("coverage", "capital_efficiency", "bad_debt"):
        image = matplotlib.image.imread(out / f"{name}.png")
        assert image.shape[0] > 200 and image.shape[1] > 300
        data = json.loads((out / f"{name}.json").read_text())
        assert "z=3" in data["title"] and "seed 3" in data["title"]
        with open(out / f"{name}.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == len(data["rows"]) > 0
        for row, expected in zip(rows, data["rows"], strict=True):
            assert row.keys() == expected.keys()
            assert all(str(expected[k]) == row[k] for k in row)


def test_no_sweep_writes_no_bad_debt_figure(tmp_path: Path) -> None:
    """STRESS-11: the bad debt figure plots swept knobs; without a sweep there is none."""
    out = tmp_path / "report"
    assert main([*TINY, "--accounts", "2", "--workers", "1", "--report", str(out)]) == EXIT_OK
    assert (out / "coverage.png").exists() and not (out / "bad_debt.png").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sweep", "gamma=1,2"], "unknown parameter 'gamma'"),
        (["--sweep", "latency=-5"], "outside"),
        (["--sweep", "latency=2;12"], "not a number"),
        (["--sweep", "latency"], "expected NAME=V1,V2"),
        (["--family", "martingale"], "unknown family 'martingale'"),
        (["--accounts", "0"], "--accounts must be between"),
        (["--vol", "-3"], "--vol must be between"),
        (["--crash", "lots"], "not a number"),
        (["--paths", "x"], "invalid int value"),
        (["--scheduler", "nonsense://nowhere"], "cannot reach the Dask scheduler"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-STRESS-1, CLI-2, STRESS-8: one line on stderr, exit 2, no traceback, nothing on
    stdout."""
    try:
        code = main([*TINY, *argv])
    except SystemExit as e:  # argparse's own usage errors
        code = e.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_family_the_parameters_cannot_open_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-STRESS-1, STRESS-1: without options, the option families are refused in one line
    before any path runs; the perpetual families still run."""
    params = example_params()
    perps_only = params.model_copy(
        update={"markets": tuple(m for m in params.markets if m.kind == "perp")}
    )
    path = tmp_path / "perps.json"
    path.write_text(perps_only.model_dump_json())
    assert main([*TINY, "--params", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no call for the delta_neutral family" in err and len(err.strip().splitlines()) == 1
    argv = [*TINY, "--params", str(path), "--family", "hedged", "--accounts", "2", "--workers", "1"]
    assert main([*argv, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["families"] == ["hedged"]


def test_stress_help_names_every_option_and_knob(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-1, CLI-STRESS-1: `intermargin stress --help` exits 0 and explains every option
    and every sweepable knob."""
    with pytest.raises(SystemExit) as stop:
        main(["stress", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    options = ("--sweep", "--scheduler", "--workers", "--report", "--json", "--family", "--vol")
    assert all(option in text for option in options)
    assert all(f"{knob} (" in text for knob in ("latency", "vol", "penalty", "z", "cap"))
