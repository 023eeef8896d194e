"""A state machine whose every model step is recorded and checked.

Every model step goes through `apply`, which records (pre, action, post, outcome),
checks every invariant of `model.invariants.check_step` (the state invariants only on a
state not already checked: a refused step returns the very state it was given), then
every after-step hook of the run, and fails naming the invariant id and the step.  `Run` is
what the machines of one Hypothesis run share: hooks, coverage, failures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar

from hypothesis.stateful import (
    RuleBasedStateMachine,
)

from intermargin.describe import describe_action
from intermargin.fuzzing import strategies as fz
from intermargin.fuzzing.coverage import Coverage
from model.catalog import catalog
from model.invariants import broken_step_invariants, check_state
from model.oracle import price_of
from model.state import State, initial_state
from model.step import step
from model.valuation import mark
from spec.actions import (
    Action,
    Deliver,
    GrantCredit,
    PublishPrice,
    Trade,
)
from spec.outcome import Outcome
from spec.params import Params
from spec.trace import TraceStep

AfterStep = Callable[[State, Action, State, Outcome], str | None]
"""An extra check run after every step, after the model's invariants: None when it holds
or one line saying what broke; its id is its `invariant_id` attribute if it has one, else
`HOOK:<name>`.  A run's hooks are `Run.hooks`."""


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

    def __init__(self, failure: Failure, before: State | None = None) -> None:
        """`before` is the state before the last step (a delivery is described by what it
        carries)."""
        last = failure.steps[-1].action if failure.steps else None
        by = "nothing" if last is None else describe_action(last, before)
        others = ", ".join(i for i, _ in failure.broken[1:])
        also = f" (also broken: {others})" if others else ""
        super().__init__(
            f"{failure.invariant} broken at step {len(failure.steps)} by {by}: "
            f"{failure.message}{also}"
        )
        self.failure = failure


@dataclass
class Run:
    """What the machines of one Hypothesis run share: the after-step hooks, the coverage
    tally, the failures seen (the last one is from Hypothesis's final, shrunk replay), an
    optional callback after each example, and the error the run ended with."""

    hooks: tuple[AfterStep, ...] = ()
    coverage: Coverage = field(default_factory=Coverage)
    failures: list[Failure] = field(default_factory=list)
    on_example: Callable[["CheckedMachine"], None] | None = None
    error: Exception | None = None

    @property
    def failure(self) -> Failure | None:
        """The failure to report: the last one seen, which is from Hypothesis's final
        replay of the shrunk example when it replayed one."""
        return self.failures[-1] if self.failures else None


P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound="CheckedMachine")


def counted(fn: Callable[Concatenate[M, P], R]) -> Callable[Concatenate[M, P], R]:
    """Tally the rule in the run's coverage each time it runs."""

    def wrapper(self: M, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.run.coverage.record_rule(fn.__name__)
        return fn(self, *args, **kwargs)

    update_wrapper(wrapper, fn)
    return wrapper


class CheckedMachine(RuleBasedStateMachine):
    """The reference model stepped, recorded and checked (the rules are `MarginMachine`'s)."""

    def __init__(self, run: Run | None = None, params: Params = fz.PARAMS) -> None:
        super().__init__()
        self.run = run if run is not None else Run()
        self.params = params
        self.state = initial_state(params)
        self.steps: list[TraceStep] = []
        self.withheld: frozenset[str] = frozenset()
        self.level = fz.START_PRICE
        self.before_last = self.state
        """The state before the last step (a failure message describes that step in it)."""
        self.checked: State | None = None
        """The last state every state invariant was checked on and held (states are
        immutable: the same object holds them still)."""
        self.run.coverage.runs += 1

    # --- stepping and checking ---------------------------------------------------

    def apply(self, action: Action) -> Outcome:
        """One model step, recorded and checked."""
        pre = self.before_last = self.state
        try:
            post, outcome = step(pre, action)
        except Exception as e:
            self.steps.append(TraceStep(action=action))
            self.fail(((MODEL_CRASH, f"model.step raised {e!r}"),))
            raise AssertionError("unreachable") from e
        self.state = post
        self.steps.append(TraceStep(action=action, outcome=outcome))
        self.run.coverage.record_step(pre, action, post, outcome)
        broken = broken_step_invariants(pre, action, post, outcome)
        if post is not self.checked:
            broken += check_state(post)
        for hook in self.run.hooks:
            message = hook(pre, action, post, outcome)
            if message is not None:
                broken.append((hook_id(hook), message))
        if broken:
            self.fail(tuple(broken))
        self.checked = post
        return outcome

    def fail(self, broken: tuple[tuple[str, str], ...]) -> None:
        invariant, message = broken[0]
        failure = Failure(invariant, message, broken, self.params, tuple(self.steps))
        self.run.failures.append(failure)
        raise InvariantBroken(failure, self.before_last)

    def teardown(self) -> None:
        if self.run.on_example is not None:
            self.run.on_example(self)

    def mark_of(self, market_id: str) -> int:
        """The market's mark at the oracle's price, or at the last level set if none."""
        market = catalog(self.params).markets[market_id]
        price = price_of(self.state, market.underlying)
        return mark(
            self.params, market, self.level if price is None else price, self.state.oracle.now
        )

    def price_grid(self) -> range:
        """Prices in steps of 1% of the current level down from it, for the stories that look
        for the highest price at which something happens."""
        return range(self.level, 0, -max(self.level // 100, 1))

    def priced_at(self, price: int) -> State:
        """A copy of the state with every feed quoting `price` (not applied: the model is
        pure, so the machine's state stays as it is)."""
        state = self.state
        for feed in fz.FEED_IDS:
            state, _ = step(state, PublishPrice(feed=feed, price=price))
        return state

    def publish_everywhere(self, price: int) -> None:
        for feed in fz.FEED_IDS:
            self.apply(PublishPrice(feed=feed, price=price))

    def lever(self, account: str, spoke: str, amount: int, lots: int) -> None:
        """The steps of `lever_up` (a grant, its delivery, a long at the mark, its report's
        delivery), for the rules that take them as part of their story."""
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
