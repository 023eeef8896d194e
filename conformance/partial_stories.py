"""The hand-written vectors of partial liquidation (FLOW-PART-1..7): a close that restores
an account, and each refusal.  Built on the `partial-liquidation` scenario's account: alice
long 6 ETH-PERP on arb behind a 2100 line, mildly under water once ETH is at 1900."""

from conformance.stories import ACCEPTED, LEVERED, Story, dl, eth, rejected, usd
from spec.actions import AdvanceTime, GrantCredit, PartialLiquidate, Trade
from spec.errors import Error
from spec.examples import example_params

PARAMS = example_params()

LONG_SIX = (
    usd(3_000),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=2_100),  # -> 1
    *dl(1),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=6, price=2_000),  # report -> 2
    *dl(2),
)
"""Alice long 6 ETH-PERP on arb, locally healthy at 2000."""

CLOSE = PartialLiquidate(spoke="arb", account="alice")

PARTIAL_STORIES: tuple[Story, ...] = (
    Story(
        "partial-liquidate",
        "partial",
        "unit",
        "a partial liquidation closes the two lots of six that restore local health",
        (*LONG_SIX, *eth(1_900), CLOSE),
        ACCEPTED,
        PARAMS,
    ),
    Story(
        "partial-healthy",
        "partial",
        "unit",
        "ACCOUNT_HEALTHY: local equity covers the book's maintenance margin",
        (*LONG_SIX, CLOSE),
        rejected(Error.ACCOUNT_HEALTHY),
        PARAMS,
    ),
    Story(
        "partial-not-restorable",
        "partial",
        "unit",
        "NOT_RESTORABLE: closing every perpetual would not restore it; nothing moves",
        (*LEVERED, CLOSE),
        rejected(Error.NOT_RESTORABLE),
        PARAMS,
    ),
    Story(
        "partial-price-unavailable",
        "partial",
        "unit",
        "PRICE_UNAVAILABLE: no price to close at",
        (*LONG_SIX, AdvanceTime(seconds=PARAMS.oracle.max_age_s + 1), CLOSE),
        rejected(Error.PRICE_UNAVAILABLE),
        PARAMS,
    ),
)
"""FLOW-PART-1, FLOW-PART-5, FLOW-PART-7."""
