"""Moving value inside the hub: seizing collateral, paying loss claims, bad debt (HUB-LOSS-1..4).

Tokens never appear or vanish here: each function moves them between the
hub's buckets (an account's collateral, the insurance fund, what is owed to a
spoke's partition), so the hub's token balance stays equal to their sum
(INV-ASSET-1).
"""

from collections.abc import Mapping
from dataclasses import replace

from model.algebra import minimum
from model.arith import ceil_div
from model.insurance import draw_room, fund_cover, with_draw
from model.oracle import prices_of
from model.state import AccountId, AssetId, SpokeId, State, add_ghost, assoc

Holdings = Mapping[AssetId, int]
Prices = Mapping[AssetId, int]


def seizure_prices(state: State, account: AccountId) -> dict[AssetId, int] | None:
    """HUB-LOSS-5: prices of every asset a seizure for `account` could take: the account's
    collateral and the insurance fund.  None if one is missing: the hub then refuses to
    move value (fail closed) rather than skip an asset it cannot value."""
    held = {x for (a, x), amount in state.hub.collateral.items() if a == account and amount}
    fund = {x for x, amount in state.hub.insurance.items() if amount}
    return prices_of(state, held | fund)


def seized_tokens(remaining: int, held: int, price: int) -> int:
    """HUB-LOSS-2, NUM-2: of one asset, ceil(remaining / price) tokens (rounding against the
    holder), at most what is held."""
    return minimum(held, ceil_div(remaining, price))


def covered_value(remaining: int, tokens: int, price: int) -> int:
    """HUB-LOSS-2: the value `tokens` seized at `price` cover, at most what remains (the last
    token's excess is not value owed back)."""
    return minimum(remaining, tokens * price)


def seize(
    state: State, holdings: Holdings, value: int, prices: Prices
) -> tuple[dict[AssetId, int], dict[AssetId, int], int]:
    """HUB-LOSS-2: take tokens worth `value` from `holdings`, asset by asset in declared order.

    Of each asset take ceil(remaining / price) tokens (rounding against the
    holder), at most what is held.  Returns (holdings left, tokens taken per
    asset, value still uncovered).
    """
    left = dict(holdings)
    taken: dict[AssetId, int] = {}
    remaining = value
    for asset in state.params.assets:
        held = left.get(asset.id, 0)
        if remaining <= 0 or held == 0:
            continue
        price = prices[asset.id]
        tokens = seized_tokens(remaining, held, price)
        left[asset.id] = held - tokens
        taken[asset.id] = tokens
        remaining -= covered_value(remaining, tokens, price)
    return left, taken, remaining


def account_holdings(state: State, account: AccountId) -> dict[AssetId, int]:
    """The account's collateral, asset by asset."""
    return {x.id: state.hub.collateral[(account, x.id)] for x in state.params.assets}


def with_account_holdings(state: State, account: AccountId, holdings: Holdings) -> State:
    collateral = dict(state.hub.collateral)
    for asset, amount in holdings.items():
        collateral[(account, asset)] = amount
    return replace(state, hub=replace(state.hub, collateral=collateral))


def owe_to_spoke(state: State, spoke: SpokeId, tokens: Holdings, value: int) -> State:
    """HUB-LOSS-1: seized tokens become the spoke partition's; `value` of its claim is paid."""
    owed = dict(state.hub.owed)
    for asset, amount in tokens.items():
        owed[(spoke, asset)] += amount
    return add_ghost(replace(state, hub=replace(state.hub, owed=owed)), "paid", spoke, value)


def pay_loss(
    state: State, account: AccountId, spoke: SpokeId, amount: int, prices: Prices
) -> State:
    """HUB-LOSS-1..4: pay a spoke's accepted loss claim for an account.

    First from the account's collateral; what it cannot cover is bad debt,
    charged to the insurance fund, at most what the fund's structure lets the
    partition still draw (INS-2); what the fund does not cover is socialized to
    the claiming spoke's partition (recorded, never paid): contagion stays there.
    """
    holdings, taken, short = seize(state, account_holdings(state, account), amount, prices)
    state = with_account_holdings(state, account, holdings)
    state = owe_to_spoke(state, spoke, taken, amount - short)
    if short == 0:
        return state
    cover = fund_cover(short, draw_room(state, spoke))
    fund, taken, uncovered = seize(state, state.hub.insurance, cover, prices)
    state = replace(state, hub=replace(state.hub, insurance=fund))
    state = owe_to_spoke(state, spoke, taken, cover - uncovered)
    state = with_draw(state, spoke, cover - uncovered)
    unpaid = short - (cover - uncovered)
    if unpaid == 0:
        return state
    socialized = assoc(state.hub.socialized, spoke, state.hub.socialized[spoke] + unpaid)
    return replace(state, hub=replace(state.hub, socialized=socialized))


def charge_penalty(state: State, account: AccountId, penalty: int, prices: Prices) -> State:
    """LIQ-6: seize up to `penalty` of the account's collateral into the insurance fund.

    A penalty never creates bad debt: what the account cannot pay is waived.
    """
    holdings, taken, _ = seize(state, account_holdings(state, account), penalty, prices)
    state = with_account_holdings(state, account, holdings)
    fund = dict(state.hub.insurance)
    for asset, amount in taken.items():
        fund[asset] += amount
    return replace(state, hub=replace(state.hub, insurance=fund))
