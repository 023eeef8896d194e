"""Known answers of the fixed-point pricer (PRC-1..PRC-11): the exact integers it gives on a
fixed set of inputs, so that every rounding the spec states (each `//` a floor, each series
summed until a term is zero, the guard scale of PRC-4) is pinned, not only bounded.

The bounds against mpmath (`tests/test_pricing.py`) show the pricer is accurate; these
answers show it is *the* pricer of the spec, integer for integer, which is what PRC-1
promises an implementation in another language (and what a changed rounding breaks while
staying within the bounds).  `python -m tests.edges.test_pricing` rewrites the answers
after a deliberate change of the pricer's spec."""

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from model.pricing import (
    GUARD,
    ONE,
    Inputs,
    call_wad,
    discounted_strike_wad,
    exp_fixed,
    exp_wad,
    greeks_wad,
    intrinsic_delta,
    ln_wad,
    normal_cdf_wad,
    normal_pdf_wad,
    option_wad,
    put_wad,
    sqrt_wad,
    terms,
)
from spec.bounds import MAX_PRICE, MAX_SECONDS, MAX_VOLATILITY_BPS

ANSWERS = Path(__file__).with_name("pricing_answers.json")


def reals() -> list[int]:
    """Wad arguments: the edges of each function's domain and pieces of its series, and a
    fixed spread of others."""
    rng = random.Random(20261201)
    edges = [
        *(0, 1, -1, ONE, -ONE, ONE // 2, -ONE // 2, 2 * ONE - 1, 2 * ONE),
        *(9 * ONE - 1, -9 * ONE + 1, 9 * ONE, -9 * ONE, 42 * ONE, -42 * ONE),
        *(693_147_180_559_945_309, 346_573_590_279_972_654, -346_573_590_279_972_655),
    ]
    spread = [rng.randint(-12 * ONE, 12 * ONE) for _ in range(40)]
    return edges + spread


def positives() -> list[int]:
    """Arguments of ln: 1 (10**-18) up to 10**13, powers of two around ONE."""
    rng = random.Random(1)
    edges = [
        *(1, 2, 3, ONE - 1, ONE, ONE + 1, 2 * ONE - 1, 2 * ONE, 2 * ONE + 1, 3 * ONE),
        *(10**13 * ONE, 2**59, 2**60, 2**60 - 1, 10**9),
    ]
    return edges + [rng.randint(1, 10**31) for _ in range(30)]


def option_inputs() -> list[Inputs]:
    """Options at, in and out of the money, with and without a rate, with no time or no
    volatility left, and a fixed spread over the domain of PRC-6."""
    rng = random.Random(7)
    fixed = [
        Inputs(2_000, 2_000, 8_000, 2_592_000),
        Inputs(2_000, 1_800, 8_000, 2_592_000, 500),
        Inputs(2_000, 2_200, 8_000, 2_592_000, 500),
        Inputs(42, 40, 2_000, 15_768_000, 1_000),
        Inputs(2_000, 2_000, 8_000, 0, 500),
        Inputs(2_000, 1_800, 8_000, -5, 500),
        Inputs(1_800, 2_000, 0, 2_592_000, 500),
        Inputs(2_000, 1_800, 0, 2_592_000, 500),
        Inputs(2_000, 2_000, 0, 2_592_000, 0),
        Inputs(1, MAX_PRICE, MAX_VOLATILITY_BPS, MAX_SECONDS, 10_000),
        Inputs(MAX_PRICE, 1, MAX_VOLATILITY_BPS, 1, 10_000),
        Inputs(2_000, 2_000, 1, 1, 0),
    ]
    spread = []
    for _ in range(30):
        spot = rng.randint(1, 10**6)
        spread.append(
            Inputs(
                spot,
                max(1, spot + rng.randint(-spot // 2, spot)),
                rng.randint(1, MAX_VOLATILITY_BPS),
                rng.randint(1, 4 * 31_536_000),
                rng.choice((0, 0, 300, 10_000)),
            )
        )
    return fixed + spread


TERMS = ("d1", "d2", "vol_root_t", "root_t", "discounted_strike")
GREEKS = ("delta", "gamma", "vega", "theta")
KINDS = ("call", "put")


def fields(i: Inputs) -> list[int]:
    return [i.spot, i.strike, i.vol_bps, i.seconds, i.rate_bps]


def answers() -> dict[str, Any]:
    """Each function's exact answer on its inputs."""
    options = option_inputs()
    timed = [i for i in options if i.seconds > 0 and i.vol_bps > 0]
    return {
        "exp_wad": [[x, exp_wad(x)] for x in reals()],
        "exp_guard": [[x * 10**18, exp_fixed(x * 10**18, GUARD)] for x in reals()],
        "ln_wad": [[x, ln_wad(x)] for x in positives()],
        "sqrt_wad": [[x, sqrt_wad(x)] for x in positives()],
        "normal_cdf_wad": [[x, normal_cdf_wad(x)] for x in reals()],
        "normal_pdf_wad": [[x, normal_pdf_wad(x)] for x in reals()],
        "discounted_strike_wad": [[fields(i), discounted_strike_wad(i)] for i in options],
        "terms": [[fields(i), [getattr(terms(i), f) for f in TERMS]] for i in timed],
        "call_wad": [[fields(i), call_wad(i)] for i in options],
        "put_wad": [[fields(i), put_wad(i)] for i in options],
        "option_wad": [[fields(i), [option_wad(k, i) for k in KINDS]] for i in options],
        "intrinsic_delta": [
            [fields(i), [intrinsic_delta("call", i), intrinsic_delta("put", i)]] for i in options
        ],
        "greeks_wad": [
            [fields(i), [[getattr(greeks_wad(k, i), f) for f in GREEKS] for k in KINDS]]
            for i in options
        ],
    }


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp_wad": exp_wad,
    "exp_guard": lambda x: exp_fixed(x, GUARD),
    "ln_wad": ln_wad,
    "sqrt_wad": sqrt_wad,
    "normal_cdf_wad": normal_cdf_wad,
    "normal_pdf_wad": normal_pdf_wad,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_elementary_function_gives_its_known_answers(name: str) -> None:
    """PRC-2 (exp at wad and at the guard scale), PRC-3 (ln), PRC-4 (N and N'), PRC-5
    (sqrt): the exact integers of the spec's roundings."""
    known = json.loads(ANSWERS.read_text())[name]
    assert len(known) >= 40
    assert [[x, FUNCTIONS[name](x)] for x, _ in known] == known


def test_the_prices_and_greeks_give_their_known_answers() -> None:
    """PRC-7 (terms, discounted strike), PRC-8, PRC-9 (prices and their clamps), PRC-11
    (Greeks, with and without time value): the exact integers of the spec's roundings,
    on inputs that reach each branch (no time, no volatility, a rate, both clamps)."""
    known = json.loads(ANSWERS.read_text())
    now = answers()
    for name in now:
        if name not in FUNCTIONS:
            assert now[name] == known[name], name
    branches = option_inputs()
    assert any(i.seconds <= 0 for i in branches) and any(i.vol_bps == 0 for i in branches)
    assert {call_wad(i) == i.spot * ONE for i in branches} == {True, False}


if __name__ == "__main__":
    ANSWERS.write_text(json.dumps(answers(), indent=None, separators=(",", ":")) + "\n")
