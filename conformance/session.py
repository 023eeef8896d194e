"""One conversation with a build: handshake, then runs of `reset`, `init`, `step` (CONF-1..CONF-7).

Requests are written ahead of the replies, up to a window; each reply is validated
with the protocol's models and judged against what was expected of it, in order.  A
reply whose bytes are exactly the reference's own serialization of what was expected
(compact JSON in the field order of spec/schema, as `intermargin adapter` writes) is that
value, so it is judged equal without being parsed; any other reply is parsed, validated
and compared field by field.  The
first mismatch of a run is kept (`mismatch`); later replies are still read so the
conversation stays in step.  A reply that is not JSON, or not shaped like any reply,
is garbage: the build is broken (CONF-15), not divergent.
"""

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from conformance.build import STARTUP_TIMEOUT, Build, BuildBroken
from conformance.compare import describe, differing_path, same_observation, value_at
from conformance.protocol import (
    PROTOCOL,
    REFUSAL,
    HandshakeReply,
    InitReply,
    StepReply,
    Unsupported,
)
from spec.actions import Action
from spec.observable import ObservableState
from spec.outcome import Outcome
from spec.params import Params

WINDOW = 32
"""Requests written ahead of their replies."""


@dataclass(frozen=True)
class Expected:
    """What one request must get: `step` 0 is init (observation only), -1 is reset."""

    step: int
    action: Action | None = None
    outcome: Outcome | None = None
    observation: ObservableState | None = None
    reply: bytes = b""
    """The expected reply as the reference serializes it (b"" if not computed)."""

    @property
    def what(self) -> str:
        return {0: "init", -1: "reset"}.get(self.step, f"step {self.step}")


@dataclass(frozen=True)
class Mismatch:
    """CONF-14: where a build first differed from the reference in a run."""

    step: int
    action: Action | None
    expected: str
    got: str
    path: str
    expected_value: Any = None
    got_value: Any = None


def first_error(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(p) for p in item["loc"]) or "(top level)"
    return f"{where}: {item['msg']}"


def refusal_or_garbage(line: bytes, what: str) -> str:
    """The verdict of a reply that is not the answer expected: a refusal (`unsupported: ...`,
    `error: ...`, CONF-6) is returned; garbage raises BuildBroken."""
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        shown = line[:60].decode("utf-8", errors="replace")
        raise BuildBroken(f"garbage: the reply to {what} is not JSON: {shown!r}") from None
    if not isinstance(data, dict) or "ok" not in data:
        raise BuildBroken(f"garbage: the reply to {what} is not a reply object (no `ok`)")
    if data["ok"] is False:
        try:
            refusal = REFUSAL.validate_json(line)
        except ValidationError as e:
            raise BuildBroken(
                f"garbage: a refusal of {what} of the wrong shape: {first_error(e)}"
            ) from None
        if isinstance(refusal, Unsupported):
            return f"unsupported: {refusal.unsupported}"
        return f"error: {refusal.error}"
    return ""


def judge(line: bytes, expected: Expected) -> Mismatch | None:
    """Validate one reply and compare it with what was expected (CONF-12, CONF-13)."""
    if expected.reply and line == expected.reply:
        return None
    if expected.step == -1:
        if line.replace(b" ", b"") == b'{"ok":true}':
            return None
        got = refusal_or_garbage(line, "reset") or "a reset reply with extra fields"
        return Mismatch(-1, None, "ok", got, "(reply)")
    model: type[StepReply] | type[InitReply] = StepReply if expected.step > 0 else InitReply
    try:
        reply = model.model_validate_json(line)
    except ValidationError as e:
        got = refusal_or_garbage(line, expected.what)
        if not got:
            got = f"a malformed reply: {first_error(e)}"
        want = "initial state" if expected.outcome is None else describe(expected.outcome)
        return Mismatch(expected.step, expected.action, want, got, "(reply)")
    assert expected.observation is not None
    outcome = reply.outcome if isinstance(reply, StepReply) else None
    if outcome == expected.outcome and same_observation(expected.observation, reply.observation):
        return None
    pair = (expected.outcome, expected.observation)
    path = differing_path(pair, (outcome, reply.observation))
    root = "outcome" if path.startswith("outcome") else "observation"
    e_doc = {root: (expected.outcome if root == "outcome" else expected.observation)}
    g_doc = {root: (outcome if root == "outcome" else reply.observation)}
    return Mismatch(
        expected.step,
        expected.action,
        "initial state" if expected.outcome is None else describe(expected.outcome),
        "initial state" if outcome is None else describe(outcome),
        path,
        value_at({k: v.model_dump(mode="json") for k, v in e_doc.items() if v}, path),
        value_at({k: v.model_dump(mode="json") for k, v in g_doc.items() if v}, path),
    )


class Session:
    """A build and the replies it still owes."""

    def __init__(self, build: Build, window: int = WINDOW) -> None:
        self.build = build
        self.window = window
        self.owed: deque[Expected] = deque()
        self.mismatch: Mismatch | None = None
        self.name = ""
        self.chapters: tuple[str, ...] = ()
        self.params_seen: tuple[Params, bytes] | None = None
        self.dumped: tuple[ObservableState | None, bytes] = (None, b"")

    def open(self) -> HandshakeReply:
        """(Re)start the build and shake hands (CONF-2)."""
        self.build.start()
        self.owed.clear()
        line = b'{"op":"handshake","protocol":%d}\n' % PROTOCOL
        reply_line = self.build.request(line, "handshake", timeout=STARTUP_TIMEOUT)
        try:
            reply = HandshakeReply.model_validate_json(reply_line)
        except ValidationError as e:
            got = refusal_or_garbage(reply_line, "handshake")
            raise BuildBroken(f"handshake refused: {got or first_error(e)}") from None
        if reply.protocol != PROTOCOL:
            raise BuildBroken(f"handshake: the build speaks protocol {reply.protocol}, not 1")
        self.name, self.chapters = reply.name, reply.chapters
        return reply

    def submit(self, line: bytes, expected: Expected) -> None:
        """Write a request; judge the oldest owed reply once the window is full."""
        self.build.send(line, expected.what)
        self.owed.append(expected)
        while len(self.owed) > self.window:
            self.judge_next()

    def judge_next(self) -> None:
        expected = self.owed[0]
        line = self.build.receive()
        self.owed.popleft()
        found = judge(line, expected)
        if found is not None and self.mismatch is None:
            self.mismatch = found

    def settle(self) -> Mismatch | None:
        """Read every owed reply; the first mismatch since the last `begin`."""
        while self.owed:
            self.judge_next()
        return self.mismatch

    def begin(self, params: Params, initial: ObservableState) -> None:
        """Reset, then init from `params`, expecting `initial` (CONF-3).  Replies still owed
        by a run cut short (Hypothesis stops a run when it has drawn all it replays) are
        read and dropped first."""
        self.settle()
        self.mismatch = None
        if self.params_seen is None or self.params_seen[0] is not params:
            self.params_seen = (params, params.model_dump_json().encode())
        self.submit(b'{"op":"reset"}\n', Expected(-1))
        reply = b'{"ok":true,"observation":' + self.dump(initial) + b"}"
        self.submit(
            b'{"op":"init","params":' + self.params_seen[1] + b"}\n",
            Expected(0, observation=initial, reply=reply),
        )

    def step(self, number: int, action: Action, outcome: Outcome, after: ObservableState) -> None:
        line = b'{"op":"step","action":' + action.model_dump_json().encode() + b"}\n"
        reply = (
            b'{"ok":true,"outcome":'
            + outcome.model_dump_json().encode()
            + b',"observation":'
            + self.dump(after)
            + b"}"
        )
        self.submit(line, Expected(number, action, outcome, after, reply))

    def dump(self, observation: ObservableState) -> bytes:
        """The observation's JSON, computed once in a row of steps that leave it the same."""
        if self.dumped[0] is not observation:
            self.dumped = (observation, observation.model_dump_json().encode())
        return self.dumped[1]
