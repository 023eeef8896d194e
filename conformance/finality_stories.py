"""The vectors of the `finality` chapter: unfinalized segments, halts and reorgs (FIN-1..FIN-9,
INV-FIN-1..INV-FIN-3), as stories (CONF-9).

Each runs under the fuzzing parameters with arb final only `FINALITY_S` seconds after its
latest change (so its case requires the `finality` chapter, CONF-5); base and sol are final
at once.  Message ids are known in advance (MSG-9).
"""

from conformance.stories import ACCEPTED, LIQUIDATING, Story, dl, eth, inject, rejected, usd
from intermargin.fuzzing.strategies import PARAMS
from spec.actions import (
    AdvanceTime,
    ForceSettle,
    GrantCredit,
    Halt,
    ReleaseCredit,
    Reorg,
    Resume,
    SendReport,
    Trade,
)
from spec.errors import Error
from spec.messages import LossClaim

FINALITY_S = 600
DELAYED = PARAMS.model_copy(
    update={
        "spokes": tuple(
            s.model_copy(update={"finality_s": FINALITY_S}) if s.id == "arb" else s
            for s in PARAMS.spokes
        )
    }
)
"""The fuzzing parameters with arb's finality delay (PAR-27)."""

LINED = (usd(5_000), *eth(2_000), GrantCredit(account="alice", spoke="arb", amount=3_000), *dl(1))
"""Alice's line of 3000 on arb (the grant, a hub message, final at once: FIN-4)."""

RELEASED = (*LINED, ReleaseCredit(spoke="arb", account="alice", amount=2_000))  # -> 2
"""... and arb released 2000 of it: the release (2) opens arb's unfinalized segment."""

WAITING = (*RELEASED, GrantCredit(account="alice", spoke="arb", amount=500))  # -> 3
"""... and a grant of 500 (3) is in flight to arb."""


def story(name: str, title: str, actions: tuple[object, ...], expect: object) -> Story:
    return Story(name, "finality", "unit", title, actions, expect, params=DELAYED)  # type: ignore[arg-type]


FINALITY_STORIES: tuple[Story, ...] = (
    story(
        "release-not-final",
        "NOT_FINAL: the hub does not count a release of arb's unfinalized segment",
        (*RELEASED, *dl(2)),
        rejected(Error.NOT_FINAL),
    ),
    story(
        "grant-waits-for-finality",
        "NOT_FINAL: arb executes no hub message while it has unfinalized changes",
        (*WAITING, *dl(3)),
        rejected(Error.NOT_FINAL),
    ),
    story(
        "reorg-within-finality",
        "a reorg within finality rolls arb back to its checkpoint; the hub is untouched",
        (*WAITING, Reorg(spoke="arb", depth=FINALITY_S)),
        ACCEPTED,
    ),
    story(
        "erased-release-unknown",
        "UNKNOWN_MESSAGE: the release the reorg erased is gone from the wire",
        (*WAITING, Reorg(spoke="arb", depth=1), *dl(2)),
        rejected(Error.UNKNOWN_MESSAGE),
    ),
    story(
        "grant-after-reorg",
        "after the rollback the waiting grant lands on the restored line",
        (*WAITING, Reorg(spoke="arb", depth=1), *dl(3)),
        ACCEPTED,
    ),
    story(
        "final-release-counted",
        "once final, the release is counted",
        (*RELEASED, AdvanceTime(seconds=FINALITY_S), *eth(2_000), *dl(2)),
        ACCEPTED,
    ),
    story(
        "reorg-of-final-segment",
        "a reorg within finality cannot reach a final segment: nothing changes",
        (*RELEASED, AdvanceTime(seconds=FINALITY_S), Reorg(spoke="arb", depth=FINALITY_S)),
        ACCEPTED,
    ),
    story(
        "report-not-final",
        "NOT_FINAL: an unfinalized report waits too",
        (*LINED, SendReport(spoke="arb", account="alice"), *dl(2)),
        rejected(Error.NOT_FINAL),
    ),
    story(
        "claim-not-final",
        "NOT_FINAL: an unfinalized loss claim waits",
        (
            *LINED,
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),  # -> 2
            *eth(1_500),
            Trade(spoke="arb", account="alice", market="ETH-PERP", qty=-2, price=1_500),  # 3, 4
            *dl(3),
        ),
        rejected(Error.NOT_FINAL),
    ),
    story("halt", "the adversary halts arb's chain", (Halt(spoke="arb"),), ACCEPTED),
    story(
        "halt-halted",
        "SPOKE_HALTED: a halted chain cannot be halted again",
        (Halt(spoke="arb"), Halt(spoke="arb")),
        rejected(Error.SPOKE_HALTED),
    ),
    story(
        "resume",
        "a halted chain resumes",
        (Halt(spoke="arb"), Resume(spoke="arb")),
        ACCEPTED,
    ),
    story(
        "resume-running",
        "NOT_HALTED: a running chain cannot be resumed",
        (Resume(spoke="arb"),),
        rejected(Error.NOT_HALTED),
    ),
    story(
        "release-on-halted",
        "SPOKE_HALTED: a halted spoke executes nothing",
        (*LINED, Halt(spoke="arb"), ReleaseCredit(spoke="arb", account="alice", amount=1)),
        rejected(Error.SPOKE_HALTED),
    ),
    story(
        "grant-to-halted",
        "SPOKE_HALTED: a hub message to a halted spoke waits in flight",
        (
            usd(5_000),
            *eth(2_000),
            GrantCredit(account="alice", spoke="arb", amount=1),
            Halt(spoke="arb"),
            *dl(1),
        ),
        rejected(Error.SPOKE_HALTED),
    ),
    Story(
        "halted-spoke-force-settled",
        "finality",
        "unit",
        "a halted spoke is a silent spoke: force-settled after the deadline",
        (
            *LIQUIDATING,  # margin calls 3 (arb), 4 (base), 5 (sol)
            Halt(spoke="arb"),
            *dl(3),  # rejected SPOKE_HALTED
            *dl(4, 5, 6, 7),  # base and sol obey (answers 6, 7), their answers are taken
            AdvanceTime(seconds=PARAMS.liquidation_deadline_s),
            *eth(1_500),
            ForceSettle(account="alice"),
        ),
        ACCEPTED,
        params=PARAMS,  # halts need no finality delay
    ),
    story(
        "reorg-beyond-finality",
        "a reorg beyond finality compromises arb; its claims stay within its allocation",
        (
            *LINED,
            Reorg(spoke="arb", depth=FINALITY_S + 1),
            inject("arb", LossClaim(account="alice", amount=3_000)),
        ),
        ACCEPTED,
    ),
    story(
        "reorg-beyond-finality-bounded",
        "EXCEEDS_ALLOCATION: beyond finality arb still takes at most its allocation",
        (
            *LINED,
            Reorg(spoke="arb", depth=FINALITY_S + 1),
            inject("arb", LossClaim(account="alice", amount=3_001)),
        ),
        ("ignored", Error.EXCEEDS_ALLOCATION),
    ),
)
"""Every story of the `finality` chapter."""
