"""The state machine: honest users and an adversarial world driving the reference model.

Every rule is one move of someone in the story: a user deposits, a hub grants
credit, a trader trades on a spoke, a feed publishes, time passes, a keeper
liquidates, governance caps or pauses a spoke, the network delivers any message
in flight in any order (or withholds a spoke's messages for a while), replays a
delivered one, or carries a forged one; one spoke (`ADVERSARY`) may turn
malicious and send arbitrary well-formed payloads on its own channel.

Every model step goes through `apply`, which records (pre, action, post,
outcome), checks every invariant of `model.invariants.check_step`, then every
hook in `AFTER_STEP` (the differential checks plug in there), and fails naming
the invariant id.  `drain_fairly` is the propagation check (INV-LIQ-2).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar

from hypothesis import event
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.coverage import Coverage
from model.catalog import catalog
from model.invariants import check_step, quiescent_and_accounted, quiescent_despite_compromised
from model.liquidation import health_prices
from model.oracle import price_of
from model.risk import is_healthy, mark, reported_books
from model.state import State, initial_state
from model.step import step
from spec.actions import (
    Action,
    AdvanceTime,
    Deliver,
    Deposit,
    GrantCredit,
    Inject,
    Liquidate,
    PauseSpoke,
    PublishPrice,
    ReleaseCredit,
    SendReport,
    SetCap,
    Trade,
    UnpauseSpoke,
    Withdraw,
)
from spec.bounds import HUB
from spec.messages import LiquidationReport, LossClaim, Message
from spec.outcome import Outcome
from spec.params import Params
from spec.trace import TraceStep

AfterStep = Callable[[State, Action, State, Outcome], str | None]

AFTER_STEP: list[AfterStep] = []
"""Extra checks run after every step, after the model's invariants.  A hook returns None
when it holds or one line saying what broke; its id is its `invariant_id` attribute if
it has one, else `HOOK:<name>`."""


@contextmanager
def hooked(*hooks: AfterStep) -> Iterator[None]:
    """Run the machine with extra after-step hooks for the duration of the block."""
    AFTER_STEP.extend(hooks)
    try:
        yield
    finally:
        for hook in hooks:
            AFTER_STEP.remove(hook)


MODEL_CRASH = "MODEL-CRASH"
"""The id a failure gets when `model.step` raises instead of returning an outcome."""


def hook_id(hook: AfterStep) -> str:
    found = getattr(hook, "invariant_id", None)
    return found if isinstance(found, str) else f"HOOK:{getattr(hook, '__name__', 'hook')}"


@dataclass(frozen=True)
class Failure:
    """A broken invariant and the run of steps that broke it (the last step did)."""

    invariant: str
    message: str
    broken: tuple[tuple[str, str], ...]
    params: Params
    steps: tuple[TraceStep, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i for i, _ in self.broken)


class InvariantBroken(AssertionError):
    """Raised by the machine when a step breaks an invariant."""

    def __init__(self, failure: Failure) -> None:
        last = failure.steps[-1].action if failure.steps else None
        others = ", ".join(i for i, _ in failure.broken[1:])
        also = f" (also broken: {others})" if others else ""
        super().__init__(
            f"{failure.invariant} broken at step {len(failure.steps)} by {last!r}: "
            f"{failure.message}{also}"
        )
        self.failure = failure


@dataclass
class Run:
    """What the machines of one Hypothesis run share: the coverage tally, the failures
    seen (the last one is from Hypothesis's final, shrunk replay), an optional callback
    after each example, and the error the run ended with."""

    coverage: Coverage = field(default_factory=Coverage)
    failures: list[Failure] = field(default_factory=list)
    final: Failure | None = None
    on_example: Callable[["MarginMachine"], None] | None = None
    error: Exception | None = None

    @property
    def failure(self) -> Failure | None:
        """The failure to report: the final replay's, else the last one seen."""
        if self.final is not None:
            return self.final
        return self.failures[-1] if self.failures else None


P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound="MarginMachine")


def counted(fn: Callable[Concatenate[M, P], R]) -> Callable[Concatenate[M, P], R]:
    """Tally the rule in the run's coverage each time it runs."""

    def wrapper(self: M, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.run.coverage.record_rule(fn.__name__)
        return fn(self, *args, **kwargs)

    update_wrapper(wrapper, fn)
    return wrapper


def in_build() -> bool:
    """True inside the final (reported) replay of a Hypothesis example."""
    try:
        return bool(current_build_context().is_final)
    except InvalidArgument:
        return False


class MarginMachine(RuleBasedStateMachine):
    """Honest and adversarial runs of the reference model."""

    def __init__(self, run: Run | None = None, params: Params = fz.PARAMS) -> None:
        super().__init__()
        self.run = run if run is not None else Run()
        self.params = params
        self.state = initial_state(params)
        self.steps: list[TraceStep] = []
        self.withheld: frozenset[str] = frozenset()
        self.level = fz.START_PRICE
        self.run.coverage.runs += 1

    # --- stepping and checking ---------------------------------------------------

    def apply(self, action: Action) -> Outcome:
        """One model step, recorded and checked."""
        pre = self.state
        try:
            post, outcome = step(pre, action)
        except Exception as e:
            self.steps.append(TraceStep(action=action))
            self.fail(((MODEL_CRASH, f"model.step raised {e!r}"),))
            raise AssertionError("unreachable") from e
        self.state = post
        self.steps.append(TraceStep(action=action, outcome=outcome))
        self.run.coverage.record_step(pre, action, post, outcome)
        broken = check_step(pre, action, post, outcome)
        for hook in AFTER_STEP:
            message = hook(pre, action, post, outcome)
            if message is not None:
                broken.append((hook_id(hook), message))
        if broken:
            self.fail(tuple(broken))
        return outcome

    def fail(self, broken: tuple[tuple[str, str], ...]) -> None:
        invariant, message = broken[0]
        failure = Failure(invariant, message, broken, self.params, tuple(self.steps))
        self.run.failures.append(failure)
        if in_build():
            self.run.final = failure
        raise InvariantBroken(failure)

    def teardown(self) -> None:
        if self.run.on_example is not None:
            self.run.on_example(self)

    # --- what the machine can see ----------------------------------------------------

    def deliverable(self) -> list[int]:
        """Messages in flight the network is not withholding."""
        return sorted(
            mid
            for mid, env in self.state.network.in_flight.items()
            if env.sender not in self.withheld and env.receiver not in self.withheld
        )

    def has_deliverable(self) -> bool:
        return bool(self.deliverable())

    def has_delivered(self) -> bool:
        return bool(self.state.network.delivered)

    def has_position(self) -> bool:
        return any(acct.positions for acct in self.state.spokes.values())

    def mark_of(self, market_id: str) -> int:
        """The market's mark at the oracle's price, or at the last level set if none."""
        market = catalog(self.params).markets[market_id]
        price = price_of(self.state, market.underlying)
        return mark(
            self.params, market, self.level if price is None else price, self.state.oracle.now
        )

    def publish_everywhere(self, price: int) -> None:
        for feed in fz.FEED_IDS:
            self.apply(PublishPrice(feed=feed, price=price))

    # --- the world starts --------------------------------------------------------------

    @initialize(funding=st.lists(fz.funding, min_size=3, max_size=3))
    @counted
    def open_market(self, funding: list[tuple[str, int]]) -> None:
        """Every feed quotes the start price; each account deposits some USD or ETH."""
        self.publish_everywhere(fz.START_PRICE)
        for account, (asset, amount) in zip(fz.ACCOUNT_IDS, funding, strict=False):
            if amount:
                self.apply(Deposit(account=account, asset=asset, amount=amount))

    # --- users at the hub --------------------------------------------------------------

    @rule(account=fz.accounts, holding=fz.deposits)
    @counted
    def deposit(self, account: str, holding: tuple[str, int]) -> None:
        self.apply(Deposit(account=account, asset=holding[0], amount=holding[1]))

    @rule(account=fz.accounts, holding=fz.withdrawals)
    @counted
    def withdraw(self, account: str, holding: tuple[str, int]) -> None:
        self.apply(Withdraw(account=account, asset=holding[0], amount=holding[1]))

    @rule(account=fz.accounts, spoke=fz.spokes, amount=fz.credit)
    @counted
    def grant_credit(self, account: str, spoke: str, amount: int) -> None:
        self.apply(GrantCredit(account=account, spoke=spoke, amount=amount))

    # --- traders on spokes -------------------------------------------------------------

    @rule(spoke=fz.spokes, account=fz.accounts, share=st.sampled_from((1, 2, 0)))
    @counted
    def release_credit(self, spoke: str, account: str, share: int) -> None:
        """Give back all of the line, half of it, or more than it holds (share 0)."""
        line = self.state.spokes[(spoke, account)].line
        amount = max(line // share, 1) if share else line + 100
        self.apply(ReleaseCredit(spoke=spoke, account=account, amount=amount))

    @rule(
        spoke=fz.spokes,
        account=fz.accounts,
        market=fz.markets,
        qty=fz.quantities,
        slip=fz.slippage,
    )
    @counted
    def trade(self, spoke: str, account: str, market: str, qty: int, slip: int) -> None:
        price = max(self.mark_of(market) + slip, 0)
        self.apply(Trade(spoke=spoke, account=account, market=market, qty=qty, price=price))

    @precondition(has_position)
    @rule(data=st.data(), whole=st.booleans())
    @counted
    def close_position(self, data: st.DataObject, whole: bool) -> None:
        """A risk-reducing trade: close all or one lot of an open position at the mark."""
        open_positions = sorted(
            (spoke, account, market, pos.qty)
            for (spoke, account), acct in self.state.spokes.items()
            for market, pos in acct.positions.items()
        )
        spoke, account, market, qty = data.draw(st.sampled_from(open_positions))
        size = -qty if whole else (-1 if qty > 0 else 1)
        price = self.mark_of(market)
        self.apply(Trade(spoke=spoke, account=account, market=market, qty=size, price=price))

    @rule(account=fz.accounts, spoke=fz.spokes, amount=fz.credit, lots=fz.lots)
    @counted
    def lever_up(self, account: str, spoke: str, amount: int, lots: int) -> None:
        """A trader's usual round: the hub grants credit, the grant arrives, the trader goes
        long perpetuals at the mark, the report arrives (each a model step of its own)."""
        granted = self.apply(GrantCredit(account=account, spoke=spoke, amount=amount))
        if granted.accepted and spoke not in self.withheld:
            self.apply(Deliver(message_id=granted.emitted[-1]))
        market = fz.MARKET_IDS[0]
        price = self.mark_of(market)
        traded = self.apply(
            Trade(spoke=spoke, account=account, market=market, qty=lots, price=price)
        )
        if traded.accepted and spoke not in self.withheld:
            self.apply(Deliver(message_id=traded.emitted[-1]))

    @rule(spoke=fz.spokes, account=fz.accounts)
    @counted
    def send_report(self, spoke: str, account: str) -> None:
        self.apply(SendReport(spoke=spoke, account=account))

    # --- the oracle and time -------------------------------------------------------------

    @rule(feed=fz.feeds, price=st.one_of(fz.prices, fz.outlier_prices))
    @counted
    def publish_quote(self, feed: str, price: int) -> None:
        """One feed moves alone: an outlier, or the first of a move."""
        self.apply(PublishPrice(feed=feed, price=price))

    @rule(price=fz.prices)
    @counted
    def move_market(self, price: int) -> None:
        """Every feed agrees on a new price: a jump large enough to liquidate levered accounts."""
        self.level = price
        self.publish_everywhere(price)

    @rule(seconds=fz.seconds)
    @counted
    def advance_time(self, seconds: int) -> None:
        """Time passes; past max_age every quote is stale and prices fail closed."""
        self.apply(AdvanceTime(seconds=seconds))

    def aged_books(self) -> list[str]:
        """Accounts with positions reported by a spoke they use (what RISK-AGE-4 judges)."""
        return [a for a in self.params.accounts if any(reported_books(self.state, a).values())]

    def has_aged_book(self) -> bool:
        return bool(self.aged_books())

    @precondition(has_aged_book)
    @rule(data=st.data(), grant=st.booleans())
    @counted
    def spokes_fall_silent(self, data: st.DataObject, grant: bool) -> None:
        """RISK-AGE-4: no spoke reports for longer than the bound, then prices are fresh
        again; a grant or a withdrawal for an account with reported positions fails closed
        REPORT_TOO_OLD (unless an earlier guard decides first)."""
        self.apply(AdvanceTime(seconds=self.params.max_report_age_s + 1))
        self.publish_everywhere(self.level)
        account = data.draw(st.sampled_from(self.aged_books()))
        if grant:
            spoke = data.draw(fz.spokes)
            outcome = self.apply(GrantCredit(account=account, spoke=spoke, amount=100))
        else:
            outcome = self.apply(Withdraw(account=account, asset="USD", amount=1))
        event(f"after silence: {outcome.error or 'accepted'}")

    # --- keepers and governance --------------------------------------------------------

    def unhealthy(self) -> list[str]:
        """Accounts the hub would find unhealthy now (with the prices to tell)."""
        found = []
        for account in self.params.accounts:
            prices = health_prices(self.state, account)
            if prices is not None and not is_healthy(self.state, account, prices):
                found.append(account)
        return found

    def has_unhealthy(self) -> bool:
        return bool(self.unhealthy())

    @precondition(has_unhealthy)
    @rule(data=st.data())
    @counted
    def keeper_liquidates(self, data: st.DataObject) -> None:
        """A keeper watching the hub liquidates an account it finds unhealthy."""
        self.apply(Liquidate(account=data.draw(st.sampled_from(self.unhealthy()))))

    @rule(account=fz.accounts)
    @counted
    def liquidate(self, account: str) -> None:
        self.apply(Liquidate(account=account))

    @rule(spoke=fz.spokes, cap=fz.caps)
    @counted
    def set_cap(self, spoke: str, cap: int) -> None:
        self.apply(SetCap(spoke=spoke, cap=cap))

    @rule(spoke=fz.spokes)
    @counted
    def pause_spoke(self, spoke: str) -> None:
        self.apply(PauseSpoke(spoke=spoke))

    @rule(spoke=fz.spokes)
    @counted
    def unpause_spoke(self, spoke: str) -> None:
        self.apply(UnpauseSpoke(spoke=spoke))

    @rule(action=fz.bad_inputs)
    @counted
    def bad_input(self, action: Action) -> None:
        """An action naming an undeclared id or an out-of-bounds amount (ERR-2)."""
        self.apply(action)

    # --- the network ---------------------------------------------------------------------

    @precondition(has_deliverable)
    @rule(data=st.data())
    @counted
    def deliver(self, data: st.DataObject) -> None:
        """Any message in flight and not withheld, in any order (MSG-10)."""
        self.apply(Deliver(message_id=data.draw(st.sampled_from(self.deliverable()))))

    @precondition(has_delivered)
    @rule(data=st.data())
    @counted
    def replay(self, data: st.DataObject) -> None:
        """A delivered message delivered again (INV-AMO-1)."""
        delivered = sorted(self.state.network.delivered)
        self.apply(Deliver(message_id=data.draw(st.sampled_from(delivered))))

    @rule(offset=st.integers(min_value=0, max_value=2))
    @counted
    def deliver_unknown(self, offset: int) -> None:
        """An id never issued."""
        self.apply(Deliver(message_id=self.state.network.next_id + offset))

    @rule(spoke=fz.spokes)
    @counted
    def toggle_withholding(self, spoke: str) -> None:
        """Start or stop withholding every message to or from a spoke (a halted chain)."""
        self.withheld = self.withheld ^ {spoke}

    @rule(injection=fz.forged_injections())
    @counted
    def forge(self, injection: tuple[str, str, Message]) -> None:
        """A message with the wrong sender for its channel (MSG-6)."""
        sender, receiver, payload = injection
        self.apply(Inject(sender=sender, receiver=receiver, payload=payload))

    @rule(payload=fz.spoke_payloads)
    @counted
    def malicious_spoke(self, payload: Message) -> None:
        """The adversary's spoke sends whatever it likes on its own channel (ADV-2)."""
        self.apply(Inject(sender=fz.ADVERSARY, receiver=HUB, payload=payload))

    def adversary_allocated(self) -> list[str]:
        return [a for a in self.params.accounts if self.state.hub.alloc[(a, fz.ADVERSARY)]]

    def adversary_has_allocation(self) -> bool:
        return bool(self.adversary_allocated())

    @precondition(adversary_has_allocation)
    @rule(data=st.data(), extra=st.sampled_from((0, 1)))
    @counted
    def adversary_claims_allocation(self, data: st.DataObject, extra: int) -> None:
        """The adversary's spoke claims a loss of all it was allocated for an account (or one
        more): the most a compromised spoke may take (INV-PART-2)."""
        account = data.draw(st.sampled_from(self.adversary_allocated()))
        amount = self.state.hub.alloc[(account, fz.ADVERSARY)] + extra
        claim = LossClaim(account=account, amount=amount)
        self.apply(Inject(sender=fz.ADVERSARY, receiver=HUB, payload=claim))

    def worth_draining(self) -> bool:
        """Something to propagate: a liquidation running, or a few messages in flight."""
        liquidating = any(s.liquidating for s in self.state.hub.status.values())
        return liquidating or len(self.state.network.in_flight) >= 4

    def liquidating(self) -> list[str]:
        return [a for a, s in self.state.hub.status.items() if s.liquidating]

    def has_liquidating(self) -> bool:
        return bool(self.liquidating())

    @precondition(has_liquidating)
    @rule(
        data=st.data(),
        shift=st.sampled_from((0, -1, 1)),
        released=st.sampled_from((0, 100)),
        loss=st.sampled_from((0, 1_000)),
    )
    @counted
    def adversary_answers_call(
        self, data: st.DataObject, shift: int, released: int, loss: int
    ) -> None:
        """The adversary's spoke answers a margin call its own way: for the current epoch,
        a past or a future one, releasing and claiming what it likes (LIQ-3..LIQ-5)."""
        account = data.draw(st.sampled_from(self.liquidating()))
        epoch = max(self.state.hub.status[account].epoch + shift, 0)
        answer = LiquidationReport(
            account=account, epoch=epoch, seq=0, released=released, loss=loss, balance=0
        )
        self.apply(Inject(sender=fz.ADVERSARY, receiver=HUB, payload=answer))

    @rule(account=fz.accounts, spoke=fz.spokes, lots=fz.lots)
    @counted
    def wrong_way_crash(self, account: str, spoke: str, lots: int) -> None:
        """The classic source of bad debt: an account backed by ETH goes long ETH on a spoke,
        then ETH crashes, cutting its collateral and its position at once; a keeper
        liquidates.  Each step is a model step; the network delivers the rest later."""
        self.publish_everywhere(fz.START_PRICE)
        self.apply(Deposit(account=account, asset="ETH", amount=2))
        self.lever_up.__wrapped__(self, account, spoke, 2_000, lots)  # type: ignore[attr-defined]
        self.level = fz.PRICE_LEVELS[0]
        self.publish_everywhere(self.level)
        self.apply(Liquidate(account=account))

    @precondition(worth_draining)
    @rule(data=st.data())
    @counted
    def drain_fairly(self, data: st.DataObject) -> None:
        """INV-LIQ-2: with fresh prices, no pause and nothing withheld, deliver everything
        in a drawn order; then no liquidation is running (but one waiting only on a
        compromised spoke, which can spoil its answer) and every honest spoke holds
        exactly the exposure and credit the hub accounts for."""
        self.withheld = frozenset()
        for spoke in sorted(self.state.hub.paused):
            self.apply(UnpauseSpoke(spoke=spoke))
        self.publish_everywhere(self.level)
        bound = 2 * len(self.state.network.in_flight) + 2 * len(fz.SPOKE_IDS) + 4
        for _ in range(bound):
            pending = sorted(self.state.network.in_flight)
            if not pending:
                break
            outcome = self.apply(Deliver(message_id=data.draw(st.sampled_from(pending))))
            if outcome.status == "rejected":
                self.fail(
                    (("INV-LIQ-2", f"delivery rejected with {outcome.error} in a fair drain"),)
                )
        if self.state.network.in_flight:
            left = sorted(self.state.network.in_flight)
            self.fail((("INV-LIQ-2", f"messages {left} still in flight after {bound} rounds"),))
        if self.state.ghost.compromised:
            message = quiescent_despite_compromised(self.state)
        else:
            message = quiescent_and_accounted(self.state)
        if message is not None:
            self.fail((("INV-LIQ-2", message),))


RULE_NAMES = (
    "open_market",
    *sorted(r.function.__name__ for r in MarginMachine.setup_state().rules),
)
"""Every rule of the machine (the initializer included), for the coverage report."""


def run_machine(config: Settings, *, seed: int | None = None, run: Run | None = None) -> Run:
    """Run the machine under `config` (and `seed`, unless the profile derandomizes).

    Never raises for a failing run: the error Hypothesis ended with is in
    `run.error` and the (shrunk) failure in `run.failure`.
    """
    run = run if run is not None else Run()

    def factory() -> MarginMachine:
        return MarginMachine(run)

    if seed is not None:
        factory._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    try:
        # Hypothesis accepts any factory returning a machine; its stub says `type`.
        run_state_machine_as_test(factory, settings=config)  # type: ignore[arg-type]
    except Exception as e:
        run.error = e
    return run
