from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ctx:
    """`prices[asset]` is the oracle's price the step sees (None: unavailable).

    A price is a Python integer (a fixed-price asset; the model's prices in
    `proofs.concrete`; the liquidation BMC's fixed vector, PROOF-PRICE-4) or a Z3 integer
    variable: the proof obligations take every non-fixed price as a fresh variable per step,
    within 1..MAX_PRICE (`proofs.universe.price_contexts`, PROOF-PRICE-1).  The transitions
    use a price only as a factor or a divisor of Z3 terms, so either works.
    """

    prices: Mapping[str, Any]
