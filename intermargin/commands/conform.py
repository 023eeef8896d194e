"""`intermargin conform --impl CMD`: run a build against the vectors, then a lockstep
campaign with the reference, shrinking any divergence (CONF-12..CONF-19).

Exit 0 if every case the build's chapters allow passes and the campaign finds nothing,
1 if a case or the campaign diverged or the build broke, 2 on bad usage.  A divergence
is shown as a short table and saved as a case file that `--case FILE` replays.
"""

import argparse
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from intermargin.conform_report import junit_of, rows, table
from intermargin.console import stdout_console
from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, first_error
from intermargin.workers import check_workers, example_database, in_workers

DEFAULT_STEPS = 2_000
DEFAULT_SEED = 0
VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"


def load_cases(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """The cases to run: `--case FILE`, or the tree under `--vectors`, filtered."""
    from conformance.vectors import case_files, load_case
    from spec.requirements import requirements

    if args.id is not None and args.id not in requirements():
        raise UsageError(f"unknown requirement id {args.id!r}")
    if args.case:
        paths = [Path(args.case)]
    else:
        root = Path(args.vectors)
        if not root.is_dir():
            raise UsageError(f"{args.vectors}: not a folder of vectors")
        paths = case_files(root)
    cases = []
    for path in paths:
        try:
            case = load_case(path)
        except FileNotFoundError:
            raise UsageError(f"cannot read {path}: no such file") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"cannot read {path}: {e}") from None
        except ValidationError as e:
            raise UsageError(f"{path}: not a test vector: {first_error(e)}") from None
        cases.append((str(path), case))
    if args.id is not None:
        cases = [(p, c) for p, c in cases if args.id in c.requirements]
    if args.chapter:
        cases = [(p, c) for p, c in cases if c.chapter in args.chapter]
    return cases


def progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return nullcontext(None)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=stdout_console(),
        transient=True,
    )


def ticker(bar: Any, description: str, total: int) -> Callable[[int], None] | None:
    if bar is None:
        return None
    task = bar.add_task(description, total=total)
    return lambda n: bar.advance(task, n)


def main(args: argparse.Namespace) -> int:
    from conformance.build import Build, BuildBroken
    from conformance.harness import merge_campaigns, run_campaign, run_vectors, save_case
    from conformance.report import (
        BuildInfo,
        CampaignVerdict,
        CaseVerdict,
        ConformReport,
    )
    from conformance.session import Session
    from spec.chapters import CHAPTERS
    from spec.version import SPEC_VERSION

    if args.steps < 0:
        raise UsageError("--steps must be 0 or more")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    for chapter in args.chapter or ():
        if chapter not in CHAPTERS:
            raise UsageError(f"unknown chapter {chapter!r} (known: {', '.join(CHAPTERS)})")
    check_workers(args.workers)
    database = example_database(args.db)
    cases = load_cases(args)
    console = stdout_console()
    start = time.perf_counter()
    try:
        build = Build(args.impl, timeout=args.timeout)
    except BuildBroken as e:
        raise UsageError(str(e)) from None
    session = Session(build)
    try:
        try:
            hello = session.open()
        except BuildBroken as e:
            console.print(f"build broken: {e}", highlight=False, soft_wrap=True)
            return EXIT_FAILED
        console.print(
            f"build: {hello.name} (protocol {hello.protocol}; chapters: "
            f"{', '.join(hello.chapters) or 'none'})",
            highlight=False,
        )
        show = console.is_terminal and not args.no_progress
        total = sum(len(c.steps) for _, c in cases)
        with progress_bar(total, show) as bar:
            results = run_vectors(session, cases, ticker(bar, "vectors", total))
        run_it = args.case is None and args.steps > 0
        campaign = None
        chapters = tuple(c for c in session.chapters if not args.chapter or c in args.chapter)
        if run_it and args.workers == 1:
            session.chapters = chapters
            with progress_bar(args.steps, show) as bar:
                campaign = run_campaign(
                    session,
                    args.steps,
                    args.seed,
                    per_example=args.per_example,
                    database=database,
                    tick=ticker(bar, "campaign", args.steps),
                )
    finally:
        restarts = max(build.restarts, 0)
        build.close()
    if run_it and args.workers > 1:
        job = partial(campaign_worker, args.impl, chapters, args.per_example, args.timeout, args.db)
        parts = in_workers(job, args.steps, args.seed, args.workers)
        campaign = merge_campaigns(parts, args.seed, args.steps)

    verdicts = []
    for r in results:
        step_rows = [] if r.mismatch is None else rows(dict_case(cases, r.file), r.mismatch)
        verdicts.append(
            CaseVerdict(
                id=r.id,
                file=r.file,
                status=r.status,
                detail=r.detail
                or ("" if r.mismatch is None else f"step {r.mismatch.step}: {r.mismatch.path}"),
                steps=r.steps,
                seconds=round(r.seconds, 4),
                table=step_rows,
            )
        )
    counts = {
        s: sum(1 for v in verdicts if v.status == s) for s in ("pass", "fail", "skip", "broken")
    }
    for v in verdicts:
        if v.status == "fail":
            console.print(table(f"x {v.id}: {v.detail}", v.table))
        elif v.status == "broken":
            console.print(f"x {v.id}: build broken: {v.detail}", highlight=False, soft_wrap=True)
    ran = counts["pass"] + counts["fail"] + counts["broken"]
    console.print(
        f"vectors: {counts['pass']} of {ran} cases passed ({counts['skip']} skipped for "
        f"undeclared chapters)",
        highlight=False,
    )
    campaign_verdict = None
    if campaign is not None:
        campaign_verdict = campaign_report(campaign, args, save_case, rows, CampaignVerdict)
        line = f"campaign: {campaign.steps} steps in {campaign.examples} runs, seed {campaign.seed}"
        if args.workers > 1:
            line += f", {args.workers} workers"
        if campaign_verdict.status == "pass":
            console.print(f"{line}: no divergence", highlight=False)
        elif campaign_verdict.status == "broken":
            console.print(
                f"{line}: build broken: {campaign.broken}", highlight=False, soft_wrap=True
            )
        else:
            console.print(
                table(
                    f"x campaign divergence, shrunk to {len(campaign_verdict.table)} "
                    + ("step" if len(campaign_verdict.table) == 1 else "steps"),
                    campaign_verdict.table,
                )
            )
            console.print(
                f"{line}: divergence saved to {campaign_verdict.case_file}; replay it with "
                f"`intermargin conform --impl '{args.impl}' --case {campaign_verdict.case_file}`",
                highlight=False,
                soft_wrap=True,
            )
    failed = counts["fail"] + counts["broken"] > 0 or (
        campaign_verdict is not None and campaign_verdict.status != "pass"
    )
    report = ConformReport(
        spec_version=SPEC_VERSION,
        verdict="fail" if failed else "pass",
        build=BuildInfo(
            command=args.impl, name=hello.name, chapters=list(hello.chapters), restarts=restarts
        ),
        counts=counts,
        cases=verdicts,
        campaign=campaign_verdict,
        seconds=round(time.perf_counter() - start, 3),
    )
    if args.json:
        Path(args.json).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(junit_of(report) + "\n", encoding="utf-8")
    console.print("FAIL" if failed else "PASS", highlight=False)
    return EXIT_FAILED if failed else EXIT_OK


def campaign_worker(
    impl: str,
    chapters: tuple[str, ...],
    per_example: int,
    timeout: float,
    db: str | None,
    worker: int,
    steps: int,
    seed: int,
) -> Any:
    """CONF-22: one worker's share of a campaign, in its own process: its own build, its
    seed slice, the shared example database.  The result goes back without the exception
    object (its `mismatch` and `case` say what it found)."""
    from conformance.build import Build, BuildBroken
    from conformance.harness import CampaignResult, run_campaign
    from conformance.session import Session

    session = Session(Build(impl, timeout=timeout))
    try:
        try:
            session.open()
        except BuildBroken as e:
            return CampaignResult(seed=seed, requested=steps, broken=f"worker {worker}: {e}")
        session.chapters = chapters
        result = run_campaign(
            session, steps, seed, per_example=per_example, database=example_database(db)
        )
    finally:
        session.build.close()
    if result.broken:
        result.broken = f"worker {worker}: {result.broken}"
    result.divergence = None
    return result


def dict_case(cases: list[tuple[str, Any]], file: str) -> Any:
    return next(c for p, c in cases if p == file)


def campaign_report(
    campaign: Any, args: argparse.Namespace, save: Any, make_rows: Any, model: Any
) -> Any:
    status = "pass"
    detail = ""
    case_file = None
    step_rows: list[Any] = []
    if campaign.broken:
        status, detail = "broken", campaign.broken
    elif campaign.mismatch is not None:
        status = "fail"
        path = save(campaign.case, Path(args.save))
        case_file = str(path)
        step_rows = make_rows(campaign.case, campaign.mismatch)
        detail = campaign.case.title
    return model(
        status=status,
        detail=detail,
        seed=campaign.seed,
        requested_steps=campaign.requested,
        steps=campaign.steps,
        examples=campaign.examples,
        seconds=round(campaign.seconds, 3),
        steps_per_second=round(campaign.steps_per_second, 1),
        case_file=case_file,
        table=step_rows,
    )


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "conform",
        help="test a build against the vectors and in lockstep with the reference",
        description=(
            "Start the build (a command speaking the adapter protocol of "
            "spec/conformance.md), run every test vector its chapters allow, then a "
            "Hypothesis campaign driving it and the reference in lockstep. A divergence is "
            "shrunk, shown as a table and saved as a case file. Exit 0 pass, 1 divergence "
            "or broken build, 2 bad usage."
        ),
    )
    p.add_argument("--impl", required=True, metavar="CMD", help="the build's command line")
    p.add_argument("--chapter", action="append", metavar="C", help="only this chapter (repeatable)")
    p.add_argument("--id", metavar="ID", help="only the vectors exercising this requirement id")
    p.add_argument("--case", metavar="FILE", help="replay one case file (no campaign)")
    p.add_argument("--vectors", metavar="DIR", default=str(VECTORS), help="the vector tree")
    p.add_argument(
        "--steps", type=int, default=DEFAULT_STEPS, metavar="N", help="campaign steps (0: none)"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="campaign seed")
    p.add_argument(
        "--per-example", type=int, default=25, metavar="K", help="most steps per campaign run"
    )
    p.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="per-reply timeout"
    )
    p.add_argument(
        "--save", default="conformance-failures", metavar="DIR", help="where divergences go"
    )
    p.add_argument("--json", metavar="FILE", help="write the JSON report here")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report here")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="run the campaign on N processes, each with its own build and seed slice",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="Hypothesis example database shared by workers and runs: redis://host:port/db "
        "or a directory; a divergence saved there is replayed first",
    )
    p.set_defaults(run=main)
