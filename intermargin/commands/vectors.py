"""`intermargin vectors generate OUT` / `vectors check DIR`: the versioned test vectors
(CONF-8..CONF-11).

`generate` writes `OUT/v<spec-version>/<chapter>/<case>.json`, deterministic from
`--seed`.  `check` replays every case below DIR through the model: exit 0 if all
match, 1 listing the cases that moved, 2 if a file is not a case.
"""

import argparse
from pathlib import Path

from pydantic import ValidationError

from intermargin.errors import EXIT_FAILED, EXIT_OK, UsageError, first_error


def generate(args: argparse.Namespace) -> int:
    from conformance.vectors import write

    written = write(Path(args.out), args.seed)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} cases ({size // 1024} KB) below {args.out} (seed {args.seed})")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from conformance.vectors import case_files, load_case, moved

    directory = Path(args.dir)
    if not directory.is_dir():
        raise UsageError(f"{args.dir}: not a folder")
    files = case_files(directory)
    if not files:
        raise UsageError(f"{args.dir}: no case files (*.json) below it")
    moves: list[str] = []
    for path in files:
        try:
            case = load_case(path)
        except ValidationError as e:
            raise UsageError(f"{path}: not a test vector: {first_error(e)}") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"{path}: cannot read: {e}") from None
        change = moved(case)
        if change is not None:
            moves.append(f"moved: {case.id} ({path}): {change}")
    for line in moves:
        print(line)
    if moves:
        print(
            f"{len(moves)} of {len(files)} cases moved: "
            "regenerate with `intermargin vectors generate`"
        )
        return EXIT_FAILED
    print(f"all {len(files)} cases match the model")
    return EXIT_OK


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from conformance.vectors import DEFAULT_SEED

    p = sub.add_parser(
        "vectors",
        help="generate or check the language-neutral test vectors",
        description="Generate the versioned test vectors from the model, or check a tree of "
        "them against it (spec/conformance.md).",
    )
    what = p.add_subparsers(dest="vectors_command", required=True, metavar="generate|check")
    g = what.add_parser(
        "generate",
        help="write OUT/v<spec-version>/<chapter>/<case>.json",
        description="Run every story and seeded random trace through the model and write "
        "the cases. The same seed gives byte-identical files.",
    )
    g.add_argument("out", metavar="OUT", help="the folder to write into (created)")
    g.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the random traces")
    g.set_defaults(run=generate)
    c = what.add_parser(
        "check",
        help="replay a tree of vectors against the model",
        description="Exit 0 if every case below DIR still matches the model, 1 listing the "
        "cases that moved.",
    )
    c.add_argument("dir", metavar="DIR", help="a folder of case files")
    c.set_defaults(run=check)
