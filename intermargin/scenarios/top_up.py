"""`top-up`: a margin call met in its window, and no liquidation (FLOW-CALL-1..4)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import AdvanceTime, Deposit, GrantCredit, Liquidate, Trade, Withdraw
from spec.examples import example_params

WINDOW_S = 600
"""The top-up window the scenario declares: ten minutes."""

STORY = (
    "The parameters declare a ten-minute top-up window. Alice backs a long 2 ETH-PERP on "
    "arb with 1000 USD; ETH falls to 1700 and her net equity (400) no longer covers her "
    "requirement (539), but it is above half of it (the call floor), so a keeper's "
    "Liquidate only opens a top-up call stamped with the time: no margin call is sent. "
    "Liquidating again at once is refused IN_TOP_UP_WINDOW; while the call is open no "
    "credit leaves the hub (a withdrawal and a grant are refused MARGIN_CALLED). Twenty "
    "seconds later alice tops up 50 USD: not enough, the call stays open; then 500 more: "
    "her account is healthy again, the call closes, and the keeper's next Liquidate is "
    "refused ACCOUNT_HEALTHY. No spoke was ever called: her position lives on."
)

TOP_UP = Scenario(
    name="top-up",
    title="A margin call met in its window: no liquidation",
    story=STORY,
    params=example_params().model_copy(update={"top_up_window_s": WINDOW_S}),
    actions=(
        Deposit(account="alice", asset="USD", amount=1_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=900),  # -> 1
        *deliver(1),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),  # -> 2
        *deliver(2),
        *eth_price(1_700),
        Liquidate(account="alice"),  # opens the call: nothing sent
        Liquidate(account="alice"),  # IN_TOP_UP_WINDOW
        Withdraw(account="alice", asset="USD", amount=100),  # MARGIN_CALLED
        GrantCredit(account="alice", spoke="base", amount=100),  # MARGIN_CALLED
        AdvanceTime(seconds=20),
        *eth_price(1_700),
        Deposit(account="alice", asset="USD", amount=50),  # still unhealthy: the call stays
        Deposit(account="alice", asset="USD", amount=500),  # healthy: the call closes
        Liquidate(account="alice"),  # ACCOUNT_HEALTHY
    ),
)
