"""One run of the `ci` state machine for two checks (VER-RUN-3): the state-machine check's
verdict, and the stratified corpus the differential check judges (DIFF-5).

Collecting the corpus is a run of the plain machine, the same machine the state-machine
check runs; so when both checks run, the corpus is collected by a hook on the
state-machine check's own run (the `ci` profile: 600 derandomized runs of up to 100
steps, twice the corpus profile's 300) and judged in the same worker, instead of a
second run of the machine.  The corpus keeps the first `PER_BUCKET` steps of every
bucket that run reaches, as DIFF-5 says; `benchmarks/bench_verify.py` prints its size.
"""

from dataclasses import dataclass
from time import perf_counter
from typing import Any

from intermargin.fuzzing.differential import Corpus
from intermargin.fuzzing.machine import hooked, run_machine
from intermargin.fuzzing.profiles import CI, profile
from intermargin.verify import CheckResult, Part, Settings, Split
from intermargin.verify.inprocess import (
    StepCounter,
    corpus_result,
    differential_live,
    differential_verdict,
    machine_verdict,
)

SHARED = "ci machine"

MACHINE_COST = 50.0
"""CPU seconds of the `ci` run with the corpus hook and the judging of the corpus (2-core
machine): the longest part, so the pool starts it first (VER-RUN-1)."""


@dataclass(frozen=True)
class MachineAndCorpus:
    """What the shared run found: the state-machine check's verdict, and the corpus's
    (steps judged, kinds, problems) for the differential check."""

    machine: CheckResult
    corpus: tuple[int, int, tuple[str, ...]]


def machine_and_corpus(settings: Settings) -> MachineAndCorpus:
    """Run the `ci` machine once, collecting the corpus as it goes; judge the corpus."""
    start = perf_counter()
    corpus = Corpus()
    with hooked(StepCounter(settings, "state-machine", every=200), corpus):
        corpus.run = run_machine(profile(CI))
    machine = machine_verdict(corpus.run, perf_counter() - start)
    return MachineAndCorpus(machine, corpus_result(corpus, settings))


def shared_part(settings: Settings) -> Part:
    return Part("ci machine and corpus", machine_and_corpus, (settings,), MACHINE_COST, SHARED)


def state_machine_split(settings: Settings) -> Split:
    """The state-machine check as the shared run."""
    return Split([shared_part(settings)], machine_join, "runs")


def machine_join(results: list[Any], seconds: float) -> CheckResult:
    shared: MachineAndCorpus = results[0]
    return shared.machine


def differential_split(settings: Settings) -> Split:
    """The differential check: its own machine with Z3 in the loop (DIFF-4), and the corpus
    from the shared run (DIFF-5), side by side."""
    return Split(
        [Part("differential machine", differential_live, (settings,), 30), shared_part(settings)],
        differential_join,
    )


def differential_join(results: list[Any], seconds: float) -> CheckResult:
    live, shared = results
    corpus: MachineAndCorpus = shared
    return differential_verdict([live, corpus.corpus], seconds)
