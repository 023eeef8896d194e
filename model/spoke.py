"""Execution spokes: credit lines, trades, releases, reports, and obeying margin calls
(SPK-1..SPK-3, SPK-TRADE-1..5, SPK-REL-1..2, SPK-REP-1, SPK-GRANT-1..3, SPK-CALL-1..3)."""

from dataclasses import replace

from model.algebra import maximum, minimum
from model.arith import ceil_div
from model.finality import is_halted, record_change
from model.margin import margin
from model.network import send
from model.oracle import prices_of
from model.outcome import Step, accept, ignore, reject
from model.state import (
    AccountId,
    Position,
    Positions,
    SpokeAccount,
    SpokeId,
    State,
    assoc,
    dissoc,
    with_spoke_account,
)
from model.valuation import underlyings, unrealized_pnl
from spec.actions import ReleaseCredit, SendReport, Trade
from spec.bounds import MAX_AMOUNT, MAX_QTY
from spec.errors import Error
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    PositionView,
)


def is_risk_reducing(old_qty: int, qty: int) -> bool:
    """SPK-TRADE-1: a trade reduces risk iff it shrinks an open position without flipping it."""
    return old_qty * qty < 0 and abs(qty) <= abs(old_qty)  # signs opposite: neither is 0


def fill(old: Position, qty: int, price: int) -> tuple[Position, int]:
    """SPK-TRADE-4: apply a fill of `qty` lots at `price`; return (position, realized PnL).

    The closing part realizes PnL against the cost basis it removes, pro rata;
    the removed cost rounds up so realized PnL rounds down (NUM-2).  What is
    left over opens a new position at `price`.
    """
    if old.qty == 0 or (old.qty > 0) == (qty > 0):
        return Position(old.qty + qty, old.cost + qty * price), 0
    closing = qty if abs(qty) <= abs(old.qty) else -old.qty
    numerator, denominator = old.cost * -closing, old.qty
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    removed = ceil_div(numerator, denominator)
    realized = -closing * price - removed
    rest = Position(old.qty + closing, old.cost - removed)
    opening = qty - closing
    if opening:
        return Position(opening, opening * price), realized
    return rest, realized


def local_equity(state: State, acct: SpokeAccount, prices: dict[str, int]) -> int:
    """SPK-2: what backs the account on this spoke: credit line, settled balance, unrealized PnL."""
    return (
        acct.line
        + acct.balance
        + unrealized_pnl(
            state.params, acct.positions, prices, state.oracle.now, state.oracle.expiry_prices
        )
    )


def local_margin(state: State, positions: Positions, prices: dict[str, int]) -> int:
    """SPK-2, RISK-5: the initial margin a spoke asks of a book, at the expiry prices fixed
    so far (PRC-13)."""
    oracle = state.oracle
    return margin(
        state.params,
        positions,
        prices,
        initial=True,
        now=oracle.now,
        fixings=oracle.expiry_prices,
    )


def covers_local_margin(
    state: State, acct: SpokeAccount, positions: Positions, prices: dict[str, int]
) -> bool:
    """SPK-2, SPK-TRADE-3, SPK-REL-1: the account's local equity covers the initial margin of
    `positions` (the book after a trade, or the book a release leaves backed by less)."""
    return local_equity(state, acct, prices) >= local_margin(state, positions, prices)


def with_position(positions: Positions, market: str, position: Position) -> dict[str, Position]:
    """Positions with `market` set; a flat position is dropped."""
    if position.qty == 0:
        return dissoc(positions, market)
    return assoc(positions, market, position)


def position_in(acct: SpokeAccount, market: str) -> Position:
    """The account's position in a market (flat if none)."""
    return acct.positions.get(market, Position(0, 0))


def after_fill(acct: SpokeAccount, action: Trade) -> tuple[Position, int, SpokeAccount]:
    """SPK-TRADE-4: a trade's fill on the account: the market's new position, the PnL it
    realizes, and the account with both (the realized PnL settled into its balance)."""
    position, realized = fill(position_in(acct, action.market), action.qty, action.price)
    after = replace(
        acct,
        positions=with_position(acct.positions, action.market, position),
        balance=acct.balance + realized,
    )
    return position, realized, after


def claimable_loss(balance: int, line: int) -> int:
    """SPK-CLAIM-1, SPK-CALL-2: the loss a spoke claims against a line: the negative part of
    the settled balance, at most the line."""
    return minimum(maximum(-balance, 0), line)


def claim_losses(state: State, spoke: SpokeId, account: AccountId) -> State:
    """SPK-CLAIM-1: a negative settled balance is claimed against the line at once:
    the spoke debits the line before it sends the claim."""
    acct = state.spokes[(spoke, account)]
    claim = claimable_loss(acct.balance, acct.line)
    if claim == 0:
        return state
    acct = replace(acct, line=acct.line - claim, balance=acct.balance + claim)
    state = with_spoke_account(state, spoke, account, acct)
    return send(state, spoke, "hub", LossClaim(account=account, amount=claim))


def position_views(positions: Positions) -> tuple[PositionView, ...]:
    return tuple(
        PositionView(market=m, qty=p.qty, cost=p.cost) for m, p in sorted(positions.items())
    )


def report_exposure(state: State, spoke: SpokeId, account: AccountId) -> State:
    """SPK-REP-1, RISK-AGE-1: number, time-stamp and send the account's positions and settled
    balance."""
    acct = state.spokes[(spoke, account)]
    acct = replace(acct, seq=acct.seq + 1)
    state = with_spoke_account(state, spoke, account, acct)
    report = ExposureReport(
        account=account,
        seq=acct.seq,
        balance=acct.balance,
        positions=position_views(acct.positions),
        time=state.oracle.now,
    )
    return send(state, spoke, "hub", report)


def trade(state: State, action: Trade) -> Step:
    """SPK-TRADE-1..5: trade on a spoke.

    Risk-reducing trades are always allowed (also when margin-called or without a
    price).  A risk-increasing trade needs: no margin call obeyed since the last
    grant, a live price for every position it leaves, and local equity covering
    initial margin afterwards.  Losses realized are claimed at once; a report follows.
    """
    if is_halted(state, action.spoke):
        return reject(state, Error.SPOKE_HALTED)  # FIN-6
    if action.qty == 0:
        return reject(state, Error.INVALID_AMOUNT)  # BND-3: a trade moves at least one lot
    acct = state.spokes[(action.spoke, action.account)]
    old = position_in(acct, action.market)
    if abs(old.qty + action.qty) > MAX_QTY:
        return reject(state, Error.INVALID_AMOUNT)
    position, _, after = after_fill(acct, action)
    if abs(position.cost) > MAX_AMOUNT or abs(after.balance) > MAX_AMOUNT:
        return reject(state, Error.INVALID_AMOUNT)  # BND-1: cost basis and balance stay bounded
    if not is_risk_reducing(old.qty, action.qty):
        if acct.frozen:
            return reject(state, Error.MARGIN_CALLED)
        prices = prices_of(state, underlyings(state.params, after.positions))
        if prices is None:
            return reject(state, Error.PRICE_UNAVAILABLE)
        if not covers_local_margin(state, after, after.positions, prices):
            return reject(state, Error.INSUFFICIENT_MARGIN)
    changed = with_spoke_account(state, action.spoke, action.account, after)
    changed = claim_losses(changed, action.spoke, action.account)
    changed = report_exposure(changed, action.spoke, action.account)
    return accept(record_change(state, changed, action.spoke))


def debit_line(acct: SpokeAccount, amount: int) -> SpokeAccount:
    """SPK-REL-2: the spoke account with `amount` taken off its line."""
    return replace(acct, line=acct.line - amount)


def release_credit(state: State, action: ReleaseCredit) -> Step:
    """SPK-REL-1..2: give credit back to the hub; the line is debited before the release is
    sent, and what remains must still cover initial margin at live prices."""
    if is_halted(state, action.spoke):
        return reject(state, Error.SPOKE_HALTED)  # FIN-6
    acct = state.spokes[(action.spoke, action.account)]
    if action.amount > acct.line:
        return reject(state, Error.INSUFFICIENT_CREDIT)
    after = debit_line(acct, action.amount)
    prices = prices_of(state, underlyings(state.params, acct.positions))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if not covers_local_margin(state, after, acct.positions, prices):
        return reject(state, Error.INSUFFICIENT_MARGIN)
    changed = with_spoke_account(state, action.spoke, action.account, after)
    release = CreditRelease(account=action.account, amount=action.amount)
    return accept(record_change(state, send(changed, action.spoke, "hub", release), action.spoke))


def send_report(state: State, action: SendReport) -> Step:
    """SPK-REP-1: a spoke may re-send its current report at any time (unless halted, FIN-6)."""
    if is_halted(state, action.spoke):
        return reject(state, Error.SPOKE_HALTED)
    changed = report_exposure(state, action.spoke, action.account)
    return accept(record_change(state, changed, action.spoke))


def receive_grant(state: State, spoke: SpokeId, msg: CreditGrant) -> Step:
    """SPK-GRANT-1..3: the credit joins the line; a grant from an epoch at or after the last
    margin call obeyed lifts the freeze (the hub grants only outside liquidation).  A loss
    left unclaimed for want of credit is claimed against the new line at once and a report
    follows (SPK-GRANT-3, SPK-CLAIM-1)."""
    acct = state.spokes[(spoke, msg.account)]
    frozen = acct.frozen and msg.epoch < acct.called_epoch
    acct = replace(acct, line=acct.line + msg.amount, frozen=frozen)
    state = with_spoke_account(state, spoke, msg.account, acct)
    if acct.balance >= 0:
        return accept(state)
    state = claim_losses(state, spoke, msg.account)
    return accept(report_exposure(state, spoke, msg.account))


def receive_margin_call(state: State, spoke: SpokeId, msg: MarginCall) -> Step:
    """SPK-CALL-1..3: obey a margin call.

    Freeze risk-increasing trades for the account, close every position at the
    oracle's marks, claim the loss against the line, release the rest of the
    line, and answer with a liquidation report for the epoch.  Without the
    prices to close at, the call waits in flight (rejected, retried later).
    """
    acct = state.spokes[(spoke, msg.account)]
    if msg.epoch <= acct.called_epoch:
        return ignore(state, Error.STALE_EPOCH)
    prices = prices_of(state, underlyings(state.params, acct.positions))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    balance = acct.balance + unrealized_pnl(
        state.params, acct.positions, prices, state.oracle.now, state.oracle.expiry_prices
    )
    loss = claimable_loss(balance, acct.line)
    released = acct.line - loss
    acct = SpokeAccount(
        line=0,
        balance=balance + loss,
        positions={},
        seq=acct.seq + 1,
        called_epoch=msg.epoch,
        frozen=True,
    )
    state = with_spoke_account(state, spoke, msg.account, acct)
    answer = LiquidationReport(
        account=msg.account,
        epoch=msg.epoch,
        seq=acct.seq,
        released=released,
        loss=loss,
        balance=acct.balance,
    )
    return accept(send(state, spoke, "hub", answer))
