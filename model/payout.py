"""Payout: the hub pays what it owes a spoke's partition to the spoke's venue
(FLOW-PAY-1..3).

Seized collateral becomes the partition's (`owed`, HUB-LOSS-1) in the hub's own
ledger, final on the hub's chain when the seizure is.  A payout moves those tokens out
of the hub towards the venue: never more than the partition is owed of the asset
(its pool), never another partition's, and not while the spoke is paused (its
partition is frozen with it).  Tokens and what is owed fall together, so asset
conservation (INV-ASSET-1) and the malicious-spoke bound (INV-PART-2) are untouched.
"""

from dataclasses import replace

from model.outcome import Step, accept, reject
from model.state import State, assoc
from spec.actions import PayOut
from spec.errors import Error


def owed_to(state: State, spoke: str, asset: str) -> int:
    """FLOW-PAY-2: the partition's pool of an asset: what the hub owes the spoke of it."""
    return state.hub.owed[(spoke, asset)]


def pay_out(state: State, action: PayOut) -> Step:
    """FLOW-PAY-1..3: a paused spoke is paid nothing; an amount above what its partition is
    owed of the asset is refused; otherwise the tokens leave the hub."""
    if action.spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    if action.amount > owed_to(state, action.spoke, action.asset):
        return reject(state, Error.EXCEEDS_OWED)
    key = (action.spoke, action.asset)
    hub = state.hub
    hub = replace(
        hub,
        owed=assoc(hub.owed, key, hub.owed[key] - action.amount),
        tokens=assoc(hub.tokens, action.asset, hub.tokens[action.asset] - action.amount),
    )
    return accept(replace(state, hub=hub))
