"""A build that follows the protocol until its first step, then breaks one way (CONF-15).

`python tests/builds/broken.py MODE`: `crash` exits 3 with a message on stderr, `hang`
never answers, `garbage` answers with a line that is not JSON, `partial` writes half a
reply and hangs, `partial-exit` writes half a reply and exits, `early` exits 0.
Before its first step it answers like the reference adapter.
"""

import sys
import time

from conformance.adapter import Adapter


def main(mode: str) -> None:
    adapter = Adapter(f"broken ({mode})")
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        if b'"op":"step"' in line.replace(b" ", b""):
            if mode == "crash":
                print("fatal: the ledger is on fire", file=sys.stderr)
                sys.exit(3)
            if mode == "hang":
                time.sleep(3600)
            if mode == "garbage":
                out.write(b"hello, world\n")
                out.flush()
                continue
            if mode in ("partial", "partial-exit"):
                out.write(b'{"ok":true,"outco')
                out.flush()
                if mode == "partial":
                    time.sleep(3600)
                sys.exit(0)
            if mode == "early":
                sys.exit(0)
        out.write(adapter.answer(line))
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
