"""Ledger arithmetic: exact integers, rounding always against the account (NUM-1..NUM-3).

Each rounding divides with `model.algebra.floor_div`, so the Z3 encoding calls the same
functions on its symbolic integers (DIFF-MIRROR-2): one rounding rule, one place.
"""

from math import isqrt

from model.algebra import floor_div
from spec.bounds import BPS


def ceil_div(numerator: int, denominator: int) -> int:
    """The least integer >= numerator / denominator (denominator > 0).

    pre: denominator > 0
    post: __return__ * denominator >= numerator
    post: (__return__ - 1) * denominator < numerator
    """
    return -floor_div(-numerator, denominator)


def bps_down(amount: int, bps: int) -> int:
    """NUM-1: a share of a value the account *owns*, rounded down.

    pre: amount >= 0 and 0 <= bps <= 10000
    post: 0 <= __return__ <= amount
    """
    return floor_div(amount * bps, BPS)


def bps_up(amount: int, bps: int) -> int:
    """NUM-2: a share of a value the account *owes*, rounded up.

    pre: amount >= 0 and bps >= 0
    post: __return__ * 10000 >= amount * bps
    """
    return ceil_div(amount * bps, BPS)


def isqrt_ceil(n: int) -> int:
    """The least integer r >= 0 with r * r >= n (n >= 0).

    pre: n >= 0
    post: __return__ * __return__ >= n and (__return__ == 0 or (__return__ - 1) ** 2 < n)
    """
    r = isqrt(n)
    return r if r * r >= n else r + 1
