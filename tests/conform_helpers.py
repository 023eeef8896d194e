"""Running `intermargin conform` and the reference adapter in tests."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "conformance" / "vectors"
CASE = next(VECTORS.glob("v*/hub/grant-credit.json"))
ADAPTER = f"{sys.executable} -m conformance.adapter"
"""The reference adapter, started without the CLI's imports (faster to restart)."""


def bug(name: str) -> str:
    return f"{ADAPTER} {name}"


def conform(impl: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`intermargin conform --impl IMPL ARGS`, as a subprocess, with a hard time limit."""
    return subprocess.run(
        [sys.executable, "-m", "intermargin.cli", "conform", "--impl", impl, *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd or ROOT,
    )


def in_ci() -> bool:
    """Whether this run is CI's (the `CI` variable set, as CI services and `.ci/run` do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def program(name: str) -> str:
    """The path of a program a test needs.  Where it is absent the test is skipped, except
    under CI, where the test fails: CI must not pass by skipping what it is there to run."""
    path = shutil.which(name)
    if path is None:
        if in_ci():
            pytest.fail(f"{name} is not on PATH, and CI must run this test")
        pytest.skip(f"{name} is not on PATH")
    return path
