"""The fixed small universe the proofs range over, and the prices they fix.

Two accounts, two spokes, the settlement asset USD (fixed price 1) and ETH: enough
for every rule to meet "another account" and "another spoke" (sums over accounts,
a spoke's partition beside another's).  Accounts are interchangeable in every
rule, and so are spokes (their caps, pauses and lines are all symbolic), so a
step obligation takes one representative account and spoke, and every asset.
The liquidation BMC uses one account and up to three spokes.
"""

from functools import cache

from proofs.state import Universe
from proofs.transitions.context import Ctx
from spec.examples import example_params
from spec.params import Params, RateLimitParams

PRICES: dict[str, int | None] = {"USD": 1, "ETH": 2_000}
"""Prices fixed for the proofs: the invariants mention no price except INV-CREDIT-2, which
is evaluated at the step's own prices, so one price vector keeps arithmetic linear
without weakening what is proved about the ledger's flows."""


@cache
def proof_params(spokes: int = 2, accounts: int = 2) -> Params:
    """The example parameters cut down to the proof universe."""
    base = example_params()
    return base.model_copy(
        update={"accounts": base.accounts[:accounts], "spokes": base.spokes[:spokes]}
    )


@cache
def proof_universe(spokes: int = 2, accounts: int = 2) -> Universe:
    return Universe.of(proof_params(spokes, accounts))


PROOF_RATE = RateLimitParams(capacity=5_000, refill_per_s=50)
"""RATE-1: the bucket every spoke of the channels universe declares (any positive constants
would do: the rules read them as constants, so the refill stays linear)."""


@cache
def channel_params(spokes: int = 2, accounts: int = 2) -> Params:
    """The proof parameters with ordered channels and every spoke rate limited (CHAN-1,
    RATE-1): the universe of the channel and rate-limit obligations."""
    base = proof_params(spokes, accounts)
    return base.model_copy(
        update={
            "channel_ordering": "ordered",
            "spokes": tuple(s.model_copy(update={"rate_limit": PROOF_RATE}) for s in base.spokes),
        }
    )


@cache
def channel_universe(spokes: int = 2, accounts: int = 2) -> Universe:
    return Universe.of(channel_params(spokes, accounts))


CHANNEL_FAMILIES = ("bucket-bounds", "loss-rate", "channel-progress", "channels-safe")
"""The obligations checked on the channels universe (`proofs.channel_obligations`)."""


def params_of(obligation: str) -> Params:
    """The parameters of the universe an obligation is checked on (a counterexample's trace
    replays under them)."""
    return channel_params() if obligation.split("/")[0] in CHANNEL_FAMILIES else proof_params()


PROOF_CTX = Ctx(prices=PRICES)
