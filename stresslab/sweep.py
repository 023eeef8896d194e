"""Parameter sweeps: the swept knobs, their grid, one task per (setting, path), and the
figures of each setting (STRESS-7, STRESS-8).

A sweep `NAME=V1,V2,...` sets one knob to each value in turn; several sweeps form their
grid (every combination, the first sweep varying slowest).  Path `k` draws the same
random numbers in every setting (common random numbers), so settings differ by their
parameters, not by luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from itertools import product

import numpy as np

from spec.bounds import BPS, MAX_AMOUNT, MAX_SECONDS, MAX_VOLATILITY_BPS
from spec.params import Params
from spec.reports import StressMetrics, StressPoint
from stresslab.families import generate, universe
from stresslab.paths import PathModel, price_path
from stresslab.population import Population
from stresslab.simulate import PathResult, run_path
from stresslab.statistics import interval


@dataclass(frozen=True)
class Knob:
    """A swept parameter: its unit, whether it takes whole numbers, and its bounds."""

    unit: str
    whole: bool
    low: Decimal
    high: Decimal
    step: Decimal = Decimal(1)


KNOBS: dict[str, Knob] = {
    "latency": Knob(
        "s, every spoke's sync latency (PAR-3)", True, Decimal(1), Decimal(MAX_SECONDS)
    ),
    "vol": Knob(
        "% a year, the paths' volatility",
        False,
        Decimal("0.01"),
        Decimal(MAX_VOLATILITY_BPS) / 100,
        Decimal("0.01"),
    ),
    "penalty": Knob("bps of the requirement (PAR-8)", True, Decimal(0), Decimal(BPS)),
    "z": Knob("the buffer's z (PAR-7)", False, Decimal(0), Decimal(10), Decimal("0.001")),
    "cap": Knob("value units, every spoke's cap (PAR-3)", True, Decimal(0), Decimal(MAX_AMOUNT)),
    "staleness": Knob("s, the oracle's delay", True, Decimal(0), Decimal(MAX_SECONDS)),
}
"""STRESS-8: what `--sweep` may vary."""

MAX_POINTS = 1000
"""STRESS-8: the most settings one grid may have."""

Sweep = tuple[str, tuple[Decimal, ...]]


class SweepError(ValueError):
    """A sweep the user wrote that cannot run (the CLI reports it in one line)."""


def parse_value(name: str, text: str) -> Decimal:
    """One value of a sweep, within its knob's bounds and step."""
    knob = KNOBS[name]
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SweepError(f"--sweep {name}: {text.strip()!r} is not a number") from None
    if not value.is_finite() or not knob.low <= value <= knob.high:
        raise SweepError(f"--sweep {name}: {text.strip()} is outside {knob.low}..{knob.high}")
    if value % knob.step:
        what = "a whole number" if knob.whole else f"a multiple of {knob.step}"
        raise SweepError(f"--sweep {name}: {text.strip()} is not {what}")
    return value


def parse_sweep(text: str) -> Sweep:
    """STRESS-8: `NAME=V1,V2,...` with a known NAME and at least one value."""
    name, equals, values = text.partition("=")
    name = name.strip()
    if not equals or not name:
        raise SweepError(f"--sweep {text!r}: expected NAME=V1,V2,... (names: {', '.join(KNOBS)})")
    if name not in KNOBS:
        raise SweepError(f"--sweep: unknown parameter {name!r} (known: {', '.join(KNOBS)})")
    parts = values.split(",")
    if not values.strip() or any(not p.strip() for p in parts):
        raise SweepError(f"--sweep {name}: empty value in {values!r}")
    return name, tuple(parse_value(name, p) for p in parts)


def grid(sweeps: Sequence[Sweep]) -> list[dict[str, Decimal]]:
    """STRESS-8: every combination of the sweeps' values (one empty setting without any)."""
    names = [name for name, _ in sweeps]
    if len(set(names)) != len(names):
        raise SweepError(f"--sweep: a parameter is swept twice ({', '.join(names)})")
    points = [dict(zip(names, combo, strict=True)) for combo in product(*(v for _, v in sweeps))]
    if len(points) > MAX_POINTS:
        raise SweepError(f"--sweep: {len(points)} settings, more than {MAX_POINTS}")
    return points


@dataclass(frozen=True)
class StressConfig:
    """A stress run's inputs (STRESS-4): the parameters, the accounts and the paths."""

    params: Params
    families: tuple[str, ...]
    accounts: int
    steps: int
    dt: int
    paths: int
    seed: int
    path: PathModel
    staleness: int = 0


@dataclass(frozen=True)
class Setting:
    """One point of the grid: its swept values and what they make of the inputs."""

    values: dict[str, Decimal]
    params: Params
    path: PathModel
    staleness: int


def setting(config: StressConfig, values: dict[str, Decimal]) -> Setting:
    """Apply the swept values to the parameters, the path model and the oracle delay."""
    params, path, staleness = config.params, config.path, config.staleness
    spokes = params.spokes
    if "latency" in values:
        spokes = tuple(s.model_copy(update={"latency_s": int(values["latency"])}) for s in spokes)
    if "cap" in values:
        spokes = tuple(s.model_copy(update={"cap": int(values["cap"])}) for s in spokes)
    update: dict[str, object] = {"spokes": spokes}
    if "penalty" in values:
        update["penalty_bps"] = int(values["penalty"])
    if "z" in values:
        update["buffer_z_milli"] = int(values["z"] * 1000)
    if "vol" in values:
        path = replace(path, vol=float(values["vol"]) / 100)
    if "staleness" in values:
        staleness = int(values["staleness"])
    return Setting(values, params.model_copy(update=update), path, staleness)


def within_caps(population: Population, params: Params) -> Population:
    """CAP-1, HUB-GRANT-3: accounts are opened in order; one whose grants would take a
    spoke past its cap is not opened (its row left empty)."""
    used = np.zeros(len(params.spokes), dtype=np.int64)
    caps = np.array([s.cap for s in params.spokes], dtype=np.int64)
    keep = np.zeros(population.size, dtype=np.bool_)
    for row in range(population.size):
        if np.all(used + population.alloc[row] <= caps):
            used += population.alloc[row]
            keep[row] = True
    fields = {
        name: np.where(keep.reshape((-1,) + (1,) * (array.ndim - 1)), array, 0).astype(array.dtype)
        for name, array in vars(population).items()
    }
    return Population(**fields)


def population_for(config: StressConfig, point: Setting) -> Population:
    """STRESS-1: the seed's accounts under this setting's parameters, within its caps."""
    rng = np.random.default_rng([config.seed, 0])
    book = generate(point.params, config.families, config.accounts, point.path.start, rng)
    return within_caps(book.population, point.params)


@dataclass(frozen=True)
class Task:
    """One path of one setting: everything a worker needs, nothing it must look up."""

    point: int
    path_index: int
    seed: int
    params: Params
    population: Population
    path: PathModel
    steps: int
    dt: int
    staleness: int


def run_task(task: Task) -> tuple[int, int, PathResult]:
    """STRESS-7: path `path_index` of the seed, through the protocol under the setting."""
    rng = np.random.default_rng([task.seed, 1, task.path_index])
    prices = price_path(task.path, task.steps, task.dt, rng)
    underlying = universe(task.params).underlying.id
    result = run_path(
        task.params, task.population, prices, task.dt, task.staleness, underlying=underlying
    )
    return task.point, task.path_index, result


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


def plain(value: Decimal, knob: Knob) -> int | float:
    return int(value) if knob.whole else float(value)


def run_sweep(
    config: StressConfig,
    sweeps: Sequence[Sweep],
    pool: Executor,
    done: Callable[[], None] = lambda: None,
) -> list[StressPoint]:
    """STRESS-7, STRESS-8: every (setting, path) as a task on `pool`; the figures of each
    setting, in grid order, whatever order the tasks finished in.  `done` is called after
    each task (for a progress bar)."""
    points = [setting(config, values) for values in grid(sweeps)]
    populations = [population_for(config, p) for p in points]
    futures = [
        pool.submit(
            run_task,
            Task(i, k, config.seed, p.params, pop, p.path, config.steps, config.dt, p.staleness),
        )
        for i, (p, pop) in enumerate(zip(points, populations, strict=True))
        for k in range(config.paths)
    ]
    results: dict[tuple[int, int], PathResult] = {}
    for future in as_completed(futures):
        point, path_index, result = future.result()
        results[(point, path_index)] = result
        done()
    return [
        StressPoint(
            setting={name: plain(v, KNOBS[name]) for name, v in p.values.items()},
            accounts=int(np.count_nonzero(pop.linked.any(axis=1))),
            metrics=metrics(p.params, [results[(i, k)] for k in range(config.paths)]),
        )
        for i, (p, pop) in enumerate(zip(points, populations, strict=True))
    ]
