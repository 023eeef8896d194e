"""Finality, halts and reorgs, symbolically: mirrors model/finality.py (FIN-1..FIN-8).

A spoke's segment is encoded by what a rollback needs: the checkpoint's line, balance and
report counter per account (`cp_*`; positions are not encoded), the time of its latest
change, the ids of the messages it sent (`seg_ids`) and, as ghost sums, the credit of its
releases and claims still in flight (`seg_release`, `seg_claim`).  With no segment every
one of them is 0 (or empty), as `proofs.concrete` abstracts it.  For a spoke without a
finality delay (PAR-27 = 0) every function here folds to a constant, so the encoding of a
universe without finality is the one before it.
"""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState, ite
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import ACCEPTED, Result, Rules
from spec.bounds import HUB
from spec.errors import Error

Act = Mapping[str, Any]
NO_IDS = z3.K(z3.IntSort(), z3.BoolVal(False))


def finality_of(state: SymState, spoke: str) -> int:
    """PAR-27: the spoke's declared finality delay (a constant of the universe)."""
    return state.u.finality.get(spoke, 0)


def is_halted(state: SymState, spoke: str) -> Expr:
    """FIN-6: the spoke's chain is halted."""
    return state.halted[spoke]


def unfinalized(state: SymState, spoke: str) -> Expr:
    """FIN-2: the spoke has a segment whose latest change is younger than its finality."""
    fin = finality_of(state, spoke)
    if fin == 0:
        return z3.BoolVal(False)
    return z3.And(state.seg_open[spoke], state.now[()] < state.changed[spoke] + fin)


def not_final(state: SymState, sender: str, message_id: Expr) -> Expr:
    """FIN-3: the message belongs to its sending spoke's segment, which is not final yet."""
    if sender == HUB or finality_of(state, sender) == 0:
        return z3.BoolVal(False)
    return z3.And(state.seg_ids[sender][message_id], unfinalized(state, sender))


def closed(state: SymState, spoke: str) -> SymState:
    """The spoke with no segment: every segment field at its empty value."""
    state = state.set("seg_open", spoke, z3.BoolVal(False)).set("changed", spoke, z3.IntVal(0))
    state = state.set("seg_ids", spoke, NO_IDS)
    for a in state.u.accounts:
        for name in ("cp_line", "cp_balance", "cp_seq"):
            state = state.set(name, (spoke, a), z3.IntVal(0))
        for name in ("seg_release", "seg_claim"):
            state = state.set(name, (a, spoke), z3.IntVal(0))
    return state


def record_change(pre: SymState, post: SymState, spoke: str, account: str) -> SymState:
    """FIN-1: an accepted change on a spoke with a finality delay joins its segment (a new one,
    checkpointed at `pre`, if it has none or its segment is final), with the messages it
    sent, stamped now.  Only `account`'s entries change besides the checkpoint."""
    if finality_of(pre, spoke) == 0:
        return post
    fresh = z3.Not(unfinalized(pre, spoke))
    state = post
    for a in pre.u.accounts:
        for name, live in (("cp_line", "line"), ("cp_balance", "balance"), ("cp_seq", "seq")):
            key = (spoke, a)
            state = state.set(name, key, z3.If(fresh, pre.get(live)[key], pre.get(name)[key]))
        for name in ("seg_release", "seg_claim"):
            state = state.set(name, (a, spoke), z3.If(fresh, 0, pre.get(name)[(a, spoke)]))
    ap = (account, spoke)
    for name, flight in (("seg_release", "fl_release"), ("seg_claim", "fl_claim")):
        state = state.add(name, ap, post.get(flight)[ap] - pre.get(flight)[ap])
    ids = z3.If(fresh, NO_IDS, pre.seg_ids[spoke])
    for m in post.sent:
        if m.sender == spoke:
            ids = z3.If(m.when, z3.Store(ids, m.fields["id"], True), ids)
    state = state.set("seg_ids", spoke, ids).set("changed", spoke, pre.now[()])
    return state.set("seg_open", spoke, z3.BoolVal(True))


def changed_if_accepted(pre: SymState, res: Result, spoke: str, account: str) -> Result:
    """FIN-1: the change of an accepted spoke action joins the segment."""
    if finality_of(pre, spoke) == 0:
        return res
    recorded = record_change(pre, res.post, spoke, account)
    return Result(ite(res.status == ACCEPTED, recorded, res.post), res.status, res.error)


def close_segment(state: SymState, spoke: str) -> SymState:
    """FIN-4: a hub message executed on the spoke closes its (final) segment."""
    if finality_of(state, spoke) == 0:
        return state
    return closed(state, spoke)


def within_reach(state: SymState, spoke: str, depth: Expr) -> Expr:
    """FIN-5: the segment is not final and its latest change is within `depth` seconds."""
    if finality_of(state, spoke) == 0:
        return z3.BoolVal(False)
    return z3.And(unfinalized(state, spoke), state.changed[spoke] > state.now[()] - depth)


def roll_back(state: SymState, spoke: str) -> SymState:
    """FIN-5: the accounts return to the checkpoint, the segment's messages leave flight (and
    the credit they carried leaves the in-flight sums), and the segment closes."""
    for a in state.u.accounts:
        key, ap = (spoke, a), (a, spoke)
        for name, live in (("cp_line", "line"), ("cp_balance", "balance"), ("cp_seq", "seq")):
            state = state.set(live, key, state.get(name)[key])
        for name, flight in (("seg_release", "fl_release"), ("seg_claim", "fl_claim")):
            state = state.add(flight, ap, -state.get(name)[ap])
    i = z3.Int("reorg.i")
    gone = state.seg_ids[spoke]
    kept = z3.Lambda([i], z3.And(state.inflight[()][i], z3.Not(gone[i])))
    return closed(state.set("inflight", (), kept), spoke)


def halt(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """FIN-6: the adversary halts the spoke's chain."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(is_halted(pre, s), Error.SPOKE_HALTED)
    return rules.accept(rules.pre.set("halted", s, z3.BoolVal(True)))


def resume(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """FIN-6: the halted chain produces blocks again."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(z3.Not(is_halted(pre, s)), Error.NOT_HALTED)
    return rules.accept(rules.pre.set("halted", s, z3.BoolVal(False)))


def reorg(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """FIN-5, FIN-8: within the finality bound only the unfinalized segment is rolled back;
    beyond it the spoke is compromised from then on."""
    s, depth = act["spoke"], act["depth"]
    rules = Rules(pre)
    post = ite(within_reach(rules.pre, s, depth), roll_back(rules.pre, s), rules.pre)
    beyond = depth > finality_of(pre, s)
    post = post.set("compromised", s, z3.Or(post.compromised[s], beyond))
    return rules.accept(post)
