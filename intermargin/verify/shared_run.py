"""One run of the `ci` state machine for two checks (VER-RUN-3): the state-machine check's
verdict, and the stratified corpus the differential check judges (DIFF-5).

The corpus is collected on the plain machine, the same machine the state-machine check
runs; so the corpus is a hook on the state-machine check's own run (the `ci` profile: 600
derandomized runs of up to 100 steps) and is judged in the same worker, instead of a
second run of the machine.  It keeps the first `PER_BUCKET` steps of every bucket that
run reaches, as DIFF-5 says.
"""

from time import perf_counter
from typing import Any

from intermargin.fuzzing.differential import stratified_corpus
from intermargin.verify import CheckResult, Part, Settings, Split, tell
from intermargin.verify.inprocess import (
    CorpusResult,
    StepCounter,
    corpus_result,
    differential_live,
    differential_verdict,
    machine_verdict,
)

SHARED = "ci machine"

MACHINE_COST = 36.0
"""CPU seconds of the `ci` run with the corpus hook, and of judging the corpus (2-core
machine): the longest part, so the pool starts it first (VER-RUN-1)."""

LIVE_COST = 7.0
"""CPU seconds of the differential machine (every step judged by Z3)."""


def machine_and_corpus(settings: Settings) -> tuple[CheckResult, CorpusResult]:
    """Run the `ci` machine once, collecting the corpus as it goes; judge the corpus.
    (The state-machine check's verdict, the corpus's result for the differential check.)"""
    start = perf_counter()
    counters = (
        StepCounter(settings, "state-machine", every=200),
        StepCounter(settings, "differential", every=1000, label="corpus from the ci run: "),
    )
    corpus = stratified_corpus(hooks=counters)
    assert corpus.run is not None
    machine = machine_verdict(corpus.run, perf_counter() - start)
    tell(settings, "state-machine", f"{machine.summary}; judging its corpus")
    return machine, corpus_result(corpus, settings)


def shared_part(settings: Settings) -> Part:
    return Part("ci machine and corpus", machine_and_corpus, (settings,), MACHINE_COST, SHARED)


def state_machine_split(settings: Settings) -> Split:
    """The state-machine check: the shared run."""
    return Split([shared_part(settings)], machine_join, "runs")


def machine_join(results: list[Any], seconds: float) -> CheckResult:
    machine: CheckResult = results[0][0]
    return machine


def differential_split(settings: Settings) -> Split:
    """The differential check: its own machine with Z3 in the loop (DIFF-4), and the corpus
    of the shared run (DIFF-5), side by side."""
    return Split(
        [
            Part("differential machine", differential_live, (settings,), LIVE_COST),
            shared_part(settings),
        ],
        differential_join,
    )


def differential_join(results: list[Any], seconds: float) -> CheckResult:
    live, (_, corpus) = results
    return differential_verdict([live, corpus], seconds)
