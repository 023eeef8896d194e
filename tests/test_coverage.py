"""The witness report: what counts as reached, and that whatever was not is named."""

from intermargin.fuzzing.coverage import EXCLUDED, PHASES, Coverage, outcome_key
from intermargin.fuzzing.machine import RULE_NAMES, MarginMachine
from spec.actions import Deliver, Deposit, GrantCredit, Liquidate, PublishPrice, Trade
from spec.errors import Error
from spec.outcome import Outcome


def test_an_empty_tally_names_every_rule_outcome_and_phase_as_missing() -> None:
    """Nothing reached, everything named: rules, `accepted`, every error code, every phase."""
    missing = Coverage().missing(RULE_NAMES)
    assert "rule deliver" in missing
    assert "rule drain_fairly" in missing
    assert "outcome accepted" in missing
    assert {f"outcome {e.value}" for e in Error if e.value not in EXCLUDED} <= set(missing)
    assert {f"phase {p}" for p in PHASES} <= set(missing)


def test_an_outcome_is_keyed_by_status_and_code() -> None:
    """OUT-1..OUT-2: rejected and ignored outcomes count separately, under their code."""
    assert outcome_key(Outcome(status="accepted")) == "accepted"
    rejected = Outcome(status="rejected", error=Error.STALE_EPOCH)
    ignored = Outcome(status="ignored", error=Error.STALE_EPOCH)
    assert outcome_key(rejected) == "rejected:STALE_EPOCH"
    assert outcome_key(ignored) == "ignored:STALE_EPOCH"


def test_every_excluded_code_is_a_real_code_with_a_reason() -> None:
    """The exclusion list stays minimal and justified."""
    codes = {e.value for e in Error}
    assert all(code in codes and reason for code, reason in EXCLUDED.items())


def test_a_liquidation_run_to_the_end_is_counted_phase_by_phase() -> None:
    """LIQ-1..LIQ-7: declared, each call obeyed, each answer received, then settled."""
    machine = MarginMachine()
    for feed in ("chainlink", "pyth", "redstone"):
        machine.apply(PublishPrice(feed=feed, price=2_000))
    machine.apply(Deposit(account="alice", asset="USD", amount=1_000))
    grant = machine.apply(GrantCredit(account="alice", spoke="arb", amount=1_000))
    machine.apply(Deliver(message_id=grant.emitted[0]))
    trade = machine.apply(
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000)
    )
    machine.apply(Deliver(message_id=trade.emitted[-1]))
    for feed in ("chainlink", "pyth", "redstone"):
        machine.apply(PublishPrice(feed=feed, price=1_500))
    calls = machine.apply(Liquidate(account="alice")).emitted
    answers = [machine.apply(Deliver(message_id=c)).emitted[0] for c in calls]
    for answer in answers:
        machine.apply(Deliver(message_id=answer))
    phases = machine.run.coverage.phases
    assert phases["declared"] == 1
    assert phases["call obeyed"] == len(calls) == 3
    assert phases["answer received"] == 3
    assert phases["settled"] == 1
    assert not machine.state.hub.status["alice"].liquidating
