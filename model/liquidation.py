"""Liquidation across spokes: declare, call every spoke, collect answers, settle
(LIQ-1..LIQ-7).

One liquidation per account at a time, numbered by the account's epoch.  While
it runs the hub grants nothing and pays out nothing to the account; each spoke
that receives the call stops risk-increasing trades for it (INV-LIQ-1).
"""

from dataclasses import replace

from model.algebra import minimum
from model.arith import bps_up
from model.calls import below_call_floor, call_to_open, in_top_up_window, with_call
from model.calls import health_prices as health_prices
from model.channels import charge, rate_limited
from model.hub import record_report, with_allocation
from model.ledger import Prices, charge_penalty, pay_loss, seizure_prices
from model.network import send
from model.outcome import Step, accept, ignore, reject
from model.risk import is_healthy, maintenance_requirement
from model.state import AccountId, AccountStatus, SpokeId, State, add_ghost, assoc
from spec.actions import Liquidate
from spec.errors import Error
from spec.messages import LiquidationReport, MarginCall


def with_status(state: State, account: AccountId, status: AccountStatus) -> State:
    return replace(state, hub=replace(state.hub, status=assoc(state.hub.status, account, status)))


def liquidate(state: State, action: Liquidate) -> Step:
    """LIQ-1..LIQ-2, LIVE-1, LIVE-6, FLOW-CALL-1..2: anyone may start the liquidation of an
    account the hub finds unhealthy.

    The account enters LIQUIDATING under a new epoch, with its force-settle deadline
    fixed now, and a margin call goes to every spoke (a spoke severed from the account
    is called but not waited for).  Calling every spoke, not only those the hub knows hold credit
    or exposure, closes the race where a position opened on a spoke is not yet
    reported; a spoke with nothing to close simply answers.  With a top-up window
    declared, the first call only opens the window (no messages), and the liquidation
    waits until it has passed, unless the account is below the call floor; starting
    the liquidation closes the call (INV-CALL-1).
    """
    status = state.hub.status[action.account]
    if status.liquidating:
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    prices = health_prices(state, action.account)
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if is_healthy(state, action.account, prices):
        return reject(state, Error.ACCOUNT_HEALTHY)
    deep = below_call_floor(state, action.account, prices)
    if in_top_up_window(state, status, deep):
        return reject(state, Error.IN_TOP_UP_WINDOW)
    if call_to_open(state, status, deep):
        return accept(with_call(state, action.account, True))
    spokes = tuple(s.id for s in state.params.spokes)
    epoch = status.epoch + 1
    state = with_status(
        state,
        action.account,
        AccountStatus(
            liquidating=True,
            epoch=epoch,
            pending=frozenset(s for s in spokes if (action.account, s) not in state.hub.severed),
            requirement_at_call=maintenance_requirement(state, action.account, prices),
            deadline=state.oracle.now + state.params.liquidation_deadline_s,
        ),
    )
    for spoke in spokes:
        state = send(state, "hub", spoke, MarginCall(account=action.account, epoch=epoch))
    return accept(state)


def receive_liquidation_report(state: State, spoke: SpokeId, msg: LiquidationReport) -> Step:
    """LIQ-3..LIQ-5: take a spoke's answer to the current margin call.

    Released credit and the loss claim leave the allocation, never more than it
    holds: an answer asking for more is cut to the allocation (loss first), not
    ignored, so that a spoke whose allocation was drained (say, by false claims of
    its own) still completes the liquidation by answering.  The loss is paid like
    any claim; the report replaces the hub's view of the spoke.  When the last spoke
    has answered, the hub settles.  Without the prices to value what it would
    seize, or with a loss above what a rate-limited spoke's bucket holds (RATE-3), the answer
    waits in flight (HUB-LOSS-5); an accepted loss is charged to the bucket.
    """
    status = state.hub.status[msg.account]
    if not status.liquidating:
        return ignore(state, Error.NOT_LIQUIDATING)
    if msg.epoch != status.epoch or spoke not in status.pending:
        return ignore(state, Error.STALE_EPOCH)
    loss, released = cut_to_allocation(
        msg.loss, msg.released, state.hub.alloc[(msg.account, spoke)]
    )
    if loss and spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    prices = seizure_prices(state, msg.account)
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if rate_limited(state, spoke, loss):
        return reject(state, Error.RATE_LIMITED)  # RATE-3: waits for the bucket to refill
    state = charge(with_allocation(state, msg.account, spoke, -(released + loss)), spoke, loss)
    state = add_ghost(state, "released", spoke, released)
    state = add_ghost(state, "claimed", spoke, loss)
    state = pay_loss(state, msg.account, spoke, loss, prices)
    if msg.seq > state.hub.reports[(msg.account, spoke)].seq:
        # RISK-AGE-1: the answer leaves an empty book, stamped with the hub's receipt time
        now = state.oracle.now
        state = record_report(state, msg.account, spoke, msg.seq, msg.balance, {}, now)
    status = replace(status, pending=status.pending - {spoke})
    state = with_status(state, msg.account, status)
    if status.pending:
        return accept(state)
    return accept(settle(state, msg.account, prices))


def cut_to_allocation(loss: int, released: int, allocated: int) -> tuple[int, int]:
    """LIQ-4: an answer's loss and released credit cut to the allocation, loss first: the
    loss at most the allocation, the release at most what the loss leaves of it."""
    loss = minimum(loss, allocated)
    return loss, minimum(released, allocated - loss)


def penalty_of(requirement_at_call: int, penalty_bps: int) -> int:
    """LIQ-6, NUM-2: the liquidation penalty, a share of the maintenance requirement at the
    call, rounded up (against the account)."""
    return bps_up(requirement_at_call, penalty_bps)


def settle(state: State, account: AccountId, prices: Prices) -> State:
    """LIQ-6..LIQ-7: every spoke has answered (or was severed, LIVE-3): charge the penalty
    into the insurance fund and let the account leave LIQUIDATING (its epoch stays, for the
    next grant; its deadline goes back to 0)."""
    status = state.hub.status[account]
    penalty = penalty_of(status.requirement_at_call, state.params.penalty_bps)
    state = charge_penalty(state, account, penalty, prices)
    return with_status(state, account, AccountStatus(epoch=status.epoch))
