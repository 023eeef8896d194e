"""Bounded liquidation with silent spokes: the deadline, force-settle, severed pairs
(spec/liveness.md, LIVE-1..LIVE-8, INV-LIVE-1..INV-LIVE-4), the `silent-spoke` scenario,
and the proof obligations that guard them."""

from functools import cache

import pytest
import z3

from intermargin.scenarios import SCENARIOS
from intermargin.timeline import Run
from intermargin.timeline import run as run_scenario
from model import State, initial_state
from model.invariants import (
    check_step,
    deadline_fixed,
    no_early_severance,
    quiescent_and_accounted,
    severed_means_settled,
    silent_cost_isolated,
)
from proofs.bmc_slots import no_severed_pair, setup
from proofs.catalogue import select
from proofs.runner import run as prove
from proofs.state import fresh
from proofs.universe import proof_universe
from spec.actions import (
    AdvanceTime,
    Deliver,
    Deposit,
    ForceSettle,
    GrantCredit,
    Inject,
    Liquidate,
)
from spec.errors import Error
from spec.examples import example_params
from spec.messages import ExposureReport, LiquidationReport, LossClaim
from spec.params import Params, RateLimitParams
from tests.helpers import (
    checked,
    credited,
    deliver,
    ignored,
    in_flight,
    liquidating,
    only,
    priced,
    refused,
    run,
)

DEADLINE = example_params().liquidation_deadline_s


def past_deadline(state: State) -> State:
    """Time moves to the account's deadline and the ETH quotes are fresh again."""
    wait = state.hub.status["alice"].deadline - state.oracle.now
    return priced(run(state, AdvanceTime(seconds=wait)), eth=1_700)


def force_settled(genesis: State) -> State:
    """`liquidating`; base and sol answer, arb stays silent past the deadline; a keeper
    force-settles."""
    state = liquidating(genesis)
    for spoke in ("base", "sol"):
        state = deliver(state, "MarginCall", spoke)
    for env in in_flight(state, "LiquidationReport"):
        state = run(state, Deliver(message_id=env.id))
    return run(past_deadline(state), ForceSettle(account="alice"))


def rate_limited_arb(params: Params, capacity: int) -> State:
    """The example parameters with arb's partition behind a bucket of `capacity`, refilled
    by 10 a second (RATE-1)."""
    limit = RateLimitParams(capacity=capacity, refill_per_s=10)
    spokes = tuple(
        s.model_copy(update={"rate_limit": limit}) if s.id == "arb" else s for s in params.spokes
    )
    return initial_state(params.model_copy(update={"spokes": spokes}))


def silent_arb_past_deadline(genesis: State) -> State:
    """`liquidating`; base and sol answer, arb stays silent past the deadline."""
    state = liquidating(genesis)
    for spoke in ("base", "sol"):
        state = deliver(state, "MarginCall", spoke)
    for env in in_flight(state, "LiquidationReport"):
        state = run(state, Deliver(message_id=env.id))
    return past_deadline(state)


def test_force_settle_waits_for_a_silent_spokes_bucket(params: Params) -> None:
    """LIVE-9, RATE-3, INV-RATE-1: arb's 1000 of allocation is more than its full bucket of
    400 holds, so the force-settle is refused and changes nothing: a silent spoke never
    takes more than its rate limit. With a bucket of 1000 it passes and empties it."""
    state = silent_arb_past_deadline(rate_limited_arb(params, 400))
    refused(state, ForceSettle(account="alice"), Error.RATE_LIMITED)
    state = silent_arb_past_deadline(rate_limited_arb(params, 1_000))
    assert state.hub.buckets["arb"] == 1_000
    after = run(state, ForceSettle(account="alice"))
    assert after.hub.buckets["arb"] == 0 and after.ghost.claimed["arb"] == 1_000
    assert not after.hub.status["alice"].liquidating


# --- the deadline ------------------------------------------------------------------------


def test_a_liquidation_gets_its_deadline_when_declared(genesis: State) -> None:
    """LIVE-1, PAR-17: deadline = the time of the call + liquidation_deadline_s."""
    before = liquidating(genesis)
    status = before.hub.status["alice"]
    assert status.deadline == before.oracle.now + DEADLINE > 0


def test_the_deadline_goes_back_to_zero_when_the_liquidation_settles(genesis: State) -> None:
    """LIVE-1, LIQ-7: a settled account has no deadline."""
    assert force_settled(genesis).hub.status["alice"].deadline == 0


def test_the_deadline_parameter_is_validated() -> None:
    """PAR-17: liquidation_deadline_s is in 1..MAX_SECONDS."""
    data = example_params().model_dump()
    with pytest.raises(ValueError, match="liquidation_deadline_s"):
        Params.model_validate(data | {"liquidation_deadline_s": 0})
    assert Params.model_validate(data | {"liquidation_deadline_s": 5}).liquidation_deadline_s == 5


# --- force-settle ------------------------------------------------------------------------


def test_force_settle_is_refused_for_an_account_not_liquidating(genesis: State) -> None:
    """LIVE-2: NOT_LIQUIDATING first."""
    refused(genesis, ForceSettle(account="alice"), Error.NOT_LIQUIDATING)


def test_force_settle_is_refused_before_the_deadline(genesis: State) -> None:
    """LIVE-2, INV-LIVE-4: one second before the deadline a keeper can do nothing."""
    state = liquidating(genesis)
    wait = state.hub.status["alice"].deadline - state.oracle.now - 1
    state = priced(run(state, AdvanceTime(seconds=wait)), eth=1_700)
    refused(state, ForceSettle(account="alice"), Error.DEADLINE_NOT_REACHED)


def test_force_settle_fails_closed_without_the_prices_to_seize(genesis: State) -> None:
    """LIVE-2, LIVE-7, HUB-LOSS-5: after the deadline, stale quotes and ETH to seize ->
    PRICE_UNAVAILABLE."""
    state = run(liquidating(genesis), Deposit(account="alice", asset="ETH", amount=1))
    state = run(state, AdvanceTime(seconds=DEADLINE))
    refused(state, ForceSettle(account="alice"), Error.PRICE_UNAVAILABLE)


def test_force_settle_charges_the_silent_spoke_its_whole_allocation(genesis: State) -> None:
    """LIVE-3, INV-LIVE-3: arb held 1000 of credit and never answered: its whole allocation
    is seized from alice's collateral into arb's partition, nothing more; the spokes that
    answered (base, sol) are not touched; alice leaves LIQUIDATING and is not frozen."""
    state = force_settled(genesis)
    hub = state.hub
    assert hub.alloc[("alice", "arb")] == 0
    assert hub.owed[("arb", "USD")] == 1_000
    assert state.ghost.claimed["arb"] == state.ghost.paid["arb"] == 1_000
    for spoke in ("base", "sol"):
        assert state.ghost.paid[spoke] == 0 and hub.socialized[spoke] == 0
    assert hub.severed == frozenset({("alice", "arb")})
    assert not hub.status["alice"].liquidating and hub.status["alice"].pending == frozenset()
    assert hub.reports[("alice", "arb")].positions == {}


def test_the_severed_spokes_late_answer_is_ignored_and_counts_for_nothing(
    genesis: State,
) -> None:
    """LIVE-5, INV-LIVE-2: arb's chain resumes, obeys the old call and answers; the hub
    consumes the answer SPOKE_SEVERED and its ledgers do not move."""
    state = deliver(force_settled(genesis), "MarginCall", "arb")
    answer = only(state, "LiquidationReport")
    assert isinstance(answer.payload, LiquidationReport) and answer.payload.loss > 0
    after = ignored(state, Deliver(message_id=answer.id), Error.SPOKE_SEVERED)
    assert after.hub == state.hub and after.ghost == state.ghost
    assert answer.id in after.network.delivered


def test_a_severed_spoke_can_claim_nothing_more(genesis: State) -> None:
    """LIVE-5: an injected loss claim from the severed spoke is ignored SPOKE_SEVERED."""
    state = force_settled(genesis)
    claim = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1))
    after = ignored(state, claim, Error.SPOKE_SEVERED)
    assert after.hub == state.hub


def test_a_grant_to_a_severed_pair_is_refused(genesis: State) -> None:
    """LIVE-5, HUB-GRANT-1: SPOKE_SEVERED, checked right after ACCOUNT_LIQUIDATING."""
    state = force_settled(genesis)
    refused(state, GrantCredit(account="alice", spoke="arb", amount=10), Error.SPOKE_SEVERED)


def test_a_later_liquidation_does_not_wait_on_a_severed_spoke(genesis: State) -> None:
    """LIVE-6: the next Liquidate calls every spoke but waits only on those not severed (arb
    was severed; base, now backing a little credit, reports a loss that makes alice
    unhealthy again)."""
    state = run(force_settled(genesis), Deposit(account="alice", asset="USD", amount=1_000))
    state = credited(state, "alice", "base", 10)
    report = ExposureReport(account="alice", seq=99, balance=-100_000, positions=())
    state = run(state, Inject(sender="base", receiver="hub", payload=report))
    after, outcome = checked(state, Liquidate(account="alice"))
    assert outcome.accepted and len(outcome.emitted) == len(state.params.spokes)
    assert after.hub.status["alice"].pending == frozenset({"base", "sol"})


def test_the_python_invariants_flag_what_they_guard(genesis: State) -> None:
    """INV-LIVE-1..4: each Python predicate fails on a state or step that breaks it."""
    from dataclasses import replace

    state = force_settled(genesis)
    assert severed_means_settled(state) is None
    bad = replace(state, hub=replace(state.hub, alloc={**state.hub.alloc, ("alice", "arb"): 5}))
    assert severed_means_settled(bad) is not None
    pre = liquidating(genesis)
    action = ForceSettle(account="alice")
    after, outcome = checked(past_deadline(pre), action)
    assert outcome.accepted
    early = replace(pre, hub=replace(pre.hub, severed=frozenset()))
    assert no_early_severance(early, action, after, outcome) is not None
    moved = replace(
        after,
        hub=replace(
            after.hub,
            status={**after.hub.status, "alice": replace(pre.hub.status["alice"], deadline=1)},
        ),
    )
    assert deadline_fixed(pre, action, moved, outcome) is not None
    robbed = replace(after, ghost=replace(after.ghost, paid={**after.ghost.paid, "base": 1}))
    assert silent_cost_isolated(past_deadline(pre), action, robbed, outcome) is not None


# --- the scenario --------------------------------------------------------------------------


@cache
def silent_spoke() -> Run:
    return run_scenario(SCENARIOS["silent-spoke"])


def test_silent_spoke_ends_by_force_settle_after_the_deadline() -> None:
    """INV-LIVE-1, LIVE-2, LIVE-3: refused before the deadline and while quotes are stale;
    accepted once prices are fresh; the silent sol's 4000 lands in sol's partition."""
    result = silent_spoke()
    settles = [r for r in result.steps if r.action.type == "ForceSettle"]
    assert [r.outcome.error for r in settles] == [
        Error.DEADLINE_NOT_REACHED,
        Error.PRICE_UNAVAILABLE,
        None,
    ]
    done = settles[-1]
    deadline = done.before.hub.status["alice"].deadline
    assert done.before.oracle.now >= deadline > settles[0].before.oracle.now
    final = result.final
    assert not final.hub.status["alice"].liquidating
    assert final.hub.severed == frozenset({("alice", "sol")})
    assert final.hub.owed[("sol", "USD")] == 4_000 == final.ghost.paid["sol"]
    assert final.hub.owed[("arb", "USD")] == 3_000 and final.ghost.paid["base"] == 0
    for r in result.steps:
        assert check_step(r.before, r.action, r.after, r.outcome) == [], r.number


def test_silent_spoke_late_answer_ignored_grant_refused_withdrawal_accepted() -> None:
    """LIVE-5: the account is unfrozen (a withdrawal goes through), the severed pair is not."""
    tail = silent_spoke().steps[-3:]
    assert [(r.outcome.status, r.outcome.error) for r in tail] == [
        ("ignored", Error.SPOKE_SEVERED),
        ("rejected", Error.SPOKE_SEVERED),
        ("accepted", None),
    ]
    final = silent_spoke().final
    assert final.network.in_flight == {}
    assert quiescent_and_accounted(final) is None


# --- proofs ------------------------------------------------------------------------------------


def test_the_liveness_obligations_are_proved() -> None:
    """INV-LIVE-1..INV-LIVE-4: deadline-set, deadline-fixed/step/*, liquidation-ends,
    silent-cost-isolated, answer-kept, no-early-severance/step/* and INV-LIVE-2's own
    obligations are proved, each with its vacuity check."""
    obligations = select(["INV-LIVE-*"])
    names = {o.name.split("/")[0] for o in obligations}
    assert names == {
        "deadline-set",
        "deadline-fixed",
        "liquidation-ends",
        "silent-cost-isolated",
        "answer-kept",
        "no-early-severance",
        "severed-means-settled",
    }
    # in worker processes of their own, as `intermargin prove` runs them: a verdict must not
    # depend on what this test process built before (PROOF-BUDGET-1)
    verdicts = prove(obligations, jobs=2)
    assert [(v.obligation, v.result, v.detail) for v in verdicts if v.result != "proved"] == []


def test_the_bmc_starts_with_no_severed_pair_as_constants() -> None:
    """LIVE-8: the BMC's pre-state fixes `severed` to the constant false, so the severed
    branches fold when the terms are built: the liquidation's `pending` holds no
    `severed` term, and the premises stay satisfiable."""
    premises, post, _, account = setup(2)
    assert all(z3.is_false(v) for v in post.severed.values())
    assert all("severed" not in str(post.pending[(account, s)]) for s in post.u.spokes)
    solver = z3.Solver()
    solver.add(premises)
    assert solver.check() == z3.sat
    plain = no_severed_pair(fresh(proof_universe(), "t"))
    assert all(z3.is_false(v) for v in plain.severed.values())
