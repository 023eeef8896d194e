"""DIFF-MIRROR-2: the arithmetic of a rule, written once, called by the model and the encoding."""

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import z3
from hypothesis import event, given, settings
from hypothesis import strategies as st

from model.algebra import floor_div, ite, maximum, minimum
from model.arith import bps_down, bps_up, ceil_div
from model.channels import refilled
from model.insurance import room_left
from model.ledger import covered_value, seized_tokens
from model.liquidation import cut_to_allocation, penalty_of
from model.risk import free_of, haircut_value
from model.spoke import claimable_loss
from spec.requirements import ROOT

ints = st.integers(min_value=-(10**6), max_value=10**6)
naturals = st.integers(min_value=0, max_value=10**6)
positive = st.integers(min_value=1, max_value=10**4)
bps = st.integers(min_value=0, max_value=9_999)

SHARED: dict[str, tuple[Callable[..., object], tuple[st.SearchStrategy[int], ...]]] = {
    "ceil_div": (ceil_div, (ints, positive)),
    "floor_div": (floor_div, (ints, positive)),
    "bps_down": (bps_down, (naturals, bps)),
    "bps_up": (bps_up, (naturals, bps)),
    "minimum": (minimum, (ints, ints)),
    "maximum": (maximum, (ints, ints)),
    "seized_tokens": (seized_tokens, (naturals, naturals, positive)),
    "covered_value": (covered_value, (naturals, naturals, positive)),
    "room_left": (room_left, (naturals, naturals)),
    "cut_to_allocation": (cut_to_allocation, (naturals, naturals, naturals)),
    "penalty_of": (penalty_of, (naturals, bps)),
    "claimable_loss": (claimable_loss, (ints, naturals)),
    "refilled": (refilled, (naturals, naturals, naturals, naturals)),
    "haircut_value": (haircut_value, (naturals, positive, bps)),
    "free_of": (free_of, (ints, naturals, naturals)),
}
"""Each shared function of a rule, with the ranges its callers give it."""

ENCODED = set(SHARED) - {"floor_div", "minimum", "maximum", "bps_down", "ceil_div", "bps_up"}
"""The rule functions the encoding must call itself (the primitives are reached through them)."""


def concrete(value: object) -> object:
    """A simplified Z3 result as Python ints (tuples element by element)."""
    if isinstance(value, tuple):
        return tuple(concrete(v) for v in value)
    simplified = z3.simplify(value)
    assert z3.is_int_value(simplified), simplified
    return simplified.as_long()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SHARED)))
def test_each_shared_function_gives_the_same_on_ints_and_on_z3_terms(
    data: st.DataObject, name: str
) -> None:
    """DIFF-MIRROR-2: called on Z3 integer constants and simplified, a shared function gives
    what it gives on Python integers (so model and encoding compute the same rule)."""
    function, strategies = SHARED[name]
    args = [data.draw(s) for s in strategies]
    event(name)
    expected = function(*args)
    assert isinstance(expected, int | tuple)
    assert concrete(function(*(z3.IntVal(a) for a in args))) == expected


@given(a=ints, b=ints)
def test_ite_picks_python_or_symbolic_by_the_condition(a: int, b: int) -> None:
    """DIFF-MIRROR-2: a Python condition picks a branch; a symbolic one builds `If`."""
    event("a <= b" if a <= b else "a > b")
    assert ite(a <= b, a, b) == min(a, b)
    x = z3.Int("x")
    term = ite(x <= b, x, b)
    assert z3.is_app_of(term, z3.Z3_OP_ITE)
    assert concrete(z3.substitute(term, (x, z3.IntVal(a)))) == min(a, b)


def test_floor_div_of_a_symbolic_integer_is_the_floor_for_negative_numerators() -> None:
    """DIFF-MIRROR-2, NUM-2: Z3's integer division of a negative numerator by a positive
    divisor is the floor, as Python's `//`: ceil_div agrees on both."""
    for n in (-7, -6, -1, 0, 1, 6, 7):
        assert concrete(ceil_div(z3.IntVal(n), z3.IntVal(3))) == ceil_div(n, 3) == -((-n) // 3)


def calls_in(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return names


def definitions_in(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
    return names


def test_the_encoding_calls_the_shared_rules_and_defines_no_arithmetic_of_its_own() -> None:
    """DIFF-MIRROR-2: `proofs/transitions/` calls every shared rule function, and defines no
    min, max or division helper of its own (the copies it had: smin, smax, ceil_div)."""
    folder = ROOT / "proofs" / "transitions"
    assert calls_in(folder) >= ENCODED, sorted(ENCODED - calls_in(folder))
    own = definitions_in(folder) & {"smin", "smax", "ceil_div", "floor_div", "minimum", "maximum"}
    assert own == set()


def test_the_model_imports_no_solver() -> None:
    """DIFF-MIRROR-2: the shared arithmetic lives in the model, which imports no solver: a
    whole model step runs without z3 being loaded."""
    script = (
        "import sys\n"
        "from model import initial_state, step\n"
        "from spec.actions import Deposit\n"
        "from spec.examples import example_params\n"
        "state = initial_state(example_params())\n"
        "step(state, Deposit(account=state.params.accounts[0], asset='USD', amount=5))\n"
        "assert 'z3' not in sys.modules, 'model imported z3'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
