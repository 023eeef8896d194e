"""The vectors of the `listing` chapter (LIST-1..LIST-4, HUB-GRANT-5): one per outcome of
ListSpoke, DelistSpoke and RemoveSpoke, and the grant a delisted spoke no longer gets.

Kept beside `conformance.stories`, which gathers them with its own (`stories()`).
"""

from conformance.stories import ACCEPTED, Story, dl, rejected, usd
from intermargin.fuzzing.strategies import PARAMS
from spec.actions import DelistSpoke, GrantCredit, ListSpoke, ReleaseCredit, RemoveSpoke
from spec.errors import Error

UNLISTED_SOL = PARAMS.model_copy(
    update={
        "spokes": tuple(
            s.model_copy(update={"listed": False}) if s.id == "sol" else s for s in PARAMS.spokes
        )
    }
)
"""The fuzzing parameters with sol declared but not listed at genesis (LIST-1)."""

DRAINED = (
    usd(1_000),
    GrantCredit(account="alice", spoke="arb", amount=300),
    *dl(1),
    DelistSpoke(spoke="arb"),
    ReleaseCredit(spoke="arb", account="alice", amount=300),
    *dl(2),
)
"""arb held 300 for alice, is delisted, and gets it back: drained, not yet removed."""

# A story whose parameters declare a spoke unlisted holds a listing action, so that only a
# build declaring the `listing` chapter gets it (CONF-5: chapters follow action kinds).
LISTING_STORIES: tuple[Story, ...] = (
    Story(
        "list-spoke",
        "listing",
        "unit",
        "a spoke declared unlisted is listed, then granted credit",
        (usd(1_000), ListSpoke(spoke="sol"), GrantCredit(account="alice", spoke="sol", amount=1)),
        ACCEPTED,
        params=UNLISTED_SOL,
    ),
    Story(
        "grant-to-unlisted-spoke",
        "listing",
        "unit",
        "SPOKE_NOT_LISTED on a grant to a spoke declared unlisted",
        (usd(1_000), ListSpoke(spoke="arb"), GrantCredit(account="alice", spoke="sol", amount=1)),
        rejected(Error.SPOKE_NOT_LISTED),
        params=UNLISTED_SOL,
    ),
    Story(
        "delist-spoke",
        "listing",
        "unit",
        "a spoke is delisted",
        (DelistSpoke(spoke="arb"),),
        ACCEPTED,
    ),
    Story(
        "grant-to-delisted-spoke",
        "listing",
        "unit",
        "SPOKE_NOT_LISTED: a delisted spoke is granted nothing more",
        (usd(1_000), DelistSpoke(spoke="arb"), GrantCredit(account="alice", spoke="arb", amount=1)),
        rejected(Error.SPOKE_NOT_LISTED),
    ),
    Story(
        "relist-spoke",
        "listing",
        "unit",
        "listing a delisted spoke calls off its drain",
        (usd(1_000), DelistSpoke(spoke="arb"), ListSpoke(spoke="arb")),
        ACCEPTED,
    ),
    Story(
        "already-listed",
        "listing",
        "unit",
        "ALREADY_LISTED",
        (ListSpoke(spoke="arb"),),
        rejected(Error.ALREADY_LISTED),
    ),
    Story(
        "delist-delisted",
        "listing",
        "unit",
        "SPOKE_NOT_LISTED on delisting a spoke that is not listed",
        (DelistSpoke(spoke="arb"), DelistSpoke(spoke="arb")),
        rejected(Error.SPOKE_NOT_LISTED),
    ),
    Story(
        "remove-listed",
        "listing",
        "unit",
        "NOT_DELISTED: only a delisted spoke is removed",
        (RemoveSpoke(spoke="arb"),),
        rejected(Error.NOT_DELISTED),
    ),
    Story(
        "remove-undrained",
        "listing",
        "unit",
        "SPOKE_NOT_DRAINED while credit is allocated to the spoke",
        (
            usd(1_000),
            GrantCredit(account="alice", spoke="arb", amount=300),
            DelistSpoke(spoke="arb"),
            RemoveSpoke(spoke="arb"),
        ),
        rejected(Error.SPOKE_NOT_DRAINED),
    ),
    Story(
        "remove-drained",
        "listing",
        "unit",
        "a delisted spoke that gave back its credit is removed",
        (*DRAINED, RemoveSpoke(spoke="arb")),
        ACCEPTED,
    ),
    Story(
        "list-removed",
        "listing",
        "unit",
        "SPOKE_REMOVED: removal is for good",
        (*DRAINED, RemoveSpoke(spoke="arb"), ListSpoke(spoke="arb")),
        rejected(Error.SPOKE_REMOVED),
    ),
)
