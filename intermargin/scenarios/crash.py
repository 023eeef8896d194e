"""`crash`: ETH falls 15% on all feeds; an account long on three spokes is liquidated
while the network reorders, delays and replays the liquidation's messages."""

from intermargin.scenarios.scenario import Scenario, deliver
from spec.actions import (
    AdvanceTime,
    Deposit,
    GrantCredit,
    Liquidate,
    PublishPrice,
    Trade,
)
from spec.examples import example_params

STORY = (
    "Alice backs long ETH-PERP positions on arb, base and sol with USD and ETH collateral. "
    "ETH falls from 2000 to 1700 (each feed a little differently; the oracle takes the "
    "median), and the hub finds her unhealthy. Liquidate sends a margin call to every "
    "spoke. The network delivers them out of order (sol first), delivers an old base "
    "report after a newer one (ignored as stale), and replays an answer. Base, once "
    "called, refuses a risk-increasing trade; the hub refuses a grant. When the last "
    "answer arrives the hub settles: losses paid to each spoke's partition from "
    "collateral, a 5% penalty on the requirement into the insurance fund."
)

CRASH = Scenario(
    name="crash",
    title="Price crash and a cross-spoke liquidation under reordering",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=11_000),
        Deposit(account="alice", asset="ETH", amount=2),
        PublishPrice(feed="chainlink", price=2_000),
        PublishPrice(feed="pyth", price=2_000),
        PublishPrice(feed="redstone", price=2_000),
        GrantCredit(account="alice", spoke="arb", amount=4_000),  # -> 1
        GrantCredit(account="alice", spoke="base", amount=4_000),  # -> 2
        GrantCredit(account="alice", spoke="sol", amount=4_000),  # -> 3
        *deliver(1, 2, 3),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 4
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=8, price=2_000),  # -> 5
        Trade(spoke="sol", account="alice", market="ETH-PERP", qty=6, price=2_000),  # -> 6
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=2, price=2_000),  # -> 7
        *deliver(4, 7, 6),  # base's first report (5) is held back
        AdvanceTime(seconds=30),
        PublishPrice(feed="chainlink", price=1_700),
        PublishPrice(feed="pyth", price=1_690),
        PublishPrice(feed="redstone", price=1_720),
        Liquidate(account="alice"),  # -> margin calls 8 (arb), 9 (base), 10 (sol)
        *deliver(10),  # sol obeys first -> answer 11
        *deliver(11),  # the hub takes sol's answer
        *deliver(5),  # base's old report, seq 1 after seq 2: ignored STALE_REPORT
        *deliver(8),  # arb obeys -> answer 12
        *deliver(9),  # base obeys -> answer 13
        # base has obeyed the call: no risk-increasing trade; the hub grants nothing
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=1, price=1_700),
        GrantCredit(account="alice", spoke="arb", amount=100),
        *deliver(13),  # base's answer before arb's
        *deliver(12),  # the last answer: the hub settles
        *deliver(12),  # replayed: ALREADY_DELIVERED
    ),
)
