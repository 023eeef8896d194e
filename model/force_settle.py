"""Force-settle: end a liquidation whose deadline has passed without the answers of the
spokes still silent (LIVE-1..LIVE-6, INV-LIVE-1..INV-LIVE-4).

A spoke that never answers its margin call would keep the account LIQUIDATING for
ever.  After the deadline fixed at the call (LIVE-1), anyone may settle without it:
the silent spoke's whole allocation, the most it could ever claim for the account,
is charged as its loss to its own partition, the pair is severed so that nothing the
spoke sends about the account later counts (LIVE-5), and the account settles as
after the last answer.
"""

from dataclasses import replace

from model.channels import charge, rate_limited
from model.hub import record_report, with_allocation
from model.ledger import Prices, pay_loss, seizure_prices
from model.liquidation import settle, with_status
from model.outcome import Step, accept, reject
from model.state import AccountId, SpokeId, State, add_ghost
from spec.actions import ForceSettle
from spec.errors import Error


def before_deadline(state: State, account: AccountId) -> bool:
    """LIVE-2: the account's liquidation is still within its deadline."""
    return state.oracle.now < state.hub.status[account].deadline


def silent_rate_limited(state: State, account: AccountId) -> bool:
    """LIVE-9, RATE-3: some silent spoke's charge, its whole allocation, exceeds what its
    rate-limit bucket holds."""
    pending = state.hub.status[account].pending
    return any(rate_limited(state, s, state.hub.alloc[(account, s)]) for s in sorted(pending))


def sever(state: State, account: AccountId, spoke: SpokeId, prices: Prices) -> State:
    """LIVE-3, LIVE-5: charge the silent spoke's allocation as its loss, forget its book for
    the account, and cut the pair off for good."""
    allocated = state.hub.alloc[(account, spoke)]
    state = with_allocation(state, account, spoke, -allocated)
    state = charge(add_ghost(state, "claimed", spoke, allocated), spoke, allocated)  # LIVE-9
    state = pay_loss(state, account, spoke, allocated, prices)
    seq = state.hub.reports[(account, spoke)].seq
    state = record_report(state, account, spoke, seq, 0, {}, state.oracle.now)
    return replace(state, hub=replace(state.hub, severed=state.hub.severed | {(account, spoke)}))


def force_settle(state: State, action: ForceSettle) -> Step:
    """LIVE-2..LIVE-3: anyone may settle a liquidation once its deadline has passed.

    The deadline was fixed when the liquidation was declared, and the charge is each
    silent spoke's allocation: the sender chooses neither, which is why no governance
    is needed (LIVE-4).  Spokes that answered in time are not touched (INV-LIVE-4); a
    silent spoke's cost lands on its own partition only (INV-LIVE-3).
    """
    status = state.hub.status[action.account]
    if not status.liquidating:
        return reject(state, Error.NOT_LIQUIDATING)
    if before_deadline(state, action.account):
        return reject(state, Error.DEADLINE_NOT_REACHED)
    prices = seizure_prices(state, action.account)
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if silent_rate_limited(state, action.account):
        return reject(state, Error.RATE_LIMITED)  # LIVE-9
    for spoke in (s.id for s in state.params.spokes):
        if spoke in status.pending:
            state = sever(state, action.account, spoke, prices)
    state = with_status(state, action.account, replace(status, pending=frozenset()))
    return accept(settle(state, action.account, prices))
