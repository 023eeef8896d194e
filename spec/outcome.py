"""The outcome of one step (OUT-1..OUT-3), as a conformance test compares it."""

from typing import Literal

from spec.bounds import Counter
from spec.errors import Error
from spec.params import Frozen


class Outcome(Frozen):
    """OUT-1: `accepted` applied the step; `rejected` changed nothing (INV-ATOMIC-1);
    `ignored` consumed a delivered message with no other effect (OUT-2).
    `emitted` lists the ids of the messages the step sent, in sending order (OUT-3)."""

    status: Literal["accepted", "rejected", "ignored"]
    error: Error | None = None
    emitted: tuple[Counter, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"
