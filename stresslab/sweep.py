"""Running a sweep: each setting of the grid applied to the inputs, one task per
(setting, path) on an executor, and the figures of each setting (STRESS-7, STRESS-8).

Path `k` draws the same random numbers in every setting (common random numbers), so
settings differ by their parameters, not by luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from spec.params import Params
from spec.reports import StressPoint
from stresslab.caps import within_caps
from stresslab.families import generate, universe
from stresslab.knobs import KNOBS, Sweep, grid, plain
from stresslab.paths import PathModel, price_path
from stresslab.population import Population
from stresslab.simulate import PathResult, run_path
from stresslab.statistics import metrics


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
