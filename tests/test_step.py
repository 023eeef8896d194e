"""The step function itself: it never raises and gives exactly one outcome (STEP-1), its
`emitted` ids are exactly the nonces it used (STEP-3), rejected and ignored outcomes
change what the spec says and nothing else (ERR-3), and no trade or margin call takes a
balance, a cost basis or a message beyond its declared bound (BND-7)."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from model import State, initial_state, step
from model.invariants import check_step
from model.observe import observe
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY, MAX_SECONDS
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
    PositionView,
)
from spec.observable import ObservableState
from spec.outcome import Outcome
from tests.helpers import (
    checked,
    credited,
    deliver_all,
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
    underwater,
)

# --- arbitrary well-formed actions ------------------------------------------------------
# Ids are drawn from the declared ones and from undeclared ones (`mallory`, `ftx`, `hub`,
# `BTC`, ...); numbers from the edges of their declared bounds and from anywhere inside.

ACCOUNTS = ("alice", "alice", "bob", "carol", "mallory")
SPOKES = ("arb", "arb", "base", "sol", "ftx", "hub")
ASSETS = ("USD", "ETH", "BTC")
MARKETS = ("ETH-PERP", "ETH-C-2000", "ETH-P-1800", "BTC-PERP")
FEEDS = ("chainlink", "pyth", "redstone", "coingecko")
PARTIES = ("hub", "arb", "base", "sol", "eve")

accounts = st.sampled_from(ACCOUNTS)
spokes = st.sampled_from(SPOKES)
parties = st.sampled_from(PARTIES)
amounts = st.sampled_from([1, 2, 400, 1_000, 10**6, MAX_AMOUNT]) | st.integers(1, MAX_AMOUNT)
amounts_or_zero = st.just(0) | amounts
prices = st.sampled_from([0, 1, 1_700, 2_000, MAX_PRICE]) | st.integers(0, MAX_PRICE)
positive_prices = st.sampled_from([1, 1_700, 2_000, MAX_PRICE]) | st.integers(1, MAX_PRICE)
quantities = st.sampled_from([0, 1, -1, 2, -2, MAX_QTY, -MAX_QTY]) | st.integers(-MAX_QTY, MAX_QTY)
counters = st.sampled_from([0, 1, 2, 3, 7]) | st.integers(0, 2**70)
balances = st.sampled_from([0, -1, 1, -(4 * MAX_AMOUNT), 4 * MAX_AMOUNT]) | st.integers(
    -4 * MAX_AMOUNT, 4 * MAX_AMOUNT
)
position_views = st.builds(
    PositionView,
    market=st.sampled_from(MARKETS),
    qty=quantities,
    cost=st.integers(-MAX_AMOUNT, MAX_AMOUNT),
)

spoke_payloads: st.SearchStrategy[Message] = st.one_of(
    st.builds(CreditRelease, account=accounts, amount=amounts),
    st.builds(LossClaim, account=accounts, amount=amounts),
    st.builds(
        ExposureReport,
        account=accounts,
        seq=counters,
        balance=balances,
        positions=st.lists(position_views, max_size=3).map(tuple),
    ),
    st.builds(
        LiquidationReport,
        account=accounts,
        epoch=counters,
        seq=counters,
        released=amounts_or_zero,
        loss=amounts_or_zero,
        balance=balances,
    ),
)
payloads: st.SearchStrategy[Message] = st.one_of(
    st.builds(CreditGrant, account=accounts, amount=amounts, epoch=counters),
    st.builds(MarginCall, account=accounts, epoch=counters),
    spoke_payloads,
)

actions: st.SearchStrategy[Action] = st.one_of(
    st.builds(Deposit, account=accounts, asset=st.sampled_from(ASSETS), amount=amounts),
    st.builds(Withdraw, account=accounts, asset=st.sampled_from(ASSETS), amount=amounts),
    st.builds(GrantCredit, account=accounts, spoke=spokes, amount=amounts),
    st.builds(ReleaseCredit, spoke=spokes, account=accounts, amount=amounts),
    st.builds(
        Trade,
        spoke=spokes,
        account=accounts,
        market=st.sampled_from(MARKETS),
        qty=quantities,
        price=prices,
    ),
    st.builds(SendReport, spoke=spokes, account=accounts),
    st.builds(PublishPrice, feed=st.sampled_from(FEEDS), price=positive_prices),
    st.builds(
        AdvanceTime, seconds=st.sampled_from([1, 60, 61, MAX_SECONDS]) | st.integers(1, 10**9)
    ),
    st.builds(Liquidate, account=accounts),
    st.builds(SetCap, spoke=spokes, cap=amounts_or_zero),
    st.builds(PauseSpoke, spoke=spokes),
    st.builds(UnpauseSpoke, spoke=spokes),
    st.builds(Deliver, message_id=st.integers(1, 16)),
    st.builds(Deliver, message_id=counters),
    st.builds(Inject, sender=parties, receiver=parties, payload=payloads),
    st.builds(
        Inject,
        sender=st.sampled_from(["arb", "base", "sol"]),
        receiver=st.just("hub"),
        payload=spoke_payloads,
    ),
)


def busy(genesis: State) -> State:
    """Messages in flight both ways, a paused spoke, and a loss beyond the line: alice's
    grants to arb and base undelivered, bob long 2 ETH-PERP on base, arb paused, and
    carol with a -1000 balance left on sol after closing at ETH 1000 on a 1000 line."""
    state = funded(priced(genesis), usd=5_000)
    state = funded(state, "bob", usd=2_000)
    state = funded(state, "carol", usd=3_000)
    state = credited(state, "bob", "base", 1_000)
    state = run(state, Trade(spoke="base", account="bob", market="ETH-PERP", qty=2, price=2_000))
    state = credited(state, "carol", "sol", 1_000)
    state = traded(state, "sol", "carol", "ETH-PERP", 2, 2_000)
    state = traded(state, "sol", "carol", "ETH-PERP", -2, 1_000)
    return run(
        state,
        GrantCredit(account="alice", spoke="arb", amount=1_500),
        GrantCredit(account="alice", spoke="base", amount=500),
        PauseSpoke(spoke="arb"),
    )


GENESIS = initial_state(example_params())
REACHED: tuple[State, ...] = (
    GENESIS,
    priced(GENESIS),
    underwater(GENESIS),
    liquidating(GENESIS),
    stale(liquidating(GENESIS)),
    settled(GENESIS),
    busy(GENESIS),
)
"""A few reachable states: empty, priced, unhealthy, liquidating (with and without prices),
settled, and busy."""

Move = Action | int
"""An action, or an int `i`: deliver the i-th message in flight (modulo their number), so
that runs deliver real messages as often as arbitrary ids."""

runs = st.tuples(
    st.sampled_from(REACHED),
    st.lists(actions | st.integers(0, 7), min_size=1, max_size=8),
)


def resolve(state: State, move: Move) -> Action:
    """The action a move stands for in `state`."""
    if not isinstance(move, int):
        return move
    ids = sorted(state.network.in_flight)
    return Deliver(message_id=ids[move % len(ids)] if ids else move)


def step_safely(state: State, action: Action) -> tuple[State, Outcome]:
    """`step`, failing the test (rather than erroring) if it raises."""
    try:
        return step(state, action)
    except Exception as e:  # pragma: no cover - only on a model bug
        raise AssertionError(f"step raised {e!r} on {action!r}") from e


# --- STEP-1 -------------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(run_=runs)
def test_step_never_raises_and_gives_exactly_one_well_formed_outcome(
    run_: tuple[State, list[Move]],
) -> None:
    """STEP-1, OUT-1, OUT-3: for arbitrary well-formed actions (unknown ids, zero and huge
    amounts, arbitrary injected payloads, arbitrary delivery ids) from reachable states,
    `step` returns one state and one Outcome: accepted with no error, or rejected/ignored
    with exactly one error code and nothing emitted; and every invariant holds after."""
    state, moves = run_
    for move in moves:
        action = resolve(state, move)
        after, outcome = step_safely(state, action)
        assert isinstance(after, State)
        assert isinstance(outcome, Outcome)
        assert outcome.status in ("accepted", "rejected", "ignored")
        assert (outcome.error is None) == outcome.accepted
        if not outcome.accepted:
            assert outcome.emitted == ()
        assert check_step(state, action, after, outcome) == []
        state = after


def test_an_unknown_id_is_rejected_before_the_rule_runs(genesis: State) -> None:
    """STEP-1, STEP-2: a Trade naming an unknown market on an unpriced, unfunded state is
    rejected UNKNOWN_MARKET, not INSUFFICIENT_MARGIN or PRICE_UNAVAILABLE (its rule would
    have said one of those)."""
    refused(
        genesis,
        Trade(spoke="arb", account="alice", market="BTC-PERP", qty=1, price=1),
        Error.UNKNOWN_MARKET,
    )
    refused(
        genesis,
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=1),
        Error.PRICE_UNAVAILABLE,
    )


# --- STEP-3 -------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(run_=runs)
def test_emitted_ids_are_exactly_the_nonces_the_step_used(
    run_: tuple[State, list[Move]],
) -> None:
    """STEP-3, MSG-9, OUT-3: an accepted step emits the ids next_id(before) ..
    next_id(after) - 1, in order, and each is a new message in flight; any other step
    leaves next_id as it was and emits nothing."""
    state, moves = run_
    for move in moves:
        action = resolve(state, move)
        after, outcome = step_safely(state, action)
        used = tuple(range(state.network.next_id, after.network.next_id))
        assert outcome.emitted == used
        if outcome.accepted:
            new = set(after.network.in_flight) - set(state.network.in_flight)
            assert new == set(used)
        else:
            assert used == ()
        state = after


def test_a_liquidation_emits_its_calls_in_declared_spoke_order(genesis: State) -> None:
    """STEP-3: Liquidate on a state whose next_id is 3 emits (3, 4, 5): the calls to arb,
    base and sol; next_id is 6 after."""
    before = underwater(genesis)
    assert before.network.next_id == 3
    after, outcome = checked(before, Liquidate(account="alice"))
    assert outcome.emitted == (3, 4, 5)
    assert after.network.next_id == 6
    assert [after.network.in_flight[i].receiver for i in outcome.emitted] == ["arb", "base", "sol"]


def test_a_losing_trade_emits_the_claim_before_the_report(genesis: State) -> None:
    """STEP-3, SPK-TRADE-5: closing at a loss emits (claim, report) under consecutive ids."""
    before = traded(
        credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000),
        "arb",
        "alice",
        "ETH-PERP",
        2,
        2_000,
    )
    first = before.network.next_id
    after, outcome = checked(
        before, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_900)
    )
    assert outcome.emitted == (first, first + 1)
    kinds = [after.network.in_flight[i].payload.type for i in outcome.emitted]
    assert kinds == ["LossClaim", "ExposureReport"]


def test_a_step_that_sends_nothing_emits_nothing(genesis: State) -> None:
    """STEP-3: an accepted deposit uses no nonce and emits ()."""
    after, outcome = checked(genesis, Deposit(account="alice", asset="USD", amount=5))
    assert outcome.accepted and outcome.emitted == ()
    assert after.network.next_id == genesis.network.next_id


# --- ERR-3 --------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(run_=runs)
def test_rejected_changes_nothing_and_ignored_only_consumes_the_message(
    run_: tuple[State, list[Move]],
) -> None:
    """ERR-3, OUT-2, MSG-11, MSG-12: a rejected step returns the state untouched (a refused
    delivery leaves its message in flight, undelivered); an ignored delivery only moves its
    id from in flight to delivered; an ignored injection only marks its sender
    compromised; nothing but a message is ever ignored."""
    state, moves = run_
    for move in moves:
        action = resolve(state, move)
        after, outcome = step_safely(state, action)
        if outcome.status == "rejected":
            assert after == state
            if isinstance(action, Deliver) and action.message_id in state.network.in_flight:
                assert action.message_id in after.network.in_flight
                assert action.message_id not in after.network.delivered
        elif outcome.status == "ignored":
            assert isinstance(action, Deliver | Inject)
            if isinstance(action, Deliver):
                assert after == consumed(state, action.message_id)
            else:
                ghost = replace(state.ghost, compromised=state.ghost.compromised | {action.sender})
                assert after == replace(state, ghost=ghost)
        state = after


def consumed(state: State, message_id: int) -> State:
    """`state` with one message taken out of flight and its id recorded as delivered."""
    net = state.network
    in_flight = {i: env for i, env in net.in_flight.items() if i != message_id}
    network = replace(net, in_flight=in_flight, delivered=net.delivered | {message_id})
    return replace(state, network=network)


def test_a_refused_delivery_leaves_the_message_in_flight_to_be_delivered_later(
    genesis: State,
) -> None:
    """ERR-3, MSG-11: arb's margin call without a price is refused; it is still in flight,
    not recorded as delivered, and the same id is delivered once prices are back."""
    state = stale(liquidating(genesis))
    call = only(state, "MarginCall", receiver="arb")
    refused(state, Deliver(message_id=call.id), Error.PRICE_UNAVAILABLE)
    assert state.network.in_flight[call.id] == call
    later, outcome = checked(priced(state, eth=1_700), Deliver(message_id=call.id))
    assert outcome.accepted and call.id in later.network.delivered


def test_an_ignored_stale_report_is_consumed_and_changes_nothing_else(genesis: State) -> None:
    """ERR-3, OUT-2, HUB-REP-1: two reports from arb in flight; the newer (seq 2) is
    received first, so the older (seq 1) is ignored STALE_REPORT: its id leaves flight
    and is recorded as delivered, the hub keeps report seq 2, and a second delivery of it
    is a replay."""
    state = run(
        funded(genesis, usd=10),
        SendReport(spoke="arb", account="alice"),
        SendReport(spoke="arb", account="alice"),
    )
    older, newer = sorted(state.network.in_flight)
    state = run(state, Deliver(message_id=newer))
    after = ignored(state, Deliver(message_id=older), Error.STALE_REPORT)
    assert after == consumed(state, older)
    assert after.hub.reports[("alice", "arb")].seq == 2
    refused(after, Deliver(message_id=older), Error.ALREADY_DELIVERED)


def test_an_ignored_claim_above_the_allocation_moves_no_value(genesis: State) -> None:
    """ERR-3, HUB-CLAIM-2: an injected claim of 1001 against a 1000 allocation is ignored
    EXCEEDS_ALLOCATION: hub, spokes and network are exactly as before; only the ghost
    record that arb is compromised changes."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    action = Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1_001))
    after = ignored(state, action, Error.EXCEEDS_ALLOCATION)
    assert (after.hub, after.spokes, after.network) == (state.hub, state.spokes, state.network)
    assert after.ghost.compromised == frozenset({"arb"})


# --- BND-7 --------------------------------------------------------------------------------


def huge_profit(genesis: State) -> State:
    """alice buys MAX_QTY ETH-PERP at the venue price 0 (ETH at 2000: 2e9 of unrealized
    gain covers the initial margin with no credit at all) and sells them at MAX_PRICE:
    realized 10^6 * 10^12 = 10^18 = MAX_AMOUNT, exactly the bound."""
    state = priced(genesis)
    for qty, price in ((MAX_QTY, 0), (-MAX_QTY, MAX_PRICE)):
        state = run(
            state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=qty, price=price)
        )
    return state


def test_a_trade_taking_the_balance_above_max_amount_is_rejected(genesis: State) -> None:
    """BND-7: with the balance at exactly MAX_AMOUNT, buying 1 lot at 0 is fine (no PnL
    realized), but selling it at MAX_PRICE would realize 10^12 more: INVALID_AMOUNT."""
    state = huge_profit(genesis)
    assert state.spokes[("arb", "alice")].balance == MAX_AMOUNT
    state = run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=0))
    refused(
        state,
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=MAX_PRICE),
        Error.INVALID_AMOUNT,
    )
    # the same close at a price realizing nothing is fine
    run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=0))


def huge_loss(genesis: State) -> State:
    """alice (10^10 USD, arb's cap raised to MAX_AMOUNT, a 5 * 10^9 line) sells MAX_QTY
    ETH-PERP and MAX_QTY ETH-C-2000 at the venue price 0, then buys the calls back at
    MAX_PRICE: realized -10^18; the 5 * 10^9 line is claimed against it, so the balance is
    -10^18 + 5 * 10^9, and the short perpetual (cost 0) is still open."""
    state = run(priced(genesis), SetCap(spoke="arb", cap=MAX_AMOUNT))
    state = credited(funded(state, usd=10**10), "alice", "arb", 5 * 10**9)
    for market, qty, price in (
        ("ETH-PERP", -MAX_QTY, 0),
        ("ETH-C-2000", -MAX_QTY, 0),
        ("ETH-C-2000", MAX_QTY, MAX_PRICE),
    ):
        state = run(state, Trade(spoke="arb", account="alice", market=market, qty=qty, price=price))
    return state


def test_a_trade_taking_the_balance_below_minus_max_amount_is_rejected(genesis: State) -> None:
    """BND-7: at balance -10^18 + 5 * 10^9, buying back 1 of the short perpetual at
    MAX_PRICE would realize -10^12 and leave the balance below -MAX_AMOUNT: rejected
    INVALID_AMOUNT, although a risk-reducing trade is otherwise always allowed."""
    state = huge_loss(genesis)
    acct = state.spokes[("arb", "alice")]
    assert (acct.line, acct.balance) == (0, -MAX_AMOUNT + 5 * 10**9)
    refused(
        state,
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=MAX_PRICE),
        Error.INVALID_AMOUNT,
    )
    run(state, Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=10**6))


def test_a_margin_call_at_the_extremes_sends_a_valid_answer(genesis: State) -> None:
    """BND-7: from `huge_loss`, ETH goes to MAX_PRICE: closing the short perpetual at the
    mark adds -10^6 * 10^12 = -MAX_AMOUNT, so the answer's balance is
    -2 * 10^18 + 5 * 10^9: beyond ±MAX_AMOUNT, within ±4 * MAX_AMOUNT, and the
    LiquidationReport and the observable state validate."""
    state = priced(deliver_all(huge_loss(genesis)), eth=MAX_PRICE)
    state = run(state, Liquidate(account="alice"))
    state = run(state, Deliver(message_id=only(state, "MarginCall", receiver="arb").id))
    answer = only(state, "LiquidationReport", receiver="hub")
    assert isinstance(answer.payload, LiquidationReport)
    assert answer.payload.balance == -2 * MAX_AMOUNT + 5 * 10**9
    assert Envelope.model_validate_json(answer.model_dump_json()) == answer
    ObservableState.model_validate_json(observe(state).model_dump_json())
    assert deliver_all(state).hub.reports[("alice", "arb")].balance == answer.payload.balance


@pytest.mark.parametrize("balance", [4 * MAX_AMOUNT + 1, -4 * MAX_AMOUNT - 1])
def test_a_balance_beyond_four_max_amount_does_not_validate(balance: int) -> None:
    """BND-7: the declared bound of a settled balance in a message is ±4 * MAX_AMOUNT
    (the bound itself validates)."""
    edge = balance - 1 if balance > 0 else balance + 1
    assert ExposureReport(account="alice", seq=1, balance=edge, positions=()).balance == edge
    with pytest.raises(ValidationError, match="balance"):
        ExposureReport(account="alice", seq=1, balance=balance, positions=())


EXTREME_TRADES = st.builds(
    Trade,
    spoke=st.sampled_from(["arb", "base"]),
    account=st.just("alice"),
    market=st.sampled_from(["ETH-PERP", "ETH-C-2000", "ETH-P-1800"]),
    qty=st.sampled_from([1, -1, MAX_QTY // 2, -(MAX_QTY // 2), MAX_QTY, -MAX_QTY]),
    price=st.sampled_from([0, 1, 2_000, MAX_PRICE]),
)
EXTREME_STEPS: st.SearchStrategy[Action] = st.one_of(
    EXTREME_TRADES,
    EXTREME_TRADES,
    st.builds(PublishPrice, feed=st.sampled_from(["chainlink", "pyth"]), price=positive_prices),
    st.builds(SendReport, spoke=st.sampled_from(["arb", "base"]), account=st.just("alice")),
    st.just(Liquidate(account="alice")),
    st.builds(Deliver, message_id=st.integers(1, 40)),
)
EXTREME_START = credited(
    credited(
        funded(run(priced(GENESIS), SetCap(spoke="arb", cap=MAX_AMOUNT)), usd=MAX_AMOUNT // 2),
        "alice",
        "arb",
        MAX_AMOUNT // 4,
    ),
    "alice",
    "base",
    500_000,
)
"""alice with MAX_AMOUNT / 2 USD at the hub and lines of MAX_AMOUNT / 4 on arb and
500_000 on base, ETH at 2000."""


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(EXTREME_STEPS, min_size=1, max_size=12))
def test_no_trade_or_margin_call_breaks_the_declared_bounds(steps: list[Action]) -> None:
    """BND-7, BND-1, BND-3: trades of up to MAX_QTY lots at prices 0..MAX_PRICE, prices
    moving to the extremes, reports and margin calls: no step raises, an accepted trade
    leaves the balance within ±MAX_AMOUNT, every position keeps |cost| <= MAX_AMOUNT,
    every settled balance stays within ±3 * MAX_AMOUNT (a trade's ±MAX_AMOUNT plus at
    most 2 * MAX_AMOUNT at a call), and every message in flight and the observable state
    validate against their declared bounds."""
    state = EXTREME_START
    for action in steps:
        after, outcome = step_safely(state, action)
        if isinstance(action, Trade) and outcome.accepted:
            assert abs(after.spokes[(action.spoke, action.account)].balance) <= MAX_AMOUNT
        state = after
        for acct in state.spokes.values():
            assert abs(acct.balance) <= 3 * MAX_AMOUNT
            assert all(abs(p.cost) <= MAX_AMOUNT for p in acct.positions.values())
        for env in state.network.in_flight.values():
            assert Envelope.model_validate_json(env.model_dump_json()) == env
    ObservableState.model_validate_json(observe(state).model_dump_json())
