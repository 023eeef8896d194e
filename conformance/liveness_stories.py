"""The hand-written vectors of the liveness chapter: force-settle refused and accepted, and
what a severed spoke can still try (LIVE-1..LIVE-7, CONF-9).

Built on `conformance.stories.LIQUIDATING` (alice liquidating under epoch 1, margin calls
3 to arb, 4 to base, 5 to sol): arb answers (6), base and sol stay silent.
"""

from conformance.stories import ACCEPTED, LIQUIDATING, Story, dl, eth, ignored, inject, rejected
from intermargin.fuzzing.strategies import PARAMS
from spec.actions import AdvanceTime, Deposit, ForceSettle, GrantCredit, Liquidate
from spec.errors import Error
from spec.messages import ExposureReport
from spec.params import Params, RateLimitParams

ONLY_ARB_ANSWERS = (*LIQUIDATING, *dl(3), *dl(6))
"""arb obeys its call and its answer (6) is taken; base and sol never answer."""

PAST_DEADLINE = (
    *ONLY_ARB_ANSWERS,
    AdvanceTime(seconds=PARAMS.liquidation_deadline_s),
    *eth(1_500),
)
"""... and the deadline has passed, with fresh quotes."""

FORCE_SETTLED = (*PAST_DEADLINE, ForceSettle(account="alice"))
"""... and a keeper force-settled: base and sol are severed from alice."""

ARB_SILENT_PAST_DEADLINE = (
    *LIQUIDATING,
    *dl(4, 5),  # base and sol obey their calls: answers 6 and 7
    *dl(6, 7),
    AdvanceTime(seconds=PARAMS.liquidation_deadline_s),
    *eth(1_500),
)
"""alice liquidating, base and sol answered, arb (900 allocated) silent past the deadline."""


def arb_bucket(capacity: int) -> Params:
    """The fuzzing parameters with arb rate limited by a bucket of `capacity` (RATE-1)."""
    limit = RateLimitParams(capacity=capacity, refill_per_s=1)
    spokes = tuple(
        s.model_copy(update={"rate_limit": limit if s.id == "arb" else None}) for s in PARAMS.spokes
    )
    return PARAMS.model_copy(update={"spokes": spokes})


LIVENESS: tuple[Story, ...] = (
    Story(
        "force-settle",
        "liveness",
        "unit",
        "after the deadline, a force-settle severs the silent spokes and settles",
        FORCE_SETTLED,
        ACCEPTED,
    ),
    Story(
        "force-settle-not-liquidating",
        "liveness",
        "unit",
        "NOT_LIQUIDATING on a force-settle",
        (ForceSettle(account="alice"),),
        rejected(Error.NOT_LIQUIDATING),
    ),
    Story(
        "force-settle-before-deadline",
        "liveness",
        "unit",
        "DEADLINE_NOT_REACHED: a keeper cannot cut the spokes' time short",
        (*ONLY_ARB_ANSWERS, ForceSettle(account="alice")),
        rejected(Error.DEADLINE_NOT_REACHED),
    ),
    Story(
        "force-settle-without-prices",
        "liveness",
        "unit",
        "PRICE_UNAVAILABLE: after the deadline, with ETH to seize and the quotes stale",
        (
            *ONLY_ARB_ANSWERS,
            Deposit(account="alice", asset="ETH", amount=1),
            AdvanceTime(seconds=PARAMS.liquidation_deadline_s),
            ForceSettle(account="alice"),
        ),
        rejected(Error.PRICE_UNAVAILABLE),
    ),
    Story(
        "late-answer-severed",
        "liveness",
        "adversarial",
        "SPOKE_SEVERED: a severed spoke's late answer is consumed and counts for nothing",
        (*FORCE_SETTLED, *dl(4), *dl(7)),  # base obeys its old call -> answer 7
        ignored(Error.SPOKE_SEVERED),
    ),
    Story(
        "grant-to-severed",
        "liveness",
        "unit",
        "SPOKE_SEVERED on a grant to a severed pair",
        (*FORCE_SETTLED, GrantCredit(account="alice", spoke="base", amount=10)),
        rejected(Error.SPOKE_SEVERED),
    ),
    Story(
        "liquidate-after-severance",
        "liveness",
        "adversarial",
        "a later liquidation calls every spoke but waits only on those not severed",
        (
            *FORCE_SETTLED,
            inject("arb", ExposureReport(account="alice", seq=9, balance=-100_000, positions=())),
            Liquidate(account="alice"),
        ),
        ACCEPTED,
    ),
    Story(
        "force-settle-rate-limited",
        "liveness",
        "adversarial",
        "RATE_LIMITED: a silent spoke's allocation (900) past what its bucket holds (500) "
        "is not force-settled (LIVE-9)",
        (*ARB_SILENT_PAST_DEADLINE, ForceSettle(account="alice")),
        rejected(Error.RATE_LIMITED),
        params=arb_bucket(500),
    ),
    Story(
        "force-settle-within-bucket",
        "liveness",
        "adversarial",
        "a silent spoke's allocation within its bucket is force-settled and drawn from it (LIVE-9)",
        (*ARB_SILENT_PAST_DEADLINE, ForceSettle(account="alice")),
        ACCEPTED,
        params=arb_bucket(1_000),
    ),
)
