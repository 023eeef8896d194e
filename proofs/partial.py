"""The obligations of partial liquidation (FLOW-PART-2, FLOW-PART-5, FLOW-PART-6).

- `partial-never-less-healthy/step/PartialLiquidate` (FLOW-PART-6): an accepted partial
  liquidation leaves the account's local health (local equity less local maintenance
  margin) no lower than it found it, whatever the book's PnL and margins before and after
  the close (inputs), because the encoding itself checks that the close restores the
  account, penalty paid.  Witness: an accepted close that charges a penalty.
- `close-at-mark/law` (FLOW-PART-2): closing `k` lots of a perpetual `(q, c)` at the mark
  `p` moves exactly its share of unrealized PnL into the settled balance, whatever the
  rounding of the cost basis removed (SPK-TRADE-4): equity does not move.  Witness: a
  close whose removed cost is rounded.
- `least-close/law` (FLOW-PART-5): the bisection of `model.partial.least_lots`, for any
  predicate "k lots restore": one halving keeps `lo` not restoring and `hi` restoring and
  narrows the interval, and when it is one lot wide, `hi` restores and `hi - 1` does not.
"""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.flows import FlowGoal, flow_step
from proofs.obligations import Obligation
from proofs.premises import Query
from proofs.state import Expr, SymState, Universe, fresh
from proofs.transitions import KIND_BY_NAME, Transition
from proofs.transitions.outcome import Result
from proofs.transitions.partial import local_equity, partial_penalty
from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY


def never_less_healthy(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """FLOW-PART-6: local health after the close is at least local health before it."""
    key = (act["spoke"], act["account"])
    before = local_equity(pre, key, inp["upnl"]) - inp["mm"]
    after = local_equity(res.post, key, inp["upnl_after"]) - inp["mm_after"]
    return z3.Implies(res.accepted, after >= before)


def penalty_charged(
    pre: SymState, res: Result, act: Mapping[str, Any], inp: Mapping[str, Expr]
) -> Expr:
    """Witness: an accepted close that charges a penalty."""
    return z3.And(res.accepted, partial_penalty(pre, inp["notional"]) > 0)


NEVER_LESS_HEALTHY = FlowGoal(
    "partial-never-less-healthy",
    "FLOW-PART-6",
    ("PartialLiquidate",),
    never_less_healthy,
    penalty_charged,
    ("line", "balance"),
)


def close_at_mark_queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
    """FLOW-PART-2: one close of `k` of `|q|` lots at `p`, with the removed cost rounded up,
    for a long and for a short position (one query each: the fill's signed quantity is then
    a term, not a case split)."""
    queries = []
    for side, sign in (("long", 1), ("short", -1)):
        n, c, p, k, removed = (
            z3.Int(f"close.{side}.{v}") for v in ("size", "cost", "price", "k", "removed")
        )
        q, closing = sign * n, -sign * k  # the fill goes towards zero
        premises = z3.And(
            n >= 1,
            n <= MAX_QTY,
            c >= -MAX_AMOUNT,
            c <= MAX_AMOUNT,
            p >= 1,
            p <= MAX_PRICE,
            k >= 1,
            k <= n,
            # removed = ceil(c * k / |q|), as SPK-TRADE-4 rounds it (for either side)
            removed * n >= c * k,
            (removed - 1) * n < c * k,
        )
        realized = -closing * p - removed
        before = q * p - c
        after = (q + closing) * p - (c - removed) + realized
        pre = fresh(u, f"close.{side}")
        act = {"size": n, "cost": c, "price": p, "lots": k}
        witness = removed * n > c * k
        queries.append(Query(premises, after == before, witness, pre=pre, post=pre, act=act))
    return queries


def least_close_queries(u: Universe, table: Mapping[str, Transition]) -> list[Query]:
    """FLOW-PART-5: the bisection's invariant holds after a halving, and its exit is least."""
    restores = z3.Function("restores", z3.IntSort(), z3.BoolSort())
    lo, hi = z3.Int("search.lo"), z3.Int("search.hi")
    mid = (lo + hi) / 2

    def invariant(a: Expr, b: Expr) -> Expr:
        return z3.And(a >= 0, a < b, z3.Not(restores(a)), restores(b))

    pre = fresh(u, "search")
    act = {"lo": lo, "hi": hi}
    halving = z3.And(invariant(lo, hi), hi - lo > 1)
    narrowed = z3.If(
        restores(mid),
        z3.And(invariant(lo, mid), mid - lo < hi - lo),
        z3.And(invariant(mid, hi), hi - mid < hi - lo),
    )
    done = z3.And(invariant(lo, hi), hi - lo <= 1)
    least = z3.And(restores(hi), z3.Not(restores(hi - 1)))
    return [
        Query(halving, narrowed, restores(mid), pre=pre, post=pre, act=act),
        Query(halving, narrowed, z3.Not(restores(mid)), pre=pre, post=pre, act=act),
        Query(done, least, z3.BoolVal(True), pre=pre, post=pre, act=act),
    ]


def partial_obligations() -> list[Obligation]:
    """FLOW-PART-2, FLOW-PART-5, FLOW-PART-6."""
    return [
        flow_step(NEVER_LESS_HEALTHY, KIND_BY_NAME["PartialLiquidate"]),
        Obligation("close-at-mark/law", "FLOW-PART-2", "step", close_at_mark_queries),
        Obligation("least-close/law", "FLOW-PART-5", "step", least_close_queries),
    ]
