"""`silent-spoke`: a spoke's chain halts during a liquidation; after the deadline a keeper
force-settles, the silent spoke's allocation is charged to its own partition and the
account is free again (LIVE-1..LIVE-6, INV-LIVE-1..INV-LIVE-4)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    AdvanceTime,
    Deposit,
    ForceSettle,
    GrantCredit,
    Liquidate,
    Trade,
    Withdraw,
)
from spec.examples import example_params

PARAMS = example_params()
DEADLINE = PARAMS.liquidation_deadline_s

STORY = (
    "Alice backs long ETH-PERP positions on arb and sol. ETH falls from 2000 to 1700 and "
    "the hub liquidates her: margin calls go to arb, base and sol. Arb and base answer; "
    "sol's chain halts and its call is never delivered, so without a deadline she would "
    "stay frozen for ever. A keeper's ForceSettle is refused before the deadline, then "
    "once more while the quotes are stale. With fresh prices it is accepted: sol's whole "
    "allocation, the most sol could ever claim for her, is seized into sol's own partition, "
    "the pair is severed, the penalty charged, and Alice leaves LIQUIDATING. When sol's chain "
    "resumes, its late answer is ignored SPOKE_SEVERED and counts for nothing; a grant to "
    "sol is refused; a withdrawal goes through."
)

SILENT_SPOKE = Scenario(
    name="silent-spoke",
    title="A spoke silent through a liquidation, force-settled after the deadline",
    story=STORY,
    params=PARAMS,
    actions=(
        Deposit(account="alice", asset="USD", amount=8_000),
        Deposit(account="alice", asset="ETH", amount=2),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=4_000),  # -> 1
        GrantCredit(account="alice", spoke="sol", amount=4_000),  # -> 2
        *deliver(1, 2),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 3
        Trade(spoke="sol", account="alice", market="ETH-PERP", qty=10, price=2_000),  # -> 4
        *deliver(3, 4),
        AdvanceTime(seconds=30),
        *eth_price(1_700),
        Liquidate(account="alice"),  # -> margin calls 5 (arb), 6 (base), 7 (sol)
        *deliver(5, 6),  # arb and base obey -> answers 8, 9; sol's chain has halted
        *deliver(8, 9),  # the hub takes both answers and waits on sol
        ForceSettle(account="alice"),  # rejected DEADLINE_NOT_REACHED
        AdvanceTime(seconds=DEADLINE),
        ForceSettle(account="alice"),  # rejected PRICE_UNAVAILABLE: the quotes are stale
        *eth_price(1_700),
        ForceSettle(account="alice"),  # sol severed, its 4000 charged to its partition
        *deliver(7),  # sol's chain resumes: the old call arrives, sol obeys -> answer 10
        *deliver(10),  # ignored SPOKE_SEVERED
        GrantCredit(account="alice", spoke="sol", amount=100),  # rejected SPOKE_SEVERED
        Withdraw(account="alice", asset="ETH", amount=1),
    ),
)
