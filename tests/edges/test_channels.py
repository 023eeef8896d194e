"""Which messages can be delivered next (CHAN-2): the head of each channel when channels are
ordered, every message in flight otherwise."""

import pytest

from intermargin.fuzzing.strategies import channel_variant
from model import initial_state
from model.channels import channel_heads
from spec.actions import Deliver, GrantCredit
from tests.helpers import funded, priced, run


@pytest.mark.parametrize("ordered", [True, False])
def test_the_heads_are_the_oldest_message_of_each_channel(ordered: bool) -> None:
    """CHAN-2: grants to arb (ids 1, 3) and base (id 2) from the hub: ordered, the heads are
    1 and 2, in id order; unordered, every id, in order.  Once 1 is delivered, 3 heads
    arb's channel."""
    state = funded(priced(initial_state(channel_variant(ordered=ordered, rated=False))), usd=900)
    state = run(
        state,
        GrantCredit(account="alice", spoke="arb", amount=100),
        GrantCredit(account="alice", spoke="base", amount=100),
        GrantCredit(account="alice", spoke="arb", amount=100),
    )
    assert sorted(state.network.in_flight) == [1, 2, 3]
    assert channel_heads(state) == ([1, 2] if ordered else [1, 2, 3])
    state = run(state, Deliver(message_id=1))
    assert channel_heads(state) == [2, 3]
