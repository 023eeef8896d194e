"""What a scenario is: a named story told as parameters and a fixed list of actions.

A scenario is pure data.  Running it (`intermargin.timeline.run`) feeds the
actions one by one to `model.step`; nothing in a scenario decides anything at
run time, so the same scenario always gives the same timeline, and its message
ids are known in advance (the network numbers messages 1, 2, 3... in sending
order).  The comments in each scenario module say which ids a step emits.
"""

from dataclasses import dataclass

from spec.actions import Action, Deliver, PublishPrice
from spec.params import Params

ETH_FEEDS = ("chainlink", "pyth", "redstone")
"""The example parameters' three ETH feeds (quorum 2)."""


@dataclass(frozen=True)
class Scenario:
    """A stress scenario: `story` says, in a few sentences, what it shows and what to
    look at in its timeline."""

    name: str
    title: str
    story: str
    params: Params
    actions: tuple[Action, ...]


def eth_price(price: int, feeds: tuple[str, ...] = ETH_FEEDS) -> tuple[Action, ...]:
    """Every listed ETH feed publishes `price`."""
    return tuple(PublishPrice(feed=feed, price=price) for feed in feeds)


def deliver(*message_ids: int) -> tuple[Action, ...]:
    """The network delivers these messages, in this order."""
    return tuple(Deliver(message_id=i) for i in message_ids)
