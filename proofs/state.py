"""The symbolic state: every field of the model's state that a rule reads or an invariant
mentions, as Z3 terms over a fixed small universe (accounts x spokes x assets).

A `SymState` is a value, like the model's `State`: transitions build new ones from
old ones, and a field's entry is a Z3 term (a fresh variable in a "pre" state, an
expression over the pre-state in a post-state).  Maps are dense over the universe's
ids, with the model's keys: `alloc[(account, spoke)]`, `line[(spoke, account)]`, ...

What is abstracted, and how (see also `proofs/__init__.py`):

- Positions, reports' positions, quotes, expiry prices (PRC-14): not encoded.  What the
  risk engine computes from them enters a transition as an *input*
  (`proofs.transitions.inputs`), universally quantified in the proofs and computed by the
  model's own risk engine in `proofs.concrete`.  Collateral valuation is encoded (at each
  step's own prices, PROOF-PRICE-1).
- The bag of messages in flight: an id-level view (`inflight` and `delivered`, Z3
  arrays Int -> Bool, and `next_id`) for INV-AMO-1, plus ghost sums per
  (account, spoke) of the credit each kind of message carries (`fl_grant`,
  `fl_release`, `fl_claim`, `fl_liq`) and ghost counts the liquidation protocol needs
  (`n_call`, `n_liq`, `hot_grants`).  `proofs.abstraction.assignment` computes each from
  a concrete bag by summing; `proofs.concretize.trace_of` maps a Z3 model back to one
  message per non-zero sum.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import z3

from spec.bounds import HUB
from spec.params import Params

Expr = Any
"""A Z3 term (z3's Python API is untyped)."""

KeyKind = Literal["", "a", "s", "x", "t", "as", "ax", "sa", "sx"]
Sort = Literal["int", "bool", "array"]


@dataclass(frozen=True)
class Universe:
    """The ids a symbolic state ranges over, and the parameters rules read as constants."""

    accounts: tuple[str, ...]
    spokes: tuple[str, ...]
    assets: tuple[str, ...]
    haircut_bps: Mapping[str, int]
    """The haircut capacity applies: each asset's LTV haircut (RISK-IM-1)."""
    penalty_bps: int
    fixed_price: Mapping[str, int | None]
    """An asset's fixed price (the settlement asset), None for one the oracle prices."""
    deadline_s: int = 3_600
    """PAR-17: how long after a margin call force-settle waits (LIVE-1)."""
    insurance: str = "shared"
    """INS-1: the insurance fund's structure (`shared`, `per_partition`, `shared_limited`)."""
    ordered: bool = False
    """CHAN-1: channels are nonce-ordered."""
    rate: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """RATE-1: (capacity, refill per second) of each rate-limited spoke."""
    notice_s: int = 86_400
    """PAR-25: the notice period of a tightening (GOV-NOTICE-2)."""
    risk: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """PAR-26: the value in force of each risk parameter of the parameter set (`t` keys)."""
    finality: Mapping[str, int] = field(default_factory=dict)
    """PAR-27, FIN-1: the finality delay of each spoke that declares one (> 0)."""
    top_up_window_s: int = 0
    """FLOW-CALL-1: the declared top-up window (0: off)."""
    partial_target_bps: int = 1_000
    """FLOW-PART-3: the buffer above maintenance a partial close restores (PAR-24)."""
    partial_penalty_bps: int = 100
    """FLOW-PART-4: the penalty on the notional a partial close closes (PAR-24)."""

    @staticmethod
    def of(params: Params) -> "Universe":
        return Universe(
            accounts=tuple(params.accounts),
            spokes=tuple(s.id for s in params.spokes),
            assets=tuple(a.id for a in params.assets),
            haircut_bps={a.id: a.borrowing_haircut_bps for a in params.assets},
            penalty_bps=params.penalty_bps,
            fixed_price={a.id: a.fixed_price for a in params.assets},
            deadline_s=params.liquidation_deadline_s,
            insurance=params.insurance_structure,
            ordered=params.channel_ordering == "ordered",
            rate={
                s.id: (s.rate_limit.capacity, s.rate_limit.refill_per_s)
                for s in params.spokes
                if s.rate_limit is not None
            },
            notice_s=params.notice_s,
            risk={
                **{("haircut_bps", a.id): a.haircut_bps for a in params.assets},
                **{("latency_s", s.id): s.latency_s for s in params.spokes},
            },
            finality={s.id: s.finality_s for s in params.spokes if s.finality_s > 0},
            top_up_window_s=params.top_up_window_s,
            partial_target_bps=params.partial_liquidation.target_bps,
            partial_penalty_bps=params.partial_liquidation.penalty_bps,
        )

    def keys(self, kind: KeyKind) -> list[Any]:
        """Every key of a map of this kind, in declared order (a fresh list)."""
        return list(self.key_table[kind])

    @cached_property
    def key_table(self) -> dict[str, tuple[Any, ...]]:
        """Every kind's keys, worked out once per universe (asked for hundreds of thousands
        of times while terms are built)."""
        a, s, x = self.accounts, self.spokes, self.assets
        table: dict[str, list[Any]] = {
            "": [()],
            "a": list(a),
            "s": list(s),
            "x": list(x),
            "t": [("haircut_bps", i) for i in x] + [("latency_s", j) for j in s],
            "as": [(i, j) for i in a for j in s],
            "ax": [(i, j) for i in a for j in x],
            "sa": [(j, i) for j in s for i in a],
            "sx": [(j, k) for j in s for k in x],
        }
        return {k: tuple(v) for k, v in table.items()}


@dataclass(frozen=True)
class Sent:
    """A message a step sent (if `when` holds): what the liquidation BMC follows."""

    when: Expr
    kind: str
    sender: str
    receiver: str
    account: str
    fields: Mapping[str, Expr]


# (field name, key kind, sort, what it is)
FIELDS: tuple[tuple[str, KeyKind, Sort, str], ...] = (
    ("collateral", "ax", "int", "hub: deposited tokens per (account, asset)"),
    ("alloc", "as", "int", "hub: credit allocated per (account, spoke), in flight included"),
    ("liquidating", "a", "bool", "hub: account is LIQUIDATING"),
    ("epoch", "a", "int", "hub: account's liquidation epoch"),
    ("pending", "as", "bool", "hub: spoke's answer to the current call not yet in"),
    ("req_at_call", "a", "int", "hub: requirement the penalty is charged on"),
    ("deadline", "a", "int", "hub: when the running liquidation may be force-settled"),
    ("severed", "as", "bool", "hub: pair cut off by a force-settle"),
    ("called", "a", "bool", "hub: a top-up call is open for the account"),
    ("called_at", "a", "int", "hub: when the open top-up call was opened"),
    ("rep_seq", "as", "int", "hub: sequence number of the latest report"),
    ("cap", "s", "int", "hub: partition cap"),
    ("paused", "s", "bool", "hub: circuit breaker on"),
    ("listing", "s", "int", "hub: LISTED, UNLISTED, DELISTED or REMOVED (LIST-1)"),
    ("insurance", "x", "int", "hub: insurance fund"),
    ("owed", "sx", "int", "hub: tokens owed to a spoke's partition"),
    ("socialized", "s", "int", "hub: bad debt socialized to a spoke's partition"),
    ("drawn", "s", "int", "hub: value the insurance fund paid towards a partition (INS-2)"),
    ("ins_limit", "s", "int", "params: a partition's own fund or share of it (INS-1)"),
    ("tokens", "x", "int", "hub: token balance"),
    ("risk", "t", "int", "params: value in force of a risk parameter (PAR-26, GOV-NOTICE-1)"),
    ("sched", "t", "bool", "hub: a change of the risk parameter is announced (GOV-NOTICE-2)"),
    ("sched_value", "t", "int", "hub: the announced value (0 when none)"),
    ("sched_due", "t", "int", "hub: when the announced change may take effect (0 when none)"),
    ("sched_said", "t", "int", "hub: when the change was announced (0 when none)"),
    ("bucket", "s", "int", "hub: rate-limit bucket level (0 for a spoke without a limit)"),
    ("line", "sa", "int", "spoke: credit line"),
    ("balance", "sa", "int", "spoke: settled balance"),
    ("seq", "sa", "int", "spoke: report counter"),
    ("called_epoch", "sa", "int", "spoke: highest margin call obeyed"),
    ("frozen", "sa", "bool", "spoke: risk-increasing trades frozen"),
    ("inflight", "", "array", "network: ids in flight"),
    ("delivered", "", "array", "network: ids delivered"),
    ("next_id", "", "int", "network: next id (nonce)"),
    ("now", "", "int", "oracle: logical time"),
    ("granted", "s", "int", "ghost: credit granted in total"),
    ("released", "s", "int", "ghost: credit released in total"),
    ("claimed", "s", "int", "ghost: credit claimed in total"),
    ("paid", "s", "int", "ghost: value paid towards the partition"),
    ("compromised", "s", "bool", "ghost: spoke has sent outside its rules"),
    ("hub_compromised", "", "bool", "ghost: an authentic hub message was injected"),
    ("fl_grant", "as", "int", "ghost: credit in grants in flight"),
    ("fl_release", "as", "int", "ghost: credit in releases in flight"),
    ("fl_claim", "as", "int", "ghost: credit in loss claims in flight"),
    ("fl_liq", "as", "int", "ghost: released + loss in liquidation reports in flight"),
    ("n_call", "as", "int", "ghost: live margin calls of the current epoch in flight"),
    ("n_liq", "as", "int", "ghost: liquidation reports in flight"),
    ("hot_grants", "a", "int", "ghost: grants in flight of epoch >= the account's epoch"),
    ("halted", "s", "bool", "spoke chain: halted (FIN-6)"),
    ("seg_open", "s", "bool", "spoke chain: an unfinalized segment exists (FIN-1)"),
    ("changed", "s", "int", "spoke chain: time of the segment's latest change (0: none)"),
    ("seg_ids", "s", "array", "spoke chain: ids of the messages the segment sent"),
    ("cp_line", "sa", "int", "spoke chain: checkpoint's credit line (0: no segment)"),
    ("cp_balance", "sa", "int", "spoke chain: checkpoint's settled balance"),
    ("cp_seq", "sa", "int", "spoke chain: checkpoint's report counter"),
    ("seg_release", "as", "int", "ghost: credit in the segment's releases in flight"),
    ("seg_claim", "as", "int", "ghost: credit in the segment's loss claims in flight"),
)
FIELD_KIND: dict[str, KeyKind] = {name: kind for name, kind, _, _ in FIELDS}
FIELD_SORT: dict[str, Sort] = {name: sort for name, _, sort, _ in FIELDS}


def key_text(key: Any) -> str:
    if key == ():
        return ""
    if isinstance(key, tuple):
        return "[" + ",".join(key) + "]"
    return f"[{key}]"


def var_name(prefix: str, name: str, key: Any) -> str:
    return f"{prefix}.{name}{key_text(key)}"


@dataclass(frozen=True)
class SymState:
    """The model's `State`, as Z3 terms (field meanings in `FIELDS`)."""

    u: Universe
    collateral: Mapping[tuple[str, str], Expr]
    alloc: Mapping[tuple[str, str], Expr]
    liquidating: Mapping[str, Expr]
    epoch: Mapping[str, Expr]
    pending: Mapping[tuple[str, str], Expr]
    req_at_call: Mapping[str, Expr]
    deadline: Mapping[str, Expr]
    severed: Mapping[tuple[str, str], Expr]
    called: Mapping[str, Expr]
    called_at: Mapping[str, Expr]
    rep_seq: Mapping[tuple[str, str], Expr]
    cap: Mapping[str, Expr]
    paused: Mapping[str, Expr]
    listing: Mapping[str, Expr]
    insurance: Mapping[str, Expr]
    owed: Mapping[tuple[str, str], Expr]
    socialized: Mapping[str, Expr]
    drawn: Mapping[str, Expr]
    ins_limit: Mapping[str, Expr]
    tokens: Mapping[str, Expr]
    risk: Mapping[tuple[str, str], Expr]
    sched: Mapping[tuple[str, str], Expr]
    sched_value: Mapping[tuple[str, str], Expr]
    sched_due: Mapping[tuple[str, str], Expr]
    sched_said: Mapping[tuple[str, str], Expr]
    bucket: Mapping[str, Expr]
    line: Mapping[tuple[str, str], Expr]
    balance: Mapping[tuple[str, str], Expr]
    seq: Mapping[tuple[str, str], Expr]
    called_epoch: Mapping[tuple[str, str], Expr]
    frozen: Mapping[tuple[str, str], Expr]
    inflight: Mapping[Any, Expr]
    delivered: Mapping[Any, Expr]
    next_id: Mapping[Any, Expr]
    now: Mapping[Any, Expr]
    granted: Mapping[str, Expr]
    released: Mapping[str, Expr]
    claimed: Mapping[str, Expr]
    paid: Mapping[str, Expr]
    compromised: Mapping[str, Expr]
    hub_compromised: Mapping[Any, Expr]
    fl_grant: Mapping[tuple[str, str], Expr]
    fl_release: Mapping[tuple[str, str], Expr]
    fl_claim: Mapping[tuple[str, str], Expr]
    fl_liq: Mapping[tuple[str, str], Expr]
    n_call: Mapping[tuple[str, str], Expr]
    n_liq: Mapping[tuple[str, str], Expr]
    hot_grants: Mapping[str, Expr]
    halted: Mapping[str, Expr]
    seg_open: Mapping[str, Expr]
    changed: Mapping[str, Expr]
    seg_ids: Mapping[str, Expr]
    cp_line: Mapping[tuple[str, str], Expr]
    cp_balance: Mapping[tuple[str, str], Expr]
    cp_seq: Mapping[tuple[str, str], Expr]
    seg_release: Mapping[tuple[str, str], Expr]
    seg_claim: Mapping[tuple[str, str], Expr]
    sent: tuple[Sent, ...] = field(default=())

    # scalar fields are one-entry maps keyed by (); these read them
    @property
    def next_id_(self) -> Expr:
        return self.next_id[()]

    def get(self, name: str) -> Mapping[Any, Expr]:
        value: Mapping[Any, Expr] = getattr(self, name)
        return value

    def set(self, name: str, key: Any, value: Expr) -> "SymState":
        """A copy with one entry of one field replaced."""
        return replace(self, **{name: {**self.get(name), key: value}})  # type: ignore[arg-type]

    def add(self, name: str, key: Any, delta: Expr) -> "SymState":
        """A copy with one numeric entry moved by `delta`."""
        return self.set(name, key, self.get(name)[key] + delta)

    def entries(self) -> Iterable[tuple[str, Any, Expr]]:
        """Every (field, key, term), in declared order."""
        for name, kind, _, _ in FIELDS:
            values = self.get(name)
            for key in self.u.keys(kind):
                yield name, key, values[key]


def fresh(u: Universe, prefix: str) -> SymState:
    """A state of fresh variables named `prefix.field[key]`."""
    maps: dict[str, dict[Any, Expr]] = {}
    for name, kind, sort, _ in FIELDS:
        make: Callable[[str], Expr]
        if sort == "int":
            make = z3.Int
        elif sort == "bool":
            make = z3.Bool
        else:

            def make(n: str) -> Expr:
                return z3.Array(n, z3.IntSort(), z3.BoolSort())

        maps[name] = {k: make(var_name(prefix, name, k)) for k in u.keys(kind)}
    return SymState(u=u, **maps)  # type: ignore[arg-type]


def ite(cond: Expr, then: SymState, other: SymState) -> SymState:
    """Field by field: `then` where `cond` holds, else `other` (shared terms stay shared; a
    constant `cond` picks one side)."""
    if z3.is_true(cond):
        return then
    if z3.is_false(cond):
        return other
    maps: dict[str, dict[Any, Expr]] = {}
    for name, kind, _, _ in FIELDS:
        a, b = then.get(name), other.get(name)
        maps[name] = {
            k: a[k] if a[k] is b[k] or z3.eq(a[k], b[k]) else z3.If(cond, a[k], b[k])
            for k in then.u.keys(kind)
        }
    sent = tuple(replace(m, when=z3.And(cond, m.when)) for m in then.sent) + tuple(
        replace(m, when=z3.And(z3.Not(cond), m.when)) for m in other.sent
    )
    return SymState(u=then.u, sent=sent, **maps)


def equal(a: SymState, b: SymState, names: Iterable[str] | None = None) -> Expr:
    """The two states agree on every field (or on `names`)."""
    wanted = set(names) if names is not None else {n for n, _, _, _ in FIELDS}
    return z3.And(
        [
            x == y
            for (name, _, x), (_, _, y) in zip(a.entries(), b.entries(), strict=True)
            if name in wanted
        ]
    )


def without_sent(state: SymState) -> SymState:
    return replace(state, sent=())


def total(values: Iterable[Expr]) -> Expr:
    """A sum of terms (0 when empty)."""
    terms = list(values)
    return z3.Sum(terms) if terms else z3.IntVal(0)


def spoke_allocation(state: SymState, spoke: str) -> Expr:
    """CAP-1: credit allocated to a spoke over all accounts, in flight included."""
    return total(state.alloc[(a, spoke)] for a in state.u.accounts)


def total_allocation(state: SymState, account: str) -> Expr:
    """HUB-GRANT-2: credit allocated to every spoke, in flight included."""
    return total(state.alloc[(account, s)] for s in state.u.spokes)


LISTED, UNLISTED, DELISTED, REMOVED = 0, 1, 2, 3
"""LIST-1: the encoding's listing codes (the model's "listed", "unlisted", "delisted",
"removed"); listed is 0, the value of every other field at genesis."""
LISTING_CODE = {"listed": LISTED, "unlisted": UNLISTED, "delisted": DELISTED, "removed": REMOVED}


def listed(state: SymState, spoke: str) -> Expr:
    """LIST-1, HUB-GRANT-5: only a listed spoke is granted credit."""
    return state.listing[spoke] == LISTED


def is_spoke(u: Universe, name: str) -> bool:
    return name in u.spokes and name != HUB
