"""`hedged`: a perfectly hedged pair across two venues survives a rally that liquidates
its short leg held alone.

Bob is long 5 ETH-PERP on arb and short 5 on base: flat, so his netted scan margin is
0 (RISK-8).  Carol is short 5 on arb alone, with 300 USD less collateral.  The rally
liquidates Carol; her loss, seized for arb's partition, is arb's clearing pool
(RISK-NET-1).  As ETH rallies on, Bob's loss on base counts against him in full, and
his profit on arb counts as far as arb's pool stands behind it (RISK-NET-2,
RISK-NET-3): the losers on a venue back its winners, through the hub.  Without it
Bob's equity would be negative and a keeper would liquidate a flat account.
"""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import AdvanceTime, Deposit, GrantCredit, Liquidate, Trade
from spec.examples import example_params

STORY = (
    "Bob opens a perfect pair: long 5 ETH-PERP on arb, short 5 on base, at 2000, with 4100 "
    "USD at the hub. Carol holds the short alone, on arb, with 3800 USD. ETH "
    "rallies to 2400: Carol is liquidated and her 2000 loss is seized into arb's clearing "
    "pool. ETH rallies on to 2900: Bob's short on base loses 4500, more than his "
    "collateral; his arb profit counts in his health as far as arb's pool (2000) stands "
    "behind it, so he stays healthy (1600 against a 104 buffer, grown over the 60 s since his "
    "spokes last reported) and the keeper's "
    "Liquidate(bob) is refused. His capacity still counts no profit: he can withdraw or "
    "borrow nothing on its strength."
)

HEDGED = Scenario(
    name="hedged",
    title="A hedged pair across venues survives what liquidates a lone leg",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="bob", asset="USD", amount=4_100),
        *eth_price(2_000),
        GrantCredit(account="bob", spoke="arb", amount=2_000),  # -> 1
        GrantCredit(account="bob", spoke="base", amount=2_000),  # -> 2
        *deliver(1, 2),
        Trade(spoke="arb", account="bob", market="ETH-PERP", qty=5, price=2_000),  # -> 3
        Trade(spoke="base", account="bob", market="ETH-PERP", qty=-5, price=2_000),  # -> 4
        *deliver(3, 4),
        Deposit(account="carol", asset="USD", amount=3_800),
        GrantCredit(account="carol", spoke="arb", amount=2_000),  # -> 5
        *deliver(5),
        Trade(spoke="arb", account="carol", market="ETH-PERP", qty=-5, price=2_000),  # -> 6
        *deliver(6),
        AdvanceTime(seconds=30),
        *eth_price(2_400),
        Liquidate(account="carol"),  # -> 7, 8, 9
        *deliver(7, 8, 9),  # -> 10, 11, 12: arb claims carol's 2000 loss
        *deliver(10, 11, 12),
        AdvanceTime(seconds=30),
        *eth_price(2_900),
        Liquidate(account="bob"),  # rejected ACCOUNT_HEALTHY: arb's pool backs his profit
    ),
)
