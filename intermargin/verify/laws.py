"""The `risk-laws` check (VER-5): every law of `model/laws.py` over generated inputs.

Hypothesis draws the inputs (derandomized, so a run is reproducible); a law that
returns False fails the check with the inputs that broke it, and so does a law that
was never run.  The laws call the risk engine through its module, so a change to
any of its functions is judged here (`tests/test_verify.py` patches in a scan that
adds two marks instead of subtracting them, and this check fails).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import strategies as st

from intermargin.fuzzing.constants import project_constants
from intermargin.verify import CheckResult, Settings, Status
from model import laws
from model.state import Position
from spec.bounds import BPS
from spec.examples import example_params

PARAMS = example_params()
MARKETS = tuple(m.id for m in PARAMS.markets)
PERPS = tuple(m.id for m in PARAMS.markets if m.kind == "perp")
LAST_EXPIRY = max(m.expiry or 0 for m in PARAMS.markets)
OPTIONS = tuple(m.id for m in PARAMS.markets if m.kind != "perp")

prices = st.integers(1, 100_000)
lots = st.integers(-50, 50).filter(bool)
positions = st.builds(Position, qty=lots, cost=st.integers(-(10**7), 10**7))
books = st.dictionaries(st.sampled_from(MARKETS), positions, min_size=1, max_size=3)
values = st.integers(-(10**9), 10**9)
amounts = st.integers(0, 10**9)
covers = st.integers(0, BPS)


def loss_lists(n: int) -> st.SearchStrategy[tuple[list[int], list[int], list[int]]]:
    def sized(k: int) -> st.SearchStrategy[list[int]]:
        return st.lists(values, min_size=k, max_size=k)

    return st.integers(1, n).flatmap(
        lambda k: st.tuples(sized(k), sized(k), st.lists(covers, min_size=k, max_size=k))
    )


def haircuts() -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(0, BPS - 1), st.integers(0, BPS - 1)).map(
        lambda pair: (min(pair), max(pair))
    )


@dataclass(frozen=True)
class Law:
    """One law: the id it states, its predicate, and how to draw its arguments."""

    id: str
    name: str
    holds: Callable[..., bool]
    arguments: st.SearchStrategy[tuple[Any, ...]]


LAWS: tuple[Law, ...] = (
    Law(
        "INV-RISK-1",
        "more collateral never lowers health",
        laws.more_collateral_never_lowers_health,
        st.tuples(amounts, amounts, prices, st.integers(0, BPS - 1), values, values),
    ),
    Law(
        "INV-RISK-2",
        "a larger haircut never raises capacity",
        lambda amount, price, cuts: laws.larger_haircut_never_raises_capacity(amount, price, *cuts),
        st.tuples(amounts, prices, haircuts()),
    ),
    Law(
        "INV-RISK-3",
        "the buffer grows with latency and volatility",
        laws.buffer_grows_with_latency_and_volatility,
        st.tuples(
            st.integers(0, 10_000),
            st.integers(0, 100_000),
            st.integers(0, 10**6),
            st.integers(0, 10**5),
            st.integers(0, 10**6),
        ),
    ),
    Law(
        "INV-RISK-4",
        "netting never costs (scenario losses)",
        lambda lists: laws.netted_margin_within_isolated(*lists),
        st.tuples(loss_lists(16)),
    ),
    Law(
        "INV-RISK-4",
        "netting never costs (whole books)",
        lambda bs, eth: laws.netted_within_isolated_books(PARAMS, bs, {"ETH": eth}),
        st.tuples(st.lists(books, min_size=1, max_size=3), prices),
    ),
    Law(
        "RISK-7",
        "no move, no loss",
        lambda book, eth: laws.no_move_no_loss(PARAMS, book, {"ETH": eth}, "ETH"),
        st.tuples(books, prices),
    ),
    Law(
        "RISK-7",
        "a perpetual loses the price change",
        lambda market, qty, price, moved: laws.perp_loses_the_price_change(
            PARAMS, market, qty, price, moved
        ),
        st.tuples(st.sampled_from(PERPS), lots, prices, prices),
    ),
    Law(
        "INV-RISK-5",
        "a hedged pair nets to zero",
        lambda market, qty, entry, price: laws.hedged_pair_nets_to_zero(
            PARAMS, market, qty, entry, price
        ),
        st.tuples(st.sampled_from(MARKETS), lots, prices, prices),
    ),
    Law(
        "INV-RISK-7",
        "initial is stricter than maintenance",
        laws.initial_within_maintenance,
        st.tuples(
            amounts,
            prices,
            haircuts(),
            st.integers(-(10**9), 0),
            amounts,
            amounts,
            amounts,
        ),
    ),
    Law(
        "PRC-13",
        "a settled option ignores the price",
        lambda book, fixed, price, moved: laws.settled_book_ignores_the_price(
            PARAMS, book, {m: fixed for m in OPTIONS}, LAST_EXPIRY, price, moved
        ),
        st.tuples(
            st.dictionaries(st.sampled_from(OPTIONS), positions, min_size=1, max_size=3),
            prices,
            prices,
            prices,
        ),
    ),
    Law(
        "INV-RISK-6",
        "fake profit is contained",
        laws.fake_profit_is_contained,
        st.tuples(amounts, amounts, amounts),
    ),
)


@dataclass(frozen=True)
class LawRun:
    law: Law
    examples: int
    broken_by: tuple[Any, ...] | None


def run_law(law: Law, max_examples: int) -> LawRun:
    """Draw arguments for one law until it breaks or `max_examples` held."""
    count = 0
    broken: list[tuple[Any, ...]] = []

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(law.arguments)
    def check(arguments: tuple[Any, ...]) -> None:
        nonlocal count
        count += 1
        if not law.holds(*arguments):
            broken[:] = [arguments]
            raise AssertionError(law.name)

    try:
        with project_constants():  # VER-DET-1
            check()
    except AssertionError:
        return LawRun(law, count, broken[0] if broken else ())
    return LawRun(law, count, None)


def risk_laws(settings_: Settings, max_examples: int = 200) -> CheckResult:
    """VER-5: every risk-engine law holds on every drawn input; a broken law, or one never
    run, fails the check."""
    start = time.perf_counter()
    runs = [run_law(law, max_examples) for law in LAWS]
    details = tuple(
        f"{r.law.id} ({r.law.name}) broken by {r.broken_by!r}"
        for r in runs
        if r.broken_by is not None
    ) + tuple(f"{r.law.id} ({r.law.name}) ran no example" for r in runs if r.examples == 0)
    total = sum(r.examples for r in runs)
    summary = f"{len(runs)} laws on {total} drawn inputs; {len(details)} broken or unreached"
    status: Status = "failed" if details else "passed"
    return CheckResult(status, time.perf_counter() - start, summary, details)
