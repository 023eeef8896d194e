"""The shared arithmetic's choice of form (`model/algebra.py`, DIFF-MIRROR-2): the symbolic
form for a solver's term in any argument, the Python form for every plain value, a solver's
or not (the stress lab hands numpy integers to `model.arith`)."""

from fractions import Fraction
from typing import Any

import numpy as np
import z3

from model.algebra import floor_div, is_symbolic
from model.arith import ceil_div


def test_only_a_solver_term_is_symbolic() -> None:
    """DIFF-MIRROR-2: Z3 terms are symbolic; Python ints, numpy integers and other plain
    numbers are not (their libraries have no `If`)."""
    assert is_symbolic(z3.Int("x")) and is_symbolic(z3.Int("x") > 0)
    for plain in (3, True, np.int64(3), Fraction(7, 2), 2.5):
        assert not is_symbolic(plain), plain


def test_a_numpy_integer_divides_as_an_integer() -> None:
    """NUM-2, NUM-3: the stress lab's numpy integers get the exact floor and ceiling, never
    a float quotient."""
    seven: Any = np.int64(7)
    assert floor_div(seven, 2) == 3 and ceil_div(seven, 2) == 4
    assert floor_div(-seven, 2) == -4
    assert not isinstance(floor_div(seven, 2), float)


def test_a_symbolic_denominator_alone_gives_the_symbolic_quotient() -> None:
    """DIFF-MIRROR-2: either argument symbolic picks the solver's division (a floor for a
    positive divisor): 7 / d with d = 2 is 3, -7 / d is -4."""
    d = z3.Int("d")
    solver = z3.Solver()
    solver.add(d == 2, floor_div(7, d) != 3)
    assert solver.check() == z3.unsat
    solver = z3.Solver()
    solver.add(d == 2, floor_div(-7, d) != -4)
    assert solver.check() == z3.unsat
