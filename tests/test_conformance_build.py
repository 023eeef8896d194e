"""The harness against builds that break (CONF-15): each gets a one-line verdict, never a
traceback or a hang, and the harness restarts the build and goes on (CONF-16)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conform_helpers import CASE, ROOT, conform

BROKEN = f"{sys.executable} {ROOT / 'tests' / 'builds' / 'broken.py'}"

VERDICTS = {
    "crash": "crashed (exit code 3) before answering the step 1 request; stderr: fatal: the "
    "ledger is on fire",
    "hang": "hung: no reply to the step 1 request within 1 s",
    "garbage": "garbage: the reply to step 1 is not JSON: 'hello, world'",
    "partial": "hung: no reply to the step 1 request within 1 s (after a partial line of 17 "
    'bytes: \'{"ok":true,"outco\')',
    "partial-exit": "exited early (exit code 0) before answering the step 1 request (after a "
    "partial line of 17 bytes",
    "early": "exited early (exit code 0) before answering the step 1 request",
}


@pytest.mark.parametrize("mode", sorted(VERDICTS))
def test_a_broken_build_gets_its_one_line_verdict(mode: str, tmp_path: Path) -> None:
    """CONF-15: crash, hang, garbage, partial line and early exit each give one line naming
    what happened, exit 1, and no traceback."""
    done = conform(f"{BROKEN} {mode}", "--case", str(CASE), "--timeout", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    verdict_lines = [line for line in done.stdout.splitlines() if "build broken" in line]
    assert len(verdict_lines) == 1, done.stdout
    assert VERDICTS[mode] in verdict_lines[0]
    assert "Traceback" not in done.stdout + done.stderr


def test_a_crashing_build_is_restarted_for_every_case(tmp_path: Path) -> None:
    """CONF-15, CONF-16: after a crash the harness restarts the build and runs the next
    case; every case gets its own verdict."""
    done = conform(f"{BROKEN} crash", "--chapter", "governance", "--steps", "0", cwd=tmp_path)
    broken = [line for line in done.stdout.splitlines() if "build broken: crashed" in line]
    assert done.returncode == 1
    assert len(broken) >= 5
    assert "vectors: 0 of" in done.stdout


def test_a_build_that_cannot_start_is_a_verdict(tmp_path: Path) -> None:
    """CONF-15: a command that does not exist is reported in one line, exit 1."""
    done = conform("/no/such/build", "--case", str(CASE), cwd=tmp_path)
    assert done.returncode == 1
    assert "build broken: cannot start '/no/such/build'" in done.stdout
    assert "Traceback" not in done.stderr


def test_the_harness_never_waits_past_the_timeout(tmp_path: Path) -> None:
    """CONF-15: a hung build costs the timeout per case, not forever (bounded by the
    subprocess timeout of `conform`)."""
    try:
        done = conform(f"{BROKEN} hang", "--case", str(CASE), "--timeout", "0.5", cwd=tmp_path)
    except subprocess.TimeoutExpired:  # pragma: no cover - this is the failure
        pytest.fail("the harness hung")
    assert done.returncode == 1
