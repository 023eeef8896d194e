"""`intermargin verify`: one run, one verdict, reports for CI (VER-1..VER-5)."""

import json
import multiprocessing
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from intermargin.cli import main
from intermargin.commands.verify import Plain, guarded
from intermargin.errors import EXIT_OK, EXIT_USAGE
from intermargin.verify import Check, CheckResult, Part, Settings, Split
from intermargin.verify.checks import CHECKS
from intermargin.verify.laws import LAWS, risk_laws
from intermargin.verify.schedule import run_checks
from intermargin.verify.subprocesses import contracts, types
from tests.helpers import scan_adding_marks

SETTINGS = Settings()

BROKEN_LAW = '''
from model.risk import haircut_value


def larger_haircut_raises_capacity(amount: int, price: int, h: int, larger: int) -> bool:
    """A false law: a larger haircut never lowers what collateral counts for.

    pre: amount >= 0 and price >= 0 and 0 <= h <= larger < 10000
    post: __return__
    """
    return haircut_value(amount, price, larger) >= haircut_value(amount, price, h)
'''


def test_verify_writes_one_verdict_as_a_table_json_and_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """VER-1: the checks run, the summary table names each with what it covers, and the
    JSON and JUnit reports agree with the exit code."""
    report, junit = tmp_path / "v.json", tmp_path / "v.xml"
    only = ["--only", "traceability", "--only", "types"]
    code = main(["verify", *only, "--json", str(report), "--junit", str(junit)])
    out = capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["format"] == "intermargin-verify/1"
    assert [c["name"] for c in data["checks"]] == ["types", "traceability"]
    assert data["ok"] is (code == EXIT_OK) is all(c["status"] == "passed" for c in data["checks"])
    assert code == EXIT_OK, out
    assert "CLI-6" in data["checks"][1]["covers"]
    root = ET.fromstring(junit.read_text())
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    assert [c.get("name") for c in suite.iter("testcase")] == ["types", "traceability"]
    assert "every check passed" in out and "intermargin verify" in out


def test_every_check_is_named_and_covers_some_requirement() -> None:
    """VER-1: verify runs the proofs, the state machine, the differential checks, the risk
    laws, the contracts, the types and traceability, each tagged with the ids it covers."""
    names = [c.name for c in CHECKS]
    assert names == [
        "proofs",
        "state-machine",
        "differential",
        "risk-laws",
        "contracts",
        "vectorized",
        "types",
        "traceability",
    ]
    assert all(c.covers for c in CHECKS)


def test_a_check_that_crashes_has_failed() -> None:
    """VER-2: a checker that raises does not pass and does not stop the others."""

    def explode(settings: Settings) -> object:
        raise RuntimeError("solver went away")

    result = guarded(Check("boom", ("VER-2",), explode), SETTINGS)  # type: ignore[arg-type]
    assert result.status == "failed"
    assert "solver went away" in result.summary


def test_contracts_that_reach_nothing_fail() -> None:
    """VER-2: CrossHair run over a module without a single contract checked nothing: that
    is a failure, not a pass."""
    result = contracts(SETTINGS, modules=("spec.bounds",))
    assert result.status == "failed"
    assert "CrossHair checked no condition" in result.details


def test_the_risk_contracts_hold_and_a_broken_law_is_caught(tmp_path: Path) -> None:
    """VER-3: the real contracts pass (some confirmed on all paths); a false law about the
    same kernel gets a counterexample and fails the check."""
    real = contracts(SETTINGS)
    assert real.status == "passed", real.details
    assert "0 broken" in real.summary and " confirmed on all paths" in real.summary
    law = tmp_path / "broken_law.py"
    law.write_text(BROKEN_LAW)
    broken = contracts(SETTINGS, modules=(str(law),))
    assert broken.status == "failed"
    assert any("false when calling" in line for line in broken.details), broken.details


def test_the_packages_type_check_strictly() -> None:
    """VER-4: mypy --strict over every package reports no error."""
    result = types(SETTINGS)
    assert result.status == "passed", result.details
    assert result.summary.startswith("Success")


def test_an_unknown_check_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """CLI-2: naming a check that does not exist is one line and exit code 2."""
    assert main(["verify", "--only", "everything"]) == EXIT_USAGE
    assert "no check named 'everything'" in capsys.readouterr().err


def test_the_risk_laws_hold() -> None:
    """VER-5: every law of model/laws.py holds on every drawn input, each law drawn many times."""
    result = risk_laws(SETTINGS)
    assert result.status == "passed", result.details
    laws = len(LAWS)
    assert f"{laws} laws on {laws * 200} drawn inputs" in result.summary


def test_a_scan_that_adds_the_marks_fails_the_risk_laws(monkeypatch: pytest.MonkeyPatch) -> None:
    """VER-5, RISK-7: the mutant scan that adds the two marks instead of subtracting them
    (`value_changes`), which every other check let through, fails the risk-laws check: a book
    loses in the scenario where nothing moves, and a perpetual's loss is not its price change."""
    import model.span

    monkeypatch.setattr(model.span, "value_changes", scan_adding_marks)
    result = risk_laws(SETTINGS, max_examples=50)
    assert result.status == "failed"
    broken = "\n".join(result.details)
    assert "RISK-7 (no move, no loss)" in broken
    assert "RISK-7 (a perpetual loses the price change)" in broken


# --- VER-RUN-1, VER-RUN-2: checks side by side, with progress ---------------------------


def meet(barrier: Any, value: int) -> int:
    """A part that can only finish if another part runs at the same time."""
    barrier.wait(timeout=120)
    return value


def fail_part() -> int:
    raise RuntimeError("part went away")


def summed(results: list[Any], seconds: float) -> CheckResult:
    return CheckResult("passed", seconds, f"sum {sum(results)}")


@dataclass
class Heard:
    """Events, as the console would hear them."""

    said: list[tuple[str, ...]] = field(default_factory=list)

    def started(self, check: str, parts: int, unit: str) -> None:
        self.said.append(("started", check, str(parts)))

    def progress(self, check: str, text: str) -> None:
        self.said.append(("progress", check, text))

    def part_done(self, check: str, done: int, total: int) -> None:
        self.said.append(("part", check, f"{done}/{total}"))

    def finished(self, check: str, result: CheckResult) -> None:
        self.said.append(("finished", check, result.status, result.summary))


def test_parts_of_checks_run_side_by_side_and_each_verdict_joins_its_parts() -> None:
    """VER-RUN-1, VER-2: two parts that must meet at a barrier both finish (they ran at the
    same time in the pool of two workers); each check's verdict joins its own parts; a
    part that crashes fails its check and not the other."""
    with multiprocessing.Manager() as manager:
        barrier = manager.Barrier(2)
        pair = Check(
            "pair",
            ("VER-RUN-1",),
            lambda s: CheckResult("failed", 0, "not run whole"),
            lambda s: Split([Part("a", meet, (barrier, 1)), Part("b", meet, (barrier, 2))], summed),
        )
        broken = Check(
            "broken",
            ("VER-2",),
            lambda s: CheckResult("failed", 0, "not run whole"),
            lambda s: Split([Part("boom", fail_part)], summed),
        )
        heard = Heard()
        results = run_checks([pair, broken], SETTINGS, 2, heard)
    assert results["pair"].status == "passed" and results["pair"].summary == "sum 3"
    assert results["broken"].status == "failed" and "part went away" in results["broken"].summary
    finished = [s for s in heard.said if s[0] == "finished"]
    assert sorted(s[1] for s in finished) == ["broken", "pair"]
    assert ("part", "pair", "2/2") in heard.said
    assert [s[:2] for s in heard.said[:2]] == [("started", "pair"), ("started", "broken")]


def test_off_a_terminal_each_check_says_it_started_how_far_it_is_and_its_result() -> None:
    """VER-RUN-2: plain progress lines: what runs, how far, and the result line when done."""
    console = Console(record=True, width=120, force_terminal=False)
    plain = Plain(console)
    plain.started("proofs", 269, "proofs")
    plain.progress("proofs", "ignored: too soon after the start line")
    plain.last["proofs"] = 0.0
    plain.part_done("proofs", 100, 269)
    plain.finished("proofs", CheckResult("passed", 12.5, "268 of 268 obligations proved"))
    lines = console.export_text().splitlines()
    assert lines == [
        "verifying: proofs (269 proofs)",
        "  proofs: 100/269 proofs done",
        "passed proofs (12.5s): 268 of 268 obligations proved",
    ]
