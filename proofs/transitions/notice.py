"""Risk-parameter changes with notice, symbolically: mirrors model/notice.py (GOV-NOTICE-1..3).

A kind of the encoding changes one parameter of one role: `*Haircut` kinds an asset's
`haircut_bps` (role `asset`), `*Latency` kinds a spoke's `latency_s` (role `spoke`); the
state holds, per (parameter, target) key `t`, the value in force (`risk`) and the change
announced (`sched`, `sched_value`, `sched_due`, `sched_said`).
"""

from collections.abc import Mapping
from typing import Any

import z3

from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]

PARAM_OF_ROLE: dict[str, str] = {"asset": "haircut_bps", "spoke": "latency_s"}
"""PAR-26: the risk parameter a kind changes, by the role its target plays."""


def target_of(act: Act) -> tuple[str, str]:
    """PAR-26: the (parameter, target) key the action is about."""
    role = "asset" if "asset" in act else "spoke"
    return PARAM_OF_ROLE[role], act[role]


def tightens(state: SymState, target: tuple[str, str], value: Expr) -> Expr:
    """GOV-NOTICE-1: a higher haircut or latency than the one in force is a tightening."""
    return value > state.risk[target]


def due(state: SymState, target: tuple[str, str]) -> Expr:
    """GOV-NOTICE-3: the announced change's effective time has come."""
    return state.now[()] >= state.sched_due[target]


def propose_param_change(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """GOV-NOTICE-2: a tightening takes effect no sooner than `notice_s` from now."""
    t = target_of(act)
    now = pre.now[()]
    rules = Rules(pre)
    early = act["effective_at"] < now + pre.u.notice_s
    rules.reject_if(z3.And(tightens(pre, t, act["value"]), early), Error.NOTICE_TOO_SHORT)
    post = (
        rules.pre.set("sched", t, z3.BoolVal(True))
        .set("sched_value", t, act["value"])
        .set("sched_due", t, act["effective_at"])
        .set("sched_said", t, now)
    )
    return rules.accept(post)


def apply_param_change(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """GOV-NOTICE-3: the announced change takes effect at or after its time."""
    t = target_of(act)
    rules = Rules(pre)
    rules.reject_if(z3.Not(pre.sched[t]), Error.NO_CHANGE_SCHEDULED)
    rules.reject_if(z3.Not(due(pre, t)), Error.CHANGE_NOT_DUE)
    zero = z3.IntVal(0)
    post = (
        rules.pre.set("risk", t, pre.sched_value[t])
        .set("sched", t, z3.BoolVal(False))
        .set("sched_value", t, zero)
        .set("sched_due", t, zero)
        .set("sched_said", t, zero)
    )
    return rules.accept(post)
