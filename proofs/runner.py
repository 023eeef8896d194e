"""Run obligations (in parallel with a process pool when jobs > 1) and collect verdicts.

The CLI (`intermargin prove`), `intermargin verify` and the benchmarks call `run`; each
worker process builds the obligations once and checks them by name, so what crosses
process boundaries is names in, verdicts out.  Each query is bounded by the budget's
resource limit, so the verdicts do not depend on how many jobs share the machine
(PROOF-BUDGET-1).
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from proofs.budget import Budget
from proofs.checking import DEFAULT_BUDGET, Verdict, check
from proofs.obligations import Obligation

Progress = Callable[[Verdict], None]


def run(
    obligations: Sequence[Obligation],
    *,
    budget: Budget = DEFAULT_BUDGET,
    jobs: int = 2,
    mutant: str | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Check every obligation; verdicts come back in the obligations' order."""
    names = [o.name for o in obligations]
    verdicts: dict[str, Verdict] = {}
    if jobs <= 1 or len(names) <= 1:
        for name in names:
            verdicts[name] = check(name, budget, mutant)
            if progress:
                progress(verdicts[name])
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(names))) as pool:
            futures = [pool.submit(check, name, budget, mutant) for name in names]
            for future in as_completed(futures):
                v = future.result()
                verdicts[v.obligation] = v
                if progress:
                    progress(v)
    return [verdicts[n] for n in names]
