"""`intermargin verify`: the proofs, the state machines, the differential checks, the
contracts, the types and traceability, in one run with one verdict (VER-1, VER-2)."""

import argparse
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from intermargin.console import stdout_console
from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, output_file
from intermargin.verify import Check, CheckResult, Settings
from intermargin.verify.checks import ALONE, CHECKS, IN_CHILD_PROCESS
from intermargin.verify.report import summary_table, to_json, to_junit
from proofs.report import dump_json


def guarded(check: Check, settings: Settings) -> CheckResult:
    """Run a check; a check that crashes has failed (VER-2), it does not stop the others."""
    start = time.perf_counter()
    try:
        return check.run(settings)
    except Exception as e:  # a crash of the checker is a failed check, with its reason
        reason = f"{type(e).__name__}: {str(e)[:300]}"
        return CheckResult("failed", time.perf_counter() - start, f"crashed: {reason}", (reason,))


def chosen(names: list[str] | None, skip: list[str] | None) -> list[Check]:
    known = {c.name for c in CHECKS}
    for name in (names or []) + (skip or []):
        if name not in known:
            raise UsageError(f"no check named {name!r} (checks: {', '.join(sorted(known))})")
    picked = [c for c in CHECKS if (not names or c.name in names)]
    return [c for c in picked if c.name not in (skip or [])]


def main(args: argparse.Namespace) -> int:
    if not (args.timeout > 0 and args.contract_timeout > 0):
        raise UsageError("timeouts must be positive")
    output_file(args.json, "--json")
    output_file(args.junit, "--junit")
    checks = chosen(args.only, args.skip)
    if not checks:
        raise UsageError("every check was skipped: nothing to verify")
    settings = Settings(proof_timeout_s=args.timeout, contract_timeout_s=args.contract_timeout)
    console = stdout_console()
    start = time.perf_counter()
    results: dict[str, CheckResult] = {}

    def report(check: Check, result: CheckResult) -> None:
        mark = "[green]passed[/]" if result.status == "passed" else "[bold red]FAILED[/]"
        console.print(f"{mark} {check.name} ({result.seconds:.1f}s): {result.summary}")
        results[check.name] = result

    in_process = [c for c in checks if c.name not in IN_CHILD_PROCESS]
    solo = [c for c in in_process if c.name in ALONE]
    with ThreadPoolExecutor(max_workers=len(IN_CHILD_PROCESS)) as pool:
        for check in solo:
            with console.status(f"verifying: {check.name}"):
                report(check, guarded(check, settings))
        children: list[tuple[Check, Future[CheckResult]]] = [
            (c, pool.submit(guarded, c, settings)) for c in checks if c.name in IN_CHILD_PROCESS
        ]
        for check in (c for c in in_process if c not in solo):
            with console.status(f"verifying: {check.name}"):
                report(check, guarded(check, settings))
        for check, future in children:
            with console.status(f"verifying: {check.name}"):
                report(check, future.result())
    seconds = time.perf_counter() - start
    ran = [(c, results[c.name]) for c in checks]
    console.print(summary_table(ran))
    for check, result in ran:
        for line in result.details[:20]:
            console.print(f"[red]x[/] {check.name}: {line}", highlight=False)
    ok = all(r.status == "passed" for _, r in ran)
    verdict = "every check passed" if ok else "some check FAILED"
    console.print(f"{verdict} in {seconds:.1f}s", style="green" if ok else "bold red")
    if args.json:
        Path(args.json).write_text(dump_json(to_json(ran, seconds)), encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(to_junit(ran, seconds), encoding="utf-8")
    return EXIT_OK if ok else EXIT_FAILED


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    names = ", ".join(c.name for c in CHECKS)
    p = sub.add_parser(
        "verify",
        help="run every check: proofs, state machines, drift, contracts, types, traceability",
        description=(
            "The project's main job: the Z3 proofs, the honest and adversarial state "
            "machine, the differential checks between the proofs and the model, the "
            "CrossHair contracts, mypy --strict, and requirement traceability. Prints "
            "progress and one summary table. Exit 0 only if every check passed, 1 if any "
            f"failed, 2 on bad usage. Checks: {names}."
        ),
    )
    p.add_argument("--only", action="append", metavar="CHECK", help="run only this check")
    p.add_argument("--skip", action="append", metavar="CHECK", help="skip this check")
    p.add_argument("--json", metavar="FILE", help="write the verdict as JSON")
    p.add_argument("--junit", metavar="FILE", help="write the verdict as JUnit XML")
    p.add_argument(
        "--timeout", type=float, default=20.0, metavar="S", help="per solver query (default 20)"
    )
    p.add_argument(
        "--contract-timeout",
        type=float,
        default=3.0,
        metavar="S",
        help="CrossHair budget per condition (default 3)",
    )
    p.set_defaults(run=main)
