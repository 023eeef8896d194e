"""Top-up calls: the window an unhealthy account gets before it may be liquidated
(FLOW-CALL-1..6, INV-CALL-1).

With `top_up_window_s` = 0 (the default) there is no window and nothing here changes a
step: `Liquidate` starts the liquidation at once, as LIQ-1..LIQ-2 say.  With a window,
the first `Liquidate` of an unhealthy account opens a call stamped with the time; the
liquidation may start only once the window has passed, or at once if the account is
below the harder bound `call_floor_bps` of its requirement.  A deposit that leaves the
account healthy closes the call; starting the liquidation closes it too, so a call is
never open while the account liquidates (INV-CALL-1).  While a call is open no credit
leaves the hub for the account (FLOW-CALL-4).
"""

from dataclasses import replace

from model.oracle import available_prices, prices_of
from model.risk import assets_needed, is_healthy, maintenance_requirement, net_equity, pool_assets
from model.state import AccountId, AccountStatus, State, assoc
from spec.bounds import BPS


def health_prices(state: State, account: AccountId) -> dict[str, int] | None:
    """LIQ-1, RISK-NET-1: the prices health is judged at: every price that values the account
    (None if one is missing: fail closed), plus those of its spokes' clearing pools that have
    one (a pool asset without a price counts for nothing, against the account)."""
    prices = prices_of(state, assets_needed(state, account))
    if prices is None:
        return None
    return available_prices(state, pool_assets(state, account) - set(prices)) | prices


def below_call_floor(state: State, account: AccountId, prices: dict[str, int]) -> bool:
    """FLOW-CALL-2: net equity below `call_floor_bps` of the requirement: too deep under water
    to wait for a top-up (the harder bound)."""
    floor = maintenance_requirement(state, account, prices) * state.params.call_floor_bps
    return net_equity(state, account, prices) * BPS < floor


def window_on(state: State) -> bool:
    """FLOW-CALL-1: the parameters declare a top-up window."""
    return state.params.top_up_window_s > 0


def in_top_up_window(state: State, status: AccountStatus, deep: bool) -> bool:
    """FLOW-CALL-2: a call is open, its window has not passed, and the account is not below
    the call floor: the liquidation must wait."""
    deadline = status.called_at + state.params.top_up_window_s
    return window_on(state) and status.called and state.oracle.now < deadline and not deep


def call_to_open(state: State, status: AccountStatus, deep: bool) -> bool:
    """FLOW-CALL-1: a window is declared, no call is open, and the account is not below the
    call floor: `Liquidate` opens the call instead of liquidating."""
    return window_on(state) and not status.called and not deep


def under_margin_call(state: State, account: AccountId) -> bool:
    """FLOW-CALL-4: a top-up call is open for the account."""
    return state.hub.status[account].called


def with_call(state: State, account: AccountId, called: bool) -> State:
    """Open (stamped now) or close the account's call."""
    status = replace(
        state.hub.status[account], called=called, called_at=state.oracle.now if called else 0
    )
    return replace(state, hub=replace(state.hub, status=assoc(state.hub.status, account, status)))


def call_met(state: State, account: AccountId) -> bool:
    """FLOW-CALL-3: an open call is met when the account is healthy at prices that value it."""
    if not under_margin_call(state, account):
        return False
    prices = health_prices(state, account)
    return prices is not None and is_healthy(state, account, prices)
