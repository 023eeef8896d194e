"""`param-notice`: governance tightens the ETH haircut with a day's notice; the accounts it
would have made unhealthy top up or reduce in the notice period, the change applies when
due, and nobody is liquidated by surprise (GOV-NOTICE-1..5, INV-NOTICE-1..2)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    AdvanceTime,
    ApplyParamChange,
    Deposit,
    GrantCredit,
    Liquidate,
    ProposeParamChange,
    SendReport,
    Trade,
)
from spec.examples import example_params

PARAMS = example_params()
NOTICE = PARAMS.notice_s
TIGHTER = 5_500
"""The ETH haircut announced (declared: 1_000): at it, 1 ETH backs 900 of value at 2_000,
less than the 945 that three perpetual lots need, so both accounts would be unhealthy."""

STORY = (
    "Alice (on arb) and bob (on base) each back three long ETH perpetuals with one ETH. "
    "Governance wants the ETH haircut at 55% instead of 10%: at that haircut both accounts "
    "would be unhealthy. Applying it at once is refused NOTICE_TOO_SHORT, so it is "
    "announced to take effect in a day (the notice period), and an early apply is refused "
    "CHANGE_NOT_DUE. In the notice period alice tops up with 500 USD and bob closes two of "
    "his three lots. A day later the change takes effect: both accounts are still healthy, "
    "and a keeper's liquidations are refused. A loosening (sol's latency 60 s -> 30 s) may "
    "take effect at once."
)

PARAM_NOTICE = Scenario(
    name="param-notice",
    title="A haircut tightened with notice: nobody is liquidated by surprise",
    story=STORY,
    params=PARAMS,
    actions=(
        Deposit(account="alice", asset="ETH", amount=1),
        Deposit(account="bob", asset="ETH", amount=1),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=1_200),  # -> 1
        GrantCredit(account="bob", spoke="base", amount=1_200),  # -> 2
        *deliver(1, 2),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=3, price=2_000),  # -> 3
        Trade(spoke="base", account="bob", market="ETH-PERP", qty=3, price=2_000),  # -> 4
        *deliver(3, 4),
        ProposeParamChange(param="haircut_bps", target="ETH", value=TIGHTER, effective_at=0),
        ProposeParamChange(param="haircut_bps", target="ETH", value=TIGHTER, effective_at=NOTICE),
        ApplyParamChange(param="haircut_bps", target="ETH"),  # CHANGE_NOT_DUE
        Deposit(account="alice", asset="USD", amount=500),  # alice tops up
        Trade(spoke="base", account="bob", market="ETH-PERP", qty=-2, price=2_000),  # -> 5
        *deliver(5),
        AdvanceTime(seconds=NOTICE),
        *eth_price(2_000),
        SendReport(spoke="arb", account="alice"),  # -> 6: fresh books (RISK-AGE-2)
        SendReport(spoke="base", account="bob"),  # -> 7
        *deliver(6, 7),
        ApplyParamChange(param="haircut_bps", target="ETH"),
        Liquidate(account="alice"),  # ACCOUNT_HEALTHY
        Liquidate(account="bob"),  # ACCOUNT_HEALTHY
        ProposeParamChange(param="latency_s", target="sol", value=30, effective_at=NOTICE),
        ApplyParamChange(param="latency_s", target="sol"),
    ),
)
