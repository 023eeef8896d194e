"""VER-DET-1: a derandomized Hypothesis run is the same run however it is launched.

Hypothesis draws some integers and strings from the constants of every local module
imported, so before the pin `benchmarks/bench_verify.py` (a local script full of constants)
and `intermargin verify` ran different `ci` machine runs: 81244 steps in 625 runs with
RATE_LIMITED unreached, against 74960 steps in 638 runs with everything reached.  Pinned,
both launchers run 79349 steps in 636 runs (0 unreached), under hash seeds 0 and 1.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis.internal.conjecture import providers

from intermargin.fuzzing.constants import pool, project_constants, source_files
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.profiles import CI, profile
from model.state import State
from spec.actions import Action
from spec.outcome import Outcome

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = 40

PROGRAM = f"""
import json
from hypothesis import given, settings, strategies as st
from intermargin.fuzzing.constants import project_constants

drawn = []

@settings(derandomize=True, database=None, max_examples={EXAMPLES})
@given(st.integers(0, 10**9), st.text(max_size=8))
def draw(n, s):
    drawn.append([n, s])

def main():
    with project_constants():
        draw()
    print(json.dumps(drawn))
"""
"""A module whose `main` prints what a derandomized run drew, as JSON, under the pin (a
module, so both launchers derive the same seed from its source)."""

NOISE = (
    "LOUD = [" + ", ".join(str(n) for n in range(1_000, 400_000, 997)) + "]\n"
    "WORDS = " + repr([f"word{i}" for i in range(200)]) + "\n"
)
"""A local module full of integers and strings the draws could take as constants."""


def drawn(argv: list[str], cwd: Path, hash_seed: str, path: str) -> list[Any]:
    env = os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": path}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: list[Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_derandomized_run_does_not_depend_on_how_it_was_launched(tmp_path: Path) -> None:
    """VER-DET-1: the same draws from a `python -c` in the repository as from a script in
    another directory, with a module of other constants imported first and another hash
    seed (without the pin the second takes the noise's constants: the draws differ)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "drawing.py").write_text(PROGRAM)
    (tmp_path / "noise.py").write_text(NOISE)
    script = tmp_path / "launcher.py"
    script.write_text(NOISE + "import noise\nimport drawing\ndrawing.main()\n")
    path = os.pathsep.join([str(lib), str(ROOT)])
    plain = drawn([sys.executable, "-c", "import drawing; drawing.main()"], ROOT, "0", path)
    other = drawn(
        [sys.executable, str(script)], tmp_path, "1", os.pathsep.join([str(tmp_path), path])
    )
    assert len(plain) >= EXAMPLES // 2
    assert plain == other


def test_the_pool_is_the_project_sources_and_is_put_back() -> None:
    """VER-DET-1: inside the block Hypothesis sees the constants of the project's sources
    (a fixed set, whatever is imported); after it, its own lookup again."""
    before = providers._get_local_constants
    files = source_files()
    assert {"spec", "model", "proofs", "intermargin"} <= {
        f.relative_to(ROOT).parts[0] for f in files
    }
    with project_constants():
        seen = providers._get_local_constants()
        assert seen is pool() and len(seen.integers) > 0 and len(seen.strings) > 0
    assert providers._get_local_constants is before


def test_the_machine_runs_under_the_pin() -> None:
    """VER-DET-1: every step of a machine run sees the pinned pool."""
    pinned: list[bool] = []

    def pin_seen(pre: State, action: Action, post: State, outcome: Outcome) -> None:
        pinned.append(providers._get_local_constants() is pool())

    run = run_machine(settings(profile(CI), max_examples=3), hooks=(pin_seen,))
    assert run.error is None and pinned and all(pinned)
