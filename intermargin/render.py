"""A run rendered with rich: the timeline table, then the accounts, spokes, insurance
fund and margin comparison at the end."""

from collections.abc import Iterable
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from intermargin.describe import (
    describe_action,
    describe_allocations,
    describe_health,
    describe_in_flight,
    describe_outcome,
    describe_ratios,
    short,
)
from intermargin.scenarios import Scenario
from intermargin.timeline import Margins, Run, StepRecord, cast, margins
from model import State

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
        if status.called:
            phase = f"called at t={status.called_at}"  # FLOW-CALL-1
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
