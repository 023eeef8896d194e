"""Proof verdicts are bounded by Z3's resource limit, not by the clock (PROOF-BUDGET-1..3),
and the options that bound resources refuse nonsense in one line (CLI-LIMIT-1, CLI-LIMIT-2)."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import z3

from intermargin.cli import main
from intermargin.errors import EXIT_USAGE
from intermargin.limits import MAX_JOBS
from proofs.bmc import DEFAULT_BMC_BUDGET, propagation
from proofs.budget import Budget
from proofs.checking import DEFAULT_BUDGET, Verdict, check, check_obligation
from proofs.obligations import Obligation
from proofs.premises import Query
from proofs.report import to_json, to_junit

f = z3.Function("budget.f", z3.IntSort(), z3.IntSort())
i = z3.Int("budget.i")
DESCENDING = z3.ForAll([i], z3.And(f(i) > f(i + 1), f(i) >= 0))
HARD = Obligation(
    "test/hard",
    "INV-TEST",
    "safety",
    lambda u, t: [Query(z3.BoolVal(True), z3.Not(DESCENDING), z3.BoolVal(True))],
)
"""A claim Z3 keeps instantiating quantifiers for: it never answers, whatever the budget."""

BURN = "while True: pass"


@contextmanager
def busy_cores() -> Iterator[list[subprocess.Popen[bytes]]]:
    """One busy-looping process per core for the duration of the block, each stopped by its
    own pid afterwards."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(os.cpu_count() or 2)]
    try:
        yield burners
    finally:
        for b in burners:
            b.kill()
            b.wait()


def prove_json(tmp_path: Path, name: str) -> dict[str, Any]:
    """`intermargin prove` of a few step obligations in a fresh process, its JSON report."""
    out = tmp_path / f"{name}.json"
    argv = ["prove", "--only", "*/step/DeliverLiqReport", "--jobs", "1", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "intermargin.cli", *argv], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def test_a_loaded_machine_gives_the_same_verdicts_with_the_same_resource_use(
    tmp_path: Path,
) -> None:
    """PROOF-BUDGET-1: the same obligations proved quietly and while busy processes keep
    every core loaded get the same verdicts, each after exactly the same amount of Z3's
    resource counter: the limit on it, not the clock, decides."""
    quiet = prove_json(tmp_path, "quiet")
    with busy_cores() as burners:
        loaded = prove_json(tmp_path, "loaded")
        assert all(b.poll() is None for b in burners), "the load stopped before the proof did"
    rows = [
        [(o["name"], o["result"], o["rlimit"]) for o in r["obligations"]] for r in (quiet, loaded)
    ]
    assert rows[0] == rows[1]
    assert len(rows[0]) >= 5 and all(result == "proved" and used > 0 for _, result, used in rows[0])


def test_a_query_past_its_resource_limit_is_unknown_and_says_the_rlimit_ran_out() -> None:
    """PROOF-BUDGET-1, PROOF-BUDGET-3: the rlimit decides; the verdict names it."""
    verdict = check_obligation(HARD, Budget(rlimit=50_000, timeout_s=600))
    assert (verdict.result, verdict.exhausted) == ("unknown", "rlimit")
    assert verdict.detail == "rlimit 50000 exhausted"
    assert verdict.rlimit >= 50_000


def test_the_wall_clock_safety_net_is_reported_as_a_slow_machine_never_a_counterexample() -> None:
    """PROOF-BUDGET-2, PROOF-BUDGET-3: a query stopped by the clock is unknown, blamed on the
    machine, with no counterexample."""
    verdict = check_obligation(HARD, Budget(rlimit=10**12, timeout_s=0.2))
    assert (verdict.result, verdict.exhausted) == ("unknown", "wall-clock")
    assert verdict.detail.startswith("machine too slow")
    assert verdict.counterexample is None


def test_reports_say_which_resource_ran_out_and_only_for_unknown() -> None:
    """PROOF-BUDGET-3: the JSON report has `exhausted` on an unknown verdict only; the JUnit
    failure message says "unknown: rlimit N exhausted"."""
    proved = check("partition-caps/init")
    unknown = check_obligation(HARD, Budget(rlimit=50_000))
    slow = check_obligation(HARD, Budget(rlimit=10**12, timeout_s=0.2))
    verdicts: list[Verdict] = [proved, unknown, slow]
    report = json.loads(json.dumps(to_json(verdicts, seconds=1.0, timeout_s=600, rlimit=50_000)))
    rows = report["obligations"]
    assert "exhausted" not in rows[0]
    assert (rows[1]["exhausted"], rows[2]["exhausted"]) == ("rlimit", "wall-clock")
    assert report["rlimit"] == 50_000 and rows[0]["rlimit"] == proved.rlimit > 0
    cases = ET.fromstring(to_junit(verdicts, seconds=1.0)).findall("testsuite/testcase")
    assert cases[0].find("failure") is None
    failures = [c.find("failure") for c in cases[1:]]
    messages = [x.get("message") for x in failures if x is not None]
    assert messages[0] == "INV-TEST unknown: rlimit 50000 exhausted"
    assert messages[1] is not None and messages[1].startswith("INV-TEST unknown: machine too slow")


def test_prove_reports_an_exhausted_rlimit_in_its_json(tmp_path: Path) -> None:
    """PROOF-BUDGET-3, CLI-3: `prove --rlimit` too small for an obligation exits 1, and the
    JSON report marks that verdict unknown with the rlimit exhausted."""
    out = tmp_path / "r.json"
    argv = ["prove", "--only", "atomic-rejection/step/DeliverLiqReport", "--rlimit", "1000"]
    assert main([*argv, "--jobs", "1", "--json", str(out)]) == 1
    [row] = json.loads(out.read_text())["obligations"]
    assert (row["result"], row["exhausted"]) == ("unknown", "rlimit")
    assert row["detail"] == "rlimit 1000 exhausted"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["prove", "--timeout", "inf"], "finite positive"),
        (["prove", "--timeout", "nan"], "finite positive"),
        (["prove", "--timeout", "-1"], "finite positive"),
        (["prove", "--timeout", "soon"], "not a number"),
        (["prove", "--rlimit", "0"], "positive whole number"),
        (["prove", "--rlimit", "1e9"], "not a whole number"),
        (["prove", "--jobs", "0"], f"between 1 and {MAX_JOBS}"),
        (["prove", "--jobs", "100000"], f"between 1 and {MAX_JOBS}"),
        (["verify", "--jobs", "100000"], f"between 1 and {MAX_JOBS}"),
        (["verify", "--timeout", "inf"], "finite positive"),
        (["verify", "--rlimit", "-5"], "positive whole number"),
        (["verify", "--contract-timeout", "inf"], "finite positive"),
        (["verify", "--contract-iterations", "0"], "positive whole number"),
        (["verify", "--contract-iterations", "many"], "not a whole number"),
    ],
)
def test_a_bad_budget_or_job_count_is_one_line_and_exit_two(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI-LIMIT-1, CLI-LIMIT-2, CLI-2: nonsense bounds stop before any work, in one line."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == EXIT_USAGE
    assert len(err.strip().splitlines()) == 1 and says in err
    assert "Traceback" not in err


def test_a_bmc_query_past_its_resource_limit_is_unknown_and_says_so() -> None:
    """PROOF-BUDGET-1, PROOF-BUDGET-3, INV-LIQ-2: the propagation BMC stops at the first K
    whose query runs out of rlimit: not proved, and its JSON and JUnit say which resource."""
    result = propagation(spokes=1, budget=replace(DEFAULT_BMC_BUDGET, rlimit=100_000))
    assert not result.ok and result.bound is None
    assert (result.exhausted, result.detail) == (
        "rlimit",
        "unknown at K=1: rlimit 100000 exhausted",
    )
    data = result.as_json()
    assert data["exhausted"] == "rlimit"
    [case] = ET.fromstring(to_junit([], seconds=1.0, bmc=data)).findall("testsuite/testcase")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "INV-LIQ-2 unknown at K=1: rlimit 100000 exhausted"


def test_the_solver_is_part_of_the_budget_and_moves_counts_never_verdicts() -> None:
    """PROOF-BUDGET-5: obligations go to the SMT core alone, the BMC to Z3's default solver
    with its tactics; the heaviest obligations are proved by either, the same count each
    time with the same budget, a different count with the other solver."""
    assert not DEFAULT_BUDGET.preprocess and DEFAULT_BMC_BUDGET.preprocess
    assert isinstance(DEFAULT_BUDGET.solver(z3.Context()), z3.Solver)
    with_tactics = Budget(rlimit=7_000_000, preprocess=True)  # their budget before
    for name in ("channels-safe/step/ForceSettle", "capacity-at-commit/step/GrantCredit"):
        core, again, tactics = (
            check(name, b) for b in (DEFAULT_BUDGET, DEFAULT_BUDGET, with_tactics)
        )
        assert core.result == tactics.result == "proved"
        assert core.rlimit == again.rlimit != tactics.rlimit
    # the BMC's older arithmetic solver: the same bound, another count
    assert dict(DEFAULT_BMC_BUDGET.options) == {"arith.solver": 2}
    plain = propagation(spokes=1, budget=replace(DEFAULT_BMC_BUDGET, options=()))
    older = propagation(spokes=1)
    assert (plain.bound, plain.tight) == (older.bound, older.tight) == (2, True)
    assert plain.rlimit != older.rlimit
