"""Payout, symbolically: mirrors model/payout.py (FLOW-PAY-1..3)."""

from collections.abc import Mapping
from typing import Any

from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx
from proofs.transitions.outcome import Result, Rules
from spec.errors import Error

Act = Mapping[str, Any]


def owed_to(state: SymState, spoke: str, asset: str) -> Expr:
    """FLOW-PAY-2: the partition's pool of an asset: what the hub owes the spoke of it."""
    return state.owed[(spoke, asset)]


def pay_out(ctx: Ctx, pre: SymState, act: Act, inp: Mapping[str, Expr]) -> Result:
    """FLOW-PAY-1..3: not to a paused spoke; never above what its partition is owed of the
    asset; the tokens leave the hub with the debt."""
    s, x, amount = act["spoke"], act["asset"], act["amount"]
    rules = Rules(pre)
    rules.reject_if(pre.paused[s], Error.SPOKE_PAUSED)
    rules.reject_if(amount > owed_to(pre, s, x), Error.EXCEEDS_OWED)
    return rules.accept(rules.pre.add("owed", (s, x), -amount).add("tokens", x, -amount))
