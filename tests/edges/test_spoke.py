"""A spoke obeying a margin call closes an expired option at its expiry price (SPK-CALL-1,
PRC-14): the fixing, not the price at the call; local equity and margin read the fixings
(SPK-2); a trade's guards at their boundaries (FIN-6, SPK-TRADE-2)."""

from model import initial_state, step
from model.spoke import local_equity, local_margin
from model.state import Position, SpokeAccount
from spec.actions import AdvanceTime, Halt, Liquidate, Trade
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY
from spec.errors import Error
from spec.examples import example_params
from tests.helpers import (
    crafted_spoke_account,
    credited,
    deliver_all,
    funded,
    priced,
    refused,
    run,
)


def test_a_margin_call_closes_an_expired_option_at_its_fixing() -> None:
    """SPK-CALL-1, PRC-14: alice sold one ETH-C-2000 for 100 on arb behind a line of 700;
    it expired with ETH at 3000 (the fixing), and ETH is at 2100 when she is liquidated.
    Closed at the fixing, the option costs her 1000: balance 100 - 1000 = -900, of which the
    whole 700 line is claimed (nothing released) and -200 is left; at 2100 it would have
    cost only 100."""
    state = credited(funded(priced(initial_state(example_params())), usd=700), "alice", "arb", 700)
    sold = Trade(spoke="arb", account="alice", market="ETH-C-2000", qty=-1, price=100)
    state = deliver_all(run(state, sold))
    state = priced(run(state, AdvanceTime(seconds=2_592_000)), eth=3_000)
    assert state.oracle.expiry_prices["ETH-C-2000"] == 3_000
    state = priced(run(state, AdvanceTime(seconds=10)), eth=2_100)
    after, outcome = step(state, Liquidate(account="alice"))
    assert outcome.accepted
    done = deliver_all(after)
    assert (done.ghost.claimed["arb"], done.ghost.released["arb"]) == (700, 0)
    acct = done.spokes[("arb", "alice")]
    assert (acct.line, acct.balance, dict(acct.positions)) == (0, -200, {})


def test_a_trade_on_a_halted_spoke_is_refused_and_changes_nothing() -> None:
    """FIN-6, INV-ATOMIC-1: on a halted chain a trade is refused SPOKE_HALTED, first (also
    a trade of 0 lots, else INVALID_AMOUNT), and the step hands back the state it was given."""
    state = run(priced(initial_state(example_params())), Halt(spoke="arb"))
    for qty in (1, 0):
        buy = Trade(spoke="arb", account="alice", market="ETH-PERP", qty=qty, price=2_000)
        refused(state, buy, Error.SPOKE_HALTED)


def test_a_cost_basis_of_exactly_max_amount_is_within_the_bound() -> None:
    """SPK-TRADE-2, BND-1, BND-3: the cost basis after a fill may be as large as
    `MAX_AMOUNT` itself: MAX_QTY lots bought at MAX_PRICE cost exactly MAX_AMOUNT and the
    trade is accepted (behind a line that covers its initial margin: a crafted state)."""
    assert MAX_QTY * MAX_PRICE == MAX_AMOUNT
    state = priced(initial_state(example_params()), eth=MAX_PRICE)
    state = crafted_spoke_account(state, "arb", "alice", line=MAX_AMOUNT)
    buy = Trade(spoke="arb", account="alice", market="ETH-PERP", qty=MAX_QTY, price=MAX_PRICE)
    after, outcome = step(state, buy)
    assert outcome.accepted
    assert after.spokes[("arb", "alice")].positions == {"ETH-PERP": Position(MAX_QTY, MAX_AMOUNT)}


def test_local_equity_and_margin_value_an_expired_option_at_its_fixing() -> None:
    """SPK-2, RISK-5, PRC-13, PRC-14: a spoke values its book at the expiry prices fixed so
    far: a short ETH-C-2000 sold for 100 and fixed at 3000 is worth -1000 whatever ETH does
    after, so local equity is line + balance - 900 (not the 0 PnL of an expired option at
    today's 2100, PRC-15), and, settled, it needs no initial margin (RISK-4, SPAN-2)."""
    for method in ("portfolio", "per_position"):
        params = example_params().model_copy(update={"margin_method": method})
        state = run(priced(initial_state(params)), AdvanceTime(seconds=2_592_000))
        state = priced(state, eth=3_000)
        assert state.oracle.expiry_prices["ETH-C-2000"] == 3_000
        book = {"ETH-C-2000": Position(-1, -100)}
        acct = SpokeAccount(line=1_000, balance=50, positions=book)
        prices = {"ETH": 2_100}
        assert local_equity(state, acct, prices) == 1_000 + 50 - 900
        assert local_margin(state, book, prices) == 0
