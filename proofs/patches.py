"""Patches: one named function (a guard predicate, a small helper, a receiver's rule)
substituted for the length of a block.  A mutant is the current code with a patch
applied while one kind's rule runs, never a copy of the rule (`proofs.mutants`,
`intermargin.fuzzing.mutants`), so a mutant cannot drift from the code it mutates.

A patch names its target by the module (or table) and the name the rule looks it up
by; a name the code no longer has is an error when the patch is applied, so a mutant
whose target was renamed or removed fails loudly instead of silently mutating nothing.
"""

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

Namespace = ModuleType | MutableMapping[str, Any]


def lookup(where: Namespace, name: str) -> Any:
    """What `where` holds under `name`; a KeyError naming both if nothing."""
    if isinstance(where, ModuleType):
        if not hasattr(where, name):
            raise KeyError(f"{where.__name__} has no {name}")
        return getattr(where, name)
    if name not in where:
        raise KeyError(f"the table has no {name}")
    return where[name]


def store(where: Namespace, name: str, value: Any) -> None:
    if isinstance(where, ModuleType):
        setattr(where, name, value)
    else:
        where[name] = value


@dataclass(frozen=True)
class Patch:
    """`where.name` replaced by `replacement` while the patch is applied."""

    where: Namespace = field(compare=False)
    name: str
    replacement: Callable[..., Any]

    def label(self) -> str:
        where = self.where.__name__ if isinstance(self.where, ModuleType) else "table"
        return f"{where}.{self.name}"


@contextmanager
def patched(patches: tuple[Patch, ...]) -> Iterator[None]:
    """Apply the patches; restore what they replaced on exit, whatever happens."""
    saved: list[tuple[Patch, Any]] = []
    try:
        for patch in patches:
            saved.append((patch, lookup(patch.where, patch.name)))
            store(patch.where, patch.name, patch.replacement)
        yield
    finally:
        for patch, original in reversed(saved):
            store(patch.where, patch.name, original)


def under(patches: tuple[Patch, ...], rule: Callable[..., Any]) -> Callable[..., Any]:
    """`rule` run with the patches applied (and only while it runs)."""

    def mutated(*args: Any, **kwargs: Any) -> Any:
        with patched(patches):
            return rule(*args, **kwargs)

    mutated.__name__ = getattr(rule, "__name__", "rule")
    mutated.__doc__ = getattr(rule, "__doc__", None)
    return mutated


@dataclass
class Witness:
    """A patch's replacement that also asks the original on the same arguments, and counts
    the calls and the calls on which the two answered differently (`differed`): the
    evidence that a mutant still differs from the code it mutates."""

    patch: Patch
    same: Callable[[Any, Any], bool] = lambda a, b: bool(a == b)
    calls: int = 0
    differed: int = 0

    def patch_recording(self) -> Patch:
        original = lookup(self.patch.where, self.patch.name)

        def recording(*args: Any, **kwargs: Any) -> Any:
            mutated = self.patch.replacement(*args, **kwargs)
            self.calls += 1
            if not self.same(original(*args, **kwargs), mutated):
                self.differed += 1
            return mutated

        return Patch(self.patch.where, self.patch.name, recording)
