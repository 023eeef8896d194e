"""The transition function: `step(state, action) -> (state, outcome)` (STEP-1..STEP-3)."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from model.catalog import catalog
from model.channels import refill
from model.delivery import deliver, inject
from model.finality import halt, reorg, resume
from model.force_settle import force_settle
from model.governance import (
    delist_spoke,
    list_spoke,
    pause_spoke,
    remove_spoke,
    set_cap,
    unpause_spoke,
)
from model.hub import deposit, grant_credit, withdraw
from model.liquidation import liquidate
from model.notice import apply_param_change, propose_param_change
from model.oracle import fix_expiry_prices
from model.outcome import Step, accept, reject
from model.partial import partial_liquidate
from model.payout import pay_out
from model.spoke import release_credit, send_report, trade
from model.state import State, assoc
from spec.actions import (
    ACTION_TYPES,
    Action,
    AdvanceTime,
    ApplyParamChange,
    ProposeParamChange,
    PublishPrice,
)
from spec.errors import Error
from spec.outcome import Outcome


def publish_price(state: State, action: PublishPrice) -> Step:
    """ORA-1, PRC-14: a feed's quote, stamped with the current time, replaces its previous
    one; then the expiry prices due are fixed."""
    quotes = assoc(state.oracle.quotes, action.feed, (action.price, state.oracle.now))
    return accept(fix_expiry_prices(replace(state, oracle=replace(state.oracle, quotes=quotes))))


def advance_time(state: State, action: AdvanceTime) -> Step:
    """TIME-1, PRC-14, RATE-4: logical time moves forward; then the expiry prices due are
    fixed and the rate-limit buckets refilled; nothing else changes."""
    later = replace(state, oracle=replace(state.oracle, now=state.oracle.now + action.seconds))
    return accept(refill(fix_expiry_prices(later), action.seconds))


TRANSITIONS: dict[str, Callable[[State, Any], Step]] = {
    "Deposit": deposit,
    "Withdraw": withdraw,
    "GrantCredit": grant_credit,
    "ReleaseCredit": release_credit,
    "Trade": trade,
    "SendReport": send_report,
    "PublishPrice": publish_price,
    "AdvanceTime": advance_time,
    "Liquidate": liquidate,
    "SetCap": set_cap,
    "PauseSpoke": pause_spoke,
    "UnpauseSpoke": unpause_spoke,
    "PayOut": pay_out,
    "Deliver": deliver,
    "Inject": inject,
    "ForceSettle": force_settle,
    "ListSpoke": list_spoke,
    "DelistSpoke": delist_spoke,
    "RemoveSpoke": remove_spoke,
    "ProposeParamChange": propose_param_change,
    "ApplyParamChange": apply_param_change,
    "Halt": halt,
    "Resume": resume,
    "Reorg": reorg,
    "PartialLiquidate": partial_liquidate,
}

ID_FIELDS: tuple[tuple[str, str, Error], ...] = (
    ("account", "accounts", Error.UNKNOWN_ACCOUNT),
    ("spoke", "spokes", Error.UNKNOWN_SPOKE),
    ("asset", "assets", Error.UNKNOWN_ASSET),
    ("market", "markets", Error.UNKNOWN_MARKET),
    ("feed", "feed_asset", Error.UNKNOWN_FEED),
)

TARGET_TABLES: dict[str, tuple[str, Error]] = {
    "haircut_bps": ("assets", Error.UNKNOWN_ASSET),
    "latency_s": ("spokes", Error.UNKNOWN_SPOKE),
}
"""STEP-2, PAR-26: where the `target` of a parameter change is declared, by parameter."""

IDS_OF: dict[str, tuple[tuple[str, str, Error], ...]] = {
    kind.model_fields["type"].default: tuple(f for f in ID_FIELDS if f[0] in kind.model_fields)
    for kind in ACTION_TYPES
}
"""The id fields each action type has, in the order STEP-2 checks them."""


def unknown_id(state: State, action: Action) -> Error | None:
    """STEP-2: the first id in the action that the parameters do not declare, in the order
    account, spoke, asset, market, feed."""
    cat = catalog(state.params)
    for field, table, error in IDS_OF[action.type]:
        if getattr(action, field) not in getattr(cat, table):
            return error
    if isinstance(action, ProposeParamChange | ApplyParamChange):
        # PAR-26: the target is an asset or a spoke, by the parameter
        table, error = TARGET_TABLES[action.param]
        if action.target not in getattr(cat, table):
            return error
    return None


def step(state: State, action: Action) -> tuple[State, Outcome]:
    """STEP-1..STEP-3: apply one action.

    Unknown ids are rejected first; then the action's own rule decides.  An
    accepted step's outcome lists the ids of the messages it sent, in order (and so does
    an ignored delivery that requeued its message, CHAN-3).
    """
    error = unknown_id(state, action)
    if error is not None:
        return reject(state, error)
    after, outcome = TRANSITIONS[action.type](state, action)
    if outcome.status == "rejected" or after.network.next_id == state.network.next_id:
        return after, outcome
    emitted = tuple(range(state.network.next_id, after.network.next_id))
    return after, outcome.model_copy(update={"emitted": emitted})
