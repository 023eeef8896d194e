"""Governance, symbolically: mirrors model/governance.py (GOV-1..GOV-3)."""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState, spoke_allocation
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


def publish_price(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """ORA-1: quotes are not encoded (prices are per-step constants): nothing encoded changes."""
    return Rules(pre).accept(Rules(pre).pre)


def advance_time(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """TIME-1, RATE-4: logical time moves forward and refills the rate-limit buckets."""
    rules = Rules(pre)
    return rules.accept(refill(rules.pre.add("now", (), act["seconds"]), act["seconds"]))
