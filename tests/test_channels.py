"""Ordered channels and rate limits (spec/channels.md: CHAN-1..CHAN-5, RATE-1..RATE-6;
INV-CHAN-1, INV-RATE-1..2): the model's rules, the window bound over random runs, the
scenario's end state, the JSON left unchanged when the options are off, and the proofs."""

from functools import cache

import pytest
from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from conformance.channel_stories import variant
from intermargin.fuzzing.strategies import PARAMS, channel_variant
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import Run, run
from model.invariants import check_step, quiescent_and_accounted
from model.observe import observe, restore
from model.state import State, initial_state
from model.step import step
from proofs.catalogue import select
from proofs.checking import check
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    PauseSpoke,
    PublishPrice,
    UnpauseSpoke,
)
from spec.errors import Error
from spec.examples import example_params
from spec.messages import LossClaim
from spec.params import Params, RateLimitParams

ORDERED = channel_variant(ordered=True, rated=False)
RATED = channel_variant(ordered=False, rated=True)
LIMIT = RATED.spokes[0].rate_limit
assert LIMIT is not None


def steps(params: Params, actions: list[Action]) -> tuple[State, list[tuple[str, Error | None]]]:
    """Run the actions, checking every invariant after every step."""
    state = initial_state(params)
    seen: list[tuple[str, Error | None]] = []
    for action in actions:
        post, outcome = step(state, action)
        assert check_step(state, action, post, outcome) == [], action
        seen.append((outcome.status, outcome.error))
        state = post
    return state, seen


FUNDED: list[Action] = [
    Deposit(account="alice", asset="USD", amount=20_000),
    *(PublishPrice(feed=f, price=2_000) for f in ("chainlink", "pyth", "redstone")),
]


# --- ordered channels ----------------------------------------------------------------


def test_only_the_head_of_an_ordered_channel_is_delivered() -> None:
    """CHAN-1, CHAN-2: grants 1 and 2 share the hub -> arb channel: 2 waits for 1, OUT_OF_ORDER
    changes nothing; a message of another channel is its own head."""
    actions: list[Action] = [
        *FUNDED,
        GrantCredit(account="alice", spoke="arb", amount=1_000),
        GrantCredit(account="alice", spoke="arb", amount=1_000),
        GrantCredit(account="alice", spoke="base", amount=1_000),
        Deliver(message_id=2),
        Deliver(message_id=3),
        Deliver(message_id=1),
        Deliver(message_id=2),
    ]
    state, seen = steps(ORDERED, actions)
    assert seen[-4:] == [
        ("rejected", Error.OUT_OF_ORDER),
        ("accepted", None),
        ("accepted", None),
        ("accepted", None),
    ]
    assert state.network.in_flight == {}
    _, unordered = steps(PARAMS, actions)
    assert unordered[-4] == ("accepted", None)  # CHAN-1: the default bag is unchanged


def test_a_refused_head_is_requeued_and_the_messages_behind_it_pass() -> None:
    """CHAN-3, INV-CHAN-1: a claim from a paused spoke is requeued under a new id (ignored,
    emitted) and counts as delivered; what was behind it is delivered; after the unpause the
    requeued claim is paid once."""
    result = SCENARIOS["ordered-channel"]
    timeline = run(result)
    refused = [r for r in timeline.steps if r.outcome.status == "ignored"]
    assert [(r.outcome.error, r.outcome.emitted) for r in refused] == [(Error.SPOKE_PAUSED, (8,))]
    assert (
        refused[0].after.network.in_flight[8].payload
        == refused[0].before.network.in_flight[4].payload
    )
    assert 4 in refused[0].after.network.delivered
    after = [r for r in timeline.steps if r.number > refused[0].number]
    assert [r.outcome.status for r in after if isinstance(r.action, Deliver)][:3] == [
        "accepted"
    ] * 3


def test_the_ordered_channel_scenario_ends_drained_and_accounted() -> None:
    """CHAN-5, INV-LIQ-2: the scenario ends with nothing in flight, the claim paid into arb's
    partition exactly once, and every spoke agreeing with the hub."""
    timeline: Run = run(SCENARIOS["ordered-channel"])
    final = timeline.final
    assert final.network.in_flight == {}
    assert quiescent_and_accounted(final) is None
    assert final.ghost.claimed["arb"] == final.ghost.paid["arb"] == 2_000
    assert final.hub.owed[("arb", "USD")] == 2_000
    last = timeline.steps[-1]
    assert (last.outcome.status, last.outcome.error) == ("rejected", Error.ALREADY_DELIVERED)
    kinds = {(r.outcome.status, r.outcome.error) for r in timeline.steps}
    assert ("rejected", Error.OUT_OF_ORDER) in kinds


# --- rate limits ---------------------------------------------------------------------


def test_a_claim_beyond_the_bucket_is_rate_limited_and_passes_after_the_refill() -> None:
    """RATE-2..RATE-4, RATE-6: the bucket starts full; an injected claim draws it; a claim
    beyond what is left is RATE_LIMITED and changes nothing; time refills the bucket (never
    beyond its capacity) and the same claim passes."""
    assert LIMIT is not None

    def claim(amount: int) -> Inject:
        return Inject(
            sender="sol", receiver="hub", payload=LossClaim(account="alice", amount=amount)
        )

    actions: list[Action] = [
        *FUNDED,
        GrantCredit(account="alice", spoke="sol", amount=4_000),
        Deliver(message_id=1),
        claim(3_000),
        GrantCredit(account="alice", spoke="sol", amount=3_000),
        Deliver(message_id=2),
        claim(2_000),
    ]
    state, seen = steps(RATED, actions)
    assert initial_state(RATED).hub.buckets["sol"] == LIMIT.capacity
    assert seen[-4] == ("accepted", None)
    assert seen[-1] == ("rejected", Error.RATE_LIMITED)
    assert state.hub.buckets["sol"] == LIMIT.capacity - 3_000
    wait = -(-(2_000 - state.hub.buckets["sol"]) // LIMIT.refill_per_s)
    state, _ = step(state, AdvanceTime(seconds=wait - 1))
    assert step(state, claim(2_000))[1].error is Error.RATE_LIMITED
    state, _ = step(state, AdvanceTime(seconds=1))
    for feed in ("chainlink", "pyth"):
        state, _ = step(state, PublishPrice(feed=feed, price=2_000))
    state, outcome = step(state, claim(2_000))
    assert outcome.accepted and state.hub.buckets["sol"] == 0
    state, _ = step(state, AdvanceTime(seconds=10_000))
    assert state.hub.buckets["sol"] == LIMIT.capacity


def test_a_liquidation_answer_loss_is_charged_to_the_bucket() -> None:
    """RATE-3: the loss of a liquidation answer is charged like a claim's; a loss above the
    bucket waits in flight (RATE_LIMITED), a zero loss always passes."""
    from conformance.stories import BAD_DEBT

    params = variant(ordered=False, rated=True)
    state, seen = steps(params, list(BAD_DEBT[:-3]))
    assert seen[-1] == ("accepted", None)
    answers = [i for i, e in state.network.in_flight.items() if e.payload.type == "MarginCall"]
    for mid in answers:
        state, _ = step(state, Deliver(message_id=mid))
    arb = [
        i
        for i, e in state.network.in_flight.items()
        if e.sender == "arb" and e.payload.type == "LiquidationReport"
    ]
    loss = state.network.in_flight[arb[0]].payload.loss  # type: ignore[union-attr]
    assert loss > state.hub.buckets["arb"]
    post, outcome = step(state, Deliver(message_id=arb[0]))
    assert (outcome.status, outcome.error) == ("rejected", Error.RATE_LIMITED) and post == state
    others = [i for i, e in state.network.in_flight.items() if e.sender != "arb"]
    for mid in others:
        state, outcome = step(state, Deliver(message_id=mid))
        assert outcome.accepted


@cache
def window_params() -> Params:
    return example_params().model_copy(
        update={
            "spokes": tuple(
                s.model_copy(update={"rate_limit": RateLimitParams(capacity=3_000, refill_per_s=7)})
                for s in example_params().spokes
            )
        }
    )


moves = st.one_of(
    st.builds(
        GrantCredit,
        account=st.sampled_from(("alice", "bob")),
        spoke=st.just("sol"),
        amount=st.sampled_from((500, 1_000, 3_000)),
    ),
    st.builds(
        Inject,
        sender=st.just("sol"),
        receiver=st.just("hub"),
        payload=st.builds(
            LossClaim,
            account=st.sampled_from(("alice", "bob")),
            amount=st.sampled_from((100, 700, 1_500, 3_000)),
        ),
    ),
    st.builds(AdvanceTime, seconds=st.sampled_from((1, 10, 45))),
    st.builds(PublishPrice, feed=st.sampled_from(("chainlink", "pyth")), price=st.just(2_000)),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(moves, min_size=5, max_size=40))
def test_over_any_window_a_partition_loses_at_most_capacity_plus_refill(
    run_moves: list[Action],
) -> None:
    """INV-RATE-1, INV-RATE-2: however many grants honest accounts make, the claims a
    compromised spoke gets accepted in any window of a run sum to at most capacity + refill x
    elapsed (every window of every run is checked)."""
    params = window_params()
    limit = params.spokes[2].rate_limit
    assert limit is not None
    state = initial_state(params)
    for action in [*FUNDED, Deposit(account="bob", asset="USD", amount=20_000)]:
        state, _ = step(state, action)
    history = [(state.oracle.now, state.ghost.claimed["sol"])]
    limited = 0
    for action in run_moves:
        post, outcome = step(state, action)
        assert check_step(state, action, post, outcome) == []
        limited += outcome.error is Error.RATE_LIMITED
        state = post
        history.append((state.oracle.now, state.ghost.claimed["sol"]))
    worst = 0
    for i, (t0, c0) in enumerate(history):
        for t1, c1 in history[i:]:
            assert c1 - c0 <= limit.capacity + limit.refill_per_s * (t1 - t0)
            worst = max(worst, c1 - c0 - limit.refill_per_s * (t1 - t0))
    event(f"rate limited: {bool(limited)}")
    target(float(worst), label="largest loss beyond the refill in a window")


def test_a_loss_above_the_capacity_never_passes() -> None:
    """RATE-5: a claim above the bucket's capacity is refused however long time runs."""
    params = variant(ordered=False, rated=True)
    state, _ = steps(params, [*FUNDED, GrantCredit(account="alice", spoke="arb", amount=3_000)])
    state, _ = step(state, Deliver(message_id=1))
    state, _ = step(state, AdvanceTime(seconds=100_000))
    for feed in ("chainlink", "pyth"):
        state, _ = step(state, PublishPrice(feed=feed, price=2_000))
    big = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1_001))
    assert step(state, big)[1].error is Error.RATE_LIMITED


# --- the observable state and the parameters' JSON -----------------------------------


def test_the_json_is_unchanged_when_the_options_are_off() -> None:
    """RATE-2, PAR-20, PAR-21: without rate limits or ordering, neither the parameters nor the
    observable state carry the new fields (old vectors stay valid); with them, they do and
    they round-trip."""
    plain = observe(initial_state(PARAMS)).model_dump_json()
    assert "buckets" not in plain
    assert "rate_limit" not in PARAMS.model_dump_json()
    assert "channel_ordering" not in PARAMS.model_dump_json()
    both = channel_variant(ordered=True, rated=True)
    assert Params.model_validate_json(both.model_dump_json()) == both
    obs = observe(initial_state(both))
    assert obs.hub.buckets == {s.id: s.rate_limit.capacity for s in both.spokes if s.rate_limit}
    assert restore(both, obs) == initial_state(both)


def test_pausing_and_unpausing_do_not_touch_the_buckets() -> None:
    """RATE-4: only time refills a bucket, only an accepted loss draws it."""
    state, _ = steps(RATED, [*FUNDED, PauseSpoke(spoke="arb"), UnpauseSpoke(spoke="arb")])
    assert state.hub.buckets == initial_state(RATED).hub.buckets


# --- the proofs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["bucket-bounds*", "loss-rate*", "channel-progress*", "channels-safe/step/Deliver*"]
)
def test_the_channel_obligations_prove_with_vacuity(pattern: str) -> None:
    """INV-RATE-1, INV-RATE-2, INV-CHAN-1, CHAN-3: proved on the channels universe, each with
    its vacuity check (the requeue itself is the witness of channel-progress where a
    receiver can refuse)."""
    chosen = select([pattern])
    assert chosen
    for ob in chosen:
        verdict = check(ob.name)
        assert verdict.result == "proved", (ob.name, verdict.detail)
