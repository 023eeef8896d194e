"""Run a scenario through the model and render it as a readable timeline.

`run` is pure: it feeds the scenario's actions to `model.step` and returns one
record per step (the action, its outcome, the state after).  Everything else
here only reads those records: `health`, `margins` and `describe_*` compute
what a reader wants to see; `render` prints it with rich; `to_json` gives the
machine-readable form (a replayable trace and the observable end state).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from intermargin.account_view import account_view
from intermargin.scenarios import Scenario
from model import State, initial_state, step
from model.liquidation import health_prices
from model.observe import observe
from model.oracle import prices_of
from model.risk import (
    assets_needed,
    backed_profits,
    isolated_margin,
    latency_buffer,
    maintenance_requirement,
    net_equity,
    netted_margin,
    per_position_margin,
    reported_books,
)
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
from spec.bounds import BPS
from spec.messages import (
    CreditGrant,
    CreditRelease,
    ExposureReport,
    LiquidationReport,
    LossClaim,
    MarginCall,
    Message,
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


# --- compact text ----------------------------------------------------------------------


def short(n: int) -> str:
    """An exact integer, abbreviated from 10000 up only where exact (1M, 250k)."""
    if abs(n) < 10_000:
        return str(n)
    for unit, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= unit and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def describe_message(msg: Message) -> str:
    """A message in a few words."""
    if isinstance(msg, CreditGrant):
        return f"CreditGrant {msg.account} {msg.amount} e{msg.epoch}"
    if isinstance(msg, MarginCall):
        return f"MarginCall {msg.account} e{msg.epoch}"
    if isinstance(msg, CreditRelease):
        return f"CreditRelease {msg.account} {msg.amount}"
    if isinstance(msg, LossClaim):
        return f"LossClaim {msg.account} {msg.amount}"
    if isinstance(msg, ExposureReport):
        return f"ExposureReport {msg.account} seq{msg.seq}"
    assert isinstance(msg, LiquidationReport)
    return f"LiquidationReport {msg.account} e{msg.epoch} loss {msg.loss} released {msg.released}"


def describe_action(action: Action, before: State) -> str:
    """An action in one line, e.g. `Trade arb alice ETH-PERP +10 @2000`; a delivery says
    what it carries, looked up in the state before the step."""
    match action:
        case Deposit() | Withdraw():
            return f"{action.type} {action.account} {action.amount} {action.asset}"
        case GrantCredit():
            return f"Grant {action.account}->{action.spoke} {action.amount}"
        case ReleaseCredit():
            return f"Release {action.spoke} {action.account} {action.amount}"
        case Trade():
            return (
                f"Trade {action.spoke} {action.account} {action.market} "
                f"{action.qty:+d} @{action.price}"
            )
        case SendReport():
            return f"SendReport {action.spoke} {action.account}"
        case PublishPrice():
            return f"Price {action.feed} {action.price}"
        case AdvanceTime():
            return f"AdvanceTime +{action.seconds}s"
        case Liquidate():
            return f"Liquidate {action.account}"
        case SetCap():
            return f"SetCap {action.spoke} {short(action.cap)}"
        case PauseSpoke() | UnpauseSpoke():
            return f"{action.type.removesuffix('Spoke')} {action.spoke}"
        case Deliver():
            env = before.network.in_flight.get(action.message_id)
            if env is None:
                again = action.message_id in before.network.delivered
                return f"Deliver #{action.message_id}" + (" (again)" if again else "")
            route = f"{env.sender}->{env.receiver}"
            return f"Deliver #{env.id} {route} {describe_message(env.payload)}"
        case Inject():
            return f"Inject {action.sender}->{action.receiver} {describe_message(action.payload)}"
    raise AssertionError(f"unknown action {action!r}")  # pragma: no cover


def describe_outcome(outcome: Outcome) -> str:
    """`accepted`, `accepted -> #4 #5`, `rejected CODE` or `ignored CODE`."""
    if outcome.status == "accepted":
        sent = " ".join(f"#{i}" for i in outcome.emitted)
        return "accepted" + (f" -> {sent}" if sent else "")
    return f"{outcome.status} {outcome.error}"


def describe_health(state: State, account: str) -> str:
    """`alice 15060/8029 ok`, `... LOW`, with `LIQ e1` while liquidating; `n/a` without prices;
    `(2000 pool-backed)` when backed profit counts in the net equity (RISK-NET-3)."""
    status = state.hub.status[account]
    tag = f" LIQ e{status.epoch}" if status.liquidating else ""
    h = health(state, account)
    if h is None:
        return f"{account} n/a{tag}"
    verdict = "ok" if h.healthy else "LOW"
    backed = f" ({h.backed} pool-backed)" if h.backed else ""
    return f"{account} {h.equity}/{h.requirement} {verdict}{backed}{tag}"


def describe_ratios(state: State, account: str) -> str:
    """`HF 48.48x`, `MR 2.07%`, `liq 3175` (RISK-IM-3..RISK-IM-5); `-` for none, `n/a`
    without prices."""
    view = account_view(state, account)
    if not view["priced"]:
        return "n/a"
    hf, mr, liq = view["health_factor_bps"], view["margin_ratio_bps"], view["liquidation_price"]
    parts = [
        "HF inf" if hf is None else f"HF {hf / BPS:.2f}x",
        "MR inf" if mr is None else f"MR {mr / BPS:.2%}",
        f"liq {'-' if liq is None else liq}",
    ]
    return "\n".join(parts)


def describe_allocations(state: State) -> str:
    """Per spoke holding credit, paused, or with its cap changed: total allocation / cap
    (` P` when paused); `-` when no spoke is any of these."""
    lines = []
    for declared in state.params.spokes:
        spoke, cap = declared.id, state.hub.caps[declared.id]
        total = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        paused = spoke in state.hub.paused
        if total or paused or cap != declared.cap:
            lines.append(f"{spoke} {total}/{short(cap)}" + (" P" if paused else ""))
    return "\n".join(lines) or "-"


def describe_in_flight(state: State, limit: int = 8) -> str:
    """`3: #4 #5 #6` (the count, then the ids, cut after `limit`)."""
    ids = sorted(state.network.in_flight)
    if not ids:
        return "0"
    shown = " ".join(f"#{i}" for i in ids[:limit])
    more = " ..." if len(ids) > limit else ""
    return f"{len(ids)}: {shown}{more}"


# --- rendering --------------------------------------------------------------------------

STYLE = {"accepted": "green", "rejected": "red", "ignored": "yellow"}


def timeline_table(
    records: Iterable[StepRecord], accounts: tuple[str, ...], *, first: bool = True
) -> Table:
    """One row per step: number, action, outcome, health, allocations, messages in flight.
    A long run is printed as several tables of the same columns: only the `first` has a
    title and a header."""
    table = Table(
        title="Timeline" if first else None,
        title_justify="left",
        show_lines=True,
        show_header=first,
        pad_edge=False,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("action", min_width=30, max_width=38, overflow="fold")
    table.add_column("outcome", width=22, overflow="fold")
    table.add_column("health (equity/req)", width=20, overflow="fold")
    table.add_column("alloc/cap", no_wrap=True)
    table.add_column("in flight", width=10, overflow="fold")
    for record in records:
        after = record.after
        table.add_row(
            str(record.number),
            describe_action(record.action, record.before),
            Text(describe_outcome(record.outcome), style=STYLE[record.outcome.status]),
            "\n".join(describe_health(after, a) for a in accounts) or "-",
            describe_allocations(after),
            describe_in_flight(after),
        )
    return table


def accounts_table(state: State, accounts: Iterable[str]) -> Table:
    """The end state per account: collateral, status and epoch, health, its health factor,
    margin ratio and liquidation price (RISK-IM-3..RISK-IM-5), credit per spoke."""
    table = Table(title="Accounts at the end", title_justify="left")
    columns = (
        "account",
        "collateral",
        "status",
        "health (equity/req)",
        "HF / margin ratio / liq. price",
        "alloc per spoke",
    )
    for column in columns:
        table.add_column(column)
    spokes = [s.id for s in state.params.spokes]
    for account in accounts:
        held = [
            f"{state.hub.collateral[(account, x.id)]} {x.id}"
            for x in state.params.assets
            if state.hub.collateral[(account, x.id)]
        ]
        status = state.hub.status[account]
        phase = "liquidating" if status.liquidating else "normal"
        alloc = [f"{s} {state.hub.alloc[(account, s)]}" for s in spokes]
        table.add_row(
            account,
            "\n".join(held) or "0",
            f"{phase}, epoch {status.epoch}",
            describe_health(state, account).removeprefix(f"{account} "),
            describe_ratios(state, account),
            "\n".join(alloc),
        )
    return table


def spokes_table(state: State) -> Table:
    """The end state per spoke: allocation vs cap, what the hub owes its partition,
    socialized bad debt, and the ghost counters that bound a malicious spoke."""
    table = Table(title="Spokes at the end", title_justify="left")
    for column in ("spoke", "alloc/cap", "owed", "socialized", "granted", "claimed", "paid"):
        table.add_column(column, justify="left" if column in ("spoke", "owed") else "right")
    ghost = state.ghost
    for spoke in (s.id for s in state.params.spokes):
        total = sum(state.hub.alloc[(a, spoke)] for a in state.params.accounts)
        owed = ", ".join(
            f"{state.hub.owed[(spoke, x.id)]} {x.id}"
            for x in state.params.assets
            if state.hub.owed[(spoke, x.id)]
        )
        flags = [f for f, on in (("paused", spoke in state.hub.paused),) if on]
        if spoke in ghost.compromised:
            flags.append("compromised")
        name = spoke + (f" ({', '.join(flags)})" if flags else "")
        table.add_row(
            name,
            f"{total}/{short(state.hub.caps[spoke])}",
            owed or "0",
            str(state.hub.socialized[spoke]),
            str(ghost.granted[spoke]),
            str(ghost.claimed[spoke]),
            str(ghost.paid[spoke]),
        )
    return table


def margins_table(account: str, m: Margins) -> Table:
    """RISK-8: netted against isolated maintenance margin, venue by venue."""
    table = Table(
        title=f"Margin of {account}: netted across venues vs each venue alone",
        title_justify="left",
    )
    table.add_column("book")
    table.add_column("scan margin", justify="right")
    table.add_column("per-position mm", justify="right")
    for s in m.spokes:
        table.add_row(f"{s.spoke} alone", str(s.isolated), str(s.per_position))
    table.add_row(
        "sum of venues (isolated)", str(m.isolated), str(m.per_position), end_section=True
    )
    table.add_row("all venues netted", str(m.netted), "-")
    table.add_row("saved by netting", str(m.saved), "-")
    table.caption = f"latency buffer {m.buffer} comes on top of either"
    return table


def introduce(scenario: Scenario, console: Console) -> None:
    """The scenario's name, title and story."""
    console.print(Text(f"{scenario.name}: {scenario.title}", style="bold"))
    console.print(scenario.story, highlight=False)
    console.print()


def end_summary(final: State, accounts: tuple[str, ...]) -> Group:
    """The end state: accounts, spokes, insurance fund, and the margin comparison."""
    insurance = ", ".join(f"{v} {x}" for x, v in final.hub.insurance.items() if v)
    in_flight = describe_in_flight(final)
    parts: list[Any] = [
        accounts_table(final, accounts),
        spokes_table(final),
        Text(f"insurance fund: {insurance or '0'}; messages in flight: {in_flight}"),
    ]
    for account in accounts:
        m = margins(final, account)
        if m is not None and len(m.spokes) > 1:
            parts.append(margins_table(account, m))
    return Group(*parts)


def render(result: Run, console: Console) -> None:
    """Print the scenario's story, its timeline and a summary of the end state."""
    introduce(result.scenario, console)
    accounts = cast(result.scenario.actions, result.params)
    console.print(timeline_table(result.steps, accounts))
    console.print(end_summary(result.final, accounts))


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
