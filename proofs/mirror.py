"""The mirror check (DIFF-MIRROR-1): each transition's guards, read from the source of the model
and of its Z3 encoding, are the same error codes in the same order.

It needs no solver and runs in well under a second, so a guard added, dropped or moved
on one side only is caught on every run, not only on the states the differential
checks happen to reach.  A guard is a call `reject(state, Error.X)` or
`ignore(state, Error.X)` in `model/`, and `rules.reject_if(cond, Error.X)` or
`rules.ignore_if(cond, Error.X, ...)` in `proofs/transitions/`; the guards of a
function are those calls in source order.  Two functions mirror each other when they
have the same name.
"""

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Guard = tuple[str, str]
"""(verdict, error code): ("reject", "SPOKE_PAUSED")."""

Guards = tuple[Guard, ...]

GUARD_CALLS = {"reject": "reject", "ignore": "ignore", "reject_if": "reject", "ignore_if": "ignore"}

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mismatch:
    """A transition whose guards differ: where they first part ways."""

    function: str
    position: int
    model: Guard | None
    encoding: Guard | None

    def __str__(self) -> str:
        def show(g: Guard | None) -> str:
            return f"{g[0]} {g[1]}" if g else "(no guard)"

        return (
            f"DIFF-MIRROR-1 {self.function}: guard {self.position + 1} is "
            f"{show(self.model)} in the model but {show(self.encoding)} in the encoding"
        )


def guard_of(call: ast.Call) -> Guard | None:
    """The (verdict, error) of a guard call, or None if the call is not a guard."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in GUARD_CALLS:
        return None
    for arg in call.args:
        match arg:
            case ast.Attribute(value=ast.Name(id="Error"), attr=code):
                return GUARD_CALLS[name], code
    return None


def folded(guards: Iterable[Guard]) -> Guards:
    """Consecutive repeats folded into one: the encoding may test in one guard what the
    model tests in several with the same code (say, every bound of a trade)."""
    out: list[Guard] = []
    for g in guards:
        if not out or out[-1] != g:
            out.append(g)
    return tuple(out)


def guards_by_function(source: str) -> dict[str, Guards]:
    """Every top-level function of a module that has guards, with its guards in order."""
    found: dict[str, Guards] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            calls = sorted(
                (c for c in ast.walk(node) if isinstance(c, ast.Call)),
                key=lambda c: (c.lineno, c.col_offset),
            )
            guards = folded(g for c in calls if (g := guard_of(c)) is not None)
            if guards:
                found[node.name] = guards
    return found


def collect(sources: Iterable[str]) -> dict[str, Guards]:
    merged: dict[str, Guards] = {}
    for source in sources:
        merged |= guards_by_function(source)
    return merged


def first_difference(function: str, model: Guards, encoding: Guards) -> Mismatch | None:
    for i in range(max(len(model), len(encoding))):
        m = model[i] if i < len(model) else None
        e = encoding[i] if i < len(encoding) else None
        if m != e:
            return Mismatch(function, i, m, e)
    return None


def mismatches(model_sources: Iterable[str], encoding_sources: Iterable[str]) -> list[Mismatch]:
    """DIFF-MIRROR-1: every transition whose guards differ, and every guarded function that has
    no counterpart on the other side.  There is no list of exceptions: a guard the encoding
    decides by construction (say, UNKNOWN_ACCOUNT, false over the universe's accounts) is
    still written there, as a constant condition that `Rules` folds away."""
    model, encoding = collect(model_sources), collect(encoding_sources)
    found: list[Mismatch] = []
    for name in sorted(set(model) | set(encoding)):
        diff = first_difference(name, model.get(name, ()), encoding.get(name, ()))
        if diff:
            found.append(diff)
    return found


def project_sources(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """The sources of `model/*.py` and `proofs/transitions/*.py`."""

    def read(folder: Path) -> list[str]:
        return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))]

    return read(root / "model"), read(root / "proofs" / "transitions")


def mirrored_functions(root: Path = ROOT) -> Mapping[str, Guards]:
    """The guarded transitions found on both sides (what the check compared)."""
    model, encoding = (collect(s) for s in project_sources(root))
    return {name: model[name] for name in sorted(set(model) & set(encoding))}
