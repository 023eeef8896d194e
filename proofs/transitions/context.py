"""What a symbolic transition reads besides the state: prices (constants) and the
universe's parameters."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ctx:
    """`prices[asset]` is the oracle's price at the step (None: unavailable).

    The proofs fix one price vector per obligation run (`proofs.obligations.PRICES`);
    `proofs.concrete` passes the model's prices at the concrete pre-state.
    """

    prices: Mapping[str, int | None]
