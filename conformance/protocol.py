"""The adapter protocol v1 (CONF-1..CONF-7) as pydantic models, validated at the boundary.

A build reads one request per line on stdin and writes one reply per line on stdout.
Requests are discriminated by `op`.  A reply is `ok: true` with the fields of its
request's answer, or `ok: false` with `unsupported` or `error` (CONF-6).  The harness
validates every reply with these models before it compares anything, so a reply of the
wrong shape is reported as such, never mistaken for a divergence of the model.
"""

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from spec.actions import Action
from spec.chapters import Chapter
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Frozen, Params

PROTOCOL = 1


class Handshake(Frozen):
    """CONF-2: the first request: which protocol the harness speaks."""

    op: Literal["handshake"] = "handshake"
    protocol: int


class Init(Frozen):
    """CONF-3: start from the initial state of `params` (INIT-1)."""

    op: Literal["init"] = "init"
    params: Params


class StepRequest(Frozen):
    """CONF-3: apply one action."""

    op: Literal["step"] = "step"
    action: Action


class Reset(Frozen):
    """CONF-3: forget the state; the next request is `init`."""

    op: Literal["reset"] = "reset"


Request = Annotated[Handshake | Init | StepRequest | Reset, Field(discriminator="op")]
REQUEST: TypeAdapter[Handshake | Init | StepRequest | Reset] = TypeAdapter(Request)


class HandshakeReply(Frozen):
    """CONF-2: the build's protocol version, its name and the chapters it implements."""

    ok: Literal[True]
    protocol: int
    name: str
    chapters: tuple[Chapter, ...]


class InitReply(Frozen):
    """CONF-3: the initial observable state (its `ghost` may be left out, CONF-7)."""

    ok: Literal[True]
    observation: ObservableState


class StepReply(Frozen):
    """CONF-3: the outcome of the step and the observable state after it."""

    ok: Literal[True]
    outcome: Outcome
    observation: ObservableState


class ResetReply(Frozen):
    ok: Literal[True]


class Unsupported(Frozen):
    """CONF-6: the build cannot handle this request (a chapter or field it lacks)."""

    ok: Literal[False]
    unsupported: str


class Failed(Frozen):
    """CONF-6: the build failed internally on this request."""

    ok: Literal[False]
    error: str


Refusal = Unsupported | Failed
REFUSAL: TypeAdapter[Unsupported | Failed] = TypeAdapter(Refusal)
