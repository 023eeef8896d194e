"""Run obligations (in parallel with a process pool when jobs > 1) and collect verdicts.

The CLI (`intermargin prove`) and the benchmark call `run`; each worker process
builds the obligations once and checks them by name, so what crosses process
boundaries is names in, verdicts out.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from proofs.obligations import Obligation, Verdict, check

Progress = Callable[[Verdict], None]


def run(
    obligations: Sequence[Obligation],
    *,
    timeout_s: float = 10.0,
    jobs: int = 2,
    mutant: str | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Check every obligation; verdicts come back in the obligations' order."""
    names = [o.name for o in obligations]
    verdicts: dict[str, Verdict] = {}
    if jobs <= 1 or len(names) <= 1:
        for name in names:
            verdicts[name] = check(name, timeout_s, mutant)
            if progress:
                progress(verdicts[name])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(check, name, timeout_s, mutant) for name in names]
            for future in as_completed(futures):
                v = future.result()
                verdicts[v.obligation] = v
                if progress:
                    progress(v)
    return [verdicts[n] for n in names]
