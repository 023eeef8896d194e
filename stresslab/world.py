"""The mutable state of one simulated path: the hub's ledger and view, the spokes'
books, the liquidations running and the messages in flight (STRESS-4).

It holds the same quantities as `model/state.py`, as arrays over accounts, spokes and
assets, all integers.  Only `stresslab/ledger.py` and `stresslab/liquidation.py`
change it, each by the rule of the model it mirrors.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from spec.params import Params
from stresslab.population import Flags, Ints, Population


@dataclass(order=True, frozen=True)
class Message:
    """A message in flight, delivered at `due` seconds; `order` breaks ties (send order).

    `kind` is "MarginCall" (hub -> spoke) or "LiquidationReport" (spoke -> hub); the
    amounts are the report's (LIQ-3): seq, released, loss, balance."""

    due: int
    order: int
    kind: str = field(compare=False)
    row: int = field(compare=False)
    spoke: int = field(compare=False)
    epoch: int = field(compare=False)
    seq: int = field(compare=False, default=0)
    released: int = field(compare=False, default=0)
    loss: int = field(compare=False, default=0)
    balance: int = field(compare=False, default=0)


@dataclass
class Tally:
    """What a path has cost, in value units (integers) and counts."""

    bad_debt: int = 0
    insurance_draw: int = 0
    penalties: int = 0
    spoke_shortfall: int = 0
    liquidations: int = 0
    settle_seconds: list[int] = field(default_factory=list)


@dataclass
class World:
    """One path's state.  `hub` is the hub's view (reports, allocations, collateral);
    `spoke_*` the spokes' own books; status arrays are per account."""

    params: Params
    hub: Population
    spoke_qty: Ints
    spoke_cost: Ints
    spoke_balance: Ints
    spoke_line: Ints
    spoke_seq: Ints
    called_epoch: Ints
    report_seq: Ints
    liquidating: Flags
    epoch: Ints
    pending: Flags
    requirement_at_call: Ints
    declared_at: Ints
    insurance: Ints
    owed: Ints
    socialized: Ints
    tally: Tally = field(default_factory=Tally)
    queue: list[Message] = field(default_factory=list)
    sent: int = 0
    events: list[tuple[object, ...]] | None = None
    expiry_prices: dict[str, int] = field(default_factory=dict)
    """PRC-14: the expiry prices the oracle has fixed so far (market -> price)."""

    def send(self, message: Message) -> None:
        """MSG-7: a message enters the network."""
        heapq.heappush(self.queue, message)
        self.sent += 1

    def next_message(self) -> Message:
        """The message due first (out of the network)."""
        return heapq.heappop(self.queue)

    def record(self, *event: object) -> None:
        """Keep an event for the cross-check with the model (when recording)."""
        if self.events is not None:
            self.events.append(event)


def new_world(params: Params, population: Population, *, record: bool = False) -> World:
    """A path's start: the spokes hold the books the hub has on report, each spoke's line
    is its allocation (every grant delivered), nothing liquidating, nothing in flight."""
    hub = Population(
        collateral=population.collateral.copy(),
        qty=population.qty.copy(),
        cost=population.cost.copy(),
        balance=population.balance.copy(),
        linked=population.linked.copy(),
        alloc=population.alloc.copy(),
    )
    size, spokes = population.size, len(params.spokes)
    trades = np.count_nonzero(population.qty, axis=2).astype(np.int64)
    fund = dict(params.insurance_fund)
    return World(
        params=params,
        hub=hub,
        spoke_qty=population.qty.copy(),
        spoke_cost=population.cost.copy(),
        spoke_balance=population.balance.copy(),
        spoke_line=population.alloc.copy(),
        spoke_seq=trades.copy(),
        called_epoch=np.zeros((size, spokes), dtype=np.int64),
        report_seq=trades,
        liquidating=np.zeros(size, dtype=np.bool_),
        epoch=np.zeros(size, dtype=np.int64),
        pending=np.zeros((size, spokes), dtype=np.bool_),
        requirement_at_call=np.zeros(size, dtype=np.int64),
        declared_at=np.zeros(size, dtype=np.int64),
        insurance=np.array([fund.get(a.id, 0) for a in params.assets], dtype=np.int64),
        owed=np.zeros((spokes, len(params.assets)), dtype=np.int64),
        socialized=np.zeros(spokes, dtype=np.int64),
        events=[] if record else None,
    )
