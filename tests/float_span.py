"""The SPAN scan of SPAN-1..SPAN-7 recomputed in floats for the example parameters: the
tests' independent check of `model/risk.py` (no rounding rules, float Black-Scholes from
tests/float_greeks.py).  Example parameters: scan range 15%, volatility scan 20%,
extreme move 3 ranges at 35% cover, short option minimum 1%, spread charge 2%."""

from dataclasses import dataclass

from spec.bounds import SECONDS_PER_YEAR
from tests.float_greeks import call_price, option_greeks, put_price


@dataclass(frozen=True)
class Lot:
    """A position for the float scan: kind "perp", "call" or "put"; strike and seconds to
    expiry for options; qty lots."""

    kind: str
    qty: int
    strike: int = 0
    seconds: int = 0


def value(lot: Lot, price: float, vol: float) -> float:
    """One lot's value at `price` and volatility `vol`."""
    t = lot.seconds / SECONDS_PER_YEAR
    if lot.kind == "perp":
        return price
    if price <= 0:
        return 0.0 if lot.kind == "call" else float(lot.strike)
    pricer = call_price if lot.kind == "call" else put_price
    return pricer(price, lot.strike, vol, t)


def scan(book: list[Lot], spot: int, vol: float) -> float:
    """SPAN-1..SPAN-3: the worst covered loss over the 16 scenarios."""

    def loss(price: float, sigma: float) -> float:
        return -sum(lot.qty * (value(lot, price, sigma) - value(lot, spot, vol)) for lot in book)

    worst = 0.0
    for k in (0, 1, -1, 2, -2, 3, -3):
        price = max(spot * (1 + 0.15 * k / 3), 0.0)
        for sigma in (vol * 1.2, vol * 0.8):
            worst = max(worst, loss(price, sigma))
    for price in (spot * 1.45, max(spot * 0.55, 0.0)):
        worst = max(worst, 0.35 * loss(price, vol))
    return worst


def spread(book: list[Lot], spot: int, vol: float) -> float:
    """SPAN-6: 2% of the price per spread of delta between tenors."""
    tenors: dict[int, float] = {}
    for lot in book:
        tenor = -1 if lot.kind == "perp" else lot.seconds
        if lot.kind == "perp":
            delta = 1.0
        else:
            delta = option_greeks(
                lot.kind, spot, lot.strike, vol, lot.seconds / SECONDS_PER_YEAR
            ).delta
        tenors[tenor] = tenors.get(tenor, 0.0) + lot.qty * delta
    longs = sum(d for d in tenors.values() if d > 0)
    shorts = -sum(d for d in tenors.values() if d < 0)
    return min(longs, shorts) * spot * 0.02


def risk(book: list[Lot], spot: int, vol: float) -> float:
    """SPAN-7: max(min(scan + spread, standalone), short option minimum)."""
    standalone = sum(scan([lot], spot, vol) for lot in book)
    short_lots = sum(-lot.qty for lot in book if lot.kind != "perp" and lot.qty < 0)
    return max(
        min(scan(book, spot, vol) + spread(book, spot, vol), standalone), short_lots * spot * 0.01
    )
