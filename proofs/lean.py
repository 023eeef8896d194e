"""Z3's Python API without its argument assertions, in worker processes (PROOF-RUN-4)."""

import z3


def without_argument_assertions() -> None:
    """PROOF-RUN-4: turn off the assertions z3's Python API makes on the arguments of every
    term constructor (`z3.z3_debug()`, which is `__debug__` unless changed, as under
    `python -O`).  They guard against misuse only: the terms built, and so every query,
    verdict and resource count, are the same, and the C API still reports its own errors.
    Building terms is most of what a worker does outside the solver (the obligations'
    queries, the BMC's unrolling, the relations the differential check judges steps
    with); without the assertions it takes about a fifth less.  Only the worker processes
    of `intermargin prove` and `intermargin verify` call it: the tests keep the
    assertions, so a misuse still fails there with z3's own message."""
    z3.z3.Z3_DEBUG = False
