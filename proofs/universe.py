"""The small universe the proofs range over, and the prices a step sees.

Two accounts, two spokes, the settlement asset USD (fixed price 1) and ETH: enough
for every rule to meet "another account" and "another spoke" (sums over accounts,
a spoke's partition beside another's).  Accounts are interchangeable in every
rule, and so are spokes (their caps, pauses and lines are all symbolic), so a
step obligation takes one representative account and spoke, and every asset
(why this covers any number of accounts and spokes: PROOF-SMALL-1..5 in
spec/verification.md).  The liquidation BMC uses one account and up to three spokes.

Prices are symbolic (PROOF-PRICE-1..3): a step sees, for every asset without a fixed
price, either a fresh integer variable within 1..MAX_PRICE or no price at all (one
regime each), independent of the prices any earlier step saw.
"""

import itertools
from collections.abc import Callable
from functools import cache
from typing import Any

import z3

from proofs.state import Expr, Universe
from proofs.transitions.context import Ctx
from spec.bounds import MAX_PRICE
from spec.examples import example_params
from spec.params import Params, RateLimitParams

PRICES: dict[str, int | None] = {"USD": 1, "ETH": 2_000}
"""One live price vector: the liquidation BMC's (PROOF-PRICE-4) and the one a counterexample
is replayed at when its step read no price."""


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

PROOF_FINALITY_S = 600
"""PAR-27: the finality delay every spoke of the finality universe declares (any positive
constant would do: the rules read it as a constant, so `changed + finality` stays linear)."""


@cache
def finality_params(spokes: int = 2, accounts: int = 2) -> Params:
    """The proof parameters with every spoke declaring a finality delay (FIN-1): the universe
    of the finality obligations (`proofs.finality`)."""
    base = proof_params(spokes, accounts)
    return base.model_copy(
        update={
            "spokes": tuple(
                s.model_copy(update={"finality_s": PROOF_FINALITY_S}) for s in base.spokes
            )
        }
    )


@cache
def finality_universe(spokes: int = 2, accounts: int = 2) -> Universe:
    return Universe.of(finality_params(spokes, accounts))


FINALITY_FAMILIES = (
    "segment-accounted",
    "finality-safe",
    "reorg-within-finality",
    "reorg-beyond-finality",
    "reorg-cost",
)
"""The obligations checked on the finality universe (`proofs.finality`)."""


def params_of(obligation: str) -> Params:
    """The parameters of the universe an obligation is checked on (a counterexample's trace
    replays under them)."""
    family = obligation.split("/")[0]
    if family in CHANNEL_FAMILIES:
        return channel_params()
    return finality_params() if family in FINALITY_FAMILIES else proof_params()


def fixed_prices(u: Universe) -> dict[str, int]:
    """The assets with a fixed price (the settlement asset): a constant in every context."""
    return {x: p for x, p in u.fixed_price.items() if p is not None}


def price_var(prefix: str, asset: str) -> Expr:
    return z3.Int(f"{prefix}.{asset}")


def price_contexts(u: Universe, prefix: str = "price") -> tuple[Ctx, ...]:
    """PROOF-PRICE-1, PROOF-PRICE-2: the price regimes a step is proved under.  The first
    prices every asset (a fixed price as its constant, any other as the variable
    `prefix.ASSET`); each other leaves a non-empty set of the non-fixed assets without a
    price (the oracle below quorum), pricing the rest by their variables.  Built once per
    universe and prefix (the same terms for every obligation)."""
    return _contexts(u.assets, tuple(sorted(fixed_prices(u).items())), prefix)


@cache
def _contexts(
    assets: tuple[str, ...], fixed_items: tuple[tuple[str, int], ...], prefix: str
) -> tuple[Ctx, ...]:
    fixed = dict(fixed_items)
    floating = [x for x in assets if x not in fixed]
    out = []
    for gone in itertools.product((False, True), repeat=len(floating)):
        missing = {x for x, g in zip(floating, gone, strict=True) if g}
        out.append(
            Ctx(
                prices={
                    x: fixed[x] if x in fixed else None if x in missing else price_var(prefix, x)
                    for x in assets
                }
            )
        )
    return tuple(out)


def price_bounds(ctx: Ctx) -> Expr:
    """PROOF-PRICE-1: every symbolic price is a positive integer within MAX_PRICE."""
    return z3.And([z3.And(p >= 1, p <= MAX_PRICE) for p in ctx.prices.values() if z3.is_expr(p)])


def reads_prices(build: Callable[[Ctx], Any], ctx: Ctx) -> bool:
    """Whether `build(ctx)` (a transition) reads any price: only then do the other price
    regimes make a difference, so only then are they asked (PROOF-PRICE-2)."""
    seen: list[str] = []

    class Watched(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            seen.append(key)
            return super().get(key, default)

        def __getitem__(self, key: str) -> Any:
            seen.append(key)
            return super().__getitem__(key)

    build(Ctx(prices=Watched(ctx.prices)))
    return bool(seen)


PROOF_CTX = price_contexts(proof_universe())[0]
"""Every asset priced, the non-fixed ones symbolic (PROOF-PRICE-1)."""
