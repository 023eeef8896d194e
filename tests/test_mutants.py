"""Mutation sanity: each deliberately broken model is caught by the invariant it breaks,
and a caught failure is saved as a trace that reproduces it (TRC-1..TRC-4)."""

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.mutants import Mutant, applied, by_name, mutants
from intermargin.fuzzing.profiles import MUTANT, profile
from intermargin.fuzzing.traces import failure_trace, load_trace, rerun, save_trace
from model.delivery import AT_HUB, AT_SPOKE
from model.step import TRANSITIONS
from proofs.patches import Witness

MUTANTS = mutants()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_is_caught_by_the_invariant_it_breaks(mutant: Mutant) -> None:
    """INV-CREDIT-1, INV-CREDIT-2, INV-PART-1, INV-NONNEG-1, INV-LIQ-1 each catch their
    classic bug within the small derandomized `mutant` budget; and the mutant still
    differs from the model it mutates: on the run's own calls, its patched guard or
    helper answered otherwise than the model's at least once."""
    witnesses = [Witness(p) for p in mutant.patches]
    recording = replace(mutant, patches=tuple(w.patch_recording() for w in witnesses))
    with applied(recording):
        run = run_machine(profile(MUTANT))
    assert run.failure is not None, f"{mutant.name} ({mutant.bug}) was not caught"
    ordered = run.failure.params.channel_ordering == "ordered"
    also = set(mutant.also) if ordered else set()  # CHAN-1: a stuck head blocks its channel
    assert mutant.expected in run.failure.ids or also & run.failure.ids, (
        f"{mutant.name} caught by {sorted(run.failure.ids)}, not {mutant.expected}"
    )
    for w in witnesses:
        assert w.differed > 0, f"{w.patch.label()} never answered otherwise than the model"


def test_applying_a_mutant_restores_the_model_afterwards() -> None:
    """Mutants never leak: the dispatch tables are the model's own after the block."""
    before = (dict(TRANSITIONS), dict(AT_HUB), dict(AT_SPOKE))
    for mutant in mutants():
        with applied(mutant):
            assert (dict(TRANSITIONS), dict(AT_HUB), dict(AT_SPOKE)) != before
    assert (dict(TRANSITIONS), dict(AT_HUB), dict(AT_SPOKE)) == before


def test_a_shrunk_failure_is_saved_as_a_trace_that_reproduces_it(tmp_path: Path) -> None:
    """TRC-1..TRC-4: the final (shrunk) failing run is saved; loading it and re-running its
    actions through model.step gives the same outcomes and the same broken invariant."""
    mutant = by_name("margin-call-ignored")
    shrinking = settings(profile(MUTANT), phases=(Phase.explicit, Phase.generate, Phase.shrink))
    with applied(mutant):
        run = run_machine(shrinking)
        assert run.failure is not None
        assert len(run.failure.steps) <= len(run.failures[0].steps)
        path = save_trace(failure_trace(run.failure, note=mutant.name), tmp_path)
        trace = load_trace(path)
        again = rerun(trace)
    assert trace.meta.source == "fuzz"
    assert trace.meta.invariant == mutant.expected
    assert again.matches(trace)
    last = len(trace.steps)
    assert (last, mutant.expected) in {(n, i) for n, i, _ in again.broken}
    assert mutant.expected not in rerun(trace).ids, "the real model is not broken by it"
