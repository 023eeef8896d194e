"""The risk engine as the encoding sees it (RISK-1, RISK-10, HUB-GRANT-2).

Collateral value is encoded exactly, at the step's prices (symbolic in the proofs,
PROOF-PRICE-1).
What depends on positions (reported PnL, the latency buffer, margins, health) is
an input of the transition, computed by `model/risk.py` in `proofs.concrete_actions` and
universally quantified within its declared sign in the proofs.
"""

from collections.abc import Mapping

from model.risk import free_of, haircut_value
from proofs.state import Expr, SymState, total, total_allocation
from proofs.transitions.context import Ctx


def collateral_value(ctx: Ctx, state: SymState, account: str) -> Expr:
    """RISK-1, RISK-IM-1, NUM-1: what the collateral lends on: sum of amount * price, each cut
    by its LTV haircut, rounded down (only capacity reads it): the model's `haircut_value`
    of each asset (DIFF-MIRROR-2)."""
    terms = []
    for x in state.u.assets:
        price = ctx.prices.get(x)
        if price is None:
            continue  # fail-closed guards ensure nothing held is unpriced when it counts
        amount = state.collateral[(account, x)]
        terms.append(haircut_value(amount, price, state.u.haircut_bps[x]))
    return total(terms)


def capacity(ctx: Ctx, state: SymState, account: str, inp: Mapping[str, Expr]) -> Expr:
    """RISK-12, RISK-IM-1: loan value plus the reported loss (`inp["reported_loss"]` <= 0:
    no reported profit enters capacity, RISK-NET-4)."""
    return collateral_value(ctx, state, account) + inp["reported_loss"]


def below_initial(ctx: Ctx, state: SymState, account: str, inp: Mapping[str, Expr]) -> Expr:
    """RISK-IM-2: capacity below the initial requirement (`inp["initial_margin"]`, the model's
    initial margin of the reported books, plus the latency buffer)."""
    return capacity(ctx, state, account, inp) < inp["initial_margin"] + inp["buffer"]


def free_capacity(ctx: Ctx, state: SymState, account: str, inp: Mapping[str, Expr]) -> Expr:
    """HUB-GRANT-2: capacity (collateral value + reported loss) less allocations and buffer.

    `inp["reported_loss"]` is min(0, reported PnL) and `inp["buffer"]` the latency
    buffer, both functions of the hub's reports, which grants and withdrawals do not change.
    """
    held = capacity(ctx, state, account, inp)
    return free_of(held, total_allocation(state, account), inp["buffer"])
