"""Run obligations (in parallel with a process pool when jobs > 1) and collect verdicts.

The CLI (`intermargin prove`), `intermargin verify` and the benchmarks call `run`; each
worker process builds the obligations once and checks them by name, so what crosses
process boundaries is names in, verdicts out.  Each query is bounded by the budget's
resource limit, so the verdicts do not depend on how many jobs share the machine
(PROOF-BUDGET-1).

`run` with `bmc_spokes` also runs the liquidation BMC in the same pool, submitted first:
it is the longest piece of work by far (the K = 2 query alone), so it takes one worker
while the others check the obligations, instead of running alone after them with the
other cores idle (PROOF-RUN-1).
"""

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from proofs.bmc import DEFAULT_BMC_BUDGET, BmcResult, propagation
from proofs.budget import Budget
from proofs.checking import DEFAULT_BUDGET, Verdict, check
from proofs.lean import lean_worker
from proofs.obligations import Obligation
from proofs.universe import proof_universe

Progress = Callable[[Verdict], None]

MAX_K = 4
"""The deepest unrolling the BMC searches (`propagation`'s default)."""


def run(
    obligations: Sequence[Obligation],
    *,
    budget: Budget = DEFAULT_BUDGET,
    jobs: int = 2,
    mutant: str | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Check every obligation; verdicts come back in the obligations' order."""
    verdicts, _ = run_with_bmc(
        obligations, budget=budget, jobs=jobs, mutant=mutant, progress=progress
    )
    return verdicts


def prebuild(obligations: Sequence[Obligation], mutant: str | None = None) -> None:
    """PROOF-RUN-2: build every obligation's queries once in this process, before a pool of
    workers forks from it, so each worker starts with the encoding's memoized terms
    (`proofs.premises`) instead of building them again itself.  A query is translated into
    a context of its own before it is asked (PROOF-BUDGET-4), so where its terms were built
    changes nothing in what Z3 is asked; on a platform that does not fork the workers
    build the terms themselves, as before."""
    from proofs.mutants import transitions  # as `check_obligation` imports it

    if multiprocessing.get_start_method() != "fork":
        return
    u, table = proof_universe(), transitions(mutant)
    for ob in obligations:
        ob.queries(u, table)


def run_with_bmc(
    obligations: Sequence[Obligation],
    *,
    budget: Budget = DEFAULT_BUDGET,
    jobs: int = 2,
    mutant: str | None = None,
    progress: Progress | None = None,
    bmc_spokes: int | None = None,
    bmc_budget: Budget = DEFAULT_BMC_BUDGET,
) -> tuple[list[Verdict], BmcResult | None]:
    """Check every obligation, and run the BMC with `bmc_spokes` spokes if given (PROOF-RUN-1:
    in the same pool, started first); verdicts come back in the obligations' order."""
    names = [o.name for o in obligations]
    verdicts: dict[str, Verdict] = {}
    bmc: BmcResult | None = None
    if jobs <= 1 or len(names) + (bmc_spokes is not None) <= 1:
        for name in names:
            verdicts[name] = check(name, budget, mutant)
            if progress:
                progress(verdicts[name])
        if bmc_spokes is not None:
            bmc = propagation(bmc_spokes, MAX_K, bmc_budget)
        return [verdicts[n] for n in names], bmc
    workers = min(jobs, len(names) + (bmc_spokes is not None))
    prebuild(obligations, mutant)
    with ProcessPoolExecutor(max_workers=workers, initializer=lean_worker) as pool:
        first: Future[BmcResult] | None = None
        if bmc_spokes is not None:
            first = pool.submit(propagation, bmc_spokes, MAX_K, bmc_budget)
        pending = [pool.submit(check, name, budget, mutant) for name in names]
        for future in as_completed(pending):
            v = future.result()
            verdicts[v.obligation] = v
            if progress:
                progress(v)
        if first is not None:
            bmc = first.result()
    return [verdicts[n] for n in names], bmc
