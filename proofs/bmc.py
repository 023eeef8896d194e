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

from proofs.budget import Answer, Budget, Exhausted, ask, describe
from proofs.invariants import INVARIANTS
from proofs.state import LISTED, Expr, SymState, equal, fresh, without_sent
from proofs.transitions import KIND_BY_NAME
from proofs.transitions.context import Ctx
from proofs.transitions.delivery import PAYLOAD_FIELDS, endpoints, receive
from proofs.transitions.liquidation import liquidate
from proofs.transitions.network import consume
from proofs.transitions.outcome import ACCEPTED, Result, unless_rejected
from proofs.universe import PRICES, proof_universe
from spec.bounds import HUB

BMC_CTX = Ctx(prices=PRICES)
"""PROOF-PRICE-4: live prices, fixed for the unrolling.  They must be live: a hub without
the price of collateral it would seize makes a liquidation answer wait (HUB-LOSS-5), and
propagation is claimed under live prices.  One vector is enough: the obligations
`price-independence/step/*` (`proofs.prices`) prove that every step the unrolling takes
has the same effect on what it follows (status, tracked fields, messages sent) at any
two live price vectors, so the verdict holds at every live vector, and when the prices
move between any two steps.  (With symbolic prices the K = 2 query ran out of
`BMC_RLIMIT`: the products and divisions by a price in seizure are nonlinear.)"""

SLOT_KINDS = (
    "CreditGrant",
    "CreditRelease",
    "LossClaim",
    "MarginCall",
    "LiquidationReport",
    "LateClaim",
)


@dataclass
class Slot:
    """One message that may be in flight: present, its round, its id and payload."""

    spoke: str
    kind: str
    present: Expr
    round: Expr
    id: Expr
    fields: dict[str, Expr]

    @property
    def message(self) -> str:
        return "LossClaim" if self.kind == "LateClaim" else self.kind


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


def setup(spokes: int) -> tuple[list[Expr], SymState, list[Slot], str]:
    """The pre-state, the accepted liquidation, and the slots in flight after it."""
    # FLOW-CALL-6: the window off.  With it on, an accepted Liquidate either only opens a
    # top-up call (declares nothing, sends nothing) or starts the liquidation with the same
    # post-state as with it off on every field a delivery reads; so propagation from the
    # declaration is the same claim, without the call's branch in every term.
    u = replace(proof_universe(spokes=spokes, accounts=1), top_up_window_s=0)
    a = u.accounts[0]
    pre = running_chains(no_severed_pair(fresh(u, "bmc.pre")))
    for s in u.spokes:  # BMC-PRE-1: no transition the unrolling takes reads these
        pre = pre.set("listing", s, z3.IntVal(LISTED)).set("ins_limit", s, z3.IntVal(0))
    # every invariant but INV-AMO-1's quantifier, which is instantiated below for the ids used
    quantifier_free = [i.formula(pre) for i in INVARIANTS if i.name != "at-most-once"]
    premises = [*quantifier_free, z3.Not(pre.hub_compromised[()]), pre.next_id_ >= 1]
    for j in range(8 * spokes):
        fresh_id = pre.next_id_ + j
        premises += [z3.Not(pre.delivered[()][fresh_id]), z3.Not(pre.inflight[()][fresh_id])]
    premises += [z3.Not(pre.compromised[s]) for s in u.spokes]
    premises += [z3.Not(pre.paused[s]) for s in u.spokes]
    requirement = z3.Int("bmc.requirement")
    inputs = {
        "live": z3.BoolVal(True),
        "healthy": z3.BoolVal(False),
        "requirement": requirement,
        "deep": z3.Bool("bmc.deep"),
    }
    premises.append(requirement >= 0)
    res = liquidate(BMC_CTX, pre, {"account": a}, inputs)
    premises.append(res.status == ACCEPTED)
    slots: list[Slot] = []
    ids: list[Expr] = []
    for s in u.spokes:
        ap = (a, s)
        for kind, total in (
            ("CreditGrant", pre.fl_grant[ap]),
            ("CreditRelease", pre.fl_release[ap]),
            ("LossClaim", pre.fl_claim[ap]),
        ):
            mid = z3.Int(f"bmc.id.{kind}.{s}")
            fields = {"amount": total}
            if kind == "CreditGrant":
                fields["epoch"] = z3.Int(f"bmc.epoch.{s}")
                premises += [fields["epoch"] >= 0, fields["epoch"] <= pre.epoch[a]]
                premises.append(
                    pre.hot_grants[a]
                    == z3.If(total > 0, z3.If(fields["epoch"] >= pre.epoch[a], 1, 0), 0)
                )
            present = total > 0
            live = z3.And(
                pre.inflight[()][mid], z3.Not(pre.delivered[()][mid]), mid >= 1, mid < pre.next_id_
            )
            premises.append(z3.Implies(present, live))
            ids.append((present, mid))
            slots.append(Slot(s, kind, present, z3.IntVal(1), mid, fields))
        premises.append(pre.fl_liq[ap] == 0)
        call = next(m for m in res.post.sent if m.kind == "MarginCall" and m.receiver == s)
        slots.append(
            Slot(
                s,
                "MarginCall",
                z3.BoolVal(True),
                z3.IntVal(1),
                call.fields["id"],
                {"epoch": call.fields["epoch"]},
            )
        )
        for kind in ("LiquidationReport", "LateClaim"):
            slots.append(Slot(s, kind, z3.BoolVal(False), z3.IntVal(0), z3.IntVal(0), {}))
    for i, (p1, m1) in enumerate(ids):
        for p2, m2 in ids[i + 1 :]:
            premises.append(z3.Implies(z3.And(p1, p2), m1 != m2))
    return premises, res.post, slots, a


def no_severed_pair(state: SymState) -> SymState:
    """LIVE-8: the BMC's premise that no pair is severed, as constants rather than a
    constraint: the severed branches of the rules (LIVE-5, LIVE-6) fold away when the terms
    are built, so they cost the unrolling nothing.  The unrolling delivers messages only,
    and no delivery severs a pair (`no-early-severance/step/Deliver*`), so the constants
    hold at every step.  Measured with `benchmarks/bench_proofs.py` (one job, load average
    13 to 15, back to back): two spokes 57.2M of Z3's resource count before force-settle,
    54.0M with it; one spoke 6.4M and 5.8M."""
    return replace(state, severed={k: z3.BoolVal(False) for k in state.u.keys("as")})


def running_chains(state: SymState) -> SymState:
    """FIN-9: the BMC's premise that no spoke's chain is halted, as constants (as LIVE-8 fixes
    severed pairs): the halt guards of the deliveries (FIN-6) fold away, and no delivery
    halts a chain, so the constants hold at every step.  The BMC's universe declares no
    finality delay, so the segment's guards (FIN-3, FIN-4) are false by construction."""
    return replace(state, halted={k: z3.BoolVal(False) for k in state.u.keys("s")})


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


BMC_RLIMIT = 250_000_000
"""PROOF-BUDGET-1: the resource limit per BMC query (one per K).  Measured (z3 4.x on the
2-core machine, "rlimit count" across the query): two spokes K=1 2.4M, K=2 57.1M (the same
in any process since each query has a Z3 context of its own, PROOF-BUDGET-4; before, 49.5M
to 54.4M depending on what the process built before); one spoke K=2 6.1M.  The limit is 4.4x
the largest.  Three spokes (`--bmc-spokes 3`) need more: pass `--rlimit`."""

DEFAULT_BMC_BUDGET = Budget(BMC_RLIMIT)


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


__all__ = ["HUB", "BmcResult", "propagation"]
