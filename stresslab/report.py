"""A stress run's report: the JSON document and the report directory (STRESS-11, CLI-STRESS-1).

The directory holds `stress.json` (the report, `spec/schema/stress-report.schema.json`)
and the figures: `coverage`, `capital_efficiency`, and `bad_debt` when a parameter is
swept, each as PNG, CSV and JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np

from spec.reports import CoveragePoint, EfficiencyRow, StressPoint, StressReport
from stresslab.coverage import buffer_coverage
from stresslab.efficiency import efficiency
from stresslab.families import generate
from stresslab.knobs import KNOBS, Sweep, plain
from stresslab.plots import bad_debt_figure, coverage_figure, efficiency_figure
from stresslab.seam import RISK_PASS
from stresslab.sweep import StressConfig, setting

COVERAGE_WINDOWS = 2_000
"""STRESS-9: latency windows per path in a coverage measurement."""


def coverage_grid(config: StressConfig, sweeps: Sequence[Sweep]) -> list[CoveragePoint]:
    """STRESS-9: coverage at every swept latency (else each spoke's) and every swept
    volatility (else the paths'), at the configured buffer z."""
    swept = dict(sweeps)
    latencies = swept.get("latency") or tuple(
        Decimal(x) for x in sorted({s.latency_s for s in config.params.spokes})
    )
    vols = swept.get("vol") or (None,)
    points = []
    for vol in vols:
        for latency in latencies:
            values = {"latency": latency} | ({} if vol is None else {"vol": vol})
            point = setting(config, values)
            points.append(
                buffer_coverage(
                    point.params,
                    point.path,
                    int(latency),
                    COVERAGE_WINDOWS,
                    config.paths,
                    config.seed,
                )
            )
    return points


def capital_efficiency(config: StressConfig) -> list[EfficiencyRow]:
    """STRESS-10: unified vs siloed collateral of the seed's accounts at the start price."""
    rng = np.random.default_rng([config.seed, 0])
    book = generate(config.params, config.families, config.accounts, config.path.start, rng)
    return efficiency(config.params, book, config.path.start)


def build(
    config: StressConfig,
    sweeps: Sequence[Sweep],
    points: list[StressPoint],
    coverage: list[CoveragePoint],
    rows: list[EfficiencyRow],
) -> StressReport:
    """CLI-STRESS-1: the report of a run."""
    return StressReport(
        seed=config.seed,
        accounts=config.accounts,
        steps=config.steps,
        dt_s=config.dt,
        paths=config.paths,
        staleness_s=config.staleness,
        vol_pct=round(config.path.vol * 100, 6),
        crash_pct=round(config.path.crash_drop * 100, 6),
        families=list(config.families),
        engine=RISK_PASS.__module__,
        sweeps={name: [plain(v, KNOBS[name]) for v in values] for name, values in sweeps},
        points=points,
        coverage=coverage,
        efficiency=rows,
    )


def title(report: StressReport, label: str, config: StressConfig) -> str:
    """The parameter set, for every figure's title."""
    params = config.params
    latencies = "/".join(str(s.latency_s) for s in params.spokes)
    return (
        f"{label}: z={params.buffer_z_milli / 1000:g}, penalty {params.penalty_bps} bps, "
        f"latency {latencies} s, vol {report.vol_pct:g}%, crash {report.crash_pct:g}%\n"
        f"{report.accounts} accounts, {report.steps} steps of {report.dt_s} s, "
        f"{report.paths} paths, seed {report.seed}"
    )


def write(directory: Path, report: StressReport, label: str, config: StressConfig) -> None:
    """STRESS-11: the report directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stress.json").write_text(report.model_dump_json(indent=2) + "\n", "utf-8")
    heading = title(report, label, config)
    coverage_figure(directory, report.coverage, heading)
    efficiency_figure(directory, report.efficiency, heading)
    if report.sweeps:
        bad_debt_figure(directory, report.points, heading)
