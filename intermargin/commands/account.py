"""`intermargin account TRACE --account A [--step K] [--json]`: one account of a trace at
one step, as the hub sees it (CLI-12).

The trace is replayed through the model (TRC-4); step 0 is the starting state and
step K the state after the K-th step (the last step by default).
"""

import argparse
import json
from itertools import islice
from typing import Any

from rich.table import Table

from intermargin.account_view import account_view
from intermargin.commands.replay import starting_state
from intermargin.console import stdout_console
from intermargin.errors import EXIT_OK, UsageError
from intermargin.timeline import replayed
from intermargin.trace_file import open_trace
from spec.bounds import BPS

LABELS = (
    ("collateral_value", "collateral value (liquidation haircuts)"),
    ("loan_value", "loan value (LTV haircuts)"),
    ("net_equity", "net equity (with pool-backed profit)"),
    ("capacity", "capacity (no profit)"),
    ("free_capacity", "free capacity"),
    ("maintenance_margin", "maintenance margin"),
    ("initial_margin", "initial margin"),
    ("latency_buffer", "latency buffer"),
    ("maintenance_requirement", "maintenance requirement"),
    ("initial_requirement", "initial requirement"),
    ("health_factor_bps", "health factor"),
    ("initial_health_factor_bps", "initial health factor"),
    ("margin_ratio_bps", "margin ratio"),
    ("liquidation_price", "liquidation price"),
)


def shown(key: str, value: Any) -> str:
    """A figure as text: bps as a percentage, none as `-` (or infinite for a ratio)."""
    if key.endswith("_bps"):
        infinite = "inf" if key != "margin_ratio_bps" else "inf (no equity)"
        return infinite if value is None else f"{value / BPS:.2%} ({value} bps)"
    return "-" if value is None else str(value)


def table(view: dict[str, Any], step: int) -> Table:
    status = f"liquidating, epoch {view['epoch']}" if view["liquidating"] else "normal"
    t = Table(title=f"{view['account']} after step {step} ({status})")
    t.add_column("figure")
    t.add_column("value", justify="right")
    collateral = ", ".join(f"{v} {x}" for x, v in view["collateral"].items()) or "0"
    t.add_row("collateral", collateral)
    alloc = ", ".join(f"{s} {v}" for s, v in view["allocation"].items() if v) or "0"
    t.add_row("allocation", alloc)
    if not view["priced"]:
        t.add_row("risk figures", "n/a: a price is unavailable")
        return t
    for spoke, book in view["spokes"].items():
        t.add_row(
            f"{spoke}: reported PnL / backed", f"{book['reported_pnl']} / {book['backed_profit']}"
        )
    for key, label in LABELS:
        t.add_row(label, shown(key, view[key]))
    return t


def main(args: argparse.Namespace) -> int:
    trace = open_trace(args.file)
    accounts = trace.head.params.accounts
    if args.account not in accounts:
        known = ", ".join(accounts)
        raise UsageError(f"unknown account {args.account!r} (the trace declares: {known})")
    steps = trace.length
    step = steps if args.step is None else args.step
    if not 0 <= step <= steps:
        raise UsageError(f"--step {step} is outside the trace (0..{steps})")
    state = starting_state(trace.head)
    for record in islice(replayed((s.action for s in trace.steps()), state), step):
        state = record.after
    view = account_view(state, args.account)
    if args.json:
        print(json.dumps({"file": args.file, "step": step, **view}, indent=2))
    else:
        stdout_console().print(table(view, step))
    return EXIT_OK


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "account",
        help="one account of a trace at one step: collateral, margins, health",
        description=(
            "Replay a trace file and show one account as the hub sees it after step K "
            "(the last by default; 0 is the starting state): collateral, loan value, "
            "margins, latency buffer, health factor, margin ratio and liquidation price."
        ),
    )
    p.add_argument("file", metavar="TRACE", help="a JSON trace (format intermargin-trace/1)")
    p.add_argument("--account", required=True, help="the account to show")
    p.add_argument("--step", type=int, metavar="K", help="show the state after step K")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(run=main)
