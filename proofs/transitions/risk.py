"""The risk engine as the encoding sees it (RISK-1, RISK-10, HUB-GRANT-2).

Collateral value is encoded exactly (prices are constants, so it is linear).
What depends on positions (reported PnL, the latency buffer, margins, health) is
an input of the transition, computed by `model/risk.py` in `proofs.concrete` and
universally quantified within its declared sign in the proofs.
"""

from collections.abc import Mapping

from proofs.state import Expr, SymState, total, total_allocation
from proofs.transitions.context import Ctx
from spec.bounds import BPS


def collateral_value(ctx: Ctx, state: SymState, account: str) -> Expr:
    """RISK-1, NUM-1: sum of amount * price, each cut by its haircut, rounded down."""
    terms = []
    for x in state.u.assets:
        price = ctx.prices.get(x)
        if price is None:
            continue  # fail-closed guards ensure nothing held is unpriced when it counts
        amount = state.collateral[(account, x)]
        terms.append((amount * (price * (BPS - state.u.haircut_bps[x]))) / BPS)
    return total(terms)


def free_capacity(ctx: Ctx, state: SymState, account: str, inp: Mapping[str, Expr]) -> Expr:
    """HUB-GRANT-2: capacity (collateral value + reported loss) less allocations and buffer.

    `inp["reported_loss"]` is min(0, reported PnL) and `inp["buffer"]` the latency
    buffer, both functions of the hub's reports, which grants and withdrawals do not change.
    """
    capacity = collateral_value(ctx, state, account) + inp["reported_loss"]
    return capacity - total_allocation(state, account) - inp["buffer"]
