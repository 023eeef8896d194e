"""`partial-liquidation`: a spoke closes the least that restores an account (FLOW-PART-1..7)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import Deposit, GrantCredit, PartialLiquidate, Trade
from spec.examples import example_params

STORY = (
    "Alice backs a long 6 ETH-PERP on arb with a 2100 USD line (the initial margin of six "
    "lots at 2000 is 2079). ETH falls to 1900: her local equity (2100 - 600 = 1500) no "
    "longer covers the book's maintenance margin there (1796), so a keeper's "
    "PartialLiquidate has arb close perpetual lots at the mark until local equity, less a "
    "1% penalty on the notional closed, is back above maintenance plus 10%. One lot is not "
    "enough (1481 against 1646 needed); two are (1462 against 1317): two lots are closed, "
    "200 of loss realized and a 38 penalty charged, the 238 claimed against the line at "
    "once (the hub pays it from her collateral: 3000 -> 2762) and a report sent, as after "
    "a trade. Four lots live on; a second PartialLiquidate "
    "is refused ACCOUNT_HEALTHY. No margin call was sent and the hub never liquidated."
)

PARTIAL = Scenario(
    name="partial-liquidation",
    title="A partial liquidation closes the least that restores health",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=3_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=2_100),  # -> 1
        *deliver(1),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=6, price=2_000),  # -> 2
        *deliver(2),
        *eth_price(1_900),
        PartialLiquidate(spoke="arb", account="alice"),  # -> 3 LossClaim, 4 ExposureReport
        *deliver(3, 4),
        PartialLiquidate(spoke="arb", account="alice"),  # ACCOUNT_HEALTHY
    ),
)
