"""The latency buffer's measured coverage against its target (RISK-6, STRESS-9).

RISK-6 sizes a spoke's buffer at z sigma sqrt(latency / year) of the notional, so that
a price move over one sync interval stays within it with probability 2 Phi(z) - 1 when
prices follow a geometric Brownian motion at the declared volatility.  Here that is
measured: paths one latency per step, without the crash day, at the paths' own
volatility (jumps and regimes included); a window is covered when the integer move
|p1 - p0| is at most the buffer, |p1 - p0| * 10_000 <= rate_bps * p0, decided in
integers.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from model.buffer import buffer_rate_bps
from model.catalog import catalog
from spec.bounds import BPS
from spec.params import Params
from spec.reports import CoveragePoint
from stresslab.paths import PathModel, price_path
from stresslab.statistics import interval


def target(z_milli: int) -> float:
    """RISK-6: the share of windows a buffer of z standard deviations covers, 2 Phi(z) - 1."""
    return math.erf(z_milli / 1000 / math.sqrt(2))


def covered(path: np.ndarray, rate_bps: int) -> int:
    """STRESS-9: the windows of `path` whose move stays within `rate_bps` of the price."""
    start, end = path[:-1], path[1:]
    return int(np.count_nonzero(np.abs(end - start) * BPS <= rate_bps * start))


def buffer_coverage(
    params: Params, model: PathModel, latency_s: int, windows: int, paths: int, seed: int
) -> CoveragePoint:
    """STRESS-9: coverage over `paths` paths of `windows` latency windows each."""
    underlying = catalog(params).assets[model_underlying(params)]
    rate = buffer_rate_bps(params.buffer_z_milli, underlying.volatility_bps, latency_s)
    calm = replace(model, crash_drop=0.0)
    shares = []
    for k in range(paths):
        rng = np.random.default_rng([seed, 2, latency_s, k])
        shares.append(covered(price_path(calm, windows, latency_s, rng), rate) / windows)
    return CoveragePoint(
        latency_s=latency_s,
        vol_pct=round(model.vol * 100, 6),
        declared_vol_pct=underlying.volatility_bps / 100,
        z=params.buffer_z_milli / 1000,
        buffer_bps=rate,
        target=target(params.buffer_z_milli),
        measured=interval(shares),
        windows=windows,
    )


def model_underlying(params: Params) -> str:
    """The underlying of the first perpetual (the asset the paths price)."""
    return next(m.underlying for m in params.markets if m.kind == "perp")
