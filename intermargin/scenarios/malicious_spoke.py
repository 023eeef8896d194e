"""`malicious-spoke`: a compromised spoke tries to drain the hub; its partition bounds it."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    Deposit,
    GrantCredit,
    Inject,
    PauseSpoke,
    SetCap,
    Trade,
)
from spec.examples import example_params
from spec.messages import LossClaim, MarginCall

STORY = (
    "Governance caps sol's partition at 8000; alice, bob and carol put credit there, alice "
    "also on arb. Then sol is compromised: it claims a loss above alice's allocation "
    "(ignored), then exactly her allocation, again, and bob's. Each accepted claim moves "
    "collateral into sol's partition, but never more than was allocated to sol: compare "
    "ghost paid/claimed with granted and the cap in the summary, and see arb untouched. "
    "Sol's forged margin call to arb is rejected. Governance pauses sol: an honest loss "
    "claim from it waits in flight, its injected claims and new grants are refused, and "
    "its cap is cut to what it still holds."
)

MALICIOUS_SPOKE = Scenario(
    name="malicious-spoke",
    title="A compromised spoke is bounded by its partition",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=20_000),
        Deposit(account="bob", asset="USD", amount=10_000),
        Deposit(account="carol", asset="USD", amount=5_000),
        *eth_price(2_000),
        SetCap(spoke="sol", cap=8_000),
        GrantCredit(account="alice", spoke="arb", amount=5_000),  # -> 1
        GrantCredit(account="alice", spoke="sol", amount=4_000),  # -> 2
        GrantCredit(account="bob", spoke="sol", amount=3_000),  # -> 3
        GrantCredit(account="carol", spoke="sol", amount=1_000),  # -> 4
        GrantCredit(account="carol", spoke="sol", amount=500),  # sol is full: PARTITION_CAP
        *deliver(1, 2, 3, 4),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 5
        Trade(spoke="sol", account="carol", market="ETH-PERP", qty=2, price=2_000),  # -> 6
        *deliver(5, 6),
        # sol is compromised from here on: it sends what its own rules would never send
        Inject(sender="sol", receiver="hub", payload=LossClaim(account="alice", amount=10_000)),
        Inject(sender="sol", receiver="hub", payload=LossClaim(account="alice", amount=4_000)),
        Inject(sender="sol", receiver="hub", payload=LossClaim(account="alice", amount=4_000)),
        Inject(sender="sol", receiver="hub", payload=LossClaim(account="bob", amount=3_000)),
        Inject(sender="sol", receiver="arb", payload=MarginCall(account="alice", epoch=1)),
        # ETH dips; carol closes at a loss on sol, honestly: a claim of 400 -> 7, report -> 8
        *eth_price(1_800, ("chainlink", "pyth")),
        Trade(spoke="sol", account="carol", market="ETH-PERP", qty=-2, price=1_800),
        PauseSpoke(spoke="sol"),
        *deliver(7),  # SPOKE_PAUSED: the claim waits in flight
        Inject(sender="sol", receiver="hub", payload=LossClaim(account="carol", amount=600)),
        GrantCredit(account="bob", spoke="sol", amount=1_000),  # SPOKE_PAUSED
        *deliver(8),  # reports still arrive
        SetCap(spoke="sol", cap=0),  # CAP_BELOW_ALLOCATION: carol's 1000 is still there
        SetCap(spoke="sol", cap=1_000),
    ),
)
