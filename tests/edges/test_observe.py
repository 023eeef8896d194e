"""The observable state is the whole state, in one canonical order (OBS-1..OBS-4, OBS-6,
OBS-7)."""

from dataclasses import replace
from functools import cache

from hypothesis import HealthCheck, event, given, settings

from conformance.finality_stories import DELAYED
from intermargin.fuzzing.strategies import FUZZ_RATE, channel_variant
from intermargin.scenarios import SCENARIOS
from intermargin.timeline import run
from model import State, initial_state, step
from model.finality import chain_of
from model.observe import observe, restore
from model.state import Ghost
from spec.actions import Halt
from tests.edges.reach import reached
from tests.edges.test_insurance import claimed_twice

FAST = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def moved(state: State) -> dict[str, bool]:
    """Which parts of the state are away from their genesis value."""
    hub = state.hub
    return {
        "in flight": bool(state.network.in_flight),
        "pending": any(s.pending for s in hub.status.values()),
        "positions": any(a.positions for a in state.spokes.values()),
        "reports": any(r.positions for r in hub.reports.values()),
        "linked": bool(hub.linked),
        "severed": bool(hub.severed),
        "listing": bool(hub.listing),
        "drawn": bool(hub.drawn),
        "buckets": bool(hub.buckets),
        "compromised": bool(state.ghost.compromised),
        "paused": bool(hub.paused),
        "expiry prices": bool(state.oracle.expiry_prices),
        "calls": any(s.called for s in hub.status.values()),
    }


def without_ghost(state: State) -> State:
    """OBS-4: the state with every ghost counter 0 and no spoke compromised."""
    zero = {s.id: 0 for s in state.params.spokes}
    return replace(state, ghost=Ghost(zero, zero, zero, zero, frozenset()))


def assert_sorted(state: State) -> None:
    """Every list of the observable state is in id order."""
    obs = observe(state)
    hub = obs.hub
    ids: list[tuple[int, ...]] = [
        obs.network.delivered,
        tuple(env.id for env in obs.network.in_flight),
    ]
    names: list[tuple[str, ...]] = [
        hub.paused,
        *(st.pending for st in hub.status.values()),
        *hub.linked.values(),
        *hub.severed.values(),
        obs.ghost.compromised if obs.ghost else (),
        *(tuple(p.market for p in r.positions) for i in hub.reports.values() for r in i.values()),
        *(tuple(p.market for p in a.positions) for i in obs.spokes.values() for a in i.values()),
        tuple(obs.quotes),
        tuple(hub.linked),
        tuple(hub.severed),
        tuple(hub.listing),
        tuple(hub.drawn),
        tuple(hub.buckets),
        tuple(obs.expiry_prices),
    ]
    for numbers in ids:
        assert list(numbers) == sorted(numbers)
    for items in names:
        assert list(items) == sorted(items)


@cache
def scenario_states() -> tuple[State, ...]:
    """Every state the shipped scenarios pass through."""
    return tuple(r.after for scenario in SCENARIOS.values() for r in run(scenario).steps)


def test_the_scenarios_reach_every_part_of_the_state_but_the_draws() -> None:
    """The reach of the sweep below: each part of the state is away from genesis in some
    scenario state; the fund's draws (INS-2) and the rate buckets (RATE-2) only under the
    parameters the laws draw."""
    away = {name for state in scenario_states() for name, on in moved(state).items() if on}
    assert away == set(moved(scenario_states()[0])) - {"drawn", "buckets"}


def test_every_scenario_state_restores_from_its_observable_state() -> None:
    """OBS-1..OBS-4, OBS-6, OBS-7: restoring the observable state of every scenario state gives it
    back; without the ghost (OBS-4), with every counter 0; its lists are sorted."""
    for state in scenario_states():
        assert restore(state.params, observe(state)) == state
        assert restore(state.params, observe(state, ghost=False)) == without_ghost(state)
        assert_sorted(state)


@FAST
@given(reached())
def test_restoring_the_observable_state_gives_back_the_state(state: State) -> None:
    """OBS-1..OBS-4, OBS-6, OBS-7: the observable state holds all of the state (a top-up
    call's `called` and `called_at` included): restoring it gives
    back an equal state, field by field."""
    for name, on in moved(state).items():
        event(f"{name}: {on}")
    assert restore(state.params, observe(state)) == state
    assert_sorted(state)


@FAST
@given(reached())
def test_without_its_ghost_an_observable_state_restores_with_zero_counters(state: State) -> None:
    """OBS-4: a build may leave the ghost out; restored, every counter is 0 and no spoke is
    compromised, and the rest is the state."""
    obs = observe(state, ghost=False)
    event(f"compromised: {bool(state.ghost.compromised)}")
    assert obs.ghost is None
    assert restore(state.params, obs) == without_ghost(state)
    assert observe(state).model_copy(update={"ghost": None}) == obs


def test_the_draws_and_buckets_restore_and_an_unsaid_bucket_is_full() -> None:
    """OBS-1, INS-2, RATE-2: a state with draws on the fund restores with them; an
    observable state that does not give a rate-limited spoke's bucket restores it full."""
    for state in claimed_twice("per_partition"):
        assert state.hub.drawn
        assert restore(state.params, observe(state)) == state
    params = channel_variant(ordered=False, rated=True)
    state = initial_state(params)
    drained = replace(state, hub=replace(state.hub, buckets={"arb": 7, "base": 0, "sol": 1}))
    assert restore(params, observe(drained)) == drained
    silent = observe(drained).model_copy(
        update={"hub": observe(drained).hub.model_copy(update={"buckets": {"base": 0}})}
    )
    full = FUZZ_RATE.capacity
    assert restore(params, silent).hub.buckets == {"arb": full, "base": 0, "sol": full}


def test_a_call_is_in_the_json_only_while_open() -> None:
    """OBS-7: a status with an open call writes `called` and `called_at`; one without writes
    neither, so the JSON of a state without calls is what it was before calls were observed;
    read back, a missing field is its default."""
    states = scenario_states()
    called = [s for s in states if any(st.called for st in s.hub.status.values())]
    assert called and len(called) < len(states)
    for state in states:
        dumped = observe(state).model_dump(mode="json")["hub"]["status"]
        for account, st in state.hub.status.items():
            keys = set(dumped[account])
            assert ({"called", "called_at"} <= keys) == st.called
            assert not st.called or dumped[account]["called_at"] == st.called_at
            assert st.called or not keys & {"called", "called_at"}


def test_a_halted_chain_without_a_segment_is_observed_and_restored() -> None:
    """OBS-1, FIN-6: a chain halted with no unfinalized change is observed as halted with
    no segment (`null`), and restores to the same chain."""
    state, outcome = step(initial_state(DELAYED), Halt(spoke="arb"))
    assert outcome.accepted and chain_of(state, "arb").segment is None
    view = observe(state).chains["arb"]
    assert view.halted and view.segment is None
    assert restore(state.params, observe(state)) == state
