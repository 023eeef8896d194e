"""Partial liquidation's guards in order and what an accepted close records (FLOW-PART-1..6,
BND-1, FIN-1, FIN-6): every refusal leaves the state as it was (INV-ATOMIC-1)."""

from dataclasses import replace
from fractions import Fraction

from hypothesis import event, example, given
from hypothesis import strategies as st

from conformance.partial_stories import CLOSE, LONG_SIX
from conformance.stories import dl, eth
from model import State, initial_state, step
from model.finality import chain_of
from model.partial import (
    Close,
    book_upnl,
    closable,
    close_lots,
    equity_after,
    local_maintenance,
    locally_healthy,
    plan_close,
    restores,
)
from model.state import Position, SpokeAccount, with_spoke_account
from spec.actions import Action, AdvanceTime, Halt
from spec.bounds import MAX_AMOUNT
from spec.errors import Error
from spec.examples import example_params
from spec.params import AssetParams, MarketParams, Params
from tests.helpers import priced, run

PARAMS = example_params()
DELAYED = PARAMS.model_copy(
    update={
        "spokes": tuple(
            s.model_copy(update={"finality_s": 600}) if s.id == "arb" else s for s in PARAMS.spokes
        )
    }
)
"""The example with arb final only 600 s after its latest change (FIN-1, PAR-27)."""


def reached(*actions: Action, params: Params = PARAMS) -> State:
    state = initial_state(params)
    for action in actions:
        state, outcome = step(state, action)
        assert outcome.status == "accepted", (action, outcome)
    return state


def refused(state: State, error: Error) -> None:
    after, outcome = step(state, CLOSE)
    assert (outcome.status, outcome.error) == ("rejected", error)
    assert after == state


def test_a_halted_spoke_closes_nothing_before_any_other_check() -> None:
    """FIN-6: on a halted chain a partial liquidation is refused SPOKE_HALTED, first: even
    without prices (which would be PRICE_UNAVAILABLE) and with the account unhealthy."""
    under = reached(*LONG_SIX, *eth(1_900))
    refused(reached(*LONG_SIX, *eth(1_900), Halt(spoke="arb")), Error.SPOKE_HALTED)
    stale = AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1)
    refused(reached(*LONG_SIX, stale, Halt(spoke="arb")), Error.SPOKE_HALTED)
    # another spoke's halt does not stop arb
    after, outcome = step(reached(*LONG_SIX, *eth(1_900), Halt(spoke="base")), CLOSE)
    assert outcome.accepted and after != under


def test_without_prices_the_state_is_left_as_it_was() -> None:
    """FLOW-PART-1, ORA-7, INV-ATOMIC-1: PRICE_UNAVAILABLE, nothing moves."""
    refused(
        reached(*LONG_SIX, AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1)),
        Error.PRICE_UNAVAILABLE,
    )


def deep(balance: int) -> State:
    """alice long 6 ETH-PERP at 1900 (the close realizes -200 and a 38 penalty), with her
    settled balance `balance` and her line raised by as much as the balance is below zero,
    so her local equity, and so the plan, is the one of `LONG_SIX` (a crafted state: no run
    carries a balance this large)."""
    state = reached(*LONG_SIX, *eth(1_900))
    acct = state.spokes[("arb", "alice")]
    crafted = replace(acct, balance=balance, line=acct.line - balance)
    return with_spoke_account(state, "arb", "alice", crafted)


def test_the_balance_after_a_close_stays_within_the_amount_bound() -> None:
    """BND-1, FLOW-PART-4 (as for a trade, SPK-TRADE-2): a close whose settled balance
    (balance + realized - penalty) would leave -MAX_AMOUNT..MAX_AMOUNT is refused
    INVALID_AMOUNT and moves nothing; exactly -MAX_AMOUNT is within."""
    refused(deep(-(MAX_AMOUNT - 237)), Error.INVALID_AMOUNT)
    after, outcome = step(deep(-(MAX_AMOUNT - 238)), CLOSE)
    assert outcome.accepted
    assert after.spokes[("arb", "alice")].balance == 0  # -MAX_AMOUNT, claimed at once
    assert after.spokes[("arb", "alice")].positions["ETH-PERP"].qty == 4


def test_a_close_joins_the_spokes_segment_checkpointed_before_it() -> None:
    """FIN-1: under a finality delay a partial liquidation is a change of the spoke: with its
    last segment final, a new one opens, checkpointed at the accounts before the close,
    stamped now, holding the messages the close sent (the loss claim and the report)."""
    trade_done = LONG_SIX[:-1]  # the report (2) waits until the trade is final
    state = reached(*trade_done, AdvanceTime(seconds=600), *dl(2), *eth(1_900), params=DELAYED)
    assert chain_of(state, "arb").segment is not None  # the trade's, final by now
    after, outcome = step(state, CLOSE)
    assert outcome.accepted and len(outcome.emitted) == 2
    segment = chain_of(after, "arb").segment
    assert segment is not None
    assert segment.checkpoint == {a: state.spokes[("arb", a)] for a in PARAMS.accounts}
    assert segment.changed == state.oracle.now == 600
    assert segment.sent == frozenset(outcome.emitted)


# --- the plan, law by law (FLOW-PART-1..5, SPK-TRADE-4, PRC-13, PRC-14) -----------------

PER_POSITION = PARAMS.model_copy(update={"margin_method": "per_position"})
"""The example margined position by position (RISK-4): margins a reader can check by hand
(a perpetual's maintenance is `ceil(notional * 500 / 10_000)`)."""

BTC = AssetParams(id="BTC", haircut_bps=1_000, volatility_bps=6_000, scan_range_bps=1_000)
BTC_PERP = MarketParams(id="BTC-PERP", underlying="BTC", kind="perp", im_bps=1_000, mm_bps=500)
TWO_PERPS = PER_POSITION.model_copy(
    update={"assets": (*PARAMS.assets, BTC), "markets": (*PARAMS.markets, BTC_PERP)}
)
"""Two perpetuals, ETH-PERP declared before BTC-PERP (PAR-2), margined by RISK-4."""


def test_only_the_perpetuals_held_are_closable_in_declared_order() -> None:
    """FLOW-PART-2: the lot sequence runs over the perpetuals the book holds, in the declared
    order of the markets (PAR-2): never an option, never a perpetual the book does not hold."""
    state = initial_state(TWO_PERPS)
    both = {"BTC-PERP": Position(1, 30_000), "ETH-PERP": Position(-2, -4_000)}
    assert closable(state, both) == ["ETH-PERP", "BTC-PERP"]
    assert closable(state, {"BTC-PERP": Position(1, 30_000)}) == ["BTC-PERP"]
    options = {"ETH-C-2000": Position(-1, -100), "ETH-P-1800": Position(2, 300)}
    assert closable(state, options) == []
    assert closable(state, {**options, "BTC-PERP": Position(1, 30_000)}) == ["BTC-PERP"]


def test_a_book_of_options_alone_is_not_restorable() -> None:
    """FLOW-PART-2, FLOW-PART-7: options are left to the full liquidation, so an unhealthy
    book of options alone has nothing to close: no plan."""
    state = initial_state(TWO_PERPS)
    acct = SpokeAccount(line=0, balance=0, positions={"ETH-C-2000": Position(-5, 0)})
    prices = {"ETH": 2_000, "BTC": 30_000}
    assert not locally_healthy(state, acct, prices)
    assert plan_close(state, acct, prices) is None


@given(
    qty=st.integers(-40, 40).filter(bool),
    share=st.fractions(0, 1),
    cost=st.integers(1, 10**6),
    price=st.integers(0, 10**4),
    before=st.tuples(st.integers(-(10**6), 10**6), st.integers(0, 10**6), st.integers(0, 40)),
)
@example(qty=1, share=Fraction(1), cost=2_000, price=1_900, before=(0, 0, 0))
@example(qty=-3, share=Fraction(2, 3), cost=6_001, price=2_100, before=(-5, 7, 1))
def test_closing_lots_shrinks_the_position_towards_zero_and_adds_to_the_plan(
    qty: int, share: Fraction, cost: int, price: int, before: tuple[int, int, int]
) -> None:
    """FLOW-PART-2, SPK-TRADE-4: closing `k` lots of a position `(q, c)` (long or short,
    0 <= k <= |q|) at the mark is a fill of `k` lots towards zero: `(q -+ k, c - removed)`
    with `removed = ceil(c * k / |q|)` (NUM-2), the realized PnL `k * price - removed` for a
    long and `-k * price - removed` for a short, a flat position dropped; the plan adds the
    realized PnL, the notional `k * price` (RISK-3) and the `k` lots to what it held."""
    k = int(share * abs(qty))
    closed_share = "no" if k == 0 else "every" if k == abs(qty) else "some"
    event(f"{'long' if qty > 0 else 'short'}, {closed_share} lot closed")
    signed_cost = cost if qty > 0 else -cost
    state = initial_state(PARAMS)
    realized0, notional0, lots0 = before
    plan = Close({"ETH-PERP": Position(qty, signed_cost)}, realized0, notional0, lots0)
    closed = close_lots(state, plan, "ETH-PERP", k, {"ETH": price})
    removed = -(-signed_cost * k // abs(qty))
    left = qty - k if qty > 0 else qty + k
    realized = (k if qty > 0 else -k) * price - removed
    assert closed.positions == ({"ETH-PERP": Position(left, signed_cost - removed)} if left else {})
    assert closed.realized == realized0 + realized
    assert closed.notional == notional0 + k * price
    assert closed.lots == lots0 + k


def test_equity_exactly_at_maintenance_is_locally_healthy() -> None:
    """FLOW-PART-1: an account is locally unhealthy only when its local equity is *below*
    the maintenance margin of its book: 6 ETH-PERP bought for 12000, at 1900: PnL -600,
    maintenance ceil(11400 * 5%) = 570; a line of 1170 leaves equity 570, healthy; 1169 not."""
    state = initial_state(PER_POSITION)
    book = {"ETH-PERP": Position(6, 12_000)}
    prices = {"ETH": 1_900}
    assert local_maintenance(state, book, prices) == 570
    assert locally_healthy(state, SpokeAccount(line=1_170, balance=0, positions=book), prices)
    assert not locally_healthy(state, SpokeAccount(line=1_169, balance=0, positions=book), prices)


def test_a_close_exactly_at_the_target_restores_the_account() -> None:
    """FLOW-PART-3, FLOW-PART-5: restored means equity after (less the penalty) times 10000
    *at least* maintenance times 10000 + target_bps (1000): 6 ETH-PERP bought for 12600 at
    2000 behind a line of 1080; closing 2 lots realizes -200, pays ceil(4000 * 1%) = 40 and
    leaves 4 lots at PnL -400: equity 440, exactly 110% of maintenance ceil(8000 * 5%) = 400.
    So two lots restore it (one leaves 460 < 550), and the plan closes two."""
    state = initial_state(PER_POSITION)
    acct = SpokeAccount(line=1_080, balance=0, positions={"ETH-PERP": Position(6, 12_600)})
    prices = {"ETH": 2_000}
    two = close_lots(state, Close(acct.positions), "ETH-PERP", 2, prices)
    assert (
        equity_after(state, acct, two, prices),
        local_maintenance(state, two.positions, prices),
    ) == (440, 400)
    assert restores(state, acct, two, prices)
    one = close_lots(state, Close(acct.positions), "ETH-PERP", 1, prices)
    assert not restores(state, acct, one, prices)
    assert not locally_healthy(state, acct, prices)
    assert plan_close(state, acct, prices) == two
    poorer = replace(acct, line=1_079)  # 439 < 440: two lots no longer do
    assert not restores(state, poorer, two, prices)


def test_whole_positions_go_in_declared_order_then_the_fewest_lots_of_the_next() -> None:
    """FLOW-PART-2, FLOW-PART-5: ETH-PERP (declared first) 1 lot bought at 2000 and BTC-PERP
    10 lots bought at 30000, behind a line of 20000, at 1900 and 29000: equity 9900 is below
    maintenance 95 + 14500.  Closing all of ETH-PERP does not restore it (9881 < 110% of
    14500); then 5 lots of BTC-PERP do (equity 9881 - 1450 = 8431 >= 110% of 7250 = 7975)
    and 4 would not (8721 < 9570): 6 lots closed, 1900 + 145000 notional, -100 - 5000
    realized."""
    state = initial_state(TWO_PERPS)
    book = {"BTC-PERP": Position(10, 300_000), "ETH-PERP": Position(1, 2_000)}
    acct = SpokeAccount(line=20_000, balance=0, positions=book)
    prices = {"ETH": 1_900, "BTC": 29_000}
    assert not locally_healthy(state, acct, prices)
    plan = plan_close(state, acct, prices)
    assert plan == Close({"BTC-PERP": Position(5, 150_000)}, -5_100, 146_900, 6)


def test_a_partial_close_values_an_expired_option_at_its_fixing() -> None:
    """FLOW-PART-1, FLOW-PART-3, PRC-13, PRC-14: the book's PnL and maintenance margin are
    taken at the expiry prices fixed so far: a short ETH-C-2000 sold for 100, fixed at
    3000, is worth -1000 whatever ETH does after (PnL -900, not the -100 + 100 = 0 of an
    expired option valued at today's 2100, PRC-15) and, settled, needs no margin (RISK-4)."""
    for params in (PARAMS, PER_POSITION):
        state = run(priced(initial_state(params)), AdvanceTime(seconds=2_592_000))
        state = priced(state, eth=3_000)
        assert state.oracle.expiry_prices == {
            m.id: 3_000 for m in params.markets if m.expiry == 2_592_000
        }
        short_call = {"ETH-C-2000": Position(-1, -100)}
        prices = {"ETH": 2_100}
        assert book_upnl(state, short_call, prices) == -900
        assert local_maintenance(state, short_call, prices) == 0
