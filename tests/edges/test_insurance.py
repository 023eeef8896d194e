"""A partition's second draw on the insurance fund counts its first (INS-2)."""

import pytest

from model import State, initial_state, step
from spec.actions import Action, Deposit, GrantCredit, Inject, PublishPrice
from spec.examples import example_params
from spec.messages import LossClaim

FEEDS = ("chainlink", "pyth", "redstone")


def claimed_twice(structure: str) -> list[State]:
    """alice and bob each back 1500 of credit on arb with 1 ETH at 2000; ETH falls to 500;
    arb claims 1500 for each: each time 500 is seized and 1000 is bad debt.  The states
    after each claim."""
    params = example_params().model_copy(
        update={"insurance_structure": structure, "insurance_limits": (("arb", 1_300),)}
    )
    state = initial_state(params)
    setup: tuple[Action, ...] = (
        Deposit(account="alice", asset="ETH", amount=1),
        Deposit(account="bob", asset="ETH", amount=1),
        *(PublishPrice(feed=f, price=2_000) for f in FEEDS),
        GrantCredit(account="alice", spoke="arb", amount=1_500),
        GrantCredit(account="bob", spoke="arb", amount=1_500),
        *(PublishPrice(feed=f, price=500) for f in FEEDS),
    )
    after = []
    for action in setup:
        state, outcome = step(state, action)
        assert outcome.status == "accepted", (action, outcome)
    for account in ("alice", "bob"):
        claim = LossClaim(account=account, amount=1_500)
        state, outcome = step(state, Inject(sender="arb", receiver="hub", payload=claim))
        assert outcome.status == "accepted", outcome
        after.append(state)
    return after


@pytest.mark.parametrize("structure", ["shared_limited", "per_partition"])
def test_the_second_draw_gets_only_what_the_first_left_of_the_limit(structure: str) -> None:
    """INS-2, HUB-LOSS-3..4: of arb's limit of 1300 the first claim draws 1000 (all its bad
    debt); the second may draw only the 300 left, and 700 is socialized to arb."""
    first, second = claimed_twice(structure)
    assert first.hub.drawn == {"arb": 1_000} and first.hub.socialized["arb"] == 0
    assert second.hub.drawn == {"arb": 1_300} and second.hub.socialized["arb"] == 700
    paid_by_fund = first.hub.insurance["USD"] - second.hub.insurance["USD"]
    assert paid_by_fund == 300
