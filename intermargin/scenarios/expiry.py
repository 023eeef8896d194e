"""`expiry`: an option settles at the price fixed at its expiry (PRC-13, PRC-14).

At the first oracle step at or after an option's expiry that has a price, the oracle
records that price as the option's expiry price.  From then on the option is worth its
intrinsic value at that price whatever the underlying does: no scan risk, no buffer,
no short option minimum.
"""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import AdvanceTime, Deposit, GrantCredit, Liquidate, SendReport, Trade
from spec.examples import example_params

EXPIRY = 2_592_000
"""The example parameters' first option expiry (ETH-C-2000, ETH-P-1800, ETH-C-3000)."""

STORY = (
    "ETH is at 2000. Alice buys 10 ETH-C-2000 from bob for a premium of 150 a lot. Thirty"
    " seconds before the expiry ETH is at 2300 and both spokes report; time reaches the "
    "expiry with those quotes still fresh, so the oracle fixes 2300 as the expiry price "
    "of the three options expiring then. ETH then rallies to 4000. Valued at the current "
    "price, bob's short call would owe 20 000 and liquidate him; settled at the fixed "
    "price it owes 3000 (intrinsic 300 a lot), whatever the price does, and bob stays "
    "healthy. Both close the settled call at 300: alice realizes a profit of 1500, bob's "
    "spoke claims his loss of 1500 against his line."
)

EXPIRY_SCENARIO = Scenario(
    name="expiry",
    title="An option settles at its expiry price, not at the price after it",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=5_000),
        Deposit(account="bob", asset="USD", amount=6_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=3_000),  # -> 1
        GrantCredit(account="bob", spoke="base", amount=4_000),  # -> 2
        *deliver(1, 2),
        Trade(spoke="arb", account="alice", market="ETH-C-2000", qty=10, price=150),  # -> 3
        Trade(spoke="base", account="bob", market="ETH-C-2000", qty=-10, price=150),  # -> 4
        *deliver(3, 4),
        AdvanceTime(seconds=EXPIRY - 30),
        *eth_price(2_300),
        SendReport(spoke="arb", account="alice"),  # -> 5
        SendReport(spoke="base", account="bob"),  # -> 6
        *deliver(5, 6),
        AdvanceTime(seconds=30),  # now = expiry: the expiry price is fixed at 2300
        *eth_price(4_000),
        Liquidate(account="bob"),  # rejected ACCOUNT_HEALTHY: the call owes 300 a lot
        Trade(spoke="arb", account="alice", market="ETH-C-2000", qty=-10, price=300),  # -> 7
        Trade(spoke="base", account="bob", market="ETH-C-2000", qty=10, price=300),  # -> 8, 9
        *deliver(7, 8, 9),
    ),
)
