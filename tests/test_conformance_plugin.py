"""The pytest plugin (CONF-21): `pytest --intermargin-impl CMD` runs the vectors and a
campaign as pytest tests, and a build that omits the ghost still passes (CONF-7)."""

import sys
from pathlib import Path

import pytest

from tests.conform_helpers import ADAPTER, bug

pytest_plugins = ["pytester"]

NO_GHOST = """
import json, sys
from conformance.adapter import Adapter
adapter = Adapter("no ghost")
for line in sys.stdin.buffer:
    reply = json.loads(adapter.answer(line))
    if isinstance(reply.get("observation"), dict):
        reply["observation"].pop("ghost")
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
"""


def run_plugin(pytester: pytest.Pytester, impl: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--intermargin-impl", impl, *args, timeout=240
    )  # fmt: skip


def test_the_plugin_passes_the_reference(pytester: pytest.Pytester) -> None:
    """CONF-21: one test per vector of the chosen chapter and one for the campaign, passed."""
    result = run_plugin(
        pytester, ADAPTER, "--intermargin-chapter", "governance", "--intermargin-steps", "40"
    )
    result.assert_outcomes(passed=result.parseoutcomes()["passed"])
    assert result.ret == 0
    assert result.parseoutcomes()["passed"] >= 8


def test_the_plugin_fails_a_buggy_build(pytester: pytest.Pytester) -> None:
    """CONF-21: the vector a bug breaks fails with a one-line divergence."""
    result = run_plugin(
        pytester,
        bug("claims-ignore-pause"),
        "--intermargin-chapter", "governance", "--intermargin-steps", "0",
    )  # fmt: skip
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*governance/claim-from-paused-spoke*", "*expected rejected SPOKE_PAUSED*"]
    )


def test_a_build_without_ghost_passes(tmp_path: Path, pytester: pytest.Pytester) -> None:
    """CONF-7: the ghost part may be left out; every other part is still compared."""
    script = tmp_path / "no_ghost.py"
    script.write_text(NO_GHOST)
    result = run_plugin(
        pytester,
        f"{sys.executable} {script}",
        "--intermargin-chapter", "adversary", "--intermargin-steps", "30",
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()
