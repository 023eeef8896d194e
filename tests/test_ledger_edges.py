"""The edges of paying losses and taking liquidation answers, where a rule off by one unit or
reading the wrong value would still pass the round cases (HUB-LOSS-1..5, LIQ-3..LIQ-5).

Each test here kills mutants of `model/ledger.py` and `model/liquidation.py` that survived
the rest of the suite (`benchmarks/mutation_score.py`)."""

from model import State, initial_state
from spec.actions import Deliver, Deposit, Inject, Liquidate
from spec.errors import Error
from spec.messages import ExposureReport, LiquidationReport, LossClaim
from spec.params import Params
from tests.helpers import (
    credited,
    deliver,
    funded,
    liquidating,
    only,
    priced,
    refused,
    run,
    stale,
)


def claim(amount: int, account: str = "alice") -> Inject:
    """A loss claim arb (compromised) sends on its own channel."""
    return Inject(sender="arb", receiver="hub", payload=LossClaim(account=account, amount=amount))


def answer(released: int = 0, loss: int = 0, seq: int = 99, balance: int = 0) -> Inject:
    """arb's answer to epoch 1's margin call, injected."""
    report = LiquidationReport(
        account="alice", epoch=1, seq=seq, released=released, loss=loss, balance=balance
    )
    return Inject(sender="arb", receiver="hub", payload=report)


def test_what_a_partition_is_owed_adds_up_over_claims(genesis: State) -> None:
    """HUB-LOSS-1: two paid claims in the same asset: the partition is owed their sum."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 1_000)
    state = run(state, claim(100), claim(50))
    assert state.hub.owed[("arb", "USD")] == 150


def short_by_one(params: Params) -> State:
    """alice holds 1000 USD and 1 ETH and has 1500 credit on arb; ETH then falls to 100, so
    a claim of 1101 takes all her collateral (1000 + 100) and is short by exactly 1."""
    state = funded(priced(initial_state(params)), usd=1_000, eth=1)
    state = credited(state, "alice", "arb", 1_500)
    return priced(state, eth=100)


def test_a_shortfall_of_one_unit_is_charged_to_the_insurance_fund(params: Params) -> None:
    """HUB-LOSS-2, HUB-LOSS-3: the last unit the collateral cannot cover is bad debt the
    insurance fund pays."""
    state = short_by_one(params)
    after = run(state, claim(1_101))
    assert after.hub.collateral[("alice", "USD")] == 0
    assert after.hub.collateral[("alice", "ETH")] == 0
    assert state.hub.insurance["USD"] - after.hub.insurance["USD"] == 1
    assert after.hub.owed[("arb", "USD")] - state.hub.owed[("arb", "USD")] == 1_001
    assert after.hub.socialized == state.hub.socialized


def test_a_shortfall_of_one_unit_beyond_the_fund_is_socialized(params: Params) -> None:
    """HUB-LOSS-4: with an empty insurance fund, the unit nobody can pay is socialized to
    the claiming spoke's partition."""
    state = short_by_one(params.model_copy(update={"insurance_fund": ()}))
    assert not any(state.hub.insurance.values())
    after = run(state, claim(1_101))
    assert after.hub.socialized["arb"] - state.hub.socialized["arb"] == 1


def test_an_answer_asking_for_more_than_the_allocation_releases_only_the_rest(
    genesis: State,
) -> None:
    """LIQ-4: the loss comes first; the release is cut to what is left of the allocation."""
    state = liquidating(genesis)
    allocated = state.hub.alloc[("alice", "arb")]
    after = run(state, answer(released=allocated, loss=600))
    assert after.hub.alloc[("alice", "arb")] == 0
    assert after.ghost.released["arb"] - state.ghost.released["arb"] == allocated - 600
    assert after.ghost.claimed["arb"] - state.ghost.claimed["arb"] == 600


def test_an_answer_becomes_the_hubs_view_of_the_spoke(genesis: State) -> None:
    """LIQ-5, HUB-REP-1: a newer answer replaces the report (its sequence number and
    balance, no positions); one no newer than the report leaves it as it was."""
    state = liquidating(genesis)
    before = state.hub.reports[("alice", "arb")]
    same = run(state, answer(seq=before.seq, balance=-7))
    assert same.hub.reports[("alice", "arb")] == before
    newer = run(state, answer(seq=before.seq + 1, balance=-7))
    report = newer.hub.reports[("alice", "arb")]
    assert (report.seq, report.balance, dict(report.positions)) == (before.seq + 1, -7, {})


def test_an_answer_without_prices_to_seize_at_waits_in_flight(genesis: State) -> None:
    """HUB-LOSS-5, LIQ-3: alice now also holds ETH; with its price stale the hub cannot value
    what it would seize, so arb's answer is refused and stays in flight; priced again, it
    is taken."""
    state = deliver(liquidating(genesis), "MarginCall", "arb")
    state = stale(run(state, Deposit(account="alice", asset="ETH", amount=1)))
    report = only(state, "LiquidationReport", "hub")
    refused(state, Deliver(message_id=report.id), Error.PRICE_UNAVAILABLE)
    state = run(priced(state, eth=1_700), Deliver(message_id=report.id))
    assert "arb" not in state.hub.status["alice"].pending


def report(spoke: str, balance: int) -> Inject:
    """A settled balance for alice, reported by `spoke` (compromised) with no positions."""
    payload = ExposureReport(account="alice", seq=1, balance=balance, positions=())
    return Inject(sender=spoke, receiver="hub", payload=payload)


def test_health_values_a_clearing_pool_in_an_asset_the_account_does_not_hold(
    genesis: State,
) -> None:
    """LIQ-1, RISK-NET-1: arb's pool holds only ETH (seized from bob); alice holds only USD.
    Her health still prices the pool: her profit on arb, backed by it, offsets her loss on
    sol exactly, so she is healthy and cannot be liquidated."""
    state = credited(funded(priced(genesis), "bob", eth=1), "bob", "arb", 100)
    state = run(state, claim(100, account="bob"))
    assert state.hub.owed[("arb", "ETH")] == 1 and not state.hub.owed[("arb", "USD")]
    state = credited(credited(funded(state, usd=1_000), "alice", "arb", 100), "alice", "sol", 100)
    state = run(state, report("sol", -1_100), report("arb", 100))
    refused(state, Liquidate(account="alice"), Error.ACCOUNT_HEALTHY)
