"""Unit tests of governance: partition caps and the circuit breaker (GOV-1..GOV-3)."""

from model import State
from spec.actions import GrantCredit, PauseSpoke, SetCap, UnpauseSpoke
from spec.errors import Error
from tests.helpers import funded, refused, run


def allocated(genesis: State) -> State:
    """alice and bob each have a grant of 300 to arb in flight: arb's allocation is 600."""
    state = funded(funded(genesis, usd=1_000), "bob", usd=1_000)
    return run(
        state,
        GrantCredit(account="alice", spoke="arb", amount=300),
        GrantCredit(account="bob", spoke="arb", amount=300),
    )


def test_a_cap_can_be_lowered_to_the_allocation(genesis: State) -> None:
    """GOV-1, INV-PART-1: a cap equal to what the spoke holds (in flight included) is allowed."""
    state = run(allocated(genesis), SetCap(spoke="arb", cap=600))
    assert state.hub.caps["arb"] == 600
    refused(state, GrantCredit(account="alice", spoke="arb", amount=1), Error.PARTITION_CAP)


def test_a_cap_below_the_allocation_is_refused(genesis: State) -> None:
    """GOV-1, INV-PART-1: a cap below what all accounts hold on the spoke is refused."""
    refused(allocated(genesis), SetCap(spoke="arb", cap=599), Error.CAP_BELOW_ALLOCATION)


def test_a_cap_can_be_raised(genesis: State) -> None:
    """GOV-1: raising a cap lets more credit through."""
    state = run(genesis, SetCap(spoke="sol", cap=5_000_000))
    assert state.hub.caps["sol"] == 5_000_000


def test_pausing_a_spoke_stops_grants_to_it(genesis: State) -> None:
    """GOV-2: the circuit breaker on."""
    state = run(funded(genesis, usd=1_000), PauseSpoke(spoke="base"))
    assert state.hub.paused == frozenset({"base"})
    refused(state, GrantCredit(account="alice", spoke="base", amount=1), Error.SPOKE_PAUSED)
    run(state, GrantCredit(account="alice", spoke="arb", amount=1))


def test_pausing_a_paused_spoke_is_refused(genesis: State) -> None:
    """GOV-2: a pause is not counted twice."""
    refused(run(genesis, PauseSpoke(spoke="base")), PauseSpoke(spoke="base"), Error.ALREADY_PAUSED)


def test_unpausing_lets_grants_through_again(genesis: State) -> None:
    """GOV-3: the circuit breaker off."""
    state = run(funded(genesis, usd=1_000), PauseSpoke(spoke="base"), UnpauseSpoke(spoke="base"))
    assert state.hub.paused == frozenset()
    run(state, GrantCredit(account="alice", spoke="base", amount=1))


def test_unpausing_a_running_spoke_is_refused(genesis: State) -> None:
    """GOV-3: only a paused spoke can be unpaused."""
    refused(genesis, UnpauseSpoke(spoke="base"), Error.NOT_PAUSED)


def test_governance_on_an_unknown_spoke_is_refused(genesis: State) -> None:
    """STEP-2, ERR-2: ids are checked before the rule."""
    refused(genesis, SetCap(spoke="zzz", cap=1), Error.UNKNOWN_SPOKE)
    refused(genesis, PauseSpoke(spoke="zzz"), Error.UNKNOWN_SPOKE)
