"""The Z3 encoding and the reference model, checked against each other step by step
(DIFF-1..DIFF-5): no drift on honest and adversarial runs, and each kind of drift,
planted on either side, is caught."""

from functools import cache

import pytest
from hypothesis import settings

from intermargin.fuzzing.differential import (
    CORPUS,
    PER_BUCKET,
    Corpus,
    judge_corpus,
    run_differential,
    stratified_corpus,
)
from intermargin.fuzzing.machine import run_machine
from intermargin.fuzzing.mutants import applied, by_name
from proofs.differential import differential_hooks
from proofs.mutants import MUTANT_BY_NAME
from proofs.transitions import KIND_BY_NAME
from spec.errors import Error


@cache
def corpus() -> Corpus:
    """DIFF-5's corpus: collected on the `ci` run of the state machine (VER-RUN-3)."""
    return stratified_corpus()


def test_the_encoding_and_the_model_agree_on_every_step_of_a_run() -> None:
    """DIFF-1..DIFF-4: on every step of the derandomized differential run, the relation
    accepts the model's (pre, post) with the model's outcome, and every Z3 invariant
    formula agrees with its Python predicate."""
    result = run_differential()
    failure = result.run.failure
    assert failure is None, f"{failure.invariant}: {failure.message}" if failure else ""
    assert result.run.error is None
    assert result.judged >= 600, f"only {result.judged} steps judged"
    assert result.outside <= result.judged // 10, "too many steps outside the encoding"


def test_the_corpus_holds_every_outcome_code_the_machine_reaches() -> None:
    """DIFF-5: the stratified corpus is not vacuous: every error code is in it."""
    codes = {key.removesuffix("+moving").rsplit(":", 1)[-1] for key in corpus().counts}
    assert {e.value for e in Error} <= codes


def test_the_corpus_holds_the_refused_answer_of_a_paused_spoke() -> None:
    """DIFF-5, VER-RUN-3, LIQ-3: the `ci` run reaches an answer to a margin call that claims
    a loss delivered while its spoke is paused (`pause_before_the_answer`), the one bucket
    the corpus's former run of its own reached and the `ci` run did not."""
    buckets = {key.removesuffix("+moving") for key in corpus().counts}
    assert "Deliver/LiquidationReport/rejected:SPOKE_PAUSED" in buckets


def test_the_encoding_and_the_model_agree_on_every_kind_of_step() -> None:
    """DIFF-1, DIFF-2, DIFF-5: every bucket of (action, message, outcome) is judged and
    the relation agrees with the model on each."""
    assert judge_corpus(corpus()) == []


@pytest.mark.parametrize("mutant", sorted(MUTANT_BY_NAME))
def test_drift_planted_in_the_encoding_is_caught(mutant: str) -> None:
    """DIFF-1: one guard or update changed in the Z3 encoding only (the model untouched):
    the relation disagrees with the model on some step of the corpus."""
    changed = MUTANT_BY_NAME[mutant].replaces.keys()
    kinds = {KIND_BY_NAME[k].action for k in changed} | {
        m for k in changed if (m := KIND_BY_NAME[k].message) is not None
    }
    assert judge_corpus(corpus(), encoding_mutant=mutant, only=kinds), f"{mutant} drifted unnoticed"


@pytest.mark.parametrize(
    "mutant",
    ["grant-ignores-allocation", "release-keeps-line", "cap-against-all-caps", "replay-accepted"],
)
def test_drift_planted_in_the_model_is_caught_by_the_encoding(mutant: str) -> None:
    """DIFF-1: the model mutated, the encoding untouched: on the steps the mutated model
    takes, the relation disagrees (whatever invariant the bug also breaks)."""
    broken = by_name(mutant)
    # more steps per bucket than DIFF-5's corpus: whether the first drifting step of the
    # mutated model falls among a bucket's first 12 depends on the rules the machine has
    # (the run on a mutated model is short: it stops at the broken invariant)
    mutated = Corpus(per_bucket=4 * PER_BUCKET)
    with applied(broken):
        run_machine(CORPUS, hooks=(mutated,))
    changed = set(broken.kinds)
    assert judge_corpus(mutated, only=changed), f"model mutant {mutant} drifted unnoticed"


def test_hooks_apply_only_to_the_run_they_are_given_to() -> None:
    """The drift checks run after every step of the run given them, and only of that run:
    the plain machine runs without them."""
    hooks = differential_hooks()
    seen = Corpus()
    hooked = run_machine(settings(CORPUS, max_examples=2), hooks=(*hooks, seen))
    plain = run_machine(settings(CORPUS, max_examples=2))
    assert hooked.hooks == (*hooks, seen) and plain.hooks == ()
    assert sum(seen.counts.values()) == hooked.coverage.model_steps > 0


def test_a_model_that_lets_profit_into_capacity_leaves_the_proofs_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DIFF-6, RISK-NET-4: the proofs quantify a capacity's reported loss over values <= 0
    only.  At the end of `hedged`, arb has reported a 1,000,000 fake profit for carol; a model
    whose capacity counted the pool-backed profit (net equity) gives her grant a reported
    "loss" of +2000, outside that range, and the differential check says so; the real
    model's grant is judged in range."""
    import proofs.concrete_actions
    from intermargin.scenarios import SCENARIOS
    from intermargin.timeline import run as run_scenario
    from model import step
    from model.risk import net_equity
    from proofs.differential import relation_check
    from spec.actions import GrantCredit, Inject
    from spec.messages import ExposureReport

    state = run_scenario(SCENARIOS["hedged"]).final
    lie = ExposureReport(account="carol", seq=99, balance=1_000_000, positions=())
    state, _ = step(state, Inject(sender="arb", receiver="hub", payload=lie))
    grant = GrantCredit(account="carol", spoke="base", amount=1_000)
    after, outcome = step(state, grant)
    assert relation_check(state, grant, after, outcome) == (True, None)
    monkeypatch.setattr(proofs.concrete_actions, "capacity", net_equity)
    judged, problem = relation_check(state, grant, after, outcome)
    assert judged and problem is not None
    assert "inputs outside the proofs' range: reported_loss=2000" in problem
