"""Conformance chapters (CONF-5): which action kinds each chapter of a build covers.

A build under test declares the chapters it implements; a test vector or a campaign
step requires the chapters of the action kinds it uses, and the harness sends a build
only what its declared chapters allow.
"""

from collections.abc import Iterable
from typing import Literal

Chapter = Literal[
    "hub", "spokes", "messaging", "adversary", "liquidation", "oracle", "risk", "governance"
]

CHAPTERS: tuple[Chapter, ...] = (
    "hub",
    "spokes",
    "messaging",
    "adversary",
    "liquidation",
    "oracle",
    "risk",
    "governance",
)

CHAPTER_OF: dict[str, Chapter] = {
    "Deposit": "hub",
    "Withdraw": "hub",
    "GrantCredit": "hub",
    "ReleaseCredit": "spokes",
    "SendReport": "spokes",
    "Trade": "risk",
    "PublishPrice": "oracle",
    "AdvanceTime": "oracle",
    "Liquidate": "liquidation",
    "SetCap": "governance",
    "PauseSpoke": "governance",
    "UnpauseSpoke": "governance",
    "PayOut": "hub",
    "Deliver": "messaging",
    "Inject": "adversary",
}
"""CONF-5: action kind -> the chapter that covers it."""


def required_chapters(kinds: Iterable[str]) -> tuple[Chapter, ...]:
    """CONF-5: the chapters a run of these action kinds requires, in CHAPTERS order."""
    needed = {CHAPTER_OF[k] for k in kinds}
    return tuple(c for c in CHAPTERS if c in needed)
