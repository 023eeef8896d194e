"""Risk-parameter changes with notice (GOV-NOTICE-1..5, INV-NOTICE-1..2, PAR-25..26)."""

from dataclasses import replace
from functools import cache

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intermargin.scenarios import SCENARIOS
from intermargin.timeline import health, run
from model.invariants import healthy_state, no_surprise_tightening, tightenings_carry_notice
from model.notice import current_value, with_value
from model.observe import restore
from model.state import Scheduled, State
from model.step import step
from proofs.abstraction import universe_of
from proofs.checking import check
from proofs.concrete import judge
from proofs.concretize import trace_of
from spec.actions import (
    RISK_PARAM_BOUNDS,
    Action,
    AdvanceTime,
    ApplyParamChange,
    Deposit,
    GrantCredit,
    ProposeParamChange,
    PublishPrice,
)
from spec.errors import Error
from spec.outcome import Outcome
from spec.params import Params
from tests.helpers import refused
from tests.helpers import run as accepted

HAIRCUT = ("haircut_bps", "ETH")


def propose(value: int, effective_at: int, target: tuple[str, str] = HAIRCUT) -> ProposeParamChange:
    param, of = target
    return ProposeParamChange(param=param, target=of, value=value, effective_at=effective_at)  # type: ignore[arg-type]


def apply(target: tuple[str, str] = HAIRCUT) -> ApplyParamChange:
    return ApplyParamChange(param=target[0], target=target[1])  # type: ignore[arg-type]


def test_a_tightening_needs_the_notice_period_and_a_loosening_does_not(genesis: State) -> None:
    """ACT-21, GOV-NOTICE-1, GOV-NOTICE-2: ETH's haircut 1000 -> 1001 is a tightening:
    refused one second short of `notice_s`, accepted at it; 1000 -> 999 may take effect at
    once."""
    notice = genesis.params.notice_s
    refused(genesis, propose(1_001, notice - 1), Error.NOTICE_TOO_SHORT)
    later = accepted(genesis, propose(1_001, notice))
    assert later.hub.scheduled == {HAIRCUT: Scheduled(1_001, notice, 0)}
    now = accepted(genesis, propose(999, 0), apply())
    assert current_value(now.params, HAIRCUT) == 999 and now.hub.scheduled == {}


def test_an_apply_is_refused_without_an_announcement_and_before_its_time(genesis: State) -> None:
    """ACT-22, GOV-NOTICE-3: NO_CHANGE_SCHEDULED, then CHANGE_NOT_DUE until the effective
    time; at it the value is in force, recorded in `hub.applied`, and the announcement is
    gone."""
    notice = genesis.params.notice_s
    refused(genesis, apply(), Error.NO_CHANGE_SCHEDULED)
    announced = accepted(genesis, propose(2_000, notice))
    refused(announced, apply(), Error.CHANGE_NOT_DUE)
    almost = accepted(announced, AdvanceTime(seconds=notice - 1))
    refused(almost, apply(), Error.CHANGE_NOT_DUE)
    done = accepted(almost, AdvanceTime(seconds=1), apply())
    assert done.hub.applied == {HAIRCUT: 2_000} and done.hub.scheduled == {}
    assert current_value(done.params, HAIRCUT) == 2_000
    refused(done, apply(), Error.NO_CHANGE_SCHEDULED)


def test_a_new_announcement_replaces_the_last_and_is_judged_on_its_own(genesis: State) -> None:
    """GOV-NOTICE-2: a loosening announced after a tightening replaces it (the tightening
    never takes effect); a tightening replacing a loosening needs the notice again."""
    notice = genesis.params.notice_s
    state = accepted(genesis, propose(3_000, notice), propose(500, 0))
    assert state.hub.scheduled[HAIRCUT].value == 500
    refused(state, propose(3_000, 1), Error.NOTICE_TOO_SHORT)
    done = accepted(state, apply())
    assert current_value(done.params, HAIRCUT) == 500


def test_the_ltv_haircut_rises_with_the_liquidation_haircut_and_never_falls(params: Params) -> None:
    """GOV-NOTICE-3, PAR-1: ETH declares an LTV haircut of 1500: a liquidation haircut of 2000
    raises it to 2000; one of 500 leaves it at 1500 (no capacity appears)."""
    up, down = with_value(params, HAIRCUT, 2_000), with_value(params, HAIRCUT, 500)
    eth = {p: next(a for a in p.assets if a.id == "ETH") for p in (up, down)}
    assert (eth[up].haircut_bps, eth[up].ltv_haircut_bps) == (2_000, 2_000)
    assert (eth[down].haircut_bps, eth[down].ltv_haircut_bps) == (500, 1_500)


def test_a_latency_change_names_a_spoke_and_a_haircut_change_an_asset(genesis: State) -> None:
    """STEP-2, PAR-26: the target is looked up by the parameter."""
    wrong = (
        (("latency_s", "ETH"), Error.UNKNOWN_SPOKE),
        (("haircut_bps", "arb"), Error.UNKNOWN_ASSET),
    )
    for target, error in wrong:
        refused(genesis, propose(10, genesis.params.notice_s, target), error)
        refused(genesis, apply(target), error)
    state = accepted(genesis, propose(1, 0, ("latency_s", "sol")), apply(("latency_s", "sol")))
    assert current_value(state.params, ("latency_s", "sol")) == 1


@pytest.mark.parametrize(("param", "value"), [("haircut_bps", 10_000), ("latency_s", 0)])
def test_a_value_outside_its_parameter_bounds_is_bad_input(param: str, value: int) -> None:
    """PAR-26: a haircut of 100% or a latency of 0 s is refused at the boundary."""
    with pytest.raises(ValidationError):
        ProposeParamChange(param=param, target="x", value=value, effective_at=0)  # type: ignore[arg-type]


def test_tightenings_carry_notice_holds_and_names_a_short_one(genesis: State) -> None:
    """INV-NOTICE-2: holds after an announcement; a state with a tightening due too soon
    (no step reaches one) is named."""
    state = accepted(genesis, propose(2_000, genesis.params.notice_s))
    assert tightenings_carry_notice(state) is None
    short = {HAIRCUT: Scheduled(2_000, 10, 0)}
    broken = replace(state, hub=replace(state.hub, scheduled=short))
    assert "haircut_bps of ETH" in (tightenings_carry_notice(broken) or "")


def leveraged(genesis: State) -> State:
    """Alice's three long ETH perpetuals on arb backed by one ETH (the param-notice start):
    healthy at a 10% haircut, unhealthy at 55%."""
    steps = run(SCENARIOS["param-notice"]).steps
    return next(r.after for r in steps if r.action.type == "ProposeParamChange")


def test_no_surprise_tightening_names_an_unannounced_raise_that_liquidates(genesis: State) -> None:
    """INV-NOTICE-1 bites: a raise of ETH's haircut taking effect in the same step as its
    announcement (a hub without GOV-NOTICE-2) makes alice unhealthy and is named; the same
    raise announced `notice_s` before is not."""
    pre = leveraged(genesis)
    action = apply()
    post = replace(
        pre,
        params=with_value(pre.params, HAIRCUT, 5_500),
        hub=replace(pre.hub, applied={HAIRCUT: 5_500}, scheduled={}),
    )
    assert healthy_state(pre, "alice") and healthy_state(post, "alice") is False
    surprise = replace(pre, hub=replace(pre.hub, scheduled={HAIRCUT: Scheduled(5_500, 0, 0)}))
    ok = Outcome(status="accepted")
    assert "alice" in (no_surprise_tightening(surprise, action, post, ok) or "")
    notice = pre.params.notice_s
    told = replace(surprise, oracle=replace(surprise.oracle, now=notice))
    later = replace(post, oracle=replace(post.oracle, now=notice))
    assert no_surprise_tightening(told, action, later, ok) is None


@cache
def scenario_states() -> tuple[State, ...]:
    """Every state of every scenario in which some account has a health (a price for all
    it needs) and a requirement: books, buffers and haircuts that matter."""
    out = []
    for s in SCENARIOS.values():
        for r in run(s).steps:
            if any((h := health(r.after, a)) and h.requirement for a in r.after.params.accounts):
                out.append(r.after)
    return tuple(out)


TARGETS = st.sampled_from(
    [
        ("haircut_bps", "ETH"),
        ("haircut_bps", "USD"),
        *(("latency_s", s) for s in ("arb", "base", "sol")),
    ]
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), target=TARGETS, share=st.integers(min_value=0, max_value=100))
def test_a_loosening_never_lowers_health(
    data: st.DataObject, target: tuple[str, str], share: int
) -> None:
    """GOV-NOTICE-4: lowering a haircut or a latency (to `share`% of the way down to its
    least value) never lowers an account's net equity nor raises its requirement, so no
    loosening makes a healthy account unhealthy."""
    states = scenario_states()
    state = states[data.draw(st.integers(min_value=0, max_value=len(states) - 1))]
    low = RISK_PARAM_BOUNDS[target[0]][0]
    now = current_value(state.params, target)
    lower = now - (now - low) * share // 100
    after = replace(state, params=with_value(state.params, target, lower))
    for account in state.params.accounts:
        before, then = health(state, account), health(after, account)
        if before is None or then is None:
            continue
        event(f"{target[0]} lowered: {'moved' if then != before else 'same'}")
        assert then.equity >= before.equity and then.requirement <= before.requirement
        assert then.equity >= then.requirement or before.equity < before.requirement


def test_the_encoding_agrees_with_the_model_at_the_haircut_in_force(genesis: State) -> None:
    """GOV-NOTICE-6, DIFF-1, DIFF-2: each step is judged in the universe of the parameters in
    force: announcing, applying early, applying when due, and then a grant that fits the
    declared haircut but not the raised one (1 ETH lends 1700 at 15%, 450 at 55%) are all
    the model's steps in the encoding, outcome and post-state alike."""
    state = accepted(
        genesis,
        Deposit(account="alice", asset="ETH", amount=1),
        *(PublishPrice(feed=f, price=2_000) for f in ("chainlink", "pyth")),
    )
    notice = genesis.params.notice_s
    steps: tuple[Action, ...] = (
        propose(5_500, notice),
        apply(),
        AdvanceTime(seconds=notice),
        *(PublishPrice(feed=f, price=2_000) for f in ("chainlink", "pyth")),
        apply(),
        GrantCredit(account="alice", spoke="arb", amount=1_000),
    )
    seen = []
    for action in steps:
        post, outcome = step(state, action)
        verdict = judge(state, action, post)
        assert verdict.accepts and verdict.status == outcome.status, (action, verdict)
        assert verdict.error == outcome.error
        seen.append(outcome.error)
        state = post
    assert seen == [None, Error.CHANGE_NOT_DUE, None, None, None, None, Error.INSUFFICIENT_CAPACITY]
    assert universe_of(state).haircut_bps["ETH"] == 5_500


@pytest.mark.parametrize(
    ("mutant", "obligation", "error"),
    [
        (
            "tightening-without-notice",
            "tightenings-carry-notice/step/ProposeHaircut",
            Error.NOTICE_TOO_SHORT,
        ),
        ("apply-before-due", "announced-before-raised/step/ApplyLatency", Error.CHANGE_NOT_DUE),
    ],
)
def test_a_notice_counterexample_replays_and_the_model_refuses_its_step(
    mutant: str, obligation: str, error: Error
) -> None:
    """TRC-3, GOV-NOTICE-2, GOV-NOTICE-3, INV-NOTICE-1..2: against the mutant the obligation
    fails; its counterexample, made concrete (the parameters in force and the announcement
    included), is a state the model restores, and the correct model refuses its step."""
    verdict = check(obligation, mutant=mutant)
    assert verdict.result == "FAILED" and verdict.counterexample is not None
    trace = trace_of(verdict.counterexample)
    assert trace.initial is not None
    _, outcome = step(restore(trace.params, trace.initial), trace.steps[0].action)
    assert outcome.error is error
