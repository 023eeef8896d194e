"""Re-proving the obligations on a larger universe than the 2 x 2 one (PROOF-SMALL-5).

The small-model argument (PROOF-SMALL-1..4 in spec/verification.md) reduces a violating
step among any number of accounts and spokes to one among two of each, except where a
step reads more of the untouched ones than a sum (settlement reads whether every other
spoke has answered).  This module re-proves obligations on 3 accounts x 3 spokes (or
any size the example parameters have), by name, with the same budget and the same
verdicts as `intermargin prove`:

    python -m proofs.small_model [--accounts 3] [--spokes 3] [--only PATTERN ...] [--jobs 2]

tests/test_small_model.py runs `REPRESENTATIVE` on 3 x 3; this command runs every
obligation (a few minutes of CPU).
"""

import argparse
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from proofs.catalogue import obligation, select
from proofs.checking import DEFAULT_BUDGET, Verdict, check_obligation
from proofs.universe import proof_params, proof_universe

REPRESENTATIVE: tuple[str, ...] = (
    "*/init",
    "*/safety",
    "*/step/GrantCredit",
    "*/step/Withdraw",
    "*/step/Liquidate",
    "*/step/DeliverClaim",
    "*/step/DeliverLiqReport",
    "*/step/SetCap",
)
"""PROOF-SMALL-5: every init and safety obligation, and every obligation about a step that
reads a sum over accounts or spokes (capacity, a cap) or the conjunction settlement reads."""


def check_on(name: str, accounts: int, spokes: int) -> Verdict:
    """One obligation, proved on a universe of `accounts` x `spokes` (default budget)."""
    return check_obligation(
        obligation(name), DEFAULT_BUDGET, universe=proof_universe(spokes, accounts)
    )


def reprove(
    patterns: Sequence[str] | None, accounts: int = 3, spokes: int = 3, jobs: int = 2
) -> list[Verdict]:
    """The obligations matching `patterns` (all if None), on `accounts` x `spokes`."""
    params = proof_params(spokes, accounts)
    if len(params.accounts) < accounts or len(params.spokes) < spokes:
        raise ValueError(
            f"the example parameters have {len(params.accounts)} accounts and "
            f"{len(params.spokes)} spokes"
        )
    names = [o.name for o in select(list(patterns) if patterns else None)]
    if jobs <= 1:
        return [check_on(n, accounts, spokes) for n in names]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(check_on, names, [accounts] * len(names), [spokes] * len(names)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proofs.small_model", description=__doc__)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--spokes", type=int, default=3)
    parser.add_argument("--only", action="append", metavar="PATTERN")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if min(args.accounts, args.spokes, args.jobs) < 1:
        print("error: --accounts, --spokes and --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        verdicts = reprove(args.only, args.accounts, args.spokes, args.jobs)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    bad = [v for v in verdicts if v.result != "proved"]
    for v in bad:
        print(f"{v.obligation}: {v.result} {v.detail}")
    print(
        f"{len(verdicts) - len(bad)} of {len(verdicts)} obligations proved on "
        f"{args.accounts} accounts x {args.spokes} spokes"
    )
    return 0 if verdicts and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
