"""The collateral hub: deposits, withdrawals, credit grants, and what spokes send it
(HUB-DEP-1, HUB-WD-1..3, HUB-GRANT-1..4, HUB-REL-1, HUB-CLAIM-1..3, HUB-REP-1)."""

from dataclasses import replace

from model.calls import call_met, under_margin_call, with_call
from model.catalog import catalog
from model.channels import charge, rate_limited
from model.ledger import pay_loss, seizure_prices
from model.listing import is_listed
from model.network import send
from model.oracle import prices_of
from model.outcome import Step, accept, ignore, reject
from model.risk import assets_needed, free_capacity, meets_initial, stale_books
from model.state import AccountId, Position, Report, SpokeId, State, add_ghost, assoc
from spec.actions import Deposit, GrantCredit, Withdraw
from spec.bounds import MAX_AMOUNT
from spec.errors import Error
from spec.messages import CreditGrant, CreditRelease, ExposureReport, LossClaim, PositionView


def spoke_allocation(state: State, spoke: SpokeId) -> int:
    """CAP-1: credit allocated to a spoke over all accounts, in flight included."""
    return sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)


def partition_cap(state: State, spoke: SpokeId) -> int:
    """CAP-1: the most the hub may allocate to a spoke over all accounts."""
    return state.hub.caps[spoke]


def exceeds_allocation(state: State, account: AccountId, spoke: SpokeId, amount: int) -> bool:
    """HUB-REL-1, HUB-CLAIM-2: more than the (account, spoke) allocation a message draws on."""
    return amount > state.hub.alloc[(account, spoke)]


def with_allocation(state: State, account: AccountId, spoke: SpokeId, delta: int) -> State:
    """Change one (account, spoke) allocation by `delta`."""
    key = (account, spoke)
    return replace(
        state,
        hub=replace(state.hub, alloc=assoc(state.hub.alloc, key, state.hub.alloc[key] + delta)),
    )


def link(state: State, account: AccountId, spoke: SpokeId) -> State:
    """RISK-13: from its first grant on, the spoke counts in the hub's view of the account."""
    return replace(state, hub=replace(state.hub, linked=state.hub.linked | {(account, spoke)}))


def deposit(state: State, action: Deposit) -> Step:
    """HUB-DEP-1, FLOW-CALL-3: tokens enter the hub and are credited to the account; allowed
    also while liquidating (it can only help), up to the declared bound of any amount (BND-1).
    A deposit that leaves an account under a top-up call healthy closes the call."""
    key = (action.account, action.asset)
    hub = state.hub
    if hub.tokens[action.asset] + action.amount > MAX_AMOUNT:
        return reject(state, Error.INVALID_AMOUNT)  # BND-1
    hub = replace(
        hub,
        collateral=assoc(hub.collateral, key, hub.collateral[key] + action.amount),
        tokens=assoc(hub.tokens, action.asset, hub.tokens[action.asset] + action.amount),
    )
    state = replace(state, hub=hub)
    if call_met(state, action.account):
        state = with_call(state, action.account, False)
    return accept(state)


def withdraw(state: State, action: Withdraw) -> Step:
    """HUB-WD-1..3, FLOW-CALL-4, RISK-IM-2, RISK-AGE-4: tokens leave the hub only if the
    account is not liquidating nor under a top-up call and, after, its capacity at current
    prices still covers every allocation (in flight included) plus the latency buffer, and
    its initial requirement.  Without the prices to tell, or with a reported book too old
    to trust, it fails closed."""
    key = (action.account, action.asset)
    if state.hub.status[action.account].liquidating:
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    if under_margin_call(state, action.account):
        return reject(state, Error.MARGIN_CALLED)  # FLOW-CALL-4
    if action.amount > state.hub.collateral[key]:
        return reject(state, Error.INSUFFICIENT_BALANCE)
    hub = state.hub
    after = replace(
        state,
        hub=replace(
            hub,
            collateral=assoc(hub.collateral, key, hub.collateral[key] - action.amount),
            tokens=assoc(hub.tokens, action.asset, hub.tokens[action.asset] - action.amount),
        ),
    )
    prices = prices_of(state, assets_needed(state, action.account))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if stale_books(state, action.account):
        return reject(state, Error.REPORT_TOO_OLD)  # RISK-AGE-4: fail closed
    if free_capacity(after, action.account, prices) < 0:
        return reject(state, Error.INSUFFICIENT_CAPACITY)
    if not meets_initial(after, action.account, prices):
        return reject(state, Error.INSUFFICIENT_CAPACITY)  # RISK-IM-2
    return accept(after)


def grant_credit(state: State, action: GrantCredit) -> Step:
    """HUB-GRANT-1..5, FLOW-CALL-4, RISK-IM-2, RISK-AGE-4, LIVE-5: allocate free capacity to a
    spoke and send the grant (not while the account is under a top-up call).

    The hub counts the credit as allocated from the moment it sends, so credit
    in flight can never back a second grant or a withdrawal (INV-CREDIT-1).
    Capacity is judged on the account as it will be once the grant is made: the
    spoke then backs the account, so its reported losses and exposure count
    (RISK-13), including a loss it left unclaimed and will claim at once
    (SPK-GRANT-3).  The grant carries the account's epoch so a spoke knows it
    postdates any margin call it has obeyed (SPK-GRANT-2).  A reported book too old to
    trust (RISK-AGE-4) stops it, like a missing price.
    """
    status = state.hub.status[action.account]
    if status.liquidating:
        return reject(state, Error.ACCOUNT_LIQUIDATING)
    if under_margin_call(state, action.account):
        return reject(state, Error.MARGIN_CALLED)  # FLOW-CALL-4
    if (action.account, action.spoke) in state.hub.severed:
        return reject(state, Error.SPOKE_SEVERED)  # LIVE-5
    if not is_listed(state, action.spoke):
        return reject(state, Error.SPOKE_NOT_LISTED)  # HUB-GRANT-5, INV-LIST-1
    if action.spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    granted = link(
        with_allocation(state, action.account, action.spoke, action.amount),
        action.account,
        action.spoke,
    )
    prices = prices_of(state, assets_needed(granted, action.account))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if stale_books(granted, action.account):
        return reject(state, Error.REPORT_TOO_OLD)  # RISK-AGE-4: fail closed
    if free_capacity(granted, action.account, prices) < 0:
        return reject(state, Error.INSUFFICIENT_CAPACITY)
    if not meets_initial(granted, action.account, prices):
        return reject(state, Error.INSUFFICIENT_CAPACITY)  # RISK-IM-2
    if spoke_allocation(state, action.spoke) + action.amount > partition_cap(state, action.spoke):
        return reject(state, Error.PARTITION_CAP)
    state = add_ghost(granted, "granted", action.spoke, action.amount)
    grant = CreditGrant(account=action.account, amount=action.amount, epoch=status.epoch)
    return accept(send(state, "hub", action.spoke, grant))


def receive_release(state: State, spoke: SpokeId, msg: CreditRelease) -> Step:
    """HUB-REL-1: returned credit leaves the allocation; never more than was allocated."""
    if exceeds_allocation(state, msg.account, spoke, msg.amount):
        return ignore(state, Error.EXCEEDS_ALLOCATION)
    state = with_allocation(state, msg.account, spoke, -msg.amount)
    return accept(add_ghost(state, "released", spoke, msg.amount))


def receive_loss_claim(state: State, spoke: SpokeId, msg: LossClaim) -> Step:
    """HUB-CLAIM-1..3, RATE-3: a loss claim consumes allocation and is paid from collateral.

    A paused spoke's claims wait in flight (circuit breaker); a claim above the
    allocation it draws on is ignored, so what a spoke can ever take for an
    account is bounded by what was allocated to it (INV-PART-2).  Without the
    prices to value what it would seize, the claim waits in flight (HUB-LOSS-5), and so
    does a claim above what a rate-limited spoke's bucket holds (RATE-3); an accepted claim
    is charged to the bucket.
    """
    if spoke in state.hub.paused:
        return reject(state, Error.SPOKE_PAUSED)
    if exceeds_allocation(state, msg.account, spoke, msg.amount):
        return ignore(state, Error.EXCEEDS_ALLOCATION)
    prices = seizure_prices(state, msg.account)
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if rate_limited(state, spoke, msg.amount):
        return reject(state, Error.RATE_LIMITED)  # RATE-3: waits for the bucket to refill
    state = charge(with_allocation(state, msg.account, spoke, -msg.amount), spoke, msg.amount)
    state = add_ghost(state, "claimed", spoke, msg.amount)
    return accept(pay_loss(state, msg.account, spoke, msg.amount, prices))


def record_report(
    state: State,
    account: AccountId,
    spoke: SpokeId,
    seq: int,
    balance: int,
    positions: dict[str, Position],
    time: int,
) -> State:
    """HUB-REP-1, RISK-AGE-1: keep the newer report, with the time it carries; a time after
    the hub's clock (a spoke's clock cannot run ahead of it) is recorded as now."""
    report = Report(seq=seq, balance=balance, positions=positions, time=min(time, state.oracle.now))
    reports = assoc(state.hub.reports, (account, spoke), report)
    return replace(state, hub=replace(state.hub, reports=reports))


def report_positions(state: State, views: tuple[PositionView, ...]) -> dict[str, Position] | None:
    """HUB-REP-4: a report lists each known market at most once, with a non-zero size;
    anything else is malformed (a position listed twice must not count twice)."""
    markets = catalog(state.params).markets
    positions = {p.market: Position(p.qty, p.cost) for p in views}
    if len(positions) != len(views) or any(p.market not in markets or p.qty == 0 for p in views):
        return None
    return positions


def receive_exposure_report(state: State, spoke: SpokeId, msg: ExposureReport) -> Step:
    """HUB-REP-1, RISK-AGE-1: a report with a sequence number not above the last one is stale
    and ignored; an accepted one is kept with the time it carries."""
    if msg.seq <= state.hub.reports[(msg.account, spoke)].seq:
        return ignore(state, Error.STALE_REPORT)
    positions = report_positions(state, msg.positions)
    if positions is None:
        return ignore(state, Error.MALFORMED_REPORT)
    return accept(
        record_report(state, msg.account, spoke, msg.seq, msg.balance, positions, msg.time)
    )
