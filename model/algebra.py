"""What a rule's arithmetic needs, on Python integers or on symbolic ones (DIFF-MIRROR-2).

One rule, one place: the arithmetic of a rule (a rounding, a clamp, the loss-first cut,
the penalty, a seizure's share of one asset) is written once, in the model module of its
rule, and called by the model with Python integers and by the Z3 encoding
(`proofs/transitions/`) with symbolic ones.  Python's operators already build Z3 terms;
what they cannot express is a choice and a floor division, so `ite`, `minimum`, `maximum`
and `floor_div` pick the Python or the symbolic form by the type of what they are given.
The model never imports a solver: a symbolic term's own library (loaded already, since
the term exists) supplies the conditional.

The model keeps its readable `if` structure and the encoding its own guards, so the
differential check still compares two things; only the arithmetic is shared.  The
annotations say `int`, the model's type; the encoding's terms are typed `Any` there.
"""

import sys
from typing import Any, TypeVar

T = TypeVar("T")


def library_of(term: object) -> Any:
    """The library a symbolic term comes from (Z3's), found from the term itself."""
    return sys.modules[type(term).__module__]


def is_symbolic(value: object) -> bool:
    """A term of a solver's library, not a plain Python value."""
    return not isinstance(value, int) and hasattr(library_of(value), "If")


def ite(condition: bool, then: T, otherwise: T) -> T:
    """`then if condition else otherwise`, or the symbolic conditional if `condition` is a
    symbolic truth value."""
    if not is_symbolic(condition):
        return then if condition else otherwise
    chosen: T = library_of(condition).If(condition, then, otherwise)
    return chosen


def minimum(a: int, b: int) -> int:
    """The smaller of two integers."""
    return ite(a <= b, a, b)


def maximum(a: int, b: int) -> int:
    """The larger of two integers."""
    return ite(a >= b, a, b)


def floor_div(numerator: int, denominator: int) -> int:
    """The greatest integer <= numerator / denominator, for denominator > 0 (Z3's integer
    `/` of a symbolic integer is that floor too, for a positive divisor).

    pre: denominator > 0
    post: __return__ * denominator <= numerator < (__return__ + 1) * denominator
    """
    if is_symbolic(numerator) or is_symbolic(denominator):
        quotient: int = numerator / denominator  # type: ignore[assignment]
        return quotient
    return numerator // denominator
