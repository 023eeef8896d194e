"""Where value sits and how it is counted: the spoke account (SPK-1, SPK-2), realized PnL
on the venue (SPK-PNL-1), unrealized PnL and notional (RISK-2, RISK-3), the hub's
reported PnL (HUB-REP-3), and what a compromised spoke can and cannot do (ADV-3,
ADV-4).  Every number is derived by hand in the docstring or a comment."""

from hypothesis import given, settings
from hypothesis import strategies as st

from model import State, initial_state
from model.buffer import spoke_buffer
from model.margin import per_position_margin
from model.oracle import prices_of
from model.risk import assets_needed, equity, free_capacity, is_healthy, reported_pnl
from model.spoke import local_equity
from model.state import Position
from model.valuation import notional, unrealized_pnl
from spec.actions import (
    Action,
    Deliver,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    ReleaseCredit,
    SetCap,
    Trade,
    Withdraw,
)
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY, SECONDS_PER_YEAR
from spec.errors import Error
from spec.examples import example_params
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    Message,
    PositionView,
)
from tests.float_greeks import call_price, put_price
from tests.helpers import (
    checked,
    credited,
    deliver_all,
    funded,
    ignored,
    in_flight,
    liquidating,
    only,
    priced,
    refused,
    run,
    traded,
)

PARAMS = example_params()


def prices(state: State, account: str = "alice") -> dict[str, int]:
    """The prices that value the account at the hub (the test fails if one is missing)."""
    found = prices_of(state, assets_needed(state, account))
    assert found is not None
    return found


def long_two(genesis: State, usd: int = 1_000) -> State:
    """alice: `usd` USD at the hub, a 1000 line on arb, long 2 ETH-PERP bought at 2000 and
    reported; ETH at 2000."""
    state = credited(funded(priced(genesis), usd=usd), "alice", "arb", 1_000)
    return traded(state, "arb", "alice", "ETH-PERP", 2, 2_000)


# --- RISK-2, RISK-3 -------------------------------------------------------------------------

BOOK = {
    "ETH-PERP": Position(2, 4_000),
    "ETH-C-2000": Position(-3, -450),
    "ETH-P-1800": Position(4, 500),
}
"""Long 2 perpetuals bought at 2000, short 3 calls sold at 150, long 4 puts bought at 125."""


EXPIRY = 2_592_000
"""The options' expiry in the example parameters (30 days)."""


def test_unrealized_pnl_at_expiry_is_quantity_times_intrinsic_mark_less_cost() -> None:
    """RISK-2, RISK-1, PRC-13: at expiry the options are worth their intrinsic value.
    At ETH 2100 the marks are 2100, call 100, put 0:
    2 x 2100 - 4000 = 200; -3 x 100 + 450 = 150; 4 x 0 - 500 = -500; total -150.
    At 1700 the marks are 1700, call 0, put 100:
    3400 - 4000 = -600; 0 + 450 = 450; 400 - 500 = -100; total -250."""
    assert unrealized_pnl(PARAMS, BOOK, {"ETH": 2_100}, EXPIRY) == -150
    assert unrealized_pnl(PARAMS, BOOK, {"ETH": 1_700}, EXPIRY) == -250
    assert unrealized_pnl(PARAMS, {}, {"ETH": 1_700}, EXPIRY) == 0


def test_unrealized_pnl_before_expiry_marks_options_at_black_scholes() -> None:
    """RISK-2, RISK-1, PRC-8: 30 days before expiry at 80% volatility and zero rate the
    options carry time value: the book's PnL is the same sum with the Black-Scholes marks
    (float cross-check, tests/float_greeks.py), rounded down once: at most one unit below
    the exact value, never above it (beyond the pricer's error)."""
    t = EXPIRY / SECONDS_PER_YEAR
    for eth in (1_700, 2_100):
        call = call_price(eth, 2_000, 0.8, t)
        put = put_price(eth, 1_800, 0.8, t)
        exact = 2 * eth - 4_000 + (-3 * call + 450) + (4 * put - 500)
        pnl = unrealized_pnl(PARAMS, BOOK, {"ETH": eth}, 0)
        assert exact - 1 - 1e-6 <= pnl <= exact + 1e-6


def test_unrealized_pnl_is_exact_at_the_bounds() -> None:
    """RISK-2, NUM-3: MAX_QTY lots bought for 1 value unit, at MAX_PRICE: 10^18 - 1
    exactly (a float would round it to 10^18)."""
    book = {"ETH-PERP": Position(MAX_QTY, 1)}
    assert unrealized_pnl(PARAMS, book, {"ETH": MAX_PRICE}, 0) == MAX_AMOUNT - 1


def test_notional_uses_the_underlying_price_also_for_options() -> None:
    """RISK-3: at ETH 2100 short 3 calls have notional 3 x 2100 = 6300 (not 3 x the mark
    100), long 4 puts 4 x 2100 = 8400 (their mark is 0)."""
    eth = {"ETH": 2_100}
    assert notional(PARAMS, "ETH-C-2000", BOOK["ETH-C-2000"], eth) == 6_300
    assert notional(PARAMS, "ETH-P-1800", BOOK["ETH-P-1800"], eth) == 8_400
    assert notional(PARAMS, "ETH-PERP", BOOK["ETH-PERP"], eth) == 4_200


def test_per_position_margin_and_the_buffer_scale_with_notional() -> None:
    """RISK-3, RISK-4, RISK-6, RISK-AGE-5: at ETH 2100 the short calls need
    ceil(6300 x 10%) = 630 of maintenance (more than the short option minimum
    3 x 1% x 2100 = 63), the long puts none.  arb's buffer rate over its 2 s latency (a
    fresh report) is ceil(3 x 80% x sqrt(2 / Y)) = isqrt_ceil(ceil(24_000^2 x 2 / (10^6 x
    Y))) = isqrt_ceil(37) = 7 bps.  The short calls are buffered on their notional:
    ceil(6300 x 7 / 10^4) = 5.  The long puts on their delta: with 30 days left at 80%,
    d1 = (ln(2100/1800) + 0.64 x 0.0822 / 2) / (0.8 x sqrt(0.0822)) = 0.787, N(d1) = 0.784,
    |delta| = 0.216, so ceil(4 x 0.216 x 2100 x 7 / 10^4) = ceil(1.27) = 2; 7 in all (on
    their notional it would have been ceil(8400 x 7 / 10^4) = 6)."""
    options = {m: BOOK[m] for m in ("ETH-C-2000", "ETH-P-1800")}
    eth = {"ETH": 2_100}
    assert per_position_margin(PARAMS, options, eth, initial=False, now=0) == 630
    assert spoke_buffer(PARAMS, "arb", options, eth, now=0, age=0) == 7
    doubled = {m: Position(2 * p.qty, 2 * p.cost) for m, p in options.items()}
    assert per_position_margin(PARAMS, doubled, eth, initial=False, now=0) == 1_260


# --- HUB-REP-3 ------------------------------------------------------------------------------


def test_reported_pnl_is_the_reported_balance_plus_unrealized_pnl_at_oracle_prices(
    genesis: State,
) -> None:
    """HUB-REP-3: alice sells 1 of her 2 lots (cost 4000) at 2100: the cost removed is
    ceil(4000 / 2) = 2000, realized 2100 - 2000 = +100, reported as balance 100 with
    (1 lot, cost 2000).  At ETH 1700 arb's reported PnL is 100 + 1700 - 2000 = -200, and
    the hub's equity is 1000 + min(0, -200) = 800."""
    state = traded(long_two(genesis), "arb", "alice", "ETH-PERP", -1, 2_100)
    state = priced(state, eth=1_700)
    assert reported_pnl(state, "alice", "arb", prices(state)) == -200
    assert reported_pnl(state, "alice", "base", prices(state)) == 0
    assert equity(state, "alice", prices(state)) == 800


def test_the_hub_counts_only_reported_losses(genesis: State) -> None:
    """HUB-REP-3, RISK-11: the same book at ETH 2300: 100 + 2300 - 2000 = +400 of reported
    PnL, and the hub's equity stays 1000: a profit counts for nothing."""
    state = priced(traded(long_two(genesis), "arb", "alice", "ETH-PERP", -1, 2_100), eth=2_300)
    assert reported_pnl(state, "alice", "arb", prices(state)) == 400
    assert equity(state, "alice", prices(state)) == 1_000


def test_reported_pnl_is_what_the_spoke_last_reported_not_what_it_holds_now(
    genesis: State,
) -> None:
    """HUB-REP-3, HUB-REP-2: arb closes the 2 lots at 1700 (-600 realized, claimed against
    the line) but its report is still in flight: the hub still values the reported book,
    2 x 1700 - 4000 = -600, and after the report (balance 0, no positions) it is 0."""
    state = priced(long_two(genesis), eth=1_700)
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_700))
    assert reported_pnl(state, "alice", "arb", prices(state)) == -600
    state = deliver_all(state)
    assert reported_pnl(state, "alice", "arb", prices(state)) == 0
    # the loss was paid out of collateral instead: 1000 - 600
    assert equity(state, "alice", prices(state)) == 400


# --- SPK-1 ----------------------------------------------------------------------------------


def test_a_spoke_account_keeps_line_balance_positions_seq_epoch_and_freeze(
    genesis: State,
) -> None:
    """SPK-1: a 1000 line; short 2 ETH-PERP at 2000 is kept as qty -2 and cost -4000 (value
    received); buying them back at 1900 removes cost ceil(-4000 x 2 / 2) = -4000 and
    realizes -2 x 1900 + 4000 = +200 into the signed balance; the flat position is
    dropped, not kept at size 0; each report bumps seq; a margin call sets called_epoch
    and frozen."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    state = traded(state, "arb", "alice", "ETH-PERP", -2, 2_000)
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance, acct.seq) == (1_000, 0, 1)
    assert dict(acct.positions) == {"ETH-PERP": Position(-2, -4_000)}
    state = traded(state, "arb", "alice", "ETH-PERP", 2, 1_900)
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance, acct.seq) == (1_000, 200, 2)
    assert dict(acct.positions) == {}
    assert (acct.called_epoch, acct.frozen) == (0, False)


def test_a_margin_call_records_its_epoch_and_freezes_the_spoke_account(genesis: State) -> None:
    """SPK-1, SPK-3: after obeying the call of epoch 1, arb's account for alice has line 0,
    no positions, seq 2, called_epoch 1 and is frozen; base's (nothing held) seq 1."""
    state = liquidating(genesis)
    state = run(state, *(Deliver(message_id=env.id) for env in in_flight(state, "MarginCall")))
    arb, base = state.spokes[("arb", "alice")], state.spokes[("base", "alice")]
    assert (arb.line, dict(arb.positions), arb.seq, arb.called_epoch, arb.frozen) == (
        0,
        {},
        2,
        1,
        True,
    )
    assert (base.seq, base.called_epoch, base.frozen) == (1, 1, True)


def test_a_spoke_balance_can_be_negative_and_the_line_never_is(genesis: State) -> None:
    """SPK-1, SPK-CLAIM-1: closing 2 lots bought at 2000 at 1400 realizes -1200; the 1000
    line covers 1000 of it (line 0, never negative) and -200 stays as the balance."""
    state = priced(long_two(genesis, usd=2_000), eth=1_400)
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_400))
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (0, -200)


# --- SPK-2 ----------------------------------------------------------------------------------


def test_local_equity_is_line_plus_balance_plus_unrealized_pnl(genesis: State) -> None:
    """SPK-2: after selling 1 of 2 lots at 2100 (+100 realized), at ETH 1700:
    line 1000 + balance 100 + (1700 - 2000) = 800."""
    state = priced(traded(long_two(genesis), "arb", "alice", "ETH-PERP", -1, 2_100), eth=1_700)
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (1_000, 100)
    assert local_equity(state, acct, {"ETH": 1_700}) == 800


def test_local_equity_backs_the_trade_to_the_last_value_unit(genesis: State) -> None:
    """SPK-2, SPK-TRADE-3: buying 1 ETH-PERP at 2000 with ETH at 2000 needs initial margin
    ceil(315 x 110%) = 347 (the scan's worst is the extreme move 3 x 15% x 2000 = 900 at
    35% cover; the full -3/3 move loses 300).  Local equity after is line + 0 +
    (2000 - 2000): a 346 line is refused, 347 accepted."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 346)
    buy = Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000)
    refused(state, buy, Error.INSUFFICIENT_MARGIN)
    run(credited(state, "alice", "arb", 1), buy)


def test_unrealized_gain_at_the_oracle_price_counts_in_local_equity(genesis: State) -> None:
    """SPK-2: bought at 1990 with the oracle at 2000, the lot is worth +10 at once:
    a 337 line suffices (337 + 10 = 347), a 336 line does not."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 336)
    buy = Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=1_990)
    refused(state, buy, Error.INSUFFICIENT_MARGIN)
    run(credited(state, "alice", "arb", 1), buy)


def test_a_release_must_leave_local_equity_above_initial_margin(genesis: State) -> None:
    """SPK-2, SPK-REL-1: long 2 lots at ETH 2000 need ceil(2 x 315 x 110%) = 693; with a 1000
    line alice may release 307 (1000 - 307 = 693) but not 308."""
    state = long_two(genesis)
    refused(
        state, ReleaseCredit(spoke="arb", account="alice", amount=308), Error.INSUFFICIENT_MARGIN
    )
    run(state, ReleaseCredit(spoke="arb", account="alice", amount=307))


# --- SPK-PNL-1 ------------------------------------------------------------------------------


def test_realized_profit_stays_on_the_spoke_and_adds_nothing_at_the_hub(genesis: State) -> None:
    """SPK-PNL-1, RISK-11: alice (2000 USD, 1000 on arb) sells 2 lots bought at 2000 at
    2500: +1000 realized is arb's balance.  The hub still holds 2000 USD for her and
    52_000 USD in all, nothing but the report went to the hub, her equity is 2000 (not
    3000), and her free capacity 2000 - 1000 allocated = 1000: a grant of 1001 is refused."""
    state = priced(long_two(genesis, usd=2_000), eth=2_500)
    before = state
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=2_500))
    assert [env.payload.type for env in in_flight(state)] == ["ExposureReport"]
    state = deliver_all(state)
    assert state.spokes[("arb", "alice")].balance == 1_000
    assert state.hub.reports[("alice", "arb")].balance == 1_000
    assert state.hub.collateral == before.hub.collateral
    assert state.hub.tokens == before.hub.tokens == {"USD": 52_000, "ETH": 0}
    assert equity(state, "alice", prices(state)) == 2_000
    assert free_capacity(state, "alice", prices(state)) == 1_000
    refused(
        state, GrantCredit(account="alice", spoke="base", amount=1_001), Error.INSUFFICIENT_CAPACITY
    )
    refused(
        state, Withdraw(account="alice", asset="USD", amount=1_001), Error.INSUFFICIENT_CAPACITY
    )


def test_a_loss_beyond_the_line_is_counted_at_the_hub_and_claimed_from_the_next_grant(
    genesis: State,
) -> None:
    """SPK-PNL-1, SPK-GRANT-3, RISK-12: alice (2000 USD, 1000 on arb) closes 2 lots bought at
    2000 at 1400: -1200 realized, 1000 claimed and paid from collateral (2000 -> 1000),
    -200 left on arb.  The hub counts it: equity and free capacity 1000 - 200 = 800.  A
    grant of 300 arrives: arb claims the 200 at once (line 100, balance 0) and reports;
    once delivered the hub holds 800 USD for her, 100 allocated, equity 800."""
    state = priced(long_two(genesis, usd=2_000), eth=1_400)
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_400))
    state = deliver_all(state)
    assert state.hub.collateral[("alice", "USD")] == 1_000
    assert state.spokes[("arb", "alice")].balance == -200
    assert equity(state, "alice", prices(state)) == 800
    assert free_capacity(state, "alice", prices(state)) == 800
    refused(
        state, GrantCredit(account="alice", spoke="arb", amount=801), Error.INSUFFICIENT_CAPACITY
    )
    state = run(state, GrantCredit(account="alice", spoke="arb", amount=300))
    after, outcome = checked(state, Deliver(message_id=only(state, "CreditGrant").id))
    assert [after.network.in_flight[i].payload for i in outcome.emitted] == [
        LossClaim(account="alice", amount=200),
        ExposureReport(account="alice", seq=3, balance=0, positions=()),
    ]
    acct = after.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (100, 0)
    after = deliver_all(after)
    assert after.hub.collateral[("alice", "USD")] == 800
    assert after.hub.alloc[("alice", "arb")] == 100
    assert equity(after, "alice", prices(after)) == 800


# --- ADV-3: what a compromised spoke can take -----------------------------------------------


def claims_by_arb(state: State, *payloads: Message) -> State:
    """arb injects each payload in turn; each must be accepted or ignored."""
    for payload in payloads:
        state, outcome = checked(state, Inject(sender="arb", receiver="hub", payload=payload))
        assert outcome.status != "rejected", outcome
    return state


def test_a_compromised_spoke_takes_at_most_its_allocation_for_each_account(
    genesis: State,
) -> None:
    """ADV-3, HUB-CLAIM-2, INV-PART-2: arb's cap is set to 1500; alice (3000 USD) grants it
    1000 and bob (3000 USD) 500; carol's grant of 1 would pass the cap.  arb then claims
    1001 (ignored), 1000 (paid), 1 more (ignored) for alice, 600 (ignored) and 500 (paid)
    for bob, 1 for carol (ignored: nothing allocated), a release of 1 and a liquidation
    answer: all ignored.  It took 1500 = its cap = what was granted, 1000 of it from alice
    and 500 from bob."""
    state = run(
        funded(funded(priced(genesis), usd=3_000), "bob", usd=3_000), SetCap(spoke="arb", cap=1_500)
    )
    state = credited(credited(state, "alice", "arb", 1_000), "bob", "arb", 500)
    refused(
        funded(state, "carol", usd=10),
        GrantCredit(account="carol", spoke="arb", amount=1),
        Error.PARTITION_CAP,
    )
    state = claims_by_arb(
        state,
        LossClaim(account="alice", amount=1_001),
        LossClaim(account="alice", amount=1_000),
        LossClaim(account="alice", amount=1),
        LossClaim(account="bob", amount=600),
        LossClaim(account="bob", amount=500),
        LossClaim(account="carol", amount=1),
        CreditRelease(account="alice", amount=1),
        LiquidationReport(account="alice", epoch=0, seq=9, released=0, loss=1, balance=0),
    )
    assert state.hub.owed[("arb", "USD")] == 1_500
    assert (
        state.ghost.paid["arb"] == state.ghost.claimed["arb"] == state.ghost.granted["arb"] == 1_500
    )
    assert state.hub.collateral[("alice", "USD")] == 2_000
    assert state.hub.collateral[("bob", "USD")] == 2_500
    assert state.hub.owed[("base", "USD")] == state.hub.owed[("sol", "USD")] == 0


def test_a_forged_or_replayed_message_moves_nothing(genesis: State) -> None:
    """ADV-3, ADV-1, MSG-10: a grant forged as from the hub, a claim sent from arb to a
    spoke, and arb's real claim delivered twice: the forgeries are rejected with no
    change, and the replay is rejected ALREADY_DELIVERED after the claim was paid once."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    forged_grant = CreditGrant(account="alice", amount=MAX_AMOUNT, epoch=0)
    refused(state, Inject(sender="hub", receiver="arb", payload=forged_grant), Error.FORGED_SENDER)
    wrong_way = LossClaim(account="alice", amount=1_000)
    refused(state, Inject(sender="arb", receiver="base", payload=wrong_way), Error.FORGED_SENDER)
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000))
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=1_700))
    claim = only(state, "LossClaim")
    state = run(state, Deliver(message_id=claim.id))
    refused(state, Deliver(message_id=claim.id), Error.ALREADY_DELIVERED)
    assert state.hub.owed[("arb", "USD")] == 300


ADVERSARY_PAYLOADS: st.SearchStrategy[Message] = st.one_of(
    st.builds(
        LossClaim,
        account=st.sampled_from(["alice", "bob", "carol"]),
        amount=st.sampled_from([1, 100, 499, 500, 501, 1_000, 1_001, MAX_AMOUNT]),
    ),
    st.builds(
        CreditRelease,
        account=st.sampled_from(["alice", "bob", "carol"]),
        amount=st.sampled_from([1, 100, 500, 1_000, MAX_AMOUNT]),
    ),
    st.builds(
        LiquidationReport,
        account=st.sampled_from(["alice", "bob"]),
        epoch=st.integers(0, 2),
        seq=st.integers(0, 9),
        released=st.sampled_from([0, 1, 500, 1_000]),
        loss=st.sampled_from([0, 1, 500, 1_000, MAX_AMOUNT]),
        balance=st.sampled_from([0, -5_000, 5_000]),
    ),
    st.builds(
        ExposureReport,
        account=st.sampled_from(["alice", "bob"]),
        seq=st.integers(0, 9),
        balance=st.sampled_from([0, -2_000, -(10**6), 10**6]),
        positions=st.sampled_from([(), (PositionView(market="ETH-PERP", qty=-50, cost=-100_000),)]),
    ),
)
ADVERSARY_MOVES: st.SearchStrategy[Action | int] = st.one_of(
    ADVERSARY_PAYLOADS.map(lambda p: Inject(sender="arb", receiver="hub", payload=p)),
    st.sampled_from(
        [Liquidate(account="alice"), Liquidate(account="bob"), PauseSpoke(spoke="arb")]
    ),
    st.integers(0, 9),
)


def adversary_start() -> State:
    """alice (3000 USD) granted 1000 to arb and 1000 to base, bob (3000 USD) 500 to arb."""
    state = funded(funded(priced(initial_state(PARAMS)), usd=3_000), "bob", usd=3_000)
    state = credited(credited(state, "alice", "arb", 1_000), "alice", "base", 1_000)
    return credited(state, "bob", "arb", 500)


def adversary_liquidating() -> State:
    """alice (1000 USD) granted 1000 to arb and is long 2 ETH-PERP there, bob (3000 USD)
    granted 500 to arb; ETH fell to 1700 and alice's liquidation (epoch 1) is declared."""
    state = funded(long_two(initial_state(PARAMS)), "bob", usd=3_000)
    state = priced(credited(state, "bob", "arb", 500), eth=1_700)
    return run(state, Liquidate(account="alice"))


ADVERSARY_STARTS = (adversary_start(), adversary_liquidating())


@settings(max_examples=150, deadline=None)
@given(
    start=st.sampled_from(ADVERSARY_STARTS),
    moves=st.lists(ADVERSARY_MOVES, min_size=1, max_size=15),
)
def test_whatever_a_compromised_spoke_sends_it_is_paid_at_most_what_it_was_granted(
    start: State, moves: list[Action | int]
) -> None:
    """ADV-3, INV-PART-1, INV-PART-2: arb (granted 1000 by alice and 500 by bob, alice
    possibly liquidating) injects arbitrary claims, releases, liquidation answers and
    reports, while liquidations are started, arb may be paused, and messages are
    delivered in any order.  After every
    step: granted = released + claimed + allocated; paid <= claimed; the USD owed to arb's
    partition (all its take: collateral is USD only) equals paid and never exceeds
    1500 - released; the take for bob never exceeds bob's 500; base is paid only what
    alice's honest losses on it claim (none here)."""
    state = start
    for move in moves:
        if isinstance(move, int):
            ids = sorted(state.network.in_flight)
            if not ids:
                continue
            move = Deliver(message_id=ids[move % len(ids)])
        state, _ = checked(state, move)
        ghost = state.ghost
        allocated = sum(state.hub.alloc[(a, "arb")] for a in PARAMS.accounts)
        assert ghost.granted["arb"] == 1_500
        assert ghost.granted["arb"] == ghost.released["arb"] + ghost.claimed["arb"] + allocated
        assert ghost.paid["arb"] <= ghost.claimed["arb"]
        assert state.hub.owed[("arb", "USD")] == ghost.paid["arb"]
        assert state.hub.owed[("arb", "USD")] <= 1_500 - ghost.released["arb"]
        assert allocated <= state.hub.caps["arb"]
        assert state.hub.alloc[("bob", "arb")] <= 500
        assert state.hub.owed[("base", "USD")] == 0


# --- ADV-4: what a compromised spoke can harm -----------------------------------------------


def test_a_false_loss_report_lowers_health_and_capacity_and_can_trigger_liquidation(
    genesis: State,
) -> None:
    """ADV-4, RISK-10, RISK-12, RISK-13: alice holds 1000 USD and has been granted 1 on
    sol, so sol counts in her view: free capacity 999.  sol reports a -600 balance for
    her: equity 400, free 399, so a grant of 400 on arb is refused and 399 accepted; a
    second report at -1001 makes equity -1 < 0: unhealthy, and Liquidate is accepted.
    bob's standing does not move."""
    state = funded(funded(priced(genesis), usd=1_000), "bob", usd=1_000)
    state = run(state, GrantCredit(account="alice", spoke="sol", amount=1))
    assert free_capacity(state, "alice", prices(state)) == 999
    lie = ExposureReport(account="alice", seq=1, balance=-600, positions=())
    state = run(state, Inject(sender="sol", receiver="hub", payload=lie))
    assert state.ghost.compromised == frozenset({"sol"})
    assert equity(state, "alice", prices(state)) == 400
    refused(
        state, GrantCredit(account="alice", spoke="arb", amount=400), Error.INSUFFICIENT_CAPACITY
    )
    run(state, GrantCredit(account="alice", spoke="arb", amount=399))
    worse = lie.model_copy(update={"seq": 2, "balance": -1_001})
    state = run(state, Inject(sender="sol", receiver="hub", payload=worse))
    assert not is_healthy(state, "alice", prices(state))
    assert is_healthy(state, "bob", prices(state, "bob"))
    assert free_capacity(state, "bob", prices(state, "bob")) == 1_000
    run(state, Liquidate(account="alice"))


def test_a_spoke_the_account_never_used_cannot_move_its_standing(genesis: State) -> None:
    """ADV-4, RISK-13: base never granted credit for alice; its false report of a huge loss
    and a short position is recorded but counts for nothing: equity, requirement and
    capacity are unchanged, and Liquidate is refused ACCOUNT_HEALTHY."""
    state = funded(priced(genesis), usd=1_000)
    before = (equity(state, "alice", prices(state)), free_capacity(state, "alice", prices(state)))
    lie = ExposureReport(
        account="alice",
        seq=1,
        balance=-1_000_000,
        positions=(PositionView(market="ETH-PERP", qty=-100, cost=-200_000),),
    )
    state = run(state, Inject(sender="base", receiver="hub", payload=lie))
    assert state.hub.reports[("alice", "base")].balance == -1_000_000
    after = (equity(state, "alice", prices(state)), free_capacity(state, "alice", prices(state)))
    assert after == before
    refused(state, Liquidate(account="alice"), Error.ACCOUNT_HEALTHY)


def test_a_spoke_that_never_answers_leaves_the_liquidation_pending(genesis: State) -> None:
    """ADV-4, LIQ-3: every message is delivered except sol's answer, which sol withholds,
    and sol's injected answers for the wrong epoch are ignored STALE_EPOCH: alice stays
    liquidating, pending on sol, so grants and withdrawals for her stay refused, while bob
    is free to act."""
    state = funded(liquidating(genesis), "bob", usd=500)
    while True:
        deliverable = [e for e in in_flight(state) if e.sender != "sol"]
        if not deliverable:
            break
        state = run(state, Deliver(message_id=deliverable[0].id))
    assert only(state, "LiquidationReport").sender == "sol"
    for epoch in (0, 2):
        late = LiquidationReport(account="alice", epoch=epoch, seq=5, released=0, loss=0, balance=0)
        state = ignored(
            state, Inject(sender="sol", receiver="hub", payload=late), Error.STALE_EPOCH
        )
    status = state.hub.status["alice"]
    assert status.liquidating and status.pending == frozenset({"sol"})
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.ACCOUNT_LIQUIDATING)
    refused(state, Withdraw(account="alice", asset="USD", amount=1), Error.ACCOUNT_LIQUIDATING)
    run(
        state,
        GrantCredit(account="bob", spoke="arb", amount=100),
        Withdraw(account="bob", asset="USD", amount=100),
    )


def test_pausing_a_compromised_spoke_stops_its_claims_but_not_its_releases(
    genesis: State,
) -> None:
    """ADV-4, GOV-2, HUB-CLAIM-1, HUB-REL-1: arb holds 1000 of alice's credit and is
    paused: its injected claim of 500 is rejected SPOKE_PAUSED and nothing changes (not
    even the compromised mark); during alice's liquidation its answer carrying a loss is
    refused too; a release of 200 is still received (allocation 1000 -> 800)."""
    state = run(
        credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000), PauseSpoke(spoke="arb")
    )
    claim = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=500))
    refused(state, claim, Error.SPOKE_PAUSED)
    release = Inject(
        sender="arb", receiver="hub", payload=CreditRelease(account="alice", amount=200)
    )
    after = run(state, release)
    assert after.hub.alloc[("alice", "arb")] == 800
    lie = ExposureReport(account="alice", seq=1, balance=-5_000, positions=())
    called = run(
        after, Inject(sender="arb", receiver="hub", payload=lie), Liquidate(account="alice")
    )
    answer = LiquidationReport(account="alice", epoch=1, seq=2, released=0, loss=800, balance=0)
    refused(called, Inject(sender="arb", receiver="hub", payload=answer), Error.SPOKE_PAUSED)
    assert called.hub.collateral[("alice", "USD")] == 1_000
