"""The state machine in the CI profile: every invariant after every step, and witnesses that
the run reached every rule, outcome code and liquidation phase (INV-*, spec/invariants.md)."""

from pathlib import Path

import pytest
from hypothesis import settings

from intermargin.cli import main
from intermargin.fuzzing.checked import Run
from intermargin.fuzzing.machine import RULE_NAMES, MarginMachine, run_machine
from intermargin.fuzzing.profiles import CI, MUTANT, profile
from intermargin.fuzzing.traces import failure_trace, save_trace
from model.state import State
from spec.actions import Action, Deposit, GrantCredit, Liquidate, PublishPrice
from spec.outcome import Outcome


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path | None]:
    run = run_machine(profile(CI))
    path = None
    if run.failure is not None:
        path = save_trace(failure_trace(run.failure), tmp_path_factory.mktemp("traces"))
    return run, path


def test_every_invariant_holds_after_every_step_of_the_ci_run(
    ci_run: tuple[Run, Path | None],
) -> None:
    """INV-CREDIT-1/2, INV-PART-1/2, INV-ASSET-1, INV-NONNEG-1, INV-SPOKE-1, INV-AMO-1,
    INV-LIQ-1/2, INV-ATOMIC-1 hold after every honest and adversarial step."""
    run, path = ci_run
    assert run.error is None, f"{run.error}\ntrace saved to {path}"


def test_the_ci_run_reaches_every_rule_outcome_code_and_liquidation_phase(
    ci_run: tuple[Run, Path | None],
) -> None:
    """Witnesses: no invariant passes vacuously because nothing happened (ERR-1, LIQ-1..7;
    DIFF-7: OUT_OF_ORDER and RATE_LIMITED are reached only in the runs that start from an
    ordered or a rate-limited variant)."""
    run, _ = ci_run
    assert run.coverage.missing(RULE_NAMES) == []


def test_the_ci_run_checks_the_propagation_of_liquidations(
    ci_run: tuple[Run, Path | None],
) -> None:
    """INV-LIQ-2: the fair drain ran while liquidations were in progress, and they settled."""
    run, _ = ci_run
    assert run.coverage.rules["drain_fairly"] > 0
    assert run.coverage.phases["settled"] > 0


def test_an_after_step_hook_that_objects_fails_the_run_under_its_id() -> None:
    """The differential checks plug in as a run's hooks: an objection fails the run by its
    id, and the failure message describes the step as the timeline does."""

    def objects_to_grants(pre: State, action: Action, post: State, outcome: Outcome) -> str | None:
        return "grants are not allowed here" if isinstance(action, GrantCredit) else None

    objects_to_grants.invariant_id = "DIFF-TEST"  # type: ignore[attr-defined]
    run = run_machine(settings(profile(MUTANT), max_examples=20), hooks=(objects_to_grants,))
    assert run.failure is not None
    assert run.failure.invariant == "DIFF-TEST"
    last = run.failure.steps[-1].action
    assert isinstance(last, GrantCredit)
    assert f"by Grant {last.account}->{last.spoke} {last.amount}: " in str(run.error)
    assert "GrantCredit(" not in str(run.error)


def test_messages_to_or_from_a_withheld_spoke_are_not_deliverable() -> None:
    """MSG-12: withholding is not delivering; the deliver rule respects it."""
    machine = MarginMachine()
    for feed in ("chainlink", "pyth"):
        machine.apply(PublishPrice(feed=feed, price=2_000))
    machine.apply(Deposit(account="alice", asset="USD", amount=3_000))
    to_arb = machine.apply(GrantCredit(account="alice", spoke="arb", amount=100)).emitted
    to_base = machine.apply(GrantCredit(account="alice", spoke="base", amount=100)).emitted
    machine.withheld = frozenset({"arb"})
    assert machine.deliverable() == list(to_base)
    assert set(to_arb) <= set(machine.state.network.in_flight)


def test_a_step_breaking_an_invariant_fails_naming_it() -> None:
    """A failure names the invariant id and keeps the run of steps that broke it."""

    def always(pre: State, action: Action, post: State, outcome: Outcome) -> str:
        return "objection"

    always.invariant_id = "DIFF-TEST"  # type: ignore[attr-defined]
    machine = MarginMachine(Run(hooks=(always,)))
    with pytest.raises(AssertionError, match="DIFF-TEST broken at step 1 by Liquidate alice"):
        machine.apply(Liquidate(account="alice"))
    failure = machine.run.failures[-1]
    assert failure.invariant == "DIFF-TEST"
    assert [s.action for s in failure.steps] == [Liquidate(account="alice")]


def test_fuzz_command_runs_a_seeded_campaign_and_exits_zero(tmp_path: Path) -> None:
    """CLI: `intermargin fuzz --steps N --seed S` exits 0 when no invariant broke."""
    args = ["fuzz", "--steps", "300", "--seed", "7", "--quiet", "--trace-dir", str(tmp_path)]
    assert main(args) == 0
    assert list(tmp_path.iterdir()) == []


def test_fuzz_command_rejects_a_bad_step_count_with_exit_two() -> None:
    """CLI: bad usage is one line on stderr and exit 2."""
    assert main(["fuzz", "--steps", "0"]) == 2
