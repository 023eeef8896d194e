"""Checks that run a tool in a child process from the repository root: CrossHair on the
contracts (VER-3) and mypy --strict on every package (VER-4)."""

import re
import subprocess
import sys
import time
from pathlib import Path

from intermargin.verify import CheckResult, Settings, Status
from spec.requirements import ROOT

CONTRACT_MODULES = ("model.arith", "model.span", "model.buffer", "model.risk", "model.laws")
"""The pure functions whose PEP 316 contracts CrossHair checks: ledger arithmetic, the
risk engine's kernels (the scan, the latency buffer, the hub's view), and the risk-engine
laws (INV-RISK-1..4, INV-RISK-6..7, NUM-1..3)."""

PACKAGES = ("spec", "model", "proofs", "intermargin")

REPORT_LINE = re.compile(r"^(?P<where>\S+:\d+): (?P<level>info|error): (?P<text>.*)$")


def run_tool(args: list[str], limit_s: float, where: Path = ROOT) -> tuple[int, str, float]:
    """Run `python -m <args>` from `where` (the repository root by default); (exit code,
    output, seconds).  A run past `limit_s` counts as exit code -1."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", *args],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=limit_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {limit_s:.0f} s", time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start


def contracts(
    settings: Settings, modules: tuple[str, ...] = CONTRACT_MODULES, where: Path = ROOT
) -> CheckResult:
    """VER-3: CrossHair searches for inputs that break a contract, each condition until its
    search stops reaching new code or its CPU budget is spent; any counterexample or error
    fails, and so does a run that checked no condition at all.  (`where`: the tree whose
    modules are checked, the repository's by default.)"""
    code, output, seconds = run_tool(
        [
            "crosshair",
            "check",
            *modules,
            "--analysis_kind=PEP316",
            f"--per_condition_timeout={settings.contract_timeout_s}",
            f"--max_uninteresting_iterations={settings.contract_stale_iterations}",
            "--report_all",
        ],
        limit_s=600,
        where=where,
    )
    confirmed = searched = 0
    problems: list[str] = []
    for line in output.splitlines():
        match = REPORT_LINE.match(line)
        if match is None:
            continue
        text = match["text"]
        if match["level"] == "error":
            problems.append(f"{match['where']}: {text}")
        elif text.startswith("Confirmed"):
            confirmed += 1
        elif text.startswith("Not confirmed"):
            searched += 1
    if code == -1:
        problems.append(output)
    checked = confirmed + searched
    status: Status = "passed" if code == 0 and not problems and checked else "failed"
    summary = (
        f"{checked} conditions: {confirmed} confirmed on all paths, {searched} searched"
        f" without a counterexample, {len(problems)} broken"
    )
    if not checked and not problems:
        problems.append("CrossHair checked no condition")
    return CheckResult(status, seconds, summary, tuple(problems))


def types(settings: Settings) -> CheckResult:
    """VER-4: mypy --strict over every package (configuration in pyproject.toml)."""
    code, output, seconds = run_tool(["mypy"], limit_s=900)
    lines = [line for line in output.splitlines() if line.strip()]
    last = lines[-1] if lines else "mypy printed nothing"
    errors = tuple(line for line in lines if ": error:" in line)
    ok = code == 0 and last.startswith("Success")
    return CheckResult("passed" if ok else "failed", seconds, last, errors)
