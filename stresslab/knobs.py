"""What a sweep may vary, how `NAME=V1,V2,...` is read, and the grid of settings
(STRESS-8).  Values are exact decimals; a knob that takes whole numbers refuses others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product

from spec.bounds import BPS, MAX_AMOUNT, MAX_SECONDS, MAX_VOLATILITY_BPS


@dataclass(frozen=True)
class Knob:
    """A swept parameter: its unit, whether it takes whole numbers, and its bounds."""

    unit: str
    whole: bool
    low: Decimal
    high: Decimal
    step: Decimal = Decimal(1)


KNOBS: dict[str, Knob] = {
    "latency": Knob(
        "s, every spoke's sync latency (PAR-3)", True, Decimal(1), Decimal(MAX_SECONDS)
    ),
    "vol": Knob(
        "% a year, the paths' volatility",
        False,
        Decimal("0.01"),
        Decimal(MAX_VOLATILITY_BPS) / 100,
        Decimal("0.01"),
    ),
    "penalty": Knob("bps of the requirement (PAR-8)", True, Decimal(0), Decimal(BPS)),
    "z": Knob("the buffer's z (PAR-7)", False, Decimal(0), Decimal(10), Decimal("0.001")),
    "cap": Knob("value units, every spoke's cap (PAR-3)", True, Decimal(0), Decimal(MAX_AMOUNT)),
    "staleness": Knob("s, the oracle's delay", True, Decimal(0), Decimal(MAX_SECONDS)),
}
"""STRESS-8: what `--sweep` may vary."""

MAX_POINTS = 1000
"""STRESS-8: the most settings one grid may have."""

Sweep = tuple[str, tuple[Decimal, ...]]


class SweepError(ValueError):
    """A sweep the user wrote that cannot run (the CLI reports it in one line)."""


def parse_value(name: str, text: str) -> Decimal:
    """One value of a sweep, within its knob's bounds and step."""
    knob = KNOBS[name]
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SweepError(f"--sweep {name}: {text.strip()!r} is not a number") from None
    if not value.is_finite() or not knob.low <= value <= knob.high:
        raise SweepError(f"--sweep {name}: {text.strip()} is outside {knob.low}..{knob.high}")
    if value % knob.step:
        what = "a whole number" if knob.whole else f"a multiple of {knob.step}"
        raise SweepError(f"--sweep {name}: {text.strip()} is not {what}")
    return value


def parse_sweep(text: str) -> Sweep:
    """STRESS-8: `NAME=V1,V2,...` with a known NAME and at least one value."""
    name, equals, values = text.partition("=")
    name = name.strip()
    if not equals or not name:
        raise SweepError(f"--sweep {text!r}: expected NAME=V1,V2,... (names: {', '.join(KNOBS)})")
    if name not in KNOBS:
        raise SweepError(f"--sweep: unknown parameter {name!r} (known: {', '.join(KNOBS)})")
    parts = values.split(",")
    if not values.strip() or any(not p.strip() for p in parts):
        raise SweepError(f"--sweep {name}: empty value in {values!r}")
    return name, tuple(parse_value(name, p) for p in parts)


def grid(sweeps: Sequence[Sweep]) -> list[dict[str, Decimal]]:
    """STRESS-8: every combination of the sweeps' values (one empty setting without any)."""
    names = [name for name, _ in sweeps]
    if len(set(names)) != len(names):
        raise SweepError(f"--sweep: a parameter is swept twice ({', '.join(names)})")
    points = [dict(zip(names, combo, strict=True)) for combo in product(*(v for _, v in sweeps))]
    if len(points) > MAX_POINTS:
        raise SweepError(f"--sweep: {len(points)} settings, more than {MAX_POINTS}")
    return points


def plain(value: Decimal, knob: Knob) -> int | float:
    """A value as JSON shows it: an integer for a whole-number knob."""
    return int(value) if knob.whole else float(value)
