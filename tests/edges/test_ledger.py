"""Paying a loss when the insurance fund itself runs short (HUB-LOSS-2..4, INS-2)."""

import pytest

from model import initial_state, step
from spec.actions import Action, Deposit, GrantCredit, Inject, PublishPrice
from spec.examples import example_params
from spec.messages import LossClaim

FEEDS = ("chainlink", "pyth", "redstone")


@pytest.mark.parametrize("structure", ["shared_limited", "per_partition"])
def test_a_draw_records_what_the_fund_paid_not_what_it_was_asked(structure: str) -> None:
    """INS-2, HUB-LOSS-3..4: alice's 1 ETH covers 500 of arb's 1500 claim at 500; of the
    1000 of bad debt the partition may draw 800 (its limit) but the fund holds only 300
    USD: the fund pays 300, the draw records 300, and 700 is socialized to arb."""
    params = example_params().model_copy(
        update={
            "insurance_structure": structure,
            "insurance_limits": (("arb", 800),),
            "insurance_fund": (("USD", 300),),
        }
    )
    state = initial_state(params)
    actions: tuple[Action, ...] = (
        Deposit(account="alice", asset="ETH", amount=1),
        *(PublishPrice(feed=f, price=2_000) for f in FEEDS),
        GrantCredit(account="alice", spoke="arb", amount=1_500),
        *(PublishPrice(feed=f, price=500) for f in FEEDS),
        Inject(sender="arb", receiver="hub", payload=LossClaim(account="alice", amount=1_500)),
    )
    for action in actions:
        state, outcome = step(state, action)
        assert outcome.status == "accepted", (action, outcome)
    assert state.hub.insurance["USD"] == 0
    assert state.hub.drawn == {"arb": 300}
    assert state.hub.socialized["arb"] == 700
    assert state.ghost.paid["arb"] == 500 + 300
