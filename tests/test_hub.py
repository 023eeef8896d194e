"""Unit tests of the collateral hub: deposits, withdrawals, credit grants, and the spoke
messages the hub receives (releases, loss claims, exposure reports)."""

from model import State
from model.risk import total_allocation
from model.state import Position
from spec.actions import (
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    PauseSpoke,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import MAX_AMOUNT
from spec.errors import Error
from spec.messages import CreditGrant, CreditRelease, ExposureReport, LossClaim, PositionView
from tests.helpers import (
    checked,
    credited,
    deliver,
    funded,
    ignored,
    liquidating,
    only,
    priced,
    refused,
    run,
    settled,
    stale,
    traded,
)

# --- Deposit ---------------------------------------------------------------------------


def test_a_deposit_credits_the_account_and_the_hub_tokens(genesis: State) -> None:
    """HUB-DEP-1: a deposit adds to the account's collateral and to the hub's tokens."""
    state = run(genesis, Deposit(account="alice", asset="ETH", amount=5))
    assert state.hub.collateral[("alice", "ETH")] == 5
    assert state.hub.tokens["ETH"] == genesis.hub.tokens["ETH"] + 5


def test_a_deposit_pushing_the_hub_above_max_amount_is_invalid(genesis: State) -> None:
    """HUB-DEP-1, BND-1: no balance may exceed MAX_AMOUNT; the example hub already holds the
    insurance fund's USD, so depositing MAX_AMOUNT more USD is refused."""
    refused(genesis, Deposit(account="alice", asset="USD", amount=MAX_AMOUNT), Error.INVALID_AMOUNT)


def test_a_deposit_up_to_max_amount_is_accepted(genesis: State) -> None:
    """HUB-DEP-1, BND-1: the bound itself is allowed."""
    state = run(genesis, Deposit(account="alice", asset="ETH", amount=MAX_AMOUNT))
    assert state.hub.tokens["ETH"] == MAX_AMOUNT


def test_a_deposit_is_accepted_while_the_account_liquidates(genesis: State) -> None:
    """HUB-DEP-1: a deposit can only help, so it is allowed during a liquidation."""
    state = liquidating(genesis)
    state = run(state, Deposit(account="alice", asset="USD", amount=10))
    assert state.hub.status["alice"].liquidating


# --- Withdraw --------------------------------------------------------------------------


def test_a_withdrawal_within_free_capacity_returns_tokens(genesis: State) -> None:
    """HUB-WD-3: collateral nobody relies on can leave the hub."""
    state = funded(genesis, usd=1_000)
    state = run(state, Withdraw(account="alice", asset="USD", amount=400))
    assert state.hub.collateral[("alice", "USD")] == 600
    assert state.hub.tokens["USD"] == genesis.hub.tokens["USD"] + 600


def test_a_withdrawal_while_liquidating_is_refused(genesis: State) -> None:
    """HUB-WD-1, INV-LIQ-1: no withdrawal while the account liquidates."""
    state = liquidating(genesis)
    refused(state, Withdraw(account="alice", asset="USD", amount=1), Error.ACCOUNT_LIQUIDATING)


def test_a_withdrawal_above_the_balance_is_refused(genesis: State) -> None:
    """HUB-WD-2: an account cannot withdraw more tokens than it deposited."""
    state = funded(genesis, usd=100)
    refused(state, Withdraw(account="alice", asset="USD", amount=101), Error.INSUFFICIENT_BALANCE)


def test_a_withdrawal_without_a_price_for_held_collateral_fails_closed(genesis: State) -> None:
    """HUB-WD-3, ORA-7: with ETH held and no ETH price the hub cannot value the account."""
    state = funded(genesis, eth=10)
    refused(state, Withdraw(account="alice", asset="ETH", amount=1), Error.PRICE_UNAVAILABLE)


def test_a_withdrawal_eating_into_an_allocation_is_refused(genesis: State) -> None:
    """HUB-WD-3, INV-CREDIT-2: collateral backing a spoke's credit line cannot leave."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 600)
    refused(state, Withdraw(account="alice", asset="USD", amount=401), Error.INSUFFICIENT_CAPACITY)


def test_a_withdrawal_eating_into_a_grant_in_flight_is_refused(genesis: State) -> None:
    """HUB-WD-3, HUB-GRANT-4: credit in flight is allocated from the moment the hub sends it,
    so it can back no withdrawal."""
    state = run(funded(genesis, usd=1_000), GrantCredit(account="alice", spoke="arb", amount=600))
    assert only(state, "CreditGrant")
    refused(state, Withdraw(account="alice", asset="USD", amount=401), Error.INSUFFICIENT_CAPACITY)


def test_a_withdrawal_of_exactly_the_free_capacity_is_accepted(genesis: State) -> None:
    """HUB-WD-3: capacity equal to the allocations afterwards is enough."""
    state = run(funded(genesis, usd=1_000), GrantCredit(account="alice", spoke="arb", amount=600))
    state = run(state, Withdraw(account="alice", asset="USD", amount=400))
    assert state.hub.collateral[("alice", "USD")] == 600


def test_a_withdrawal_counts_haircut_collateral(genesis: State) -> None:
    """HUB-WD-3, RISK-IM-1, NUM-1: for borrowing, 1 ETH at 2000 with its 15% LTV haircut backs
    1700: not 2000, nor the 1800 its 10% liquidation haircut counts for in health."""
    state = credited(funded(priced(genesis), eth=2), "alice", "arb", 1_701)
    refused(state, Withdraw(account="alice", asset="ETH", amount=1), Error.INSUFFICIENT_CAPACITY)
    state = run(state, ReleaseCredit(spoke="arb", account="alice", amount=1))
    state = deliver(state, "CreditRelease")
    state = run(state, Withdraw(account="alice", asset="ETH", amount=1))
    assert state.hub.collateral[("alice", "ETH")] == 1


# --- GrantCredit -----------------------------------------------------------------------


def test_a_grant_allocates_at_once_and_sends_the_credit(genesis: State) -> None:
    """HUB-GRANT-4: the allocation rises when the grant is sent, not on delivery."""
    state = funded(genesis, usd=1_000)
    after, outcome = checked(state, GrantCredit(account="alice", spoke="arb", amount=300))
    assert outcome.accepted
    grant = only(after, "CreditGrant")
    assert outcome.emitted == (grant.id,)
    assert (grant.sender, grant.receiver) == ("hub", "arb")
    assert grant.payload == CreditGrant(account="alice", amount=300, epoch=0)
    assert after.hub.alloc[("alice", "arb")] == 300
    assert after.spokes[("arb", "alice")].line == 0


def test_a_grant_carries_the_account_epoch(genesis: State) -> None:
    """HUB-GRANT-4, SPK-GRANT-2: the grant names the epoch it was sent under."""
    state = settled(genesis)
    state = run(funded(state, usd=1_000), GrantCredit(account="alice", spoke="base", amount=1))
    assert only(state, "CreditGrant").payload.epoch == 1  # type: ignore[union-attr]


def test_a_grant_while_liquidating_is_refused(genesis: State) -> None:
    """HUB-GRANT-1, INV-LIQ-1: no grant while the account liquidates."""
    state = funded(liquidating(genesis), usd=10_000)
    refused(
        state,
        GrantCredit(account="alice", spoke="base", amount=1),
        Error.ACCOUNT_LIQUIDATING,
    )


def test_a_grant_to_a_paused_spoke_is_refused(genesis: State) -> None:
    """HUB-GRANT-1, GOV-2: the circuit breaker stops new credit to a spoke."""
    state = run(funded(genesis, usd=1_000), PauseSpoke(spoke="arb"))
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.SPOKE_PAUSED)


def test_a_grant_without_a_price_for_held_collateral_fails_closed(genesis: State) -> None:
    """HUB-GRANT-2, ORA-7: ETH collateral without an ETH price backs nothing."""
    state = stale(funded(priced(genesis), eth=1))
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.PRICE_UNAVAILABLE)


def test_a_grant_above_free_capacity_is_refused(genesis: State) -> None:
    """HUB-GRANT-2, INV-CREDIT-2: the allocation may not exceed the capacity."""
    state = funded(genesis, usd=1_000)
    refused(
        state, GrantCredit(account="alice", spoke="arb", amount=1_001), Error.INSUFFICIENT_CAPACITY
    )


def test_a_grant_counts_grants_still_in_flight(genesis: State) -> None:
    """HUB-GRANT-2, HUB-GRANT-4: a grant in flight already uses capacity, on any spoke."""
    state = run(funded(genesis, usd=1_000), GrantCredit(account="alice", spoke="arb", amount=600))
    refused(
        state, GrantCredit(account="alice", spoke="base", amount=401), Error.INSUFFICIENT_CAPACITY
    )
    state = run(state, GrantCredit(account="alice", spoke="base", amount=400))
    assert total_allocation(state, "alice") == 1_000


def test_a_grant_counts_the_latency_buffer_of_reported_positions(genesis: State) -> None:
    """HUB-GRANT-2, RISK-6: the buffer on 1 reported perp at 2000 on arb (7 bps, rounded up to
    2) is held back from the free capacity."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 500)
    state = traded(state, "arb", "alice", "ETH-PERP", 1, 2_000)
    refused(
        state, GrantCredit(account="alice", spoke="base", amount=499), Error.INSUFFICIENT_CAPACITY
    )
    run(state, GrantCredit(account="alice", spoke="base", amount=498))


def test_a_reported_profit_adds_no_capacity(genesis: State) -> None:
    """RISK-11, HUB-GRANT-2: a profit of 100 settled on arb stays on arb; it backs nothing at
    the hub, where the whole 1000 of collateral is already allocated."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    state = traded(state, "arb", "alice", "ETH-PERP", 1, 2_000)
    state = traded(state, "arb", "alice", "ETH-PERP", -1, 2_100)
    assert state.hub.reports[("alice", "arb")].balance == 100
    refused(
        state, GrantCredit(account="alice", spoke="base", amount=1), Error.INSUFFICIENT_CAPACITY
    )


def test_a_reported_unrealized_loss_lowers_capacity(genesis: State) -> None:
    """RISK-10, HUB-GRANT-2: 1 perp bought at 2000 and marked at 1900 takes 100 off capacity:
    of 2000 collateral, 500 allocated, the buffer 2 (7 bps of 1900, rounded up) and the loss
    100 held back, 1398 is free."""
    state = credited(funded(priced(genesis), usd=2_000), "alice", "arb", 500)
    state = priced(traded(state, "arb", "alice", "ETH-PERP", 1, 2_000), eth=1_900)
    refused(
        state, GrantCredit(account="alice", spoke="base", amount=1_399), Error.INSUFFICIENT_CAPACITY
    )
    run(state, GrantCredit(account="alice", spoke="base", amount=1_398))


def test_one_spokes_profit_does_not_offset_another_spokes_loss(genesis: State) -> None:
    """RISK-11, RISK-12: +100 settled on arb and -100 unrealized on base: capacity is
    2000 - 100 = 1900, not 2000.  Less 1500 allocated and base's buffer (15 bps of 1900,
    2.85 rounded up to 3): 397 is free."""
    state = funded(priced(genesis), usd=2_000)
    state = credited(credited(state, "alice", "arb", 1_000), "alice", "base", 500)
    state = traded(state, "arb", "alice", "ETH-PERP", 1, 2_000)
    state = traded(state, "arb", "alice", "ETH-PERP", -1, 2_100)
    state = priced(traded(state, "base", "alice", "ETH-PERP", 1, 2_000), eth=1_900)
    refused(
        state, GrantCredit(account="alice", spoke="sol", amount=398), Error.INSUFFICIENT_CAPACITY
    )
    run(state, GrantCredit(account="alice", spoke="sol", amount=397))


def test_a_grant_above_the_partition_cap_counting_other_accounts_is_refused(
    genesis: State,
) -> None:
    """HUB-GRANT-3, CAP-1, INV-PART-1: a spoke's cap bounds all accounts' allocations together."""
    state = run(funded(genesis, "bob", usd=1_000), SetCap(spoke="arb", cap=1_000))
    state = run(funded(state, usd=1_000), GrantCredit(account="bob", spoke="arb", amount=700))
    refused(state, GrantCredit(account="alice", spoke="arb", amount=301), Error.PARTITION_CAP)
    run(state, GrantCredit(account="alice", spoke="arb", amount=300))


# --- CreditRelease delivered at the hub ---------------------------------------------


def test_a_delivered_release_lowers_the_allocation(genesis: State) -> None:
    """HUB-REL-1: the hub reduces the allocation when the release arrives, not before."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 600)
    state = run(state, ReleaseCredit(spoke="arb", account="alice", amount=200))
    assert state.hub.alloc[("alice", "arb")] == 600
    state = deliver(state, "CreditRelease")
    assert state.hub.alloc[("alice", "arb")] == 400
    assert state.ghost.released["arb"] == 200


def test_a_release_above_the_allocation_is_ignored(genesis: State) -> None:
    """HUB-REL-1, INV-PART-2: a spoke cannot return more than it was allocated (here a
    compromised spoke tries); the message is consumed with no effect."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 600)
    inject = Inject(
        sender="arb", receiver="hub", payload=CreditRelease(account="alice", amount=601)
    )
    after = ignored(state, inject, Error.EXCEEDS_ALLOCATION)
    assert after.hub == state.hub


def test_a_release_from_a_paused_spoke_is_taken(genesis: State) -> None:
    """HUB-REL-1: returning credit moves no value, so the circuit breaker does not hold it."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 600)
    state = run(state, ReleaseCredit(spoke="arb", account="alice", amount=200))
    state = deliver(run(state, PauseSpoke(spoke="arb")), "CreditRelease")
    assert state.hub.alloc[("alice", "arb")] == 400


# --- LossClaim delivered at the hub -------------------------------------------------


def losing(genesis: State) -> State:
    """alice (1000 USD, 1000 credit on arb) bought 1 perp at 2000 and sold it at 1900: a loss
    claim of 100 is in flight to the hub."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    state = traded(state, "arb", "alice", "ETH-PERP", 1, 2_000)
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=1_900))
    assert only(state, "LossClaim").payload == LossClaim(account="alice", amount=100)
    return state


def test_a_delivered_loss_claim_is_paid_from_collateral(genesis: State) -> None:
    """HUB-CLAIM-3, HUB-LOSS-1: the claim consumes allocation and moves collateral to the
    spoke's partition."""
    state = deliver(losing(genesis), "LossClaim")
    assert state.hub.alloc[("alice", "arb")] == 900
    assert state.hub.collateral[("alice", "USD")] == 900
    assert state.hub.owed[("arb", "USD")] == 100
    assert state.ghost.claimed["arb"] == state.ghost.paid["arb"] == 100


def test_a_loss_claim_from_a_paused_spoke_waits_in_flight(genesis: State) -> None:
    """HUB-CLAIM-1, MSG-11: while the spoke is paused its claim is rejected and stays in flight;
    once unpaused it is paid."""
    state = run(losing(genesis), PauseSpoke(spoke="arb"))
    claim = only(state, "LossClaim")
    refused(state, Deliver(message_id=claim.id), Error.SPOKE_PAUSED)
    state = run(state, UnpauseSpoke(spoke="arb"), Deliver(message_id=claim.id))
    assert state.hub.owed[("arb", "USD")] == 100


def test_a_loss_claim_waits_in_flight_while_collateral_cannot_be_valued(genesis: State) -> None:
    """HUB-LOSS-5: alice also holds ETH; with no ETH price the hub will not seize around it
    (that would charge the insurance fund while she still has collateral): the claim is
    rejected and stays in flight, and is paid from her USD once prices return."""
    state = funded(losing(genesis), eth=1)
    claim = only(state, "LossClaim")
    state = stale(state)
    refused(state, Deliver(message_id=claim.id), Error.PRICE_UNAVAILABLE)
    state = run(priced(state), Deliver(message_id=claim.id))
    assert state.hub.owed[("arb", "USD")] == 100
    assert state.hub.insurance == genesis.hub.insurance


def test_a_loss_claim_above_the_allocation_is_ignored(genesis: State) -> None:
    """HUB-CLAIM-2, INV-PART-2: a claim cannot take more than the allocation it draws on."""
    state = credited(funded(genesis, usd=1_000), "alice", "arb", 600)
    inject = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=601))
    after = ignored(state, inject, Error.EXCEEDS_ALLOCATION)
    assert after.hub == state.hub
    assert after.ghost.paid == state.ghost.paid


# --- ExposureReport delivered at the hub --------------------------------------------


def reported_twice(genesis: State) -> State:
    """arb has sent two exposure reports for alice (seq 1 and 2), both in flight."""
    return run(
        genesis, SendReport(spoke="arb", account="alice"), SendReport(spoke="arb", account="alice")
    )


def test_a_delivered_report_becomes_the_hubs_view(genesis: State) -> None:
    """HUB-REP-1, HUB-REP-2: the hub records positions and balance as reported."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    state = traded(state, "arb", "alice", "ETH-PERP", 2, 2_000)
    report = state.hub.reports[("alice", "arb")]
    assert report.seq == 1
    assert dict(report.positions) == {"ETH-PERP": Position(2, 4_000)}


def test_an_older_report_after_a_newer_one_is_stale(genesis: State) -> None:
    """HUB-REP-1: reordered reports cannot roll the hub's view back."""
    state = reported_twice(genesis)
    first, second = (env.id for env in sorted(state.network.in_flight.values(), key=lambda e: e.id))
    state = run(state, Deliver(message_id=second))
    after = ignored(state, Deliver(message_id=first), Error.STALE_REPORT)
    assert after.hub.reports[("alice", "arb")].seq == 2
    assert first in after.network.delivered


def test_a_report_repeating_the_last_sequence_number_is_stale(genesis: State) -> None:
    """HUB-REP-1: only a sequence number above the last accepted one is news; a compromised
    spoke re-using seq 1 with other positions cannot overwrite the hub's view."""
    state = run(genesis, SendReport(spoke="arb", account="alice"))
    state = deliver(state, "ExposureReport")
    views = (PositionView(market="ETH-PERP", qty=-5, cost=0),)
    payload = ExposureReport(account="alice", seq=1, balance=10**6, positions=views)
    after = ignored(
        state, Inject(sender="arb", receiver="hub", payload=payload), Error.STALE_REPORT
    )
    assert after.hub == state.hub


def malformed(genesis: State, *views: PositionView) -> None:
    inject = Inject(
        sender="arb",
        receiver="hub",
        payload=ExposureReport(account="alice", seq=1, balance=0, positions=views),
    )
    after = ignored(genesis, inject, Error.MALFORMED_REPORT)
    assert after.hub == genesis.hub


def test_a_report_listing_a_market_twice_is_malformed(genesis: State) -> None:
    """HUB-REP-4: a position listed twice must not count twice."""
    view = PositionView(market="ETH-PERP", qty=1, cost=2_000)
    malformed(genesis, view, view)


def test_a_report_with_a_zero_size_position_is_malformed(genesis: State) -> None:
    """HUB-REP-4: reported positions have non-zero sizes."""
    malformed(genesis, PositionView(market="ETH-PERP", qty=0, cost=0))


def test_a_report_naming_an_unknown_market_is_malformed(genesis: State) -> None:
    """HUB-REP-4: every reported market is declared in the parameters."""
    malformed(genesis, PositionView(market="BTC-PERP", qty=1, cost=0))


# --- unknown ids (STEP-2) -----------------------------------------------------------


def test_an_action_naming_an_unknown_account_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: accounts are declared in the parameters."""
    refused(genesis, Deposit(account="zed", asset="USD", amount=1), Error.UNKNOWN_ACCOUNT)


def test_an_action_naming_an_unknown_asset_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: assets are declared in the parameters."""
    refused(genesis, Deposit(account="alice", asset="BTC", amount=1), Error.UNKNOWN_ASSET)


def test_an_action_naming_an_unknown_spoke_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: spokes are declared in the parameters."""
    refused(genesis, GrantCredit(account="alice", spoke="zzz", amount=1), Error.UNKNOWN_SPOKE)


def test_an_action_naming_an_unknown_market_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: markets are declared in the parameters."""
    trade = Trade(spoke="arb", account="alice", market="BTC-PERP", qty=1, price=1)
    refused(genesis, trade, Error.UNKNOWN_MARKET)


def test_unknown_ids_are_reported_account_first(genesis: State) -> None:
    """STEP-2: the first unknown id in the order account, spoke, asset, market, feed."""
    trade = Trade(spoke="zzz", account="zed", market="BTC-PERP", qty=1, price=1)
    refused(genesis, trade, Error.UNKNOWN_ACCOUNT)
    trade = Trade(spoke="zzz", account="alice", market="BTC-PERP", qty=1, price=1)
    refused(genesis, trade, Error.UNKNOWN_SPOKE)
