"""Figures over paths: a mean and its 95% confidence interval (STRESS-6).

Floats live here only as statistics of integer outcomes, never back in a ledger.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from spec.params import Params
from spec.reports import StressInterval, StressMetrics
from stresslab.simulate import PathResult

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


def metrics(params: Params, results: Sequence[PathResult]) -> StressMetrics:
    """STRESS-6: each figure's mean and interval over the paths."""
    settled = [r for r in results if r.settle_seconds]
    spokes = [s.id for s in params.spokes]

    def over(figure: Callable[[PathResult], float]) -> list[float]:
        return [float(figure(r)) for r in results]

    return StressMetrics(
        bad_debt=interval(over(lambda r: r.bad_debt)),
        insurance_draw=interval(over(lambda r: r.insurance_draw)),
        socialized={
            s: interval([float(r.socialized[k]) for r in results]) for k, s in enumerate(spokes)
        },
        liquidations=interval(over(lambda r: r.liquidations)),
        time_to_settle_s=interval([float(np.mean(r.settle_seconds)) for r in settled])
        if settled
        else None,
        unsettled=interval(over(lambda r: r.unsettled)),
        penalties=interval(over(lambda r: r.penalties)),
        spoke_shortfall=interval(over(lambda r: r.spoke_shortfall)),
    )
