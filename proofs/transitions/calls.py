"""Top-up calls, symbolically: mirrors model/calls.py function for function
(FLOW-CALL-1..6, INV-CALL-1).

Whether the account is below the call floor (FLOW-CALL-2) and whether it is healthy after
a deposit (FLOW-CALL-3) are what the risk engine decides from books the encoding does not
hold: inputs of the step (`deep`, `healthy`), universally quantified in the proofs.  The
window itself is the universe's constant, and time (`now`) and the call (`called`,
`called_at`) are state.
"""

import z3

from proofs.state import Expr, SymState


def window_on(state: SymState) -> bool:
    """FLOW-CALL-1: the parameters declare a top-up window."""
    return state.u.top_up_window_s > 0


def in_top_up_window(state: SymState, account: str, deep: Expr) -> Expr:
    """FLOW-CALL-2: a call is open, its window has not passed, and the account is not below
    the call floor: the liquidation must wait."""
    if not window_on(state):
        return z3.BoolVal(False)
    deadline = state.called_at[account] + state.u.top_up_window_s
    return z3.And(state.called[account], state.now[()] < deadline, z3.Not(deep))


def call_to_open(state: SymState, account: str, deep: Expr) -> Expr:
    """FLOW-CALL-1: a window is declared, no call is open, and the account is not below the
    call floor: `Liquidate` opens the call instead of liquidating."""
    if not window_on(state):
        return z3.BoolVal(False)
    return z3.And(z3.Not(state.called[account]), z3.Not(deep))


def under_margin_call(state: SymState, account: str) -> Expr:
    """FLOW-CALL-4: a top-up call is open for the account."""
    return state.called[account]


def with_call(state: SymState, account: str, called: bool) -> SymState:
    """Open (stamped now) or close the account's call."""
    at = state.now[()] if called else z3.IntVal(0)
    return state.set("called", account, z3.BoolVal(called)).set("called_at", account, at)


def call_met(state: SymState, account: str, live: Expr, healthy: Expr) -> Expr:
    """FLOW-CALL-3: an open call is met when the account is healthy at prices that value it."""
    return z3.And(under_margin_call(state, account), live, healthy)
