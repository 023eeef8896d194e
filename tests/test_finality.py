"""Finality, halts and reorgs (spec/finality.md): the rules one by one on small stories, the
invariants INV-FIN-1..INV-FIN-3 over random runs of the finality variant, and the proofs."""

from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from conformance.finality_stories import DELAYED, FINALITY_S, FINALITY_STORIES
from conformance.stories import dl, eth, inject, usd
from model.finality import chain_of, unfinalized
from model.invariants import check_step, segment_accounted
from model.observe import observe, restore
from model.state import State, initial_state
from model.step import step
from proofs.invariants import INVARIANT_BY_NAME
from spec.actions import (
    Action,
    AdvanceTime,
    GrantCredit,
    Halt,
    ReleaseCredit,
    Reorg,
    Resume,
    SendReport,
    Trade,
)
from spec.errors import Error
from spec.itf import observable
from spec.messages import LossClaim
from spec.observable import ObservableState
from spec.params import Params

LINED = (usd(5_000), *eth(2_000), GrantCredit(account="alice", spoke="arb", amount=3_000), *dl(1))


def run(actions: tuple[Action, ...], params: Params = DELAYED) -> State:
    state = initial_state(params)
    for action in actions:
        before = state
        state, outcome = step(state, action)
        assert check_step(before, action, state, outcome) == [], action
    return state


def last(actions: tuple[Action, ...], params: Params = DELAYED) -> tuple[str, Error | None]:
    state = run(actions[:-1], params)
    _, outcome = step(state, actions[-1])
    return outcome.status, outcome.error


def test_a_release_opens_a_segment_checkpointed_before_it() -> None:
    """FIN-1: the release is a change of arb: the checkpoint holds the line before it (3000)
    and the release's id is the segment's."""
    state = run((*LINED, ReleaseCredit(spoke="arb", account="alice", amount=2_000)))
    segment = chain_of(state, "arb").segment
    assert segment is not None and segment.sent == frozenset({2})
    assert segment.checkpoint["alice"].line == 3_000
    assert state.spokes[("arb", "alice")].line == 1_000


def test_a_spoke_without_finality_delay_has_no_segment() -> None:
    """FIN-1: with `finality_s = 0` everything a spoke does is final at once."""
    state = initial_state(DELAYED)
    after, outcome = step(state, SendReport(spoke="base", account="alice"))
    assert outcome.accepted and chain_of(after, "base").segment is None
    assert step(after, dl(1)[0])[1].accepted


def test_the_hub_refuses_an_unfinal_release_and_counts_it_once_final() -> None:
    """FIN-2, FIN-3: NOT_FINAL changes nothing; after finality_s the release is counted."""
    released = (*LINED, ReleaseCredit(spoke="arb", account="alice", amount=2_000))
    state = run(released)
    again, outcome = step(state, dl(2)[0])
    assert outcome.error is Error.NOT_FINAL and again == state
    later = run((*released, AdvanceTime(seconds=FINALITY_S - 1), *eth(2_000)))
    assert step(later, dl(2)[0])[1].error is Error.NOT_FINAL
    final = run((*released, AdvanceTime(seconds=FINALITY_S), *eth(2_000), *dl(2)))
    assert final.hub.alloc[("alice", "arb")] == 1_000


def test_a_later_change_keeps_the_segment_unfinal() -> None:
    """FIN-2: the segment is final only finality_s after its latest change."""
    state = run(
        (
            *LINED,
            ReleaseCredit(spoke="arb", account="alice", amount=1_000),  # -> 2
            AdvanceTime(seconds=FINALITY_S - 1),
            *eth(2_000),
            SendReport(spoke="arb", account="alice"),  # -> 3, the same segment
            AdvanceTime(seconds=1),
        )
    )
    assert unfinalized(state, "arb")
    assert step(state, dl(2)[0])[1].error is Error.NOT_FINAL


def test_a_hub_message_waits_while_the_spoke_has_unfinal_changes() -> None:
    """FIN-4: NOT_FINAL at the spoke; once final, the grant lands and closes the segment."""
    waiting = (
        *LINED,
        SendReport(spoke="arb", account="alice"),  # -> 2
        GrantCredit(account="alice", spoke="arb", amount=500),  # -> 3
    )
    assert last((*waiting, *dl(3))) == ("rejected", Error.NOT_FINAL)
    state = run((*waiting, AdvanceTime(seconds=FINALITY_S), *dl(3)))
    assert chain_of(state, "arb").segment is None
    assert state.spokes[("arb", "alice")].line == 3_500


def test_a_reorg_within_finality_rolls_back_and_leaves_the_hub_alone() -> None:
    """FIN-5, INV-FIN-2, ACT-25, ADV-5: arb returns to its checkpoint, the release leaves
    flight, the hub and the ghost counters are what they were; credit is conserved and arb
    stays honest."""
    released = run((*LINED, ReleaseCredit(spoke="arb", account="alice", amount=2_000)))
    after, outcome = step(released, Reorg(spoke="arb", depth=FINALITY_S))
    assert outcome.accepted
    assert after.hub == released.hub and after.ghost == released.ghost
    assert after.spokes[("arb", "alice")].line == 3_000
    assert 2 not in after.network.in_flight and 2 not in after.network.delivered
    assert chain_of(after, "arb").segment is None
    assert check_step(released, Reorg(spoke="arb", depth=FINALITY_S), after, outcome) == []


def test_a_reorg_restores_positions_and_balance_too() -> None:
    """FIN-5: a trade's position, realized loss and claim are all undone."""
    actions = (
        *LINED,
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=2, price=2_000),
    )
    before = run(actions[:-1])
    traded = run(actions)
    after, _ = step(traded, Reorg(spoke="arb", depth=1))
    assert after.spokes == before.spokes
    assert after.network.in_flight == before.network.in_flight


def test_a_shallow_reorg_misses_older_changes() -> None:
    """FIN-5: a reorg reaches the segment only if its latest change is within the depth."""
    state = run(
        (
            *LINED,
            ReleaseCredit(spoke="arb", account="alice", amount=1_000),
            AdvanceTime(seconds=100),
        )
    )
    after, _ = step(state, Reorg(spoke="arb", depth=100))
    assert after == state
    rolled, _ = step(state, Reorg(spoke="arb", depth=101))
    assert rolled.spokes[("arb", "alice")].line == 3_000


def test_a_reorg_beyond_finality_compromises_the_spoke_and_nothing_else() -> None:
    """FIN-8: the hub is untouched; arb joins `compromised`; its claims stay within its
    allocation (INV-FIN-3)."""
    state = run(LINED)
    deep, outcome = step(state, Reorg(spoke="arb", depth=FINALITY_S + 1))
    assert outcome.accepted and deep.hub == state.hub
    assert deep.ghost.compromised == frozenset({"arb"})
    bounded = step(deep, inject("arb", LossClaim(account="alice", amount=3_001)))[1]
    assert bounded.error is Error.EXCEEDS_ALLOCATION
    paid, outcome = step(deep, inject("arb", LossClaim(account="alice", amount=3_000)))
    g = paid.ghost
    assert outcome.accepted and g.paid["arb"] == 3_000 <= g.granted["arb"] - g.released["arb"]


def test_halt_and_resume_guard_each_other() -> None:
    """FIN-6, ACT-23, ACT-24, ADV-5: SPOKE_HALTED on a second halt, NOT_HALTED on resuming a
    running chain."""
    assert last((Halt(spoke="arb"), Halt(spoke="arb"))) == ("rejected", Error.SPOKE_HALTED)
    assert last((Resume(spoke="arb"),)) == ("rejected", Error.NOT_HALTED)
    state = run((Halt(spoke="arb"), Resume(spoke="arb")))
    assert state.chains == {}


@pytest.mark.parametrize(
    "action",
    [
        ReleaseCredit(spoke="arb", account="alice", amount=1),
        SendReport(spoke="arb", account="alice"),
        Trade(spoke="arb", account="alice", market="ETH-PERP", qty=0, price=2_000),
    ],
)
def test_a_halted_spoke_executes_nothing(action: Action) -> None:
    """FIN-6: checked before any other rule of the spoke's (a zero-lot trade too)."""
    assert last((*LINED, Halt(spoke="arb"), action)) == ("rejected", Error.SPOKE_HALTED)


def test_the_observable_state_carries_the_chains_and_restores_them() -> None:
    """OBS-1, FIN-10: a halted chain with a segment survives observe and restore; with no
    chain of note the JSON has no `chains`."""
    state = run((*LINED, ReleaseCredit(spoke="arb", account="alice", amount=1), Halt(spoke="arb")))
    obs = observe(state)
    assert "chains" in obs.model_dump(mode="json")
    again = ObservableState.model_validate_json(obs.model_dump_json())
    assert restore(state.params, again) == state
    assert "chains" not in observe(run(LINED)).model_dump(mode="json")


def test_the_finality_parameter_is_left_out_of_the_json_when_zero() -> None:
    """PAR-27: `finality_s` 0 is not dumped, so older parameter sets dump as before."""
    spoke = DELAYED.spokes[1]
    assert spoke.finality_s == 0 and "finality_s" not in spoke.model_dump(mode="json")
    assert DELAYED.spokes[0].model_dump(mode="json")["finality_s"] == FINALITY_S


def test_a_halted_spoke_is_silent_and_force_settled_after_the_deadline() -> None:
    """FIN-7, LIVE-2, LIVE-3: arb halts with alice liquidating; its margin call waits
    SPOKE_HALTED; after the deadline the force-settle severs arb and charges its allocation
    (900) to arb's own partition; alice leaves LIQUIDATING."""
    story = next(s for s in FINALITY_STORIES if s.name == "halted-spoke-force-settled")
    before = run(story.actions[:-1], story.params)
    assert chain_of(before, "arb").halted and "arb" in before.hub.status["alice"].pending
    after, outcome = step(before, story.actions[-1])
    assert outcome.accepted and not after.hub.status["alice"].liquidating
    assert ("alice", "arb") in after.hub.severed
    assert after.ghost.claimed["arb"] - before.ghost.claimed["arb"] == 900


def test_every_finality_story_ends_as_it_says() -> None:
    """CONF-9: each vector of the chapter reaches its expected outcome."""
    for story in FINALITY_STORIES:
        assert story.expect is not None
        assert last(story.actions, story.params) == tuple(story.expect), story.name


def test_the_segment_invariant_catches_a_checkpoint_that_forgot_a_release() -> None:
    """INV-FIN-1: a checkpoint whose line does not account for the segment's release fails,
    in Python and in the Z3 formula alike (DIFF-3)."""
    state = run((*LINED, ReleaseCredit(spoke="arb", account="alice", amount=2_000)))
    segment = chain_of(state, "arb").segment
    assert segment is not None and segment_accounted(state) is None
    wrong_cp = {**segment.checkpoint, "alice": replace(segment.checkpoint["alice"], line=1_000)}
    chains = {"arb": replace(state.chains["arb"], segment=replace(segment, checkpoint=wrong_cp))}
    broken = replace(state, chains=chains)
    assert segment_accounted(broken) is not None
    assert INVARIANT_BY_NAME["segment-accounted"].id == "INV-FIN-1"


MOVES = st.sampled_from(
    (
        "release",
        "report",
        "grant",
        "deliver",
        "reorg-within",
        "reorg-beyond",
        "wait",
        "halt",
        "resume",
    )
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(MOVES, min_size=4, max_size=25), st.data())
def test_random_runs_keep_every_invariant_and_reorgs_never_move_the_hub(
    moves: list[str], data: st.DataObject
) -> None:
    """INV-FIN-1..INV-FIN-3 and every other invariant over random moves on arb; a reorg
    within finality never changes the hub or the ghost counters (INV-FIN-2)."""
    state = run(LINED)
    for move in moves:
        action: Action
        if move == "release":
            action = ReleaseCredit(spoke="arb", account="alice", amount=100)
        elif move == "report":
            action = SendReport(spoke="arb", account="alice")
        elif move == "grant":
            action = GrantCredit(account="alice", spoke="arb", amount=100)
        elif move == "deliver" and state.network.in_flight:
            action = dl(data.draw(st.sampled_from(sorted(state.network.in_flight))))[0]
        elif move == "reorg-within":
            action = Reorg(spoke="arb", depth=data.draw(st.sampled_from((1, 60, FINALITY_S))))
        elif move == "reorg-beyond":
            action = Reorg(spoke="arb", depth=FINALITY_S + 1)
        elif move == "halt":
            action = Halt(spoke="arb")
        elif move == "resume":
            action = Resume(spoke="arb")
        else:
            action = AdvanceTime(seconds=data.draw(st.sampled_from((30, 300, FINALITY_S))))
        before = state
        state, outcome = step(state, action)
        assert check_step(before, action, state, outcome) == [], action
        if isinstance(action, Reorg):
            assert (state.hub, state.ghost.paid) == (before.hub, before.ghost.paid)
            if action.depth <= FINALITY_S:
                assert state.ghost == before.ghost
                rolled = chain_of(before, "arb").segment and not chain_of(state, "arb").segment
                event(f"reorg within finality rolled back: {bool(rolled)}")
        if outcome.error is not None:
            event(f"reached {outcome.error.value}")
        if isinstance(action, AdvanceTime):
            state = step(state, eth(2_000)[0])[0]
            state = step(state, eth(2_000)[1])[0]


def test_the_itf_export_writes_each_chain_as_one_record() -> None:
    """ITF-9, FIN-10: a halted chain with a segment is one record (halted, open, checkpoint,
    changed, sent); with no chain of note `chains` is the empty map, never absent or null."""
    state = run((*LINED, ReleaseCredit(spoke="arb", account="alice", amount=1), Halt(spoke="arb")))
    [[key, chain]] = observable(observe(state))["chains"]["#map"]
    assert key == "arb" and chain["halted"] is True and chain["open"] is True
    assert chain["sent"] == {"#set": [{"#bigint": "2"}]}
    assert chain["changed"] == {"#bigint": str(state.oracle.now)}
    assert observable(observe(run(LINED)))["chains"] == {"#map": []}
