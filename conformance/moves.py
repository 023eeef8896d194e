"""The moves of a conformance campaign and of the seeded random vectors: one action each.

Every move is one action of someone in the story (a user, a trader, a feed, a keeper,
governance, the network, the adversary), drawn from the fuzzer's strategies
(`intermargin.fuzzing.strategies`) so that values collide: caps fill, capacity runs
out, prices jump far enough to liquidate.  A few moves are a short routine of several
actions, as the fuzzer's rules are (every feed quoting a new price; a trader's round of
grant, delivery, trade and report), so that a random run reaches a levered account in a
few moves and a shrunk divergence stays short.  Each move needs the chapters of the action
kinds it makes (CONF-5), so a campaign against a build that declares some chapters only
draws their moves.  A move sees the reference state (what is in flight, who holds
positions), never the build's.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from hypothesis import strategies as st

from intermargin.fuzzing import strategies as fz
from model.catalog import catalog
from model.oracle import price_of
from model.state import State
from model.valuation import mark
from spec.actions import (
    Action,
    AdvanceTime,
    DelistSpoke,
    Deliver,
    Deposit,
    ForceSettle,
    GrantCredit,
    Halt,
    Inject,
    Liquidate,
    ListSpoke,
    PauseSpoke,
    PayOut,
    PublishPrice,
    ReleaseCredit,
    RemoveSpoke,
    Reorg,
    Resume,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import HUB, MAX_AMOUNT
from spec.chapters import CHAPTER_OF, Chapter
from spec.messages import ExposureReport, LossClaim

accounts = st.sampled_from(("alice", "alice", "alice", "bob", "carol"))
"""Mostly one account, so that a run's deposits, prices, grants and trades meet on it."""
spokes = st.sampled_from(("arb", "sol", "arb", "sol", "base"))
"""Mostly an honest spoke or the adversary's (`sol`, whose pause and allocation its
injections meet), sometimes the third (a cap spans spokes)."""

Draw = Callable[[st.DrawFn, State], Action | tuple[Action, ...]]
T = TypeVar("T")


@lru_cache(maxsize=1024)
def among(values: tuple[T, ...]) -> st.SearchStrategy[T]:
    """`st.sampled_from(values)`, built once per tuple of values: a campaign draws from the
    same few sets (messages in flight, open positions) over and over, and building a
    strategy costs more than drawing from it."""
    return st.sampled_from(values)


SHARES = st.sampled_from((1, 2, 0))
ORDERS = st.one_of(fz.quantities, fz.lots)
QUOTES = st.one_of(fz.prices, fz.outlier_prices)
FORGED = fz.forged_injections()
MESSAGE_OFFSETS = st.integers(min_value=0, max_value=2)


@dataclass(frozen=True)
class Move:
    """A kind of step: its chapter, when it can be taken, and how its action is drawn (or
    its actions, for a routine, whose other chapters are `also`)."""

    name: str
    chapter: Chapter
    draw: Draw
    enabled: Callable[[State], bool] = lambda state: True
    also: tuple[Chapter, ...] = ()


def deposit(draw: st.DrawFn, state: State) -> Action:
    asset, amount = draw(fz.deposits)
    return Deposit(account=draw(accounts), asset=asset, amount=amount)


def withdraw(draw: st.DrawFn, state: State) -> Action:
    asset, amount = draw(fz.withdrawals)
    return Withdraw(account=draw(accounts), asset=asset, amount=amount)


def grant(draw: st.DrawFn, state: State) -> Action:
    return GrantCredit(account=draw(accounts), spoke=draw(spokes), amount=draw(fz.credit))


def release(draw: st.DrawFn, state: State) -> Action:
    """All of the line, half of it, or more than it holds."""
    spoke, account = draw(spokes), draw(accounts)
    line = state.spokes[(spoke, account)].line
    share = draw(SHARES)
    amount = max(line // share, 1) if share else line + 100
    return ReleaseCredit(spoke=spoke, account=account, amount=amount)


def report(draw: st.DrawFn, state: State) -> Action:
    return SendReport(spoke=draw(spokes), account=draw(accounts))


def mark_of(state: State, market_id: str) -> int:
    """The market's mark at the oracle's price, or at the fuzzer's start price if none."""
    market = catalog(state.params).markets[market_id]
    price = price_of(state, market.underlying)
    return mark(state.params, market, fz.START_PRICE if price is None else price, state.oracle.now)


def trade(draw: st.DrawFn, state: State) -> Action:
    market = draw(fz.markets)
    price = max(mark_of(state, market) + draw(fz.slippage), 0)
    qty = draw(ORDERS)
    return Trade(
        spoke=draw(spokes),
        account=draw(accounts),
        market=market,
        qty=qty,
        price=price,
    )


def has_position(state: State) -> bool:
    return any(acct.positions for acct in state.spokes.values())


def close(draw: st.DrawFn, state: State) -> Action:
    """A risk-reducing trade: all or one lot of an open position, at the mark."""
    open_positions = tuple(
        sorted(
            (spoke, account, market, pos.qty)
            for (spoke, account), acct in state.spokes.items()
            for market, pos in acct.positions.items()
        )
    )
    spoke, account, market, qty = draw(among(open_positions))
    size = -qty if draw(st.booleans()) else (-1 if qty > 0 else 1)
    return Trade(
        spoke=spoke, account=account, market=market, qty=size, price=mark_of(state, market)
    )


def publish(draw: st.DrawFn, state: State) -> Action:
    price = draw(QUOTES)
    return PublishPrice(feed=draw(fz.feeds), price=price)


def advance(draw: st.DrawFn, state: State) -> Action:
    return AdvanceTime(seconds=draw(fz.seconds))


def move_market(draw: st.DrawFn, state: State) -> tuple[Action, ...]:
    """Every feed quotes the same new price: a jump large enough to liquidate."""
    price = draw(fz.prices)
    return tuple(PublishPrice(feed=f, price=price) for f in fz.FEED_IDS)


def lever_up(draw: st.DrawFn, state: State) -> tuple[Action, ...]:
    """A trader's round: the hub grants credit, the grant arrives, the trader goes long
    perpetuals at the mark, the report arrives.  The ids delivered are those the grant and
    the report get if both are accepted (MSG-9)."""
    account, spoke = draw(accounts), draw(spokes)
    amount, lots = draw(fz.credit), draw(fz.lots)
    first = state.network.next_id
    market = fz.MARKET_IDS[0]
    return (
        GrantCredit(account=account, spoke=spoke, amount=amount),
        Deliver(message_id=first),
        Trade(spoke=spoke, account=account, market=market, qty=lots, price=mark_of(state, market)),
        Deliver(message_id=first + 1),
    )


def pay_out(draw: st.DrawFn, state: State) -> Action:
    """FLOW-PAY-1..3: all, half of or one more than what the hub owes a partition."""
    owed = tuple(sorted(k for k, v in state.hub.owed.items() if v)) or (("arb", "USD"),)
    spoke, asset = draw(among(owed))
    pool = state.hub.owed[(spoke, asset)]
    share = draw(among((1, 2, 0)))
    return PayOut(spoke=spoke, asset=asset, amount=max(pool // share, 1) if share else pool + 1)


def liquidate(draw: st.DrawFn, state: State) -> Action:
    return Liquidate(account=draw(accounts))


def set_cap(draw: st.DrawFn, state: State) -> Action:
    return SetCap(spoke=draw(spokes), cap=draw(fz.caps))


def pause(draw: st.DrawFn, state: State) -> Action:
    return PauseSpoke(spoke=draw(spokes))


def unpause(draw: st.DrawFn, state: State) -> Action:
    return UnpauseSpoke(spoke=draw(spokes))


def list_spoke(draw: st.DrawFn, state: State) -> Action:
    return ListSpoke(spoke=draw(spokes))


def delist(draw: st.DrawFn, state: State) -> Action:
    return DelistSpoke(spoke=draw(spokes))


def halt(draw: st.DrawFn, state: State) -> Action:
    return Halt(spoke=draw(spokes))


def resume(draw: st.DrawFn, state: State) -> Action:
    return Resume(spoke=draw(spokes))


def reorg(draw: st.DrawFn, state: State) -> Action:
    """FIN-5, FIN-8: a reorg of a spoke, mostly within its finality bound."""
    spoke = draw(spokes)
    finality = catalog(state.params).spokes[spoke].finality_s
    depth = draw(st.sampled_from((1, max(finality, 1), finality + 1)))
    return Reorg(spoke=spoke, depth=depth)


def remove(draw: st.DrawFn, state: State) -> Action:
    return RemoveSpoke(spoke=draw(spokes))


def in_flight(state: State) -> bool:
    return bool(state.network.in_flight)


def delivered(state: State) -> bool:
    return bool(state.network.delivered)


def deliver(draw: st.DrawFn, state: State) -> Action:
    """Any message in flight, in any order (reordering and delay are this choice, MSG-14)."""
    return Deliver(message_id=draw(among(tuple(sorted(state.network.in_flight)))))


def replay(draw: st.DrawFn, state: State) -> Action:
    """A delivered message delivered again (INV-AMO-1)."""
    return Deliver(message_id=draw(among(tuple(sorted(state.network.delivered)))))


def unknown_message(draw: st.DrawFn, state: State) -> Action:
    offset = draw(MESSAGE_OFFSETS)
    return Deliver(message_id=state.network.next_id + offset)


def forge(draw: st.DrawFn, state: State) -> Action:
    sender, receiver, payload = draw(FORGED)
    return Inject(sender=sender, receiver=receiver, payload=payload)


def malicious(draw: st.DrawFn, state: State) -> Action:
    return Inject(sender=fz.ADVERSARY, receiver=HUB, payload=draw(fz.spoke_payloads))


def adversary_allocated(state: State) -> list[str]:
    return [a for a in state.params.accounts if state.hub.alloc[(a, fz.ADVERSARY)]]


def claim_allocation(draw: st.DrawFn, state: State) -> Action:
    """The compromised spoke claims all it was allocated for an account, or one more."""
    account = draw(among(tuple(adversary_allocated(state))))
    amount = state.hub.alloc[(account, fz.ADVERSARY)] + draw(among((0, 1)))
    return Inject(
        sender=fz.ADVERSARY, receiver=HUB, payload=LossClaim(account=account, amount=amount)
    )


def force_settle(draw: st.DrawFn, state: State) -> Action:
    """LIVE-2: a keeper force-settles whenever it likes."""
    return ForceSettle(account=draw(accounts))


def liquidating(state: State) -> bool:
    return any(s.liquidating for s in state.hub.status.values())


def wait_out_the_deadline(draw: st.DrawFn, state: State) -> tuple[Action, ...]:
    """LIVE-1..LIVE-3: time passes a running liquidation's deadline, and a keeper settles."""
    account = draw(among(tuple(a for a, s in state.hub.status.items() if s.liquidating)))
    wait = max(state.hub.status[account].deadline - state.oracle.now, 1)
    return (AdvanceTime(seconds=wait), ForceSettle(account=account))


def stranded_liquidation(draw: st.DrawFn, state: State) -> tuple[Action, ...]:
    """LIVE-2: the shortest way into a liquidation a keeper may want to cut short: an account
    backs a little credit on the adversary's spoke, which reports a loss far beyond it; the
    account is liquidated, and a keeper force-settles at once (refused: the deadline)."""
    account = draw(accounts)
    seq = state.hub.reports[(account, fz.ADVERSARY)].seq + 1
    loss = ExposureReport(account=account, seq=seq, balance=-10_000, positions=())
    return (
        Deposit(account=account, asset="USD", amount=100),
        GrantCredit(account=account, spoke=fz.ADVERSARY, amount=50),
        Inject(sender=fz.ADVERSARY, receiver=HUB, payload=loss),
        Liquidate(account=account),
        ForceSettle(account=account),
    )


BAD_INPUTS: tuple[Action, ...] = (
    Deposit(account="mallory", asset="USD", amount=1),
    GrantCredit(account="alice", spoke="moon", amount=1),
    Withdraw(account="bob", asset="DOGE", amount=1),
    Deposit(account="carol", asset="USD", amount=MAX_AMOUNT),
    Trade(spoke="arb", account="alice", market="BTC-PERP", qty=1, price=1),
    Trade(spoke="base", account="bob", market="ETH-PERP", qty=0, price=2_000),
    PublishPrice(feed="nobody", price=1),
    ReleaseCredit(spoke="moon", account="alice", amount=1),
    SendReport(spoke="sol", account="mallory"),
    SetCap(spoke="moon", cap=1),
    PayOut(spoke="moon", asset="USD", amount=1),
    DelistSpoke(spoke="moon"),
)
"""Actions naming an undeclared id or an amount out of bounds (ERR-2), the values of the
fuzzer's `bad_inputs`, as a table so that each chapter draws only its own."""


def bad_input(chapter: Chapter) -> Draw:
    """An action of this chapter naming an undeclared id or an amount out of bounds."""
    of_chapter = st.sampled_from([a for a in BAD_INPUTS if CHAPTER_OF[a.type] == chapter])

    def bad(draw: st.DrawFn, state: State) -> Action:
        return draw(of_chapter)

    return bad


MOVES: tuple[Move, ...] = (
    Move("deposit", "hub", deposit),
    Move("withdraw", "hub", withdraw),
    Move("grant", "hub", grant),
    Move("bad hub input", "hub", bad_input("hub")),
    Move("pay out", "hub", pay_out),
    Move("release", "spokes", release),
    Move("report", "spokes", report),
    Move("bad spoke input", "spokes", bad_input("spokes")),
    Move("trade", "risk", trade),
    Move("close", "risk", close, has_position),
    Move("lever up", "risk", lever_up, also=("hub", "messaging")),
    Move("bad trade", "risk", bad_input("risk")),
    Move("publish", "oracle", publish),
    Move("advance", "oracle", advance),
    Move("move market", "oracle", move_market),
    Move("bad feed", "oracle", bad_input("oracle")),
    Move("liquidate", "liquidation", liquidate),
    Move("set cap", "governance", set_cap),
    Move("pause", "governance", pause),
    Move("unpause", "governance", unpause),
    Move("bad governance input", "governance", bad_input("governance")),
    Move("list", "listing", list_spoke),
    Move("delist", "listing", delist),
    Move("remove", "listing", remove),
    Move("bad listing input", "listing", bad_input("listing")),
    Move("deliver", "messaging", deliver, in_flight),
    Move("deliver in order", "messaging", deliver, in_flight),
    Move("replay", "messaging", replay, delivered),
    Move("unknown message", "messaging", unknown_message),
    Move("forge", "adversary", forge),
    Move("malicious spoke", "adversary", malicious),
    Move("claim allocation", "adversary", claim_allocation, lambda s: bool(adversary_allocated(s))),
    Move("halt", "finality", halt),
    Move("resume", "finality", resume),
    Move("reorg", "finality", reorg),
    Move("force settle", "liveness", force_settle),
    Move("wait out the deadline", "liveness", wait_out_the_deadline, liquidating, ("oracle",)),
    Move(
        "stranded liquidation",
        "liveness",
        stranded_liquidation,
        also=("hub", "adversary", "liquidation"),
    ),
)


def moves_for(chapters: Collection[str]) -> tuple[Move, ...]:
    """The moves of the declared chapters (CONF-5)."""
    return tuple(m for m in MOVES if m.chapter in chapters and all(c in chapters for c in m.also))


@st.composite
def one_step(draw: st.DrawFn, state: State, moves: tuple[Move, ...]) -> tuple[Action, ...]:
    """One move's actions: a move, then its arguments; none if the move cannot be taken in
    `state`.

    The choice of move never depends on the state, and each move is one Hypothesis
    strategy, so that while shrinking Hypothesis can delete a whole move without changing
    what the later choices mean.  A routine's later actions are computed from the state
    before it (the harness applies them one by one).
    """
    return draw_step(draw, state, moves)


def draw_step(draw: st.DrawFn, state: State, moves: tuple[Move, ...]) -> tuple[Action, ...]:
    """`one_step`'s draws, made with the `draw` of an enclosing strategy (a campaign draws a
    whole run in one strategy: one Hypothesis draw per step costs more than the step)."""
    move = draw(among(moves))
    if not move.enabled(state):
        return ()
    drawn = move.draw(draw, state)
    return drawn if isinstance(drawn, tuple) else (drawn,)
