"""Requirement traceability: every id in `spec/` with what implements and what verifies it.

A requirement is *implemented* where `model/` (or the boundary in `spec/`, the CLI, or the
stress lab in `stresslab/`) cites it, and *verified* where a test or a proof obligation
cites it.  A requirement nothing verifies is a gap: `intermargin trace` fails on it.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spec.requirements import ROOT, Requirement, cited_ids, requirements

IMPLEMENTATION = ("model", "spec", "intermargin", "stresslab")
VERIFICATION = ("tests", "proofs")


@dataclass(frozen=True)
class Trace:
    """One requirement and the places that cite it, by role."""

    requirement: Requirement
    implemented_by: tuple[str, ...]
    proved_by: tuple[str, ...]
    tested_by: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return bool(self.proved_by or self.tested_by)


@cache
def definitions_in(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function and class in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")

    visit(tree, "")
    return found


def name_of(place: str) -> str:
    """`model/hub.py:57` -> `model.hub.grant_credit`: the innermost definition around a
    citation, or the module when it is cited at module level."""
    file, line = place.rsplit(":", 1)
    module = file.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    inner = [
        (first, name)
        for first, last, name in definitions_in(ROOT / file)
        if first <= int(line) <= last
    ]
    return f"{module}.{max(inner)[1]}" if inner else module


def places(roots: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For every cited id, the distinct names citing it under `roots`."""
    cited = cited_ids([ROOT / r for r in roots])
    return {rid: tuple(dict.fromkeys(name_of(p) for p in ps)) for rid, ps in cited.items()}


def traceability() -> list[Trace]:
    """Every requirement of the spec, in chapter order, with its citations."""
    implemented = places(IMPLEMENTATION)
    proved = places(("proofs",))
    tested = places(("tests",))
    return [
        Trace(
            requirement=r,
            implemented_by=implemented.get(rid, ()),
            proved_by=proved.get(rid, ()),
            tested_by=tested.get(rid, ()),
        )
        for rid, r in requirements().items()
    ]
