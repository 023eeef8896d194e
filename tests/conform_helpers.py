"""Running `intermargin conform` and the reference adapter in tests."""

import subprocess
import sys
from pathlib import Path

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
