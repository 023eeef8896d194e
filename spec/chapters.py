"""Conformance chapters (CONF-5): which action kinds each chapter of a build covers.

A build under test declares the chapters it implements; a test vector or a campaign
step requires the chapters of the action kinds it uses, and the harness sends a build
only what its declared chapters allow.
"""

from collections.abc import Iterable
from typing import Literal, get_args

from spec.params import Params

Chapter = Literal[
    "hub",
    "spokes",
    "messaging",
    "adversary",
    "liquidation",
    "oracle",
    "risk",
    "governance",
    "liveness",
    "listing",
    "channels",
    "finality",
]

CHAPTERS: tuple[Chapter, ...] = get_args(Chapter)
"""Every chapter, in declaration order."""

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
    "Deliver": "messaging",
    "Inject": "adversary",
    "ForceSettle": "liveness",
    "ListSpoke": "listing",
    "DelistSpoke": "listing",
    "RemoveSpoke": "listing",
    "Halt": "finality",
    "Resume": "finality",
    "Reorg": "finality",
    "PayOut": "hub",
}
"""CONF-5: action kind -> the chapter that covers it."""


def uses_channels(params: Params | None) -> bool:
    """CONF-5, CHAN-1, RATE-1: the parameters declare ordered channels or a rate limit, which
    only a build implementing the `channels` chapter can follow."""
    return params is not None and (
        params.channel_ordering == "ordered" or any(s.rate_limit for s in params.spokes)
    )


def uses_finality(params: Params | None) -> bool:
    """CONF-5, FIN-1: some spoke declares a finality delay, which only a build implementing
    the `finality` chapter can follow."""
    return params is not None and any(s.finality_s for s in params.spokes)


def required_chapters(kinds: Iterable[str], params: Params | None = None) -> tuple[Chapter, ...]:
    """CONF-5: the chapters a run of these action kinds requires under these parameters (the
    `channels` chapter when they use ordered channels or rate limits, the `finality` chapter
    when a spoke declares a finality delay), in CHAPTERS order."""
    needed = {CHAPTER_OF[k] for k in kinds} | ({"channels"} if uses_channels(params) else set())
    needed |= {"finality"} if uses_finality(params) else set()
    return tuple(c for c in CHAPTERS if c in needed)
