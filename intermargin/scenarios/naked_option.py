"""`naked-option`: writing an out-of-the-money call needs margin (SPAN-5, SPAN-2, RISK-1).

Marked at intrinsic value, a call struck beyond the scan's extreme move is worth 0
in every scenario, so writing any number of them needed no margin at all.  Priced
by Black-Scholes and repriced in the scan at shifted volatility, with a short
option minimum per lot, the oversized write is refused and a modest or covered
write goes through.
"""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import AdvanceTime, Deposit, GrantCredit, Liquidate, Trade
from spec.examples import example_params

STORY = (
    "ETH is at 2000 and ETH-C-3000 is struck beyond the scan's extreme move (2000 + 3 x "
    "15% = 2900). Marked at intrinsic value such a call needed no margin: carol, with no "
    "credit at all, and bob, with a 1000 line, could each write 100 000 of them for a "
    "premium of 8. Priced by Black-Scholes, repriced in every scenario at shifted "
    "volatility and charged a short option minimum of 1% of the price a lot, both "
    "writes are refused. Bob's write of 10 fits his line; alice, long 10 ETH-PERP, "
    "writes 10 covered calls, but not 100 000. ETH rises to 2400: the writers lose on "
    "their calls and stay healthy, because their margin already covered the move."
)

NAKED_OPTION = Scenario(
    name="naked-option",
    title="An out-of-the-money write needs margin: naked refused, covered accepted",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="bob", asset="USD", amount=5_000),
        Deposit(account="alice", asset="USD", amount=10_000),
        *eth_price(2_000),
        GrantCredit(account="bob", spoke="arb", amount=1_000),  # -> 1
        GrantCredit(account="alice", spoke="base", amount=4_000),  # -> 2
        *deliver(1, 2),
        # carol has no credit line anywhere; bob's line is 1000: both refused
        Trade(spoke="sol", account="carol", market="ETH-C-3000", qty=-100_000, price=8),
        Trade(spoke="arb", account="bob", market="ETH-C-3000", qty=-100_000, price=8),
        Trade(spoke="arb", account="bob", market="ETH-C-3000", qty=-10, price=8),  # -> 3
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 4
        Trade(spoke="base", account="alice", market="ETH-C-3000", qty=-10, price=8),  # -> 5
        Trade(spoke="base", account="alice", market="ETH-C-3000", qty=-100_000, price=8),
        *deliver(3, 4, 5),
        AdvanceTime(seconds=30),
        *eth_price(2_400),
        Liquidate(account="bob"),  # rejected ACCOUNT_HEALTHY
        Liquidate(account="alice"),  # rejected ACCOUNT_HEALTHY
    ),
)
