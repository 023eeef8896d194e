"""Grounding symbolic terms on concrete values, fast: what the drift checks do per step.

The differential checks (DIFF-1..DIFF-3, `proofs.concrete.judge` and
`proofs.differential.invariant_disagreement`) substitute the abstraction of a concrete
state for the variables of a symbolic state, many thousands of times per run.  The
terms and the variables are the same every time; only the values change.  So:

- `Layout`: a symbolic state's entries read once, in declared order: the (field, key)
  names and the variables, with the variables already packed for Z3's C API;
- `ground`: one `Z3_substitute` with the packed variables and the values in layout order
  (no Z3 term is hashed, no Python-side sort check);
- `same_application`: whether a ground application equals the one with the given
  arguments, decided by Z3's hash-consing (one pointer comparison) instead of reading
  its arguments back one by one;
- `last_seen`: remember a pure function's results for the last few arguments by
  identity (the model's states are immutable values: a step's post-state is the next
  step's pre-state, judged three times in a row);
- `packer` / `apply_packer`: one uninterpreted function carrying a whole transition
  result (status, error, every field), built in one C call, and `constants` reading
  the arguments of its ground application back as Python values.

None of this changes what is judged: the same substitution, the same simplification,
the same comparison of every field (VER-RUN-1: speed without less coverage).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import z3

from proofs.state import Expr, SymState

Value = int | bool | frozenset[int]
"""A field's value in a concrete state: a number, a flag, or a set of message ids."""

A = TypeVar("A")
R = TypeVar("R")


@dataclass(frozen=True)
class Layout:
    """A symbolic state's entries in declared order: names, variables, and the variables
    packed once as a C array (`extra` variables appended after the state's)."""

    names: tuple[tuple[str, Any], ...]
    variables: tuple[Expr, ...]
    packed: Any

    def __len__(self) -> int:
        return len(self.variables)


def pack(terms: Sequence[Expr]) -> Any:
    """Terms as a C array of Z3 ASTs (the terms must outlive the array: callers keep them)."""
    return (z3.Ast * len(terms))(*(t.as_ast() for t in terms))


_LAYOUTS: dict[tuple[int, tuple[int, ...]], tuple[SymState, tuple[Expr, ...], Layout]] = {}


def layout(sym: SymState, extra: Sequence[Expr] = ()) -> Layout:
    """The layout of `sym`'s entries followed by `extra` variables, built once per pair."""
    key = (id(sym), tuple(id(e) for e in extra))
    hit = _LAYOUTS.get(key)
    if (
        hit is not None
        and hit[0] is sym
        and all(a is b for a, b in zip(hit[1], extra, strict=True))
    ):
        return hit[2]
    entries = list(sym.entries())
    names = tuple((name, k) for name, k, _ in entries)
    variables = (*(term for _, _, term in entries), *extra)
    built = Layout(names, variables, pack(variables))
    if len(_LAYOUTS) >= 4096:
        _LAYOUTS.clear()
    _LAYOUTS[key] = (sym, tuple(extra), built)
    return built


def ground(term: Expr, where: Layout, values: Sequence[Expr]) -> Expr:
    """`term` with each variable of `where` replaced by the value at its position."""
    n = len(where)
    if len(values) != n:
        raise ValueError(f"{len(values)} values for {n} variables")
    ctx = term.ctx
    targets = pack(values)
    grounded = z3.Z3_substitute(ctx.ref(), term.as_ast(), n, where.packed, targets)
    return z3.z3._to_expr_ref(grounded, ctx)


def same_application(term: Expr, head: Sequence[Expr], tail: Sequence[Expr]) -> bool:
    """Is `term` (an application) exactly `f(*head, *tail)` for its own function `f`?  Z3's
    terms are hash-consed, so equal terms are one node: one comparison, no argument read.
    `head` are the term's own first arguments when only the rest is to be compared."""
    if not z3.is_app(term):
        return False
    args = [*head, *tail]
    if term.num_args() != len(args):
        return False
    ctx = term.ctx
    built = z3.Z3_mk_app(ctx.ref(), term.decl().ast, len(args), pack(args))
    expected = z3.z3._to_expr_ref(built, ctx)
    return bool(z3.eq(term, expected))


def last_seen(size: int) -> Callable[[Callable[[A], R]], Callable[[A], R]]:
    """Remember a pure function's results for the last `size` arguments, by identity (the
    arguments are kept alive while remembered, so an id is never reused meanwhile)."""

    def decorate(function: Callable[[A], R]) -> Callable[[A], R]:
        remembered: list[tuple[A, R]] = []

        @wraps(function)
        def cached(arg: A) -> R:
            for seen, result in remembered:
                if seen is arg:
                    return result
            result = function(arg)
            remembered.append((arg, result))
            if len(remembered) > size:
                del remembered[0]
            return result

        return cached

    return decorate


def apply_packer(function: z3.FuncDeclRef, terms: list[Expr]) -> Expr:
    """`function(*terms)` in one call of Z3's C API (the Python call checks and casts each
    of several hundred arguments; the sorts match by construction, and a Python constant
    is cast to its argument's sort as the Python call would)."""
    ctx = function.ctx
    args = [t if z3.is_expr(t) else function.domain(i).cast(t) for i, t in enumerate(terms)]
    built = z3.Z3_mk_app(ctx.ref(), function.ast, len(args), pack(args))
    return z3.z3._to_expr_ref(built, ctx)


_PACKS: dict[int, tuple[SymState, Any]] = {}


def packer(sym: SymState) -> Any:
    """An uninterpreted function of (status, error, every field of a state like `sym`), to
    carry a whole transition result through one substitution (built once per `sym`)."""
    hit = _PACKS.get(id(sym))
    if hit is None or hit[0] is not sym:
        sorts = [z3.IntSort(), z3.IntSort(), *(term.sort() for _, _, term in sym.entries())]
        hit = _PACKS[id(sym)] = (
            sym,
            z3.Function(f"judge.pack.{len(_PACKS)}", *sorts, z3.BoolSort()),
        )
    return hit[1]


def members(term: Expr) -> frozenset[int] | None:
    """The ids a ground id-set term holds (a chain of stores over a constant array), or
    None if it is not in that shape."""
    stored: dict[int, bool] = {}
    while z3.is_store(term):
        index, value = term.arg(1), term.arg(2)
        if not z3.is_int_value(index) or not (z3.is_true(value) or z3.is_false(value)):
            return None
        stored.setdefault(index.as_long(), z3.is_true(value))
        term = term.arg(0)
    if not (z3.is_const_array(term) and z3.is_false(term.arg(0))):
        return None
    return frozenset(i for i, inside in stored.items() if inside)


def constants(term: Expr) -> list[Value | None]:
    """The Python value (int, bool or id set) of each argument of a ground application, or
    None for an argument that is not a constant.  Reads the arguments through Z3's C API:
    wrapping each in a Python object costs more than the rest of judging a step."""
    ctx = term.ctx
    ref, app = ctx.ref(), term.as_ast()
    out: list[Value | None] = []
    for i in range(z3.Z3_get_app_num_args(ref, app)):
        arg = z3.Z3_get_app_arg(ref, app, i)
        if z3.Z3_get_ast_kind(ref, arg) == z3.Z3_NUMERAL_AST:
            out.append(int(z3.Z3_get_numeral_string(ref, arg)))
            continue
        truth = z3.Z3_get_bool_value(ref, arg)
        if truth == z3.Z3_L_TRUE or truth == z3.Z3_L_FALSE:
            out.append(truth == z3.Z3_L_TRUE)
            continue
        wrapped = z3.z3._to_expr_ref(arg, ctx)
        out.append(members(wrapped) if z3.is_array(wrapped) else None)
    return out
