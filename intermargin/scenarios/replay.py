"""`replay`: duplicated, stale and forged messages change nothing (INV-AMO-1)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    Deposit,
    GrantCredit,
    Inject,
    ReleaseCredit,
    SendReport,
    Trade,
)
from spec.examples import example_params
from spec.messages import CreditGrant, LossClaim, MarginCall

STORY = (
    "Every message alice's credit moves in is delivered twice: the grant, the loss claim "
    "and the release each take effect once, and the second delivery is rejected "
    "ALREADY_DELIVERED with nothing changed (watch the allocation and collateral). An "
    "exposure report delivered after a newer one is ignored as STALE_REPORT, so the hub "
    "never goes back to an old view. Messages forged on channels that do not "
    "authenticate their sender (a spoke granting credit, a spoke claiming from another "
    "spoke, a stranger claiming from the hub, a spoke margin-calling) are rejected "
    "FORGED_SENDER, and an id never sent is UNKNOWN_MESSAGE."
)

REPLAY = Scenario(
    name="replay",
    title="Replays, stale reports and forgeries change nothing",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=10_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=5_000),  # -> 1
        *deliver(1),
        *deliver(1),  # ALREADY_DELIVERED: the line stays 5000
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=5, price=2_000),  # -> 2
        SendReport(spoke="arb", account="alice"),  # -> 3 (seq 2)
        *deliver(3),
        *deliver(2),  # seq 1 after seq 2: ignored STALE_REPORT
        *deliver(2),  # and now ALREADY_DELIVERED
        # closing at 1900 realizes -500: claim -> 4, report -> 5
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-5, price=1_900),
        *deliver(4),
        *deliver(4),  # ALREADY_DELIVERED: collateral is seized once
        *deliver(5),
        ReleaseCredit(spoke="arb", account="alice", amount=2_000),  # -> 6
        *deliver(6),
        *deliver(6),  # ALREADY_DELIVERED: the allocation drops once
        Inject(
            sender="base",
            receiver="arb",
            payload=CreditGrant(account="alice", amount=100_000, epoch=0),
        ),
        Inject(sender="arb", receiver="base", payload=LossClaim(account="alice", amount=1_000)),
        Inject(sender="mallory", receiver="hub", payload=LossClaim(account="alice", amount=1)),
        Inject(sender="base", receiver="arb", payload=MarginCall(account="alice", epoch=1)),
        *deliver(99),  # never sent: UNKNOWN_MESSAGE
    ),
)
