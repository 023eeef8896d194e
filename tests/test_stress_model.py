"""STRESS-5: the stress simulation decides what the model's `step` decides.

A small population is opened in the model by the actions a user would take (deposits,
grants, trades, every message delivered), then each simulated step is replayed as
actions: the oracle's (stale) price published on every feed, the simulation's
deliveries in its order, and `Liquidate` tried on every account with positions.  The
model must accept exactly the liquidations the simulation declared, answer each margin
call with the simulation's amounts, and end with the same ledger: collateral,
allocations, insurance fund, what is owed to each partition and what was socialized
(LIQ-1..LIQ-7, SPK-CALL-1..SPK-CALL-3, HUB-LOSS-1..HUB-LOSS-4).
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from model import State, step
from model.state import initial_state
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Liquidate,
    PublishPrice,
    SendReport,
    Trade,
)
from spec.examples import example_params
from spec.params import Params
from stresslab.families import FAMILIES, Portfolios, generate, lot_price
from stresslab.paths import PathModel, price_path
from stresslab.simulate import PathResult, run_path

DT = 60


def accepted(state: State, action: Action) -> State:
    after, outcome = step(state, action)
    assert outcome.status == "accepted", f"{action!r} gave {outcome!r}"
    return after


def in_flight(state: State, kind: str, account: str, party: str) -> int:
    """The id of the message of `kind` about `account` to or from `party` in flight."""
    found = [
        e.id
        for e in state.network.in_flight.values()
        if e.payload.type == kind
        and e.payload.account == account
        and party in (e.sender, e.receiver)
    ]
    assert len(found) == 1, (kind, account, party, found)
    return found[0]


def deliver_everything(state: State) -> State:
    while state.network.in_flight:
        state = accepted(state, Deliver(message_id=min(state.network.in_flight)))
    return state


def publish(state: State, params: Params, price: int) -> State:
    for feed in params.oracle.feeds:
        state = accepted(state, PublishPrice(feed=feed.id, price=price))
    return state


def opened(params: Params, book: Portfolios, price: int) -> State:
    """The population opened in the model: deposits, grants, trades at the lot prices."""
    pop = book.population
    state = publish(initial_state(params), params, price)
    for row, account in enumerate(params.accounts):
        for a, asset in enumerate(params.assets):
            if pop.collateral[row, a]:
                state = accepted(
                    state,
                    Deposit(account=account, asset=asset.id, amount=int(pop.collateral[row, a])),
                )
        for s, spoke in enumerate(params.spokes):
            if pop.linked[row, s]:
                state = accepted(
                    state,
                    GrantCredit(account=account, spoke=spoke.id, amount=int(pop.alloc[row, s])),
                )
        state = deliver_everything(state)
        for s, spoke in enumerate(params.spokes):
            for m, market in enumerate(params.markets):
                lots = int(pop.qty[row, s, m])
                if lots:
                    trade = Trade(
                        spoke=spoke.id,
                        account=account,
                        market=market.id,
                        qty=lots,
                        price=lot_price(params, market, price),
                    )
                    state = accepted(state, trade)
        state = deliver_everything(state)
    return state


def by_time(
    events: tuple[tuple[object, ...], ...],
) -> Iterator[tuple[int, list[tuple[object, ...]]]]:
    """The recorded events grouped by step: each group starts with its `Price` event."""
    current: list[tuple[object, ...]] = []
    for event in events:
        if event[0] == "Price" and current:
            yield int(current[0][1]), current  # type: ignore[call-overload]
            current = []
        if event[0] != "End":
            current.append(event)
    yield int(current[0][1]), current  # type: ignore[call-overload]


def keeper(state: State, params: Params, declared: set[str], reached: Counter[str]) -> State:
    """LIQ-1: `Liquidate` every account with reported positions that is not liquidating;
    the model must accept exactly those the simulation declared."""
    for account in params.accounts:
        holds = any(state.hub.reports[(account, s.id)].positions for s in params.spokes)
        if state.hub.status[account].liquidating or not holds:
            continue
        after, outcome = step(state, Liquidate(account=account))
        assert (outcome.status == "accepted") == (account in declared), (account, outcome)
        if outcome.status == "accepted":
            state = after
            reached["liquidated"] += 1
        else:
            reached["healthy"] += 1
    return state


def at(state: State, params: Params, now: int, price: int) -> State:
    """Logical time moved to `now` (if later), the step's price published again, and every
    spoke's book of every account not liquidating reported afresh (STRESS-4: the simulation's
    spokes report each step, so the hub's reports are never older than a step, RISK-AGE-2)."""
    if now > state.oracle.now:
        state = accepted(state, AdvanceTime(seconds=now - state.oracle.now))
        state = reported_afresh(state, params)
    return publish(state, params, price)


def reported_afresh(state: State, params: Params) -> State:
    """SPK-REP-1: each spoke sends the hub a fresh report of every linked account that holds
    positions and is not liquidating; only that report is delivered."""
    for account in params.accounts:
        if state.hub.status[account].liquidating:
            continue
        for spoke in params.spokes:
            if (account, spoke.id) not in state.hub.linked:
                continue
            if not state.hub.reports[(account, spoke.id)].positions:
                continue
            after, outcome = step(state, SendReport(spoke=spoke.id, account=account))
            if outcome.status != "accepted":
                continue
            state = after
            for message in outcome.emitted:
                state = accepted(state, Deliver(message_id=message))
    return state


def deliver_recorded(
    state: State, params: Params, event: tuple[object, ...], reached: Counter[str]
) -> State:
    """One recorded delivery or settlement, checked against the model's."""
    kind, row = event[0], int(event[2])  # type: ignore[call-overload]
    account = params.accounts[row]
    if kind == "Settle":
        assert not state.hub.status[account].liquidating
        reached["settled"] += 1
        return state
    spoke = params.spokes[int(event[3])].id  # type: ignore[call-overload]
    if kind == "MarginCall":
        before = state.network.next_id
        state = accepted(state, Deliver(message_id=in_flight(state, "MarginCall", account, spoke)))
        answer = state.network.in_flight[before].payload
        assert (answer.released, answer.loss, answer.balance) == event[4:7]  # type: ignore[union-attr]
        reached["loss" if answer.loss else "no loss"] += 1  # type: ignore[union-attr]
        return state
    message = in_flight(state, "LiquidationReport", account, spoke)
    return accepted(state, Deliver(message_id=message))


def replay(
    params: Params, book: Portfolios, path: np.ndarray, result: PathResult
) -> tuple[State, Counter[str]]:
    """Replay the simulation's story through `step`; return the end state and what was reached."""
    assert result.events is not None
    state = opened(params, book, int(path[0]))
    reached: Counter[str] = Counter()
    for now, events in by_time(result.events):
        price = int(events[0][2])  # type: ignore[call-overload]
        state = at(state, params, now, price)
        declared = {params.accounts[int(e[2])] for e in events if e[0] == "Liquidate"}  # type: ignore[call-overload]
        state = keeper(state, params, declared, reached)
        for event in events[1:]:
            if event[0] != "Liquidate":
                state = at(state, params, int(event[1]), price)  # type: ignore[call-overload]
                state = deliver_recorded(state, params, event, reached)
    return state, reached


def story(
    seed: int, *, fund: int, staleness: int, gap: bool
) -> tuple[Params, Portfolios, np.ndarray]:
    """Eight accounts of every family; a crash over 30 minutes, or (`gap`) a 70% gap in one
    step with every spoke 60 s away, which leaves debt the collateral cannot pay."""
    base = example_params()
    spokes = (
        tuple(s.model_copy(update={"latency_s": 60}) for s in base.spokes) if gap else base.spokes
    )
    params = base.model_copy(
        update={
            "accounts": tuple(f"a{i}" for i in range(8)),
            "insurance_fund": (("USD", fund),),
            "spokes": spokes,
        }
    )
    book = generate(params, FAMILIES, 8, 2000, np.random.default_rng(seed))
    crash = (
        PathModel(crash_drop=0.7, crash_seconds=60)
        if gap
        else PathModel(crash_drop=0.6, crash_seconds=1800)
    )
    path = price_path(replace(crash, crash_at=0.2), 50, DT, np.random.default_rng(seed + 100))
    return params, book, path


@pytest.mark.parametrize(
    ("seed", "fund", "staleness", "gap"),
    [(1, 50_000, 0, False), (2, 300, 60, False), (3, 0, 120, False), (5, 300, 0, True)],
)
def test_the_simulation_decides_what_the_model_decides(
    seed: int, fund: int, staleness: int, gap: bool
) -> None:
    """STRESS-5, STRESS-4: same liquidations, same answers, same end ledger as `step`; the
    gap reaches bad debt, the insurance fund and socialization (HUB-LOSS-3, HUB-LOSS-4)."""
    params, book, path = story(seed, fund=fund, staleness=staleness, gap=gap)
    result = run_path(params, book.population, path, DT, staleness, underlying="ETH", record=True)
    state, reached = replay(params, book, path, result)
    assert result.events is not None
    _, collateral, insurance, owed, socialized, alloc = result.events[-1]
    assets = [a.id for a in params.assets]
    spokes = [s.id for s in params.spokes]
    assert collateral == [[state.hub.collateral[(a, x)] for x in assets] for a in params.accounts]
    assert alloc == [[state.hub.alloc[(a, s)] for s in spokes] for a in params.accounts]
    assert insurance == [state.hub.insurance[x] for x in assets]
    assert owed == [[state.hub.owed[(s, x)] for x in assets] for s in spokes]
    assert socialized == [state.hub.socialized[s] for s in spokes]
    assert reached["liquidated"] == result.liquidations > 0
    assert reached["healthy"] > 0 and reached["loss"] > 0 and reached["settled"] > 0
    if gap:
        assert result.bad_debt > result.insurance_draw > 0 and sum(result.socialized) > 0
