"""How a symbolic transition ends, built guard by guard in the model's order (OUT-1..OUT-3).

`Rules` mirrors `model/outcome.py`: a transition calls `reject_if` / `ignore_if` for
each guard in the order the model checks them, then `accept` with the post-state of
the happy path.  The result is one post-state term per field, an outcome status and
an error code, as nested `If`s: the first guard that holds decides, so for a
rejected action the guard that fails names the model's error code.
"""

from dataclasses import dataclass

import z3

from proofs.state import Expr, SymState, ite, without_sent
from spec.errors import Error

ACCEPTED, REJECTED, IGNORED = 0, 1, 2
STATUS_NAMES = {ACCEPTED: "accepted", REJECTED: "rejected", IGNORED: "ignored"}
ERRORS: tuple[Error, ...] = tuple(Error)
NO_ERROR = -1


def error_code(error: Error) -> int:
    return ERRORS.index(error)


def error_of(code: int) -> Error | None:
    return None if code == NO_ERROR else ERRORS[code]


@dataclass(frozen=True)
class Result:
    """The post-state, status and error of a transition, as terms over the pre-state."""

    post: SymState
    status: Expr
    error: Expr

    @property
    def accepted(self) -> Expr:
        return self.status == ACCEPTED

    @property
    def rejected(self) -> Expr:
        return self.status == REJECTED


class Rules:
    """Guards first, each a named error; the happy path last."""

    def __init__(self, pre: SymState) -> None:
        self.pre = without_sent(pre)
        self.cases: list[tuple[Expr, int, Error, SymState]] = []

    def reject_if(self, cond: Expr, error: Error) -> None:
        """INV-ATOMIC-1: a rejected step returns the state it was given.  A guard that is
        false by construction (an option the parameters do not use, CHAN-1, RATE-1) adds
        nothing, so the encoding without the option is the encoding before it; a field a
        premise fixes to a constant (as LIVE-8 does) folds away the same way."""
        if z3.is_false(cond):
            return
        self.cases.append((cond, REJECTED, error, self.pre))

    def ignore_if(self, cond: Expr, error: Error, consumed: SymState) -> None:
        """OUT-2: a delivered message consumed with no other effect."""
        if z3.is_false(cond):
            return
        self.cases.append((cond, IGNORED, error, consumed))

    def accept(self, post: SymState) -> Result:
        return self.finish(Result(post, z3.IntVal(ACCEPTED), z3.IntVal(NO_ERROR)))

    def finish(self, inner: Result) -> Result:
        """The guards, then whatever `inner` decides."""
        state, status, error = inner.post, inner.status, inner.error
        for cond, st, err, s in reversed(self.cases):
            state = ite(cond, s, state)
            status = z3.If(cond, z3.IntVal(st), status)
            error = z3.If(cond, z3.IntVal(error_code(err)), error)
        return Result(state, status, error)


def unless_rejected(pre: SymState, inner: Result) -> Result:
    """A receiver's rejection leaves the message in flight: the whole step changes nothing."""
    rejected = inner.status == REJECTED
    return Result(ite(rejected, without_sent(pre), inner.post), inner.status, inner.error)
