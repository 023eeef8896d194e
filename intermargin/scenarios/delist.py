"""`delist`: governance delists a spoke, it is drained by returns, and removed
(LIST-2..LIST-4, HUB-GRANT-5, INV-LIST-1..2)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    DelistSpoke,
    Deposit,
    GrantCredit,
    ListSpoke,
    ReleaseCredit,
    RemoveSpoke,
    Trade,
)
from spec.examples import example_params

STORY = (
    "Alice and bob hold credit on arb, alice also on base; bob's grant to arb is still in "
    "flight when governance delists arb. From then on arb is drained: a new grant to it is "
    "refused SPOKE_NOT_LISTED, while bob's grant, allocated when it was sent, still "
    "arrives (the hub's allocation does not grow, INV-LIST-1). Removing arb is refused "
    "SPOKE_NOT_DRAINED while anything is allocated to it. Alice closes her position, arb "
    "gives back both lines and the hub receives the releases: nothing is allocated to arb "
    "any more, and governance removes it. A removed spoke cannot be listed again "
    "(SPOKE_REMOVED); base is untouched throughout and still takes grants."
)

DELIST = Scenario(
    name="delist",
    title="A delisted spoke is drained and removed",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=10_000),
        Deposit(account="bob", asset="USD", amount=10_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=3_000),  # -> 1
        GrantCredit(account="bob", spoke="arb", amount=2_000),  # -> 2
        GrantCredit(account="alice", spoke="base", amount=1_000),  # -> 3
        *deliver(1, 3),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),  # -> 4
        *deliver(4),
        DelistSpoke(spoke="arb"),
        GrantCredit(account="alice", spoke="arb", amount=100),  # SPOKE_NOT_LISTED
        *deliver(2),  # bob's grant was allocated when sent: it still lands on his line
        RemoveSpoke(spoke="arb"),  # SPOKE_NOT_DRAINED: 5000 still allocated
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-1, price=2_000),  # -> 5
        *deliver(5),
        ReleaseCredit(spoke="arb", account="alice", amount=3_000),  # -> 6
        ReleaseCredit(spoke="arb", account="bob", amount=2_000),  # -> 7
        RemoveSpoke(spoke="arb"),  # SPOKE_NOT_DRAINED: the releases are in flight
        *deliver(6, 7),
        RemoveSpoke(spoke="arb"),
        ListSpoke(spoke="arb"),  # SPOKE_REMOVED
        GrantCredit(account="bob", spoke="base", amount=500),  # -> 8
        *deliver(8),
    ),
)
