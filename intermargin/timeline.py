"""Run a scenario through the model and render it as a readable timeline.

`run` is pure: it feeds the scenario's actions to `model.step` and returns one
record per step (the action, its outcome, the state after).  Everything else
only reads those records: `health` and `margins` here and `intermargin.describe`
compute what a reader wants to see; `intermargin.render` prints it with rich;
`to_json` gives the machine-readable form (a replayable trace and the observable
end state).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from intermargin.scenarios import Scenario
from model import State, initial_state, step
from model.liquidation import health_prices
from model.margin import isolated_margin, netted_margin, per_position_margin
from model.observe import observe
from model.oracle import prices_of
from model.risk import (
    assets_needed,
    backed_profits,
    latency_buffer,
    maintenance_requirement,
    net_equity,
    reported_books,
)
from spec.actions import (
    Action,
    Inject,
)
from spec.outcome import Outcome
from spec.params import Params
from spec.reports import ScenarioReport
from spec.trace import Trace, TraceMeta, TraceStep

# --- running (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class StepRecord:
    """One step of a run: its 1-based number, the action, its outcome, and the states
    before and after."""

    number: int
    action: Action
    outcome: Outcome
    before: State
    after: State


@dataclass(frozen=True)
class Run:
    """A scenario run under some parameters (its own unless replaced)."""

    scenario: Scenario
    params: Params
    initial: State
    steps: tuple[StepRecord, ...]

    @property
    def final(self) -> State:
        return self.steps[-1].after if self.steps else self.initial


def run(scenario: Scenario, params: Params | None = None, initial: State | None = None) -> Run:
    """Apply the scenario's actions in order from `initial`, or else from the initial state
    of `params` (the scenario's own by default).  Rejections are outcomes, not errors: a
    run always goes to the end."""
    params = scenario.params if params is None else params
    initial = initial_state(params) if initial is None else initial
    return Run(scenario, params, initial, tuple(replayed(scenario.actions, initial)))


def replayed(actions: Iterable[Action], state: State) -> Iterator[StepRecord]:
    """The steps of a run one at a time, so that a long run need not be held (CLI-8)."""
    for number, action in enumerate(actions, start=1):
        after, outcome = step(state, action)
        yield StepRecord(number, action, outcome, state, after)
        state = after


# --- what a reader wants to know about a state ----------------------------------------


@dataclass(frozen=True)
class Health:
    """RISK-10, RISK-NET-3: the hub's view of an account: net equity (with the profits the
    clearing pools back) against maintenance margin plus latency buffer."""

    equity: int
    requirement: int
    backed: int = 0
    """RISK-NET-2: the part of `equity` that is profit backed by the spokes' clearing pools."""

    @property
    def healthy(self) -> bool:
        return self.equity >= self.requirement


def health(state: State, account: str) -> Health | None:
    """The account's health at current prices, or None when a price it needs is missing."""
    prices = health_prices(state, account)
    if prices is None:
        return None
    return Health(
        net_equity(state, account, prices),
        maintenance_requirement(state, account, prices),
        backed_profits(state, account, prices),
    )


@dataclass(frozen=True)
class SpokeMargin:
    """One venue's book on its own: its scan margin and its per-position maintenance margin."""

    spoke: str
    isolated: int
    per_position: int


@dataclass(frozen=True)
class Margins:
    """RISK-8: the account's maintenance margin, netted across venues and venue by venue
    (INV-RISK-4: netted <= isolated); `buffer` is the latency add-on common to both."""

    netted: int
    isolated: int
    per_position: int
    buffer: int
    spokes: tuple[SpokeMargin, ...]

    @property
    def saved(self) -> int:
        """What cross-venue netting saves over margining each venue alone."""
        return self.isolated - self.netted


def margins(state: State, account: str) -> Margins | None:
    """The margin comparison for the account's reported positions, or None without
    positions or prices."""
    books = reported_books(state, account)
    if not any(books.values()):
        return None
    prices = prices_of(state, assets_needed(state, account))
    if prices is None:
        return None
    params, now = state.params, state.oracle.now
    per_spoke = tuple(
        SpokeMargin(
            spoke,
            isolated_margin(params, [book], prices, now),
            per_position_margin(params, book, prices, initial=False, now=now),
        )
        for spoke, book in books.items()
        if book
    )
    return Margins(
        netted=netted_margin(params, books.values(), prices, now),
        isolated=isolated_margin(params, books.values(), prices, now),
        per_position=sum(s.per_position for s in per_spoke),
        buffer=latency_buffer(state, account, prices),
        spokes=per_spoke,
    )


def named_by(action: Action) -> set[str]:
    """The accounts an action names (its own, or its injected payload's)."""
    payload = action.payload if isinstance(action, Inject) else None
    named = (getattr(action, "account", None), getattr(payload, "account", None))
    return {who for who in named if who is not None}


def cast(actions: Iterable[Action], params: Params) -> tuple[str, ...]:
    """The accounts the actions name, in the parameters' order."""
    return cast_of(set().union(*(named_by(a) for a in actions)), params)


def cast_of(named: set[str], params: Params) -> tuple[str, ...]:
    """The declared accounts among `named`, in the parameters' order."""
    return tuple(a for a in params.accounts if a in named)


# --- JSON -------------------------------------------------------------------------------


def to_json(result: Run) -> dict[str, Any]:
    """The run as JSON (a `ScenarioReport`, CLI-11): a replayable trace (TRC-1) of the
    actions and their outcomes, and the observable end state (OBS-1..OBS-4).  `jq .trace`
    gives a file `intermargin replay` reads."""
    scenario = result.scenario
    trace = Trace(
        params=result.params,
        steps=tuple(TraceStep(action=r.action, outcome=r.outcome) for r in result.steps),
        meta=TraceMeta(source="scenario", note=f"{scenario.name}: {scenario.title}"),
    )
    report = ScenarioReport(
        scenario=scenario.name, title=scenario.title, trace=trace, end_state=observe(result.final)
    )
    dumped: dict[str, Any] = report.model_dump(mode="json")
    return dumped
