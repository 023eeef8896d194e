"""The obligations of ordered channels and rate limits (INV-CHAN-1, INV-RATE-1..2, CHAN-3),
checked on the channels universe (`proofs.universe.channel_universe`: the proof universe
with ordered channels and every spoke rate limited).

- `bucket-bounds/init`, `bucket-bounds/step/KIND` (INV-RATE-2): every bucket holds between
  0 and its capacity, inductively;
- `loss-rate/step/KIND` (INV-RATE-1): for every spoke, `claimed + bucket - refill x now`
  never grows, whatever the step (grants included): over any window the partition loses at
  most capacity + refill x elapsed;
- `channel-progress/step/Deliver*` (INV-CHAN-1): delivering an ordered channel's head is
  never rejected, takes the head out of flight and puts nothing ahead of older messages;
  its vacuity witness is the requeue itself where a receiver can refuse (CHAN-3);
- `channels-safe/step/KIND` (CHAN-3, RATE-3): every invariant of `proofs.invariants` still
  holds after every step in the channels universe (requeues and refused losses included).
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import z3

from proofs.invariants import all_invariants
from proofs.obligations import Obligation
from proofs.premises import Query, init_constraints, step_queries
from proofs.state import Expr, SymState, Universe, fresh
from proofs.transitions import KINDS, Kind, Transition
from proofs.transitions.outcome import IGNORED, REJECTED, Result
from proofs.universe import channel_universe

REFUSING = ("MarginCall", "LossClaim", "LiquidationReport")
"""Messages a receiver can refuse (MSG-11, RATE-3): their deliveries can be requeued."""


def bucket_bounds(s: SymState) -> Expr:
    """INV-RATE-2: 0 <= bucket <= capacity for every rate-limited spoke."""
    return z3.And(
        [z3.And(s.bucket[p] >= 0, s.bucket[p] <= cap) for p, (cap, _) in s.u.rate.items()]
    )


def potential(s: SymState, spoke: str) -> Expr:
    """INV-RATE-1: what the partition took, plus what it may still take now, less the refill
    it has been owed since time 0."""
    return s.claimed[spoke] + s.bucket[spoke] - s.u.rate[spoke][1] * s.now[()]


Goal = Any


def channel_queries(kind: Kind, goal: Goal, witness: Goal | None = None) -> Any:
    """Step queries of `kind` on the channels universe, INV-RATE-2 added to the premises;
    `witness` replaces the vacuity witness (default: the step is accepted)."""

    def queries(_: Universe, table: Mapping[str, Transition]) -> list[Query]:
        out = []
        for q in step_queries(channel_universe(), table, kind, goal):
            assert q.pre is not None and q.result is not None
            premises = z3.And(q.premises, bucket_bounds(q.pre))
            seen = q.witness if witness is None else witness(q.pre, q.result, q.act, q.inputs)
            out.append(replace(q, premises=premises, witness=seen))
        return out

    return queries


def bucket_bounds_init() -> Obligation:
    def queries(_: Universe, table: Mapping[str, Transition]) -> list[Query]:
        s = fresh(channel_universe(), "init")
        return [Query(init_constraints(s), bucket_bounds(s), z3.BoolVal(True), pre=s, post=s)]

    return Obligation("bucket-bounds/init", "INV-RATE-2", "init", queries, ("bucket",))


def bucket_bounds_step(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return bucket_bounds(res.post)

    return Obligation(
        f"bucket-bounds/step/{kind.name}",
        "INV-RATE-2",
        "step",
        channel_queries(kind, goal),
        ("bucket",),
    )


def loss_rate(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return z3.And([potential(res.post, p) <= potential(pre, p) for p in pre.u.rate])

    return Obligation(
        f"loss-rate/step/{kind.name}",
        "INV-RATE-1",
        "step",
        channel_queries(kind, goal),
        ("bucket", "claimed", "now"),
    )


def channel_progress(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        mid, j = act["id"], z3.Int("progress.j")
        fresh_ids = z3.Implies(
            z3.And(res.post.inflight[()][j], z3.Not(pre.inflight[()][j])), j >= pre.next_id_
        )
        gone = z3.Not(res.post.inflight[()][mid])
        moved = z3.And(res.status != REJECTED, gone, fresh_ids)
        return z3.Implies(z3.And(inp["head"], pre.inflight[()][mid]), moved)

    def requeued(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return z3.And(inp["head"], res.status == IGNORED, res.post.inflight[()][pre.next_id_])

    def delivered(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return z3.And(inp["head"], res.status != REJECTED)

    witness = requeued if kind.message in REFUSING else delivered
    return Obligation(
        f"channel-progress/step/{kind.name}",
        "INV-CHAN-1",
        "step",
        channel_queries(kind, goal, witness),
        ("inflight", "delivered", "next_id"),
    )


def channels_safe(kind: Kind) -> Obligation:
    def goal(pre: SymState, res: Result, act: Any, inp: Any) -> Expr:
        return all_invariants(res.post)

    return Obligation(
        f"channels-safe/step/{kind.name}",
        "CHAN-3",
        "step",
        channel_queries(kind, goal),
        ("alloc", "line", "inflight", "bucket"),
    )


def channel_obligations() -> list[Obligation]:
    """Every obligation of this module, in report order."""
    out = [bucket_bounds_init()]
    out += [bucket_bounds_step(k) for k in KINDS]
    out += [loss_rate(k) for k in KINDS]
    out += [channel_progress(k) for k in KINDS if k.action == "Deliver"]
    out += [channels_safe(k) for k in KINDS]
    return out
