"""Every invariant predicate of `model/invariants.py` has teeth: for each one, a state (or a
step) the model reaches satisfies it, and the same state with one field changed by
`dataclasses.replace` breaks exactly that invariant, and the predicate says so in the
words of spec/invariants.md, naming the account, spoke, asset or message (the whole line
is compared).  The states come from the model's own transitions (`tests/helpers.py`:
alice underwater on arb, her liquidation, its settlement); the changes are the smallest
that break the rule, and the boundary values (`>=` against `>`) are each checked on both
sides."""

from dataclasses import replace
from functools import cache
from typing import Any

from conformance.finality_stories import DELAYED, FINALITY_S
from conformance.stories import dl, eth, usd
from model import State, initial_state, step
from model.invariants import (
    STATE_INVARIANTS,
    STEP_INVARIANTS,
    asset_conservation,
    at_most_once,
    atomic_rejection,
    bucket_bounds,
    call_not_while_liquidating,
    capacity_at_commit,
    check_state,
    check_step,
    credit_carried,
    credit_conservation,
    credit_in_flight,
    deadline_fixed,
    drained_not_fed,
    draws_within_limits,
    frozen_means_frozen,
    head_never_blocks,
    healthy_state,
    liquidation_freeze,
    loss_within_rate,
    losses_claimed_at_once,
    no_early_severance,
    no_negative_balances,
    no_surprise_tightening,
    partition_bound,
    partition_caps,
    quiescent_and_accounted,
    quiescent_despite_compromised,
    removed_holds_nothing,
    replay_has_no_effect,
    segment_accounted,
    severed_means_settled,
    silent_cost_isolated,
    tightenings_carry_notice,
)
from model.notice import with_value
from model.state import (
    Position,
    Report,
    Scheduled,
    assoc,
    dissoc,
)
from spec.actions import (
    AdvanceTime,
    ApplyParamChange,
    Deliver,
    ForceSettle,
    GrantCredit,
    Liquidate,
    ReleaseCredit,
    Trade,
    Withdraw,
)
from spec.errors import Error
from spec.examples import example_params
from spec.messages import (
    CreditGrant,
    CreditRelease,
    Envelope,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
)
from spec.outcome import Outcome
from spec.params import RateLimitParams
from spec.requirements import ROOT
from tests.helpers import credited, funded, liquidating, priced, run, settled, traded, underwater

# --- reached states and small edits --------------------------------------------------


@cache
def genesis() -> State:
    return initial_state(example_params())


@cache
def lined() -> State:
    """alice: 1000 USD, a line of 1000 on arb (alloc 1000), 2 ETH-PERP bought at 2000 and
    reported; ETH at 1700."""
    return underwater(genesis())


@cache
def calling() -> State:
    """`lined`, then Liquidate(alice): epoch 1, pending {arb, base, sol}, three calls in flight
    (ids 3, 4, 5), deadline 3600."""
    return liquidating(genesis())


@cache
def done() -> State:
    """`calling` delivered to the end: alice holds 373 USD, the fund 50027, the hub owes arb
    600 USD (the claimed loss), every alice line 0, arb's ghost: granted 1000 = released 400
    + claimed 600, paid 600."""
    return settled(genesis())


def hub(state: State, **changes: Any) -> State:
    return replace(state, hub=replace(state.hub, **changes))


def ghost(state: State, **changes: Any) -> State:
    return replace(state, ghost=replace(state.ghost, **changes))


def network(state: State, **changes: Any) -> State:
    return replace(state, network=replace(state.network, **changes))


def spoke_account(state: State, spoke: str, account: str, **changes: Any) -> State:
    acct = replace(state.spokes[(spoke, account)], **changes)
    return replace(state, spokes=assoc(state.spokes, (spoke, account), acct))


def status(state: State, account: str, **changes: Any) -> State:
    new = replace(state.hub.status[account], **changes)
    return hub(state, status=assoc(state.hub.status, account, new))


def compromised(state: State, *parties: str) -> State:
    return ghost(state, compromised=frozenset(parties))


def with_params(state: State, **changes: Any) -> State:
    return replace(state, params=state.params.model_copy(update=changes))


def flying(state: State, sender: str, receiver: str, payload: Message) -> State:
    """`state` with one more message in flight under the next id."""
    mid = state.network.next_id
    env = Envelope(id=mid, sender=sender, receiver=receiver, payload=payload)
    return network(state, in_flight=assoc(state.network.in_flight, mid, env), next_id=mid + 1)


def test_the_reached_states_satisfy_every_state_invariant() -> None:
    """Every predicate holds on the states the model reached (the other half of each law
    below: a predicate that fails there would be wrong, not strict)."""
    for state in (genesis(), lined(), calling(), done()):
        assert check_state(state) == []
    assert quiescent_and_accounted(done()) is None
    assert quiescent_despite_compromised(done()) is None


# --- INV-CREDIT-1 --------------------------------------------------------------------


def env(sender: str, receiver: str, payload: Message) -> Envelope:
    return Envelope(id=1, sender=sender, receiver=receiver, payload=payload)


def test_the_credit_a_message_carries_is_the_one_the_spec_names() -> None:
    """INV-CREDIT-1's in_flight(a, s): a grant from the hub to s carries its amount; a
    release or loss claim from s its amount; a liquidation report from s released + loss;
    nothing else, and nothing for another account, another spoke or the other direction."""
    grant = CreditGrant(account="alice", amount=7, epoch=0)
    assert credit_carried(env("hub", "arb", grant), "alice", "arb") == 7
    assert credit_carried(env("hub", "base", grant), "alice", "arb") == 0
    assert credit_carried(env("hub", "arb", grant), "bob", "arb") == 0
    for moving in (CreditRelease(account="alice", amount=5), LossClaim(account="alice", amount=5)):
        assert credit_carried(env("arb", "hub", moving), "alice", "arb") == 5
        assert credit_carried(env("base", "hub", moving), "alice", "arb") == 0
        assert credit_carried(env("arb", "hub", moving), "bob", "arb") == 0
    report = LiquidationReport(account="alice", epoch=1, seq=1, released=3, loss=4, balance=0)
    assert credit_carried(env("arb", "hub", report), "alice", "arb") == 7
    assert credit_carried(env("sol", "hub", report), "alice", "arb") == 0
    exposure = ExposureReport(account="alice", seq=1, balance=-9, positions=())
    assert credit_carried(env("arb", "hub", exposure), "alice", "arb") == 0
    assert (
        credit_carried(env("hub", "arb", MarginCall(account="alice", epoch=1)), "alice", "arb") == 0
    )


def test_credit_in_flight_sums_every_message_of_the_pair() -> None:
    """INV-CREDIT-1: in_flight(a, s) is the sum over the messages in flight."""
    state = flying(lined(), "hub", "arb", CreditGrant(account="alice", amount=30, epoch=0))
    state = flying(state, "arb", "hub", CreditRelease(account="alice", amount=20))
    state = flying(state, "arb", "hub", CreditRelease(account="bob", amount=5))
    assert credit_in_flight(state, "alice", "arb") == 50
    assert credit_in_flight(lined(), "alice", "arb") == 0


def test_credit_conservation_names_an_allocation_off_its_line_and_flight() -> None:
    """INV-CREDIT-1: alloc[a, s] = line[s, a] + in_flight(a, s), for an honest spoke and a
    pair not severed (LIVE-5)."""
    state = flying(lined(), "hub", "arb", CreditGrant(account="alice", amount=30, epoch=0))
    assert credit_conservation(state) == "alloc[alice,arb]=1000 but line=1000 + in flight=30 = 1030"
    fixed = hub(state, alloc=assoc(state.hub.alloc, ("alice", "arb"), 1_030))
    assert credit_conservation(fixed) is None
    # a compromised spoke or a severed pair is not held to it, each on its own; nor is any
    # pair once the hub's own key is compromised, as in the proofs' formula (`honest`)
    assert credit_conservation(compromised(state, "arb")) is None
    assert credit_conservation(compromised(state, "hub")) is None
    assert credit_conservation(compromised(state, "base")) is not None
    assert credit_conservation(hub(state, severed=frozenset({("alice", "arb")}))) is None
    assert credit_conservation(hub(state, severed=frozenset({("bob", "arb")}))) is not None
    # a pair skipped does not end the search: alice's grant to base is judged after arb
    base = flying(
        compromised(state, "arb"), "hub", "base", CreditGrant(account="alice", amount=9, epoch=0)
    )
    assert credit_conservation(base) == "alloc[alice,base]=0 but line=0 + in flight=9 = 9"


# --- INV-PART-1, INV-PART-2 ------------------------------------------------------------


def test_partition_caps_allow_the_cap_and_name_one_above_it() -> None:
    """INV-PART-1: Σ_a alloc[a, s] <= caps[s] (equal is within)."""
    at_cap = hub(lined(), caps=assoc(lined().hub.caps, "arb", 1_000))
    assert partition_caps(at_cap) is None
    over = hub(lined(), caps=assoc(lined().hub.caps, "arb", 999))
    assert partition_caps(over) == "allocation to arb is 1000, above its cap 999"
    two = hub(over, alloc=assoc(over.hub.alloc, ("bob", "arb"), 1))
    assert partition_caps(two) == "allocation to arb is 1001, above its cap 999"


def test_partition_bound_names_credit_unaccounted_and_pay_above_claims() -> None:
    """INV-PART-2: granted[s] = released[s] + claimed[s] + Σ_a alloc[a, s], and
    paid[s] <= claimed[s] (equal is within: arb was paid exactly its claim)."""
    state = done()
    assert state.ghost.paid["arb"] == state.ghost.claimed["arb"] == 600
    assert partition_bound(state) is None
    more = ghost(state, granted=assoc(state.ghost.granted, "arb", 1_001))
    assert partition_bound(more) == "arb: granted 1001 != released 400 + claimed 600 + allocated 0"
    lined_more = ghost(lined(), granted=assoc(lined().ghost.granted, "arb", 1_001))
    expected = "arb: granted 1001 != released 0 + claimed 0 + allocated 1000"
    assert partition_bound(lined_more) == expected
    paid = ghost(state, paid=assoc(state.ghost.paid, "arb", 601))
    assert partition_bound(paid) == "arb: paid 601 above claimed 600"


# --- INV-ASSET-1, INV-NONNEG-1, INV-SPOKE-1 -------------------------------------------


def test_asset_conservation_counts_deposits_fund_and_debts_per_asset() -> None:
    """INV-ASSET-1: tokens[x] = Σ_a collateral[a, x] + insurance[x] + Σ_s owed[s, x], each
    sum over that asset only (ETH collateral and an ETH debt do not count for USD)."""
    state = done()
    eth = hub(
        state,
        collateral=assoc(state.hub.collateral, ("bob", "ETH"), 3),
        owed=assoc(state.hub.owed, ("base", "ETH"), 2),
        tokens=assoc(state.hub.tokens, "ETH", 5),
    )
    assert asset_conservation(eth) is None
    short = hub(eth, tokens=assoc(eth.hub.tokens, "USD", 50_999))
    assert asset_conservation(short) == (
        "USD: hub holds 50999 but deposits 373 + insurance 50027 + owed 600 = 51000"
    )
    eth_short = hub(eth, tokens=assoc(eth.hub.tokens, "ETH", 4))
    assert asset_conservation(eth_short) == (
        "ETH: hub holds 4 but deposits 3 + insurance 0 + owed 2 = 5"
    )


def test_no_negative_balances_names_each_bucket_and_its_key() -> None:
    """INV-NONNEG-1: every collateral, alloc, insurance, owed, tokens, socialized entry and
    every spoke line is >= 0 (zero is allowed); a settled balance may be negative."""
    state = lined()
    assert no_negative_balances(state) is None
    h = state.hub
    cases: dict[str, dict[str, Any]] = {
        "collateral[alice, USD] = -1 is negative": dict(
            collateral=assoc(h.collateral, ("alice", "USD"), -1)
        ),
        "alloc[bob, sol] = -1 is negative": dict(alloc=assoc(h.alloc, ("bob", "sol"), -1)),
        "insurance[ETH] = -1 is negative": dict(insurance=assoc(h.insurance, "ETH", -1)),
        "owed[base, USD] = -1 is negative": dict(owed=assoc(h.owed, ("base", "USD"), -1)),
        "tokens[ETH] = -1 is negative": dict(tokens=assoc(h.tokens, "ETH", -1)),
        "socialized[sol] = -1 is negative": dict(socialized=assoc(h.socialized, "sol", -1)),
    }
    for message, changes in cases.items():
        assert no_negative_balances(hub(state, **changes)) == message
    assert no_negative_balances(spoke_account(state, "base", "carol", line=-1)) == (
        "line[base, carol] = -1 is negative"
    )
    assert no_negative_balances(spoke_account(state, "base", "carol", balance=-1)) is None


def test_a_loss_on_an_honest_spoke_leaves_no_line() -> None:
    """INV-SPOKE-1: on an honest spoke, balance < 0 implies line = 0."""
    state = lined()
    lossy = spoke_account(state, "arb", "alice", balance=-1)
    assert losses_claimed_at_once(lossy) == "arb/alice: balance -1 < 0 with line 1000 unclaimed"
    assert losses_claimed_at_once(compromised(lossy, "arb")) is None
    assert losses_claimed_at_once(compromised(lossy, "sol")) is not None
    assert losses_claimed_at_once(spoke_account(state, "arb", "alice", balance=-1, line=0)) is None
    assert losses_claimed_at_once(spoke_account(state, "arb", "alice", balance=0)) is None
    one = spoke_account(state, "arb", "alice", balance=-1, line=1)
    assert losses_claimed_at_once(one) == "arb/alice: balance -1 < 0 with line 1 unclaimed"


# --- INV-AMO-1 ---------------------------------------------------------------------------


def test_at_most_once_names_each_way_an_id_goes_wrong() -> None:
    """INV-AMO-1: no id both delivered and in flight; each envelope under its own id; every
    id in flight or delivered below next_id (an id equal to next_id was never issued)."""
    state = calling()  # calls 3, 4, 5 in flight; 1, 2 delivered; next id 6
    assert at_most_once(state) is None
    net = state.network
    twice = network(state, delivered=net.delivered | {4})
    assert at_most_once(twice) == "message 4 is delivered and still in flight"
    moved = network(state, in_flight=assoc(net.in_flight, 4, net.in_flight[5]))
    assert at_most_once(moved) == "message 4 has a bad id"
    unissued = network(state, next_id=5)
    assert at_most_once(unissued) == "message 5 has a bad id"
    assert at_most_once(network(done(), next_id=8)) == "a delivered id was never issued"
    assert at_most_once(network(done(), next_id=9)) is None


# --- INV-LIQ-1 (state part) -----------------------------------------------------------


def test_liquidation_freeze_names_a_grant_of_the_epoch_in_flight() -> None:
    """INV-LIQ-1: while a liquidates under epoch e, no grant for a of epoch >= e is in flight
    (an older grant, another account's, or a grant while not liquidating is no breach)."""
    state = calling()
    grant = flying(state, "hub", "base", CreditGrant(account="alice", amount=1, epoch=1))
    assert liquidation_freeze(grant) == "grant 6 of epoch 1 in flight while alice liquidates"
    later = flying(state, "hub", "base", CreditGrant(account="alice", amount=1, epoch=2))
    assert liquidation_freeze(later) == "grant 6 of epoch 2 in flight while alice liquidates"
    older = flying(state, "hub", "base", CreditGrant(account="alice", amount=1, epoch=0))
    assert liquidation_freeze(older) is None
    bob = flying(state, "hub", "base", CreditGrant(account="bob", amount=1, epoch=1))
    assert liquidation_freeze(bob) is None
    calm = flying(lined(), "hub", "base", CreditGrant(account="alice", amount=1, epoch=0))
    assert liquidation_freeze(calm) is None
    # the hub's own key compromised: such an adversary may send any grant
    assert liquidation_freeze(compromised(grant, "hub")) is None
    assert liquidation_freeze(compromised(grant, "arb")) is not None
    # an account not liquidating does not end the search: bob, after alice, is judged
    bob_liq = status(lined(), "bob", liquidating=True, epoch=1)
    bob_grant = flying(bob_liq, "hub", "sol", CreditGrant(account="bob", amount=1, epoch=1))
    assert liquidation_freeze(bob_grant) == "grant 3 of epoch 1 in flight while bob liquidates"


def test_liquidation_freeze_names_a_called_spoke_that_trades_on() -> None:
    """INV-LIQ-1: every spoke with called_epoch = e for a liquidating account is frozen."""
    state = calling()
    heard = spoke_account(state, "base", "alice", called_epoch=1, frozen=True)
    assert liquidation_freeze(heard) is None
    loose = spoke_account(state, "base", "alice", called_epoch=1, frozen=False)
    assert liquidation_freeze(loose) == "base received margin call 1 for alice but trades on"
    assert liquidation_freeze(spoke_account(state, "base", "alice", called_epoch=0)) is None
    over = spoke_account(lined(), "base", "alice", called_epoch=0, frozen=False)
    assert liquidation_freeze(status(over, "alice", epoch=0)) is None


# --- INV-LIVE-2, INV-LIST-2, INV-INS-1, INV-RATE-2 ----------------------------------------


def test_a_severed_pair_is_neither_pending_nor_allocated() -> None:
    """INV-LIVE-2: severed[a, s] implies not pending[a, s] and alloc[a, s] = 0."""
    state = calling()
    assert severed_means_settled(hub(state, severed=frozenset({("alice", "base")}))) == (
        "base is severed from alice but still pending"
    )
    settled_base = status(state, "alice", pending=frozenset({"arb", "sol"}))
    assert severed_means_settled(hub(settled_base, severed=frozenset({("alice", "base")}))) is None
    arb = status(state, "alice", pending=frozenset())
    assert severed_means_settled(hub(arb, severed=frozenset({("alice", "arb")}))) == (
        "arb is severed from alice but holds an allocation"
    )


def test_a_removed_spoke_holds_no_allocation() -> None:
    """INV-LIST-2: alloc[a, s] = 0 for every removed spoke; a delisted one may still hold
    (it is being drained)."""
    state = lined()
    assert removed_holds_nothing(hub(state, listing={"arb": "delisted"})) is None
    assert removed_holds_nothing(hub(state, listing={"base": "removed"})) is None
    removed = hub(state, listing={"arb": "removed"})
    assert removed_holds_nothing(removed) == "arb is removed but still holds 1000 of allocation"


def test_draws_stay_within_the_partition_limits() -> None:
    """INV-INS-1: drawn[s] >= 0 always; drawn[s] <= insurance_limits[s] under per_partition
    and shared_limited (equal is within); a shared fund has no limit."""
    state = with_params(
        genesis(), insurance_structure="per_partition", insurance_limits=(("arb", 200),)
    )
    assert draws_within_limits(hub(state, drawn={"arb": 200})) is None
    assert draws_within_limits(hub(state, drawn={"arb": 201})) == (
        "arb's partition has drawn 201 from the insurance fund, above 200"
    )
    assert draws_within_limits(hub(state, drawn={"base": 1})) == (
        "base's partition has drawn 1 from the insurance fund, above 0"
    )
    assert draws_within_limits(hub(state, drawn={"arb": -1})) == (
        "arb's partition has drawn -1 from the insurance fund"
    )
    limited = with_params(state, insurance_structure="shared_limited")
    assert draws_within_limits(hub(limited, drawn={"arb": 201})) is not None
    shared = with_params(state, insurance_structure="shared")
    assert draws_within_limits(hub(shared, drawn={"arb": 10**9})) is None
    assert draws_within_limits(hub(shared, drawn={"arb": -1})) is not None
    assert draws_within_limits(hub(shared, drawn={"arb": 0})) is None


def test_a_bucket_holds_between_empty_and_full() -> None:
    """INV-RATE-2: 0 <= bucket[s] <= capacity for a rate-limited spoke (both ends in)."""
    params = example_params()
    spokes = tuple(
        s.model_copy(update={"rate_limit": RateLimitParams(capacity=100, refill_per_s=1)})
        if s.id == "base"
        else s
        for s in params.spokes
    )
    state = initial_state(params.model_copy(update={"spokes": spokes}))
    assert state.hub.buckets == {"base": 100}
    assert bucket_bounds(state) is None
    assert bucket_bounds(hub(state, buckets={"base": 0})) is None
    assert (
        bucket_bounds(hub(state, buckets={"base": 101}))
        == "base's bucket holds 101, outside 0..100"
    )
    assert (
        bucket_bounds(hub(state, buckets={"base": -1})) == "base's bucket holds -1, outside 0..100"
    )


# --- INV-NOTICE-2 ------------------------------------------------------------------------


def test_a_tightening_takes_effect_no_sooner_than_its_notice() -> None:
    """INV-NOTICE-2: an announced raise above the value in force has effective_at >=
    announced_at + notice_s (equal is in time); a change that does not raise needs none."""
    state = genesis()
    notice = state.params.notice_s
    assert notice > 0
    target = ("haircut_bps", "ETH")
    now = state.params.assets[1].haircut_bps

    def announced(value: int, effective_at: int) -> State:
        return hub(state, scheduled={target: Scheduled(value, effective_at, 5)})

    assert tightenings_carry_notice(announced(now + 1, 5 + notice)) is None
    assert tightenings_carry_notice(announced(now + 1, 4 + notice)) == (
        f"haircut_bps of ETH tightens to {now + 1} {notice - 1}s after its announcement"
    )
    assert tightenings_carry_notice(announced(now, 5)) is None
    assert tightenings_carry_notice(announced(now - 1, 5)) is None


# --- INV-FIN-1 ---------------------------------------------------------------------------


@cache
def segmented() -> State:
    """Under the finality variant (arb final 600 s after its latest change): alice has a
    line of 3000 on arb, then releases 2000 (message 2, in flight): arb's segment holds the
    checkpoint (alice's line 3000) and sent = {2}."""
    state = initial_state(DELAYED)
    for action in (
        usd(5_000),
        *eth(2_000),
        GrantCredit(account="alice", spoke="arb", amount=3_000),
        *dl(1),
        ReleaseCredit(spoke="arb", account="alice", amount=2_000),
    ):
        state, outcome = step(state, action)
        assert outcome.status == "accepted", action
    return state


def in_segment(state: State, sender: str, payload: Message) -> State:
    """One more message in flight, counted as sent by arb's segment."""
    state = flying(state, sender, "hub", payload)
    chain = state.chains["arb"]
    assert chain.segment is not None
    seg = replace(chain.segment, sent=chain.segment.sent | {state.network.next_id - 1})
    return replace(state, chains=assoc(state.chains, "arb", replace(chain, segment=seg)))


def checkpoint(state: State, account: str, **changes: Any) -> State:
    chain = state.chains["arb"]
    assert chain.segment is not None
    cp = assoc(
        chain.segment.checkpoint, account, replace(chain.segment.checkpoint[account], **changes)
    )
    seg = replace(chain.segment, checkpoint=cp)
    return replace(state, chains=assoc(state.chains, "arb", replace(chain, segment=seg)))


def test_the_checkpoint_line_is_the_line_plus_the_segments_credit_in_flight() -> None:
    """INV-FIN-1: for an honest spoke with a segment not final, each account's checkpoint
    line = its line + the credit of the segment's releases and loss claims in flight; only
    the segment's own messages, from that spoke, for that account, of those two kinds."""
    state = segmented()
    assert state.chains["arb"].segment is not None and state.chains["arb"].segment.sent == {2}
    assert segment_accounted(state) is None
    claim = in_segment(state, "arb", LossClaim(account="alice", amount=100))
    assert segment_accounted(claim) == (
        "arb's checkpoint line for alice is 3000 but line=1000 + segment in flight=2100"
    )
    # not the segment's, not from arb, not alice's, or not a credit message: not counted
    outside = flying(state, "arb", "hub", CreditRelease(account="alice", amount=100))
    assert segment_accounted(outside) is None
    other_sender = in_segment(state, "base", CreditRelease(account="alice", amount=100))
    assert segment_accounted(other_sender) is None
    report = ExposureReport(account="alice", seq=1, balance=0, positions=())
    assert segment_accounted(in_segment(state, "arb", report)) is None
    bob = in_segment(state, "arb", CreditRelease(account="bob", amount=100))
    assert segment_accounted(bob) == (
        "arb's checkpoint line for bob is 0 but line=0 + segment in flight=100"
    )
    # a compromised spoke, or a segment already final, is not held to it
    assert segment_accounted(compromised(claim, "arb")) is None
    assert segment_accounted(compromised(claim, "base")) is not None
    final_at = FINALITY_S + state.chains["arb"].segment.changed
    assert segment_accounted(replace(claim, oracle=replace(claim.oracle, now=final_at))) is None
    # a chain skipped does not end the search: base's segment, after arb's, is judged
    spokes = tuple(
        s.model_copy(update={"finality_s": FINALITY_S}) if s.id == "base" else s
        for s in state.params.spokes
    )
    two = with_params(compromised(claim, "arb"), spokes=spokes)
    two = replace(two, chains=assoc(two.chains, "base", two.chains["arb"]))
    assert segment_accounted(two) == (
        "base's checkpoint line for alice is 3000 but line=0 + segment in flight=0"
    )
    assert (
        segment_accounted(replace(claim, oracle=replace(claim.oracle, now=final_at - 1)))
        is not None
    )


def test_the_checkpoint_meets_the_spoke_rules() -> None:
    """INV-FIN-1: the checkpoint meets INV-SPOKE-1 (a loss leaves no line) and has a
    non-negative report counter."""
    state = segmented()
    assert segment_accounted(checkpoint(state, "bob", balance=-1)) is None
    lined_bob = spoke_account(state, "arb", "bob", line=5)
    assert segment_accounted(checkpoint(lined_bob, "bob", line=5)) is None
    assert segment_accounted(checkpoint(lined_bob, "bob", line=5, balance=-1)) == (
        "arb's checkpoint for bob has a loss and an unused line"
    )
    assert segment_accounted(checkpoint(state, "bob", seq=-1)) == (
        "arb's checkpoint for bob has a negative report counter"
    )


# --- INV-CALL-1 --------------------------------------------------------------------------


def test_a_top_up_call_is_never_open_while_liquidating_and_keeps_its_time() -> None:
    """INV-CALL-1: not both liquidating and called; an open call has 0 <= called_at <= now
    (both ends in); a closed one has called_at = 0; time is never negative."""
    calm = replace(lined(), oracle=replace(lined().oracle, now=50))
    assert call_not_while_liquidating(calm) is None
    for at in (0, 50):
        assert call_not_while_liquidating(status(calm, "bob", called=True, called_at=at)) is None
    assert call_not_while_liquidating(status(calm, "bob", called=True, called_at=51)) == (
        "bob's call was opened at 51, after now"
    )
    assert call_not_while_liquidating(status(calm, "bob", called=True, called_at=-1)) == (
        "bob's call was opened at -1, after now"
    )
    assert call_not_while_liquidating(status(calm, "bob", called_at=7)) == (
        "bob has no call open but a call time 7"
    )
    assert call_not_while_liquidating(status(calling(), "alice", called=True)) == (
        "alice is under a top-up call while it liquidates"
    )
    assert call_not_while_liquidating(replace(calm, oracle=replace(calm.oracle, now=-1))) == (
        "time is negative (-1)"
    )
    assert call_not_while_liquidating(replace(calm, oracle=replace(calm.oracle, now=0))) is None


# --- INV-LIQ-2 ---------------------------------------------------------------------------


def test_a_drained_state_has_no_liquidation_running_and_every_spoke_accounted() -> None:
    """INV-LIQ-2 (`quiescent_and_accounted`): no account liquidating; for every honest spoke
    and pair not severed, the hub's report equals the spoke's positions and balance, and
    alloc[a, s] = line[s, a]."""
    state = done()
    assert quiescent_and_accounted(calling()) == (
        "alice still liquidating, waiting on ['arb', 'base', 'sol']"
    )
    moved = spoke_account(state, "base", "bob", positions={"ETH-PERP": Position(1, 2_000)})
    assert (
        quiescent_and_accounted(moved) == "base holds exposure for bob the hub has not been told of"
    )
    lost = spoke_account(state, "base", "bob", balance=-3)
    assert (
        quiescent_and_accounted(lost) == "base holds exposure for bob the hub has not been told of"
    )
    told = hub(lost, reports=assoc(state.hub.reports, ("bob", "base"), Report(seq=1, balance=-3)))
    assert quiescent_and_accounted(told) is None
    line = spoke_account(state, "base", "bob", line=4)
    assert quiescent_and_accounted(line) == "base line for bob differs from the hub's allocation"
    # LIVE-5 and ADV-4: a compromised spoke or a severed pair is not accounted for
    assert quiescent_and_accounted(compromised(line, "base")) is None
    assert quiescent_and_accounted(compromised(line, "arb")) is not None
    assert quiescent_and_accounted(hub(line, severed=frozenset({("bob", "base")}))) is None
    assert quiescent_and_accounted(hub(line, severed=frozenset({("bob", "arb")}))) is not None


def test_a_drained_liquidation_may_wait_only_on_compromised_spokes() -> None:
    """INV-LIQ-2 with compromised spokes (`quiescent_despite_compromised`): a liquidation
    still running waits only on compromised spokes; every honest spoke is accounted for."""
    state = status(done(), "alice", liquidating=True, epoch=1, pending=frozenset({"arb", "sol"}))
    assert quiescent_despite_compromised(compromised(state, "arb", "sol")) is None
    assert quiescent_despite_compromised(compromised(state, "arb")) == (
        "alice still liquidating, waiting on ['sol']"
    )
    assert quiescent_despite_compromised(state) == (
        "alice still liquidating, waiting on ['arb', 'sol']"
    )
    line = compromised(spoke_account(state, "base", "bob", line=4), "arb", "sol")
    assert (
        quiescent_despite_compromised(line) == "base line for bob differs from the hub's allocation"
    )
    # not liquidating, pending honest spokes left over are no breach (only a running one waits)
    idle = status(done(), "alice", pending=frozenset({"arb"}))
    assert quiescent_despite_compromised(idle) is None


# --- step invariants ---------------------------------------------------------------------

ACCEPTED = Outcome(status="accepted")
IGNORED = Outcome(status="ignored", error=Error.STALE_EPOCH)


def refusal(error: Error | None = Error.SPOKE_PAUSED) -> Outcome:
    return Outcome(status="rejected", error=error)


def test_a_rejection_names_an_error_and_changes_nothing() -> None:
    """INV-ATOMIC-1: a rejected step names an error code and leaves the state as it was;
    an accepted or ignored step may change it."""
    pre, post = lined(), calling()
    action = Liquidate(account="alice")
    assert atomic_rejection(pre, action, pre, refusal()) is None
    assert atomic_rejection(pre, action, post, ACCEPTED) is None
    assert atomic_rejection(pre, action, post, IGNORED) is None
    assert (
        atomic_rejection(pre, action, pre, refusal(None))
        == "Liquidate rejected without an error code"
    )
    assert atomic_rejection(pre, action, post, refusal()) == (
        "Liquidate rejected with SPOKE_PAUSED but changed the state"
    )


def test_an_accepted_grant_or_withdrawal_leaves_capacity_at_zero_or_more() -> None:
    """INV-CREDIT-2: after an accepted GrantCredit or Withdraw the prices are there and free
    capacity >= 0 (zero is within); a step of another kind, or one not accepted, is not
    judged."""
    state = lined()  # ETH at 1700: alice's free capacity is 603 short at alloc 1000
    grant = GrantCredit(account="alice", spoke="arb", amount=1)
    withdraw = Withdraw(account="alice", asset="USD", amount=1)

    def alloc(value: int) -> State:
        return hub(state, alloc=assoc(state.hub.alloc, ("alice", "arb"), value))

    for action in (grant, withdraw):
        assert capacity_at_commit(state, action, alloc(397), ACCEPTED) is None
        assert capacity_at_commit(state, action, alloc(398), ACCEPTED) == (
            f"{action.type} accepted but alice's capacity is short by 1"
        )
        assert capacity_at_commit(state, action, alloc(398), refusal()) is None
    assert capacity_at_commit(state, Liquidate(account="alice"), alloc(398), ACCEPTED) is None
    unpriced = replace(alloc(0), oracle=replace(state.oracle, quotes={}))
    assert capacity_at_commit(state, grant, unpriced, ACCEPTED) == (
        "GrantCredit accepted for alice without the prices to value it"
    )


def test_no_credit_for_a_liquidating_account_and_no_risk_after_a_call() -> None:
    """INV-LIQ-1 (step part): no GrantCredit or Withdraw accepted for an account liquidating
    before the step; no risk-increasing trade accepted on a spoke account frozen before it
    (a reducing one is fine, and so is anything not accepted)."""
    state = calling()
    for action in (
        GrantCredit(account="alice", spoke="arb", amount=1),
        Withdraw(account="alice", asset="USD", amount=1),
    ):
        assert frozen_means_frozen(state, action, state, ACCEPTED) == (
            f"{action.type} accepted while alice liquidates"
        )
        assert frozen_means_frozen(state, action, state, refusal()) is None
        assert frozen_means_frozen(lined(), action, state, ACCEPTED) is None
    frozen = spoke_account(lined(), "arb", "alice", frozen=True)  # 2 ETH-PERP held

    def trade(market: str, qty: int) -> Trade:
        return Trade(spoke="arb", account="alice", market=market, qty=qty, price=1_700)

    increasing = "risk-increasing trade on arb after its margin call"
    assert frozen_means_frozen(frozen, trade("ETH-PERP", 1), frozen, ACCEPTED) == increasing
    assert frozen_means_frozen(frozen, trade("ETH-C-2000", 1), frozen, ACCEPTED) == increasing
    assert frozen_means_frozen(frozen, trade("ETH-PERP", -1), frozen, ACCEPTED) is None
    assert frozen_means_frozen(frozen, trade("ETH-C-2000", -1), frozen, ACCEPTED) == increasing
    assert frozen_means_frozen(frozen, trade("ETH-PERP", 1), frozen, refusal()) is None
    assert frozen_means_frozen(lined(), trade("ETH-PERP", 1), frozen, ACCEPTED) is None


def test_a_replay_is_rejected_and_changes_nothing() -> None:
    """INV-AMO-1 (step part): delivering an id already delivered is rejected with the state
    unchanged; the first delivery of an id is not judged here."""
    state = lined()  # 1 and 2 delivered
    again = Deliver(message_id=1)
    assert replay_has_no_effect(state, again, state, refusal(Error.ALREADY_DELIVERED)) is None
    assert replay_has_no_effect(state, again, state, ACCEPTED) == (
        "message 1 delivered again took effect (accepted)"
    )
    assert replay_has_no_effect(state, again, done(), refusal(Error.ALREADY_DELIVERED)) == (
        "message 1 delivered again took effect (rejected)"
    )
    assert replay_has_no_effect(calling(), Deliver(message_id=3), done(), ACCEPTED) is None
    assert replay_has_no_effect(state, Liquidate(account="alice"), done(), ACCEPTED) is None


def test_a_liquidation_deadline_is_set_once_from_now() -> None:
    """INV-LIVE-1 (step part): a liquidation declared (or renewed under a new epoch) in the
    step ends its wait at pre's now + liquidation_deadline_s; no step moves the deadline of
    one that runs on under the same epoch."""
    wait = lined().params.liquidation_deadline_s
    pre = replace(lined(), oracle=replace(lined().oracle, now=100))
    action = Liquidate(account="alice")
    assert (
        deadline_fixed(pre, action, status(calling(), "alice", deadline=100 + wait), ACCEPTED)
        is None
    )
    assert deadline_fixed(pre, action, status(calling(), "alice", deadline=wait), ACCEPTED) == (
        f"alice's liquidation got deadline {wait}"
    )
    running = replace(calling(), oracle=replace(calling().oracle, now=100))
    tick = AdvanceTime(seconds=1)
    assert deadline_fixed(running, tick, running, ACCEPTED) is None
    moved = status(running, "alice", deadline=wait + 1)
    assert deadline_fixed(running, tick, moved, ACCEPTED) == "AdvanceTime moved alice's deadline"
    renewed = status(running, "alice", epoch=2, deadline=100 + wait)
    assert deadline_fixed(running, action, renewed, ACCEPTED) is None
    stale_deadline = status(running, "alice", epoch=2)
    assert deadline_fixed(running, action, stale_deadline, ACCEPTED) == (
        f"alice's liquidation got deadline {wait}"
    )
    assert deadline_fixed(running, tick, done(), ACCEPTED) is None
    # an account not liquidating does not end the search: bob, after alice, is judged
    bob = status(pre, "bob", liquidating=True, epoch=1, deadline=1)
    assert deadline_fixed(pre, action, bob, ACCEPTED) == "bob's liquidation got deadline 1"


@cache
def force_settling() -> tuple[State, State]:
    """`calling`, base and sol answer; at the deadline (prices published again) alice is
    force-settled: arb is severed, its 1000 of allocation paid as claimed."""
    state = calling()
    for mid in (4, 5, 6, 7):
        state, outcome = step(state, Deliver(message_id=mid))
        assert outcome.accepted
    state = priced(run(state, AdvanceTime(seconds=state.params.liquidation_deadline_s)), eth=1_700)
    after, outcome = step(state, ForceSettle(account="alice"))
    assert outcome.accepted and after.hub.severed == {("alice", "arb")}
    return state, after


def test_a_force_settle_charges_only_the_severed_partition() -> None:
    """INV-LIVE-3: an accepted ForceSettle moves no other pair's allocation except on a spoke
    it severs, pays a severed spoke at most the allocation it loses (all of it is within),
    and charges no other spoke (paid, socialized)."""
    pre, post = force_settling()
    action = ForceSettle(account="alice")
    assert post.ghost.paid["arb"] - pre.ghost.paid["arb"] == pre.hub.alloc[("alice", "arb")]
    assert silent_cost_isolated(pre, action, post, ACCEPTED) is None
    bob_arb = hub(post, alloc=assoc(post.hub.alloc, ("bob", "arb"), 5))
    assert silent_cost_isolated(pre, action, bob_arb, ACCEPTED) is None
    bob_base = hub(post, alloc=assoc(post.hub.alloc, ("bob", "base"), 5))
    assert silent_cost_isolated(pre, action, bob_base, ACCEPTED) == (
        "force-settle of alice moved alloc[bob,base]"
    )
    # what the step paid is the difference: 500 paid before does not count
    earlier = ghost(pre, paid=assoc(pre.ghost.paid, "arb", 500))
    later = ghost(post, paid=assoc(post.ghost.paid, "arb", post.ghost.paid["arb"] + 500))
    assert silent_cost_isolated(earlier, action, later, ACCEPTED) is None
    overpaid = ghost(post, paid=assoc(post.ghost.paid, "arb", post.ghost.paid["arb"] + 1))
    assert silent_cost_isolated(pre, action, overpaid, ACCEPTED) == (
        "force-settle paid arb more than its allocation"
    )
    charged = "force-settle of alice charged base, which had answered"
    paid_base = ghost(post, paid=assoc(post.ghost.paid, "base", 1))
    assert silent_cost_isolated(pre, action, paid_base, ACCEPTED) == charged
    social = hub(post, socialized=assoc(post.hub.socialized, "base", 1))
    assert silent_cost_isolated(pre, action, social, ACCEPTED) == charged
    assert silent_cost_isolated(pre, action, social, refusal()) is None
    assert silent_cost_isolated(pre, Liquidate(account="alice"), social, ACCEPTED) is None


def test_no_pair_is_severed_before_its_deadline() -> None:
    """INV-LIVE-4: a step severs a pair only once its account liquidates and now >= the
    deadline (at the deadline is in time)."""
    pre, post = force_settling()
    action = ForceSettle(account="alice")
    assert pre.oracle.now == pre.hub.status["alice"].deadline
    assert no_early_severance(pre, action, post, ACCEPTED) is None
    early = replace(pre, oracle=replace(pre.oracle, now=pre.oracle.now - 1))
    assert no_early_severance(early, action, post, ACCEPTED) == (
        "ForceSettle severed arb from alice before the deadline"
    )
    idle = status(pre, "alice", liquidating=False)
    assert no_early_severance(idle, action, post, ACCEPTED) == (
        "ForceSettle severed arb from alice before the deadline"
    )


def test_no_step_grows_an_allocation_to_a_spoke_not_listed() -> None:
    """INV-LIST-1: an allocation to a spoke not listed before the step never grows (it may
    shrink or stay; a listed spoke's may grow)."""
    pre = hub(lined(), listing={"arb": "delisted"})
    action = GrantCredit(account="alice", spoke="arb", amount=1)

    def alloc(state: State, value: int) -> State:
        return hub(state, alloc=assoc(state.hub.alloc, ("alice", "arb"), value))

    assert drained_not_fed(pre, action, alloc(pre, 1_000), ACCEPTED) is None
    assert drained_not_fed(pre, action, alloc(pre, 999), ACCEPTED) is None
    assert drained_not_fed(pre, action, alloc(pre, 1_001), ACCEPTED) == (
        "GrantCredit grew alice's allocation to delisted arb"
    )
    assert drained_not_fed(lined(), action, alloc(lined(), 1_001), ACCEPTED) is None


def rate_limited(refill: int) -> State:
    params = example_params()
    spokes = tuple(
        s.model_copy(update={"rate_limit": RateLimitParams(capacity=100, refill_per_s=refill)})
        if s.id == "base"
        else s
        for s in params.spokes
    )
    return initial_state(params.model_copy(update={"spokes": spokes}))


def test_a_rate_limited_partition_takes_no_more_than_its_bucket_and_refill() -> None:
    """INV-RATE-1: claimed[s] + bucket[s] - r x now never grows for a rate-limited spoke s: a
    claim must empty the bucket by as much, and time refills it by r a second; a spoke
    without a limit is not judged."""
    pre = replace(rate_limited(3), oracle=replace(rate_limited(3).oracle, now=10))
    pre = ghost(hub(pre, buckets={"base": 50}), claimed=assoc(pre.ghost.claimed, "base", 5))
    action = AdvanceTime(seconds=2)

    def after(claimed: int, bucket: int, now: int, spoke: str = "base") -> State:
        state = ghost(pre, claimed=assoc(pre.ghost.claimed, spoke, claimed))
        state = hub(state, buckets=assoc(state.hub.buckets, "base", bucket))
        return replace(state, oracle=replace(state.oracle, now=now))

    assert loss_within_rate(pre, action, after(12, 43, 10), ACCEPTED) is None
    assert loss_within_rate(pre, action, after(12, 44, 10), ACCEPTED) == (
        "base took 7 beyond what its bucket allowed"
    )
    assert loss_within_rate(pre, action, after(5, 56, 12), ACCEPTED) is None
    assert loss_within_rate(pre, action, after(5, 57, 12), ACCEPTED) == (
        "base took 0 beyond what its bucket allowed"
    )
    assert loss_within_rate(pre, action, after(9, 50, 10, "arb"), ACCEPTED) is None


def test_the_head_of_an_ordered_channel_never_blocks_it() -> None:
    """INV-CHAN-1: on an ordered channel, delivering a channel's head is never rejected; a
    head its receiver refused (PRICE_UNAVAILABLE, SPOKE_PAUSED, RATE_LIMITED) leaves flight;
    what the step sends gets ids from pre's next id on.  A message behind the head, an id
    not in flight, or an unordered channel is not judged."""
    pre = with_params(calling(), channel_ordering="ordered")  # calls 3, 4, 5 to arb, base, sol
    behind = flying(pre, "hub", "arb", MarginCall(account="alice", epoch=1))  # 6, behind 3
    head = Deliver(message_id=3)
    gone = network(
        pre, in_flight=dissoc(pre.network.in_flight, 3), delivered=pre.network.delivered | {3}
    )
    assert head_never_blocks(pre, head, gone, ACCEPTED) is None
    assert head_never_blocks(pre, head, pre, refusal()) == (
        "the head 3 of its channel was refused (SPOKE_PAUSED)"
    )
    assert head_never_blocks(behind, Deliver(message_id=6), behind, refusal()) is None
    assert head_never_blocks(pre, Deliver(message_id=9), pre, refusal()) is None
    # an older message on another channel does not make 4 (to base) any less its head
    assert head_never_blocks(pre, Deliver(message_id=4), pre, refusal()) == (
        "the head 4 of its channel was refused (SPOKE_PAUSED)"
    )
    assert head_never_blocks(replace(pre, params=calling().params), head, pre, refusal()) is None
    assert head_never_blocks(pre, Liquidate(account="alice"), pre, refusal()) is None
    for error in (Error.PRICE_UNAVAILABLE, Error.SPOKE_PAUSED, Error.RATE_LIMITED):
        stuck = Outcome(status="ignored", error=error)
        assert head_never_blocks(pre, head, pre, stuck) == (
            "the refused head 3 of its channel stayed in flight"
        )
        assert head_never_blocks(pre, head, gone, stuck) is None
    assert head_never_blocks(pre, head, pre, IGNORED) is None
    ahead = network(gone, in_flight=assoc(gone.network.in_flight, 5, gone.network.in_flight[5]))
    reissued = network(
        ahead, in_flight={**dissoc(ahead.network.in_flight, 5), 2: pre.network.in_flight[5]}
    )
    assert head_never_blocks(pre, head, reissued, ACCEPTED) == (
        "delivering 3 put a message ahead of older ones"
    )
    sent = flying(gone, "hub", "base", MarginCall(account="bob", epoch=1))
    assert min(set(sent.network.in_flight) - set(pre.network.in_flight)) == pre.network.next_id
    assert head_never_blocks(pre, head, sent, ACCEPTED) is None


@cache
def leveraged() -> State:
    """alice: 1 ETH of collateral, a line of 1000 on arb, 2 ETH-PERP bought at 2000: healthy
    at ETH's 10% haircut, unhealthy at 70%."""
    state = credited(funded(priced(genesis()), eth=1), "alice", "arb", 1_000)
    return traded(state, "arb", "alice", "ETH-PERP", 2, 2_000)


def test_health_is_judged_only_with_prices() -> None:
    """RISK-10: `healthy_state` is the account's health, None without a price it needs."""
    state = leveraged()
    assert healthy_state(state, "alice") is True
    assert healthy_state(raised(state, 7_000), "alice") is False
    assert healthy_state(replace(state, oracle=replace(state.oracle, quotes={})), "alice") is None


def raised(state: State, haircut: int, **applied: Any) -> State:
    return replace(
        state,
        params=with_value(state.params, HAIRCUT, haircut),
        hub=replace(state.hub, applied={HAIRCUT: haircut}, scheduled={}),
    )


HAIRCUT = ("haircut_bps", "ETH")


def test_no_parameter_raise_without_notice_makes_an_account_unhealthy() -> None:
    """INV-NOTICE-1: a step that raises a risk parameter announced less than notice_s before
    (or not at all) must not make a healthy account unhealthy; announced exactly notice_s
    before is in time; a step that changes no parameter, raises none, or leaves every
    account healthy (or unhealthy before) is not judged."""
    pre = leveraged()
    notice = pre.params.notice_s
    action = ApplyParamChange(param="haircut_bps", target="ETH")
    post = raised(pre, 7_000)
    named = f"ApplyParamChange made alice unhealthy by [{HAIRCUT!r}] without notice"
    assert no_surprise_tightening(pre, action, post, ACCEPTED) == named

    def announced(at: int, now: int) -> str | None:
        """The raise announced at `at` for `at + notice`, applied at `now` (quotes fresh)."""
        told = hub(pre, scheduled={HAIRCUT: Scheduled(7_000, at + notice, at)})
        fresh = {feed: (price, now) for feed, (price, _) in post.oracle.quotes.items()}
        later = replace(post, oracle=replace(post.oracle, now=now, quotes=fresh))
        return no_surprise_tightening(told, action, later, ACCEPTED)

    assert announced(5, 5 + notice) is None
    assert announced(6, 5 + notice) == named
    assert no_surprise_tightening(pre, action, raised(pre, 5_000), ACCEPTED) is None
    sick = replace(pre, oracle=replace(pre.oracle, quotes={}))
    assert no_surprise_tightening(sick, action, post, ACCEPTED) is None
    assert no_surprise_tightening(pre, action, replace(post, oracle=sick.oracle), ACCEPTED) is None
    # the same parameters, or a value kept: not a raise, whatever else made alice unhealthy
    crash = priced(pre, eth=1_000)
    assert healthy_state(crash, "alice") is False
    assert no_surprise_tightening(pre, action, crash, ACCEPTED) is None
    kept = replace(
        crash,
        params=with_value(pre.params, HAIRCUT, 1_000),
        hub=replace(crash.hub, applied={HAIRCUT: 1_000}),
    )
    assert kept.params is not pre.params
    assert no_surprise_tightening(pre, action, kept, ACCEPTED) is None


# --- the registries ----------------------------------------------------------------------


def test_every_predicate_is_filed_under_the_id_it_checks() -> None:
    """spec/invariants.md: each registry key is an invariant id of the chapter, and the
    predicate filed under it cites that id first in its docstring."""
    chapter = (ROOT / "spec" / "invariants.md").read_text()
    for registry in (STATE_INVARIANTS, STEP_INVARIANTS):
        for inv_id, predicate in registry.items():
            assert f"**{inv_id}**" in chapter, inv_id
            assert (predicate.__doc__ or "").startswith(f"{inv_id}:") or (
                predicate.__doc__ or ""
            ).startswith(f"{inv_id} ("), (inv_id, predicate.__name__)


def test_check_state_and_check_step_list_every_broken_invariant_by_id() -> None:
    """check_state lists (id, what broke) for every state invariant broken, in registry
    order; check_step lists the step invariants broken, then the state invariants `post`
    breaks."""
    broken = hub(lined(), caps=assoc(lined().hub.caps, "arb", 999), listing={"arb": "removed"})
    assert check_state(broken) == [
        ("INV-PART-1", "allocation to arb is 1000, above its cap 999"),
        ("INV-LIST-2", "arb is removed but still holds 1000 of allocation"),
    ]
    action = Liquidate(account="alice")
    assert check_step(lined(), action, broken, refusal(None)) == [
        ("INV-ATOMIC-1", "Liquidate rejected without an error code"),
        *check_state(broken),
    ]
    assert check_step(lined(), action, lined(), refusal()) == []
