"""`intermargin`: run scenarios, fuzz, replay traces, prove invariants, verify everything,
stress the protocol.

Each subcommand lives in its own module under `intermargin/commands/` and
registers itself with `register(subparsers)`.  Exit codes: 0 all good, 1 a
check failed, 2 bad usage or bad input (one line on stderr, no traceback).
"""

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from intermargin.errors import EXIT_USAGE, UsageError, clip

COMMANDS = (
    "verify",
    "scenario",
    "replay",
    "account",
    "trace",
    "prove",
    "fuzz",
    "adapter",
    "vectors",
    "conform",
    "stress",
)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (CLI-2), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {clip(message)} (see --help)\n")


def installed_version() -> str:
    """CLI-9: the version of the installed distribution."""
    try:
        return version("intermargin")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    top = Parser(
        prog="intermargin",
        description=(
            "Reference model and property-checked specification of an interoperable "
            "margin system: one collateral hub, several execution spokes, cross-chain "
            "messages, one risk engine."
        ),
    )
    top.add_argument("--version", action="version", version=f"intermargin {installed_version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"intermargin.commands.{name}").register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # A command imports only its own module (`verify`'s pool workers fork from this process,
    # a build under test restarts `adapter` often); `--help` and bad usage list them all.
    commands: Sequence[str] = COMMANDS
    if argv and argv[0] in COMMANDS:
        commands = (argv[0],)
    elif argv == ["--version"]:
        commands = ()
    args = parser(commands).parse_args(argv)
    code: int = 0
    try:
        code = args.run(args)
    except UsageError as e:
        print(f"intermargin: error: {clip(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("intermargin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error.  Point stdout at /dev/null so
        # Python does not complain again when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as e:  # a write that failed after the checks (disk full, a path removed)
        where = f" {e.filename}" if e.filename else ""
        print(f"intermargin: error: cannot write{where}: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
