"""Worker processes that spend less on bookkeeping: z3's Python API without its argument
assertions, and a collector that scans less often (PROOF-RUN-4)."""

import gc

import z3

YOUNG_OBJECTS = 50_000
"""Allocations, less deallocations, between two collections of the youngest generation
(Python's default is 700): the machines and the term builders allocate and drop millions
of short-lived objects, nearly all freed by reference counting before any scan."""


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


def lean_worker() -> None:
    """PROOF-RUN-4: a pool worker's start: no z3 argument assertions, everything the process
    holds so far (the imported modules, terms built before the fork) frozen out of the
    collector's scans, and the youngest generation scanned every `YOUNG_OBJECTS`
    allocations instead of every 700 (the `ci` run spent a tenth of its CPU time in the
    collector, 6.0 of 57 s, and 2.9 of 54 s with this).  When objects are freed changes
    no result: nothing the checks compute depends on it."""
    without_argument_assertions()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, 20, 100)
