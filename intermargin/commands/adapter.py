"""`intermargin adapter`: serve the reference model over the adapter protocol (CONF-1..CONF-7).

The known-good build: `intermargin conform --impl 'intermargin adapter'` must pass.
`--bug NAME` serves the same build with one rule broken (conformance.bugs), which
`conform` must catch; `--list-bugs` names them.
"""

import argparse

from intermargin.errors import EXIT_OK, UsageError


def main(args: argparse.Namespace) -> int:
    from conformance import adapter, bugs

    if args.list_bugs:
        for bug in bugs.BUGS:
            print(f"{bug.name:24} {bug.chapter:12} {bug.rule:12} {bug.story}")
        return EXIT_OK
    if args.bug is not None and args.bug not in bugs.BUG_NAMES:
        known = ", ".join(bugs.BUG_NAMES)
        raise UsageError(f"unknown bug {args.bug!r} (known: {known})")
    return adapter.main(args.bug)


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "adapter",
        help="serve the reference model over the adapter protocol on stdin/stdout",
        description=(
            "Read adapter-protocol requests (one JSON object per line) on stdin and answer "
            "each on stdout: the reference model as a build under test (spec/conformance.md). "
            "With --bug NAME, one rule is broken, for testing the harness."
        ),
    )
    p.add_argument("--bug", metavar="NAME", help="serve the build with this rule broken")
    p.add_argument("--list-bugs", action="store_true", help="list the bugs and exit")
    p.set_defaults(run=main)
