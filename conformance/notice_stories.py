"""The vectors of the `notice` chapter (GOV-NOTICE-1..3, PAR-25..26): one per outcome of
ProposeParamChange and ApplyParamChange, and a tightening that takes effect when due.

Kept beside `conformance.stories`, which gathers them with its own (`stories()`).
"""

from conformance.stories import ACCEPTED, Story, rejected
from intermargin.fuzzing.strategies import PARAMS
from spec.actions import AdvanceTime, ApplyParamChange, ProposeParamChange
from spec.errors import Error

NOTICE = PARAMS.notice_s

TIGHTEN = ProposeParamChange(param="haircut_bps", target="ETH", value=2_000, effective_at=NOTICE)
"""ETH's haircut 1000 -> 2000 announced with exactly the notice period (PAR-25)."""
APPLY = ApplyParamChange(param="haircut_bps", target="ETH")

NOTICE_STORIES: tuple[Story, ...] = (
    Story(
        "tighten-with-notice",
        "notice",
        "unit",
        "a tightening announced with the notice period",
        (TIGHTEN,),
        ACCEPTED,
    ),
    Story(
        "tighten-without-notice",
        "notice",
        "unit",
        "NOTICE_TOO_SHORT: a tightening due before the notice period ends",
        (TIGHTEN.model_copy(update={"effective_at": NOTICE - 1}),),
        rejected(Error.NOTICE_TOO_SHORT),
    ),
    Story(
        "loosen-at-once",
        "notice",
        "unit",
        "a loosening (sol's latency 60 s -> 30 s) announced and applied at once",
        (
            ProposeParamChange(param="latency_s", target="sol", value=30, effective_at=0),
            ApplyParamChange(param="latency_s", target="sol"),
        ),
        ACCEPTED,
    ),
    Story(
        "apply-unannounced",
        "notice",
        "unit",
        "NO_CHANGE_SCHEDULED: nothing announced for the parameter",
        (APPLY,),
        rejected(Error.NO_CHANGE_SCHEDULED),
    ),
    Story(
        "apply-early",
        "notice",
        "unit",
        "CHANGE_NOT_DUE: a tightening applied a second before its time",
        (TIGHTEN, AdvanceTime(seconds=NOTICE - 1), APPLY),
        rejected(Error.CHANGE_NOT_DUE),
    ),
    Story(
        "apply-when-due",
        "notice",
        "unit",
        "a tightening takes effect at its time",
        (TIGHTEN, AdvanceTime(seconds=NOTICE), APPLY),
        ACCEPTED,
    ),
    Story(
        "change-unknown-spoke",
        "notice",
        "unit",
        "UNKNOWN_SPOKE: a latency is a spoke's",
        (ProposeParamChange(param="latency_s", target="ETH", value=30, effective_at=NOTICE),),
        rejected(Error.UNKNOWN_SPOKE),
    ),
)
