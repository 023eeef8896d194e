"""The invariants as Z3 formulas over a symbolic state, each tagged with its spec id.

They say what `model/invariants.py` says, one formula per predicate, over the
encoded fields; `mentions` lists the fields a counterexample table must show.
`BOOKKEEPING` is not a spec invariant of its own: it is the inductive strengthening
INV-CREDIT-1 needs (how margin calls and liquidation answers are in flight), and
the ghost sums' own sanity, and it is proved inductive like the others.
"""

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs.state import REMOVED, Expr, SymState, spoke_allocation, total
from proofs.transitions.finality import finality_of, unfinalized
from spec.actions import RISK_PARAM_BOUNDS

Formula = Callable[[SymState], Expr]


@dataclass(frozen=True)
class Invariant:
    id: str
    name: str
    formula: Formula
    mentions: tuple[str, ...]
    doc: str


def honest(state: SymState, spoke: str) -> Expr:
    """A spoke that has only ever sent by its rules, under a hub nobody impersonated."""
    return z3.And(z3.Not(state.compromised[spoke]), z3.Not(state.hub_compromised[()]))


def in_flight(state: SymState, account: str, spoke: str) -> Expr:
    """All credit for (account, spoke) travelling in messages."""
    key = (account, spoke)
    return state.fl_grant[key] + state.fl_release[key] + state.fl_claim[key] + state.fl_liq[key]


def followed(state: SymState, account: str, spoke: str) -> Expr:
    """An honest spoke the hub still follows for the account (not severed, LIVE-5)."""
    return z3.And(honest(state, spoke), z3.Not(state.severed[(account, spoke)]))


def credit_conservation(state: SymState) -> Expr:
    """INV-CREDIT-1: alloc = line + credit in flight, for every honest spoke not severed."""
    return z3.And(
        [
            z3.Implies(
                followed(state, a, s),
                state.alloc[(a, s)] == state.line[(s, a)] + in_flight(state, a, s),
            )
            for a in state.u.accounts
            for s in state.u.spokes
        ]
    )


def partition_caps(state: SymState) -> Expr:
    """INV-PART-1: the credit allocated to a spoke never exceeds its cap."""
    return z3.And([spoke_allocation(state, s) <= state.cap[s] for s in state.u.spokes])


def partition_bound(state: SymState) -> Expr:
    """INV-PART-2: granted = released + claimed + allocated; paid <= claimed."""
    return z3.And(
        [
            z3.And(
                state.granted[s]
                == state.released[s] + state.claimed[s] + spoke_allocation(state, s),
                state.paid[s] <= state.claimed[s],
            )
            for s in state.u.spokes
        ]
    )


def asset_conservation(state: SymState) -> Expr:
    """INV-ASSET-1: per asset, tokens = deposits + insurance fund + owed to spokes."""
    u = state.u
    return z3.And(
        [
            state.tokens[x]
            == total(state.collateral[(a, x)] for a in u.accounts)
            + state.insurance[x]
            + total(state.owed[(s, x)] for s in u.spokes)
            for x in u.assets
        ]
    )


def no_negative_balances(state: SymState) -> Expr:
    """INV-NONNEG-1: no collateral, allocation, fund, debt, token balance or line is negative."""
    names = ("collateral", "alloc", "insurance", "owed", "tokens", "socialized", "line")
    return z3.And([v >= 0 for n in names for v in state.get(n).values()])


def losses_claimed_at_once(state: SymState) -> Expr:
    """INV-SPOKE-1: on an honest spoke a negative settled balance means the line is used up."""
    return z3.And(
        [
            z3.Implies(z3.And(honest(state, s), state.balance[(s, a)] < 0), state.line[(s, a)] == 0)
            for s in state.u.spokes
            for a in state.u.accounts
        ]
    )


def at_most_once(state: SymState) -> Expr:
    """INV-AMO-1: no id is both delivered and in flight; only issued ids are either."""
    i = z3.Int("amo.i")
    inflight, delivered = state.inflight[()][i], state.delivered[()][i]
    return z3.And(
        state.next_id_ >= 1,
        z3.ForAll(
            [i],
            z3.And(
                z3.Not(z3.And(inflight, delivered)),
                z3.Implies(z3.Or(inflight, delivered), z3.And(i >= 1, i < state.next_id_)),
            ),
        ),
    )


def liquidation_freeze(state: SymState) -> Expr:
    """INV-LIQ-1 (state part): while an account liquidates, no grant of its epoch is in
    flight and every spoke that has received the epoch's call is frozen."""
    clauses = []
    for a in state.u.accounts:
        frozen = [
            z3.Implies(state.called_epoch[(s, a)] == state.epoch[a], state.frozen[(s, a)])
            for s in state.u.spokes
        ]
        clauses.append(z3.Implies(state.liquidating[a], z3.And(state.hot_grants[a] == 0, *frozen)))
    return z3.Implies(z3.Not(state.hub_compromised[()]), z3.And(clauses))


def call_not_while_liquidating(state: SymState) -> Expr:
    """INV-CALL-1: no top-up call is open while the account liquidates; an open call was
    opened no later than now (time is never negative), and a closed one keeps no time."""
    clauses = [state.now[()] >= 0]
    for a in state.u.accounts:
        called, at = state.called[a], state.called_at[a]
        clauses += [
            z3.Not(z3.And(state.liquidating[a], called)),
            z3.Implies(called, z3.And(at >= 0, at <= state.now[()])),
            z3.Implies(z3.Not(called), at == 0),
        ]
    return z3.And(clauses)


def removed_holds_nothing(state: SymState) -> Expr:
    """INV-LIST-2: a spoke's listing is one of the four codes, and a removed spoke has
    nothing allocated to it (so nothing on its lines or in flight, INV-CREDIT-1)."""
    clauses = []
    for s in state.u.spokes:
        code = state.listing[s]
        clauses += [code >= 0, code <= REMOVED]
        clauses += [z3.Implies(code == REMOVED, state.alloc[(a, s)] == 0) for a in state.u.accounts]
    return z3.And(clauses)


def draws_within_limits(state: SymState) -> Expr:
    """INV-INS-1: no partition has drawn a negative value from the insurance fund, and under
    a structure with limits none has drawn more than its own fund or its share."""
    clauses = [state.drawn[s] >= 0 for s in state.u.spokes]
    if state.u.insurance != "shared":
        clauses += [state.drawn[s] <= state.ins_limit[s] for s in state.u.spokes]
    return z3.And(clauses)


def tightenings_carry_notice(state: SymState) -> Expr:
    """INV-NOTICE-2: an announced change above the value in force takes effect no sooner than
    `notice_s` after its announcement; the value in force, and the one announced, lie within
    the parameter's bounds (PAR-26)."""
    clauses = []
    for t in state.u.keys("t"):
        low, high = RISK_PARAM_BOUNDS[t[0]]
        value, announced = state.risk[t], state.sched_value[t]
        clauses += [
            value >= low,
            value <= high,
            z3.Implies(state.sched[t], z3.And(announced >= low, announced <= high)),
            z3.Implies(
                z3.And(state.sched[t], announced > value),
                state.sched_due[t] >= state.sched_said[t] + state.u.notice_s,
            ),
        ]
    return z3.And(clauses)


def bookkeeping(state: SymState) -> Expr:
    """Strengthening of INV-CREDIT-1: ghost sums are sane; for an honest spoke exactly one of
    (its current margin call, its answer) is in flight while the hub waits on it."""
    clauses = [
        state.get(name)[s] >= 0
        for name in ("granted", "released", "claimed", "paid")
        for s in state.u.spokes
    ]
    clauses.append(state.now[()] >= 0)  # TIME-1: time starts at 0 and only moves forward
    for a in state.u.accounts:
        clauses.append(state.hot_grants[a] >= 0)
        clauses.append(state.deadline[a] >= 0)  # LIVE-1: a time, or 0 when none runs
        clauses.append(state.epoch[a] >= 0)
        clauses.append(state.req_at_call[a] >= 0)
        for s in state.u.spokes:
            ap, sa = (a, s), (s, a)
            n_call, n_liq = state.n_call[ap], state.n_liq[ap]
            waiting = z3.And(state.liquidating[a], state.pending[ap])
            clauses += [
                state.fl_grant[ap] >= 0,
                state.fl_release[ap] >= 0,
                state.fl_claim[ap] >= 0,
                state.fl_liq[ap] >= 0,
                n_liq >= 0,
                n_call >= 0,
                n_call <= 1,
                z3.Implies(n_liq == 0, state.fl_liq[ap] == 0),
                z3.Implies(n_call >= 1, state.called_epoch[sa] < state.epoch[a]),
                state.called_epoch[sa] >= 0,
                state.seq[sa] >= 0,
                state.rep_seq[ap] >= 0,
                z3.Implies(state.pending[ap], state.liquidating[a]),
                z3.Implies(
                    z3.Not(state.hub_compromised[()]), state.called_epoch[sa] <= state.epoch[a]
                ),
                z3.Implies(
                    followed(state, a, s),
                    z3.And(
                        n_liq <= 1,
                        n_call + n_liq <= 1,
                        waiting == (n_call + n_liq == 1),
                        z3.Implies(n_liq == 1, state.called_epoch[sa] == state.epoch[a]),
                    ),
                ),
            ]
    return z3.And(clauses)


def severed_means_settled(state: SymState) -> Expr:
    """INV-LIVE-2: a severed pair is never pending and holds no allocation."""
    return z3.And(
        [
            z3.Implies(
                state.severed[(a, s)],
                z3.And(z3.Not(state.pending[(a, s)]), state.alloc[(a, s)] == 0),
            )
            for a in state.u.accounts
            for s in state.u.spokes
        ]
    )


def segment_accounted(state: SymState) -> Expr:
    """INV-FIN-1: for an honest spoke with a segment not yet final, the checkpoint's line is
    the line plus the credit of the segment's releases and claims, and the checkpoint meets
    INV-SPOKE-1; for every spoke, that credit is part of the credit in flight and the
    checkpoint's line and counter are not negative (true by construction in a universe
    without finality delays)."""
    clauses = []
    for s in state.u.spokes:
        if finality_of(state, s) == 0:
            continue
        for a in state.u.accounts:
            sa, ap = (s, a), (a, s)
            rel, claim, cp_line = state.seg_release[ap], state.seg_claim[ap], state.cp_line[sa]
            clauses += [
                rel >= 0,
                claim >= 0,
                rel <= state.fl_release[ap],
                claim <= state.fl_claim[ap],
                cp_line >= 0,
                state.cp_seq[sa] >= 0,
            ]
            accounted = z3.And(
                cp_line == state.line[sa] + rel + claim,
                z3.Implies(state.cp_balance[sa] < 0, cp_line == 0),
            )
            clauses.append(z3.Implies(z3.And(honest(state, s), unfinalized(state, s)), accounted))
    return z3.And(clauses) if clauses else z3.BoolVal(True)


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "INV-CREDIT-1",
        "credit-conservation",
        credit_conservation,
        ("alloc", "line", "fl_grant", "fl_release", "fl_claim", "fl_liq", "compromised"),
        "hub allocation = spoke line + credit in flight (honest spokes)",
    ),
    Invariant(
        "INV-PART-1", "partition-caps", partition_caps, ("alloc", "cap"), "allocation <= cap"
    ),
    Invariant(
        "INV-PART-2",
        "partition-bound",
        partition_bound,
        ("granted", "released", "claimed", "paid", "alloc"),
        "granted = released + claimed + allocated, paid <= claimed",
    ),
    Invariant(
        "INV-ASSET-1",
        "asset-conservation",
        asset_conservation,
        ("tokens", "collateral", "insurance", "owed"),
        "tokens = deposits + insurance + owed",
    ),
    Invariant(
        "INV-NONNEG-1",
        "no-negative-balances",
        no_negative_balances,
        ("collateral", "alloc", "insurance", "owed", "tokens", "socialized", "line"),
        "no negative balance",
    ),
    Invariant(
        "INV-SPOKE-1",
        "losses-claimed-at-once",
        losses_claimed_at_once,
        ("balance", "line"),
        "negative balance => line used up",
    ),
    Invariant(
        "INV-AMO-1",
        "at-most-once",
        at_most_once,
        ("inflight", "delivered", "next_id"),
        "no id delivered and in flight; ids are issued nonces",
    ),
    Invariant(
        "INV-LIQ-1",
        "liquidation-freeze",
        liquidation_freeze,
        ("liquidating", "epoch", "hot_grants", "called_epoch", "frozen"),
        "no current grant in flight and called spokes frozen while liquidating",
    ),
    Invariant(
        "INV-LIST-2",
        "removed-holds-nothing",
        removed_holds_nothing,
        ("listing", "alloc"),
        "a removed spoke holds no allocation",
    ),
    Invariant(
        "INV-INS-1",
        "draws-within-limits",
        draws_within_limits,
        ("drawn", "ins_limit", "socialized", "insurance"),
        "a partition draws at most its own fund or its share",
    ),
    Invariant(
        "INV-CALL-1",
        "call-not-while-liquidating",
        call_not_while_liquidating,
        ("liquidating", "called", "called_at", "now"),
        "no top-up call open while liquidating; an open call's time is not in the future",
    ),
    Invariant(
        "INV-CREDIT-1",
        "liquidation-bookkeeping",
        bookkeeping,
        ("liquidating", "pending", "epoch", "called_epoch", "n_call", "n_liq", "fl_liq"),
        "inductive strengthening: calls and answers in flight match the hub's pending set",
    ),
    Invariant(
        "INV-FIN-1",
        "segment-accounted",
        segment_accounted,
        ("cp_line", "line", "seg_release", "seg_claim", "fl_release", "fl_claim", "changed"),
        "the checkpoint's line = line + credit of the unfinalized segment's messages",
    ),
    Invariant(
        "INV-LIVE-2",
        "severed-means-settled",
        severed_means_settled,
        ("severed", "pending", "alloc"),
        "a severed pair is not pending and holds no allocation",
    ),
    Invariant(
        "INV-NOTICE-2",
        "tightenings-carry-notice",
        tightenings_carry_notice,
        ("sched", "sched_value", "risk", "sched_due", "sched_said"),
        "an announced tightening takes effect no sooner than notice_s after it",
    ),
)
INVARIANT_BY_NAME: dict[str, Invariant] = {i.name: i for i in INVARIANTS}


def all_invariants(state: SymState) -> Expr:
    """The inductive invariant: every formula at once."""
    return z3.And([inv.formula(state) for inv in INVARIANTS])
