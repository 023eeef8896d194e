"""A spoke obeying a margin call closes an expired option at its expiry price (SPK-CALL-1,
PRC-14): the fixing, not the price at the call."""

from model import initial_state, step
from spec.actions import AdvanceTime, Liquidate, Trade
from spec.examples import example_params
from tests.helpers import credited, deliver_all, funded, priced, run


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
