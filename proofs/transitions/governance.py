"""Governance, symbolically: mirrors model/governance.py (GOV-1..GOV-3, LIST-1..LIST-4)."""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import (
    DELISTED,
    LISTED,
    REMOVED,
    Expr,
    SymState,
    listed,
    spoke_allocation,
)
from proofs.transitions.channels import refill
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]


def set_cap(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """GOV-1: a new cap may not be below what the spoke already holds (INV-PART-1)."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(act["cap"] < spoke_allocation(pre, s), Error.CAP_BELOW_ALLOCATION)
    return rules.accept(rules.pre.set("cap", s, act["cap"]))


def pause_spoke(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """GOV-2: circuit breaker on."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(pre.paused[s], Error.ALREADY_PAUSED)
    return rules.accept(rules.pre.set("paused", s, z3.BoolVal(True)))


def unpause_spoke(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """GOV-3: circuit breaker off."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(z3.Not(pre.paused[s]), Error.NOT_PAUSED)
    return rules.accept(rules.pre.set("paused", s, z3.BoolVal(False)))


def drained(state: SymState, spoke: str) -> Expr:
    """LIST-4: nothing allocated to the spoke, no liquidation waiting on its answer."""
    waiting = z3.Or([state.pending[(a, spoke)] for a in state.u.accounts])
    return z3.And(spoke_allocation(state, spoke) == 0, z3.Not(waiting))


def list_spoke(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """LIST-2: list a declared spoke, or call off a drain; a removed spoke stays removed."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(listed(pre, s), Error.ALREADY_LISTED)
    rules.reject_if(pre.listing[s] == REMOVED, Error.SPOKE_REMOVED)
    return rules.accept(rules.pre.set("listing", s, z3.IntVal(LISTED)))


def delist_spoke(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """LIST-3: a delisted spoke is drained: granted nothing more (INV-LIST-1)."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(z3.Not(listed(pre, s)), Error.SPOKE_NOT_LISTED)
    return rules.accept(rules.pre.set("listing", s, z3.IntVal(DELISTED)))


def remove_spoke(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """LIST-4: a delisted spoke is removed once drained (INV-LIST-2)."""
    s = act["spoke"]
    rules = Rules(pre)
    rules.reject_if(pre.listing[s] != DELISTED, Error.NOT_DELISTED)
    rules.reject_if(z3.Not(drained(pre, s)), Error.SPOKE_NOT_DRAINED)
    return rules.accept(rules.pre.set("listing", s, z3.IntVal(REMOVED)))


def publish_price(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """ORA-1: quotes are not encoded (each step sees its own prices, PROOF-PRICE-3): nothing
    encoded changes."""
    return Rules(pre).accept(Rules(pre).pre)


def advance_time(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """TIME-1, RATE-4: logical time moves forward and refills the rate-limit buckets."""
    rules = Rules(pre)
    return rules.accept(refill(rules.pre.add("now", (), act["seconds"]), act["seconds"]))
