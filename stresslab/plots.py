"""The stress report's figures: PNG with the plotted data beside each as CSV and JSON
(STRESS-11).  Axes carry units; titles carry the parameter set.  matplotlib draws off
screen (the Agg backend)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spec.reports import CoveragePoint, EfficiencyRow, StressPoint

Row = dict[str, Any]

KNOB_LABELS = {
    "latency": "latency of every spoke (s)",
    "vol": "paths' volatility (% a year)",
    "penalty": "liquidation penalty (bps of the requirement)",
    "z": "buffer z (standard deviations)",
    "cap": "partition cap of every spoke (value units)",
    "staleness": "oracle staleness (s)",
}


def write_data(directory: Path, name: str, title: str, rows: Sequence[Row]) -> None:
    """STRESS-11: `name.csv` (one row per plotted point) and `name.json` (title and rows)."""
    with open(directory / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    document = {"title": title, "rows": list(rows)}
    (directory / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")


def subplots(*args: Any, **kwargs: Any) -> Any:
    """`pyplot.subplots`, drawn off screen (the Agg backend).  matplotlib is imported with the
    first figure, not with this module: the half second it takes is not paid by the commands
    that draw nothing, nor by `intermargin --help`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot  # after choosing the backend

    return pyplot.subplots(*args, **kwargs)


def save(figure: Any, directory: Path, name: str) -> None:
    from matplotlib import pyplot

    figure.tight_layout()
    figure.savefig(directory / f"{name}.png", dpi=100, metadata={"Software": None})
    pyplot.close(figure)


def coverage_figure(directory: Path, points: Sequence[CoveragePoint], title: str) -> None:
    """STRESS-9: measured coverage against latency, one line per volatility, and the target."""
    rows = [
        {
            "latency_s": p.latency_s,
            "vol_pct": p.vol_pct,
            "buffer_bps": p.buffer_bps,
            "target": p.target,
            "measured": p.measured.mean,
            "low": p.measured.low,
            "high": p.measured.high,
        }
        for p in points
    ]
    write_data(directory, "coverage", title, rows)
    figure, axes = subplots(figsize=(7, 4.5))
    for vol in dict.fromkeys(p.vol_pct for p in points):
        mine = [p for p in points if p.vol_pct == vol]
        x = [p.latency_s for p in mine]
        y = [100 * p.measured.mean for p in mine]
        err = [
            [100 * (p.measured.mean - p.measured.low) for p in mine],
            [100 * (p.measured.high - p.measured.mean) for p in mine],
        ]
        axes.errorbar(x, y, yerr=err, marker="o", capsize=3, label=f"paths at {vol:g}% vol")
    if points:
        axes.axhline(100 * points[0].target, color="black", linestyle="--", label="target 2Φ(z)−1")
    axes.set_xscale("log")
    axes.set_xlabel("latency (s, log scale)")
    axes.set_ylabel("windows within the buffer (%)")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=8)
    save(figure, directory, "coverage")


def efficiency_figure(directory: Path, rows: Sequence[EfficiencyRow], title: str) -> None:
    """STRESS-10: collateral needed per family, unified and siloed, side by side."""
    data = [r.model_dump() for r in rows]
    write_data(directory, "capital_efficiency", title, data)
    figure, axes = subplots(figsize=(7, 4.5))
    xs = range(len(rows))
    per_account = [max(r.accounts, 1) for r in rows]
    unified = [r.unified / n for r, n in zip(rows, per_account, strict=True)]
    siloed = [r.siloed / n for r, n in zip(rows, per_account, strict=True)]
    axes.bar([x - 0.2 for x in xs], siloed, width=0.4, label="siloed (each venue alone)")
    axes.bar([x + 0.2 for x in xs], unified, width=0.4, label="unified (netted across venues)")
    for x, r in zip(xs, rows, strict=True):
        axes.annotate(f"−{100 * r.saving:.0f}%", (x + 0.2, unified[x]), ha="center", va="bottom")
    axes.set_xticks(list(xs), [r.family for r in rows])
    axes.set_ylabel("collateral needed per account (value units)")
    axes.set_xlabel("portfolio family")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=8)
    save(figure, directory, "capital_efficiency")


def varied_alone(points: Sequence[StressPoint], knob: str) -> list[StressPoint]:
    """The points where `knob` varies and every other swept knob has its first value."""
    first = points[0].setting
    return [p for p in points if all(v == first[k] for k, v in p.setting.items() if k != knob)]


def bad_debt_figure(directory: Path, points: Sequence[StressPoint], title: str) -> None:
    """STRESS-8: bad debt (and the insurance fund's draw) against each swept parameter."""
    knobs = list(points[0].setting)
    rows = [
        {
            **p.setting,
            "bad_debt": p.metrics.bad_debt.mean,
            "bad_debt_low": p.metrics.bad_debt.low,
            "bad_debt_high": p.metrics.bad_debt.high,
            "insurance_draw": p.metrics.insurance_draw.mean,
            "socialized": sum(s.mean for s in p.metrics.socialized.values()),
            "spoke_shortfall": p.metrics.spoke_shortfall.mean,
            "liquidations": p.metrics.liquidations.mean,
        }
        for p in points
    ]
    write_data(directory, "bad_debt", title, rows)
    figure, panels = subplots(1, len(knobs), figsize=(5 * len(knobs), 4.2), squeeze=False)
    for axes, knob in zip(panels[0], knobs, strict=True):
        mine = varied_alone(points, knob)
        x = [p.setting[knob] for p in mine]
        for label, key in (("bad debt", "bad_debt"), ("insurance draw", "insurance_draw")):
            figures = [getattr(p.metrics, key) for p in mine]
            y = [f.mean for f in figures]
            err = [[f.mean - f.low for f in figures], [f.high - f.mean for f in figures]]
            axes.errorbar(x, y, yerr=err, marker="o", capsize=3, label=label)
        axes.set_xlabel(KNOB_LABELS[knob])
        axes.set_ylabel("value units per path (mean, 95% CI)")
        axes.legend(fontsize=8)
    figure.suptitle(title, fontsize=9)
    save(figure, directory, "bad_debt")
