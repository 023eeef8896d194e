"""The hand-written vectors of the insurance structures (INS-1, INS-2, PAR-19, CONF-9): the
bad debt of `conformance.stories.BAD_DEBT` (arb's loss passes alice's collateral) under a
fund that respects the partitions.  Filed under `liquidation`, the chapter of the answer
that carries the loss: the structure is a parameter, not a chapter.
"""

from typing import Literal

from conformance.stories import ACCEPTED, BAD_DEBT, Story
from intermargin.fuzzing.strategies import PARAMS
from spec.params import Params


def insured(
    structure: Literal["per_partition", "shared_limited"], limits: tuple[tuple[str, int], ...]
) -> Params:
    """The fuzzing parameters with the insurance fund of `structure` and these limits (PAR-19)."""
    return PARAMS.model_copy(update={"insurance_structure": structure, "insurance_limits": limits})


INSURANCE_STORIES: tuple[Story, ...] = (
    Story(
        "bad-debt-own-fund",
        "liquidation",
        "unit",
        "per_partition: arb's bad debt draws on arb's own fund only, the rest is socialized",
        BAD_DEBT,
        ACCEPTED,
        params=insured("per_partition", (("arb", 100), ("base", 300))),
    ),
    Story(
        "bad-debt-no-own-fund",
        "liquidation",
        "unit",
        "per_partition: a spoke without a declared fund gets no cover, all is socialized",
        BAD_DEBT,
        ACCEPTED,
        params=insured("per_partition", (("base", 300),)),
    ),
    Story(
        "bad-debt-limited-share",
        "liquidation",
        "unit",
        "shared_limited: arb draws at most its share of the one fund, the rest is socialized",
        BAD_DEBT,
        ACCEPTED,
        params=insured("shared_limited", (("arb", 30),)),
    ),
)
