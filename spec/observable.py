"""The observable state (OBS-1..OBS-4): what a conformance test compares after every step.

Plain JSON: maps keyed by ids, lists sorted, integers exact.  It holds the
whole protocol state; the `ghost` part holds counters only the invariants read,
and a build under test may leave it out.
"""

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from spec.bounds import Balance, Counter, Id
from spec.messages import Envelope, PositionView
from spec.params import Frozen, OmitsDefaults


class Quote(Frozen):
    """A feed's latest price and when it was published."""

    price: int
    time: int


class AccountStatusView(Frozen):
    """OBS-1: an account's liquidation status at the hub; OBS-7: its top-up call, left out of
    the JSON while none is open, so a status without a call serializes as it did before."""

    liquidating: bool
    epoch: Counter
    pending: tuple[Id, ...]
    requirement_at_call: int
    deadline: Counter = 0
    """LIVE-1: when anyone may force-settle the running liquidation (0 when none runs)."""
    called: bool = False
    """OBS-7, FLOW-CALL-1: a top-up call is open for the account."""
    called_at: Counter = 0
    """OBS-7, FLOW-CALL-1: when the open call was opened (0 when none is open)."""

    @model_serializer(mode="wrap")
    def drop_closed_call(self, handler: SerializerFunctionWrapHandler) -> Any:
        """OBS-7: both fields of the call go together: written while a call is open (one
        opened at time 0 included), left out while none is."""
        dumped = handler(self)
        if isinstance(dumped, dict) and not self.called and not self.called_at:
            dumped.pop("called", None)
            dumped.pop("called_at", None)
        return dumped


class ReportView(Frozen):
    seq: Counter
    balance: Balance
    positions: tuple[PositionView, ...]
    time: Counter = 0


class ScheduledView(Frozen):
    """GOV-NOTICE-2: a change of a risk parameter announced at `announced_at`, to take effect
    at `effective_at`."""

    value: int
    effective_at: Counter
    announced_at: Counter


class HubView(OmitsDefaults):
    """OBS-1: the hub's ledgers; RATE-2: the level of each rate-limited partition's bucket
    (left out of the JSON when no spoke is rate limited); LIST-1, INS-2: the listing and the
    draws, left out while empty (every spoke listed, nothing drawn), so a hub without them
    serializes as it did before they existed and a build that has neither still compares;
    GOV-NOTICE-1..3: the risk parameters changed and the changes announced, left out while
    empty for the same reason."""

    OMITTED = ("buckets", "listing", "drawn", "applied", "scheduled")

    collateral: dict[Id, dict[Id, int]]
    alloc: dict[Id, dict[Id, int]]
    status: dict[Id, AccountStatusView]
    reports: dict[Id, dict[Id, ReportView]]
    caps: dict[Id, int]
    paused: tuple[Id, ...]
    insurance: dict[Id, int]
    owed: dict[Id, dict[Id, int]]
    socialized: dict[Id, int]
    tokens: dict[Id, int]
    linked: dict[Id, tuple[Id, ...]] = Field(default_factory=dict)
    """RISK-13: per account, the spokes it has ever been granted credit on (sorted)."""
    severed: dict[Id, tuple[Id, ...]] = Field(default_factory=dict)
    """LIVE-5: per account, the spokes a force-settle cut off from it (sorted)."""
    listing: dict[Id, Literal["unlisted", "delisted", "removed"]] = Field(default_factory=dict)
    """LIST-1: the spokes that are not listed, and how; a listed spoke is absent."""
    drawn: dict[Id, int] = Field(default_factory=dict)
    """INS-2: value the insurance fund has paid towards each partition (absent: none)."""
    buckets: dict[Id, Counter] = Field(default_factory=dict)
    """RATE-2: per rate-limited spoke, the value its bucket holds now."""
    applied: dict[str, dict[Id, int]] = Field(default_factory=dict)
    """GOV-NOTICE-3: per risk parameter (PAR-26), the value each changed asset or spoke has
    now (absent: as declared)."""
    scheduled: dict[str, dict[Id, ScheduledView]] = Field(default_factory=dict)
    """GOV-NOTICE-2: per risk parameter, the change announced for each asset or spoke."""


class SpokeAccountView(Frozen):
    """OBS-2: one account on one spoke."""

    line: int
    balance: int
    positions: tuple[PositionView, ...]
    seq: Counter
    called_epoch: Counter
    frozen: bool


class NetworkView(Frozen):
    """OBS-3: messages in flight (by id) and the ids delivered."""

    in_flight: tuple[Envelope, ...]
    delivered: tuple[Counter, ...]
    next_id: Counter


class GhostView(Frozen):
    """OBS-4: counters for the invariants only (INV-PART-2)."""

    granted: dict[Id, int]
    released: dict[Id, int]
    claimed: dict[Id, int]
    paid: dict[Id, int]
    compromised: tuple[Id, ...]


class SegmentView(Frozen):
    """FIN-1: a spoke's unfinalized segment: its accounts at the checkpoint, the time of its
    latest change, and the ids of the messages it sent (sorted)."""

    checkpoint: dict[Id, SpokeAccountView]
    changed: Counter
    sent: tuple[Counter, ...] = ()


class ChainView(Frozen):
    """FIN-1, FIN-6: a spoke's chain that is halted or has an unfinalized segment."""

    halted: bool = False
    segment: SegmentView | None = None


class ObservableState(Frozen):
    """The whole state, as JSON."""

    now: int
    quotes: dict[Id, Quote]
    hub: HubView
    spokes: dict[Id, dict[Id, SpokeAccountView]]
    network: NetworkView
    ghost: GhostView | None = None
    expiry_prices: dict[Id, int] = Field(default_factory=dict)
    """OBS-6: each expired option market's fixed expiry price (PRC-14); left out while empty."""
    chains: dict[Id, ChainView] = Field(default_factory=dict)
    """FIN-1, FIN-6: the spokes whose chain is halted or has an unfinalized segment; left out
    while empty."""

    @model_serializer(mode="wrap")
    def drop_empty_expiry_prices(self, handler: SerializerFunctionWrapHandler) -> Any:
        """OBS-6, FIN-1: a state without an expiry price (or a chain that is halted or has a
        segment) serializes as it did before they existed."""
        dumped = handler(self)
        for name in ("expiry_prices", "chains"):
            if isinstance(dumped, dict) and not dumped.get(name):
                dumped.pop(name, None)
        return dumped
