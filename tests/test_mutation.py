"""The mutation score's smoke run: mutmut, the tool `benchmarks/mutation_score.py` runs over
all of `model/`, here over `model/arith.py` alone against its rounding laws (NUM-1..NUM-3).

Every mutant of the ledger arithmetic (an operator, a constant, a call's argument changed)
must be killed by the laws that state each rounding's direction exactly; a law that only
bounded the result would let some of them live.  It runs in a copy of the model in a
temporary folder, so it never touches a full run's results in `mutants/`.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from spec.requirements import ROOT

LAWS = [
    "tests/test_risk.py::test_bps_down_is_the_floor_of_the_exact_share",
    "tests/test_risk.py::test_bps_up_is_the_ceiling_of_the_exact_share",
    "tests/test_risk.py::test_ceil_div_is_the_least_integer_above_the_quotient",
    "tests/test_risk.py::test_isqrt_ceil_is_the_least_root_above",
]
CONFIG = f"""
[tool.mutmut]
source_paths = ["model/"]
only_mutate = ["model/arith.py"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:xdist"]
pytest_add_cli_args_test_selection = {json.dumps(LAWS)}
"""


def test_every_mutant_of_the_ledger_arithmetic_is_killed_by_its_rounding_laws(
    tmp_path: Path,
) -> None:
    """NUM-1, NUM-2, NUM-3: mutmut's mutants of model/arith.py are all killed."""
    shutil.copytree(
        ROOT / "model", tmp_path / "model", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", "1", "model.arith.*"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    meta = tmp_path / "mutants" / "model" / "arith.py.meta"
    assert meta.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    functions = {name.split("__mutmut_")[0] for name in codes}
    assert functions == {
        "model.arith.x_ceil_div",
        "model.arith.x_bps_down",
        "model.arith.x_bps_up",
        "model.arith.x_isqrt_ceil",
    }
    assert len(codes) >= 10
    survivors = {name: code for name, code in codes.items() if code != 1}
    assert survivors == {}, run.stdout[-2000:]
