"""Partial liquidation on a spoke: close the least that restores local health
(FLOW-PART-1..6).

A keeper on a spoke may close part of an account's book there once its local equity
(SPK-2) no longer covers its local maintenance margin (RISK-5, maintenance).  The spoke
closes perpetual lots at the oracle's marks, market by market in the declared order of
the markets (PAR-2), a whole position at a time, and in the market where the account
becomes restored (local equity, less the penalty, at least maintenance plus
`target_bps` of it) only the fewest lots that restore it, found by bisection.  The
penalty is `penalty_bps` of the notional closed, rounded up.  A close that cannot
restore the account is refused `NOT_RESTORABLE` and moves nothing: the hub's full
liquidation (LIQ-1) is the remedy.  What follows an accepted close is what follows a
trade: the loss claimed against the line (SPK-CLAIM-1), then a report (SPK-REP-1).
"""

from dataclasses import dataclass, replace

from model.arith import bps_up
from model.catalog import catalog
from model.finality import is_halted, record_change
from model.margin import margin
from model.oracle import prices_of
from model.outcome import Step, accept, reject
from model.spoke import claim_losses, fill, local_equity, report_exposure, with_position
from model.state import Positions, SpokeAccount, State, with_spoke_account
from model.valuation import underlyings, unrealized_pnl
from spec.actions import PartialLiquidate
from spec.bounds import BPS, MAX_AMOUNT
from spec.errors import Error

Prices = dict[str, int]


@dataclass(frozen=True)
class Close:
    """A plan: the book left, the PnL the closes realize, the notional they close, and the
    lots closed (FLOW-PART-2)."""

    positions: Positions
    realized: int = 0
    notional: int = 0
    lots: int = 0


def local_maintenance(state: State, positions: Positions, prices: Prices) -> int:
    """FLOW-PART-1, RISK-5: the maintenance margin of a spoke book under the declared method."""
    oracle = state.oracle
    return margin(
        state.params,
        positions,
        prices,
        initial=False,
        now=oracle.now,
        fixings=oracle.expiry_prices,
    )


def book_upnl(state: State, positions: Positions, prices: Prices) -> int:
    """RISK-2: the unrealized PnL of a book at the oracle's marks."""
    oracle = state.oracle
    return unrealized_pnl(state.params, positions, prices, oracle.now, oracle.expiry_prices)


def locally_healthy(state: State, acct: SpokeAccount, prices: Prices) -> bool:
    """FLOW-PART-1: local equity covers the local maintenance margin."""
    return local_equity(state, acct, prices) >= local_maintenance(state, acct.positions, prices)


def partial_penalty(state: State, notional: int) -> int:
    """FLOW-PART-4: the penalty on the notional closed, rounded up (against the account)."""
    return bps_up(notional, state.params.partial_liquidation.penalty_bps)


def equity_after(state: State, acct: SpokeAccount, plan: Close, prices: Prices) -> int:
    """FLOW-PART-3: local equity once the plan is carried out and its penalty paid."""
    upnl = book_upnl(state, plan.positions, prices)
    return acct.line + acct.balance + plan.realized - partial_penalty(state, plan.notional) + upnl


def restores(state: State, acct: SpokeAccount, plan: Close, prices: Prices) -> bool:
    """FLOW-PART-3: after the plan, local equity is at least maintenance plus `target_bps` of
    it (compared multiplied out: no rounding)."""
    required = local_maintenance(state, plan.positions, prices)
    target = BPS + state.params.partial_liquidation.target_bps
    return equity_after(state, acct, plan, prices) * BPS >= required * target


def close_lots(state: State, plan: Close, market: str, lots: int, prices: Prices) -> Close:
    """FLOW-PART-2: `lots` more lots of the market closed at its mark (SPK-TRADE-4)."""
    if lots == 0:
        return plan
    old = plan.positions[market]
    price = prices[catalog(state.params).markets[market].underlying]
    qty = -lots if old.qty > 0 else lots
    position, realized = fill(old, qty, price)
    return Close(
        with_position(plan.positions, market, position),
        plan.realized + realized,
        plan.notional + lots * price,
        plan.lots + lots,
    )


def closable(state: State, positions: Positions) -> list[str]:
    """FLOW-PART-2: the perpetuals of the book, in the declared order of the markets."""
    return [m.id for m in state.params.markets if m.kind == "perp" and m.id in positions]


def least_lots(state: State, acct: SpokeAccount, plan: Close, market: str, prices: Prices) -> int:
    """FLOW-PART-5: the fewest lots of `market` after which the plan restores the account,
    given that none does not and all do: bisection keeps `lo` not restoring and `hi`
    restoring, so the answer restores and one lot fewer does not."""
    lo, hi = 0, abs(plan.positions[market].qty)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if restores(state, acct, close_lots(state, plan, market, mid, prices), prices):
            hi = mid
        else:
            lo = mid
    return hi


def plan_close(state: State, acct: SpokeAccount, prices: Prices) -> Close | None:
    """FLOW-PART-2, FLOW-PART-5: whole perpetual positions in declared order until closing the
    next whole one would restore the account, then the fewest lots of it that do; None if
    closing every perpetual does not restore it (FLOW-PART-6)."""
    plan = Close(acct.positions)
    for market in closable(state, acct.positions):
        whole = close_lots(state, plan, market, abs(plan.positions[market].qty), prices)
        if restores(state, acct, whole, prices):
            lots = least_lots(state, acct, plan, market, prices)
            return close_lots(state, plan, market, lots, prices)
        plan = whole
    return None


def partial_liquidate(state: State, action: PartialLiquidate) -> Step:
    """FLOW-PART-1..6: prices for the book; the account locally unhealthy; a close that
    restores it; balance within bounds.  Then the plan is carried out, its penalty charged,
    the loss claimed and a report sent, as after a trade; on a halted chain nothing runs,
    and the change joins the spoke's unfinalized segment (FIN-6, FIN-1)."""
    if is_halted(state, action.spoke):
        return reject(state, Error.SPOKE_HALTED)  # FIN-6
    acct = state.spokes[(action.spoke, action.account)]
    prices = prices_of(state, underlyings(state.params, acct.positions))
    if prices is None:
        return reject(state, Error.PRICE_UNAVAILABLE)
    if locally_healthy(state, acct, prices):
        return reject(state, Error.ACCOUNT_HEALTHY)
    plan = plan_close(state, acct, prices)
    if plan is None:
        return reject(state, Error.NOT_RESTORABLE)
    balance = acct.balance + plan.realized - partial_penalty(state, plan.notional)
    if abs(balance) > MAX_AMOUNT:
        return reject(state, Error.INVALID_AMOUNT)  # BND-1, as for a trade (SPK-TRADE-2)
    after = replace(acct, positions=dict(plan.positions), balance=balance)
    changed = with_spoke_account(state, action.spoke, action.account, after)
    changed = claim_losses(changed, action.spoke, action.account)
    changed = report_exposure(changed, action.spoke, action.account)
    return accept(record_change(state, changed, action.spoke))
