"""One account as the hub sees it at one state: collateral, margins, buffer, health factor,
margin ratio and liquidation price (RISK-10, RISK-NET-3, RISK-IM-1..RISK-IM-5).

Pure: a state in, a dictionary of integers (or None where a price is missing or a
figure is infinite) out.  `intermargin account` prints it.
"""

from typing import Any

from model.liquidation import health_prices
from model.margin import account_margin
from model.risk import (
    account_initial_margin,
    backed_profit,
    capacity,
    collateral_value,
    free_capacity,
    health_factor,
    initial_health_factor,
    latency_buffer,
    liquidation_price,
    loan_value,
    margin_ratio,
    net_equity,
    reported_books,
    reported_pnl,
)
from model.state import State
from spec.bounds import MAX_PRICE


def account_view(state: State, account: str) -> dict[str, Any]:
    """Every figure of the hub's view of `account`; the priced ones are None without prices."""
    hub = state.hub
    status = hub.status[account]
    view: dict[str, Any] = {
        "account": account,
        "liquidating": status.liquidating,
        "epoch": status.epoch,
        "collateral": {
            x.id: hub.collateral[(account, x.id)]
            for x in state.params.assets
            if hub.collateral[(account, x.id)]
        },
        "allocation": {s: hub.alloc[(account, s)] for s in (p.id for p in state.params.spokes)},
    }
    prices = health_prices(state, account)
    view["priced"] = prices is not None
    if prices is None:
        return view
    books = reported_books(state, account)
    now = state.oracle.now
    requirement_margin = account_margin(state.params, books.values(), prices, now)
    buffer = latency_buffer(state, account, prices)
    initial_margin = account_initial_margin(state.params, books.values(), prices, now)
    view |= {
        "spokes": {
            s: {
                "positions": {m: [p.qty, p.cost] for m, p in sorted(book.items())},
                "reported_pnl": reported_pnl(state, account, s, prices),
                "backed_profit": backed_profit(state, account, s, prices),
            }
            for s, book in books.items()
        },
        "collateral_value": collateral_value(state, account, prices),
        "loan_value": loan_value(state, account, prices),
        "net_equity": net_equity(state, account, prices),
        "capacity": capacity(state, account, prices),
        "free_capacity": free_capacity(state, account, prices),
        "maintenance_margin": requirement_margin,
        "initial_margin": initial_margin,
        "latency_buffer": buffer,
        "maintenance_requirement": requirement_margin + buffer,
        "initial_requirement": initial_margin + buffer,
        "health_factor_bps": health_factor(state, account, prices),
        "initial_health_factor_bps": initial_health_factor(state, account, prices),
        "margin_ratio_bps": margin_ratio(state, account, prices),
        "liquidation_price": liquidation_price(state, account, prices, MAX_PRICE),
    }
    return view
