"""Generated parameter sets, populations and prices for checking and measuring the engine
(VEC-6): seeded numpy draws, realistic rows and rows at the bounds of
`spec/bounds.py`.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from spec.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QTY
from spec.examples import example_params
from spec.params import Params
from stresslab.population import Population

Rng = np.random.Generator


def with_changes(params: Params, **changes: Any) -> Params:
    """A validated copy of `params` with some top-level fields replaced (JSON-like values)."""
    return Params.model_validate_json(json.dumps({**params.model_dump(mode="json"), **changes}))


def param_shapes() -> dict[str, Params]:
    """Parameter sets of different shapes: the example (portfolio method, three spokes, calls
    and puts on two expiries); the same per position; two underlyings with an option of its
    own volatility, one expired at genesis, one cover class, a high short option minimum and
    the largest spread charge (so that SPAN-7's cap at the standalone risk binds);
    the same with an ETH/BTC inter-commodity spread (SPAN-9); one spoke with a
    zero-volatility underlying."""
    example = example_params()
    data = example.model_dump(mode="json")
    btc = {
        "id": "BTC",
        "haircut_bps": 500,
        "ltv_haircut_bps": 800,
        "volatility_bps": 6000,
        "scan_range_bps": 2000,
        "fixed_price": None,
    }
    btc_markets = [
        {"id": "BTC-PERP", "underlying": "BTC", "kind": "perp", "im_bps": 800, "mm_bps": 400},
        {
            "id": "BTC-P-30000",
            "underlying": "BTC",
            "kind": "put",
            "strike": 30_000,
            "expiry": 5_000_000,
            "im_bps": 1500,
            "mm_bps": 1000,
            "volatility_bps": 9000,
        },
        {
            "id": "BTC-C-0",
            "underlying": "BTC",
            "kind": "call",
            "strike": 25_000,
            "expiry": 0,
            "im_bps": 1500,
            "mm_bps": 1000,
        },
    ]
    feeds = [{"id": f"btc{i}", "asset": "BTC"} for i in range(3)]
    two = with_changes(
        example,
        assets=[*data["assets"], btc],
        markets=[*data["markets"], *btc_markets],
        spokes=data["spokes"][:2],
        oracle={**data["oracle"], "feeds": [*data["oracle"]["feeds"], *feeds]},
        portfolio={
            **data["portfolio"],
            "extreme_cover_bps": 10_000,
            "short_option_min_bps": 1_500,
            "spread_charge_bps": 10_000,
        },
        buffer_z_milli=10_000,
    )
    flat = {**data["assets"][1], "volatility_bps": 0, "scan_range_bps": 10_000}
    one_spoke = with_changes(
        example,
        assets=[data["assets"][0], flat],
        spokes=[{**data["spokes"][2], "latency_s": 10**9}],
        portfolio={**data["portfolio"], "vol_scan_bps": 10_000, "extreme_multiple": 10},
    )
    correlated = with_changes(
        two,
        portfolio={
            **two.model_dump(mode="json")["portfolio"],
            "correlations": [{"a": "ETH", "b": "BTC", "correlation_bps": 8_000}],
            "inter_spreads": [
                {"a": "ETH", "b": "BTC", "ratio_a": 15, "ratio_b": 1, "credit_bps": 5_000}
            ],
        },
    )
    return {
        "example": example,
        "per-position": with_changes(example, margin_method="per_position"),
        "two-underlyings": two,
        "inter-commodity": correlated,
        "one-spoke": one_spoke,
    }


def random_prices(params: Params, rng: Rng, *, extreme: bool = False) -> dict[str, int]:
    """A positive price per asset: its fixed price if it has one, else realistic (1 to
    100_000) or anywhere up to MAX_PRICE."""
    top = MAX_PRICE if extreme else 100_000
    return {a.id: a.fixed_price or int(rng.integers(1, top, endpoint=True)) for a in params.assets}


def random_population(params: Params, size: int, rng: Rng, *, at_bounds: float = 0.0) -> Population:
    """`size` accounts with a few positions each on linked and unlinked spokes, collateral from
    one to tens of millions (some healthy, some not); a share `at_bounds` of the rows
    draws every amount up to its bound (BND-1..BND-3, BND-7)."""
    assets, spokes, markets = len(params.assets), len(params.spokes), len(params.markets)
    big = rng.random(size) < at_bounds

    def amounts(shape: tuple[int, ...], usual: Any, bound: int, signed: bool) -> Any:
        low = -1 if signed else 0
        scale = np.where(big, bound, usual).reshape((size,) + (1,) * (len(shape) - 1))
        return np.floor(rng.uniform(low, 1, shape) * scale).astype(np.int64)

    wealth = 10.0 ** rng.uniform(0, 7, size)

    held = rng.random((size, spokes, markets)) < 0.35
    qty = amounts((size, spokes, markets), 60, MAX_QTY, True) * held
    return Population(
        collateral=amounts((size, assets), wealth, MAX_AMOUNT, False),
        qty=qty,
        cost=amounts((size, spokes, markets), 10**7, MAX_AMOUNT, True) * held,
        balance=amounts((size, spokes), 10**6, 4 * MAX_AMOUNT, True),
        linked=rng.random((size, spokes)) < 0.8,
        alloc=amounts((size, spokes), 10**6, MAX_AMOUNT, False),
    )


def random_owed(params: Params, rng: Rng) -> Any:
    """Tokens owed to each spoke's partition, per asset (the clearing pools, RISK-NET-1)."""
    owed = rng.integers(0, 10**6, (len(params.spokes), len(params.assets)))
    return owed * (rng.random(owed.shape) < 0.5)
