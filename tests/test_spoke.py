"""Unit tests of an execution spoke: trades, releases, reports, and the hub messages a spoke
receives (credit grants, margin calls)."""

from model import State
from model.network import send
from model.spoke import is_risk_reducing
from model.state import Position
from spec.actions import (
    Deliver,
    GrantCredit,
    Liquidate,
    ReleaseCredit,
    SendReport,
    Trade,
)
from spec.bounds import MAX_QTY
from spec.errors import Error
from spec.messages import (
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    PositionView,
)
from tests.helpers import (
    checked,
    crafted_spoke_account,
    credited,
    deliver,
    funded,
    ignored,
    in_flight,
    liquidating,
    only,
    position,
    priced,
    refused,
    run,
    settled,
    stale,
)


def trading(genesis: State, line: int = 1_000) -> State:
    """alice has 10 000 USD at the hub and `line` of credit on arb; ETH is at 2000."""
    return credited(funded(priced(genesis), usd=10_000), "alice", "arb", line)


def buy(qty: int, price: int = 2_000, market: str = "ETH-PERP") -> Trade:
    return Trade(spoke="arb", account="alice", market=market, qty=qty, price=price)


# --- Trade -----------------------------------------------------------------------------


def test_a_trade_opens_a_position_at_its_price(genesis: State) -> None:
    """SPK-TRADE-4: a fill adds qty lots at cost qty x price."""
    state = run(trading(genesis), buy(2))
    assert position(state, "arb", "alice", "ETH-PERP") == Position(2, 4_000)


def test_a_trade_sends_an_exposure_report(genesis: State) -> None:
    """SPK-TRADE-5, SPK-REP-1: every trade is followed by a numbered report of the book."""
    state = trading(genesis)
    after, outcome = checked(state, buy(1))
    report = only(after, "ExposureReport")
    assert outcome.emitted == (report.id,)
    assert report.payload == ExposureReport(
        account="alice",
        seq=1,
        balance=0,
        positions=(PositionView(market="ETH-PERP", qty=1, cost=2_000),),
    )
    assert after.spokes[("arb", "alice")].seq == 1


def test_a_trade_of_zero_lots_is_invalid(genesis: State) -> None:
    """SPK-TRADE-2, BND-3: a trade moves at least one lot."""
    refused(trading(genesis), buy(0), Error.INVALID_AMOUNT)


def test_a_trade_leaving_a_position_above_max_qty_is_invalid(genesis: State) -> None:
    """SPK-TRADE-2, BND-3: no position may exceed MAX_QTY lots (a long call bought at 0
    needs no margin, so only the bound can stop it)."""
    state = run(trading(genesis), buy(1, price=0, market="ETH-C-2000"))
    refused(state, buy(MAX_QTY, price=0, market="ETH-C-2000"), Error.INVALID_AMOUNT)
    run(state, buy(MAX_QTY - 1, price=0, market="ETH-C-2000"))


def test_a_risk_increasing_trade_after_a_margin_call_is_refused(genesis: State) -> None:
    """SPK-TRADE-3, SPK-3, INV-LIQ-1: a spoke that obeyed a margin call takes no new risk."""
    state = deliver(liquidating(genesis), "MarginCall", "arb")
    assert state.spokes[("arb", "alice")].frozen
    refused(state, buy(1, price=1_700), Error.MARGIN_CALLED)


def test_a_risk_increasing_trade_without_a_price_fails_closed(genesis: State) -> None:
    """SPK-TRADE-3, ORA-7: no live price, no new risk."""
    refused(stale(trading(genesis)), buy(1), Error.PRICE_UNAVAILABLE)


def test_a_trade_needs_initial_margin_within_the_line(genesis: State) -> None:
    """SPK-TRADE-3, RISK-5, RISK-7, SPAN-1: 1 perp at 2000 needs scan 315 (the extreme
    move, 3 x 15% = 900, at 35% cover; a full 15% move loses only 300) x 110% = 346.5,
    rounded up to 347 of initial margin; a line of 346 is not enough, 347 is."""
    refused(trading(genesis, line=346), buy(1), Error.INSUFFICIENT_MARGIN)
    run(trading(genesis, line=347), buy(1))


def test_only_a_trade_against_an_open_position_and_within_it_reduces_risk() -> None:
    """SPK-TRADE-1: risk-reducing iff the position is open, the trade has the opposite sign
    and is no larger: for longs and shorts alike; zero lots has no sign, so it reduces
    nothing on either side (SPK-TRADE-2 rejects it before this is asked)."""
    for side in (1, -1):
        assert is_risk_reducing(5 * side, -5 * side)
        assert is_risk_reducing(5 * side, -1 * side)
        assert not is_risk_reducing(5 * side, -6 * side)  # flips
        assert not is_risk_reducing(5 * side, 1 * side)  # adds
        assert not is_risk_reducing(0, side)  # opens
        assert not is_risk_reducing(5 * side, 0)


def test_a_risk_reducing_trade_needs_no_price(genesis: State) -> None:
    """SPK-TRADE-3: closing part of a position is always allowed, even without prices."""
    state = stale(run(trading(genesis), buy(2)))
    state = run(state, buy(-1))
    assert position(state, "arb", "alice", "ETH-PERP") == Position(1, 2_000)


def test_a_risk_reducing_trade_is_allowed_when_frozen(genesis: State) -> None:
    """SPK-TRADE-3, SPK-3: a frozen account may still reduce risk.  No honest run leaves
    a position on a frozen account (the margin call closes it), so the state is crafted."""
    state = run(trading(genesis), buy(2))
    state = crafted_spoke_account(state, "arb", "alice", frozen=True, called_epoch=1)
    after = run(state, buy(-1))
    assert position(after, "arb", "alice", "ETH-PERP") == Position(1, 2_000)
    refused(state, buy(1), Error.MARGIN_CALLED)


def test_a_trade_flipping_a_position_is_risk_increasing(genesis: State) -> None:
    """SPK-TRADE-1: going from long 1 to short 1 is not a reduction; it needs margin."""
    state = stale(run(trading(genesis), buy(1)))
    refused(state, buy(-2), Error.PRICE_UNAVAILABLE)


def test_a_realized_loss_is_claimed_at_once_against_the_line(genesis: State) -> None:
    """SPK-TRADE-5, SPK-CLAIM-1, INV-SPOKE-1: the spoke debits the line, then sends the loss
    claim, and reports after."""
    state = run(trading(genesis), buy(1))
    after, outcome = checked(state, buy(-1, price=1_900))
    claim, report = only(after, "LossClaim"), in_flight(after, "ExposureReport")[-1]
    assert outcome.emitted == (claim.id, report.id)
    assert claim.payload == LossClaim(account="alice", amount=100)
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.balance, dict(acct.positions)) == (900, 0, {})


def test_a_realized_loss_above_the_line_leaves_the_rest_unpaid_on_the_spoke(
    genesis: State,
) -> None:
    """SPK-CLAIM-1: a claim never exceeds the line; the rest stays as a negative balance."""
    state = run(trading(genesis, line=400), buy(1))
    state = run(state, buy(-1, price=1_500))
    acct = state.spokes[("arb", "alice")]
    assert only(state, "LossClaim").payload == LossClaim(account="alice", amount=400)
    assert (acct.line, acct.balance) == (0, -100)


def test_a_realized_profit_stays_on_the_spoke_as_balance(genesis: State) -> None:
    """SPK-4, RISK-11: profit is the venue's to pay and stays as settled balance."""
    state = run(trading(genesis), buy(1), buy(-1, price=2_100))
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (1_000, 100)
    assert not in_flight(state, "LossClaim")


def test_closing_one_of_three_lots_rounds_the_realized_pnl_down(genesis: State) -> None:
    """SPK-TRADE-4, NUM-2: long 3 lots costing 6002 (2000 + 2 x 2001); selling 1 at 2000
    removes ceil(6002/3) = 2001 of cost: realized -1 (exactly -2/3), 2 lots cost 4001."""
    state = run(trading(genesis, line=2_000), buy(1), buy(2, price=2_001))
    state = run(state, buy(-1))
    assert position(state, "arb", "alice", "ETH-PERP") == Position(2, 4_001)
    assert only(state, "LossClaim").payload == LossClaim(account="alice", amount=1)


def test_covering_one_of_three_short_lots_rounds_the_realized_pnl_down(genesis: State) -> None:
    """SPK-TRADE-4, NUM-2: short 3 lots received 6002; buying 1 back at 2000 removes
    ceil(-6002/3) = -2000 of cost: realized 0 (exactly +2/3), 2 lots cost -4002."""
    state = run(trading(genesis, line=2_000), buy(-1), buy(-2, price=2_001))
    state = run(state, buy(1))
    assert position(state, "arb", "alice", "ETH-PERP") == Position(-2, -4_002)
    assert state.spokes[("arb", "alice")].balance == 0


def test_a_trade_through_zero_opens_the_rest_at_its_price(genesis: State) -> None:
    """SPK-TRADE-4: long 1 at 2000, sell 3 at 2100: realize +100 and open short 2 at 2100."""
    state = run(trading(genesis), buy(1), buy(-3, price=2_100))
    assert position(state, "arb", "alice", "ETH-PERP") == Position(-2, -4_200)
    assert state.spokes[("arb", "alice")].balance == 100


# --- ReleaseCredit ---------------------------------------------------------------------


def test_a_release_debits_the_line_before_it_is_sent(genesis: State) -> None:
    """SPK-REL-2, HUB-REL-1: the credit leaves the line at once; the hub allocation drops
    only when the release is delivered."""
    state = run(trading(genesis), ReleaseCredit(spoke="arb", account="alice", amount=300))
    assert state.spokes[("arb", "alice")].line == 700
    assert only(state, "CreditRelease").payload == CreditRelease(account="alice", amount=300)
    assert state.hub.alloc[("alice", "arb")] == 1_000
    state = deliver(state, "CreditRelease")
    assert state.hub.alloc[("alice", "arb")] == 700


def test_a_release_above_the_line_is_refused(genesis: State) -> None:
    """SPK-REL-1: a spoke cannot release credit it does not hold."""
    refused(
        trading(genesis),
        ReleaseCredit(spoke="arb", account="alice", amount=1_001),
        Error.INSUFFICIENT_CREDIT,
    )


def test_a_release_with_open_positions_and_no_price_fails_closed(genesis: State) -> None:
    """SPK-REL-1, ORA-7: the spoke cannot tell whether the rest covers margin."""
    state = stale(run(trading(genesis), buy(1)))
    refused(state, ReleaseCredit(spoke="arb", account="alice", amount=1), Error.PRICE_UNAVAILABLE)


def test_a_release_with_no_positions_needs_no_price(genesis: State) -> None:
    """SPK-REL-1, ORA-7: an empty book needs no margin and no price."""
    state = run(stale(trading(genesis)), ReleaseCredit(spoke="arb", account="alice", amount=1_000))
    assert state.spokes[("arb", "alice")].line == 0


def test_a_release_must_leave_initial_margin_on_the_line(genesis: State) -> None:
    """SPK-REL-1: 1 perp at 2000 needs 347: a 1000 line can release 653 but not 654."""
    state = run(trading(genesis), buy(1))
    refused(
        state, ReleaseCredit(spoke="arb", account="alice", amount=654), Error.INSUFFICIENT_MARGIN
    )
    run(state, ReleaseCredit(spoke="arb", account="alice", amount=653))


# --- SendReport ------------------------------------------------------------------------


def test_a_report_can_be_resent_with_a_new_sequence_number(genesis: State) -> None:
    """SPK-REP-1: each report is numbered one above the last."""
    state = run(trading(genesis), buy(1))
    state = run(state, SendReport(spoke="arb", account="alice"))
    seqs = [env.payload.seq for env in in_flight(state, "ExposureReport")]  # type: ignore[union-attr]
    assert seqs == [1, 2]


# --- CreditGrant delivered at a spoke ------------------------------------------------


def test_a_delivered_grant_raises_the_line(genesis: State) -> None:
    """SPK-GRANT-1, INV-CREDIT-1: the line holds what the hub allocated once it arrives."""
    state = trading(genesis, line=250)
    assert state.spokes[("arb", "alice")].line == 250 == state.hub.alloc[("alice", "arb")]


def test_a_grant_older_than_the_margin_call_does_not_unfreeze(genesis: State) -> None:
    """SPK-GRANT-2, INV-LIQ-1: a grant sent before the liquidation (epoch 0) and delivered after
    the margin call (epoch 1) adds to the line but leaves the account frozen."""
    state = credited(funded(priced(genesis), usd=1_100), "alice", "arb", 1_000)
    state = run(state, buy(2), GrantCredit(account="alice", spoke="arb", amount=100))
    old_grant = only(state, "CreditGrant")
    state = deliver_all_but(state, old_grant.id)
    state = run(priced(state, eth=1_600), Liquidate(account="alice"))
    state = deliver(state, "MarginCall", "arb")
    state = run(state, Deliver(message_id=old_grant.id))
    acct = state.spokes[("arb", "alice")]
    assert acct.frozen and acct.line == 100


def test_a_grant_after_the_liquidation_unfreezes_the_spoke(genesis: State) -> None:
    """SPK-GRANT-2: a grant of the epoch of the call obeyed lifts the freeze."""
    state = settled(genesis)
    assert state.spokes[("arb", "alice")].frozen
    state = credited(state, "alice", "arb", 10)
    assert not state.spokes[("arb", "alice")].frozen
    run(state, Trade(spoke="arb", account="alice", market="ETH-C-2000", qty=1, price=0))


def test_a_grant_arriving_with_an_unpaid_loss_claims_it_at_once(genesis: State) -> None:
    """SPK-GRANT-3, SPK-CLAIM-1, INV-SPOKE-1: a loss of 500 on a line of 400 left -100 unpaid
    on the spoke; the next grant of 250 pays it: a claim of 100, then a report."""
    state = run(trading(genesis, line=400), buy(1), buy(-1, price=1_500))
    assert state.spokes[("arb", "alice")].balance == -100
    state = deliver_all_but(state, -1)
    state = run(state, GrantCredit(account="alice", spoke="arb", amount=250))
    after, outcome = checked(state, Deliver(message_id=only(state, "CreditGrant").id))
    claim, report = only(after, "LossClaim"), only(after, "ExposureReport")
    assert outcome.emitted == (claim.id, report.id)
    assert claim.payload == LossClaim(account="alice", amount=100)
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (150, 0)


# --- MarginCall delivered at a spoke -------------------------------------------------


def test_a_margin_call_closes_at_the_marks_and_answers(genesis: State) -> None:
    """SPK-CALL-1..3: 2 perps bought at 2000 close at the oracle's 1700: balance -600, of
    which 600 is claimed against the 1000 line and 400 released, in one answer."""
    state = liquidating(genesis)
    after, outcome = checked(state, Deliver(message_id=only(state, "MarginCall", "arb").id))
    answer = only(after, "LiquidationReport")
    assert outcome.emitted == (answer.id,)
    assert answer.payload == LiquidationReport(
        account="alice", epoch=1, seq=2, released=400, loss=600, balance=0
    )
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.balance, dict(acct.positions)) == (0, 0, {})
    assert (acct.frozen, acct.called_epoch) == (True, 1)


def test_a_margin_call_without_a_price_stays_in_flight(genesis: State) -> None:
    """SPK-CALL-1, ORA-7, MSG-11: without marks to close at, the call is rejected and waits."""
    state = stale(liquidating(genesis))
    call = only(state, "MarginCall", "arb")
    refused(state, Deliver(message_id=call.id), Error.PRICE_UNAVAILABLE)
    state = run(priced(state, eth=1_700), Deliver(message_id=call.id))
    assert state.spokes[("arb", "alice")].called_epoch == 1


def test_a_margin_call_with_nothing_to_close_still_answers(genesis: State) -> None:
    """SPK-CALL-3: a spoke without credit or exposure answers with zeros (no price needed)."""
    state = stale(liquidating(genesis))
    state = deliver(state, "MarginCall", "sol")
    assert only(state, "LiquidationReport").payload == LiquidationReport(
        account="alice", epoch=1, seq=1, released=0, loss=0, balance=0
    )


def test_a_margin_call_of_an_epoch_already_obeyed_is_ignored(genesis: State) -> None:
    """SPK-CALL-1: a call not newer than the last obeyed is stale.  Honest runs never resend a
    call, so a copy of epoch 1's call is put in flight after the liquidation settled."""
    state = settled(genesis)
    state = send(state, "hub", "arb", MarginCall(account="alice", epoch=1))
    call = only(state, "MarginCall")
    after = ignored(state, Deliver(message_id=call.id), Error.STALE_EPOCH)
    assert after.spokes == state.spokes
    assert call.id in after.network.delivered


# --- helpers local to these tests ----------------------------------------------------


def deliver_all_but(state: State, keep: int) -> State:
    """Deliver everything in flight except message `keep`."""
    for message_id in sorted(state.network.in_flight):
        if message_id != keep:
            state = run(state, Deliver(message_id=message_id))
    return state
