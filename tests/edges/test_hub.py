"""A grant must leave the account's capacity over its initial requirement as well as its
free capacity at zero or more (HUB-GRANT-2, RISK-IM-2): the two checks are separate, and the
initial one can refuse a grant the free-capacity one lets through."""

from model import State, initial_state, step
from model.hub import with_allocation
from model.oracle import prices_of
from model.risk import assets_needed, capacity, free_capacity, initial_requirement
from spec.actions import GrantCredit, Withdraw
from spec.errors import Error
from spec.examples import example_params
from tests.helpers import credited, funded, priced, traded

GRANT = GrantCredit(account="alice", spoke="arb", amount=1)


def rallied(usd: int) -> State:
    """alice: `usd` of collateral, a line of 1000 on arb, 2 ETH-PERP bought there at 2000;
    ETH then at 3000: the book's profit adds nothing to capacity (RISK-11) while its
    initial requirement grows with the price to 1045."""
    state = credited(
        funded(priced(initial_state(example_params())), usd=usd), "alice", "arb", 1_000
    )
    return priced(traded(state, "arb", "alice", "ETH-PERP", 2, 2_000), eth=3_000)


def test_a_grant_within_free_capacity_but_above_the_initial_requirement_is_refused() -> None:
    """RISK-IM-2: with 1044 of collateral the grant of 1 leaves free capacity (HUB-GRANT-2)
    but capacity 1044 below the initial requirement 1045: INSUFFICIENT_CAPACITY, nothing
    moves; with 1045 the capacity meets it exactly and the grant is made."""
    state = rallied(1_044)
    prices = prices_of(state, assets_needed(state, "alice"))
    assert prices is not None
    granted = with_allocation(state, "alice", "arb", 1)
    assert free_capacity(granted, "alice", prices) >= 0
    assert (capacity(granted, "alice", prices), initial_requirement(granted, "alice", prices)) == (
        1_044,
        1_045,
    )
    after, outcome = step(state, GRANT)
    assert (outcome.status, outcome.error) == ("rejected", Error.INSUFFICIENT_CAPACITY)
    assert after == state
    assert step(rallied(1_045), GRANT)[1].accepted


def test_the_whole_balance_may_be_withdrawn() -> None:
    """HUB-WD-1: a withdrawal of exactly the collateral held is within it (only more is
    INSUFFICIENT_BALANCE); with nothing allocated the capacity checks pass."""
    state = funded(priced(initial_state(example_params())), usd=1_000)
    after, outcome = step(state, Withdraw(account="alice", asset="USD", amount=1_000))
    assert outcome.accepted and after.hub.collateral[("alice", "USD")] == 0
    over = step(state, Withdraw(account="alice", asset="USD", amount=1_001))[1]
    assert over.error is Error.INSUFFICIENT_BALANCE
