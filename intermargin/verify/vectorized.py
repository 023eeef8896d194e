"""The `vectorized` check (VER-VEC-1): the model and the vectorized risk engine on generated
populations, row by row.

The engine (`stresslab/`) takes from the model only per-market tables (marks, scenario
values, deltas, buffer rates) and computes margins, scans, buffers, equity and health on
its own, so a bug in the model's risk rules (the scan adding two marks instead of
subtracting them, a rounding turned the wrong way) makes the two disagree here.
"""

import time
from collections import Counter
from dataclasses import replace

import numpy as np

from intermargin.verify import CheckResult, Settings, Status, tell
from spec.bounds import MAX_PRICE
from spec.params import Params
from stresslab.bridge import differences, engine_row, model_figures, model_state
from stresslab.engine import risk_pass
from stresslab.generate import param_shapes, random_owed, random_population, random_prices
from stresslab.population import Population

SEED = 20_261_130
TIMES = (0, 2_591_999, 2_592_001)
"""Before every expiry, one second before the first, one second after it."""

FIXED_AT = 2_592_001
"""The time whose expired options are settled at an expiry price (PRC-13, PRC-14); at the
others an expired option is not fixed yet (PRC-15)."""


def expiry_prices(params: Params, prices: dict[str, int], now: int) -> dict[str, int]:
    """PRC-14: at FIXED_AT, every market expired by then fixed at 9/10 of its underlying's
    price (at least 1); none at the other times.  Derived, not drawn: the generator's
    stream stays what it was."""
    if now != FIXED_AT:
        return {}
    return {
        m.id: max(1, prices[m.underlying] * 9 // 10)
        for m in params.markets
        if m.expiry is not None and m.expiry <= now and m.underlying in prices
    }


def with_perp_books(params: Params, population: Population) -> Population:
    """Every third row keeps only its position in the first perpetual market: a book that has
    a liquidation price (RISK-IM-5, VEC-8), which a row of several markets rarely has.
    Derived from the drawn rows, not drawn: the generator's stream stays what it was."""
    perp = next((j for j, m in enumerate(params.markets) if m.kind == "perp"), None)
    if perp is None:
        return population
    kept = np.arange(len(params.markets)) == perp
    rows = np.arange(population.size) % 3 == 0
    mask = ~rows[:, None, None] | kept[None, None, :]
    return replace(population, qty=population.qty * mask, cost=population.cost * mask)


def vectorized(settings: Settings, rows: int = 24) -> CheckResult:
    """VER-VEC-1: every field of every generated row equal in the model and the engine, the
    liquidation price (VEC-8, up to MAX_PRICE) included; a run that compared nothing, or
    reached no live option, no exact-path row, no unhealthy row or no liquidation price,
    fails too."""
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    reached: Counter[str] = Counter()
    details: list[str] = []
    for name, params in param_shapes().items():
        tell(settings, "vectorized", name)
        for now in TIMES:
            population = with_perp_books(
                params, random_population(params, rows, rng, at_bounds=0.2)
            )
            prices = random_prices(params, rng)
            owed = random_owed(params, rng)
            fixed = expiry_prices(params, prices, now)
            figures = risk_pass(
                params, population, prices, now, owed=owed, max_price=MAX_PRICE, fixings=fixed
            )
            for row in range(population.size):
                state, account = model_state(params, population, row, now, owed, fixed)
                expected = model_figures(state, account, prices, MAX_PRICE)
                diff = differences(expected, engine_row(figures, row))
                reached["rows"] += 1
                reached["exact path"] += bool(figures.exact[row])
                reached["unhealthy"] += not expected["healthy"]
                reached["liquidation price"] += expected["has_liquidation_price"]
                held = [
                    m
                    for j, m in enumerate(params.markets)
                    if (population.qty[row, :, j] * population.linked[row]).any()
                ]
                reached["live option"] += any(
                    m.kind != "perp" and m.expiry is not None and now < m.expiry for m in held
                )
                reached["settled option"] += any(m.id in fixed for m in held)
                if diff:
                    shown = ", ".join(f"{k}: model {v[0]} engine {v[1]}" for k, v in diff.items())
                    details.append(f"{name} at t={now}, row {row}: {shown}")
    unreached = [
        what
        for what in (
            "rows",
            "exact path",
            "unhealthy",
            "liquidation price",
            "live option",
            "settled option",
        )
        if not reached[what]
    ]
    details += [f"reached no {what}" for what in unreached]
    status: Status = "failed" if details else "passed"
    summary = (
        f"{reached['rows']} rows, {len(details) - len(unreached)} differing; "
        f"{reached['exact path']} on the exact path, {reached['unhealthy']} unhealthy, "
        f"{reached['liquidation price']} with a liquidation price, "
        f"{reached['live option']} with live options, "
        f"{reached['settled option']} with settled options"
    )
    return CheckResult(status, time.perf_counter() - start, summary, tuple(details[:20]))
