"""The obligations of finality, halts and reorgs (INV-FIN-1..INV-FIN-3, FIN-3..FIN-8),
checked on the finality universe (`proofs.universe.finality_universe`: the proof universe
with every spoke declaring a finality delay).

- `segment-accounted/init`, `segment-accounted/step/KIND` (INV-FIN-1): the checkpoint
  accounts for the unfinalized segment, inductively, for every kind;
- `finality-safe/step/KIND` (FIN-3..FIN-5): every invariant of `proofs.invariants` holds after
  every step whose encoding reads the segment or the halt (the spoke's own actions, the
  deliveries, the adversary's moves).  Every other kind's transition is the same term in
  both universes and writes no field INV-FIN-1 reads but `now` (AdvanceTime, which only
  makes segments final), so the default universe's proofs cover it;
- `reorg-within-finality/step/Reorg` (INV-FIN-2): a reorg within the finality bound changes
  nothing at the hub and no ghost counter, and leaves the spoke honest; its vacuity witness
  is a rollback of an open segment;
- `reorg-beyond-finality/step/Reorg` (FIN-8): a reorg beyond the bound changes nothing at the
  hub either (the spoke only becomes compromised); witness: a reorg deeper than finality;
- `reorg-cost/safety` (INV-FIN-3): from the invariants, whatever any spoke sent and however
  deep its reorgs, `paid + allocated <= granted - released` for every spoke.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import z3

from proofs.invariants import INVARIANT_BY_NAME, all_invariants
from proofs.obligations import Obligation
from proofs.premises import Query, init_constraints, state_query, step_queries
from proofs.state import Expr, SymState, Universe, equal, fresh, spoke_allocation
from proofs.transitions import KIND_BY_NAME, KINDS, Kind, Transition
from proofs.transitions.outcome import Result
from proofs.universe import finality_universe

SEGMENT = INVARIANT_BY_NAME["segment-accounted"]

HUB_FIELDS = (
    "collateral",
    "alloc",
    "liquidating",
    "epoch",
    "pending",
    "req_at_call",
    "deadline",
    "severed",
    "rep_seq",
    "cap",
    "paused",
    "listing",
    "insurance",
    "owed",
    "socialized",
    "drawn",
    "tokens",
    "bucket",
    "granted",
    "released",
    "claimed",
    "paid",
    "hub_compromised",
    "delivered",
    "next_id",
)
"""Every field of the hub and every ghost counter: what no reorg may change (FIN-5)."""

READS_FINALITY = (
    "Trade",
    "ReleaseCredit",
    "SendReport",
    "Halt",
    "Resume",
    "Reorg",
    *(k.name for k in KINDS if k.action in ("Deliver", "Inject")),
)
"""The kinds whose encoding reads a segment or a halt (FIN-1, FIN-3, FIN-4, FIN-6)."""

Goal = Any


def finality_queries(kind: Kind, goal: Goal, witness: Goal | None = None) -> Any:
    """Step queries of `kind` on the finality universe; `witness` replaces the vacuity
    witness (default: the step is accepted)."""

    def queries(_: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(finality_universe(), table, kind, goal):
            assert q.pre is not None and q.result is not None
            if witness is not None:
                q = replace(q, witness=witness(q.pre, q.result, q.act, q.inputs))
            out.append(q)
        return out

    return queries


def segment_init() -> Obligation:
    def queries(_: Universe, table: Mapping[str, Transition]) -> list[Query]:
        s = fresh(finality_universe(), "init")
        return [Query(init_constraints(s), SEGMENT.formula(s), z3.BoolVal(True), pre=s, post=s)]

    return Obligation("segment-accounted/init", "INV-FIN-1", "init", queries, SEGMENT.mentions)


def segment_step(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return SEGMENT.formula(res.post)

    return Obligation(
        f"segment-accounted/step/{kind.name}",
        "INV-FIN-1",
        "step",
        finality_queries(kind, goal),
        SEGMENT.mentions,
    )


def finality_safe(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return all_invariants(res.post)

    return Obligation(
        f"finality-safe/step/{kind.name}",
        "FIN-3",
        "step",
        finality_queries(kind, goal),
        ("alloc", "line", "cp_line", "seg_release", "seg_claim", "inflight"),
    )


def within(pre: SymState, act: Mapping[str, Any]) -> Expr:
    """FIN-5: the reorg is within its spoke's finality bound."""
    return act["depth"] <= pre.u.finality[act["spoke"]]


def reorg_within() -> Obligation:
    """INV-FIN-2: within the bound, the hub and the ghost counters are untouched and the
    spoke stays honest (every invariant after it: `finality-safe/step/Reorg`)."""

    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        s = act["spoke"]
        same = equal(pre, res.post, HUB_FIELDS)
        honest = res.post.compromised[s] == pre.compromised[s]
        return z3.Implies(within(pre, act), z3.And(same, honest))

    def rolled_back(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        s = act["spoke"]
        return z3.And(within(pre, act), pre.seg_open[s], z3.Not(res.post.seg_open[s]))

    return Obligation(
        "reorg-within-finality/step/Reorg",
        "INV-FIN-2",
        "step",
        finality_queries(KIND_BY_NAME["Reorg"], goal, rolled_back),
        ("alloc", "line", "cp_line", "compromised"),
    )


def reorg_beyond() -> Obligation:
    """FIN-8: beyond the bound, the reorg itself changes nothing at the hub."""

    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return equal(pre, res.post, HUB_FIELDS)

    def deep(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return z3.And(z3.Not(within(pre, act)), res.post.compromised[act["spoke"]])

    return Obligation(
        "reorg-beyond-finality/step/Reorg",
        "FIN-8",
        "step",
        finality_queries(KIND_BY_NAME["Reorg"], goal, deep),
        ("alloc", "compromised"),
    )


def reorg_cost(s: SymState) -> Expr:
    """INV-FIN-3: what was ever paid towards a spoke's partition plus what is still allocated
    there is at most what was granted to it net of releases."""
    return z3.And(
        [s.paid[p] + spoke_allocation(s, p) <= s.granted[p] - s.released[p] for p in s.u.spokes]
    )


def reorg_cost_safety() -> Obligation:
    def queries(_: Universe, table: Mapping[str, Transition]) -> list[Query]:
        return state_query(finality_universe(), reorg_cost)

    return Obligation(
        "reorg-cost/safety", "INV-FIN-3", "safety", queries, ("paid", "alloc", "granted")
    )


def finality_obligations() -> list[Obligation]:
    """Every obligation of this module, in report order."""
    out = [segment_init()]
    out += [segment_step(k) for k in KINDS]
    out += [finality_safe(KIND_BY_NAME[n]) for n in READS_FINALITY]
    out += [reorg_within(), reorg_beyond(), reorg_cost_safety()]
    return out
