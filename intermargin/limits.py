"""Command-line options that bound resources: solver work, the wall-clock safety net,
worker processes (CLI-2: a bad value is one line on stderr, exit code 2)."""

import argparse
import math
import os
from dataclasses import replace

from proofs.bmc import BMC_RLIMIT, DEFAULT_BMC_BUDGET
from proofs.budget import DEFAULT_TIMEOUT_S, Budget
from proofs.checking import DEFAULT_BUDGET, OBLIGATION_RLIMIT

MAX_JOBS = 64
"""CLI-LIMIT-1: the most worker processes a command starts, whatever the machine."""


def default_jobs() -> int:
    """One worker per CPU, at most MAX_JOBS."""
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


def jobs(text: str) -> int:
    """CLI-LIMIT-1: `--jobs N` is a whole number from 1 to MAX_JOBS."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= n <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_JOBS}, not {n}")
    return n


def seconds(text: str) -> float:
    """CLI-LIMIT-2: a time budget is a finite positive number of seconds (not inf, nan or <= 0)."""
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not math.isfinite(s) or s <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite positive number of seconds, not {text}")
    return s


def rlimit(text: str) -> int:
    """CLI-LIMIT-2: a resource limit is a positive whole number (Z3's `rlimit`, unitless work)."""
    return positive_whole(text)


def positive_whole(text: str) -> int:
    """CLI-LIMIT-2: a whole number from 1 to 2**62."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= n <= 2**62:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {n}")
    return n


def add_proof_budget_options(p: argparse.ArgumentParser, workers: str) -> None:
    """`--rlimit`, `--timeout` and `--jobs` of the commands that run proofs (`prove`,
    `verify`); `workers` says what the worker processes run."""
    p.add_argument(
        "--rlimit",
        type=rlimit,
        default=None,
        metavar="N",
        help=f"Z3 resource limit per proof query: decides unknown, independent of machine load "
        f"(default {OBLIGATION_RLIMIT} per obligation query, {BMC_RLIMIT} per BMC query)",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"wall-clock safety net per proof query; reaching it is reported as 'machine too "
        f"slow' (default {DEFAULT_TIMEOUT_S:g})",
    )
    p.add_argument(
        "--jobs",
        type=jobs,
        default=default_jobs(),
        metavar="N",
        help=f"worker processes {workers}, 1..{MAX_JOBS} (default: the CPU count, here "
        f"{default_jobs()})",
    )


def obligation_budget(args: argparse.Namespace) -> Budget:
    """PROOF-BUDGET-1: the budget of each obligation query, from `--rlimit` and `--timeout`."""
    return flagged(DEFAULT_BUDGET, args)


def bmc_budget(args: argparse.Namespace) -> Budget:
    """PROOF-BUDGET-1: the budget of each BMC query, from `--rlimit` and `--timeout`."""
    return flagged(DEFAULT_BMC_BUDGET, args)


def flagged(default: Budget, args: argparse.Namespace) -> Budget:
    """`default` with `--rlimit` (when given) and `--timeout` laid over it; its solver and
    options stay (PROOF-BUDGET-5)."""
    return replace(default, rlimit=args.rlimit or default.rlimit, timeout_s=args.timeout)
