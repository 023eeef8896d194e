"""Command-line options that bound resources: solver work, the wall-clock safety net,
worker processes (CLI-2: a bad value is one line on stderr, exit code 2)."""

import argparse
import math
import os

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
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= n <= 2**62:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {n}")
    return n
