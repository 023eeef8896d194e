"""The abstraction: a concrete model state as the values of the encoding's fields.

- `values(state)`: every encoded field's value by (field, key), ghost sums (`ghost_sums`)
  computed from the bag of messages by summing what each message carries
  (`proofs.transitions.network.carries`);
- `assignment(state)`: the same as a Z3 model of `fresh(u, prefix)` (each variable ->
  its value), and `equals_state` as a formula;
- `abstraction(state, names)`: the values in a `Layout`'s order, for grounding
  (`proofs.grounding`).

The differential check (`proofs.concrete.judge`, `proofs.differential`) stands on it.
"""

from functools import cache
from typing import Any

import z3

from model.finality import chain_of
from model.insurance import drawn_of, limit_of
from model.listing import listing_of
from model.oracle import price_of
from model.state import State
from proofs.grounding import Value, last_seen
from proofs.state import LISTING_CODE, Expr, SymState, Universe, fresh
from proofs.transitions.context import Ctx
from spec.bounds import HUB


def universe_of(state: State) -> Universe:
    return Universe.of(state.params)


def ctx_of(state: State) -> Ctx:
    """The oracle's price of every asset at this state (None: unavailable)."""
    return Ctx(prices={a.id: price_of(state, a.id) for a in state.params.assets})


def ghost_sums(state: State) -> dict[tuple[str, Any], int]:
    """The in-flight ghost sums of a concrete bag, by (field, key)."""
    u = universe_of(state)
    sums: dict[tuple[str, Any], int] = {}
    for name in ("fl_grant", "fl_release", "fl_claim", "fl_liq", "n_call", "n_liq"):
        for key in u.keys("as"):
            sums[(name, key)] = 0
    for a in u.accounts:
        sums[("hot_grants", a)] = 0
    for env in state.network.in_flight.values():
        msg = env.payload
        a = msg.account
        if msg.type == "CreditGrant":
            sums[("fl_grant", (a, env.receiver))] += msg.amount
            if msg.epoch >= state.hub.status[a].epoch:
                sums[("hot_grants", a)] += 1
        elif msg.type == "MarginCall":
            epoch = state.hub.status[a].epoch
            if msg.epoch == epoch and msg.epoch > state.spokes[(env.receiver, a)].called_epoch:
                sums[("n_call", (a, env.receiver))] += 1
        elif msg.type == "CreditRelease":
            sums[("fl_release", (a, env.sender))] += msg.amount
        elif msg.type == "LossClaim":
            sums[("fl_claim", (a, env.sender))] += msg.amount
        elif msg.type == "LiquidationReport":
            sums[("fl_liq", (a, env.sender))] += msg.released + msg.loss
            sums[("n_liq", (a, env.sender))] += 1
    return sums


@last_seen(4)
def values(state: State) -> dict[tuple[str, Any], Value]:
    """Every encoded field of a concrete state, by (field, key).  Remembered for the last few
    states (a step's post-state is judged again as the next pre-state): do not mutate."""
    hub, g = state.hub, state.ghost
    out: dict[tuple[str, Any], Value] = {}
    u = universe_of(state)
    for (a, x), v in hub.collateral.items():
        out[("collateral", (a, x))] = v
    for (a, s), v in hub.alloc.items():
        out[("alloc", (a, s))] = v
        out[("pending", (a, s))] = s in hub.status[a].pending
        out[("rep_seq", (a, s))] = hub.reports[(a, s)].seq
        out[("severed", (a, s))] = (a, s) in hub.severed
    for a, st in hub.status.items():
        out[("liquidating", a)] = st.liquidating
        out[("epoch", a)] = st.epoch
        out[("req_at_call", a)] = st.requirement_at_call
        out[("called", a)] = st.called
        out[("called_at", a)] = st.called_at
        out[("deadline", a)] = st.deadline
    for s in u.spokes:
        out[("cap", s)] = hub.caps[s]
        out[("paused", s)] = s in hub.paused
        out[("listing", s)] = LISTING_CODE[listing_of(state, s)]
        out[("socialized", s)] = hub.socialized[s]
        out[("drawn", s)] = drawn_of(state, s)
        out[("ins_limit", s)] = limit_of(state.params, s)
        out[("bucket", s)] = hub.buckets.get(s, 0)
        for name in ("granted", "released", "claimed", "paid"):
            out[(name, s)] = getattr(g, name)[s]
        out[("compromised", s)] = s in g.compromised
    for x in u.assets:
        out[("insurance", x)] = hub.insurance[x]
        out[("tokens", x)] = hub.tokens[x]
    for (s, x), v in hub.owed.items():
        out[("owed", (s, x))] = v
    for (s, a), acct in state.spokes.items():
        for name in ("line", "balance", "seq", "called_epoch", "frozen"):
            out[(name, (s, a))] = getattr(acct, name)
    out[("inflight", ())] = frozenset(state.network.in_flight)
    out[("delivered", ())] = frozenset(state.network.delivered)
    out[("next_id", ())] = state.network.next_id
    out[("now", ())] = state.oracle.now
    out[("hub_compromised", ())] = HUB in g.compromised
    out |= ghost_sums(state)
    out |= chain_values(state, u)
    return out


def chain_values(state: State, u: Universe) -> dict[tuple[str, Any], Value]:
    """FIN-1, FIN-6: each spoke's chain as the encoding holds it: halted, and its segment's
    checkpoint, latest change, message ids and the credit of its releases and claims still
    in flight (all 0 or empty with no segment)."""
    out: dict[tuple[str, Any], Value] = {}
    for s in u.spokes:
        chain = chain_of(state, s)
        seg = chain.segment
        out[("halted", s)] = chain.halted
        out[("seg_open", s)] = seg is not None
        out[("changed", s)] = seg.changed if seg is not None else 0
        out[("seg_ids", s)] = seg.sent if seg is not None else frozenset()
        sums: dict[tuple[str, str], int] = {}
        for a in u.accounts:
            cp = seg.checkpoint[a] if seg is not None else None
            out[("cp_line", (s, a))] = cp.line if cp is not None else 0
            out[("cp_balance", (s, a))] = cp.balance if cp is not None else 0
            out[("cp_seq", (s, a))] = cp.seq if cp is not None else 0
            sums[("seg_release", a)] = sums[("seg_claim", a)] = 0
        for mid in seg.sent if seg is not None else ():
            env = state.network.in_flight.get(mid)
            if env is None or env.sender != s:
                continue
            if env.payload.type == "CreditRelease":
                sums[("seg_release", env.payload.account)] += env.payload.amount
            elif env.payload.type == "LossClaim":
                sums[("seg_claim", env.payload.account)] += env.payload.amount
        for (name, a), total in sums.items():
            out[(name, (a, s))] = total
    return out


@cache
def z3_value(value: Value) -> Expr:
    """A concrete value as a Z3 constant (built once per value: judging asks for the same
    small numbers and id sets over and over)."""
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    array = z3.K(z3.IntSort(), z3.BoolVal(False))
    for i in sorted(value):
        array = z3.Store(array, i, True)
    return array


def universe_key(u: Universe) -> tuple[Any, ...]:
    """A hashable stand-in for a universe: everything `fresh` and the rules read from it."""
    return (
        u.accounts,
        u.spokes,
        u.assets,
        tuple(sorted(u.haircut_bps.items())),
        u.penalty_bps,
        u.deadline_s,
        u.insurance,
        u.ordered,
        tuple(sorted(u.rate.items())),
        u.top_up_window_s,
        tuple(sorted(u.finality.items())),
    )


def symbolic_state(state: State, prefix: str) -> SymState:
    """The symbolic state of `state`'s universe named `prefix`, built once."""
    u = universe_of(state)
    return _symbolic(universe_key(u), prefix, u)


_SYMBOLIC: dict[tuple[Any, str], SymState] = {}


def _symbolic(key: tuple[Any, ...], prefix: str, u: Universe) -> SymState:
    hit = _SYMBOLIC.get((key, prefix))
    if hit is None:
        hit = _SYMBOLIC[(key, prefix)] = fresh(u, prefix)
    return hit


def assignment(state: State, prefix: str = "pre") -> dict[Any, Any]:
    """The abstraction of a concrete state: each Z3 variable of `fresh(u, prefix)` -> value."""
    sym = symbolic_state(state, prefix)
    vals = values(state)
    return {term: z3_value(vals[(name, key)]) for name, key, term in sym.entries()}


def abstraction(state: State, names: tuple[tuple[str, Any], ...]) -> list[Expr]:
    """The abstraction's values of `state`, in the order of `names` (a `Layout`'s)."""
    vals = values(state)
    return [z3_value(vals[name]) for name in names]


def equals_state(sym: SymState, state: State) -> Expr:
    """The symbolic state's fields equal the concrete state's values."""
    vals = values(state)
    return z3.And([term == z3_value(vals[(name, key)]) for name, key, term in sym.entries()])
