"""Bounded model checking of liquidation propagation (INV-LIQ-2).

Claim: from any state satisfying the invariants in which the hub declares an
account unhealthy (`Liquidate` accepted), with up to three honest spokes, live
prices, no pause and no pair severed by a force-settle (LIVE-8), under fair delivery
the liquidation completes within K message rounds, and afterwards every spoke's
credit line is exactly what the hub allocates to it (no spoke keeps credit the hub
does not account for; positions are closed by the margin call).

Rounds: every message in flight at the start of round r is delivered during round
r, in any order; what a delivery sends is delivered in round r + 1.  The unrolling
delivers one message per step, always one of the oldest round in flight (every
interleaving within a round), through the same symbolic `deliver` the proofs use.

Messages are explicit slots per spoke: those in flight before the liquidation (one
grant, one release, one loss claim per spoke: the ghost sums of the pre-state, each
as one message), the margin call, its answer, and a loss claim a late grant may
trigger.  Found bound: the smallest K whose violation query is unsat; the query for
K - 1 is sat, a witness that the bound is tight.

Result: K = 2 (round 1 delivers the calls, round 2 the answers), tight, for one and
two spokes (`intermargin prove` runs two by default: about 52M of Z3's resource count,
15 s on a quiet 2-core machine).  With three spokes K = 1 is sat in seconds and K = 2
is unsat using 828M of the resource count (3.3x `BMC_RLIMIT`, 16x the two-spoke query;
about 160 s on a quiet 2-core machine, 29 min measured at a load average of 10 to 14):
`intermargin prove --bmc-spokes 3 --rlimit 2000000000` proves it, but it cannot fit the
30 s of the default run (PROOF-SMALL-5).  The prices are one live vector
(PROOF-PRICE-4).

Each query is bounded by Z3's resource limit (`BMC_RLIMIT`), not by time, so the verdict
does not depend on the machine's load (PROOF-BUDGET-1).
"""

import time
from dataclasses import dataclass, replace
from typing import Any

import z3

from proofs.bmc_slots import BMC_CTX, Slot, setup
from proofs.budget import Answer, Budget, Exhausted, ask, describe
from proofs.state import Expr, SymState, equal, fresh, without_sent
from proofs.transitions import KIND_BY_NAME
from proofs.transitions.delivery import PAYLOAD_FIELDS, endpoints, receive
from proofs.transitions.network import consume
from proofs.transitions.outcome import Result, unless_rejected


@dataclass(frozen=True)
class BmcResult:
    spokes: int
    bound: int | None
    tight: bool
    seconds: float
    detail: str
    per_k: tuple[tuple[int, str], ...]
    rlimit: int = 0
    """The most resource one query (one K) used."""
    exhausted: Exhausted | None = None
    """Which resource ran out, only when a query was `unknown` (PROOF-BUDGET-3)."""

    @property
    def ok(self) -> bool:
        return self.bound is not None and self.tight

    def as_json(self) -> dict[str, Any]:
        return {
            "invariant": "INV-LIQ-2",
            "ok": self.ok,
            "spokes": self.spokes,
            "bound": self.bound,
            "tight": self.tight,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            "per_k": [{"k": k, "answer": a} for k, a in self.per_k],
            "rlimit": self.rlimit,
        } | ({"exhausted": self.exhausted} if self.exhausted is not None else {})


RANK = {"CreditRelease": 0, "LossClaim": 1}
"""Partial-order reduction.  Two deliveries commute when they touch disjoint tracked
fields: those to different spokes (per-spoke fields; the account's `liquidating` only
falls when the last pending answer arrives, whichever order), and, for one spoke, a
release or an earlier loss claim at the hub (alloc, its own ghost sum) against a
grant or a margin call at the spoke (line, balance, freeze, their ghost sums).  So of
the interleavings within a round the unrolling keeps those that visit spokes in
declared order and, per spoke, releases, then claims, then the rest (rank 2: grant
and margin call, answer and late claim, in either order: those races are explored).
The commutation is argued from the fields each rule writes, not machine-checked."""

TRACKED = (
    "alloc",
    "line",
    "balance",
    "liquidating",
    "pending",
    "epoch",
    "called_epoch",
    "frozen",
    "paused",
    "compromised",
    "hub_compromised",
    "fl_grant",
    "fl_release",
    "fl_claim",
    "fl_liq",
    "n_call",
    "n_liq",
)
"""Cone of influence: the fields a delivery's guards or the property read.  The others
(ledger buckets, counters, the id arrays: the slots are the bag here) are not carried
from step to step, i.e. left arbitrary, which only adds behaviours: an unsat answer is
still a proof."""


def deliver_slot(state: SymState, act: dict[str, Any], inp: dict[str, Expr]) -> Result:
    """`deliver` of a message the slots say is in flight: consume it, let the receiver act."""
    sender, receiver = endpoints(act)
    fields = {f: act[f] for f in PAYLOAD_FIELDS[act["kind"]]}
    pre = without_sent(state)
    consumed = consume(pre, act["id"], sender, receiver, act["kind"], act["account"], fields)
    return unless_rejected(pre, receive(BMC_CTX, consumed, sender, receiver, act, inp))


def unroll(spokes: int, k: int, budget: Budget, por: bool = True) -> tuple[Answer, Any]:
    """Is there a fair schedule after which rounds 1..k are delivered and the liquidation
    is not complete and accounted for?  (sat = K too small)."""
    premises, state, slots, a = setup(spokes)
    u = state.u
    s = budget.solver()
    s.add(premises)
    steps = len(slots)
    previous: tuple[Expr, Expr, Expr, Expr] | None = None
    for t in range(steps):
        choice = z3.Int(f"bmc.choice.{t}")
        due = [z3.And(sl.present, sl.round <= k) for sl in slots]
        s.add(z3.If(z3.Or(due), z3.And(choice >= 0, choice < len(slots)), choice == -1))
        spoke_of = z3.IntVal(-1)
        round_of = z3.IntVal(-1)
        rank_of = z3.IntVal(-1)
        for j, sl in enumerate(slots):
            spoke_of = z3.If(choice == j, u.spokes.index(sl.spoke), spoke_of)
            round_of = z3.If(choice == j, sl.round, round_of)
            rank_of = z3.If(choice == j, RANK.get(sl.kind, 2), rank_of)
        if por and previous is not None:
            p_choice, p_spoke, p_round, p_rank = previous
            same_round = z3.And(p_choice >= 0, choice >= 0, p_round == round_of)
            canonical = z3.Or(p_spoke < spoke_of, z3.And(p_spoke == spoke_of, p_rank <= rank_of))
            s.add(z3.Implies(same_round, canonical))
        previous = (choice, spoke_of, round_of, rank_of)
        results: list[Result | None] = []
        for j, sl in enumerate(slots):
            oldest = z3.And([z3.Implies(o.present, sl.round <= o.round) for o in slots])
            s.add(z3.Implies(choice == j, z3.And(sl.present, sl.round <= k, oldest)))
            if not sl.fields:
                results.append(None)
                continue
            kind = KIND_BY_NAME[
                "Deliver"
                + {
                    "CreditGrant": "Grant",
                    "CreditRelease": "Release",
                    "LossClaim": "Claim",
                    "MarginCall": "Call",
                    "LiquidationReport": "LiqReport",
                }[sl.message]
            ]
            act: dict[str, Any] = {
                "kind": sl.message,
                "account": a,
                "spoke": sl.spoke,
                "id": sl.id,
            } | sl.fields
            inp: dict[str, Expr] = {}
            if sl.message == "MarginCall":
                inp = {"live": z3.BoolVal(True), "upnl": z3.Int(f"bmc.upnl.{t}.{sl.spoke}")}
            del kind
            results.append(deliver_slot(state, act, inp))
        nxt = replace(fresh(u, f"bmc.s{t + 1}"), severed=state.severed, halted=state.halted)
        s.add(z3.Implies(choice == -1, equal(nxt, state, TRACKED)))
        new_slots = []
        for j, sl in enumerate(slots):
            r = results[j]
            if r is not None:
                s.add(z3.Implies(choice == j, equal(nxt, r.post, TRACKED)))
            taken = choice == j
            new_slots.append(
                Slot(
                    sl.spoke,
                    sl.kind,
                    z3.And(sl.present, z3.Not(z3.And(taken, r is not None and r.status != 1))),
                    sl.round,
                    sl.id,
                    dict(sl.fields),
                )
            )
        for j, sl in enumerate(slots):
            r = results[j]
            if r is None:
                continue
            for m in r.post.sent:
                target = {"LiquidationReport": "LiquidationReport", "LossClaim": "LateClaim"}.get(
                    m.kind
                )
                if target is None:
                    continue
                idx = next(
                    i for i, o in enumerate(new_slots) if o.spoke == m.sender and o.kind == target
                )
                o = new_slots[idx]
                fire = z3.And(choice == j, m.when)
                fields = {
                    name: z3.If(fire, val, o.fields.get(name, z3.IntVal(0)))
                    for name, val in m.fields.items()
                    if name != "id"
                }
                new_slots[idx] = Slot(
                    o.spoke,
                    o.kind,
                    z3.Or(o.present, fire),
                    z3.If(fire, sl.round + 1, o.round),
                    z3.If(fire, m.fields["id"], o.id),
                    fields,
                )
        slots, state = new_slots, nxt
    done = z3.And([z3.Not(z3.And(sl.present, sl.round <= k)) for sl in slots])
    accounted = z3.And(
        z3.Not(state.liquidating[a]),
        *[state.line[(p, a)] == state.alloc[(a, p)] for p in u.spokes],
    )
    s.add(done, z3.Not(accounted))
    return ask(s.assertions(), budget), s


BMC_RLIMIT = 360_000_000
"""PROOF-BUDGET-1: the resource limit per BMC query (one per K).  Measured (z3 5.4 on the
2-core machine, "rlimit count" across the query, with the BMC's solver and options,
PROOF-BUDGET-5): two spokes K=2 79.7M (the same in any process since each query has a Z3
context of its own, PROOF-BUDGET-4); one spoke K=2 7.5M.  The limit is 4.5x the largest.
Three spokes (`--bmc-spokes 3`) need more: pass `--rlimit`."""

BMC_OPTIONS = (("arith.solver", 2),)
"""PROOF-BUDGET-5: the BMC's queries use Z3's older arithmetic solver (`arith.solver=2`, the
default is 6): on the two-spoke K=2 query it takes 6.2 to 6.7 CPU s against 10.5 to 12.4,
though its resource count is higher (79.7M against 49.2M; the two count different work)."""

DEFAULT_BMC_BUDGET = Budget(BMC_RLIMIT, preprocess=True, options=BMC_OPTIONS)


def propagation(spokes: int = 3, max_k: int = 4, budget: Budget = DEFAULT_BMC_BUDGET) -> BmcResult:
    """Search the smallest K for which propagation is proved; check K - 1 fails.

    Each K is one query bounded by `budget` (PROOF-BUDGET-1); an `unknown` stops the search
    and says which resource ran out (PROOF-BUDGET-3)."""
    start = time.perf_counter()
    answers: list[tuple[int, str]] = []
    used = 0
    bound = None

    def result(
        bound: int | None, tight: bool, detail: str, exhausted: Exhausted | None = None
    ) -> BmcResult:
        seconds = time.perf_counter() - start
        return BmcResult(spokes, bound, tight, seconds, detail, tuple(answers), used, exhausted)

    for k in range(1, max_k + 1):
        answer, _ = unroll(spokes, k, budget)
        used = max(used, answer.rlimit)
        if answer.unknown:
            why = describe(answer.exhausted, budget, answer.reason)
            answers.append((k, f"unknown: {why}"))
            return result(None, False, f"unknown at K={k}: {why}", answer.exhausted)
        answers.append((k, str(answer.result)))
        if answer.result == z3.unsat:
            bound = k
            break
    if bound is None:
        return result(None, False, f"not complete within {max_k} rounds")
    tight = bound == 1 or answers[-2][1] == "sat"
    detail = f"completes within K={bound} rounds with {spokes} spokes; K={bound - 1} is not enough"
    return result(bound, tight, detail)


__all__ = ["BmcResult", "propagation"]
