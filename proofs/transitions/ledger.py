"""Moving value inside the hub, symbolically (HUB-LOSS-1..4, LIQ-6): mirrors model/ledger.py.

A price is a constant or a Z3 variable (PROOF-PRICE-1, `proofs/__init__.py`):
`tokens * price` and `ceil(remaining / price)` are the model's rounding either way.  The
arithmetic of a seizure and of the fund's cover is the model's own functions
(`seized_tokens`, `covered_value`, `room_left`, `fund_cover`, DIFF-MIRROR-2), called here on
terms; which asset is touched, and when, is this module's own guard structure.
"""

from collections.abc import Mapping

import z3

from model.insurance import fund_cover, room_left
from model.ledger import covered_value, seized_tokens
from proofs.state import Expr, SymState
from proofs.transitions.context import Ctx


def seize(
    ctx: Ctx, state: SymState, holdings: Mapping[str, Expr], value: Expr
) -> tuple[dict[str, Expr], dict[str, Expr], Expr]:
    """HUB-LOSS-2: take tokens worth `value`, asset by asset in declared order, each
    ceil(remaining / price) tokens at most what is held.  Callers have checked that every
    held asset has a price (HUB-LOSS-5); an unpriced one is skipped here only because it
    then holds nothing."""
    left = dict(holdings)
    taken: dict[str, Expr] = {}
    remaining = value
    for asset in state.u.assets:
        held = left[asset]
        price = ctx.prices.get(asset)
        if price is None:
            continue
        active = z3.And(remaining > 0, held != 0)
        tokens = z3.If(active, seized_tokens(remaining, held, price), 0)
        left[asset] = held - tokens
        taken[asset] = tokens
        remaining = remaining - z3.If(active, covered_value(remaining, tokens, price), 0)
    return left, taken, remaining


def seizure_unpriced(ctx: Ctx, state: SymState, account: str) -> Expr:
    """HUB-LOSS-5: the account or the insurance fund holds an asset without a price (the
    hub then refuses to seize; mirrors model.ledger.seizure_prices returning None)."""
    return z3.Or(
        [
            z3.Or(state.collateral[(account, x)] != 0, state.insurance[x] != 0)
            for x in state.u.assets
            if ctx.prices.get(x) is None
        ]
    )


def account_holdings(state: SymState, account: str) -> dict[str, Expr]:
    return {x: state.collateral[(account, x)] for x in state.u.assets}


def with_account_holdings(state: SymState, account: str, holdings: Mapping[str, Expr]) -> SymState:
    for asset, amount in holdings.items():
        state = state.set("collateral", (account, asset), amount)
    return state


def owe_to_spoke(state: SymState, spoke: str, tokens: Mapping[str, Expr], value: Expr) -> SymState:
    """HUB-LOSS-1: seized tokens become the spoke partition's; `value` of its claim is paid."""
    for asset, amount in tokens.items():
        state = state.add("owed", (spoke, asset), amount)
    return state.add("paid", spoke, value)


def draw_room(state: SymState, spoke: str) -> Expr | None:
    """INS-2: how much more of the partition's bad debt the fund may cover; None: no limit
    (a shared fund).  The structure is the universe's; the limit is a state field, so the
    proofs hold for every limit."""
    if state.u.insurance == "shared":
        return None
    return room_left(state.ins_limit[spoke], state.drawn[spoke])


def pay_loss(ctx: Ctx, state: SymState, account: str, spoke: str, amount: Expr) -> SymState:
    """HUB-LOSS-1..4, INS-2: collateral first, then the insurance fund up to what the
    partition may still draw, then socialized."""
    holdings, taken, short = seize(ctx, state, account_holdings(state, account), amount)
    state = with_account_holdings(state, account, holdings)
    state = owe_to_spoke(state, spoke, taken, amount - short)
    room = draw_room(state, spoke)
    cover = fund_cover(short, room)
    fund, taken2, uncovered = seize(ctx, state, dict(state.insurance), cover)
    for asset in state.u.assets:
        state = state.set("insurance", asset, fund[asset])
    state = owe_to_spoke(state, spoke, taken2, cover - uncovered)
    if room is not None:  # INS-2: a shared fund keeps no record of draws
        state = state.add("drawn", spoke, cover - uncovered)
    return state.add("socialized", spoke, short - (cover - uncovered))


def charge_penalty(ctx: Ctx, state: SymState, account: str, penalty: Expr) -> SymState:
    """LIQ-6: seize up to `penalty` of the account's collateral into the insurance fund."""
    holdings, taken, _ = seize(ctx, state, account_holdings(state, account), penalty)
    state = with_account_holdings(state, account, holdings)
    for asset, amount in taken.items():
        state = state.add("insurance", asset, amount)
    return state
