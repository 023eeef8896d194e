"""Moving value inside the simulated hub: seizures, loss claims, bad debt, the insurance
fund and socialization (HUB-LOSS-1..HUB-LOSS-4, LIQ-6), on the arrays of a `World`.

The same rules as `model/ledger.py`, one account at a time, in exact integers; the
cross-check test holds the two equal on the same story (STRESS-5).
"""

from __future__ import annotations

from collections.abc import Sequence

from model.ledger import covered_value, seized_tokens
from stresslab.population import Ints
from stresslab.world import World


def seize(holdings: Ints, value: int, prices: Sequence[int]) -> tuple[list[int], int]:
    """HUB-LOSS-2: take tokens worth `value` from `holdings` (changed in place), asset by
    asset in declared order, ceil(remaining / price) of each, at most what is held.
    Returns (tokens taken per asset, value still uncovered)."""
    taken = [0] * len(prices)
    remaining = value
    for asset, price in enumerate(prices):
        held = int(holdings[asset])
        if remaining <= 0 or held == 0:
            continue
        tokens = seized_tokens(remaining, held, price)
        holdings[asset] = held - tokens
        taken[asset] = tokens
        remaining -= covered_value(remaining, tokens, price)
    return taken, remaining


def owe_to_spoke(world: World, spoke: int, tokens: list[int]) -> None:
    """HUB-LOSS-1: seized tokens become the spoke partition's."""
    for asset, amount in enumerate(tokens):
        world.owed[spoke, asset] += amount


def pay_loss(world: World, row: int, spoke: int, amount: int, prices: Sequence[int]) -> None:
    """HUB-LOSS-1..4: an accepted loss claim is paid from the account's collateral; the
    shortfall is bad debt, charged to the insurance fund; what the fund cannot cover is
    socialized to the claiming spoke's partition."""
    taken, short = seize(world.hub.collateral[row], amount, prices)
    owe_to_spoke(world, spoke, taken)
    if short == 0:
        return
    world.tally.bad_debt += short
    taken, unpaid = seize(world.insurance, short, prices)
    owe_to_spoke(world, spoke, taken)
    world.tally.insurance_draw += short - unpaid
    world.socialized[spoke] += unpaid


def charge_penalty(world: World, row: int, penalty: int, prices: Sequence[int]) -> None:
    """LIQ-6: up to `penalty` of the account's collateral goes into the insurance fund;
    what the account cannot pay is waived."""
    taken, waived = seize(world.hub.collateral[row], penalty, prices)
    for asset, amount in enumerate(taken):
        world.insurance[asset] += amount
    world.tally.penalties += penalty - waived
