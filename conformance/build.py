"""The build under test as a child process, spoken to over the adapter protocol (CONF-1).

Every read and write has a deadline, so a build that hangs, exits, crashes, writes
garbage or stops in the middle of a line is reported in one line (`BuildBroken`) and
never hangs the harness (CONF-15).  Requests may be written ahead of the replies (a
window of them in flight), so the build and the harness work at the same time; replies
still come back in request order (CONF-1).  Requests are written as soon as a few are
queued (`BATCH`), so the build works on them while the harness prepares the next; reads
and writes wait in a selector only when the pipe is not ready.  What the build writes on
stderr goes to a log file and is never read as a reply.
"""

import contextlib
import os
import selectors
import shlex
import subprocess
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import IO

DEFAULT_TIMEOUT = 10.0
"""Seconds a build may take to answer one request."""

STARTUP_TIMEOUT = 30.0
"""Seconds a build may take to answer the handshake (interpreters start slowly)."""

BATCH = 2
"""Queued requests written at once: fewer wake the build up more often (it idles less),
more cost fewer system calls."""


class BuildBroken(Exception):
    """The build stopped speaking the protocol; the message is the one-line verdict."""


def last_line(path: Path) -> str:
    """The last non-empty line of a log file, or '' (for a verdict's `stderr:` hint)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:160] if lines else ""


def ready(fd: int, event: int, deadline: float) -> bool:
    """Wait until `fd` is ready for `event` or the deadline passes; whether it is ready."""
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    with selectors.DefaultSelector() as sel:
        sel.register(fd, event)
        return bool(sel.select(left))


class Build:
    """A running build.  `send` queues a request line; `receive` returns the next reply."""

    def __init__(self, command: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as e:
            raise BuildBroken(f"cannot parse the build command {command!r}: {e}") from None
        if not self.argv:
            raise BuildBroken("the build command is empty")
        self.command = command
        self.timeout = timeout
        self.log_dir = tempfile.TemporaryDirectory(prefix="intermargin-build-")
        self.log = Path(self.log_dir.name) / "stderr.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.buffer = b""
        self.outbox: list[bytes] = []
        self.pending: deque[str] = deque()
        self.answered = 0
        self.restarts = -1

    # --- life ------------------------------------------------------------------------

    def start(self) -> None:
        """Start (or restart) the process with empty pipes."""
        self.stop()
        log: IO[bytes] = self.log.open("ab")
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                bufsize=0,
            )
        except OSError as e:
            raise BuildBroken(f"cannot start {self.argv[0]!r}: {e.strerror}") from None
        finally:
            log.close()
        assert self.process.stdin is not None and self.process.stdout is not None
        os.set_blocking(self.process.stdin.fileno(), False)
        os.set_blocking(self.process.stdout.fileno(), False)
        self.buffer = b""
        self.outbox.clear()
        self.pending.clear()
        self.answered = 0
        self.restarts += 1

    def stop(self) -> None:
        """Close the pipes and end the process (killed if it does not leave at once)."""
        process, self.process = self.process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        try:
            process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        self.stop()
        self.log_dir.cleanup()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- talking ---------------------------------------------------------------------

    def send(self, line: bytes, what: str) -> None:
        """Queue one request line (ending in a newline); the queue is written once it
        holds `BATCH` lines, or when a reply is next awaited."""
        self.running()
        self.outbox.append(line)
        self.pending.append(what)
        if len(self.outbox) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every queued request within the deadline."""
        if not self.outbox:
            return
        process = self.running()
        assert process.stdin is not None
        view = memoryview(b"".join(self.outbox))
        self.outbox.clear()
        fd = process.stdin.fileno()
        deadline = time.monotonic() + self.timeout
        while view:
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                written = 0
            except (BrokenPipeError, ConnectionResetError):
                what = self.pending[0] if self.pending else "next"
                raise BuildBroken(self.ended(f"before reading the {what} request")) from None
            view = view[written:]
            if view and not ready(fd, selectors.EVENT_WRITE, deadline):
                raise BuildBroken(f"hung: stopped reading its input ({self.timeout:g} s)")

    def receive(self, timeout: float | None = None) -> bytes:
        """The next reply line (without its newline), or BuildBroken with the verdict."""
        self.flush()
        process = self.running()
        assert process.stdout is not None
        what = self.pending[0] if self.pending else "reply"
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        fd = process.stdout.fileno()
        while b"\n" not in self.buffer:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                if not ready(fd, selectors.EVENT_READ, deadline):
                    partial = self.partial()
                    raise BuildBroken(
                        f"hung: no reply to the {what} request within {limit:g} s{partial}"
                    ) from None
                continue
            if not chunk:
                raise BuildBroken(self.ended(f"before answering the {what} request"))
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        if self.pending:
            self.pending.popleft()
        self.answered += 1
        return line

    def request(self, line: bytes, what: str, timeout: float | None = None) -> bytes:
        self.send(line, what)
        return self.receive(timeout)

    # --- verdicts ----------------------------------------------------------------------

    def running(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            raise BuildBroken("the build is not running")
        return self.process

    def partial(self) -> str:
        if not self.buffer:
            return ""
        shown = self.buffer[:40].decode("utf-8", errors="replace")
        return f" (after a partial line of {len(self.buffer)} bytes: {shown!r})"

    def ended(self, when: str) -> str:
        """The verdict for a build whose output ended: crashed (non-zero exit or signal) or
        exited early (exit code 0), with what it left half-written and its last stderr line."""
        process = self.running()
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            verdict = "closed its output"
        elif code == 0:
            verdict = "exited early (exit code 0)"
        elif code < 0:
            verdict = f"crashed (killed by signal {-code})"
        else:
            verdict = f"crashed (exit code {code})"
        hint = last_line(self.log)
        stderr = f"; stderr: {hint}" if hint else ""
        return f"{verdict} {when}{self.partial()}{stderr}"
