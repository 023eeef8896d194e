"""`reorg`: a spoke's chain reorganizes; within its finality the rollback erases only what
the hub never counted and the hub's ledgers stay conserved; beyond it the spoke is
compromised and can take at most its allocation (FIN-1..FIN-9, INV-FIN-1..INV-FIN-3)."""

from intermargin.scenarios.scenario import Scenario, deliver, eth_price
from spec.actions import (
    AdvanceTime,
    Deposit,
    GrantCredit,
    Halt,
    Inject,
    ReleaseCredit,
    Reorg,
    Resume,
)
from spec.bounds import HUB
from spec.examples import example_params
from spec.messages import LossClaim

BASE = example_params()
FINALITY_S = 600
PARAMS = BASE.model_copy(
    update={
        "spokes": tuple(
            s.model_copy(update={"finality_s": FINALITY_S}) if s.id == "arb" else s
            for s in BASE.spokes
        )
    }
)
"""The example parameters with arb final only 600 s after its latest change (PAR-27)."""

STORY = (
    "Arb's chain is final only 600 s after its latest change. Alice holds a line of 3000 "
    "on arb and releases 2000 of it: arb debits her line and sends the release, but the hub "
    "refuses to count it NOT_FINAL, and a new grant of 500 waits for arb NOT_FINAL too. "
    "Arb's chain then reorganizes 300 s deep, within its finality: arb is back at its "
    "checkpoint (line 3000), the release is gone from the wire, and the hub, which never "
    "counted it, still allocates 3500 = 3000 on the line + 500 in flight: no credit was "
    "spent twice. The grant then lands. A second release, left to become final, is counted. "
    "Arb's chain halts (a release is refused SPOKE_HALTED) and resumes. Finally it "
    "reorganizes 900 s deep, beyond its finality: arb's history no longer matches what the "
    "hub counted and arb is treated as compromised. Whatever it claims, the hub pays at "
    "most arb's allocation for Alice (a claim of 5000 is ignored EXCEEDS_ALLOCATION, one of "
    "2500 is paid from Alice's collateral into arb's partition): paid + allocated never "
    "exceeds granted - released."
)

REORG = Scenario(
    name="reorg",
    title="A spoke's chain reorganizes within and beyond its finality",
    story=STORY,
    params=PARAMS,
    actions=(
        Deposit(account="alice", asset="USD", amount=5_000),
        *eth_price(2_000),
        GrantCredit(account="alice", spoke="arb", amount=3_000),  # -> 1
        *deliver(1),  # arb's line 3000 (a hub message: final at once, FIN-4)
        ReleaseCredit(spoke="arb", account="alice", amount=2_000),  # -> 2, unfinalized
        *deliver(2),  # rejected NOT_FINAL: the hub does not count it yet
        GrantCredit(account="alice", spoke="arb", amount=500),  # -> 3
        *deliver(3),  # rejected NOT_FINAL: arb has unfinalized changes
        Reorg(spoke="arb", depth=300),  # within finality: line back to 3000, 2 erased
        *deliver(2),  # rejected UNKNOWN_MESSAGE: the release never happened
        *deliver(3),  # arb's line 3500
        ReleaseCredit(spoke="arb", account="alice", amount=1_000),  # -> 4
        AdvanceTime(seconds=FINALITY_S),
        *eth_price(2_000),
        *deliver(4),  # final now: the hub's allocation 2500
        Halt(spoke="arb"),
        ReleaseCredit(spoke="arb", account="alice", amount=100),  # rejected SPOKE_HALTED
        Resume(spoke="arb"),
        Reorg(spoke="arb", depth=900),  # beyond finality: arb compromised
        Inject(sender="arb", receiver=HUB, payload=LossClaim(account="alice", amount=5_000)),
        Inject(sender="arb", receiver=HUB, payload=LossClaim(account="alice", amount=2_500)),
    ),
)
