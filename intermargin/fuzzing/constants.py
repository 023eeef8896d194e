"""Derandomized runs that depend on the project's code only, not on how they were launched
(VER-DET-1).

Hypothesis draws some integers and strings from the constants of the *local* modules in
`sys.modules` (every imported module outside the standard library and site-packages,
test files excepted), looked up afresh for each example.  So the same derandomized run
(same seed, same settings) generated different examples depending on what the process
had imported: the launcher's own script (`benchmarks/bench_verify.py`'s constants made
the `ci` machine run 81244 steps in 625 runs and miss RATE_LIMITED, where `intermargin
verify` ran 74960 steps in 638 runs and reached everything), the commands a CLI entry
point imported, a module imported lazily in the middle of a run.  The hash seed, the
working directory and the example database play no part (the profiles use none).

`project_constants()` pins that pool, while a run is under way, to the constants of the
project's own source files (every `.py` file of `PACKAGES`, read from disk whether
imported or not): a fixed function of the code, the same for the CLI, the benchmarks, the
tests and a script.  Hypothesis has no public switch for this; the pool is reached through
its provider module, and a Hypothesis release that moves it makes the run fail loudly
rather than silently unpinned (tests/test_fuzz_determinism.py runs the machine under two
launchers and compares the runs).
"""

import types
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

PACKAGES = ("spec", "model", "proofs", "conformance", "stresslab", "intermargin")
"""The project's packages (pyproject.toml); their source files make the pool."""

ROOT = Path(__file__).resolve().parents[2]


def source_files() -> list[Path]:
    """Every Python source file of the project's packages, in a fixed order."""
    return sorted(p for name in PACKAGES for p in (ROOT / name).rglob("*.py"))


def _providers() -> Any:
    """Hypothesis's provider module, which looks the local constants up for each example."""
    from hypothesis.internal.conjecture import providers

    for name in ("_get_local_constants", "_local_constants", "CONSTANTS_CACHE"):
        if not hasattr(providers, name):
            raise RuntimeError(
                f"hypothesis {providers.__name__} has no {name}: the derandomized runs cannot"
                " be pinned to the project's constants (VER-DET-1); check this Hypothesis"
                " release"
            )
    return providers


@cache
def pool() -> Any:
    """VER-DET-1: the constants of every project source file, in Hypothesis's own sorted
    container (an empty copy of its pool), so their order is fixed too."""
    from hypothesis.internal.constants_ast import constants_from_module

    providers = _providers()
    empty = providers._local_constants
    pinned = type(empty)(
        integers=type(empty.integers)(),
        floats=type(empty.floats)(key=empty.floats.key),
        bytes=type(empty.bytes)(),
        strings=type(empty.strings)(),
    )
    for path in source_files():
        module = types.ModuleType(f"constants-of-{path.stem}")
        module.__file__ = str(path)
        pinned |= constants_from_module(module)
    return pinned


@contextmanager
def project_constants() -> Iterator[None]:
    """VER-DET-1: for the length of the block, every example Hypothesis generates draws
    its constants from `pool()` only, whatever else is imported."""
    providers = _providers()
    pinned = pool()
    saved = providers._get_local_constants
    providers._get_local_constants = lambda: pinned
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()
