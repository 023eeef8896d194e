"""Finality, halts and reorgs (FIN-1..FIN-9, INV-FIN-1..INV-FIN-3).

A spoke is a chain of its own: what it did lately is not final and can be rolled back.
The model keeps, per spoke, only what a rollback needs: the spoke's accounts at its last
checkpoint and the ids of the messages it sent since (its *segment*, FIN-1).  The hub
refuses a message of a segment that is not yet final (FIN-3), so a reorg within the
finality bound erases only messages the hub never counted and puts their credit back on
the lines (FIN-5, INV-FIN-2).  A reorg beyond the bound makes the spoke compromised
(FIN-8): what it can then take is the partition bound of ADV-3 (INV-FIN-3).
"""

from collections.abc import Mapping
from dataclasses import replace

from model.catalog import catalog
from model.outcome import Step, accept, reject
from model.state import (
    AccountId,
    Chain,
    Segment,
    SpokeAccount,
    SpokeId,
    State,
    assoc,
    dissoc,
)
from spec.actions import Halt, Reorg, Resume
from spec.bounds import HUB
from spec.errors import Error
from spec.messages import Envelope

NO_CHAIN = Chain()


def chain_of(state: State, spoke: SpokeId) -> Chain:
    """FIN-1, FIN-6: the spoke's chain (running, no segment, when the state has no entry)."""
    return state.chains.get(spoke, NO_CHAIN)


def with_chain(state: State, spoke: SpokeId, chain: Chain) -> State:
    """The state with the spoke's chain replaced (an idle chain has no entry, so that equal
    states compare equal)."""
    chains = dissoc(state.chains, spoke) if chain == NO_CHAIN else assoc(state.chains, spoke, chain)
    return replace(state, chains=chains)


def finality_of(state: State, spoke: SpokeId) -> int:
    """PAR-27: the spoke's declared finality delay."""
    return catalog(state.params).spokes[spoke].finality_s


def is_halted(state: State, spoke: SpokeId) -> bool:
    """FIN-6: the spoke's chain is halted."""
    return chain_of(state, spoke).halted


def unfinalized(state: State, spoke: SpokeId) -> bool:
    """FIN-2: the spoke has a segment whose latest change is younger than its finality."""
    segment = chain_of(state, spoke).segment
    return segment is not None and state.oracle.now < segment.changed + finality_of(state, spoke)


def not_final(state: State, envelope: Envelope) -> bool:
    """FIN-3: the message belongs to its sending spoke's segment, which is not final yet."""
    if envelope.sender == HUB:
        return False
    segment = chain_of(state, envelope.sender).segment
    return (
        segment is not None and envelope.id in segment.sent and unfinalized(state, envelope.sender)
    )


def record_change(before: State, after: State, spoke: SpokeId) -> State:
    """FIN-1: an accepted change on a spoke with a finality delay joins its segment (a new one,
    checkpointed at `before`, if it has none or its segment is final), with the messages the
    change sent, stamped now."""
    if finality_of(after, spoke) == 0:
        return after
    segment = chain_of(before, spoke).segment
    checkpoint: Mapping[AccountId, SpokeAccount]
    if segment is None or not unfinalized(before, spoke):
        checkpoint = {a: before.spokes[(spoke, a)] for a in before.params.accounts}
        sent: frozenset[int] = frozenset()
    else:
        checkpoint, sent = segment.checkpoint, segment.sent
    new_ids = frozenset(range(before.network.next_id, after.network.next_id))
    segment = Segment(checkpoint=checkpoint, changed=after.oracle.now, sent=sent | new_ids)
    return with_chain(after, spoke, replace(chain_of(after, spoke), segment=segment))


def close_segment(state: State, spoke: SpokeId) -> State:
    """FIN-4: a hub message executed on the spoke closes its (final) segment: the receipt and
    what the spoke sends in answer are final at once."""
    chain = chain_of(state, spoke)
    if chain.segment is None:
        return state
    return with_chain(state, spoke, replace(chain, segment=None))


def within_reach(state: State, spoke: SpokeId, depth: int) -> bool:
    """FIN-5: the segment is not final and its latest change is within `depth` seconds."""
    segment = chain_of(state, spoke).segment
    return (
        segment is not None
        and unfinalized(state, spoke)
        and segment.changed > state.oracle.now - depth
    )


def roll_back(state: State, spoke: SpokeId) -> State:
    """FIN-5: the spoke's accounts return to the checkpoint, the segment's messages leave
    flight (nobody consumes them), and the segment closes."""
    segment = chain_of(state, spoke).segment
    assert segment is not None
    spokes = dict(state.spokes)
    for account, acct in segment.checkpoint.items():
        spokes[(spoke, account)] = acct
    net = state.network
    in_flight = {i: env for i, env in net.in_flight.items() if i not in segment.sent}
    state = replace(state, spokes=spokes, network=replace(net, in_flight=in_flight))
    return close_segment(state, spoke)


def halt(state: State, action: Halt) -> Step:
    """FIN-6: the adversary halts the spoke's chain."""
    if is_halted(state, action.spoke):
        return reject(state, Error.SPOKE_HALTED)
    return accept(
        with_chain(state, action.spoke, replace(chain_of(state, action.spoke), halted=True))
    )


def resume(state: State, action: Resume) -> Step:
    """FIN-6: the halted chain produces blocks again."""
    if not is_halted(state, action.spoke):
        return reject(state, Error.NOT_HALTED)
    chain = replace(chain_of(state, action.spoke), halted=False)
    return accept(with_chain(state, action.spoke, chain))


def reorg(state: State, action: Reorg) -> Step:
    """FIN-5, FIN-8: the adversary reorganizes the spoke's chain `depth` seconds deep.

    Within the finality bound it can reach only the unfinalized segment, whose messages
    the hub has not counted (FIN-3): the spoke returns to its checkpoint and nothing at the
    hub changes (INV-FIN-2).  Beyond it, history the hub counted is rewritten: the spoke is
    compromised from then on, and ADV-3's partition bound is what it can cost (INV-FIN-3).
    """
    if within_reach(state, action.spoke, action.depth):
        state = roll_back(state, action.spoke)
    if action.depth > finality_of(state, action.spoke):
        ghost = replace(state.ghost, compromised=state.ghost.compromised | {action.spoke})
        state = replace(state, ghost=ghost)
    return accept(state)
