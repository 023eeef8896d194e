"""Checks that run in this process: the proofs, the state machine, the differential
machine, and requirement traceability (VER-1)."""

import time

from intermargin.fuzzing.coverage import Coverage
from intermargin.fuzzing.differential import judge_corpus, run_differential, stratified_corpus
from intermargin.fuzzing.machine import RULE_NAMES, Run, run_machine
from intermargin.fuzzing.profiles import CI, profile
from intermargin.traceability import traceability
from intermargin.verify import CheckResult, Settings
from proofs.bmc import propagation
from proofs.obligations import select
from proofs.runner import run


def timed(start: float) -> float:
    return time.perf_counter() - start


def proofs(settings: Settings) -> CheckResult:
    """Every proof obligation (init, step, safety, with vacuity checks) and the BMC of
    liquidation propagation; `unknown`, a timeout or a vacuous premise fails (VER-2)."""
    start = time.perf_counter()
    obligations = select(None)
    verdicts = run(obligations, timeout_s=settings.proof_timeout_s, jobs=settings.jobs)
    bmc = propagation(spokes=2, timeout_s=settings.proof_timeout_s)
    failed = [v for v in verdicts if v.result != "proved"]
    details = tuple(f"{v.obligation} ({v.invariant}): {v.result} {v.detail}" for v in failed)
    if not bmc.ok:
        details += (f"INV-LIQ-2 propagation: {bmc.detail}",)
    ok = bool(verdicts) and not failed and bmc.ok
    summary = (
        f"{len(verdicts) - len(failed)} of {len(verdicts)} obligations proved;"
        f" propagation: {bmc.detail}"
    )
    return CheckResult("passed" if ok else "failed", timed(start), summary, details)


def missing_coverage(coverage: Coverage) -> list[str]:
    return coverage.missing(RULE_NAMES)


def run_problems(run: Run) -> tuple[str, ...]:
    """Every (id, what broke) of a machine run's failure, or how the run ended badly."""
    if run.failure is not None:
        steps = len(run.failure.steps)
        return tuple(f"{i} at step {steps}: {m}" for i, m in run.failure.broken)
    if run.error is not None:
        return (f"the run ended with {type(run.error).__name__}: {str(run.error)[:200]}",)
    return ()


def state_machine(settings: Settings) -> CheckResult:
    """The honest and adversarial state machine (`ci` profile): every invariant after every
    step, and every rule, outcome code and liquidation phase reached."""
    start = time.perf_counter()
    result = run_machine(profile(CI))
    coverage = result.coverage
    details = run_problems(result)
    missing = missing_coverage(coverage)
    details += tuple(f"never reached: {m}" for m in missing)
    summary = f"{coverage.model_steps} steps in {coverage.runs} runs; {len(missing)} unreached"
    return CheckResult("failed" if details else "passed", timed(start), summary, details)


def differential(settings: Settings) -> CheckResult:
    """DIFF-1..DIFF-5: the encoding judged against the model on every step of the
    differential machine and on the stratified corpus of every kind of step."""
    start = time.perf_counter()
    live = run_differential()
    details = run_problems(live.run)
    corpus = stratified_corpus()
    if corpus.run is not None:
        details += tuple(f"corpus run: {p}" for p in run_problems(corpus.run))
    details += tuple(judge_corpus(corpus))
    if live.judged == 0 or not corpus.steps:
        details += ("nothing was judged",)
    summary = (
        f"{live.judged} machine steps judged ({live.outside} outside the encoding);"
        f" {len(corpus.steps)} corpus steps in {len(corpus.counts)} kinds"
    )
    return CheckResult("failed" if details else "passed", timed(start), summary, details)


def requirements(settings: Settings) -> CheckResult:
    """CLI-6: every requirement in spec/ is cited by a test or a proof obligation."""
    start = time.perf_counter()
    rows = traceability()
    gaps = tuple(r.requirement.id for r in rows if not r.verified)
    summary = f"{len(rows) - len(gaps)} of {len(rows)} requirements verified"
    ok = rows and not gaps
    details = (f"unverified: {', '.join(gaps)}",) if gaps else ()
    return CheckResult("passed" if ok else "failed", timed(start), summary, details)
