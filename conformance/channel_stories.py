"""The vectors of the `channels` chapter: both channel options and the rate limit (CHAN-1..CHAN-5,
RATE-1..RATE-6), as stories (CONF-9).

Each runs under parameters that declare the option it shows (so its case requires the
`channels` chapter, CONF-5), except `unordered-any-order`, the same moves on the default
unordered bag for contrast.  Message ids are known in advance (MSG-9).
"""

from conformance.stories import ACCEPTED, Story, dl, eth, ignored, inject, rejected, usd
from intermargin.fuzzing.strategies import PARAMS
from spec.actions import AdvanceTime, GrantCredit, PauseSpoke, Trade, UnpauseSpoke
from spec.errors import Error
from spec.messages import LossClaim
from spec.params import Params, RateLimitParams

SMALL_BUCKET = RateLimitParams(capacity=1_000, refill_per_s=10)
"""arb's bucket in these stories: one loss of 800 leaves 200, short of a second one."""


def variant(ordered: bool, rated: bool) -> Params:
    """The fuzzing parameters, ordered or not, with arb rate limited by SMALL_BUCKET or not."""
    spokes = tuple(
        s.model_copy(update={"rate_limit": SMALL_BUCKET if rated and s.id == "arb" else None})
        for s in PARAMS.spokes
    )
    ordering = "ordered" if ordered else "unordered"
    return PARAMS.model_copy(update={"spokes": spokes, "channel_ordering": ordering})


ORDERED = variant(ordered=True, rated=False)
RATED = variant(ordered=False, rated=True)
BOTH = variant(ordered=True, rated=True)

TWO_GRANTS = (
    usd(5_000),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=1_000),  # -> 1
    GrantCredit(account="alice", spoke="arb", amount=1_000),  # -> 2
)

LOSS_CLAIMED = (
    usd(5_000),
    *eth(2_000),
    GrantCredit(account="alice", spoke="arb", amount=2_000),  # -> 1
    *dl(1),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=4, price=2_000),  # report -> 2
    *dl(2),
    *eth(1_800),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-4, price=1_800),  # -> 3, 4
)
"""Alice loses 800 on arb: arb's loss claim of 800 is 3 and its report 4, both in flight."""

TWO_LOSSES = (
    *LOSS_CLAIMED,
    *dl(3, 4),  # the first claim passes: arb's bucket 1000 -> 200
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=1_800),  # report -> 5
    *dl(5),
    *eth(1_600),
    Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_600),  # -> 6, 7
)
"""... and loses 400: the claim 6 and the report 7 are in flight, arb's bucket holds 200."""

CHANNEL_STORIES: tuple[Story, ...] = (
    Story(
        "out-of-order",
        "channels",
        "unit",
        "OUT_OF_ORDER: on an ordered channel only the head can be delivered",
        (*TWO_GRANTS, *dl(2)),
        rejected(Error.OUT_OF_ORDER),
        params=ORDERED,
    ),
    Story(
        "unordered-any-order",
        "channels",
        "unit",
        "on the default unordered bag any message in flight can be delivered",
        (*TWO_GRANTS, *dl(2, 1)),
        ACCEPTED,
    ),
    Story(
        "requeue-refused-head",
        "channels",
        "unit",
        "a head the hub refuses (SPOKE_PAUSED) is requeued at the back under a new id",
        (*LOSS_CLAIMED, PauseSpoke(spoke="arb"), *dl(3)),
        ignored(Error.SPOKE_PAUSED),
        params=ORDERED,
    ),
    Story(
        "behind-a-refused-head",
        "channels",
        "adversarial",
        "the messages behind a refused head are delivered; the requeued one after the unpause",
        (*LOSS_CLAIMED, PauseSpoke(spoke="arb"), *dl(3, 4), UnpauseSpoke(spoke="arb"), *dl(5)),
        ACCEPTED,
        params=ORDERED,
    ),
    Story(
        "injection-bypasses-channel",
        "channels",
        "adversarial",
        "an injected message is on no channel: a compromised arb's claim lands at once, ahead "
        "of the older messages in flight on arb -> hub",
        (*LOSS_CLAIMED, inject("arb", LossClaim(account="alice", amount=100))),
        ACCEPTED,
        params=ORDERED,
    ),
    Story(
        "rate-limited-claim",
        "channels",
        "unit",
        "RATE_LIMITED: a loss claim above the partition's bucket waits in flight",
        (*TWO_LOSSES, *dl(6)),
        rejected(Error.RATE_LIMITED),
        params=RATED,
    ),
    Story(
        "bucket-refills",
        "channels",
        "unit",
        "time refills the bucket (10 per second: 200 + 200 after 20 s) and the waiting claim "
        "passes",
        (*TWO_LOSSES, *dl(6, 7), AdvanceTime(seconds=20), *eth(1_600), *dl(6)),
        ACCEPTED,
        params=RATED,
    ),
    Story(
        "rate-limited-head-requeued",
        "channels",
        "adversarial",
        "on an ordered, rate-limited channel a claim above the bucket is requeued, the report "
        "behind it delivered, and the claim paid once the bucket has refilled",
        (*TWO_LOSSES, *dl(6, 7), AdvanceTime(seconds=20), *eth(1_600), *dl(8)),
        ACCEPTED,
        params=BOTH,
    ),
)
