"""Differential self-check of the TypeScript build against the reference model.

Drives the build over the adapter protocol v1 (JSON lines on stdin/stdout) and the
reference model in-process (`model.step`, `model.observe.observe`) in lockstep, over
hand-written stories and seeded random action sequences restricted to the chapters
the build declares in its handshake. After every step it compares the outcome
(status, error, emitted ids) and the observable state (OBS-1..OBS-4, `ghost` too
when the build sends it) and stops at the first difference, printing the step, the
action and the first differing field. Then it compares the risk engine's values
(marks, PnL, margins) exactly on generated books, through the build's `src/values.js`
probe (`--values N`, `--probe CMD`).

    python examples/ts-build/check.py [--runs N] [--steps M] [--seed S] [--impl CMD] [--values N]

Exit 0 when every step agreed, 1 at the first difference, 2 on a usage error or a
build that does not speak the protocol. The conformance kit's `intermargin conform`
does the same job in general; this script is the build's own check until it lands.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from intermargin.fuzzing.strategies import (
    ADVERSARY,
    PRICE_LEVELS,
    START_PRICE,
    fuzz_params,
)
from model import State, initial_state, margin, risk, span, step, valuation
from model.observe import observe
from model.state import Position
from spec.actions import Action
from spec.bounds import HUB
from spec.examples import example_params
from spec.params import Params

HERE = Path(__file__).resolve().parent
DEFAULT_IMPL = f"node {HERE / 'src' / 'main.js'}"
ACTIONS: TypeAdapter[Action] = TypeAdapter(Action)

CHAPTER_OF = {
    "Deposit": "hub",
    "Withdraw": "hub",
    "GrantCredit": "hub",
    "ReleaseCredit": "spokes",
    "SendReport": "spokes",
    "Trade": "risk",
    "PublishPrice": "oracle",
    "AdvanceTime": "oracle",
    "Liquidate": "liquidation",
    "SetCap": "governance",
    "PauseSpoke": "governance",
    "UnpauseSpoke": "governance",
    "PayOut": "hub",
    "Deliver": "messaging",
    "Inject": "adversary",
}
"""Adapter protocol v1: the chapter each action kind belongs to."""

Json = dict[str, Any]


class Divergence(Exception):
    """The build and the model disagree (or the build broke the protocol)."""


class Build:
    """The build under test, one process speaking JSON lines."""

    def __init__(self, command: str) -> None:
        self.proc = subprocess.Popen(
            shlex.split(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: Json) -> Json:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise Divergence(f"the build exited on {request.get('op')!r}")
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise Divergence(f"the build answered a non-object: {line.strip()}")
        if reply.get("ok") is not True:
            raise Divergence(f"the build could not handle {request.get('op')!r}: {reply}")
        return reply

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def first_difference(expected: Any, got: Any, path: str = "") -> str | None:
    """The path of the first field where two JSON values differ, with both values."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in [*expected, *(k for k in got if k not in expected)]:
            if key not in got or key not in expected:
                return f"{path}.{key}: expected {expected.get(key)!r}, got {got.get(key)!r}"
            found = first_difference(expected[key], got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i, (e, g) in enumerate(zip(expected, got, strict=False)):
            found = first_difference(e, g, f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(got):
            return f"{path}: expected {len(expected)} items, got {len(got)}"
        return None
    same = expected == got and type(expected) is type(got)
    return None if same else f"{path}: expected {expected!r}, got {got!r}"


def observed(state: State, *, ghost: bool) -> Json:
    return observe(state, ghost=ghost).model_dump(mode="json")


class Lockstep:
    """The model and the build, stepped together; counts what the steps reached."""

    def __init__(self, build: Build, *, verbose: bool = False) -> None:
        self.build = build
        self.verbose = verbose
        self.reached: Counter[str] = Counter()
        self.steps = 0

    def start(self, params: Params) -> State:
        self.build.ask({"op": "reset"})
        reply = self.build.ask({"op": "init", "params": params.model_dump(mode="json")})
        state = initial_state(params)
        self.compare("init", state, reply["observation"])
        return state

    def compare(self, where: str, state: State, got: Json) -> None:
        ghost = got.get("ghost") is not None
        diff = first_difference(observed(state, ghost=ghost), got)
        if diff:
            raise Divergence(f"{where}: observation differs at {diff}")

    def step(self, state: State, action: Action, where: str) -> State:
        after, outcome = step(state, action)
        reply = self.build.ask({"op": "step", "action": action.model_dump(mode="json")})
        expected = outcome.model_dump(mode="json")
        diff = first_difference(expected, reply["outcome"])
        shown = json.dumps(action.model_dump(mode="json"))
        if diff:
            raise Divergence(f"{where} {shown}: outcome differs at {diff}")
        self.compare(f"{where} {shown}", after, reply["observation"])
        self.steps += 1
        if self.verbose:
            error = outcome.error or ""
            print(f"{where}: {shown} -> {outcome.status} {error} {list(outcome.emitted)}")
        self.reached[f"{action.type} {outcome.status} {outcome.error or ''}".strip()] += 1
        return after


# --- hand-written stories ---------------------------------------------------------------

A = dict[str, Any]


def dep(account: str, asset: str, amount: int) -> A:
    return {"type": "Deposit", "account": account, "asset": asset, "amount": amount}


def grant(account: str, spoke: str, amount: int) -> A:
    return {"type": "GrantCredit", "account": account, "spoke": spoke, "amount": amount}


def deliver(message_id: int) -> A:
    return {"type": "Deliver", "message_id": message_id}


def prices(eth: int) -> list[A]:
    return [{"type": "PublishPrice", "feed": f, "price": eth} for f in ("chainlink", "pyth")]


def trade(spoke: str, account: str, market: str, qty: int, price: int) -> A:
    return {
        "type": "Trade",
        "spoke": spoke,
        "account": account,
        "market": market,
        "qty": qty,
        "price": price,
    }


def inject(sender: str, receiver: str, payload: A) -> A:
    return {"type": "Inject", "sender": sender, "receiver": receiver, "payload": payload}


def report(account: str, seq: int, balance: int, *positions: tuple[str, int, int]) -> A:
    return {
        "type": "ExposureReport",
        "account": account,
        "seq": seq,
        "balance": balance,
        "positions": [{"market": m, "qty": q, "cost": c} for m, q, c in positions],
    }


def answer(account: str, epoch: int, seq: int, released: int, loss: int, balance: int) -> A:
    return {
        "type": "LiquidationReport",
        "account": account,
        "epoch": epoch,
        "seq": seq,
        "released": released,
        "loss": loss,
        "balance": balance,
    }


STALE = {"type": "AdvanceTime", "seconds": 61}
"""Past the quotes' maximum age: ETH has no price until feeds publish again."""

STORIES: dict[str, list[A]] = {
    "grant, deliver, release, replay": [
        dep("alice", "USD", 10_000),
        grant("alice", "arb", 4_000),
        deliver(1),
        deliver(1),
        deliver(7),
        {"type": "ReleaseCredit", "spoke": "arb", "account": "alice", "amount": 1_500},
        deliver(2),
        {"type": "Withdraw", "account": "alice", "asset": "USD", "amount": 8_000},
        {"type": "Withdraw", "account": "alice", "asset": "USD", "amount": 7_500},
        {"type": "SendReport", "spoke": "arb", "account": "alice"},
        deliver(3),
    ],
    "hub, messaging and governance only": [
        dep("carol", "USD", 3_000),
        {"type": "Withdraw", "account": "carol", "asset": "USD", "amount": 3_001},
        grant("carol", "arb", 2_000),
        grant("carol", "base", 1_001),
        {"type": "Withdraw", "account": "carol", "asset": "USD", "amount": 1_001},
        {"type": "Withdraw", "account": "carol", "asset": "USD", "amount": 1_000},
        {"type": "SetCap", "spoke": "arb", "cap": 1_999},
        {"type": "PauseSpoke", "spoke": "arb"},
        deliver(2),
        deliver(1),
        deliver(1),
        deliver(0),
        {"type": "SetCap", "spoke": "arb", "cap": 2_000},
        {"type": "Withdraw", "account": "carol", "asset": "ETH", "amount": 1},
        {"type": "Withdraw", "account": "bob", "asset": "USD", "amount": 1},
        {"type": "Deposit", "account": "carol", "asset": "USD", "amount": 10**18},
    ],
    "caps and the circuit breaker": [
        dep("bob", "USD", 1_000_000),
        grant("bob", "base", 3_000),
        {"type": "SetCap", "spoke": "base", "cap": 2_999},
        {"type": "SetCap", "spoke": "base", "cap": 3_500},
        grant("bob", "base", 501),
        grant("bob", "base", 500),
        {"type": "PauseSpoke", "spoke": "sol"},
        {"type": "PauseSpoke", "spoke": "sol"},
        grant("bob", "sol", 10),
        {"type": "UnpauseSpoke", "spoke": "sol"},
        {"type": "UnpauseSpoke", "spoke": "sol"},
        grant("bob", "sol", 10),
        grant("mallory", "sol", 10),
        grant("bob", "moon", 10),
        {"type": "SetCap", "spoke": "moon", "cap": 1},
    ],
    "a trade loses, the claim waits out a pause": [
        *prices(2_000),
        dep("alice", "USD", 600),
        grant("alice", "arb", 500),
        deliver(1),
        trade("arb", "alice", "ETH-PERP", 2, 2_000),
        trade("arb", "alice", "ETH-PERP", 1, 2_000),
        deliver(2),
        *prices(1_800),
        trade("arb", "alice", "ETH-PERP", -1, 1_800),
        {"type": "PauseSpoke", "spoke": "arb"},
        deliver(3),
        deliver(4),
        {"type": "UnpauseSpoke", "spoke": "arb"},
        deliver(3),
        deliver(4),
    ],
    "liquidation across three spokes, bad debt": [
        *prices(2_000),
        dep("carol", "ETH", 3),
        dep("carol", "USD", 100),
        grant("carol", "arb", 1_000),
        grant("carol", "base", 1_000),
        grant("carol", "sol", 1_000),
        deliver(1),
        deliver(2),
        deliver(3),
        trade("arb", "carol", "ETH-PERP", 2, 2_000),
        trade("base", "carol", "ETH-P-1800", -4, 30),
        trade("sol", "carol", "ETH-C-2000", 2, 100),
        deliver(4),
        deliver(5),
        deliver(6),
        {"type": "Liquidate", "account": "carol"},
        *prices(700),
        {"type": "Liquidate", "account": "carol"},
        {"type": "Withdraw", "account": "carol", "asset": "USD", "amount": 1},
        deliver(9),
        deliver(8),
        STALE,
        deliver(7),
        *prices(700),
        deliver(7),
        trade("arb", "carol", "ETH-PERP", 1, 700),
        deliver(10),
        deliver(11),
        deliver(12),
        deliver(12),
        {"type": "Liquidate", "account": "carol"},
        grant("carol", "arb", 1),
        deliver(13),
    ],
    "a compromised spoke and forged messages": [
        dep("alice", "USD", 5_000),
        grant("alice", "sol", 2_000),
        inject("hub", "sol", {"type": "MarginCall", "account": "alice", "epoch": 1}),
        inject("sol", "hub", {"type": "CreditGrant", "account": "alice", "amount": 5, "epoch": 0}),
        inject("sol", "arb", {"type": "LossClaim", "account": "alice", "amount": 5}),
        inject("moon", "hub", {"type": "LossClaim", "account": "alice", "amount": 5}),
        inject("sol", "hub", {"type": "LossClaim", "account": "mallory", "amount": 5}),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 2_001}),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 1_500}),
        inject(
            "sol",
            "hub",
            {
                "type": "ExposureReport",
                "account": "alice",
                "seq": 3,
                "balance": -100_000,
                "positions": [{"market": "ETH-PERP", "qty": 10, "cost": 0}],
            },
        ),
        inject(
            "arb",
            "hub",
            {
                "type": "ExposureReport",
                "account": "alice",
                "seq": 1,
                "balance": 0,
                "positions": [
                    {"market": "ETH-PERP", "qty": 1, "cost": 0},
                    {"market": "ETH-PERP", "qty": 1, "cost": 0},
                ],
            },
        ),
        *prices(2_000),
        {"type": "Liquidate", "account": "alice"},
        inject(
            "sol",
            "hub",
            {
                "type": "LiquidationReport",
                "account": "alice",
                "epoch": 1,
                "seq": 9,
                "released": 0,
                "loss": 5_000,
                "balance": 0,
            },
        ),
        deliver(1),
        deliver(2),
        deliver(3),
        deliver(4),
        deliver(5),
        deliver(6),
        deliver(7),
    ],
    "oracle: freshness, outliers, quorum": [
        dep("bob", "ETH", 2),
        {"type": "PublishPrice", "feed": "chainlink", "price": 2_000},
        grant("bob", "arb", 100),
        {"type": "PublishPrice", "feed": "pyth", "price": 2_500},
        grant("bob", "arb", 100),
        {"type": "PublishPrice", "feed": "redstone", "price": 2_050},
        grant("bob", "arb", 100),
        {"type": "AdvanceTime", "seconds": 60},
        grant("bob", "arb", 100),
        {"type": "AdvanceTime", "seconds": 1},
        grant("bob", "arb", 100),
        {"type": "PublishPrice", "feed": "nobody", "price": 1},
        {"type": "Withdraw", "account": "bob", "asset": "ETH", "amount": 1},
    ],
}


def parse_action(raw: A) -> Action:
    """An action from its JSON form (the boundary of PAR-13, as the harness reads it)."""
    return ACTIONS.validate_json(json.dumps(raw))


STORIES |= {
    "claims without a price: over the allocation, within it, USD only": [
        *prices(2_000),
        dep("alice", "ETH", 1),
        dep("bob", "USD", 1_000),
        grant("alice", "sol", 500),
        grant("bob", "sol", 500),
        STALE,
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 600}),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 100}),
        inject("sol", "hub", {"type": "LossClaim", "account": "bob", "amount": 100}),
        inject("sol", "hub", {"type": "CreditRelease", "account": "alice", "amount": 100}),
    ],
    "a seizure rounds against the holder; paid counts the loss only": [
        *prices(2_000),
        dep("alice", "ETH", 1),
        dep("alice", "USD", 50),
        grant("alice", "sol", 500),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 100}),
    ],
    "bad debt: the fund pays, then the partition": [
        *prices(2_000),
        dep("alice", "ETH", 1),
        grant("alice", "sol", 1_700),
        *prices(700),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 1_700}),
        dep("bob", "ETH", 100),
        grant("bob", "base", 60_000),
        *prices(100),
        inject("base", "hub", {"type": "LossClaim", "account": "bob", "amount": 60_000}),
    ],
    "profit backed by a clearing pool, up to the pool": [
        *prices(2_000),
        dep("alice", "USD", 2_000),
        grant("alice", "sol", 1_000),
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 100}),
        dep("bob", "USD", 1_000),
        grant("bob", "sol", 10),
        grant("bob", "base", 10),
        inject("base", "hub", report("bob", 1, -800, ("ETH-PERP", 1, 2_000))),
        inject("sol", "hub", report("bob", 1, 500)),
        {"type": "Liquidate", "account": "bob"},
        inject("sol", "hub", {"type": "LossClaim", "account": "alice", "amount": 400}),
        dep("carol", "USD", 1_000),
        grant("carol", "sol", 10),
        grant("carol", "base", 10),
        inject("base", "hub", report("carol", 1, -800, ("ETH-PERP", 1, 2_000))),
        inject("sol", "hub", report("carol", 1, 500)),
        {"type": "Liquidate", "account": "carol"},
    ],
    "a withdrawal judged at the initial requirement": [
        *prices(2_000),
        dep("alice", "USD", 1_000),
        grant("alice", "sol", 10),
        inject("sol", "hub", report("alice", 1, 0, ("ETH-PERP", 1, 2_000))),
        {"type": "Withdraw", "account": "alice", "asset": "USD", "amount": 700},
        {"type": "Withdraw", "account": "alice", "asset": "USD", "amount": 500},
    ],
    "liquidation answers and the penalty without a price": [
        *prices(2_000),
        dep("alice", "USD", 1_000),
        dep("alice", "ETH", 1),
        grant("alice", "sol", 100),
        deliver(1),
        inject("sol", "hub", report("alice", 5, -2_500, ("ETH-PERP", 10, 20_000))),
        {"type": "Liquidate", "account": "alice"},
        STALE,
        deliver(2),
        deliver(3),
        deliver(4),
        deliver(5),
        deliver(6),
        deliver(7),
        inject("sol", "hub", answer("alice", 1, 9, 100, 0, 0)),
        *prices(2_000),
        deliver(5),
        inject("sol", "hub", answer("alice", 1, 9, 100, 0, 0)),
        deliver(7),
        STALE,
        deliver(6),
        *prices(2_000),
        deliver(6),
        inject("sol", "hub", answer("alice", 1, 10, 0, 0, 0)),
    ],
    "reports of an unused spoke need no price": [
        dep("alice", "USD", 1_000),
        inject("sol", "hub", report("alice", 1, -500, ("ETH-PERP", 3, 6_000))),
        grant("alice", "arb", 100),
        grant("alice", "sol", 100),
        {"type": "Withdraw", "account": "alice", "asset": "USD", "amount": 100},
        {"type": "Liquidate", "account": "alice"},
    ],
    "a cost basis past MAX_AMOUNT without a price": [
        {"type": "SetCap", "spoke": "arb", "cap": 10**18},
        dep("alice", "USD", 10**18 - 50_000),
        *prices(10**12),
        grant("alice", "arb", 9 * 10**17),
        deliver(1),
        trade("arb", "alice", "ETH-PERP", 500_000, 10**12),
        STALE,
        trade("arb", "alice", "ETH-PERP", 500_000, 10**12),
        trade("arb", "alice", "ETH-PERP", 1, 10**12),
        trade("arb", "alice", "ETH-PERP", -1, 0),
        trade("arb", "alice", "ETH-PERP", -2, 0),
    ],
}


def story_chapters(actions: list[A]) -> set[str]:
    return {CHAPTER_OF[a["type"]] for a in actions}


# --- seeded random sequences ------------------------------------------------------------


class Market:
    """The price level the feeds of a random run gather around, moved now and then."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.level = START_PRICE

    def quote(self) -> int:
        roll = self.rng.random()
        if roll < 0.15:
            self.level = self.rng.choice(PRICE_LEVELS)
        if roll > 0.95:
            return self.rng.choice((1, 500, 1_950, 2_050, 5_000))  # an outlier, maybe
        return self.level


def random_action(rng: random.Random, state: State, chapters: set[str], market: Market) -> Action:
    """One action of a declared chapter, drawn from small colliding value sets."""
    p = state.params
    accounts = p.accounts
    spokes = tuple(s.id for s in p.spokes)
    markets = tuple(m.id for m in p.markets)
    feeds = tuple(f.id for f in p.oracle.feeds)
    net = state.network
    deposits = [("USD", 500), ("USD", 2_000)]
    if "oracle" in chapters:
        deposits += [("ETH", 1), ("ETH", 3)]

    def deliver_one() -> A:
        pick = rng.random()
        if net.in_flight and pick < 0.9:
            return deliver(rng.choice(sorted(net.in_flight)))
        if net.delivered and pick < 0.95:
            return deliver(rng.choice(sorted(net.delivered)))
        return deliver(rng.randrange(0, net.next_id + 2))

    def payload() -> A:
        account = rng.choice((*accounts, "mallory"))
        kind = rng.choice(("CreditRelease", "LossClaim", "ExposureReport", "LiquidationReport"))
        amount = rng.choice((1, 100, 1_000, 5_000))
        if kind in ("CreditRelease", "LossClaim"):
            return {"type": kind, "account": account, "amount": amount}
        if kind == "ExposureReport":
            positions = [
                {
                    "market": rng.choice((*markets[:2], "NOPE")),
                    "qty": rng.choice((0, 1, -1, 10)),
                    "cost": rng.choice((0, 2_000, -2_000)),
                }
                for _ in range(rng.randrange(0, 3))
            ]
            return {
                "type": kind,
                "account": account,
                "seq": rng.randrange(0, 7),
                "balance": rng.choice((0, -500, 500, -100_000)),
                "positions": positions,
            }
        return {
            "type": kind,
            "account": account,
            "epoch": rng.randrange(0, 4),
            "seq": rng.randrange(0, 7),
            "released": rng.choice((0, 100, 1_000)),
            "loss": rng.choice((0, 100, 1_000, 5_000)),
            "balance": rng.choice((0, -500, 500)),
        }

    def injection() -> A:
        if rng.random() < 0.75:
            return inject(ADVERSARY, HUB, payload())
        hub_kind = {"type": "MarginCall", "account": rng.choice(accounts), "epoch": 1}
        sender, receiver, body = rng.choice(
            (
                (HUB, rng.choice(spokes), payload()),
                (rng.choice(spokes), rng.choice(spokes), payload()),
                (ADVERSARY, rng.choice(spokes), hub_kind),
            )
        )
        return inject(sender, receiver, body)

    makers: dict[str, tuple[int, Callable[[], A]]] = {
        "Deposit": (
            6,
            lambda: dep(
                rng.choice(accounts),
                *rng.choice(deposits),
            ),
        ),
        "Withdraw": (
            3,
            lambda: {
                "type": "Withdraw",
                "account": rng.choice(accounts),
                "asset": rng.choice(("USD", "ETH")),
                "amount": rng.choice((1, 100, 1_000)),
            },
        ),
        "GrantCredit": (
            6,
            lambda: grant(
                rng.choice(accounts), rng.choice(spokes), rng.choice((100, 500, 1_000, 2_000))
            ),
        ),
        "ReleaseCredit": (
            2,
            lambda: {
                "type": "ReleaseCredit",
                "spoke": rng.choice(spokes),
                "account": rng.choice(accounts),
                "amount": rng.choice((100, 500, 1_000)),
            },
        ),
        "SendReport": (
            1,
            lambda: {
                "type": "SendReport",
                "spoke": rng.choice(spokes),
                "account": rng.choice(accounts),
            },
        ),
        "Trade": (
            6,
            lambda: trade(
                rng.choice(spokes),
                rng.choice(accounts),
                rng.choice(markets),
                rng.choice((1, -1, 2, -2, 3, -3, 5)) * rng.choice((1, 2, 4)),
                rng.choice((*PRICE_LEVELS, 0, 50, 300)),
            ),
        ),
        "PublishPrice": (
            4,
            lambda: {
                "type": "PublishPrice",
                "feed": rng.choice(feeds),
                "price": market.quote(),
            },
        ),
        "AdvanceTime": (
            1,
            lambda: {"type": "AdvanceTime", "seconds": rng.choice((1, 5, 5, 20, 20, 61))},
        ),
        "Liquidate": (3, lambda: {"type": "Liquidate", "account": rng.choice(accounts)}),
        "SetCap": (
            1,
            lambda: {
                "type": "SetCap",
                "spoke": rng.choice(spokes),
                "cap": rng.choice((0, 1_000, 3_000, 5_000, 10_000)),
            },
        ),
        "PauseSpoke": (1, lambda: {"type": "PauseSpoke", "spoke": rng.choice(spokes)}),
        "UnpauseSpoke": (2, lambda: {"type": "UnpauseSpoke", "spoke": rng.choice(spokes)}),
        "Deliver": (20 if net.in_flight else 1, deliver_one),
        "Inject": (3, injection),
    }
    kinds = [k for k in makers if CHAPTER_OF[k] in chapters]
    kind = rng.choices(kinds, weights=[makers[k][0] for k in kinds])[0]
    return parse_action(makers[kind][1]())


def prelude(params: Params, chapters: set[str]) -> list[A]:
    """Every feed at the start price and some collateral for every account, so that the
    random steps start from a state where grants, trades and liquidations can happen."""
    steps: list[A] = []
    if "oracle" in chapters:
        steps += [
            {"type": "PublishPrice", "feed": f.id, "price": START_PRICE}
            for f in params.oracle.feeds
        ]
    if "hub" in chapters:
        for account in params.accounts:
            steps.append(dep(account, "USD", 1_000))
            if "oracle" in chapters:
                steps.append(dep(account, "ETH", 1))
    return steps


def near_expiries(rng: random.Random, params: Params) -> Params:
    """The parameters with some options expiring within a run's reach (a few minutes of
    logical time), and one with its own implied volatility: so that runs value options
    close to and after expiry (PRC-13), where the short option minimum stops (SPAN-5),
    and at a market's volatility (PRC-12)."""
    markets = []
    for m in params.markets:
        if m.kind == "perp":
            markets.append(m)
            continue
        update: dict[str, int] = {}
        if rng.random() < 0.6:
            update["expiry"] = rng.choice((40, 90, 200))
        if rng.random() < 0.3:
            update["volatility_bps"] = rng.choice((3_000, 12_347))
        markets.append(m.model_copy(update=update))
    return params.model_copy(update={"markets": tuple(markets)})


def random_params(rng: random.Random, chapters: set[str]) -> Params:
    """The fuzzer's parameters (small caps and fund) or the example set (two expiries, so a
    spread charge, SPAN-6), sometimes with options near expiry (`near_expiries`), sometimes
    under per-position margin. Without an oracle only USD (fixed price) is ever priced."""
    base = fuzz_params() if rng.random() < 0.6 else example_params()
    if rng.random() < 0.5:
        base = near_expiries(rng, base)
    if "risk" in chapters and rng.random() < 0.3:
        return base.model_copy(update={"margin_method": "per_position"})
    return base


# --- the risk engine's values, compared exactly on generated books ------------------------

VALUES_PROBE = f"node {HERE / 'src' / 'values.js'}"


def random_book(rng: random.Random, params: Params) -> list[A]:
    """One to four positions in distinct markets, sizes and costs of either sign."""
    chosen = rng.sample([m.id for m in params.markets], rng.randint(1, min(4, len(params.markets))))
    return [
        {
            "market": m,
            "qty": rng.choice((1, -1)) * rng.randint(1, 50),
            "cost": rng.randint(-(10**5), 10**5),
        }
        for m in chosen
    ]


def value_case(rng: random.Random) -> tuple[Params, int, dict[str, int], list[list[A]]]:
    """Parameters as the random runs make them, a time before, at or after expiries, an
    ETH price from the run levels or anywhere in 1..MAX_PRICE's lower range, and books."""
    params = random_params(rng, {"risk"})
    expiries = [m.expiry for m in params.markets if m.expiry is not None]
    now = rng.choice((0, 1, 30, *expiries, *(e - 1 for e in expiries), *(e + 1 for e in expiries)))
    eth = rng.choice((*PRICE_LEVELS, 1, 2, 2_999, 3_000, rng.randint(1, 10**6)))
    books = [random_book(rng, params) for _ in range(rng.randint(1, 3))]
    return params, max(now, 0), {"USD": 1, "ETH": eth}, books


def expiry_prices(params: Params, now: int, prices: dict[str, int]) -> dict[str, int]:
    """PRC-14: the expiry prices of a value case, derived from it (not drawn, so the cases of
    a seed stay what they were): at an even ETH price, every market expired by `now` is fixed
    at 3/4 of it plus 200 (settled, PRC-13); at an odd one none is (PRC-15)."""
    eth = prices["ETH"]
    if eth % 2:
        return {}
    expired = [m.id for m in params.markets if m.expiry is not None and now >= m.expiry]
    return {m: eth * 3 // 4 + 200 for m in expired}


def model_values(params: Params, now: int, prices: dict[str, int], books: list[list[A]]) -> Json:
    """RISK-1 marks, RISK-2 and RISK-5 per book, RISK-8 and RISK-IM-2 per account, at the
    case's expiry prices (PRC-13, PRC-14)."""
    positions = [{x["market"]: Position(x["qty"], x["cost"]) for x in b} for b in books]
    fx = expiry_prices(params, now, prices)
    return {
        "marks": {
            m.id: valuation.mark_wad(params, m, prices[m.underlying], now, fx)
            for m in params.markets
        },
        "books": [
            {
                "pnl": valuation.unrealized_pnl(params, b, prices, now, fx),
                "maintenance": margin.margin(params, b, prices, initial=False, now=now, fixings=fx),
                "initial": margin.margin(params, b, prices, initial=True, now=now, fixings=fx),
            }
            for b in positions
        ],
        "account": {
            "maintenance": margin.account_margin(params, positions, prices, now, fx),
            "initial": risk.account_initial_margin(params, positions, prices, now, fx),
        },
    }


def value_rules(
    params: Params, now: int, prices: dict[str, int], books: list[list[A]]
) -> list[str]:
    """The rules a case reached where they decide a value: a spread charge (SPAN-6), a
    binding short option minimum (SPAN-5), an expired option held (PRC-13), a netted margin
    capped by the isolated one (RISK-8), an option at its own volatility (PRC-12)."""
    positions = [{x["market"]: Position(x["qty"], x["cost"]) for x in b} for b in books]
    merged = margin.merge_positions(positions)
    markets = {m.id: m for m in params.markets}
    found = []
    if span.spread_charge(params, merged, prices, "ETH", now) > 0:
        found.append("SPAN-6 spread charge")
    lots = span.short_option_lots(params, merged, "ETH", now)
    minimum = span.short_option_minimum(params, lots, prices["ETH"])
    if lots and minimum > span.scan_risk(params, merged, prices, "ETH", now):
        found.append("SPAN-5 short option minimum binds")
    if any(markets[m].expiry is not None and now >= (markets[m].expiry or 0) for m in merged):
        found.append("PRC-13 expired option held")
    if any(m in expiry_prices(params, now, prices) for m in merged):
        found.append("PRC-14 settled at its expiry price")
    if params.margin_method == "portfolio" and span.scan_margin(
        params, merged, prices, now
    ) > margin.isolated_margin(params, positions, prices, now):
        found.append("RISK-8 isolated margin caps the netted one")
    if any(markets[m].volatility_bps is not None for m in merged):
        found.append("PRC-12 an option's own volatility")
    return found


def check_values(command: str, cases: int, seed: int) -> Counter[str]:
    """Compare the build's marks, PnL and margins with the model's on generated books, exactly;
    return how often each rule decided a value. Raises Divergence at the first difference."""
    rng = random.Random(f"values/{seed}")
    probe = Build(command)
    reached: Counter[str] = Counter()
    try:
        for i in range(cases):
            params, now, prices, books = value_case(rng)
            request = {
                "params": params.model_dump(mode="json"),
                "now": now,
                "prices": prices,
                "expiry_prices": expiry_prices(params, now, prices),
            }
            got = probe.ask({**request, "books": books})
            diff = first_difference({"ok": True, **model_values(params, now, prices, books)}, got)
            if diff:
                shown = json.dumps({"now": now, "prices": prices, "books": books})
                raise Divergence(f"value case {i} {shown}: differs at {diff}")
            reached.update(value_rules(params, now, prices, books))
    finally:
        probe.close()
    return reached


# --- driver -----------------------------------------------------------------------------


def run_all(build: Build, chapters: set[str], args: argparse.Namespace) -> Lockstep:
    lock = Lockstep(build, verbose=args.verbose)
    for name, actions in STORIES.items():
        if not story_chapters(actions) <= chapters:
            print(f"skip story {name!r}: needs {sorted(story_chapters(actions) - chapters)}")
            continue
        state = lock.start(example_params())
        for i, raw in enumerate(actions, 1):
            state = lock.step(state, parse_action(raw), f"story {name!r} step {i}")
    for run in range(args.runs):
        name = f"random run {run} (seed {args.seed})"
        rng = random.Random(f"{args.seed}/{run}")
        params = random_params(rng, chapters)
        market = Market(rng)
        state = lock.start(params)
        for i, raw in enumerate(prelude(params, chapters), 1):
            state = lock.step(state, parse_action(raw), f"{name} prelude {i}")
        for i in range(1, args.steps + 1):
            action = random_action(rng, state, chapters, market)
            state = lock.step(state, action, f"{name} step {i}")
    return lock


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", default=DEFAULT_IMPL, help="the build's command")
    parser.add_argument("--runs", type=int, default=20, help="random runs (default 20)")
    parser.add_argument("--steps", type=int, default=200, help="steps per random run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="print every step's outcome")
    parser.add_argument(
        "--values",
        type=int,
        default=300,
        help="generated books whose marks and margins are compared exactly (default 300; "
        "0 skips, e.g. for a build without a values probe)",
    )
    parser.add_argument(
        "--probe", default=VALUES_PROBE, help="the values probe's command (src/values.js)"
    )
    args = parser.parse_args(argv)
    if args.runs < 0 or args.steps < 0:
        print("check.py: --runs and --steps must be >= 0", file=sys.stderr)
        return 2
    try:
        build = Build(args.impl)
    except OSError as e:
        print(f"check.py: cannot start {args.impl!r}: {e}", file=sys.stderr)
        return 2
    try:
        hello = build.ask({"op": "handshake", "protocol": 1})
        chapters = set(hello["chapters"])
        print(f"build {hello['name']!r} declares {sorted(chapters)}")
        lock = run_all(build, chapters, args)
        values: Counter[str] = Counter()
        if args.values and "risk" in chapters:
            values = check_values(args.probe, args.values, args.seed)
    except Divergence as e:
        print(f"DIFFERENCE {e}")
        return 1
    finally:
        build.close()
    print(f"{lock.steps} steps agreed ({len(lock.reached)} distinct action/outcome kinds):")
    for key, n in sorted(lock.reached.items()):
        print(f"  {n:6d}  {key}")
    if values:
        print(f"{args.values} value cases agreed; rules that decided a value:")
        for key, n in sorted(values.items()):
            print(f"  {n:6d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
