"""`netting`: one account long ETH on one venue, short ETH and long puts on two others.

The hub margins the account's positions on all spokes together (the portfolio
method nets them across venues, RISK-8), so the hedge lowers what the account
must hold.  Each spoke, on the other hand, only sees its own book: its local
initial-margin check cannot count a hedge held elsewhere.
"""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import AdvanceTime, Deposit, GrantCredit, Liquidate, Trade
from spec.examples import example_params

STORY = (
    "Alice goes long 10 ETH-PERP on arb, then hedges: short 6 ETH-PERP on base and long "
    "4 ETH-P-1800 puts on sol. Watch her requirement at the hub fall as each hedge report "
    "arrives: the hub nets the three venues into one portfolio. A spoke cannot see the "
    "hedge: base refuses a further short its own credit line cannot margin. ETH dips to "
    "1900 and she stays healthy. The summary compares the netted (cross-venue) "
    "maintenance margin with the sum of each venue's isolated margin: the difference is "
    "the capital netting saves."
)

NETTING = Scenario(
    name="netting",
    title="Cross-venue hedge: netted vs isolated margin",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=20_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=5_000),  # -> 1
        GrantCredit(account="alice", spoke="base", amount=3_000),  # -> 2
        GrantCredit(account="alice", spoke="sol", amount=500),  # -> 3
        *deliver(1, 2, 3),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 4
        *deliver(4),
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=-6, price=2_000),  # -> 5
        *deliver(5),
        Trade(spoke="sol", account="alice", market="ETH-P-1800", qty=4, price=50),  # -> 6
        *deliver(6),
        # Shorting 4 more would flatten the account's delta, but base margins only its own
        # book: 10 short lots need more initial margin than base's line of 3000.
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=-4, price=2_000),
        AdvanceTime(seconds=30),
        *eth_price(1_900),
        Liquidate(account="alice"),  # rejected ACCOUNT_HEALTHY
    ),
)
