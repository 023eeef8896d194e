"""Builders shared by the unit tests: run honest steps, deliver messages, publish prices.

Every step taken through `run` or `deliver_all` is also checked against the
model's invariants (model/invariants.py), so a unit test that reaches a state
also shows the invariants hold on the way there.
"""

from collections.abc import Sequence
from dataclasses import replace

import model.risk
import model.span
import model.valuation
from model import State, step
from model.catalog import catalog
from model.invariants import check_step
from model.state import Position, Positions, SpokeAccount, with_spoke_account
from model.valuation import Prices, mark_wad
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Liquidate,
    PublishPrice,
    Trade,
)
from spec.errors import Error
from spec.messages import Envelope
from spec.outcome import Outcome
from spec.params import Params

ETH_FEEDS = ("chainlink", "pyth")
"""Two of the example's three ETH feeds: exactly the quorum."""


def checked(state: State, action: Action) -> tuple[State, Outcome]:
    """One step, with every invariant checked on (pre, action, post)."""
    after, outcome = step(state, action)
    broken = check_step(state, action, after, outcome)
    assert not broken, f"{action!r} broke {broken}"
    return after, outcome


def run(state: State, *actions: Action) -> State:
    """Apply the actions in order, asserting each one is accepted."""
    for action in actions:
        state, outcome = checked(state, action)
        assert outcome.status == "accepted", f"{action!r} gave {outcome!r}"
    return state


def refused(state: State, action: Action, error: Error) -> Outcome:
    """Assert the action is rejected with `error` and changes nothing (INV-ATOMIC-1)."""
    after, outcome = checked(state, action)
    assert outcome.status == "rejected", f"{action!r} gave {outcome!r}"
    assert outcome.error is error, f"{action!r} gave {outcome.error}, expected {error}"
    assert after == state
    return outcome


def ignored(state: State, action: Action, error: Error) -> State:
    """Assert the action is a delivery consumed with no effect but naming `error`."""
    after, outcome = checked(state, action)
    assert outcome.status == "ignored", f"{action!r} gave {outcome!r}"
    assert outcome.error is error, f"{action!r} gave {outcome.error}, expected {error}"
    return after


def in_flight(state: State, kind: str | None = None, receiver: str | None = None) -> list[Envelope]:
    """Messages in flight, oldest first, optionally of one payload kind and to one receiver."""
    return [
        env
        for _, env in sorted(state.network.in_flight.items())
        if (kind is None or env.payload.type == kind)
        and (receiver is None or env.receiver == receiver)
    ]


def only(state: State, kind: str, receiver: str | None = None) -> Envelope:
    """The one message of `kind` in flight (to `receiver`)."""
    found = in_flight(state, kind, receiver)
    assert len(found) == 1, f"expected one {kind} in flight, found {found}"
    return found[0]


def deliver(state: State, kind: str, receiver: str | None = None) -> State:
    """Deliver the one message of `kind` in flight (to `receiver`), asserting it is accepted."""
    return run(state, Deliver(message_id=only(state, kind, receiver).id))


def deliver_all(state: State) -> State:
    """Deliver every message in flight, oldest first, including the ones deliveries send,
    until the network is drained; each must be accepted or ignored."""
    while state.network.in_flight:
        message_id = min(state.network.in_flight)
        state, outcome = checked(state, Deliver(message_id=message_id))
        assert outcome.status != "rejected", f"delivery of {message_id} gave {outcome!r}"
    return state


def priced(state: State, eth: int = 2000, feeds: tuple[str, ...] = ETH_FEEDS) -> State:
    """Publish the ETH price on `feeds` (by default two, the quorum) at the current time."""
    return run(state, *(PublishPrice(feed=f, price=eth) for f in feeds))


def stale(state: State) -> State:
    """Let every quote age past max_age: no asset with feeds has a price any more."""
    return run(state, AdvanceTime(seconds=state.params.oracle.max_age_s + 1))


def crafted_spoke_account(state: State, spoke: str, account: str, **changes: object) -> State:
    """A state no honest run reaches: one spoke account's fields replaced (for rules that
    only such a state can exercise).  Invariants are not checked on it."""
    acct: SpokeAccount = replace(state.spokes[(spoke, account)], **changes)  # type: ignore[arg-type]
    return with_spoke_account(state, spoke, account, acct)


def position(state: State, spoke: str, account: str, market: str) -> Position | None:
    """The account's position in `market` on `spoke`, if any."""
    return state.spokes[(spoke, account)].positions.get(market)


def funded(state: State, account: str = "alice", usd: int = 0, eth: int = 0) -> State:
    """Deposit `usd` and `eth` tokens for the account (zero amounts skipped)."""
    amounts = (("USD", usd), ("ETH", eth))
    return run(state, *(Deposit(account=account, asset=a, amount=n) for a, n in amounts if n))


def credited(state: State, account: str, spoke: str, amount: int) -> State:
    """Grant `amount` of credit to `spoke` and deliver the grant: the line holds it."""
    grant_id = state.network.next_id
    state = run(state, GrantCredit(account=account, spoke=spoke, amount=amount))
    return run(state, Deliver(message_id=grant_id))


def traded(state: State, spoke: str, account: str, market: str, qty: int, price: int) -> State:
    """Trade on a spoke and deliver what the trade sent (loss claim, exposure report)."""
    first = state.network.next_id
    state = run(state, Trade(spoke=spoke, account=account, market=market, qty=qty, price=price))
    for message_id in range(first, state.network.next_id):
        state = run(state, Deliver(message_id=message_id))
    return state


def underwater(genesis: State) -> State:
    """alice put up 1000 USD, got 1000 credit on arb, bought 2 ETH-PERP at 2000 (reported to
    the hub), and ETH fell to 1700: equity 1000 - 600 = 400 is below maintenance 536 (the
    extreme move 3 x 15% x 1700 = 765 on 2 lots, 1530 at 35% cover = 535.5, rounded up)
    + buffer 3 = 539.  She is unhealthy."""
    state = credited(funded(priced(genesis), usd=1_000), "alice", "arb", 1_000)
    state = traded(state, "arb", "alice", "ETH-PERP", 2, 2_000)
    return priced(state, eth=1_700)


def liquidating(genesis: State) -> State:
    """`underwater`, then Liquidate(alice): epoch 1, a margin call to every spoke in flight."""
    return run(underwater(genesis), Liquidate(account="alice"))


def settled(genesis: State) -> State:
    """`liquidating`, then every message delivered: arb closed at 1700, claimed the 600 loss,
    released 400; the hub paid the claim and charged the penalty (5% of 539, rounded up: 27)."""
    return deliver_all(liquidating(genesis))


def scan_adding_marks(
    params: Params,
    positions: Positions,
    prices: Prices,
    asset: str,
    grid: Sequence[model.span.Scenario],
    now: int,
    fixings: model.valuation.Fixings = model.valuation.NO_FIXINGS,
) -> list[list[int]]:
    """A broken `model.span.value_changes` (SPAN-3), which every scenario loss and scan risk
    is made of: it adds a lot's mark to its scenario value instead of subtracting it.  The
    mutant the risk-laws (VER-5) and vectorized (VER-VEC-1) checks must each see."""
    markets = catalog(params).markets
    return [
        [
            pos.qty
            * (
                model.span.scenario_value_wad(params, markets[market_id], sc, now, fixings)
                + mark_wad(params, markets[market_id], prices[asset], now, fixings)
            )
            for sc in grid
        ]
        for market_id, pos in positions.items()
        if markets[market_id].underlying == asset
    ]
