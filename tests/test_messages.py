"""The messages as the model actually sends them in a flow (MSG-1..MSG-7), and fair
delivery (MSG-15): a delivery refused for a passing condition goes through once the
condition has passed, and the flow it belongs to then completes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from model import State, initial_state
from model.invariants import quiescent_and_accounted
from spec.actions import (
    Deliver,
    GrantCredit,
    Liquidate,
    PauseSpoke,
    ReleaseCredit,
    SendReport,
    Trade,
    UnpauseSpoke,
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
    PositionView,
)
from tests.helpers import (
    checked,
    credited,
    deliver_all,
    funded,
    in_flight,
    liquidating,
    only,
    priced,
    refused,
    run,
    settled,
    stale,
    traded,
    underwater,
)


def sent(before: State, after: State) -> list[Envelope]:
    """The envelopes a step put in flight, in sending order."""
    return [
        after.network.in_flight[i] for i in range(before.network.next_id, after.network.next_id)
    ]


def long_two(genesis: State) -> State:
    """alice: 1000 USD at the hub, a 1000 line on arb, long 2 ETH-PERP bought at 2000
    (reported); ETH at 2000."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    return traded(state, "arb", "alice", "ETH-PERP", 2, 2_000)


def drain(state: State) -> State:
    """A fair scheduler: deliver, oldest first, every message the receiver takes (accepted
    or ignored), again and again, until only refused ones (if any) are left in flight."""
    progress = True
    while progress:
        progress = False
        for message_id in sorted(state.network.in_flight):
            after, outcome = checked(state, Deliver(message_id=message_id))
            if outcome.status != "rejected":
                state, progress = after, True
    return state


# --- MSG-1..MSG-7: the payloads of each flow ----------------------------------------------


def test_a_grant_carries_account_amount_and_the_accounts_epoch_from_hub_to_spoke(
    genesis: State,
) -> None:
    """MSG-1, HUB-GRANT-4: GrantCredit(alice, arb, 700) sends exactly one
    CreditGrant(alice, 700, epoch 0) from `hub` to `arb`; delivered, it extends the line
    by 700."""
    before = funded(priced(genesis), usd=1_000)
    after = run(before, GrantCredit(account="alice", spoke="arb", amount=700))
    (env,) = sent(before, after)
    assert (env.sender, env.receiver) == ("hub", "arb")
    assert env.payload == CreditGrant(account="alice", amount=700, epoch=0)
    delivered = run(after, Deliver(message_id=env.id))
    assert delivered.spokes[("arb", "alice")].line == 700


def test_a_grant_after_a_liquidation_carries_the_new_epoch(genesis: State) -> None:
    """MSG-1, HUB-GRANT-4: after the liquidation of epoch 1 settled (369 USD left: 1000 -
    600 loss - 31 penalty), a grant to base is sent under epoch 1, and it lifts base's
    freeze (called_epoch 1)."""
    before = settled(genesis)
    assert before.spokes[("base", "alice")].frozen
    after = run(before, GrantCredit(account="alice", spoke="base", amount=100))
    (env,) = sent(before, after)
    assert env.payload == CreditGrant(account="alice", amount=100, epoch=1)
    delivered = run(after, Deliver(message_id=env.id))
    assert not delivered.spokes[("base", "alice")].frozen


def test_a_margin_call_goes_from_hub_to_each_spoke_with_the_liquidation_epoch(
    genesis: State,
) -> None:
    """MSG-2, LIQ-2: Liquidate(alice) sends MarginCall(alice, 1) from `hub` to arb, base
    and sol, in declared order, and nothing else."""
    before = underwater(genesis)
    after = run(before, Liquidate(account="alice"))
    calls = sent(before, after)
    assert [(e.sender, e.receiver) for e in calls] == [
        ("hub", "arb"),
        ("hub", "base"),
        ("hub", "sol"),
    ]
    assert {e.payload for e in calls} == {MarginCall(account="alice", epoch=1)}


def test_a_release_is_debited_from_the_line_before_it_is_sent(genesis: State) -> None:
    """MSG-3, SPK-REL-2: ReleaseCredit(arb, alice, 300) on a 1000 line leaves the line at 700
    in the same step and sends CreditRelease(alice, 300) from arb to `hub`; the hub's
    allocation stays 1000 while it travels and drops to 700 on receipt."""
    before = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    after = run(before, ReleaseCredit(spoke="arb", account="alice", amount=300))
    (env,) = sent(before, after)
    assert (env.sender, env.receiver) == ("arb", "hub")
    assert env.payload == CreditRelease(account="alice", amount=300)
    assert after.spokes[("arb", "alice")].line == 700
    assert after.hub.alloc[("alice", "arb")] == 1_000
    received = run(after, Deliver(message_id=env.id))
    assert received.hub.alloc[("alice", "arb")] == 700


def test_a_realized_loss_is_debited_from_the_line_and_claimed_from_the_spoke(
    genesis: State,
) -> None:
    """MSG-4, SPK-CLAIM-1, SPK-TRADE-5: selling the 2 lots bought at 2000 at 1900 realizes
    2 x (1900 - 2000) = -200; in the same step the line falls 1000 -> 800, the balance
    is back to 0, and LossClaim(alice, 200) goes from arb to `hub` before the report."""
    before = long_two(genesis)
    after = run(before, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_900))
    claim, report = sent(before, after)
    assert (claim.sender, claim.receiver) == ("arb", "hub")
    assert claim.payload == LossClaim(account="alice", amount=200)
    assert report.payload.type == "ExposureReport"
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (800, 0)
    received = run(after, Deliver(message_id=claim.id))
    assert received.hub.alloc[("alice", "arb")] == 800
    assert received.hub.collateral[("alice", "USD")] == 800


def test_an_exposure_report_lists_positions_by_market_with_size_and_cost(
    genesis: State,
) -> None:
    """MSG-5, SPK-REP-1: after long 2 ETH-PERP at 2000 (cost 4000), long 1 ETH-C-2000 at 100
    (cost 100) and short 1 ETH-P-1800 at 50 (cost -50), the report numbered 4 carries the
    three positions sorted by market id and the settled balance 0, from arb to `hub`."""
    state = credited(funded(priced(genesis), usd=5_000), "alice", "arb", 5_000)
    for market, qty, price in (("ETH-PERP", 2, 2_000), ("ETH-C-2000", 1, 100)):
        state = run(state, Trade(spoke="arb", account="alice", market=market, qty=qty, price=price))
    before = state
    after = run(before, Trade(spoke="arb", account="alice", market="ETH-P-1800", qty=-1, price=50))
    (env,) = sent(before, after)
    assert (env.sender, env.receiver) == ("arb", "hub")
    assert env.payload == ExposureReport(
        account="alice",
        seq=3,
        balance=0,
        positions=(
            PositionView(market="ETH-C-2000", qty=1, cost=100),
            PositionView(market="ETH-P-1800", qty=-1, cost=-50),
            PositionView(market="ETH-PERP", qty=2, cost=4_000),
        ),
    )
    again = run(after, SendReport(spoke="arb", account="alice"))
    (resent,) = sent(after, again)
    assert resent.payload == env.payload.model_copy(update={"seq": 4})


def test_a_report_carries_a_positive_settled_balance_after_a_profit(genesis: State) -> None:
    """MSG-5: selling 1 of 2 lots bought at 2000 at 2100 realizes +100; the report says
    balance 100 and the lot left at its cost 2000."""
    before = long_two(genesis)
    after = run(before, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=2_100))
    (env,) = sent(before, after)
    assert env.payload == ExposureReport(
        account="alice",
        seq=2,
        balance=100,
        positions=(PositionView(market="ETH-PERP", qty=1, cost=2_000),),
    )


def test_a_liquidation_answer_reports_epoch_seq_released_loss_and_balance(
    genesis: State,
) -> None:
    """MSG-7, SPK-CALL-2, SPK-CALL-3: arb closes long 2 at the mark 1700: PnL 3400 - 4000 =
    -600, claimed against the 1000 line (loss 600), the rest released (400), balance 0;
    the answer is numbered 2 (after the trade's report 1) and is the only message sent.
    The line is 0 in the same step, before the answer travels."""
    before = liquidating(genesis)
    call = only(before, "MarginCall", receiver="arb")
    after = run(before, Deliver(message_id=call.id))
    (env,) = sent(before, after)
    assert (env.sender, env.receiver) == ("arb", "hub")
    assert env.payload == LiquidationReport(
        account="alice", epoch=1, seq=2, released=400, loss=600, balance=0
    )
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.positions, acct.seq) == (0, {}, 2)


def test_a_spoke_with_nothing_to_close_answers_with_zeros(genesis: State) -> None:
    """MSG-7: base holds no credit and no position for alice: it answers
    LiquidationReport(alice, 1, seq 1, released 0, loss 0, balance 0)."""
    before = liquidating(genesis)
    after = run(before, Deliver(message_id=only(before, "MarginCall", receiver="base").id))
    (env,) = sent(before, after)
    assert (env.sender, env.receiver) == ("base", "hub")
    assert env.payload == LiquidationReport(
        account="alice", epoch=1, seq=1, released=0, loss=0, balance=0
    )


def test_a_loss_beyond_the_line_stays_as_a_negative_balance_in_the_answer(
    genesis: State,
) -> None:
    """MSG-7, SPK-CALL-2: at ETH 1000 closing long 2 bought at 2000 loses 2000; the 1000
    line covers 1000 (loss 1000, released 0) and balance -1000 stays on the spoke."""
    state = priced(long_two(genesis), eth=1_000)
    state = run(state, Liquidate(account="alice"))
    after = run(state, Deliver(message_id=only(state, "MarginCall", receiver="arb").id))
    answer = only(after, "LiquidationReport").payload
    assert answer == LiquidationReport(
        account="alice", epoch=1, seq=2, released=0, loss=1_000, balance=-1_000
    )
    assert after.spokes[("arb", "alice")].balance == -1_000


# --- MSG-15: fair delivery ----------------------------------------------------------------


def test_a_margin_call_refused_without_prices_goes_through_once_prices_return(
    genesis: State,
) -> None:
    """MSG-15, SPK-CALL-1, MSG-11: with every quote stale, arb's margin call is refused
    PRICE_UNAVAILABLE and stays in flight while base and sol answer; the liquidation
    waits on arb.  Once prices are published again, the same message is delivered and
    the liquidation completes exactly as with live prices (1000 - 600 - penalty 27 = 373
    USD left, fund 50_027)."""
    state = stale(liquidating(genesis))
    call = only(state, "MarginCall", receiver="arb")
    refused(state, Deliver(message_id=call.id), Error.PRICE_UNAVAILABLE)
    state = drain(state)
    assert [env.id for env in in_flight(state)] == [call.id]
    assert state.hub.status["alice"].pending == frozenset({"arb"})
    state = drain(priced(state, eth=1_700))
    assert call.id in state.network.delivered
    assert not state.network.in_flight
    assert not state.hub.status["alice"].liquidating
    assert quiescent_and_accounted(state) is None
    assert state.hub.collateral[("alice", "USD")] == 373
    assert state.hub.insurance["USD"] == 50_027


def test_a_paused_spokes_claim_waits_and_is_paid_after_unpause(genesis: State) -> None:
    """MSG-15, HUB-CLAIM-1, GOV-3: arb's LossClaim(alice, 200) is refused SPOKE_PAUSED while
    arb is paused and blocks nothing else (its report is received); after unpause the
    same message is delivered: allocation 1000 -> 800, 200 USD owed to arb."""
    state = run(long_two(genesis), PauseSpoke(spoke="arb"))
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_900))
    claim = only(state, "LossClaim")
    refused(state, Deliver(message_id=claim.id), Error.SPOKE_PAUSED)
    state = drain(state)
    assert [env.id for env in in_flight(state)] == [claim.id]
    assert state.hub.reports[("alice", "arb")].seq == 2
    state = drain(run(state, UnpauseSpoke(spoke="arb")))
    assert claim.id in state.network.delivered
    assert state.hub.alloc[("alice", "arb")] == 800
    assert state.hub.owed[("arb", "USD")] == 200
    assert quiescent_and_accounted(state) is None


def test_a_paused_spokes_answer_with_a_loss_waits_and_the_liquidation_completes_after(
    genesis: State,
) -> None:
    """MSG-15, LIQ-3: arb is paused when its answer (loss 600) arrives: refused
    SPOKE_PAUSED, alice stays liquidating and pending on arb; after unpause the answer
    is delivered and the hub settles."""
    state = drain(run(liquidating(genesis), PauseSpoke(spoke="arb")))
    answer = only(state, "LiquidationReport")
    assert answer.sender == "arb"
    assert state.hub.status["alice"].pending == frozenset({"arb"})
    state = drain(run(state, UnpauseSpoke(spoke="arb")))
    assert not state.network.in_flight
    assert not state.hub.status["alice"].liquidating
    assert state.hub.collateral[("alice", "USD")] == 373
    assert quiescent_and_accounted(state) is None


SPOKES = ("arb", "base", "sol")

LIQUIDATING = liquidating(initial_state(example_params()))
"""`liquidating` of the example parameters, built once for the property below."""

DISRUPTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.integers(0, 20)),
        st.tuples(st.just("stale"), st.just(0)),
        st.tuples(st.just("pause"), st.integers(0, len(SPOKES) - 1)),
        st.tuples(st.just("price"), st.sampled_from([1_500, 1_700, 1_900])),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(disruptions=DISRUPTIONS)
def test_every_liquidation_completes_under_fair_delivery_whatever_happened_before(
    disruptions: list[tuple[str, int]],
) -> None:
    """MSG-15, INV-LIQ-2: from a liquidation just declared, any mix of deliveries in any
    order, quotes going stale, spokes paused and prices moving; then the passing
    conditions pass (prices published, every spoke unpaused) and every message is
    delivered: the liquidation completes and every spoke is accounted for."""
    state = LIQUIDATING
    for kind, arg in disruptions:
        if kind == "deliver" and state.network.in_flight:
            ids = sorted(state.network.in_flight)
            state, _ = checked(state, Deliver(message_id=ids[arg % len(ids)]))
        elif kind == "stale":
            state = stale(state)
        elif kind == "pause":
            state, _ = checked(state, PauseSpoke(spoke=SPOKES[arg]))
        elif kind == "price":
            state = priced(state, eth=arg)
    state = priced(state, eth=1_700)
    for spoke in sorted(state.hub.paused):
        state = run(state, UnpauseSpoke(spoke=spoke))
    state = deliver_all(state)
    assert not state.hub.status["alice"].liquidating
    assert quiescent_and_accounted(state) is None
