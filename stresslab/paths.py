"""Price paths: geometric Brownian motion with jumps, volatility regimes and a crash day
(STRESS-3).

Randomness lives here and only here: a seeded numpy `Generator` draws the path in
floats, and the path is rounded to integer prices (at least 1, at most MAX_PRICE,
BND-2) before anything in the protocol sees it (NUM-3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from spec.bounds import MAX_PRICE, SECONDS_PER_YEAR
from stresslab.population import Ints

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PathModel:
    """How an underlying's price moves (all rates annualized, fractions as floats: this is
    the generator's description, never a ledger amount).

    - `start`: the price at time 0 (an integer price);
    - `vol`: the calm regime's volatility (0.8 is 80% a year);
    - `jumps_per_year`, `jump_mean`, `jump_sd`: Poisson jumps of normal log size;
    - `stress_vol_multiple`, `stress_per_year`, `calm_per_year`: the stressed regime's
      volatility multiple and the rates of switching into and out of it;
    - `crash_drop`, `crash_seconds`, `crash_at`: a crash day: over `crash_seconds` from
      `crash_at` (a share of the path's length) the price drifts down by `crash_drop`
      (0.3 is 30%) with the stressed volatility; 0 for no crash.
    """

    start: int = 2000
    vol: float = 0.8
    jumps_per_year: float = 12.0
    jump_mean: float = -0.02
    jump_sd: float = 0.04
    stress_vol_multiple: float = 3.0
    stress_per_year: float = 24.0
    calm_per_year: float = 365.0
    crash_drop: float = 0.3
    crash_seconds: int = 6 * 3600
    crash_at: float = 0.25


def regimes(model: PathModel, steps: int, dt: int, rng: np.random.Generator) -> Floats:
    """The volatility multiple of each step: a two-state Markov chain (calm 1, stressed
    `stress_vol_multiple`), starting calm."""
    years = dt / SECONDS_PER_YEAR
    enter, leave = (
        1 - np.exp(-model.stress_per_year * years),
        1 - np.exp(-model.calm_per_year * years),
    )
    switch = rng.random(steps)
    stressed = np.zeros(steps, dtype=bool)
    state = False
    for i in range(steps):
        state = switch[i] >= leave if state else switch[i] < enter
        stressed[i] = state
    return np.where(stressed, model.stress_vol_multiple, 1.0)


def crash_drift(model: PathModel, steps: int, dt: int) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """The crash day's log drift per step and the steps it covers."""
    drift = np.zeros(steps)
    inside = np.zeros(steps, dtype=bool)
    if model.crash_drop <= 0 or model.crash_seconds <= 0:
        return drift, inside
    first = int(model.crash_at * steps)
    length = max(1, min(steps - first, -(-model.crash_seconds // dt)))
    inside[first : first + length] = True
    drift[inside] = np.log1p(-model.crash_drop) / length
    return drift, inside


def log_returns(model: PathModel, steps: int, dt: int, rng: np.random.Generator) -> Floats:
    """Each step's log return: diffusion at the regime's volatility (martingale drift),
    Poisson jumps, and the crash day's drift."""
    years = dt / SECONDS_PER_YEAR
    normal = rng.standard_normal(steps)
    multiple = regimes(model, steps, dt, rng)
    jumps = rng.poisson(model.jumps_per_year * years, steps)
    jump_sizes = model.jump_mean * jumps + model.jump_sd * np.sqrt(jumps) * rng.standard_normal(
        steps
    )
    drift, inside = crash_drift(model, steps, dt)
    sigma: Floats = model.vol * np.where(inside, model.stress_vol_multiple, multiple)
    returns: Floats = -0.5 * sigma**2 * years + sigma * np.sqrt(years) * normal
    return returns + jump_sizes + drift


def price_path(model: PathModel, steps: int, dt: int, rng: np.random.Generator) -> Ints:
    """STRESS-3: `steps + 1` integer prices `dt` seconds apart, from `model.start`,
    rounded to the nearest integer within 1..MAX_PRICE."""
    logs = np.concatenate([[0.0], np.cumsum(log_returns(model, steps, dt, rng))])
    prices: Floats = np.rint(model.start * np.exp(logs))
    rounded: Ints = np.clip(prices, 1, MAX_PRICE).astype(np.int64)
    return rounded
