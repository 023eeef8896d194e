"""`intermargin fuzz --steps N [--seed S] [--trace-dir DIR]`: a random campaign of the state
machine against the reference model.

Honest and adversarial steps, every invariant checked after every step.  Shows
progress, then a summary: steps run, steps per second, coverage, result.  Exit 0
if no invariant broke, 1 if one did (the shrunk failing run is saved as a trace
for `intermargin replay`), 2 on bad usage.
"""

import argparse
import secrets
from functools import partial
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, output_dir
from intermargin.fuzzing.campaign import CampaignResult, run_campaign
from intermargin.fuzzing.coverage import EXCLUDED, PHASES
from intermargin.fuzzing.machine import RULE_NAMES
from intermargin.fuzzing.traces import DEFAULT_TRACE_DIR
from intermargin.workers import check_workers, example_database, in_workers
from spec.errors import Error

MAX_STEPS = 100_000_000


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "fuzz",
        help="run a random state-machine campaign against the reference model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--steps",
        type=int,
        default=20_000,
        help="model steps to run (default 20000); runs are whole, so the last may pass it",
    )
    p.add_argument("--seed", type=int, default=None, help="seed (default: a random one, printed)")
    p.add_argument(
        "--trace-dir",
        default=DEFAULT_TRACE_DIR,
        help=f"where a failing run is saved (default {DEFAULT_TRACE_DIR}/)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="run the campaign on N processes, each with its own seed slice (CLI-WORKERS-1)",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="Hypothesis example database shared by workers and runs: redis://host:port/db "
        "or a directory (CLI-WORKERS-2)",
    )
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps must be between 1 and {MAX_STEPS}, not {args.steps}")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be a non-negative integer below 2**63, not {args.seed}")
    output_dir(args.trace_dir, "--trace-dir")
    check_workers(args.workers)
    database = example_database(args.db)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    console = Console()
    console.print(f"fuzzing the reference model: {args.steps} steps, seed {seed}")
    if args.workers > 1:
        console.print(f"on {args.workers} workers (worker k: seed {seed} + k * 2**40)")
        job = partial(fuzz_worker, args.trace_dir, args.db)
        result = merge_fuzz(in_workers(job, args.steps, seed, args.workers), seed, args.steps)
    elif args.quiet:
        result = run_campaign(args.steps, seed, trace_dir=args.trace_dir, database=database)
    else:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("model steps", total=args.steps)
            result = run_campaign(
                args.steps,
                seed,
                trace_dir=args.trace_dir,
                progress=lambda n: bar.update(task, completed=min(n, args.steps)),
                database=database,
            )
    summarize(console, result)
    return EXIT_OK if result.failure is None and result.error is None else EXIT_FAILED


def fuzz_worker(trace_dir: str, db: str | None, worker: int, steps: int, seed: int) -> Any:
    """CLI-WORKERS-1: one worker's share, in its own process, with the shared database."""
    return run_campaign(steps, seed, trace_dir=trace_dir, database=example_database(db))


def merge_fuzz(parts: list[CampaignResult], seed: int, steps: int) -> CampaignResult:
    """The workers' campaigns as one: coverage added up, the time of the slowest; a failure
    is the first worker's, with that worker's seed and steps (which reproduce it alone)."""
    failed = next((p for p in parts if p.failure is not None or p.error is not None), None)
    merged = CampaignResult(seed=seed, requested=steps)
    if failed is not None:
        merged = CampaignResult(seed=failed.seed, requested=failed.requested)
        merged.failure, merged.trace_path, merged.error = (
            failed.failure,
            failed.trace_path,
            failed.error,
        )
    for p in parts:
        merged.coverage.merge(p.coverage)
    merged.seconds = max(p.seconds for p in parts)
    return merged


def summarize(console: Console, result: CampaignResult) -> None:
    cov = result.coverage
    runs = f"{cov.runs} run" + ("" if cov.runs == 1 else "s")
    console.print(
        f"{cov.model_steps} model steps in {runs}, {result.seconds:.1f} s, "
        f"{result.steps_per_second:,.0f} steps/s"
    )
    if cov.model_steps > result.requested:
        console.print(
            f"(asked for {result.requested}: a run is never cut short, and its last rule "
            "may apply several model steps; CLI-10)"
        )
    console.print(coverage_table(result))
    missing = cov.missing(RULE_NAMES)
    if missing:
        console.print(f"never reached: {', '.join(missing)}")
    if result.failure is not None:
        f = result.failure
        console.print(
            f"[bold red]FAILED[/] {f.invariant}: {f.message} (after {len(f.steps)} steps)"
        )
        console.print(
            f"trace: {result.trace_path}  (replay: intermargin replay {result.trace_path})"
        )
        console.print(
            f"reproduce: intermargin fuzz --steps {result.requested} --seed {result.seed}"
        )
    elif result.error is not None:
        console.print(f"[bold red]FAILED[/] {result.error}")
    else:
        console.print("[bold green]OK[/] every invariant held after every step")


def coverage_table(result: CampaignResult) -> Table:
    cov = result.coverage
    table = Table(title="coverage", show_lines=False)
    table.add_column("kind")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name in RULE_NAMES:
        table.add_row("rule", name, str(cov.rules[name]))
    for key in ["accepted", *(e.value for e in Error)]:
        note = f" (excluded: {EXCLUDED[key]})" if key in EXCLUDED else ""
        table.add_row("outcome", key + note, str(cov.codes()[key]))
    for phase in PHASES:
        table.add_row("liquidation", phase, str(cov.phases[phase]))
    return table
