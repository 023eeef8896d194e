"""`ordered-channel`: on nonce-ordered channels a refused message is requeued at the back of
its channel and never blocks the messages behind it (CHAN-1..CHAN-5, INV-CHAN-1)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    Deposit,
    GrantCredit,
    PauseSpoke,
    ReleaseCredit,
    SendReport,
    Trade,
    UnpauseSpoke,
)
from spec.examples import example_params

STORY = (
    "The channels are ordered (channel_ordering: ordered), as LayerZero and IBC ORDERED "
    "channels are: per (sender, receiver) only the oldest message in flight can be "
    "delivered. The hub grants alice and bob credit on arb; a relayer that tries bob's grant "
    "first is refused OUT_OF_ORDER. Alice loses on a trade and arb claims the loss; "
    "governance pauses arb just before the claim lands, so the hub refuses it "
    "(SPOKE_PAUSED). On an ordered channel that refusal would block arb's channel for "
    "good; here the claim is requeued at the back under a new id (ignored, emitted: the new "
    "id), and the report, bob's release and a later report behind it are delivered. Once arb "
    "is unpaused the requeued claim is paid; its old id replays as ALREADY_DELIVERED. The "
    "network ends empty and every ledger agrees with the spokes."
)

ORDERED_CHANNEL = Scenario(
    name="ordered-channel",
    title="A refused message does not block its ordered channel",
    story=STORY,
    params=example_params().model_copy(update={"channel_ordering": "ordered"}),
    actions=(
        Deposit(account="alice", asset="USD", amount=20_000),
        Deposit(account="bob", asset="USD", amount=10_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=5_000),  # -> 1
        GrantCredit(account="bob", spoke="arb", amount=3_000),  # -> 2
        *deliver(2),  # OUT_OF_ORDER: 1 is the head of hub -> arb
        *deliver(1, 2),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 3
        *deliver(3),
        *eth_price(1_800),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-10, price=1_800),  # -> 4, 5
        ReleaseCredit(spoke="arb", account="bob", amount=1_000),  # -> 6
        SendReport(spoke="arb", account="bob"),  # -> 7
        PauseSpoke(spoke="arb"),
        *deliver(5),  # OUT_OF_ORDER: the claim 4 is the head of arb -> hub
        *deliver(4),  # SPOKE_PAUSED: the claim is requeued as 8
        *deliver(5, 6, 7),  # the messages behind it go through
        UnpauseSpoke(spoke="arb"),
        *deliver(8),  # the requeued claim is paid
        *deliver(4),  # ALREADY_DELIVERED: its old id
    ),
)
