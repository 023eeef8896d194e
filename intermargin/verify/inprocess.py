"""Checks that run in this process: the proofs, the state machine, the differential
machine, and requirement traceability (VER-1)."""

import time
from dataclasses import dataclass
from typing import Any

from intermargin.fuzzing.checked import Run
from intermargin.fuzzing.coverage import Coverage
from intermargin.fuzzing.differential import (
    Corpus,
    judge_corpus,
    run_differential,
    stratified_corpus,
)
from intermargin.fuzzing.machine import RULE_NAMES, run_machine
from intermargin.fuzzing.profiles import CI, profile
from intermargin.traceability import traceability
from intermargin.verify import CheckResult, Settings, tell
from model.state import State
from proofs.bmc import BmcResult
from proofs.catalogue import select
from proofs.checking import Verdict
from proofs.runner import run_with_bmc
from spec.actions import Action
from spec.outcome import Outcome

CorpusResult = tuple[int, int, tuple[str, ...]]
"""DIFF-5: (steps judged, kinds, problems) of a stratified corpus."""


def timed(start: float) -> float:
    return time.perf_counter() - start


def proofs(settings: Settings) -> CheckResult:
    """Every proof obligation (init, step, safety, with vacuity checks) and the BMC of
    liquidation propagation; `unknown` or a vacuous premise fails (VER-2).  Each query is
    bounded by its resource limit, so the verdict is the same however loaded the machine
    is (PROOF-BUDGET-1)."""
    start = time.perf_counter()
    verdicts, bmc = run_with_bmc(
        select(None),
        budget=settings.obligation_budget,
        jobs=settings.jobs,
        bmc_spokes=2,
        bmc_budget=settings.bmc_budget,
    )
    assert bmc is not None
    return proofs_verdict([bmc, *verdicts], timed(start))


def proofs_verdict(results: list[Any], seconds: float) -> CheckResult:
    """The proofs check's verdict from the BMC's result and every obligation's verdict."""
    bmc: BmcResult = results[0]
    verdicts: list[Verdict] = results[1:]
    failed = [v for v in verdicts if v.result != "proved"]
    details = tuple(f"{v.obligation} ({v.invariant}): {v.result}: {v.detail}" for v in failed)
    if not bmc.ok:
        details += (f"INV-LIQ-2 propagation: {bmc.detail}",)
    ok = bool(verdicts) and not failed and bmc.ok
    summary = (
        f"{len(verdicts) - len(failed)} of {len(verdicts)} obligations proved;"
        f" propagation: {bmc.detail}"
    )
    return CheckResult("passed" if ok else "failed", seconds, summary, details)


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
    result = run_machine(profile(CI), hooks=(StepCounter(settings, "state-machine", every=200),))
    return machine_verdict(result, timed(start))


def machine_verdict(result: Run, seconds: float) -> CheckResult:
    """The state-machine check's verdict on its run: no invariant broken, and every rule,
    outcome code and liquidation phase reached."""
    coverage = result.coverage
    details = run_problems(result)
    missing = missing_coverage(coverage)
    details += tuple(f"never reached: {m}" for m in missing)
    summary = f"{coverage.model_steps} steps in {coverage.runs} runs; {len(missing)} unreached"
    return CheckResult("failed" if details else "passed", seconds, summary, details)


@dataclass
class StepCounter:
    """An after-step hook that reports how many machine steps a check has run (VER-RUN-2)."""

    settings: Settings
    check: str
    every: int = 50
    steps: int = 0
    label: str = ""
    """What the steps are of, before the count (when a check runs more than one machine)."""

    @property
    def __name__(self) -> str:
        return "progress"

    def __call__(self, pre: State, action: Action, post: State, outcome: Outcome) -> None:
        self.steps += 1
        if self.steps % self.every == 0:
            tell(self.settings, self.check, f"{self.label}{self.steps} steps")


def differential(settings: Settings) -> CheckResult:
    """DIFF-1..DIFF-5: the encoding judged against the model on every step of the
    differential machine and on the stratified corpus of every kind of step."""
    start = time.perf_counter()
    return differential_verdict(
        [differential_live(settings), differential_corpus(settings)], timed(start)
    )


def differential_live(settings: Settings) -> tuple[int, int, tuple[str, ...]]:
    """DIFF-4: (steps judged, steps outside the encoding, problems) of the differential
    machine, every step judged as it happens."""
    live = run_differential(hooks=(StepCounter(settings, "differential"),))
    return live.judged, live.outside, run_problems(live.run)


def differential_corpus(settings: Settings) -> CorpusResult:
    """DIFF-5: (steps judged, kinds, problems) of the stratified corpus."""
    return corpus_result(stratified_corpus(), settings)


def corpus_result(corpus: Corpus, settings: Settings) -> CorpusResult:
    """DIFF-5: judge every step of the corpus; the problems include its run's own."""
    tell(settings, "differential", f"judging the corpus: {len(corpus.steps)} steps")
    details: tuple[str, ...] = ()
    if corpus.run is not None:
        details += tuple(f"corpus run: {p}" for p in run_problems(corpus.run))
    details += tuple(judge_corpus(corpus))
    return len(corpus.steps), len(corpus.counts), details


def differential_verdict(results: list[Any], seconds: float) -> CheckResult:
    """The differential check's verdict from the machine's and the corpus's results."""
    (judged, outside, live_problems), (corpus_steps, kinds, corpus_problems) = results
    details = live_problems + corpus_problems
    if judged == 0 or not corpus_steps:
        details += ("nothing was judged",)
    summary = (
        f"{judged} machine steps judged ({outside} outside the encoding);"
        f" {corpus_steps} corpus steps in {kinds} kinds"
    )
    return CheckResult("failed" if details else "passed", seconds, summary, details)


def requirements(settings: Settings) -> CheckResult:
    """CLI-6: every requirement in spec/ is cited by a test or a proof obligation."""
    start = time.perf_counter()
    rows = traceability()
    gaps = tuple(r.requirement.id for r in rows if not r.verified)
    summary = f"{len(rows) - len(gaps)} of {len(rows)} requirements verified"
    ok = rows and not gaps
    details = (f"unverified: {', '.join(gaps)}",) if gaps else ()
    return CheckResult("passed" if ok else "failed", timed(start), summary, details)
