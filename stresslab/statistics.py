"""Figures over paths: a mean and its 95% confidence interval (STRESS-6).

Floats live here only as statistics of integer outcomes, never back in a ledger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from spec.reports import StressInterval

Z_95 = 1.959963984540054
"""The two-sided 95% quantile of the standard normal."""


def interval(values: Sequence[float]) -> StressInterval:
    """STRESS-6: mean +/- 1.96 standard errors (sample standard deviation); one value is
    its own interval."""
    n = len(values)
    if n == 0:
        return StressInterval(mean=0.0, low=0.0, high=0.0, paths=0)
    mean = math.fsum(values) / n
    if n == 1:
        return StressInterval(mean=mean, low=mean, high=mean, paths=1)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = Z_95 * math.sqrt(variance / n)
    return StressInterval(mean=mean, low=mean - half, high=mean + half, paths=n)
