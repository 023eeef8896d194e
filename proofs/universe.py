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
from spec.params import Params

PRICES: dict[str, int | None] = {"USD": 1, "ETH": 2_000}
"""Prices fixed for the proofs: the invariants mention no price except INV-CREDIT-2, which
is evaluated at the step's own prices, so one price vector keeps arithmetic linear
without weakening what is proved about the ledger's flows."""


PROOF_WINDOW_S = 3_600
"""FLOW-CALL-1: the proofs run with a top-up window on, so that every branch of the call
(opened, waited, met, bypassed below the floor) is reached; with the window off
(`top_up_window_s = 0`) those branches are dead code and the rules are LIQ-1..LIQ-2's."""


@cache
def proof_params(spokes: int = 2, accounts: int = 2) -> Params:
    """The example parameters cut down to the proof universe."""
    base = example_params()
    return base.model_copy(
        update={
            "accounts": base.accounts[:accounts],
            "spokes": base.spokes[:spokes],
            "top_up_window_s": PROOF_WINDOW_S,
        }
    )


@cache
def proof_universe(spokes: int = 2, accounts: int = 2) -> Universe:
    return Universe.of(proof_params(spokes, accounts))


PROOF_CTX = Ctx(prices=PRICES)
