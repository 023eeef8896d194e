"""A compromised spoke can lower what the hub thinks of an account, never raise it.

These are the attacks on the hub's *decisions* (as opposed to the value a spoke
can move out, INV-PART-2): a spoke that reports a profit it does not owe must
not keep an insolvent account out of liquidation.
"""

from model import State, initial_state, step
from model.oracle import prices_of
from model.risk import assets_needed, equity, is_healthy
from spec.actions import Deliver, Deposit, GrantCredit, Inject, Liquidate, PublishPrice, Trade
from spec.examples import example_params
from spec.messages import ExposureReport
from tests.helpers import run


def underwater_alice() -> State:
    """alice: 6000 USD, a 4000 line on arb, long 10 ETH-PERP at 2000; ETH then at 1500."""
    state = initial_state(example_params())
    state = run(
        state,
        PublishPrice(feed="chainlink", price=2000),
        PublishPrice(feed="pyth", price=2000),
        Deposit(account="alice", asset="USD", amount=6000),
        GrantCredit(account="alice", spoke="arb", amount=4000),
        Deliver(message_id=1),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2000),
        Deliver(message_id=2),
        PublishPrice(feed="chainlink", price=1500),
        PublishPrice(feed="pyth", price=1500),
    )
    return state


def test_a_fake_profit_report_does_not_keep_an_insolvent_account_healthy() -> None:
    """RISK-11, ADV-2: sol (no credit for alice) injects a report of a 1,000,000 profit;
    alice's equity at the hub is unchanged and Liquidate is still accepted."""
    state = underwater_alice()
    prices = prices_of(state, assets_needed(state, "alice"))
    assert prices is not None
    before = equity(state, "alice", prices)
    lie = ExposureReport(account="alice", seq=1, balance=1_000_000, positions=())
    state, outcome = step(state, Inject(sender="sol", receiver="hub", payload=lie))
    assert outcome.accepted and "sol" in state.ghost.compromised
    assert equity(state, "alice", prices) == before
    assert not is_healthy(state, "alice", prices)
    _, outcome = step(state, Liquidate(account="alice"))
    assert outcome.accepted


def test_a_profit_on_one_spoke_does_not_offset_a_loss_on_another() -> None:
    """RISK-11, RISK-NET-2: the hub counts each spoke's reported loss, and no profit that no
    clearing pool backs (every pool is empty here)."""
    state = underwater_alice()
    prices = prices_of(state, assets_needed(state, "alice"))
    assert prices is not None
    # 6000 USD collateral, arb reports 10 * (1500 - 2000) = -5000
    assert equity(state, "alice", prices) == 6000 - 5000
