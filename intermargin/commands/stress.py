"""`intermargin stress`: Monte Carlo stress of the protocol, parameter sweeps, and the
report of bad debt, buffer coverage and capital efficiency (CLI-STRESS-1, STRESS-1..STRESS-12).

Generated accounts of four portfolio families go through seeded price paths (geometric
Brownian motion with jumps, volatility regimes and a crash day) with every spoke's
message latency and the oracle's staleness; the hub liquidates by the protocol's rules.
Prints each setting's figures with 95% confidence intervals over the paths; `--json`
prints the report (spec/schema/stress-report.schema.json); `--report DIR` also writes
the figures as PNG with their data as CSV and JSON.  Sweeps run on a local process pool,
or on a Dask cluster with `--scheduler`.  Exit 0, or 2 on bad usage.
"""

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from intermargin.console import stdout_console
from intermargin.errors import EXIT_OK, UsageError, load_model, output_dir
from spec.bounds import MAX_SECONDS
from spec.examples import example_params
from spec.params import Params
from spec.reports import StressInterval, StressReport
from stresslab.executor import SchedulerUnreachable, executor
from stresslab.families import FAMILIES, Universe, universe, unsupported
from stresslab.knobs import KNOBS, Sweep, grid, parse_sweep
from stresslab.paths import PathModel
from stresslab.report import build, capital_efficiency, coverage_grid, write
from stresslab.sweep import StressConfig, run_sweep

LIMITS = {"accounts": 1_000_000, "steps": 1_000_000, "paths": 10_000, "workers": 64}


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "stress",
        help="Monte Carlo stress of the protocol, sweeps, and the stress report",
        description=__doc__,
        epilog="sweepable: " + "; ".join(f"{k} ({v.unit})" for k, v in KNOBS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--params", metavar="FILE", help="parameter set (default: the example)")
    p.add_argument("--accounts", type=int, metavar="N", default=100, help="accounts (default 100)")
    p.add_argument(
        "--steps", type=int, metavar="M", default=500, help="price steps per path (default 500)"
    )
    p.add_argument("--dt", type=int, metavar="S", default=60, help="seconds per step (default 60)")
    p.add_argument(
        "--paths", type=int, metavar="K", default=8, help="paths per setting (default 8)"
    )
    p.add_argument("--seed", type=int, metavar="S", default=0, help="seed (default 0)")
    p.add_argument(
        "--family",
        action="append",
        metavar="F",
        help=f"a portfolio family, repeatable (default all: {', '.join(FAMILIES)})",
    )
    p.add_argument(
        "--vol", metavar="PCT", help="the paths' volatility, %% a year (default: declared)"
    )
    p.add_argument("--crash", metavar="PCT", default="30", help="crash day drop, %% (default 30)")
    p.add_argument(
        "--staleness", type=int, metavar="S", default=0, help="oracle delay, s (default 0)"
    )
    p.add_argument(
        "--sweep", action="append", default=[], metavar="NAME=V1,V2", help="sweep a parameter"
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local processes (default: CPUs; unused with --scheduler)",
    )
    p.add_argument("--report", metavar="DIR", help="write the report and figures to DIR")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=main)


def bounded(args: argparse.Namespace, name: str, low: int, high: int) -> int:
    value: int = getattr(args, name)
    if not low <= value <= high:
        raise UsageError(f"--{name} must be between {low} and {high}, not {value}")
    return value


def percent(text: str, option: str, low: Decimal, high: Decimal) -> float:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise UsageError(f"{option}: {text!r} is not a number") from None
    if not value.is_finite() or not low <= value <= high:
        raise UsageError(f"{option} must be between {low} and {high}, not {text}")
    return float(value) / 100


def families(args: argparse.Namespace, world: Universe) -> tuple[str, ...]:
    """STRESS-1: the chosen families, each one the parameters can open."""
    chosen = tuple(dict.fromkeys(args.family or FAMILIES))
    for family in chosen:
        reason = unsupported(world, family)
        if reason is not None:
            raise UsageError(f"--family: {reason}")
    return chosen


def inputs(args: argparse.Namespace) -> tuple[StressConfig, list[Sweep], str]:
    """Every input checked before any work (CLI-2, CLI-7)."""
    params = example_params() if args.params is None else load_model(args.params, Params)
    label = "example params" if args.params is None else Path(args.params).name
    try:
        world = universe(params)
        sweeps = [parse_sweep(text) for text in args.sweep]
        grid(sweeps)
    except ValueError as e:
        raise UsageError(str(e)) from None
    declared = Decimal(world.underlying.volatility_bps) / 100
    vol = percent(args.vol or str(declared or 80), "--vol", Decimal("0.01"), Decimal(1000))
    path = PathModel(vol=vol, crash_drop=percent(args.crash, "--crash", Decimal(0), Decimal(99)))
    config = StressConfig(
        params=params,
        families=families(args, world),
        accounts=bounded(args, "accounts", 1, LIMITS["accounts"]),
        steps=bounded(args, "steps", 1, LIMITS["steps"]),
        dt=bounded(args, "dt", 1, MAX_SECONDS),
        paths=bounded(args, "paths", 1, LIMITS["paths"]),
        seed=bounded(args, "seed", 0, 2**63 - 1),
        path=path,
        staleness=bounded(args, "staleness", 0, MAX_SECONDS),
    )
    if args.workers is not None:
        bounded(args, "workers", 1, LIMITS["workers"])
    output_dir(args.report, "--report")
    return config, sweeps, label


@contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Progress]:
    """A progress bar on stderr when it is a terminal (and not --quiet)."""
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("stress"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("paths"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
    )
    with bar:
        yield bar


def main(args: argparse.Namespace) -> int:
    config, sweeps, label = inputs(args)
    workers = args.workers or min(os.cpu_count() or 1, LIMITS["workers"])
    total = len(grid(sweeps)) * config.paths
    try:
        with progress_bar(total, args.quiet) as bar, executor(args.scheduler, workers) as pool:
            task = bar.add_task("paths", total=total)
            points = run_sweep(config, sweeps, pool, lambda: bar.advance(task))
    except SchedulerUnreachable as e:
        raise UsageError(str(e)) from None
    report = build(
        config, sweeps, points, coverage_grid(config, sweeps), capital_efficiency(config)
    )
    if args.report:
        write(Path(args.report), report, label, config)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        show(report)
    return EXIT_OK


def cell(figure: StressInterval | None) -> str:
    if figure is None:
        return "-"
    return f"{figure.mean:,.0f} [{figure.low:,.0f}, {figure.high:,.0f}]"


def show(report: StressReport) -> None:
    """Each setting's figures (mean [95% CI] over the paths), then efficiency and coverage."""
    console = stdout_console()
    table = Table(title=f"stress: {report.paths} paths per setting, engine {report.engine}")
    for name in report.sweeps:
        table.add_column(name)
    for heading in (
        "accounts",
        "bad debt",
        "insurance",
        "socialized",
        "liquidations",
        "settle s",
        "spoke shortfall",
    ):
        table.add_column(heading)
    for p in report.points:
        social = sum(s.mean for s in p.metrics.socialized.values())
        table.add_row(
            *(str(v) for v in p.setting.values()),
            str(p.accounts),
            cell(p.metrics.bad_debt),
            cell(p.metrics.insurance_draw),
            f"{social:,.0f}",
            cell(p.metrics.liquidations),
            cell(p.metrics.time_to_settle_s),
            cell(p.metrics.spoke_shortfall),
        )
    console.print(table)
    for row in report.efficiency:
        console.print(
            f"{row.family:14} unified {row.unified:>12,}  siloed {row.siloed:>12,}  "
            f"saving {100 * row.saving:5.1f}%  ({row.accounts} accounts)"
        )
    for c in report.coverage:
        console.print(
            f"buffer coverage at {c.latency_s:>5} s, vol {c.vol_pct:g}%: "
            f"{100 * c.measured.mean:.3f}% "
            f"(target {100 * c.target:.3f}%, buffer {c.buffer_bps} bps)"
        )
