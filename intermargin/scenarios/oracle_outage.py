"""`oracle-outage`: the feeds go stale, then disagree; everything that needs a price
fails closed, risk-reducing trades go on, and a liquidation waits for prices."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    AdvanceTime,
    Deposit,
    GrantCredit,
    Liquidate,
    PublishPrice,
    Trade,
    Withdraw,
)
from spec.examples import example_params

STORY = (
    "Alice is long ETH-PERP on arb and base. The feeds stop publishing; after max_age "
    "(60 s) no quote is fresh, so the hub has no ETH price: a grant, a withdrawal and a "
    "risk-increasing trade are rejected PRICE_UNAVAILABLE, while a risk-reducing trade "
    "goes through. Prices come back one by one: one feed is below quorum, two that "
    "disagree leave one after the outlier is dropped, three give a price again (1600): "
    "alice is unhealthy and is liquidated. The feeds go stale again before the margin "
    "calls arrive: arb's call waits in flight, sol's (nothing to price) is answered. "
    "When prices return the liquidation completes and a withdrawal succeeds."
)

ORACLE_OUTAGE = Scenario(
    name="oracle-outage",
    title="Stale and outlying feeds: fail closed, then recover",
    story=STORY,
    params=example_params(),
    actions=(
        Deposit(account="alice", asset="USD", amount=9_500),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=4_000),  # -> 1
        GrantCredit(account="alice", spoke="base", amount=4_000),  # -> 2
        *deliver(1, 2),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 3
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=8, price=2_000),  # -> 4
        *deliver(3, 4),
        AdvanceTime(seconds=61),  # every quote is now older than max_age
        GrantCredit(account="alice", spoke="sol", amount=500),
        Withdraw(account="alice", asset="USD", amount=100),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=1, price=2_000),
        # reducing risk needs no price: closing 3 lots at 1990 realizes -30 -> claim 5, report 6
        Trade(spoke="base", account="alice", market="ETH-PERP", qty=-3, price=1_990),
        *deliver(5, 6),
        PublishPrice(feed="chainlink", price=1_600),  # one fresh quote, quorum is two
        Liquidate(account="alice"),
        PublishPrice(feed="pyth", price=1_900),  # 1900 is an outlier around 1600
        Liquidate(account="alice"),
        PublishPrice(feed="redstone", price=1_610),  # 1600 and 1610 agree: price 1600
        Liquidate(account="alice"),  # -> margin calls 7 (arb), 8 (base), 9 (sol)
        AdvanceTime(seconds=61),
        *deliver(7),  # PRICE_UNAVAILABLE: the call stays in flight
        *deliver(9),  # sol holds nothing to price: it answers -> 10
        *deliver(10),
        *eth_price(1_600),
        *deliver(7, 8),  # -> answers 11 (arb), 12 (base)
        *deliver(12, 11),  # the hub settles
        Withdraw(account="alice", asset="USD", amount=1_000),
    ),
)
