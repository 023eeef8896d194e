"""The kinds of actions and messages by name, and one registry per thing done by kind.

An action's or a message's kind is its `type` (ACT-1..ACT-25,
MSG-1..MSG-8).  Code that does something different for each kind (describe it, encode it
for the proofs, decode a counterexample into it) does not switch on the type: it keeps a
`Registry`, one entry
per kind, looked up by `type`, as `model.step.TRANSITIONS` does for the rules.  A
registry is checked complete when its module is imported (`complete`), so that a new
kind cannot be forgotten in one place.
"""

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, get_args

from spec.actions import ACTION_TYPES
from spec.messages import Message

ACTION_KINDS: tuple[str, ...] = tuple(t.model_fields["type"].default for t in ACTION_TYPES)
"""Every action kind, in the order of `spec.actions.Action`."""

MESSAGE_KINDS: tuple[str, ...] = tuple(
    t.model_fields["type"].default for t in get_args(get_args(Message)[0])
)
"""Every message kind, in the order of `spec.messages.Message`."""

F = TypeVar("F")


class Registry(Generic[F]):
    """One entry per kind of `kinds`, registered with `@registry("Kind", ...)`.

    `registry[kind]` is the entry for that kind; `complete()` raises if any kind has
    none.  Registering a kind twice, or a name that is not a kind, is an error.
    """

    def __init__(self, purpose: str, kinds: tuple[str, ...]) -> None:
        self.purpose = purpose
        self.kinds = kinds
        self.entries: dict[str, F] = {}

    def __call__(self, *kinds: str) -> Callable[[F], F]:
        """A decorator registering the function (or value) for these kinds."""

        def register(entry: F) -> F:
            for kind in kinds:
                self.add(kind, entry)
            return entry

        return register

    def add(self, kind: str, entry: F) -> None:
        if kind not in self.kinds:
            raise ValueError(f"{self.purpose}: {kind!r} is not a kind")
        if kind in self.entries:
            raise ValueError(f"{self.purpose}: {kind} registered twice")
        self.entries[kind] = entry

    def __getitem__(self, kind: str) -> F:
        return self.entries[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self.kinds)

    def missing(self) -> tuple[str, ...]:
        """The kinds with no entry yet."""
        return tuple(k for k in self.kinds if k not in self.entries)

    def complete(self) -> "Registry[F]":
        """The registry itself, once every kind has its entry; else a ValueError naming the
        kinds without one."""
        missing = self.missing()
        if missing:
            raise ValueError(f"{self.purpose}: no entry for {', '.join(missing)}")
        return self
