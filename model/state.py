"""The state of the whole system: hub, spokes, network, oracle, and ghost counters.

Every field is immutable: dataclasses are frozen and maps are never mutated
after construction (transitions build new ones with `assoc`).  Maps over known
ids are dense (every key present, zero by default) so that equal states compare
equal; positions keep only non-zero sizes.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from spec.messages import Envelope
from spec.params import Params

AccountId = str
SpokeId = str
AssetId = str
MarketId = str
FeedId = str

Listing = Literal["unlisted", "delisted", "removed"]
"""LIST-1: a spoke not listed is declared but not yet listed, delisted (being drained) or
removed; a listed spoke has no entry in `Hub.listing`."""

K = TypeVar("K")
V = TypeVar("V")


def assoc(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    """A copy of `mapping` with `key` set to `value` (the original is untouched)."""
    return {**mapping, key: value}


def dissoc(mapping: Mapping[K, V], key: K) -> dict[K, V]:
    """A copy of `mapping` without `key`."""
    return {k: v for k, v in mapping.items() if k != key}


@dataclass(frozen=True, slots=True)
class Position:
    """A position in one market: `qty` lots (long > 0), `cost` value units paid for them
    (negative when received, as for a short)."""

    qty: int
    cost: int


Positions = Mapping[MarketId, Position]


@dataclass(frozen=True, slots=True)
class Report:
    """The hub's latest accepted view of an account on a spoke (HUB-REP-1)."""

    seq: int = 0
    balance: int = 0
    positions: Positions = field(default_factory=dict)
    time: int = 0
    """RISK-AGE-1: the spoke's clock when it sent the report."""


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """Hub-side liquidation status of an account (LIQ-1..LIQ-6).

    `pending` is the set of spokes whose answer to the current margin call has not
    arrived; `requirement_at_call` is the requirement the penalty is charged on.
    `called` and `called_at`: a top-up call is open, since that time (FLOW-CALL-1..5);
    never while liquidating (INV-CALL-1).
    """

    liquidating: bool = False
    epoch: int = 0
    pending: frozenset[SpokeId] = frozenset()
    requirement_at_call: int = 0
    deadline: int = 0
    """LIVE-1: the time from which anyone may force-settle the running liquidation."""
    called: bool = False
    called_at: int = 0


@dataclass(frozen=True, slots=True)
class Hub:
    """The collateral hub: custody, the credit ledger, caps, pauses, funds."""

    collateral: Mapping[tuple[AccountId, AssetId], int]
    alloc: Mapping[tuple[AccountId, SpokeId], int]
    status: Mapping[AccountId, AccountStatus]
    reports: Mapping[tuple[AccountId, SpokeId], Report]
    caps: Mapping[SpokeId, int]
    paused: frozenset[SpokeId]
    insurance: Mapping[AssetId, int]
    owed: Mapping[tuple[SpokeId, AssetId], int]
    socialized: Mapping[SpokeId, int]
    tokens: Mapping[AssetId, int]
    linked: frozenset[tuple[AccountId, SpokeId]] = frozenset()
    """RISK-13: (account, spoke) pairs the hub has ever granted credit for."""
    severed: frozenset[tuple[AccountId, SpokeId]] = frozenset()
    """LIVE-5: (account, spoke) pairs a force-settle cut off for good."""
    listing: Mapping[SpokeId, Listing] = field(default_factory=dict)
    """LIST-1: the spokes that are not listed, and how (a spoke absent is listed)."""
    drawn: Mapping[SpokeId, int] = field(default_factory=dict)
    """INS-2: value the insurance fund has paid towards each partition (absent: none)."""
    buckets: Mapping[SpokeId, int] = field(default_factory=dict)
    """RATE-2: the level of each rate-limited spoke's bucket (only those spokes are keys)."""


@dataclass(frozen=True, slots=True)
class SpokeAccount:
    """One account on one spoke: credit line, settled balance, positions, report
    counter, and the highest margin-call epoch received (SPK-1..SPK-3)."""

    line: int = 0
    balance: int = 0
    positions: Positions = field(default_factory=dict)
    seq: int = 0
    called_epoch: int = 0
    frozen: bool = False


@dataclass(frozen=True, slots=True)
class Network:
    """The messaging layer: a bag of messages in flight, and the ids already delivered."""

    in_flight: Mapping[int, Envelope]
    delivered: frozenset[int]
    next_id: int


@dataclass(frozen=True, slots=True)
class Oracle:
    """Logical time, each feed's latest (price, time) quote, and the expiry prices fixed so far."""

    now: int
    quotes: Mapping[FeedId, tuple[int, int]]
    expiry_prices: Mapping[MarketId, int] = field(default_factory=dict)
    """PRC-14: each expired option market's expiry price, once fixed (never changed after)."""


@dataclass(frozen=True, slots=True)
class Ghost:
    """Counters no party reads; the invariants and proofs do (Certora-style ghosts).

    Per spoke: credit granted, released and claimed in total; value paid out of
    the hub towards its partition; and whether it has ever sent outside its rules.
    """

    granted: Mapping[SpokeId, int]
    released: Mapping[SpokeId, int]
    claimed: Mapping[SpokeId, int]
    paid: Mapping[SpokeId, int]
    compromised: frozenset[SpokeId]


@dataclass(frozen=True, slots=True)
class Segment:
    """FIN-1: a spoke's unfinalized changes: its accounts at the checkpoint before them, the
    time of the latest change, and the ids of the messages they sent."""

    checkpoint: Mapping[AccountId, SpokeAccount]
    changed: int
    sent: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Chain:
    """FIN-1, FIN-6: a spoke's chain: halted or not, and its unfinalized segment, if any."""

    halted: bool = False
    segment: Segment | None = None


@dataclass(frozen=True, slots=True)
class State:
    """The whole system."""

    params: Params
    hub: Hub
    spokes: Mapping[tuple[SpokeId, AccountId], SpokeAccount]
    network: Network
    oracle: Oracle
    ghost: Ghost
    chains: Mapping[SpokeId, Chain] = field(default_factory=dict)
    """FIN-1, FIN-6: each spoke's chain that is halted or has a segment (absent: neither)."""


EMPTY_REPORT = Report()
EMPTY_SPOKE_ACCOUNT = SpokeAccount()


def initial_state(params: Params) -> State:
    """INIT-1: nothing deposited, nothing allocated, nothing in flight, time 0, no quotes;
    the hub holds exactly the insurance fund; every rate-limit bucket is full (RATE-2)."""
    accounts = params.accounts
    spokes = tuple(s.id for s in params.spokes)
    assets = tuple(a.id for a in params.assets)
    insurance = {a: 0 for a in assets} | dict(params.insurance_fund)
    zero_per_spoke = {s: 0 for s in spokes}
    hub = Hub(
        collateral={(a, x): 0 for a in accounts for x in assets},
        alloc={(a, s): 0 for a in accounts for s in spokes},
        status={a: AccountStatus() for a in accounts},
        reports={(a, s): EMPTY_REPORT for a in accounts for s in spokes},
        caps={s.id: s.cap for s in params.spokes},
        paused=frozenset(),
        insurance=insurance,
        owed={(s, x): 0 for s in spokes for x in assets},
        socialized=zero_per_spoke,
        tokens=dict(insurance),
        listing={s.id: "unlisted" for s in params.spokes if not s.listed},
        buckets={s.id: s.rate_limit.capacity for s in params.spokes if s.rate_limit},
    )
    return State(
        params=params,
        hub=hub,
        spokes={(s, a): EMPTY_SPOKE_ACCOUNT for s in spokes for a in accounts},
        network=Network(in_flight={}, delivered=frozenset(), next_id=1),
        oracle=Oracle(now=0, quotes={}),
        ghost=Ghost(
            granted=zero_per_spoke,
            released=zero_per_spoke,
            claimed=zero_per_spoke,
            paid=zero_per_spoke,
            compromised=frozenset(),
        ),
    )


def with_spoke_account(
    state: State, spoke: SpokeId, account: AccountId, acct: SpokeAccount
) -> State:
    return replace(state, spokes=assoc(state.spokes, (spoke, account), acct))


GhostCounter = Literal["granted", "released", "claimed", "paid"]


def add_ghost(state: State, counter: GhostCounter, spoke: SpokeId, amount: int) -> State:
    """Advance a per-spoke ghost counter by `amount`."""
    old: Mapping[SpokeId, int] = getattr(state.ghost, counter)
    changes: dict[str, Any] = {counter: assoc(old, spoke, old[spoke] + amount)}
    return replace(state, ghost=replace(state.ghost, **changes))
