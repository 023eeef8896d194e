"""The Z3 proofs: obligations prove, mutants break them, counterexamples read and replay,
the encoding agrees with the model on concrete steps, reports validate."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import z3

from intermargin.cli import main
from model import State, initial_state, step
from model.invariants import STATE_INVARIANTS
from model.observe import restore
from proofs.abstraction import assignment
from proofs.bmc import propagation
from proofs.budget import Budget
from proofs.catalogue import all_obligations, select
from proofs.checking import OBLIGATION_RLIMIT, Verdict, check, check_obligation
from proofs.concrete import judge
from proofs.concretize import trace_of
from proofs.invariants import INVARIANTS, all_invariants
from proofs.mutants import MUTANTS
from proofs.obligations import Obligation
from proofs.premises import Query
from proofs.report import table, to_json, to_junit
from proofs.runner import run
from proofs.state import fresh
from spec.actions import Action, Deliver, Deposit, GrantCredit, Liquidate, PublishPrice, Trade
from spec.errors import Error
from spec.params import Params
from spec.trace import Trace

SAMPLE = [
    "*/init",
    "*/safety",
    "*/step/GrantCredit",
    "*/step/DeliverLiqReport",
    "*/step/InjectClaim",
]


def test_a_sample_of_obligations_is_proved_and_none_is_vacuous() -> None:
    """INV-CREDIT-1, INV-PART-1, INV-PART-2, INV-ASSET-1, INV-AMO-1, INV-LIQ-1: init, safety and
    the step obligations of the riskiest kinds prove, each with satisfiable premises."""
    obligations = select(SAMPLE)
    verdicts = run(obligations, jobs=1)
    assert len(verdicts) >= 40
    assert {v.invariant for v in verdicts} >= {i.id for i in INVARIANTS}
    assert [v.obligation for v in verdicts if v.result != "proved"] == []


def test_every_obligation_is_proved() -> None:
    """INV-CREDIT-1, INV-CREDIT-2, INV-PART-1, INV-PART-2, INV-ASSET-1, INV-NONNEG-1,
    INV-SPOKE-1, INV-AMO-1, INV-LIQ-1, INV-ATOMIC-1: the whole suite `intermargin prove`
    runs is proved, none vacuous, none unknown."""
    verdicts = run(select(None), jobs=2)
    assert len(verdicts) >= 250
    assert [f"{v.obligation}: {v.result}" for v in verdicts if v.result != "proved"] == []


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_each_mutant_breaks_the_obligations_it_names(mutant) -> None:  # type: ignore[no-untyped-def]
    """Honesty: a broken transition makes its named obligations fail with a counterexample,
    while the same obligations prove against the real transitions."""
    for name in mutant.breaks:
        broken = check(name, mutant=mutant.name)
        assert broken.result == "FAILED", (name, broken.detail)
        assert broken.counterexample is not None
        assert check(name).result == "proved"


def test_premises_that_cannot_hold_are_reported_vacuous() -> None:
    """Vacuity: an obligation whose premises are unsatisfiable is not a proof."""
    x = z3.Int("x")
    impossible = Obligation(
        "test/vacuous",
        "INV-TEST",
        "safety",
        lambda u, t: [Query(z3.And(x > 1, x < 0), x == 7, z3.BoolVal(True))],
    )
    assert check_obligation(impossible).result == "vacuous"


def test_a_question_the_solver_cannot_answer_is_unknown_never_proved() -> None:
    """`unknown` is a failure: a quantified claim Z3 cannot settle within its resource limit
    is reported unknown, and says the rlimit ran out (PROOF-BUDGET-1, PROOF-BUDGET-3)."""
    f = z3.Function("f", z3.IntSort(), z3.IntSort())
    i = z3.Int("i")
    descending = z3.ForAll([i], z3.And(f(i) > f(i + 1), f(i) >= 0))
    hard = Obligation(
        "test/unknown",
        "INV-TEST",
        "safety",
        lambda u, t: [Query(z3.BoolVal(True), z3.Not(descending), z3.BoolVal(True))],
    )
    verdict = check_obligation(hard, Budget(100_000))
    assert (verdict.result, verdict.exhausted) == ("unknown", "rlimit")
    assert verdict.detail == "rlimit 100000 exhausted"


def test_a_counterexample_names_the_invariant_and_shows_what_changed() -> None:
    """INV-CREDIT-1: the release-without-debit mutant's counterexample table cites the id, the
    step, and marks the ghost sum of releases in flight as changed."""
    verdict = check("credit-conservation/step/ReleaseCredit", mutant="release-without-debit")
    assert verdict.counterexample is not None
    text = table(verdict.counterexample)
    assert text.startswith("INV-CREDIT-1")
    assert "ReleaseCredit(" in text
    changed = [line for line in text.splitlines() if line.endswith("<- changed")]
    assert any(line.startswith("fl_release[") for line in changed)
    assert not any(line.startswith("line[") for line in changed)


def test_a_saved_counterexample_is_a_valid_trace_from_a_state_where_the_invariant_holds() -> None:
    """INV-CREDIT-1, TRC-1: the counterexample's trace validates, starts from a state meeting
    every model invariant, and replays through the (correct) model."""
    verdict = check("credit-conservation/step/ReleaseCredit", mutant="release-without-debit")
    assert verdict.counterexample is not None
    trace = Trace.model_validate_json(trace_of(verdict.counterexample).model_dump_json())
    assert trace.meta.source == "proof"
    assert trace.meta.invariant == "INV-CREDIT-1"
    assert trace.initial is not None
    state = restore(trace.params, trace.initial)
    assert {i: f(state) for i, f in STATE_INVARIANTS.items() if f(state)} == {}
    _, outcome = step(state, trace.steps[0].action)
    assert outcome.status == "accepted"


def test_a_replay_counterexample_replayed_through_the_model_takes_effect_at_most_once() -> None:
    """INV-AMO-1: the replay mutant's trace delivers an issued id; the correct model rejects
    its second delivery with ALREADY_DELIVERED and changes nothing."""
    verdict = check("at-most-once/safety/DeliverGrant", mutant="replay-accepted")
    assert verdict.counterexample is not None
    trace = trace_of(verdict.counterexample)
    action = trace.steps[0].action
    assert isinstance(action, Deliver)
    assert trace.initial is not None
    issued = {e.id for e in trace.initial.network.in_flight} | set(trace.initial.network.delivered)
    assert action.message_id in issued
    once, _ = step(restore(trace.params, trace.initial), action)
    twice, outcome = step(once, action)
    assert outcome.error is Error.ALREADY_DELIVERED
    assert twice == once


def reach(params: Params) -> list[tuple[State, Action, State]]:
    """A few honest steps from genesis: prices, deposit, grant, delivery, trades."""
    state = initial_state(params)
    actions: list[Action] = [
        PublishPrice(feed="chainlink", price=2_000),
        PublishPrice(feed="pyth", price=2_000),
        Deposit(account="alice", asset="USD", amount=10_000),
        Deposit(account="alice", asset="ETH", amount=2),
        GrantCredit(account="alice", spoke="arb", amount=3_000),
        GrantCredit(account="alice", spoke="arb", amount=10**9),
        Deliver(message_id=1),
        Deliver(message_id=1),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=1_000),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1_000, price=2_000),
    ]
    steps = []
    for action in actions:
        after, _ = step(state, action)
        steps.append((state, action, after))
        state = after
    return steps


def test_the_z3_relation_accepts_the_models_steps_with_the_same_outcome(params: Params) -> None:
    """Differential (issue 5's hook): for deposit, grant, deliver grant, trade, the Z3 relation
    holds of the model's (pre, post) and its guards imply the model's status and error."""
    kinds = set()
    for pre, action, post in reach(params):
        _, outcome = step(pre, action)
        verdict = judge(pre, action, post)
        assert verdict.accepts, (action, verdict.mismatched)
        assert (verdict.status, verdict.error) == (outcome.status, outcome.error), action
        kinds.add((verdict.kind, verdict.status, verdict.error))
    assert ("GrantCredit", "rejected", Error.INSUFFICIENT_CAPACITY) in kinds
    assert ("DeliverGrant", "rejected", Error.ALREADY_DELIVERED) in kinds
    assert ("Trade", "rejected", Error.INSUFFICIENT_MARGIN) in kinds
    assert {k for k, _, _ in kinds} >= {"Deposit", "GrantCredit", "DeliverGrant", "Trade"}


def test_the_z3_invariants_hold_on_the_models_reached_states(params: Params) -> None:
    """The Z3 invariant formulas, on the abstraction of concrete states, agree with the model."""
    for _, _, post in reach(params):
        sym = fresh(proof_universe_of(post), "pre")
        pairs = list(assignment(post).items())
        assert z3.is_true(z3.simplify(z3.substitute(all_invariants(sym), *pairs))) or holds(
            all_invariants(sym), pairs
        )


def proof_universe_of(state: State):  # type: ignore[no-untyped-def]
    from proofs.state import Universe

    return Universe.of(state.params)


def holds(formula: z3.ExprRef, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> bool:
    s = z3.Solver()
    s.add(z3.Not(z3.substitute(formula, *pairs)))
    return bool(s.check() == z3.unsat)


def test_liquidation_completes_within_two_rounds_and_one_is_not_enough() -> None:
    """INV-LIQ-2: the BMC finds the bound K = 2 for two spokes (the default of `prove`),
    and K = 1 has a witness."""
    result = propagation(spokes=2)
    assert result.bound == 2
    assert result.tight
    assert result.per_k[0] == (1, "sat")


def test_the_json_and_junit_reports_validate() -> None:
    """CI: the JSON report has its documented shape; the JUnit XML parses with one testcase
    per obligation and a failure carrying the counterexample table."""
    good = check("partition-caps/init")
    bad = check("partition-caps/step/GrantCredit", mutant="cap-against-all-caps")
    verdicts: list[Verdict] = [good, bad]
    report = to_json(verdicts, seconds=1.0, timeout_s=10.0, rlimit=OBLIGATION_RLIMIT)
    assert json.loads(json.dumps(report)) == report
    assert report["ok"] is False
    assert report["counts"] == {"proved": 1, "FAILED": 1, "unknown": 0, "vacuous": 0}
    assert [o["result"] for o in report["obligations"]] == ["proved", "FAILED"]
    assert "INV-PART-1" in report["obligations"][1]["counterexample"]["table"]
    root = ET.fromstring(to_junit(verdicts, seconds=1.0))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [good.obligation, bad.obligation]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and "INV-PART-1" in (failure.text or "")


def test_prove_writes_reports_and_exits_zero_when_all_is_proved(tmp_path: Path) -> None:
    """CLI: `prove --only` proves the selection, exit 0, with JSON and JUnit written."""
    j, x = tmp_path / "r.json", tmp_path / "r.xml"
    code = main(["prove", "--only", "*/init", "--jobs", "1", "--json", str(j), "--junit", str(x)])
    assert code == 0
    report = json.loads(j.read_text())
    inits = [o for o in all_obligations() if o.name.endswith("/init")]
    assert len(inits) >= len(INVARIANTS)
    assert report["ok"] and report["counts"]["proved"] == len(inits)
    assert len(ET.parse(x).getroot().findall("testsuite/testcase")) == len(inits)


def test_prove_exits_one_and_saves_a_replayable_counterexample(tmp_path: Path) -> None:
    """CLI: against a mutant the broken obligation fails, exit 1, and its trace is saved."""
    code = main(
        [
            "prove",
            "--only",
            "credit-conservation/step/ReleaseCredit",
            "--mutant",
            "release-without-debit",
            "--jobs",
            "1",
            "--save-counterexamples",
            str(tmp_path),
        ]
    )
    assert code == 1
    [saved] = list(tmp_path.glob("*.json"))
    assert Trace.model_validate_json(saved.read_text()).meta.invariant == "INV-CREDIT-1"


@pytest.mark.parametrize(
    "argv",
    [
        ["prove", "--only", "no-such-obligation"],
        ["prove", "--timeout", "0"],
        ["prove", "--jobs", "0"],
        ["prove", "--mutant", "no-such-mutant"],
    ],
)
def test_prove_rejects_bad_usage_with_exit_two(argv: list[str]) -> None:
    """CLI: a selection matching nothing or a bad option is a usage error (exit 2), whether
    the option parser refuses it (CLI-LIMIT-1, CLI-LIMIT-2) or the command does."""
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    assert code == 2


def test_the_z3_relation_follows_a_whole_liquidation_step_by_step(genesis: State) -> None:
    """LIQ-1..LIQ-7, differential: Liquidate, every margin call, every answer and the
    settlement: the relation accepts each of the model's steps with its outcome."""
    from tests.helpers import underwater

    state = underwater(genesis)
    actions: list[Action] = [Liquidate(account="alice")]
    kinds = []
    while actions:
        action = actions.pop(0)
        after, outcome = step(state, action)
        verdict = judge(state, action, after)
        assert verdict.accepts, (action, verdict.mismatched)
        assert (verdict.status, verdict.error) == (outcome.status, outcome.error), action
        kinds.append(verdict.kind)
        actions += [Deliver(message_id=i) for i in outcome.emitted]
        state = after
    assert kinds.count("DeliverCall") == 3
    assert kinds.count("DeliverLiqReport") == 3
    assert not state.hub.status["alice"].liquidating
