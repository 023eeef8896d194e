"""The start of the BMC of liquidation propagation (`proofs.bmc`, INV-LIQ-2): the pre-state,
the accepted liquidation, and the messages in flight after it, as explicit slots per spoke."""

from dataclasses import dataclass, replace

import z3

from proofs.invariants import INVARIANTS
from proofs.state import LISTED, Expr, SymState, fresh
from proofs.transitions.context import Ctx
from proofs.transitions.liquidation import liquidate
from proofs.transitions.outcome import ACCEPTED
from proofs.universe import PRICES, proof_universe

BMC_CTX = Ctx(prices=PRICES)
"""PROOF-PRICE-4: live prices, fixed for the unrolling.  They must be live: a hub without
the price of collateral it would seize makes a liquidation answer wait (HUB-LOSS-5), and
propagation is claimed under live prices.  One vector is enough: the obligations
`price-independence/step/*` (`proofs.prices`) prove that every step the unrolling takes
has the same effect on what it follows (status, tracked fields, messages sent) at any
two live price vectors, so the verdict holds at every live vector, and when the prices
move between any two steps.  (With symbolic prices the K = 2 query ran out of
`BMC_RLIMIT`: the products and divisions by a price in seizure are nonlinear.)"""


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
