"""The reference model served over the adapter protocol (CONF-1..CONF-7): a known-good build.

`intermargin adapter` (or `python -m conformance.adapter`) reads requests on stdin and
answers each on stdout, one JSON line each, flushed.  It is the build the harness is
tested against, and with `--bug NAME` (conformance.bugs) the same build with one rule
broken, which the harness must catch.
"""

import json
import sys
from collections.abc import Iterable
from typing import BinaryIO

from pydantic import ValidationError

from conformance.protocol import PROTOCOL, REQUEST, Handshake, Init, Reset, StepRequest
from model.observe import observe
from model.state import State, initial_state
from model.step import step
from spec.chapters import CHAPTERS

NAME = "intermargin reference"


def error_reply(message: str, *, unsupported: bool = False) -> bytes:
    key = "unsupported" if unsupported else "error"
    return json.dumps({"ok": False, key: message}).encode() + b"\n"


class Adapter:
    """One build session: the state since the last `init`, and the observation of the last
    state answered (a rejected step returns the same state, so its observation is reused)."""

    def __init__(self, name: str = NAME) -> None:
        self.name = name
        self.state: State | None = None
        self.seen: State | None = None
        self.seen_json = b""

    def observation(self, state: State) -> bytes:
        if state is not self.seen:
            self.seen, self.seen_json = state, observe(state).model_dump_json().encode()
        return self.seen_json

    def answer(self, line: bytes) -> bytes:
        """The reply line to one request line (CONF-1)."""
        try:
            request = REQUEST.validate_json(line)
        except ValidationError as e:
            item = e.errors()[0]
            where = ".".join(str(p) for p in item["loc"]) or "(top level)"
            return error_reply(f"bad request: {where}: {item['msg']}")
        if isinstance(request, Handshake):
            if request.protocol != PROTOCOL:
                return error_reply(f"protocol {request.protocol} not spoken", unsupported=True)
            reply = {"ok": True, "protocol": PROTOCOL, "name": self.name, "chapters": CHAPTERS}
            return json.dumps(reply).encode() + b"\n"
        if isinstance(request, Reset):
            self.state = None
            return b'{"ok":true}\n'
        if isinstance(request, Init):
            self.state = initial_state(request.params)
            return b'{"ok":true,"observation":' + self.observation(self.state) + b"}\n"
        assert isinstance(request, StepRequest)
        if self.state is None:
            return error_reply("step before init")
        self.state, outcome = step(self.state, request.action)
        return (
            b'{"ok":true,"outcome":'
            + outcome.model_dump_json().encode()
            + b',"observation":'
            + self.observation(self.state)
            + b"}\n"
        )


def serve(lines: Iterable[bytes], out: BinaryIO, name: str = NAME) -> None:
    """Answer every request line until the input ends (blank lines are skipped)."""
    adapter = Adapter(name)
    for line in lines:
        if not line.strip():
            continue
        try:
            reply = adapter.answer(line)
        except Exception as e:  # the model itself broke: say so, keep serving (CONF-6)
            reply = error_reply(f"internal error: {type(e).__name__}: {e}")
        out.write(reply)
        out.flush()


def main(bug: str | None = None) -> int:
    """Serve stdin to stdout, with one rule broken if `bug` names one (conformance.bugs)."""
    if bug is None:
        serve(sys.stdin.buffer, sys.stdout.buffer)
        return 0
    from conformance.bugs import installed

    with installed(bug):
        serve(sys.stdin.buffer, sys.stdout.buffer, name=f"{NAME} with bug {bug}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
